"""`obsc render --set collector.KEY=VALUE`: local overrides of the collector config.

They exist for running the rendered collector somewhere other than the real stack, a test
on loopback or a laptop: write the signals to files instead of the backends, tail other
log files, listen on other ports. Overridden output never goes to rendered/ (the CLI
insists on --out), so what Argo CD or Flux applies is always the output of specs/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

Platform = Literal["compose", "kubernetes"]

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


_PORTS = {
    "otlpGrpcPort": "otlp_grpc_port",
    "otlpHttpPort": "otlp_http_port",
    "healthPort": "health_port",
    "telemetryPort": "telemetry_port",
}


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
            if not value.isdigit() or not 0 < int(value) < 65536:
                raise ValueError(f"collector.{key}: expected a port 1-65535, got {value!r}")
            ports: dict[str, object] = {_PORTS[key]: int(value)}
            settings = replace(settings, **ports)  # type: ignore[arg-type]
        else:
            raise ValueError(f"unknown setting collector.{key}")
    return settings
