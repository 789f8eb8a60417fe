"""The `collector` target: one OpenTelemetry Collector config per environment.

File, relative to `rendered/<env>/collector/`: `config.yaml`, for the collector version the
Project's `stack` pins (component names as that release spells them: `otlp_grpc`,
`otlp_http`, `file_log`, `prometheus_remote_write`; exporter-side batching instead of the
deprecated `batch` processor).

- receivers: `otlp` (gRPC and HTTP), `file_log/containers` (container stdout with the
  service name, JSON parsing for `logs.format: json`, stack traces joined per language),
  `prometheus` (a job per service exposing Prometheus metrics, each series labelled
  `service`), and the `span_metrics` connector for frameworks whose metrics come from spans;
- processors: `memory_limiter` first, `k8s_attributes` on Kubernetes, the environment and
  team as resource attributes, the `service` label on every datapoint, then per group of
  services a filter, the redaction transform and the trace sampler (pipelines.py);
- exporters: Loki over OTLP/HTTP, Tempo over OTLP/gRPC, Prometheus by remote write, or
  files with `--set collector.exporters=file:DIR`;
- extensions: `health_check`; the collector's own metrics on a Prometheus endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping

from compiler.model import EnvironmentModel, RedactionPolicy, ResolvedService
from compiler.output.canonical import dump_yaml
from compiler.output.metric_names import Platform
from compiler.output.metric_names import platform_of as deployment_platform
from compiler.render.contract import RenderedFiles, RendererFn, Target
from targets.collector.expansion import escaped
from targets.collector.ottl import literal
from targets.collector.pipelines import Group, groups, percent, service_matches
from targets.collector.receivers import file_log_receiver, otlp_receiver, prometheus_receiver
from targets.collector.redaction import transform_config
from targets.collector.settings import HELP, CollectorSettings, parse_settings

CONFIG_FILE = "config.yaml"
SIGNALS = ("logs", "metrics", "traces")
BACKEND_EXPORTERS = {
    "logs": "otlp_http/loki",
    "metrics": "prometheus_remote_write",
    "traces": "otlp_grpc/tempo",
}


def platform_of(model: EnvironmentModel, settings: CollectorSettings) -> Platform:
    """The platform `--set collector.platform` names, else the one the model's names assume.

    The default is the resolver's (compiler/output/metric_names.py): the rules select each
    metric under the name it has on that platform's path.
    """
    if settings.platform is not None:
        return settings.platform
    return deployment_platform(model.targets)


def collector_config(model: EnvironmentModel, settings: CollectorSettings) -> dict[str, object]:
    """The whole collector config of one environment, as a plain document."""
    platform = platform_of(model, settings)
    receivers: dict[str, object] = {
        "otlp": otlp_receiver(settings),
        "file_log/containers": file_log_receiver(model, platform, settings),
    }
    scrape = prometheus_receiver(model, platform, settings)
    if scrape is not None:
        receivers["prometheus"] = scrape

    common = ["memory_limiter"] + (["k8s_attributes"] if platform == "kubernetes" else [])
    common += ["resource/environment", "transform/identity"]
    processors: dict[str, object] = {
        "memory_limiter": {
            "check_interval": "1s",
            "limit_percentage": 80,
            "spike_limit_percentage": 20,
        },
        "resource/environment": {
            "attributes": [
                {
                    "key": "deployment.environment.name",
                    "value": model.environment,
                    "action": "upsert",
                }
            ]
        },
        "transform/identity": _identity(model, platform),
    }
    if platform == "kubernetes":
        processors["k8s_attributes"] = _k8sattributes()
    connectors: dict[str, object] = {f"forward/{signal}": {} for signal in SIGNALS}
    pipelines: dict[str, object] = {
        "logs/ingest": {
            "receivers": ["otlp", "file_log/containers"],
            "processors": common,
            "exporters": ["forward/logs"],
        },
        "metrics/ingest": {
            "receivers": ["otlp"] + (["prometheus"] if scrape is not None else []),
            "processors": common,
            "exporters": ["forward/metrics"],
        },
        "traces/ingest": {
            "receivers": ["otlp"],
            "processors": common,
            "exporters": ["forward/traces"],
        },
    }
    span_derived = [s for s in model.services if s.metrics.enabled and s.metrics.source == "spans"]
    if span_derived:
        connectors["span_metrics"] = _spanmetrics(span_derived)
        processors["filter/server-spans"] = _keep_server_spans(span_derived)
        pipelines["traces/spanmetrics"] = {
            "receivers": ["forward/traces"],
            "processors": ["filter/server-spans"],
            "exporters": ["span_metrics"],
        }
        pipelines["metrics/ingest"]["receivers"].append("span_metrics")  # type: ignore[index]

    known = tuple(s.name for s in model.services)
    policies = {p.name: p for p in model.redaction_policies}
    exporters = _exporters(settings)
    for signal in SIGNALS:
        for group in groups(model, traces=signal == "traces"):
            steps = _group_processors(signal, group, known, processors, policies)
            pipelines[f"{signal}/{group.name}"] = {
                "receivers": [f"forward/{signal}"],
                "processors": steps,
                "exporters": [_exporter_id(signal, settings)],
            }

    return {
        "extensions": {"health_check": {"endpoint": f"{settings.host}:{settings.health_port}"}},
        "receivers": receivers,
        "processors": dict(sorted(processors.items())),
        "connectors": connectors,
        "exporters": exporters,
        "service": {
            "extensions": ["health_check"],
            "telemetry": {
                "logs": {"level": "info"},
                "metrics": {
                    "level": "normal",
                    "readers": [
                        {
                            "pull": {
                                "exporter": {
                                    "prometheus": {
                                        "host": settings.host,
                                        "port": settings.telemetry_port,
                                    }
                                }
                            }
                        }
                    ],
                },
            },
            "pipelines": pipelines,
        },
    }


def _group_processors(
    signal: str,
    group: Group,
    known: tuple[str, ...],
    processors: dict[str, object],
    policies: Mapping[str, RedactionPolicy],
) -> list[str]:
    steps: list[str] = []
    drop = group.drop_condition(known)
    if drop is not None:
        name = f"filter/{signal}-{group.name}"
        context = {"logs": "log_record", "metrics": "datapoint", "traces": "span"}[signal]
        processors[name] = {"error_mode": "ignore", signal: {context: [drop]}}
        steps.append(name)
    # Sampling before redaction: the spans it drops never pay for the redaction.
    if signal == "traces" and group.sampling is not None and group.sampling < 1.0:
        name = f"probabilistic_sampler/{percent(group.sampling)}pct"
        # Equalizing: spans an SDK already sampled at this ratio or lower pass unchanged,
        # and the decision follows the trace id, so a trace is kept or dropped whole.
        processors[name] = {
            "mode": "equalizing",
            "sampling_percentage": float(percent(group.sampling)),
        }
        steps.append(name)
    if group.policies:
        name = "transform/redact-" + ".".join(group.policies)
        if name not in processors:
            processors[name] = transform_config(policies[p] for p in group.policies)
        steps.append(name)
    return steps


# The pod label that names the service (docs/contracts.md), as k8s_attributes copies it.
WORKLOAD_LABEL = "app.kubernetes.io/name"


def _workload_identity() -> list[str]:
    """service.name of container logs on Kubernetes: the pod's workload, not its container.

    The pod label `app.kubernetes.io/name` first, then the Deployment's name. A pod with
    neither keeps no service.name and goes to the `unlisted` group (every policy).
    """
    unnamed = 'resource.attributes["service.name"] == nil'
    return [
        f'set(resource.attributes["service.name"], resource.attributes[{literal(source)}]) '
        f"where {unnamed} and resource.attributes[{literal(source)}] != nil"
        for source in (WORKLOAD_LABEL, "k8s.deployment.name")
    ]


def _identity(model: EnvironmentModel, platform: Platform) -> dict[str, object]:
    """Team as service.namespace, and the `service` label every Prometheus series carries."""
    by_team: dict[str, list[str]] = {}
    for service in model.services:
        by_team.setdefault(service.team, []).append(service.name)
    resource = _workload_identity() if platform == "kubernetes" else []
    resource += [
        f'set(resource.attributes["service.namespace"], {literal(team)}) where '
        + service_matches(names)
        for team, names in sorted(by_team.items())
    ]
    group = {"context": "resource", "statements": resource}
    return {
        "error_mode": "ignore",
        "log_statements": [group],
        "trace_statements": [group],
        "metric_statements": [
            group,
            {
                "context": "datapoint",
                "statements": [
                    'set(datapoint.attributes["service"], resource.attributes["service.name"]) '
                    'where resource.attributes["service.name"] != nil'
                ],
            },
        ],
    }


def _k8sattributes() -> dict[str, object]:
    return {
        "auth_type": "serviceAccount",
        "extract": {
            "metadata": [
                "k8s.namespace.name",
                "k8s.pod.name",
                "k8s.pod.uid",
                "k8s.deployment.name",
                "k8s.node.name",
            ],
            "labels": [{"tag_name": WORKLOAD_LABEL, "key": WORKLOAD_LABEL, "from": "pod"}],
        },
        "pod_association": [
            {"sources": [{"from": "resource_attribute", "name": "k8s.pod.uid"}]},
            {"sources": [{"from": "resource_attribute", "name": "k8s.pod.ip"}]},
            {"sources": [{"from": "connection"}]},
        ],
    }


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:g}ms" if seconds < 1 else f"{seconds:g}s"


def _spanmetrics(services: list[ResolvedService]) -> dict[str, object]:
    """HTTP server metrics from server spans, named as the framework database expects.

    Namespace `http.server.request` with unit seconds gives the Prometheus histogram
    `http_server_request_duration_seconds`; the buckets are the first such service's
    (one connector serves them all).
    """
    first = sorted(services, key=lambda s: s.name)[0]
    return {
        "namespace": "http.server.request",
        "histogram": {
            "unit": "s",
            "explicit": {"buckets": [_duration(b) for b in first.metrics.histogram_buckets]},
        },
        "dimensions": [{"name": "http.response.status_code"}],
        "metrics_flush_interval": "15s",
    }


def _keep_server_spans(services: list[ResolvedService]) -> dict[str, object]:
    names = sorted(s.name for s in services)
    return {
        "error_mode": "ignore",
        "traces": {"span": [f"not {service_matches(names)} or span.kind != SPAN_KIND_SERVER"]},
    }


def _exporter_id(signal: str, settings: CollectorSettings) -> str:
    return f"file/{signal}" if settings.file_exporter_dir else BACKEND_EXPORTERS[signal]


def _exporters(settings: CollectorSettings) -> dict[str, object]:
    if settings.file_exporter_dir is not None:
        base = settings.file_exporter_dir.rstrip("/")
        return {f"file/{signal}": {"path": f"{base}/{signal}.json"} for signal in SIGNALS}
    queue = {"sending_queue": {"enabled": True, "batch": {"flush_timeout": "200ms"}}}
    return {
        "otlp_grpc/tempo": {
            "endpoint": settings.tempo_endpoint,
            "tls": {"insecure": True},
            **queue,
        },
        "otlp_http/loki": {"endpoint": f"{settings.loki_url}/otlp", **queue},
        "prometheus_remote_write": {"endpoint": f"{settings.prometheus_url}/api/v1/write"},
    }


def render_collector(model: EnvironmentModel, settings: CollectorSettings) -> RenderedFiles:
    """The collector config of one environment."""
    return {CONFIG_FILE: dump_yaml(escaped(collector_config(model, settings)))}


def configure(values: Mapping[str, str]) -> RendererFn:
    """A renderer with `--set collector.*` overrides applied (ValueError on bad ones)."""
    settings = parse_settings(values)
    return lambda model: render_collector(model, settings)


TARGET = Target(
    name="collector",
    description="OpenTelemetry Collector config: OTLP, container logs and scrapes in; PII "
    "redaction, sampling and metadata; Loki, Tempo and Prometheus out",
    render=lambda model: render_collector(model, CollectorSettings()),
    settings=HELP,
    configure=configure,
)
