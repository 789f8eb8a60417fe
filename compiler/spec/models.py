"""The user-facing shapes of spec documents (apiVersion obsc.dev/v1).

These classes mirror what people write in YAML: camelCase keys, optional fields that the
resolve stage fills in. They are strict (unknown keys are errors) and never reach a
renderer: targets read the resolved model in `compiler.model` instead.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from compiler.spec.time_intervals import (
    DaysOfMonth,
    Months,
    TimeOfDay,
    TimeZone,
    Weekdays,
    Years,
    minutes,
)
from compiler.spec.types import (
    DnsLabel,
    Duration,
    Fraction,
    GroupBy,
    Identifier,
    ImageRef,
    LabelMatchers,
    Percent,
    Port,
    Regex,
    RunbookUrl,
    UrlPath,
)

API_VERSION = "obsc.dev/v1"

# A target's name. Which names exist is the registry's to say (compiler.render.registry,
# targets.TARGETS): crossref checks them (OBSC310), and the JSON Schema lists them.
TargetName = Annotated[str, Field(min_length=1, json_schema_extra={"x-obsc-targets": True})]
RedactionPatternName = Literal[
    "email",
    "credit_card",
    "ssn",
    "phone",
    "ipv4",
    "ipv6",
    "jwt",
    "bearer_token",
    "iban",
    "aws_access_key",
]
Language = Literal["python", "javascript", "java", "ruby", "php", "go", "dotnet", "rust", "other"]
LogFormat = Literal["json", "logfmt", "text"]
ReceiverType = Literal["pagerduty", "slack", "email", "webhook", "opsgenie", "msteams"]


class SpecModel(BaseModel):
    """Base of every spec shape: strict, immutable, camelCase keys, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        defer_build=True,
    )


class SecretRef(SpecModel):
    """A reference to a secret kept outside the repository (a Kubernetes Secret, a file)."""

    name: DnsLabel
    key: Annotated[str, Field(min_length=1, pattern=r"^[-._a-zA-Z0-9]+$")]


# --- Project -----------------------------------------------------------------------------


class ProjectMetadata(SpecModel):
    """Identity of the estate."""

    name: DnsLabel
    labels: dict[str, str] = Field(default_factory=dict)


EnvVarName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
FilePath = Annotated[str, Field(min_length=1, pattern=r"^[^\s]+$")]
EndpointUrl = Annotated[
    str,
    Field(
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="Base URL, e.g. http://prometheus:9090 (no query string).",
    ),
]


class EndpointAuth(SpecModel):
    """How `obsc verify` authenticates to an endpoint: by reference, never the secret itself.

    A bearer token comes from an environment variable or a file; basic auth takes a user
    name (not a secret) or a variable holding it, and the password from a variable or file.
    """

    bearer_token_env: EnvVarName | None = None
    bearer_token_file: FilePath | None = None
    basic_auth_user: Annotated[str, Field(min_length=1)] | None = None
    basic_auth_user_env: EnvVarName | None = None
    basic_auth_password_env: EnvVarName | None = None
    basic_auth_password_file: FilePath | None = None

    @model_validator(mode="after")
    def _one_scheme(self) -> EndpointAuth:
        bearer = sum(v is not None for v in (self.bearer_token_env, self.bearer_token_file))
        user = sum(v is not None for v in (self.basic_auth_user, self.basic_auth_user_env))
        password = sum(
            v is not None for v in (self.basic_auth_password_env, self.basic_auth_password_file)
        )
        if (bearer, user, password) in ((1, 0, 0), (0, 1, 1)):
            return self
        raise PydanticCustomError(
            "endpoint_auth",
            "auth needs exactly one of bearerTokenEnv or bearerTokenFile, or basic auth: "
            "one of basicAuthUser or basicAuthUserEnv plus one of basicAuthPasswordEnv or "
            "basicAuthPasswordFile",
            {},
        )


class Endpoint(SpecModel):
    """A running backend's URL, with how to authenticate to it."""

    url: EndpointUrl
    auth: EndpointAuth | None = None


def _endpoint_form(value: object) -> str:
    return "url" if isinstance(value, str) else "endpoint"


# A plain URL, or a mapping with `url` and `auth`; the discriminator keeps a defect in one
# form from being reported against the other as well.
EndpointRef = Annotated[
    Annotated[EndpointUrl, Tag("url")] | Annotated[Endpoint, Tag("endpoint")],
    Discriminator(_endpoint_form),
]


class Endpoints(SpecModel):
    """Where the environment's stack answers, for `obsc verify` (flags win over these)."""

    prometheus: EndpointRef | None = None
    alertmanager: EndpointRef | None = None
    loki: EndpointRef | None = None
    tempo: EndpointRef | None = None
    grafana: EndpointRef | None = None
    collector: EndpointRef | None = Field(
        default=None, description="The collector's OTLP/HTTP base URL (for `--probe`)."
    )
    collector_metrics: EndpointRef | None = Field(
        default=None, description="The collector's own metrics (port 8888), if reachable."
    )


class Environment(SpecModel):
    """A deployment environment and the targets rendered for it."""

    name: DnsLabel
    targets: Annotated[list[TargetName], Field(min_length=1)]
    sampling: Fraction | None = None
    redaction: DnsLabel | None = Field(
        default=None, description="Redaction policy for services that name none."
    )
    endpoints: Endpoints | None = Field(
        default=None, description="Where `obsc verify` finds the running stack."
    )
    manifests: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="The user's Kubernetes manifests of this environment (files or "
        "directories of *.yaml, relative to the repository root): `obsc validate` checks that "
        "their OpenTelemetry Operator annotations name Instrumentations this environment "
        "renders, and that the `instrumentation` component finds every workload it patches.",
    )


VersionPin = Annotated[str, Field(min_length=1, pattern=r"^v?[0-9][-.+0-9A-Za-z]*$")]


class StackComponent(SpecModel):
    """A pinned version (and optionally image) of one backend of the rendered stack.

    The version must lie in the range obsc supports for the component
    (`compiler/resolve/stack_versions.py`); without one, obsc's own pin is used.
    """

    version: VersionPin | None = None
    image: ImageRef | None = None


class StoringStackComponent(StackComponent):
    """A backend that stores signals (Prometheus, Loki): also how long it keeps them."""

    retention: Duration | None = Field(
        default=None,
        description="How long the backend keeps data. Prometheus: at least the longest SLO "
        "window of every environment plus 2d (the default); Loki: at least 24h, default 30d.",
    )


class Stack(SpecModel):
    """Versions of the backends the rendered stack runs; unset ones use obsc's pins."""

    collector: StackComponent | None = None
    prometheus: StoringStackComponent | None = None
    alertmanager: StackComponent | None = None
    loki: StoringStackComponent | None = None
    tempo: StackComponent | None = None
    grafana: StackComponent | None = None


class CustomPattern(SpecModel):
    """A user-defined redaction pattern: an RE2 regex, or a secret to redact literally.

    `secretRef` redacts a known secret (a leaked key) without writing it down: the collector
    reads it from its environment (`${env:OBSC_SECRET_<NAME>__<KEY>}`) when it loads its
    config, and matches it literally (`\\Q...\\E`). The value must not contain `"`, `\\`
    or `\\E`.
    """

    name: Identifier
    regex: Regex | None = None
    secret_ref: SecretRef | None = Field(
        default=None, description="A secret whose value is redacted literally, instead of regex."
    )

    @model_validator(mode="after")
    def _regex_or_secret(self) -> CustomPattern:
        if (self.regex is None) == (self.secret_ref is None):
            raise PydanticCustomError(
                "custom_pattern",
                "a custom pattern needs exactly one of `regex` (RE2) or `secretRef` "
                "(a secret to redact literally)",
                {},
            )
        return self


class RedactionPolicy(SpecModel):
    """What to scrub from logs, spans and metrics of the services that use the policy."""

    name: DnsLabel
    patterns: list[RedactionPatternName] = Field(default_factory=list)
    custom: list[CustomPattern] = Field(default_factory=list)
    drop_attributes: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    replacement: Annotated[str, Field(min_length=1, max_length=64)] = "[REDACTED]"


class Receiver(SpecModel):
    """An Alertmanager receiver; credentials only ever through `secretRef`."""

    name: DnsLabel
    type: ReceiverType
    channel: str | None = None
    to: str | None = None
    secret_ref: SecretRef | None = None

    @model_validator(mode="after")
    def _fields_for_type(self) -> Receiver:
        if self.type != "email" and self.secret_ref is None:
            raise PydanticCustomError(
                "receiver_secret",
                "a {type} receiver needs secretRef (name and key) naming where its "
                "credential is kept",
                {"type": self.type},
            )
        if self.type == "email" and not self.to:
            raise PydanticCustomError(
                "receiver_field", "an email receiver needs `to`: the address to send to", {}
            )
        if self.type == "slack" and not self.channel:
            raise PydanticCustomError(
                "receiver_field", "a slack receiver needs `channel`, e.g. '#team-alerts'", {}
            )
        return self


class TimeRange(SpecModel):
    """A time of day range, `startTime` before `endTime` (`HH:MM`, up to 24:00)."""

    start_time: TimeOfDay
    end_time: TimeOfDay

    @model_validator(mode="after")
    def _start_before_end(self) -> TimeRange:
        if minutes(self.start_time) >= minutes(self.end_time):
            raise PydanticCustomError(
                "time_interval",
                "startTime {start} must be before endTime {end} (a range over midnight is "
                "two ranges: the evening and the morning)",
                {"start": self.start_time, "end": self.end_time},
            )
        return self


class TimeIntervalSpec(SpecModel):
    """One of Alertmanager's time intervals: the times that match every field given."""

    times: list[TimeRange] | None = None
    weekdays: list[Weekdays] | None = None
    days_of_month: list[DaysOfMonth] | None = None
    months: list[Months] | None = None
    years: list[Years] | None = None
    location: TimeZone | None = Field(
        default=None, description="IANA time zone of the times, e.g. Europe/Berlin (UTC)."
    )


class NamedTimeInterval(SpecModel):
    """A named set of time intervals (Alertmanager's format) that routes refer to."""

    name: DnsLabel
    time_intervals: Annotated[list[TimeIntervalSpec], Field(min_length=1)]


class Route(SpecModel):
    """A route of the Alertmanager tree: alerts whose labels match go to `receiver`."""

    match: dict[str, str] = Field(default_factory=dict)
    receiver: DnsLabel
    continue_: bool = Field(default=False, alias="continue")
    group_by: GroupBy | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    mute_time_intervals: list[DnsLabel] = Field(
        default_factory=list,
        description="Names of `alerting.timeIntervals` during which this route sends nothing.",
    )
    active_time_intervals: list[DnsLabel] = Field(
        default_factory=list,
        description="Names of `alerting.timeIntervals` outside which this route sends nothing.",
    )


class EmailSettings(SpecModel):
    """The SMTP relay that email receivers send through; its password only via `secretRef`."""

    smarthost: Annotated[
        str,
        Field(
            pattern=r"^(\[[0-9A-Fa-f:.]+\]|[-._A-Za-z0-9]+):[0-9]{1,5}$",
            description="host:port of the SMTP relay, e.g. smtp.example.com:587.",
        ),
    ]
    from_: Annotated[
        str,
        Field(
            alias="from",
            pattern=r"^([^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$",
            description="Sender address, e.g. alertmanager@example.com.",
        ),
    ]
    username: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="SMTP user name; needed for the password to be used."
    )
    secret_ref: SecretRef | None = Field(
        default=None, description="Where the SMTP password is kept."
    )

    @model_validator(mode="after")
    def _password_needs_user(self) -> EmailSettings:
        if self.secret_ref is not None and self.username is None:
            raise PydanticCustomError(
                "email_field",
                "an SMTP password (secretRef) needs `username`: without one, Alertmanager "
                "sends without authenticating",
                {},
            )
        return self


SeverityName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")]


class Severities(SpecModel):
    """The Project's names for the two ways an alert reaches people.

    Every name is a value of the `severity` label. The first of each list is what obsc's own
    alerts carry (SLO burn rates, metrics absent, collector health, a framework's alerts);
    a Service's own alert may name any of them, or `page`/`ticket` for the first.
    """

    page: Annotated[list[SeverityName], Field(min_length=1)] = Field(
        default_factory=lambda: ["page"],
        description="Severities that page someone now, e.g. [critical] or [P1, P2]. A page "
        "silences the tickets of the same service and SLO.",
    )
    ticket: Annotated[list[SeverityName], Field(min_length=1)] = Field(
        default_factory=lambda: ["ticket"],
        description="Severities that open a ticket for working hours, e.g. [warning] or [P3, P4].",
    )

    @model_validator(mode="after")
    def _disjoint(self) -> Severities:
        both = sorted(set(self.page) & set(self.ticket))
        if both:
            raise PydanticCustomError(
                "severities_overlap",
                "severity {names} is listed under both page and ticket; each severity "
                "behaves one way",
                {"names": ", ".join(both)},
            )
        return self


class Alerting(SpecModel):
    """Receivers and the route tree; the first route that matches wins unless `continue`."""

    receivers: list[Receiver] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    default_receiver: DnsLabel | None = None
    email: EmailSettings | None = Field(
        default=None, description="SMTP settings; required when there is an email receiver."
    )
    stack_team: DnsLabel | None = Field(
        default=None,
        description="The team that owns the observability stack itself: the collector-health "
        "alerts carry `team: <stackTeam>`, so the routes send them like that team's own alerts. "
        "Without it they carry no team label and go to the default receiver.",
    )
    time_intervals: list[NamedTimeInterval] = Field(
        default_factory=list,
        description="Named time intervals (Alertmanager's format) for routes' "
        "muteTimeIntervals and activeTimeIntervals: maintenance windows, working hours.",
    )
    propagate_labels: list[Annotated[str, Field(min_length=1, max_length=63)]] = Field(
        default_factory=list,
        description="Keys of a Service's `metadata.labels` that every alert of the service "
        "carries (SLO, own, metrics-absent and log alerts); a character a Prometheus label "
        "name cannot hold becomes `_` (pci-scope -> pci_scope).",
    )
    grafana_url: EndpointUrl | None = Field(
        default=None,
        description="Grafana's external base URL, e.g. https://grafana.example.com: alerts' "
        "dashboard_url is absolute with it, a path a pager cannot open without it.",
    )
    severities: Severities = Field(
        default_factory=Severities,
        description="The `severity` label values the Project's routes use (many "
        "organisations use critical/warning, or P1-P4), each mapped onto page or ticket "
        "behaviour; default page and ticket.",
    )

    @model_validator(mode="after")
    def _email_needs_smtp(self) -> Alerting:
        if self.email is None and any(r.type == "email" for r in self.receivers):
            raise PydanticCustomError(
                "alerting_email",
                "an email receiver needs `email` (smarthost and from) under alerting: "
                "the SMTP relay it sends through",
                {},
            )
        return self


class GitOps(SpecModel):
    """Where the GitOps engine finds the rendered output."""

    engine: Literal["argocd", "flux"]
    repo_url: Annotated[str, Field(alias="repoURL", min_length=1)]
    revision: Annotated[str, Field(min_length=1)] = "main"
    namespace: DnsLabel = "observability"


StackComponentName = Literal["collector", "prometheus", "alertmanager", "loki", "tempo", "grafana"]


class Compose(SpecModel):
    """The user's Docker Compose project that the `compose` target's overlay joins."""

    file: Annotated[str, Field(min_length=1)] | None = Field(
        default=None,
        description="The user's compose file, relative to the repository root; the overlay "
        "injects the OpenTelemetry environment into its services only.",
    )
    network: Annotated[str, Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")] | None = Field(
        default=None,
        description="An external network the stack joins (besides the project's default).",
    )
    ports: dict[StackComponentName, Port] = Field(
        default_factory=dict,
        description="Host ports to publish per stack component (default: Grafana on 3000); "
        "a port the user's compose file publishes is moved to the next free one.",
    )


class ProjectSpec(SpecModel):
    """Estate-wide settings: environments, stack versions, redaction, alerting, GitOps."""

    environments: Annotated[list[Environment], Field(min_length=1)]
    stack: Stack = Field(default_factory=Stack)
    redaction_policies: list[RedactionPolicy] = Field(default_factory=list)
    alerting: Alerting = Field(default_factory=Alerting)
    gitops: GitOps | None = None
    compose: Compose | None = None


class ProjectDocument(SpecModel):
    """`kind: Project`: exactly one per estate."""

    api_version: Literal["obsc.dev/v1"]
    kind: Literal["Project"]
    metadata: ProjectMetadata
    spec: ProjectSpec


# --- Service -----------------------------------------------------------------------------


class ServiceMetadata(SpecModel):
    """Identity and ownership of a service."""

    name: DnsLabel
    team: DnsLabel
    tier: Annotated[int, Field(ge=1, le=3)] = 2
    labels: dict[str, str] = Field(default_factory=dict)


class MetricsSpec(SpecModel):
    """How the service exposes Prometheus metrics; unset fields come from the framework."""

    enabled: bool | None = None
    path: UrlPath | None = None
    port: Port | None = None
    histogram_buckets: (
        Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=1)] | None
    ) = None


class LogsSpec(SpecModel):
    """How the service writes logs to stdout."""

    format: LogFormat | None = None


class AvailabilitySLI(SpecModel):
    """Share of requests that did not fail, from the framework's request metrics."""

    kind: Literal["availability"]


class LatencySLI(SpecModel):
    """Share of requests faster than `threshold`, from the framework's duration histogram."""

    kind: Literal["latency"]
    threshold: Duration | None = None


class RatioSLI(SpecModel):
    """Share of good events from user PromQL; `{{window}}` stands for the rate window."""

    kind: Literal["ratio"]
    good: Annotated[str, Field(min_length=1)]
    total: Annotated[str, Field(min_length=1)]


class LogsSLI(SpecModel):
    """Share of good log lines, from LogQL log queries; Loki's ruler counts them each minute.

    `total` selects every line the SLI is about; `good` the good ones among them, or `bad`
    the bad ones (give one of the two). Each is a LogQL *log* query, e.g.
    `{service_name="checkout"} |= "payment" | json | status >= 500`.
    """

    kind: Literal["logs"]
    total: Annotated[str, Field(min_length=1)]
    good: Annotated[str, Field(min_length=1)] | None = None
    bad: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _good_or_bad(self) -> LogsSLI:
        if (self.good is None) == (self.bad is None):
            raise PydanticCustomError(
                "logs_sli_events",
                "a logs SLI counts either `good` or `bad` lines among `total`: give one of them",
                {},
            )
        return self


SLI = Annotated[AvailabilitySLI | LatencySLI | RatioSLI | LogsSLI, Field(discriminator="kind")]


class AlertTier(SpecModel):
    """One tier of the burn-rate alerts (page or ticket)."""

    enabled: bool = True
    for_: Duration | None = Field(default=None, alias="for")


class SLOAlerting(SpecModel):
    """Opt-in knobs for an SLO's alerts; the defaults follow the Google SRE workbook."""

    page: AlertTier = Field(default_factory=AlertTier)
    ticket: AlertTier = Field(default_factory=AlertTier)
    min_requests_per_second: Annotated[float, Field(gt=0)] | None = Field(
        default=None,
        description="Page and ticket only while the service has at least this much traffic.",
    )
    budget_exhausted: bool = Field(
        default=False, description="Also alert (ticket) when the window's error budget is spent."
    )
    interval: Duration | None = Field(
        default=None, description="Evaluation interval of this SLO's rule groups."
    )


class SLOSpec(SpecModel):
    """A service level objective over a rolling window."""

    name: DnsLabel
    objective: Percent | None = None
    window: Duration | None = None
    description: str | None = None
    sli: SLI
    alerting: SLOAlerting = Field(default_factory=SLOAlerting)


AlertLabelName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$")]


class ExampleSeries(SpecModel):
    """One input series of a promtool test, in promtool's notation."""

    series: Annotated[str, Field(min_length=1)] = Field(
        description='A series with its labels, e.g. queue_depth{service="orders", queue="in"}.'
    )
    values: Annotated[str, Field(min_length=1)] = Field(
        description="Samples one minute apart in promtool's expanding notation, e.g. 0+100x40."
    )


class OwnAlertExample(SpecModel):
    """An example under which the alert's expression is true from the first sample on.

    Needed when obsc cannot derive one from the expression (anything but a comparison of
    one selector with a constant). The generated promtool test feeds `series` and expects
    the alert pending just before `for` has elapsed and firing just after.
    """

    series: Annotated[list[ExampleSeries], Field(min_length=1)]
    labels: dict[AlertLabelName, str] = Field(
        default_factory=dict,
        description="Labels the expression's result carries (the alert has them besides "
        "obsc's and `labels`); none for an aggregation without `by`.",
    )


class OwnAlert(SpecModel):
    """An alert of the service's own, beside its SLO alerts.

    It is named `<Service><Name>` in CamelCase (as the SLO alerts), carries the service's
    `service`, `team` and `severity` labels, and gets a generated promtool test.
    """

    name: DnsLabel
    expr: Annotated[str, Field(min_length=1)] = Field(description="PromQL, e.g. queue_depth > 1e4.")
    for_: Duration | None = Field(default=None, alias="for")
    severity: SeverityName = Field(
        description="page or ticket, or one of the Project's `alerting.severities`."
    )
    labels: dict[AlertLabelName, str] = Field(default_factory=dict)
    summary: Annotated[str, Field(min_length=1)]
    description: str | None = None
    runbook: RunbookUrl | None = Field(
        default=None, description="Defaults to the service's runbook."
    )
    test: OwnAlertExample | None = None


class OwnAlertOverride(SpecModel):
    """An own alert as one environment has it: switched off, or with another `for`/severity."""

    enabled: bool | None = None
    for_: Duration | None = Field(default=None, alias="for")
    severity: SeverityName | None = None


class ServiceOverride(SpecModel):
    """Per-environment overrides of a service; they win over everything else."""

    enabled: bool | None = None
    port: Port | None = None
    metrics: MetricsSpec | None = None
    logs: LogsSpec | None = None
    redaction: DnsLabel | None = None
    sampling: Fraction | None = None
    runbook: RunbookUrl | None = None
    alerts: dict[DnsLabel, OwnAlertOverride] = Field(
        default_factory=dict,
        description="Own alerts (`spec.alerts`, by name) as this environment has them.",
    )


class Waiver(SpecModel):
    """An exception to one policy rule for this service, with the reason reviewers read."""

    rule: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    reason: Annotated[str, Field(min_length=10, max_length=500)]


WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]


class KubernetesWorkload(SpecModel):
    """The Kubernetes workload a service runs as: what the `instrumentation` target patches."""

    kind: WorkloadKind = "Deployment"
    name: DnsLabel
    namespace: DnsLabel = "default"
    container: DnsLabel | None = Field(
        default=None,
        description="The application's container in the pod template (default: the service "
        "name, docs/contracts.md); the Operator injects into it alone.",
    )
    executable: Annotated[str, Field(pattern=r"^/[^\s]*$")] | None = Field(
        default=None,
        description="Go only: the absolute path of the program in the container, which the "
        "Operator's eBPF agent attaches to (`otel-go-auto-target-exe`).",
    )


class ServiceInstrumentation(SpecModel):
    """How the service's process gets its OpenTelemetry agent."""

    inject: bool = Field(
        default=False,
        description="compose: copy the agent (Java, Node.js, Python) from the OpenTelemetry "
        "Operator's auto-instrumentation image into a shared volume and load it at start "
        "(JAVA_TOOL_OPTIONS, NODE_OPTIONS, PYTHONPATH); off: the agent is in the image.",
    )
    platform: Literal["glibc", "musl"] | None = Field(
        default=None,
        description="Python only: the C library of the service's image, which picks the "
        "build of the Python agent (its packages have native parts): `musl` for Alpine-based "
        "images, `glibc` for the others. Default: `musl` when the snapshot's image is "
        "Alpine-based, else `glibc` (the Operator's `otel-python-platform` annotation).",
    )


class ServiceSpec(SpecModel):
    """What a service is and what it promises."""

    framework: DnsLabel | None = None
    language: Language | None = None
    port: Port | None = None
    metrics: MetricsSpec | None = None
    logs: LogsSpec | None = None
    redaction: DnsLabel | None = None
    sampling: Fraction | None = None
    runbook: RunbookUrl | None = None
    slos: list[SLOSpec] = Field(default_factory=list)
    alerts: list[OwnAlert] = Field(
        default_factory=list, description="The service's own alerts, beside its SLO alerts."
    )
    depends_on: list[DnsLabel] = Field(
        default_factory=list,
        description="Services this one needs: while a page alert of one of them fires, the "
        "page alerts of this service's SLOs are inhibited (the dependency's page is the "
        "cause to fix). A cycle is an error.",
    )
    environments: dict[str, ServiceOverride] = Field(default_factory=dict)
    waivers: list[Waiver] = Field(default_factory=list)
    kubernetes: KubernetesWorkload | None = Field(
        default=None,
        description="The workload the service runs as on Kubernetes: the `instrumentation` "
        "target annotates it for the OpenTelemetry Operator (wins over a snapshot's).",
    )
    instrumentation: ServiceInstrumentation = Field(default_factory=ServiceInstrumentation)


class ServiceDocument(SpecModel):
    """`kind: Service`."""

    api_version: Literal["obsc.dev/v1"]
    kind: Literal["Service"]
    metadata: ServiceMetadata
    spec: ServiceSpec


# --- Framework ---------------------------------------------------------------------------


class NamedMetadata(SpecModel):
    """Metadata of documents identified by name alone."""

    name: DnsLabel


class RequestMetrics(SpecModel):
    """The request counter and the label selector that marks server errors."""

    metric: Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    error_selector: LabelMatchers = Field(
        description='Label matchers of the failed requests, e.g. status=~"5..".'
    )


class DurationMetrics(SpecModel):
    """The request-duration histogram (base name, without `_bucket`) and its buckets."""

    metric: Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    unit: Literal["seconds", "milliseconds"] = "seconds"
    buckets: Annotated[list[Annotated[float, Field(gt=0)]], Field(min_length=1)]


class ExporterAssumption(SpecModel):
    """The exporter release and set-up the metric names and labels were checked against.

    `obsc detect --source` warns when a project declares `package` at a lower version.
    """

    package: Annotated[str, Field(min_length=1)] = Field(
        description="The exporter package as the dependency manifest names it."
    )
    version: Annotated[str, Field(pattern=r"^v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$")] = Field(
        description="The lowest release that behaves as described (the one obsc was proven "
        "against, or the first with the described metrics)."
    )
    setup: str | None = Field(
        default=None, description="How the exporter must be set up for the metrics to be right."
    )


class FrameworkMetrics(SpecModel):
    """Where a framework's metrics come from and what they are called.

    `source`: `exporter` (Prometheus scrapes the service), `otel` (the service pushes OTLP
    metrics) or `spans` (its instrumentation records spans only, and the collector derives
    the request metrics from the server spans).
    """

    source: Literal["exporter", "otel", "spans"]
    exporter: str | None = None
    path: UrlPath | None = None
    port: Port | None = None
    requests: RequestMetrics | None = None
    duration: DurationMetrics | None = None
    traffic_selector: LabelMatchers | None = Field(
        default=None,
        description="Label matchers every request and duration series must match, e.g. "
        'handler!="/metrics": leaves the scrape of the metrics endpoint out of the SLIs '
        "where the exporter labels the path or handler.",
    )
    assumes: ExporterAssumption | None = None


class Signature(SpecModel):
    """One piece of evidence `obsc detect` looks for, and how much it counts."""

    type: Literal["dependency", "env", "image", "port", "command", "file", "header", "label"]
    match: Annotated[str, Field(min_length=1)]
    weight: Annotated[float, Field(gt=0, le=1)]


class EnvFromSecret(SpecModel):
    """An environment variable whose value is a secret (OTLP headers carrying an API key).

    The compose target reads it from the user's environment (`${OBSC_SECRET_<NAME>__<KEY>}`),
    the Helm target from the Kubernetes Secret (`valueFrom.secretKeyRef`): never the value.
    """

    secret_ref: SecretRef


def _env_form(value: object) -> str:
    return "value" if isinstance(value, str) else "secret"


EnvValue = Annotated[
    Annotated[str, Tag("value")] | Annotated[EnvFromSecret, Tag("secret")],
    Discriminator(_env_form),
]


class Instrumentation(SpecModel):
    """How to switch on OpenTelemetry for the framework without code changes.

    A variable that carries a credential takes `{secretRef: {name, key}}` instead of a value.
    """

    env: dict[EnvVarName, EnvValue] = Field(default_factory=dict)
    env_by_language: dict[Language, dict[EnvVarName, EnvValue]] = Field(
        default_factory=dict,
        description="Variables for services of one language only (the framework `generic` "
        "serves every language); they override `env`.",
    )
    requires: list[str] = Field(default_factory=list)
    notes: str | None = None


class FrameworkDefaults(SpecModel):
    """Defaults a service of this framework gets unless something later overrides them."""

    objective: Percent | None = None
    latency_threshold: Duration | None = None
    sampling: Fraction | None = None
    logs_format: LogFormat | None = None


class ExporterSpec(SpecModel):
    """For infrastructure: the Prometheus exporter that sits beside it."""

    name: str
    image: ImageRef
    port: Port
    path: UrlPath = "/metrics"
    args: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list,
        description="Command-line arguments the exporter runs with (compose `command`, "
        "Kubernetes container `args`), e.g. collectors that are off by default.",
    )
    counters: list[Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]] = Field(
        default_factory=list,
        description="Counters the framework's `alerts` use, by the exporter's names. On "
        "compose the collector renames a counter on its way to Prometheus (docs/contracts.md, "
        "'Metric names'); obsc writes these names as they arrive.",
    )


class FrameworkPanel(SpecModel):
    """A graph on the dashboard of a framework's services: a signal its alerts watch."""

    title: Annotated[str, Field(min_length=1)]
    description: Annotated[str, Field(min_length=1)]
    expr: Annotated[str, Field(min_length=1)] = Field(
        description="PromQL; `${service}` is the dashboard's service variable (Grafana's "
        "syntax too). One series per legend entry."
    )
    legend: str = Field(default="", description="Grafana legend format, e.g. {{datname}}.")
    unit: Annotated[str, Field(min_length=1)] = Field(
        default="short", description="Grafana unit id: short, percentunit, s, bytes, ..."
    )
    threshold: float | None = Field(
        default=None, description="Drawn as a red line: the value an alert fires at."
    )


class FrameworkSpec(SpecModel):
    """One entry of the framework database."""

    display_name: str
    category: Literal["application", "infrastructure"] = "application"
    language: Language
    default_port: Port
    metrics: FrameworkMetrics
    instrumentation: Instrumentation = Field(default_factory=Instrumentation)
    detection: list[Signature] = Field(default_factory=list)
    defaults: FrameworkDefaults = Field(default_factory=FrameworkDefaults)
    exporter: ExporterSpec | None = None
    alerts: list[OwnAlert] = Field(
        default_factory=list,
        description="Alerts every service of this framework gets beside its SLO alerts, as "
        "a Service's `spec.alerts`; `${service}` in `expr` and in test series stands for the "
        "service's name. A Service's own alert of the same name replaces one; an "
        "environment override switches one off or changes its `for`/severity.",
    )
    panels: list[FrameworkPanel] = Field(
        default_factory=list,
        description="Graphs of what the framework's alerts watch, on its services' dashboard "
        "(infrastructure: connections against the limit, replication lag, ...).",
    )


class FrameworkDocument(SpecModel):
    """`kind: Framework`: an entry of the framework database, built in or user-supplied."""

    api_version: Literal["obsc.dev/v1"]
    kind: Literal["Framework"]
    metadata: NamedMetadata
    spec: FrameworkSpec


# --- Snapshot ----------------------------------------------------------------------------


class SnapshotSpec(SpecModel):
    """What `obsc detect` found about a service; a Service spec always wins over it."""

    framework: DnsLabel | None = None
    language: Language | None = None
    version: str | None = None
    image: str | None = None
    ports: list[Port] = Field(default_factory=list)
    confidence: Fraction
    evidence: list[str] = Field(default_factory=list)
    source: str | None = None
    kubernetes: KubernetesWorkload | None = Field(
        default=None, description="The workload a Kubernetes manifest showed the service as."
    )


class SnapshotDocument(SpecModel):
    """`kind: Snapshot`, written by `obsc detect --write` under snapshots/."""

    api_version: Literal["obsc.dev/v1"]
    kind: Literal["Snapshot"]
    metadata: NamedMetadata
    spec: SnapshotSpec


AnyDocument = Annotated[
    ProjectDocument | ServiceDocument | FrameworkDocument | SnapshotDocument,
    Field(discriminator="kind"),
]

DOCUMENT_MODELS: dict[str, type[SpecModel]] = {
    "Project": ProjectDocument,
    "Service": ServiceDocument,
    "Framework": FrameworkDocument,
    "Snapshot": SnapshotDocument,
}
