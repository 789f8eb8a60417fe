"""values.yaml of the chart: the environment's resolved settings, and its JSON Schema.

Everything environment-specific that the templates read comes from here; the templates
themselves (targets/helm/chart/templates/) are the same for every environment.
"""

from __future__ import annotations

from compiler.model import (
    OPERATOR_LANGUAGES,
    EnvironmentModel,
    ResolvedService,
    Retention,
    SecretRef,
    StoringStackComponent,
)
from targets.collector.redaction import secret_patterns

# The collector port each language's operator agent exports to: Java and Node.js over
# OTLP/gRPC, the Python, .NET and Go agents over OTLP/HTTP (http/protobuf).
OPERATOR_PORTS = {"java": 4317, "nodejs": 4317, "python": 4318, "dotnet": 4318, "go": 4318}
# Where an SDK baked into the image lives: the operator injects its own agent elsewhere.
AGENT_LOCATION_VARS = frozenset({"OTEL_DOTNET_AUTO_HOME"})
BACKENDS = ("loki", "prometheus", "tempo")
STORING_BACKENDS = ("loki", "prometheus")
SCRAPE_INTERVAL = "15s"


def scrape_target(service: ResolvedService) -> dict[str, object] | None:
    """The PodMonitor entry of a service Prometheus scrapes, or None when it pushes OTLP.

    Infrastructure is scraped through its exporter, run as `<service>-exporter`
    (docs/contracts.md); application pods are labelled `app.kubernetes.io/name: <service>`.
    """
    if not service.metrics.enabled:
        return None
    if service.exporter is not None:
        selector, port, path = (
            f"{service.name}-exporter",
            service.exporter.port,
            service.exporter.path,
        )
    elif service.metrics.source == "exporter":
        selector, port, path = service.name, service.metrics.port, service.metrics.path
    else:
        return None
    return {"name": service.name, "selector": selector, "port": port, "path": path}


def instrumentation_languages(model: EnvironmentModel) -> dict[str, object]:
    """Per operator language used in the environment: its port and the OTEL_* settings.

    Only `OTEL_*` settings every service of that language agrees on are kept (one from a
    secret as `valueFrom.secretKeyRef`); loading
    the agent (JAVA_TOOL_OPTIONS, NODE_OPTIONS, OTEL_DOTNET_AUTO_HOME, ...) is the
    operator's job.
    """
    by_language: dict[str, list[ResolvedService]] = {}
    for service in model.services:
        language = OPERATOR_LANGUAGES.get(service.language)
        if language is not None and service.category == "application":
            by_language.setdefault(language, []).append(service)
    languages: dict[str, object] = {}
    for language, services in sorted(by_language.items()):
        shared = set.intersection(*(set(s.instrumentation.env) for s in services))
        env = [
            _env_var(name, value)
            for name, value in sorted(shared, key=lambda item: item[0])
            if name.startswith("OTEL_") and name not in AGENT_LOCATION_VARS
        ]
        languages[language] = {"port": OPERATOR_PORTS[language], "env": env}
    return languages


def _env_var(name: str, value: str | SecretRef) -> dict[str, object]:
    """A Kubernetes EnvVar: a value, or a reference to a key of a Secret (never its value).

    The operator copies it into the instrumented pods, so the Secret lives in their namespace.
    """
    if isinstance(value, str):
        return {"name": name, "value": value}
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": value.name, "key": value.key}}}


def secret_names(model: EnvironmentModel) -> list[str]:
    """The Secrets the Alertmanager config reads credentials from (by reference only)."""
    names = {r.secret_ref.name for r in model.alerting.receivers if r.secret_ref is not None}
    email = model.alerting.email
    if email is not None and email.secret_ref is not None:
        names.add(email.secret_ref.name)
    return sorted(names)


def retention_values(retention: Retention) -> dict[str, object]:
    """What the user's backend should keep: obsc's figure, its minimum and why.

    The chart deploys no Prometheus or Loki; NOTES.txt prints these after an install, for
    the user's Prometheus (`spec.retention`, `--storage.tsdb.retention.time`) and Loki
    (`limits_config.retention_period` with the compactor's retention enabled).
    """
    return {
        "period": retention.period,
        "minimum": retention.minimum,
        "requiredBy": retention.required_by,
    }


def backend_values(model: EnvironmentModel) -> dict[str, object]:
    """Per backend: the name mapping, and for Prometheus and Loki their retention."""
    backends: dict[str, object] = {}
    for name in BACKENDS:
        backend: dict[str, object] = {"externalName": ""}
        if name in STORING_BACKENDS:
            component: StoringStackComponent = getattr(model.stack, name)
            backend["retention"] = retention_values(component.retention)
        backends[name] = backend
    return backends


def collector_values(model: EnvironmentModel) -> dict[str, object]:
    """The DaemonSet's image and resources; `env` only for secrets its config reads.

    A custom redaction pattern given by `secretRef` is read by the collector's config as
    `${env:OBSC_SECRET_<NAME>__<KEY>}`: the variable comes from the Kubernetes Secret, in
    the release namespace.
    """
    values: dict[str, object] = {
        "image": model.stack.collector.image,
        "resources": {
            "requests": {"cpu": "100m", "memory": "256Mi"},
            "limits": {"memory": "512Mi"},
        },
        "tolerations": [],
    }
    secrets = secret_patterns(model)
    if secrets:
        values["env"] = [_env_var(ref.variable, ref) for ref in secrets]
    return values


def chart_values(model: EnvironmentModel) -> dict[str, object]:
    """values.yaml as a document, in the order a reader meets the templates."""
    scraped = [t for t in map(scrape_target, model.services) if t is not None]
    return {
        "project": model.project,
        "environment": model.environment,
        "collector": collector_values(model),
        "backends": backend_values(model),
        "prometheusRules": {"enabled": True, "labels": {}},
        "podMonitors": {
            "enabled": True,
            "labels": {},
            "interval": SCRAPE_INTERVAL,
            "services": scraped,
        },
        "lokiRules": {"enabled": True, "labels": {"loki_rule": "1"}},
        "grafana": {
            "dashboards": {
                "enabled": True,
                "labels": {"grafana_dashboard": "1"},
                "folderAnnotation": "grafana_folder",
            },
            "datasources": {"enabled": True, "labels": {"grafana_datasource": "1"}},
        },
        "alertmanager": {"enabled": True, "secretRefs": secret_names(model)},
        "instrumentation": {
            "enabled": True,
            "languages": instrumentation_languages(model),
        },
    }
