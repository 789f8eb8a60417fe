"""The resolved, immutable model of one environment: the only thing targets read.

Everything here is fully resolved (no optional values waiting for a default), in a stable
order (services by name), and serialisable to JSON in a documented, versioned shape.
Provenance (which spec line produced which value) travels beside it, not inside it, so
the exported model does not change when a spec file is merely reformatted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from compiler.errors import Location

MODEL_SCHEMA_VERSION = 1


class ModelNode(BaseModel):
    """Base of the resolved model: immutable, strict, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ResolvedMetrics(ModelNode):
    """How Prometheus reaches the service's metrics and what they are called."""

    enabled: bool
    source: Literal["exporter", "otel", "spans"]
    exporter: str | None
    path: str
    port: int
    histogram_buckets: tuple[float, ...]
    request_metric: str | None
    error_selector: str | None
    duration_metric: str | None
    duration_unit: Literal["seconds", "milliseconds"]


#: What Loki's ruler records for a logs SLI, once a minute, labelled service, slo and
#: events (total, good or bad): targets/alerts/loki.py writes it, compiler/resolve/sli.py reads it.
LOG_EVENTS = "slo:log_events:count1m"


class LogQueries(ModelNode):
    """A logs SLI's LogQL log queries: the lines of `total`, and the good or bad among them.

    Loki's ruler counts each every minute into `slo:log_events:count1m`
    (targets/alerts/loki.py); `bad` and `total` of the SLI are PromQL over those counts.
    """

    total: str
    events: str
    counts: Literal["good", "bad"]


class ResolvedSLI(ModelNode):
    """The indicator of an SLO with everything a rule generator needs.

    `bad` and `total` are PromQL with a `{{window}}` placeholder for the range, already
    built from the framework's metrics (availability, latency) or the user's queries
    (ratio, where bad is total minus good). Every series of a service carries the label
    `service="<name>"` (the scrape and collector configs guarantee it).
    """

    kind: Literal["availability", "latency", "ratio", "logs"]
    bad: str
    total: str
    threshold: str | None = None
    threshold_seconds: float | None = None
    good: str | None = None
    log_queries: LogQueries | None = None


class TierAlerting(ModelNode):
    """One tier of burn-rate alerts."""

    enabled: bool
    for_: str | None
    for_seconds: float | None


class SLOAlerting(ModelNode):
    """How an SLO alerts."""

    page: TierAlerting
    ticket: TierAlerting
    min_requests_per_second: float | None
    budget_exhausted: bool
    interval: str | None


class ResolvedSLO(ModelNode):
    """An SLO with its objective (percent) and window resolved."""

    name: str
    objective: float
    window: str
    window_seconds: float
    description: str | None
    sli: ResolvedSLI
    alerting: SLOAlerting


class SecretRef(ModelNode):
    """A reference to a secret; the value never enters the model."""

    name: str
    key: str

    @property
    def variable(self) -> str:
        """The environment variable a process gets the value in: `OBSC_SECRET_<NAME>__<KEY>`.

        Upper case, every character other than a letter or digit as `_`, name and key
        joined by `__` (a secret name is a DNS label, so it has no `_` of its own).
        """

        def part(text: str) -> str:
            return re.sub(r"[^A-Z0-9]", "_", text.upper())

        return f"OBSC_SECRET_{part(self.name)}__{part(self.key)}"


class Instrumentation(ModelNode):
    """Language-specific switches for zero-code OpenTelemetry instrumentation.

    A variable's value is a string, or a `SecretRef` for one that carries a credential:
    targets render it from the secret, never a value.
    """

    env: tuple[tuple[str, str | SecretRef], ...]
    requires: tuple[str, ...]


class Exporter(ModelNode):
    """For infrastructure services: the Prometheus exporter to run beside them."""

    name: str
    image: str
    port: int
    path: str
    args: tuple[str, ...] = ()


class InputSeries(ModelNode):
    """One input series of a promtool test (promtool's notation)."""

    series: str
    values: str


class OwnAlertTest(ModelNode):
    """How an own alert is tested: series under which it fires, and (derived) ones it must not.

    `derived` tests come from the expression (a comparison of one selector with a constant);
    otherwise `firing` is the spec's example and `quiet` is empty. `labels` are those the
    expression's result carries (the alert's labels besides the rule's own).
    """

    derived: bool
    firing: tuple[InputSeries, ...]
    quiet: tuple[InputSeries, ...]
    labels: tuple[tuple[str, str], ...]


class OwnAlert(ModelNode):
    """An alert of the service's own; `name` is the rendered alert name (`<Service><Name>`).

    `severity` is how it reaches people; `severity_label` the value of its `severity` label
    when the spec names one of the Project's severities, None for the behaviour's first.
    `runbook` is the alert's own, else the service's (`runbook_from_service`);
    `from_framework` when the service's framework gives it (`Framework.spec.alerts`).
    """

    name: str
    expr: str
    for_: str | None
    for_seconds: float
    severity: Literal["page", "ticket"]
    severity_label: str | None = None
    labels: tuple[tuple[str, str], ...]
    summary: str
    description: str | None
    runbook: str | None
    runbook_from_service: bool = False
    from_framework: bool = False
    test: OwnAlertTest


# The OpenTelemetry Operator's language keys (`Instrumentation.spec.<key>`, annotation
# `instrumentation.opentelemetry.io/inject-<key>`), by the language obsc resolves for a
# service; languages missing here (php, ruby, rust, other) have no Operator agent.
OPERATOR_LANGUAGES = {
    "java": "java",
    "javascript": "nodejs",
    "python": "python",
    "dotnet": "dotnet",
    "go": "go",
}
# Languages whose agent ships as files (a jar, a Node.js or Python package), which the
# compose target can copy from the Operator's image into a volume (`inject_agent`).
FILE_AGENT_LANGUAGES = ("java", "javascript", "python")
# The helm target's release (the gitops target installs it under this name): its
# Instrumentations are `<release>-<operator language>` in the release namespace.
STACK_RELEASE = "obs-stack"


class Workload(ModelNode):
    """The Kubernetes workload a service runs as, and how the Operator instruments it.

    `annotation` is the pod template's `instrumentation.opentelemetry.io/inject-<language>`
    and `instrumentation` its value, the rendered Instrumentation as `<namespace>/<name>`
    (None for a language the Operator cannot instrument, or infrastructure).
    """

    kind: str
    name: str
    namespace: str
    container: str
    executable: str | None
    annotation: str | None
    instrumentation: str | None


class HealthPanel(ModelNode):
    """A graph of a signal a framework's alerts watch (`Framework.spec.panels`).

    `expr` keeps `${service}`, which Grafana reads as the dashboard's service variable; its
    metric names are those of the environment's path (counters renamed on compose).
    """

    title: str
    description: str
    expr: str
    legend: str
    unit: str
    threshold: float | None


class ResolvedService(ModelNode):
    """A service as it runs in one environment.

    `alert_labels` are the `metadata.labels` the Project propagates to every alert of the
    service (`alerting.propagateLabels`), under their Prometheus label names.
    """

    name: str
    team: str
    tier: int
    labels: tuple[tuple[str, str], ...]
    framework: str
    category: Literal["application", "infrastructure"]
    language: str
    port: int
    metrics: ResolvedMetrics
    logs_format: Literal["json", "logfmt", "text"]
    redaction: str | None
    sampling: float
    runbook: str | None
    instrumentation: Instrumentation
    exporter: Exporter | None
    slos: tuple[ResolvedSLO, ...]
    alerts: tuple[OwnAlert, ...] = ()
    health_panels: tuple[HealthPanel, ...] = ()
    alert_labels: tuple[tuple[str, str], ...] = ()
    depends_on: tuple[str, ...] = ()
    waivers: tuple[tuple[str, str], ...] = ()
    workload: Workload | None = None
    inject_agent: bool = False
    # The C library of the service's image: which build of the Python agent it loads.
    agent_platform: Literal["glibc", "musl"] = "glibc"

    @property
    def needs_musl_agent(self) -> bool:
        """A Python service on a musl image: it loads the musl build of the Python agent."""
        return self.language == "python" and self.agent_platform == "musl"


class CustomPattern(ModelNode):
    """A user-defined redaction pattern."""

    name: str
    regex: str


class SecretPattern(ModelNode):
    """A custom redaction pattern given by reference: a secret whose value is redacted.

    The collector reads the value from its environment (`SecretRef.variable`) as it loads
    its config and matches it literally; the value never enters the model.
    """

    name: str
    secret_ref: SecretRef


class RedactionPolicy(ModelNode):
    """A resolved redaction policy."""

    name: str
    patterns: tuple[str, ...]
    custom: tuple[CustomPattern, ...]
    secret_patterns: tuple[SecretPattern, ...] = ()
    drop_attributes: tuple[str, ...]
    replacement: str


class Receiver(ModelNode):
    """An Alertmanager receiver."""

    name: str
    type: str
    channel: str | None
    to: str | None
    secret_ref: SecretRef | None


class TimeIntervalModel(ModelNode):
    """One of Alertmanager's time intervals, fields as the spec gives them (empty: any)."""

    times: tuple[tuple[str, str], ...]
    weekdays: tuple[str, ...]
    days_of_month: tuple[str, ...]
    months: tuple[str, ...]
    years: tuple[str, ...]
    location: str | None


class NamedTimeInterval(ModelNode):
    """A named set of time intervals that routes mute or activate on."""

    name: str
    time_intervals: tuple[TimeIntervalModel, ...]


class Route(ModelNode):
    """A route of the Alertmanager tree."""

    match: tuple[tuple[str, str], ...]
    receiver: str
    continue_: bool
    group_by: tuple[str, ...] | None
    group_wait: str | None
    group_interval: str | None
    repeat_interval: str | None
    mute_time_intervals: tuple[str, ...] = ()
    active_time_intervals: tuple[str, ...] = ()


class EmailSettings(ModelNode):
    """The SMTP relay of email receivers; the password is a secret reference."""

    smarthost: str
    from_: str
    username: str | None
    secret_ref: SecretRef | None


class Severities(ModelNode):
    """The `severity` label values that page and that ticket; the first of each is obsc's."""

    page: tuple[str, ...] = ("page",)
    ticket: tuple[str, ...] = ("ticket",)

    def label(self, behaviour: str) -> str:
        """The value obsc's own alerts of this behaviour carry."""
        return self.page[0] if behaviour == "page" else self.ticket[0]

    def behaviour(self, name: str) -> Literal["page", "ticket"] | None:
        """How an alert of severity `name` reaches people (`page`/`ticket` name the first)."""
        if name in self.page:
            return "page"
        if name in self.ticket:
            return "ticket"
        if name == "page":
            return "page"
        if name == "ticket":
            return "ticket"
        return None


#: page and ticket as themselves: a Project without `alerting.severities`.
DEFAULT_SEVERITIES = Severities()


class Alerting(ModelNode):
    """Receivers, routes and the SMTP settings when there is an email receiver.

    `stack_team` owns the stack itself: the `team` label of the collector-health alerts.
    """

    receivers: tuple[Receiver, ...]
    routes: tuple[Route, ...]
    default_receiver: str | None
    email: EmailSettings | None = None
    stack_team: str | None = None
    grafana_url: str | None = None
    time_intervals: tuple[NamedTimeInterval, ...] = ()
    severities: Severities = Severities()


class StackComponent(ModelNode):
    """A backend of the rendered stack at a pinned version."""

    version: str
    image: str


class Retention(ModelNode):
    """How long a storing backend keeps data, and the least it may keep.

    Durations are single-unit strings that Prometheus and Loki both parse (`32d`, `36h`).
    `minimum` is None when nothing needs a minimum (Prometheus without SLOs);
    `required_by` says what sets it, e.g. "the 30d window of SLO checkout/availability".
    """

    period: str
    period_seconds: int
    minimum: str | None
    minimum_seconds: int | None
    required_by: str | None


class StoringStackComponent(StackComponent):
    """A backend that stores signals (Prometheus, Loki), with its retention."""

    retention: Retention


class Stack(ModelNode):
    """Every backend of the rendered stack (of one environment: retention follows its SLOs)."""

    collector: StackComponent
    prometheus: StoringStackComponent
    alertmanager: StackComponent
    loki: StoringStackComponent
    tempo: StackComponent
    grafana: StackComponent


class GitOps(ModelNode):
    """Where the GitOps engine finds the rendered output."""

    engine: Literal["argocd", "flux"]
    repo_url: str
    revision: str
    namespace: str


class ComposeModel(ModelNode):
    """The user's compose project that the `compose` target's overlay is merged with.

    `root` is the repository root as seen from the compose project directory (the
    directory of the user's compose file, against which compose resolves relative paths):
    `.` or `..`-steps such as `../..`. `services` is None when no compose file is named
    (the overlay then addresses the model's application services).
    """

    file: str | None
    root: str
    services: tuple[str, ...] | None
    published_ports: tuple[int, ...]
    network: str | None
    ports: tuple[tuple[str, int], ...]


class EnvironmentModel(ModelNode):
    """The whole estate as resolved for one environment."""

    schema_version: int = MODEL_SCHEMA_VERSION
    project: str
    project_labels: tuple[tuple[str, str], ...]
    environment: str
    targets: tuple[str, ...]
    services: tuple[ResolvedService, ...]
    redaction_policies: tuple[RedactionPolicy, ...]
    alerting: Alerting
    stack: Stack
    gitops: GitOps | None
    compose: ComposeModel | None = None

    def service(self, name: str) -> ResolvedService | None:
        """The service called `name`, if it runs in this environment."""
        for service in self.services:
            if service.name == name:
                return service
        return None


@dataclass(frozen=True, slots=True)
class Contribution:
    """One layer's say on a value: what it set, who it is, and where it wrote it."""

    value: object
    layer: str
    origin: str
    location: Location


@dataclass(frozen=True, slots=True)
class Provenance:
    """For one service in one environment: spec path -> the contributions, last one wins."""

    service: str
    environment: str
    chains: dict[str, tuple[Contribution, ...]]


@dataclass(frozen=True, slots=True)
class ResolvedEstate:
    """Every environment's model, plus the provenance that `obsc explain` reports."""

    environments: dict[str, EnvironmentModel]
    provenance: Mapping[tuple[str, str], Provenance]  # compiler.resolve.LazyProvenance
    input_digest: str
