"""A service's own alerts (`spec.alerts`): their names, checks, and the tests derived for them.

An own alert is named `<Service><Name>` in CamelCase, as the SLO alerts are
(`<Service><Slo>ErrorBudgetBurn`, targets/alerts/naming.py), so it must not take a name
those already use. Its expression is parsed with promql-parser (as OBSC313 parses SLI
queries). A promtool test is derived from the expression when that is sound: a comparison
without `bool` of one selector with only `=` matchers and a metric name against a finite
constant. Then a constant series on the true side must fire after `for` (and not before),
and one on the false side must never fire. Any other expression needs an example series
in the spec (`test.series`), because no general rule turns PromQL into inputs that make it
true.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler.errors import DiagnosticSink
from compiler.output.query_strings import string_literal
from compiler.spec.loader import Document, PathKey
from compiler.spec.models import FrameworkDocument, OwnAlert, ProjectDocument, ServiceDocument
from compiler.spec.paths import spec_path

if TYPE_CHECKING:
    from promql_parser import Expr, VectorSelector

#: Labels obsc sets on a service's alerts (`sloth_severity` on its burn-rate alerts); an own
#: alert's `labels` may not set them.
RESERVED_LABELS = frozenset(
    {
        "alertname",
        "service",
        "team",
        "severity",
        "slo",
        "sloth_id",
        "sloth_service",
        "sloth_slo",
        "sloth_severity",
    }
)
#: The ends of the alert names obsc gives a service's SLOs (after `<Service><Slo>`) and
#: the service itself (after `<Service>`): targets/alerts/naming.py and loki.py.
SLO_ALERT_SUFFIXES = ("ErrorBudgetBurn", "ErrorBudgetExhausted")
SERVICE_ALERT_SUFFIXES = ("MetricsAbsent", "LogErrorRate")

# op -> (a value that makes `selector op c` true, one that makes it false), as offsets from c
_SIDES = {">": (1, 0), ">=": (0, -1), "<": (-1, 0), "<=": (0, 1), "==": (0, 1), "!=": (1, 0)}
_FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}
_LARGEST_EXACT = 1e15  # beyond this, c + 1 is not a distinct, plainly written float


def camel(name: str) -> str:
    """`queue-depth` -> `QueueDepth` (as targets/alerts/naming.py names alerts)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def alert_label_name(key: str) -> str:
    """A `metadata.labels` key as an alert label name: `pci-scope` -> `pci_scope`."""
    name = re.sub(r"[^a-zA-Z0-9_]", "_", key)
    return "_" + name if name[:1].isdigit() else name


def alert_name(service: str, alert: str) -> str:
    """The rendered name of a service's own alert."""
    return camel(service) + camel(alert)


@dataclass(frozen=True, slots=True)
class DerivedTest:
    """Series for a comparison of one selector with a constant: true side and false side."""

    series: str
    labels: tuple[tuple[str, str], ...]
    firing_value: str
    quiet_value: str


def parse_expr(expr: str) -> Expr:
    """The parsed expression; ValueError with the parser's message when it is not PromQL."""
    import promql_parser  # lazy: native extension

    parsed = promql_parser.parse(expr)
    if isinstance(parsed, promql_parser.MatrixSelector | promql_parser.SubqueryExpr):
        raise ValueError("a range vector; an alert needs an instant vector (wrap it in a function)")
    if isinstance(parsed, promql_parser.StringLiteral):
        raise ValueError("a string; an alert needs an instant vector")
    return parsed


def derive_test(expr: str) -> DerivedTest | None:
    """The test series of `expr` when it is `selector OP constant` (or reversed), else None."""
    import promql_parser

    try:
        parsed = parse_expr(expr)
    except ValueError:
        return None
    if not isinstance(parsed, promql_parser.BinaryExpr) or parsed.modifier is not None:
        return None
    op = str(parsed.op)
    lhs, rhs = parsed.lhs, parsed.rhs
    if isinstance(lhs, promql_parser.NumberLiteral):
        lhs, rhs, op = rhs, lhs, _FLIPPED.get(op, op)
    if op not in _SIDES or not isinstance(rhs, promql_parser.NumberLiteral):
        return None
    if not isinstance(lhs, promql_parser.VectorSelector):
        return None
    constant = float(rhs.val)
    if not math.isfinite(constant) or abs(constant) >= _LARGEST_EXACT:
        return None
    selected = _selected_series(lhs)
    if selected is None:
        return None
    name, labels = selected
    true_offset, false_offset = _SIDES[op]
    inner = ",".join(f"{key}={string_literal(value)}" for key, value in labels)
    return DerivedTest(
        series=f"{name}{{{inner}}}" if inner else name,
        labels=labels,
        firing_value=repr(constant + true_offset),
        quiet_value=repr(constant + false_offset),
    )


def _selected_series(
    selector: VectorSelector,
) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The metric name and labels of the one series a selector of `=` matchers names."""
    import promql_parser

    if selector.offset is not None or selector.at is not None:
        return None
    if selector.matchers.or_matchers:
        return None
    name = selector.name
    labels: dict[str, str] = {}
    for matcher in selector.matchers.matchers:
        if matcher.op != promql_parser.MatchOp.Equal:
            return None
        if matcher.name == "__name__":
            name = matcher.value
        else:
            labels[matcher.name] = matcher.value
    if not name or any(value == "" for value in labels.values()):
        return None  # `label=""` selects series without the label
    return name, tuple(sorted(labels.items()))


def check_own_alerts(
    parsed: ServiceDocument, doc: Document, slo_names: Iterable[str], sink: DiagnosticSink
) -> None:
    """Expression, labels, name and testability of each own alert of a service."""
    taken = {camel(slo) + suffix for slo in slo_names for suffix in SLO_ALERT_SUFFIXES}
    taken |= set(SERVICE_ALERT_SUFFIXES)
    for index, alert in enumerate(parsed.spec.alerts):
        base: PathKey = ("spec", "alerts", index)
        _check_expr(alert, doc, base, sink)
        _check_labels(alert, doc, base, sink)
        if camel(alert.name) in taken:
            path = (*base, "name")
            sink.error(
                "OBSC324",
                f"alert {alert.name!r} would be named "
                f"{alert_name(parsed.metadata.name, alert.name)}, a name obsc gives one of "
                "the service's SLO or service alerts",
                doc.location(path),
                spec_path(doc, path),
                hint="rename the alert; SLO alerts end in ErrorBudgetBurn or "
                "ErrorBudgetExhausted, service alerts are MetricsAbsent and LogErrorRate",
            )


def check_framework_alerts(parsed: FrameworkDocument, doc: Document, sink: DiagnosticSink) -> None:
    """A framework's alerts (expression, labels, testability) and its panels' expressions."""
    for index, panel in enumerate(parsed.spec.panels):
        path: PathKey = ("spec", "panels", index, "expr")
        try:
            parse_expr(panel.expr)
        except ValueError as exc:
            sink.error(
                "OBSC338",
                f"panel {panel.title!r} of framework {parsed.metadata.name!r}: not a valid "
                f"PromQL instant query: {exc}",
                doc.location(path),
                spec_path(doc, path),
                hint='write PromQL selecting the service by service="${service}"',
            )
    for index, alert in enumerate(parsed.spec.alerts):
        base: PathKey = ("spec", "alerts", index)
        _check_expr(alert, doc, base, sink)
        _check_labels(alert, doc, base, sink)
        if alert.severity not in ("page", "ticket"):
            path = (*base, "severity")
            sink.error(
                "OBSC335",
                f"alert {alert.name!r} of framework {parsed.metadata.name!r} has severity "
                f"{alert.severity!r}; a framework's alerts say page or ticket",
                doc.location(path),
                spec_path(doc, path),
                hint="write page or ticket: each Project names the label values "
                "(alerting.severities)",
            )


def _check_expr(alert: OwnAlert, doc: Document, base: PathKey, sink: DiagnosticSink) -> None:
    path = (*base, "expr")
    try:
        parse_expr(alert.expr)
    except ValueError as exc:
        sink.error(
            "OBSC323",
            f"alert {alert.name!r}: not a valid alert expression: {exc}",
            doc.location(path),
            spec_path(doc, path),
            hint="write PromQL that yields an instant vector, e.g. "
            'queue_depth{service="orders"} > 10000',
        )
        return
    if alert.test is None and derive_test(alert.expr) is None:
        sink.error(
            "OBSC325",
            f"alert {alert.name!r}: obsc cannot derive a test from this expression (only "
            "from a comparison of one selector with `=` matchers against a constant)",
            doc.location(path),
            spec_path(doc, path),
            hint="add `test: {series: [{series: 'metric{label=\"v\"}', values: '0+10x40'}]}`: "
            "an example under which the expression is true from the first sample on",
        )


def _check_labels(alert: OwnAlert, doc: Document, base: PathKey, sink: DiagnosticSink) -> None:
    for key in alert.labels:
        if key in RESERVED_LABELS or key.startswith("__"):
            path = (*base, "labels", key)
            sink.error(
                "OBSC326",
                f"alert {alert.name!r} sets label {key!r}, which obsc sets on every alert of "
                "the service (routing relies on it)",
                doc.key_location(path),
                spec_path(doc, path),
                hint="remove it; obsc adds service, team and severity "
                f"({', '.join(sorted(RESERVED_LABELS))} are reserved)",
            )


def check_alert_links(project: ProjectDocument, doc: Document, sink: DiagnosticSink) -> None:
    """Propagated labels must not replace obsc's; dashboard links want Grafana's base URL."""
    alerting = project.spec.alerting
    seen: dict[str, str] = {}
    for index, key in enumerate(alerting.propagate_labels):
        name = alert_label_name(key)
        path: PathKey = ("spec", "alerting", "propagateLabels", index)
        clash = "obsc sets it on every alert" if name in RESERVED_LABELS else None
        if name in seen:
            clash = f"so does {seen[name]!r}"
        seen.setdefault(name, key)
        if clash is not None:
            sink.error(
                "OBSC327",
                f"propagated label {key!r} would be the alert label {name!r}: {clash}",
                doc.location(path),
                spec_path(doc, path),
                hint="propagate another label; service, team and severity are obsc's "
                f"({', '.join(sorted(RESERVED_LABELS))} are reserved)",
            )
    # Only alerts that reach a person need a link that opens: with no receiver, every alert
    # stays in Alertmanager's own UI (a fresh `obsc init` estate).
    renders_alerts = any("alerts" in env.targets for env in project.spec.environments)
    if renders_alerts and alerting.receivers and alerting.grafana_url is None:
        path = ("spec", "alerting")
        sink.warning(
            "OBSC332",
            "alerts link to their dashboard by a path "
            "(dashboard_url: /d/obsc-fw-<framework>?var-service=<service>) "
            "that a pager or chat message cannot open: the Project names no Grafana URL",
            doc.location(path),
            spec_path(doc, path),
            hint="set spec.alerting.grafanaUrl to Grafana's external base URL, e.g. "
            "https://grafana.example.com",
        )
