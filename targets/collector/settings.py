"""`obsc render --set collector.KEY=VALUE`: local overrides of the collector config.

They exist for running the rendered collector somewhere other than the real stack, a test
on loopback or a laptop: write the signals to files or to backends at other addresses,
scrape the services where they run, tail other log files, listen on other ports.
Overridden output never goes to rendered/ (the CLI insists on --out), so what Argo CD or
Flux applies is always the output of specs/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from compiler.output.metric_names import Platform
from targets import settings as values_of

HELP: dict[str, str] = {
    "exporters": "file:DIR - write logs, metrics and traces as JSON lines to DIR/logs.json, "
    "DIR/metrics.json and DIR/traces.json instead of sending them to Loki, Prometheus and "
    "Tempo",
    "logs": "GLOB[,GLOB...] - container log files to tail instead of the platform's",
    "platform": "compose|kubernetes - the platform the collector runs on (default: kubernetes "
    "when the environment renders helm or gitops, else compose)",
    "host": "ADDRESS - the address every listener binds to (default 0.0.0.0)",
    "otlpGrpcPort": "PORT - OTLP/gRPC listener (default 4317)",
    "otlpHttpPort": "PORT - OTLP/HTTP listener (default 4318)",
    "healthPort": "PORT - health_check extension (default 13133)",
    "telemetryPort": "PORT - the collector's own Prometheus metrics (default 8888)",
    "prometheusUrl": "URL - the Prometheus metrics go to by remote write, at URL/api/v1/write "
    "(default http://prometheus:9090)",
    "lokiUrl": "URL - the Loki logs go to over OTLP/HTTP, at URL/otlp (default http://loki:3100)",
    "tempoEndpoint": "HOST:PORT - Tempo's OTLP/gRPC receiver traces go to (default tempo:4317)",
    "scrapeTargets": "SERVICE=HOST:PORT[,...] - where the prometheus receiver scrapes each "
    "service (compose platform); services not listed are not scraped",
    "scrapeInterval": "DURATION - the prometheus receiver's scrape interval (default 15s)",
}


@dataclass(frozen=True, slots=True)
class CollectorSettings:
    """Everything about the rendered collector that is not in the model."""

    file_exporter_dir: str | None = None
    log_include: tuple[str, ...] | None = None
    platform: Platform | None = None
    host: str = "0.0.0.0"
    otlp_grpc_port: int = 4317
    otlp_http_port: int = 4318
    health_port: int = 13133
    telemetry_port: int = 8888
    prometheus_url: str = "http://prometheus:9090"
    loki_url: str = "http://loki:3100"
    tempo_endpoint: str = "tempo:4317"
    # (service, HOST:PORT) in the order given; None scrapes every service where it runs.
    scrape_targets: tuple[tuple[str, str], ...] | None = None
    scrape_interval: str = "15s"


_PORTS = {
    "otlpGrpcPort": "otlp_grpc_port",
    "otlpHttpPort": "otlp_http_port",
    "healthPort": "health_port",
    "telemetryPort": "telemetry_port",
}
_URLS = {"prometheusUrl": "prometheus_url", "lokiUrl": "loki_url"}


def parse_scrape_targets(value: str) -> tuple[tuple[str, str], ...]:
    """`SERVICE=HOST:PORT[,...]` as (service, address) pairs; each service at most once."""
    key = "collector.scrapeTargets"
    pairs: list[tuple[str, str]] = []
    for item in value.split(","):
        service, sep, where = item.partition("=")
        if not sep or not service:
            raise ValueError(f"{key}: expected SERVICE=HOST:PORT[,...], got {item!r}")
        if service in dict(pairs):
            raise ValueError(f"{key}: service {service!r} is given twice")
        pairs.append((service, values_of.address(key, where)))
    return tuple(pairs)


def parse_settings(values: Mapping[str, str]) -> CollectorSettings:
    """Settings from `--set` values (keys without the `collector.` prefix).

    Raises ValueError with a message fit for the user on an unknown key or a bad value.
    """
    settings = CollectorSettings()
    for key, value in values.items():
        if key == "exporters":
            kind, sep, where = value.partition(":")
            if kind != "file" or not sep or not where:
                raise ValueError(f"collector.exporters: expected file:DIR, got {value!r}")
            settings = replace(settings, file_exporter_dir=where)
        elif key == "logs":
            globs = tuple(g for g in value.split(",") if g)
            if not globs:
                raise ValueError("collector.logs: expected one or more comma-separated globs")
            settings = replace(settings, log_include=globs)
        elif key == "platform":
            if value not in ("compose", "kubernetes"):
                raise ValueError(
                    f"collector.platform: expected compose or kubernetes, got {value!r}"
                )
            settings = replace(settings, platform=value)  # type: ignore[arg-type]
        elif key == "host":
            if not value or any(c.isspace() for c in value):
                raise ValueError(f"collector.host: expected an address, got {value!r}")
            settings = replace(settings, host=value)
        elif key in _PORTS:
            ports: dict[str, object] = {_PORTS[key]: values_of.port(f"collector.{key}", value)}
            settings = replace(settings, **ports)  # type: ignore[arg-type]
        elif key in _URLS:
            urls: dict[str, object] = {_URLS[key]: values_of.url(f"collector.{key}", value)}
            settings = replace(settings, **urls)  # type: ignore[arg-type]
        elif key == "tempoEndpoint":
            endpoint = values_of.address("collector.tempoEndpoint", value)
            settings = replace(settings, tempo_endpoint=endpoint)
        elif key == "scrapeTargets":
            settings = replace(settings, scrape_targets=parse_scrape_targets(value))
        elif key == "scrapeInterval":
            interval = values_of.duration("collector.scrapeInterval", value)
            settings = replace(settings, scrape_interval=interval)
        else:
            raise ValueError(f"unknown setting collector.{key}")
    return settings
