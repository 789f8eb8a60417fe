"""Checks that need the whole estate: uniqueness, and that every name refers to something.

Shape checks live in the models; these run after them, on valid documents only, so each
message can assume the fields it reads are well-formed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from compiler.errors import DiagnosticSink, Location
from compiler.frameworks import FrameworkEntry
from compiler.spec.dependencies import check_dependencies
from compiler.spec.loader import Document, PathKey
from compiler.spec.logs_sli import check_logs_sli
from compiler.spec.models import LogsSLI, RatioSLI, ServiceDocument, Severities
from compiler.spec.own_alerts import (
    check_alert_links,
    check_framework_alerts,
    check_own_alerts,
)
from compiler.spec.paths import spec_path
from compiler.spec.promql import WINDOW, ratio_query
from compiler.spec.secret_variables import check_secret_variables
from compiler.spec.validate import Parsed, SpecSet, did_you_mean

#: The team `obsc init --from-compose` writes when no label or project names one; a
#: warning (OBSC331) until a person puts the real team there.
PLACEHOLDER_TEAM = "team-to-be-named"


@dataclass(frozen=True, slots=True)
class Reference:
    """A name used somewhere in a document."""

    name: str
    document: Document
    path: PathKey
    at_key: bool = False

    def location(self) -> Location:
        """Where the name is written (the key itself when the name is a mapping key)."""
        if self.at_key:
            return self.document.key_location(self.path)
        return self.document.location(self.path)


def check_references(
    specs: SpecSet,
    frameworks: dict[str, FrameworkEntry],
    available_targets: Mapping[str, Sequence[str]],
    sink: DiagnosticSink,
) -> None:
    """Run every estate-wide check; findings go to `sink`."""
    _check_single_project(specs, sink)
    _check_unique_user_frameworks(specs, sink)
    _check_unique(
        "service",
        [
            Reference(p.model.metadata.name, p.document, ("metadata", "name"))
            for p in specs.services
        ],
        sink,
    )
    _check_unique(
        "snapshot",
        [
            Reference(p.model.metadata.name, p.document, ("metadata", "name"))
            for p in specs.snapshots
        ],
        sink,
    )
    check_dependencies(specs, sink)
    teams = {p.model.metadata.team for p in specs.services}
    for service in specs.services:
        _check_service(service, frameworks, sink)
        _check_reserved_name(service, teams, sink)
    _check_snapshots(specs, frameworks, sink)
    for entry in frameworks.values():
        check_framework_alerts(entry.parsed.model, entry.parsed.document, sink)
    check_secret_variables(specs, sink)
    if len(specs.projects) == 1:
        _check_project(specs, available_targets, _framework_alert_names(specs, frameworks), sink)


def _framework_alert_names(
    specs: SpecSet, frameworks: dict[str, FrameworkEntry]
) -> dict[str, list[str]]:
    """Per service, the alerts its framework gives it (framework from its spec or snapshot)."""
    snapshot_frameworks = {p.model.metadata.name: p.model.spec.framework for p in specs.snapshots}
    names: dict[str, list[str]] = {}
    for parsed in specs.services:
        service = parsed.model.metadata.name
        framework = parsed.model.spec.framework or snapshot_frameworks.get(service)
        entry = frameworks.get(framework) if framework is not None else None
        names[service] = [a.name for a in entry.parsed.model.spec.alerts] if entry else []
    return names


def _check_single_project(specs: SpecSet, sink: DiagnosticSink) -> None:
    if not specs.projects and "Project" not in specs.invalid_kinds:
        sink.error(
            "OBSC300",
            "no document of kind Project found",
            Location("specs"),
            hint="add specs/project.yaml with 'kind: Project' (environments, alerting, ...)",
        )
    first = specs.projects[0].document.location(()) if specs.projects else None
    for extra in specs.projects[1:]:
        sink.error(
            "OBSC301",
            f"a second Project document; the estate has exactly one (first at {first})",
            extra.document.location(()),
            "project",
            hint="merge the two Project documents into one",
        )


def _check_unique(what: str, references: list[Reference], sink: DiagnosticSink) -> None:
    seen: dict[str, Reference] = {}
    for ref in references:
        first = seen.get(ref.name)
        if first is None:
            seen[ref.name] = ref
            continue
        sink.error(
            "OBSC302",
            f"duplicate {what} name {ref.name!r} (first defined at "
            f"{first.document.location(first.path)})",
            ref.document.location(ref.path),
            spec_path(ref.document, ref.path),
            hint=f"{what} names must be unique; rename one of them",
        )


def _check_known(
    code: str,
    what: str,
    ref: Reference,
    known: Iterable[str],
    sink: DiagnosticSink,
    hint_if_none: str = "",
) -> None:
    names = sorted(known)
    if ref.name in names:
        return
    listed = ", ".join(names) if names else "none are defined"
    sink.error(
        code,
        f"unknown {what} {ref.name!r} (known: {listed})",
        ref.location(),
        spec_path(ref.document, ref.path),
        hint=did_you_mean(ref.name, names) or hint_if_none,
    )


def _check_unique_user_frameworks(specs: SpecSet, sink: DiagnosticSink) -> None:
    _check_unique(
        "framework",
        [
            Reference(p.model.metadata.name, p.document, ("metadata", "name"))
            for p in specs.frameworks
        ],
        sink,
    )


def _check_service(
    parsed: Parsed[ServiceDocument], frameworks: dict[str, FrameworkEntry], sink: DiagnosticSink
) -> None:
    spec = parsed.model.spec
    doc = parsed.document
    name = parsed.model.metadata.name
    if parsed.model.metadata.team == PLACEHOLDER_TEAM:
        sink.warning(
            "OBSC331",
            f"service {name!r} has no team yet: {PLACEHOLDER_TEAM} is the placeholder "
            "obsc init wrote; its alerts route to the default receiver",
            doc.location(("metadata", "team")),
            spec_path(doc, ("metadata", "team")),
            hint="set metadata.team to the team that owns the service (it labels its alerts "
            "and dashboards, and the Project's routes match on it)",
        )
    _check_unique(
        "SLO",
        [Reference(slo.name, doc, ("spec", "slos", i, "name")) for i, slo in enumerate(spec.slos)],
        sink,
    )
    _check_unique(
        "alert",
        [
            Reference(alert.name, doc, ("spec", "alerts", i, "name"))
            for i, alert in enumerate(spec.alerts)
        ],
        sink,
    )
    check_own_alerts(parsed.model, doc, [slo.name for slo in spec.slos], sink)
    if spec.framework is not None:
        ref = Reference(spec.framework, doc, ("spec", "framework"))
        _check_known("OBSC305", "framework", ref, frameworks, sink)
    for index, slo in enumerate(spec.slos):
        if isinstance(slo.sli, LogsSLI):
            check_logs_sli(slo.sli, name, doc, ("spec", "slos", index, "sli"), sink)
        if isinstance(slo.sli, RatioSLI):
            for field in ("good", "total"):
                _check_promql(
                    getattr(slo.sli, field), doc, ("spec", "slos", index, "sli", field), sink
                )
                _check_own_service(
                    getattr(slo.sli, field), name, doc, ("spec", "slos", index, "sli", field), sink
                )
                if WINDOW not in ratio_query(getattr(slo.sli, field)):
                    sink.error(
                        "OBSC311",
                        f"ratio SLI `{field}` has no {{{{window}}}} placeholder",
                        doc.location(("spec", "slos", index, "sli", field)),
                        spec_path(doc, ("spec", "slos", index, "sli", field)),
                        hint="write the range as [{{window}}], e.g. "
                        "sum(rate(x_total[{{window}}])); obsc fills in each alert window",
                    )


def _check_reserved_name(
    parsed: Parsed[ServiceDocument], teams: set[str], sink: DiagnosticSink
) -> None:
    """Dashboards of services and team overviews share a folder and a uid space."""
    name = parsed.model.metadata.name
    if name == "slo-overview" or (name.startswith("slo-") and name[4:] in teams):
        path: PathKey = ("metadata", "name")
        sink.error(
            "OBSC314",
            f"service name {name!r} is reserved: it would collide with a team's SLO overview "
            "dashboard (file slo-overview.json, uid obsc-slo-<team>)",
            parsed.document.location(path),
            spec_path(parsed.document, path),
            hint="rename the service",
        )


def _check_promql(query: str, doc: Document, path: PathKey, sink: DiagnosticSink) -> None:
    """User PromQL is parsed now, so a typo is a spec error and not a broken rule file."""
    import promql_parser  # lazy: native extension

    try:
        promql_parser.parse(query.replace("{{window}}", "5m"))
    except ValueError as exc:
        sink.error(
            "OBSC313",
            f"not valid PromQL: {exc}",
            doc.location(path),
            spec_path(doc, path),
            hint="check brackets, braces and quotes; write the range as [{{window}}]",
        )


def _check_own_service(
    query: str, service: str, doc: Document, path: PathKey, sink: DiagnosticSink
) -> None:
    """A ratio SLI that does not select `service="<name>"` measures other services too."""
    from compiler.spec.ratio_selector import CODE, own_selector_hint, selector_problems

    for problem in selector_problems(query, service):
        sink.warning(
            CODE,
            f"ratio SLI `{path[-1]}` does not measure service {service!r}: "
            f"{problem.selector} {problem.reason}",
            doc.location(path),
            spec_path(doc, path),
            hint=own_selector_hint(service),
        )


def _check_snapshots(
    specs: SpecSet, frameworks: dict[str, FrameworkEntry], sink: DiagnosticSink
) -> None:
    services = {p.model.metadata.name for p in specs.services}
    for snapshot in specs.snapshots:
        doc = snapshot.document
        if snapshot.model.metadata.name not in services:
            sink.warning(
                "OBSC308",
                f"snapshot for {snapshot.model.metadata.name!r}, which no Service declares; "
                "it is ignored",
                doc.location(("metadata", "name")),
                spec_path(doc, ("metadata", "name")),
                hint="add a Service spec with this name, or delete the snapshot",
            )
        if snapshot.model.spec.framework is not None:
            ref = Reference(snapshot.model.spec.framework, doc, ("spec", "framework"))
            _check_known("OBSC305", "framework", ref, frameworks, sink)


def _check_project(
    specs: SpecSet,
    available_targets: Mapping[str, Sequence[str]],
    framework_alerts: Mapping[str, list[str]],
    sink: DiagnosticSink,
) -> None:
    project = specs.projects[0]
    doc = project.document
    spec = project.model.spec
    env_names = [e.name for e in spec.environments]
    policy_names = [p.name for p in spec.redaction_policies]
    receiver_names = [r.name for r in spec.alerting.receivers]
    available = sorted(available_targets)

    _check_unique(
        "environment",
        [
            Reference(e.name, doc, ("spec", "environments", i, "name"))
            for i, e in enumerate(spec.environments)
        ],
        sink,
    )
    _check_unique(
        "redaction policy",
        [
            Reference(p.name, doc, ("spec", "redactionPolicies", i, "name"))
            for i, p in enumerate(spec.redaction_policies)
        ],
        sink,
    )
    for i, policy in enumerate(spec.redaction_policies):
        _check_unique(
            "custom pattern",
            [
                Reference(c.name, doc, ("spec", "redactionPolicies", i, "custom", j, "name"))
                for j, c in enumerate(policy.custom)
            ],
            sink,
        )
    _check_unique(
        "receiver",
        [
            Reference(r.name, doc, ("spec", "alerting", "receivers", i, "name"))
            for i, r in enumerate(spec.alerting.receivers)
        ],
        sink,
    )
    for i, env in enumerate(spec.environments):
        for j, target in enumerate(env.targets):
            if target not in available:
                path: PathKey = ("spec", "environments", i, "targets", j)
                sink.error(
                    "OBSC310",
                    f"target {target!r} is not available in this version of obsc "
                    f"(available: {', '.join(available)})",
                    doc.location(path),
                    spec_path(doc, path),
                    hint=did_you_mean(target, available)
                    or "remove it from the environment's targets until your obsc has it",
                )
                continue
            missing = [t for t in available_targets[target] if t not in env.targets]
            if missing:
                path = ("spec", "environments", i, "targets", j)
                sink.error(
                    "OBSC315",
                    f"target {target!r} packages what {', '.join(missing)} render"
                    f"{'s' if len(missing) == 1 else ''}, which environment "
                    f"{env.name!r} does not list",
                    doc.location(path),
                    spec_path(doc, path),
                    hint=f"add {', '.join(missing)} to the environment's targets",
                )
            if target == "gitops" and spec.gitops is None:
                path = ("spec", "environments", i, "targets", j)
                sink.error(
                    "OBSC318",
                    f"environment {env.name!r} renders gitops, but the Project has no "
                    "`gitops` section saying where Argo CD or Flux finds the output",
                    doc.location(path),
                    spec_path(doc, path),
                    hint="add spec.gitops: {engine: argocd|flux, repoURL: ..., revision: main, "
                    "namespace: observability}",
                )
        if env.redaction is not None:
            ref = Reference(env.redaction, doc, ("spec", "environments", i, "redaction"))
            _check_known("OBSC303", "redaction policy", ref, policy_names, sink)
    _check_unique(
        "time interval",
        [
            Reference(t.name, doc, ("spec", "alerting", "timeIntervals", i, "name"))
            for i, t in enumerate(spec.alerting.time_intervals)
        ],
        sink,
    )
    interval_names = [t.name for t in spec.alerting.time_intervals]
    for i, route in enumerate(spec.alerting.routes):
        ref = Reference(route.receiver, doc, ("spec", "alerting", "routes", i, "receiver"))
        _check_known("OBSC304", "receiver", ref, receiver_names, sink)
        for field, names in (
            ("muteTimeIntervals", route.mute_time_intervals),
            ("activeTimeIntervals", route.active_time_intervals),
        ):
            for j, name in enumerate(names):
                ref = Reference(name, doc, ("spec", "alerting", "routes", i, field, j))
                hint = "define it under the Project's alerting.timeIntervals"
                _check_known("OBSC333", "time interval", ref, interval_names, sink, hint)
    if spec.alerting.default_receiver is not None:
        ref = Reference(
            spec.alerting.default_receiver, doc, ("spec", "alerting", "defaultReceiver")
        )
        _check_known("OBSC304", "receiver", ref, receiver_names, sink)

    check_alert_links(project.model, doc, sink)

    for service in specs.services:
        inherited = framework_alerts.get(service.model.metadata.name, [])
        _check_service_references(service, env_names, policy_names, inherited, sink)
        _check_severities(service, spec.alerting.severities, sink)


def _check_severities(
    parsed: Parsed[ServiceDocument], severities: Severities, sink: DiagnosticSink
) -> None:
    """Own alerts and their overrides name `page`, `ticket` or one of the Project's severities."""
    known = ["page", "ticket", *severities.page, *severities.ticket]
    spec = parsed.model.spec
    named: list[tuple[str, PathKey]] = [
        (alert.severity, ("spec", "alerts", i, "severity")) for i, alert in enumerate(spec.alerts)
    ]
    for env_name, override in spec.environments.items():
        for alert, change in override.alerts.items():
            if change.severity is not None:
                where: PathKey = ("spec", "environments", env_name, "alerts", alert, "severity")
                named.append((change.severity, where))
    for severity, path in named:
        ref = Reference(severity, parsed.document, path)
        hint = "use page, ticket, or a name under the Project's alerting.severities"
        _check_known("OBSC335", "severity", ref, sorted(set(known)), sink, hint)


def _check_service_references(
    parsed: Parsed[ServiceDocument],
    env_names: list[str],
    policy_names: list[str],
    framework_alerts: list[str],
    sink: DiagnosticSink,
) -> None:
    doc = parsed.document
    spec = parsed.model.spec

    def check_policy(name: str, path: PathKey) -> None:
        ref = Reference(name, doc, path)
        hint = "define it under the Project's redactionPolicies"
        _check_known("OBSC303", "redaction policy", ref, policy_names, sink, hint)

    if spec.redaction is not None:
        check_policy(spec.redaction, ("spec", "redaction"))
    for env_name, override in spec.environments.items():
        ref = Reference(env_name, doc, ("spec", "environments", env_name), at_key=True)
        _check_known("OBSC306", "environment", ref, env_names, sink)
        if override.redaction is not None:
            check_policy(override.redaction, ("spec", "environments", env_name, "redaction"))
        alert_names = [*framework_alerts, *(alert.name for alert in spec.alerts)]
        for alert in override.alerts:
            path: PathKey = ("spec", "environments", env_name, "alerts", alert)
            ref = Reference(alert, doc, path, at_key=True)
            hint = "name an alert of the service's spec.alerts or of its framework"
            _check_known("OBSC334", "alert", ref, alert_names, sink, hint)
