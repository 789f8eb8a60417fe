"""The resolved model as policies see it: one JSON document per environment.

The shape is versioned (`schemaVersion`) and documented by schemas/model.schema.json
(generated from these classes) and schemas/model.cue (the CUE definitions policy authors
unify with). Services are keyed by name so a violation's path names the service; SLOs
are a list so rules can ask "is there an SLO such that ..." with `list.MatchN`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from compiler.model import (
    DEFAULT_SEVERITIES,
    EnvironmentModel,
    RedactionPolicy,
    ResolvedService,
    Severities,
    Stack,
    StackComponent,
    StoringStackComponent,
)

EXPORT_SCHEMA_VERSION = 1
PAGING_RECEIVER_TYPES = ("pagerduty", "opsgenie")


class ExportNode(BaseModel):
    """Base of the export shape: closed, immutable."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ExportSLI(ExportNode):
    """The indicator of an SLO."""

    kind: str
    threshold: str | None
    thresholdSeconds: float | None


class ExportSLO(ExportNode):
    """An SLO: objective in percent, window as written and in days."""

    name: str
    objective: float
    window: str
    windowDays: float
    sli: ExportSLI


class ExportRedaction(ExportNode):
    """The redaction a service's signals go through (empty when it has no policy)."""

    policy: str | None
    patterns: list[str]
    custom: list[str]
    dropAttributes: list[str]


class ExportMetrics(ExportNode):
    """How the service's metrics are scraped."""

    enabled: bool
    path: str
    port: int
    histogramBuckets: list[float]


class ExportReceiver(ExportNode):
    """Where an alert of the service ends up, following the route tree."""

    name: str | None
    type: str | None
    paging: bool


class ExportAlert(ExportNode):
    """An own alert of the service (`spec.alerts`).

    `runbook` is the alert's own, null when it only has the service's.
    """

    name: str
    severity: str
    runbook: str | None


class ExportService(ExportNode):
    """One service in one environment."""

    name: str
    team: str
    tier: int
    labels: dict[str, str]
    framework: str
    category: str
    language: str
    port: int
    sampling: float
    runbook: str | None
    logsFormat: str
    metrics: ExportMetrics
    redaction: ExportRedaction
    slos: list[ExportSLO]
    alerts: list[ExportAlert]
    pageReceiver: ExportReceiver
    ticketReceiver: ExportReceiver
    waivers: dict[str, str]


class ExportRetention(ExportNode):
    """How long a backend keeps data; the minimum is null when nothing needs one."""

    period: str
    periodDays: float
    minimum: str | None
    minimumDays: float | None


class ExportComponent(ExportNode):
    """A backend of the rendered stack at its pinned version."""

    version: str
    image: str


class ExportStoringComponent(ExportComponent):
    """Prometheus or Loki: also their retention."""

    retention: ExportRetention


class ExportStack(ExportNode):
    """The backends of the environment's stack."""

    collector: ExportComponent
    prometheus: ExportStoringComponent
    alertmanager: ExportComponent
    loki: ExportStoringComponent
    tempo: ExportComponent
    grafana: ExportComponent


class ExportModel(ExportNode):
    """Everything a policy may check about one environment."""

    schemaVersion: int
    project: str
    environment: str
    services: dict[str, ExportService]
    stack: ExportStack


def _receiver(
    default: str | None,
    routes: list[tuple[tuple[tuple[str, str], ...], str]],
    types: dict[str, str],
    labels: dict[str, str],
) -> dict[str, Any]:
    """The receiver Alertmanager would pick for an alert with `labels` (first match wins)."""
    name = default
    for match, receiver in routes:
        if all(labels.get(key) == value for key, value in match):
            name = receiver
            break
    kind = types.get(name) if name is not None else None
    return {"name": name, "type": kind, "paging": kind in PAGING_RECEIVER_TYPES}


def _service(
    service: ResolvedService,
    policies: dict[str, RedactionPolicy],
    route: Callable[[dict[str, str]], dict[str, Any]],
    severities: Severities = DEFAULT_SEVERITIES,
) -> dict[str, Any]:
    """One ExportService as JSON data: the fields in the class's order, values as it coerces.

    Its page and ticket receivers are where the routes send the Project's first severity
    name of each (`alerting.severities`).
    """
    policy = policies.get(service.redaction) if service.redaction else None
    metrics = service.metrics
    page, ticket = severities.label("page"), severities.label("ticket")
    return {
        "name": service.name,
        "team": service.team,
        "tier": int(service.tier),
        "labels": dict(service.labels),
        "framework": service.framework,
        "category": service.category,
        "language": service.language,
        "port": int(service.port),
        "sampling": float(service.sampling),
        "runbook": service.runbook,
        "logsFormat": service.logs_format,
        "metrics": {
            "enabled": bool(metrics.enabled),
            "path": metrics.path,
            "port": int(metrics.port),
            "histogramBuckets": [float(b) for b in metrics.histogram_buckets],
        },
        "redaction": {
            "policy": service.redaction,
            "patterns": list(policy.patterns) if policy else [],
            "custom": [c.name for c in policy.custom] if policy else [],
            "dropAttributes": list(policy.drop_attributes) if policy else [],
        },
        "slos": [
            {
                "name": slo.name,
                "objective": float(slo.objective),
                "window": slo.window,
                "windowDays": slo.window_seconds / 86400,
                "sli": {
                    "kind": slo.sli.kind,
                    "threshold": slo.sli.threshold,
                    "thresholdSeconds": None
                    if slo.sli.threshold_seconds is None
                    else float(slo.sli.threshold_seconds),
                },
            }
            for slo in service.slos
        ],
        "alerts": [
            {
                "name": alert.name,
                "severity": alert.severity,
                "runbook": None if alert.runbook_from_service else alert.runbook,
            }
            for alert in service.alerts
            if not alert.from_framework  # the service's own (spec.alerts), as policies read them
        ],
        "pageReceiver": route({"service": service.name, "team": service.team, "severity": page}),
        "ticketReceiver": route(
            {"service": service.name, "team": service.team, "severity": ticket}
        ),
        "waivers": dict(service.waivers),
    }


def _stack(stack: Stack) -> ExportStack:
    def component(c: StackComponent) -> ExportComponent:
        return ExportComponent(version=c.version, image=c.image)

    def storing(c: StoringStackComponent) -> ExportStoringComponent:
        retention = c.retention
        minimum = retention.minimum_seconds
        return ExportStoringComponent(
            version=c.version,
            image=c.image,
            retention=ExportRetention(
                period=retention.period,
                periodDays=retention.period_seconds / 86400,
                minimum=retention.minimum,
                minimumDays=minimum / 86400 if minimum is not None else None,
            ),
        )

    return ExportStack(
        collector=component(stack.collector),
        prometheus=storing(stack.prometheus),
        alertmanager=component(stack.alertmanager),
        loki=storing(stack.loki),
        tempo=component(stack.tempo),
        grafana=component(stack.grafana),
    )


def export_environment(model: EnvironmentModel) -> dict[str, Any]:
    """The JSON document `cue vet` checks for one environment.

    Exactly `ExportModel(...).model_dump(mode="json")` (a test holds them equal), built as
    plain data: validating one pydantic model per service cost seconds at 10,000 services.
    """
    policies = {p.name: p for p in model.redaction_policies}
    routes = [(tuple(r.match), r.receiver) for r in model.alerting.routes]
    types = {r.name: r.type for r in model.alerting.receivers}
    default = model.alerting.default_receiver

    used = sorted({key for match, _ in routes for key, _ in match})
    picked: dict[tuple[str | None, ...], dict[str, Any]] = {}

    def route(labels: dict[str, str]) -> dict[str, Any]:
        # the pick depends only on the labels routes match on: most services share one
        key = tuple(labels.get(k) for k in used)
        if key not in picked:
            picked[key] = _receiver(default, routes, types, labels)
        return picked[key]

    header = ExportModel.model_construct(
        schemaVersion=EXPORT_SCHEMA_VERSION,
        project=model.project,
        environment=model.environment,
        services={},
        stack=_stack(model.stack),
    ).model_dump(mode="json")
    severities = model.alerting.severities
    header["services"] = {s.name: _service(s, policies, route, severities) for s in model.services}
    return header


def export_json_schema() -> dict[str, Any]:
    """The JSON Schema of the export (committed as schemas/model.schema.json)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://obsc.dev/schemas/model.schema.json",
        "title": "obsc resolved model of one environment, as policies see it",
        "description": f"export schemaVersion {EXPORT_SCHEMA_VERSION}; CUE: schemas/model.cue",
        **ExportModel.model_json_schema(mode="serialization"),
    }
