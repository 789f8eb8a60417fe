"""A service's own alerts as the model carries them: named, labelled, and with their test.

They are its framework's alerts (`Framework.spec.alerts`, e.g. a database's "down" and
"connections near the limit", with `${service}` standing for the service's name) followed
by the service's own `spec.alerts`; an own alert of the same name replaces the framework's.
The spec checks (compiler/spec/own_alerts.py) have run: every expression parses, and an
alert without an example series has an expression a test can be derived from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from compiler.model import HealthPanel, InputSeries, OwnAlert, OwnAlertTest, Severities
from compiler.spec.models import FrameworkPanel, OwnAlertOverride, ServiceDocument
from compiler.spec.models import OwnAlert as OwnAlertSpec
from compiler.spec.own_alerts import alert_label_name, alert_name, derive_test
from compiler.spec.types import duration_seconds
from compiler.spec.validate import Parsed

#: What a framework's alert writes where the service's name goes.
SERVICE_PLACEHOLDER = "${service}"

#: Minutes of input beyond `for`: the test looks one evaluation after `for` has elapsed.
_EXTRA_STEPS = 10


def own_alerts(
    parsed: Parsed[ServiceDocument],
    runbook: str | None,
    environment: str,
    framework_alerts: Sequence[OwnAlertSpec] = (),
    renames: Mapping[str, str] | None = None,
    severities: Severities | None = None,
) -> tuple[OwnAlert, ...]:
    """The service's framework and own alerts in `environment`, its overrides applied.

    `runbook` (the service's, resolved) is their default; `renames` maps a metric name the
    framework's alerts use to the name it arrives under on the environment's path;
    `severities` are the Project's (compiler/spec/crossref.py reported a name it lacks).
    """
    names = severities or Severities()
    service = parsed.model.metadata.name
    override = parsed.model.spec.environments.get(environment)
    changes = override.alerts if override is not None else {}
    own = {alert.name for alert in parsed.model.spec.alerts}
    inherited = [
        for_service(alert, service, renames or {})
        for alert in framework_alerts
        if alert.name not in own
    ]
    return tuple(
        OwnAlert(
            name=alert_name(service, alert.name),
            expr=alert.expr.strip(),
            for_=alert.for_,
            for_seconds=duration_seconds(alert.for_) if alert.for_ else 0.0,
            severity=names.behaviour(alert.severity) or "page",
            severity_label=_label(alert.severity, names),
            labels=tuple(sorted(alert.labels.items())),
            summary=alert.summary,
            description=alert.description,
            runbook=alert.runbook or runbook,
            runbook_from_service=alert.runbook is None,
            from_framework=alert.name not in own,
            test=_test(alert),
        )
        for alert in (
            _overridden(a, changes.get(a.name)) for a in (*inherited, *parsed.model.spec.alerts)
        )
        if alert is not None
    )


def _label(severity: str, names: Severities) -> str | None:
    """The alert's `severity` label when it is not its behaviour's first name, else None."""
    behaviour = names.behaviour(severity)
    if behaviour is None or severity == behaviour or severity == names.label(behaviour):
        return None
    return severity


def for_service(alert: OwnAlertSpec, service: str, renames: Mapping[str, str]) -> OwnAlertSpec:
    """A framework's alert with `${service}` and the renamed metrics filled in.

    `${service}` becomes the service's name, and each metric name in `renames` the name it
    arrives under. The service's name is a DNS label: no escaping inside a PromQL string.
    """

    def fill(text: str) -> str:
        return renamed(text.replace(SERVICE_PLACEHOLDER, service), renames)

    update: dict[str, object] = {"expr": fill(alert.expr)}
    if alert.test is not None:
        series = [s.model_copy(update={"series": fill(s.series)}) for s in alert.test.series]
        update["test"] = alert.test.model_copy(update={"series": series})
    return alert.model_copy(update=update)


def _overridden(alert: OwnAlertSpec, change: OwnAlertOverride | None) -> OwnAlertSpec | None:
    """The alert with an environment's override applied; None when it is switched off."""
    if change is None:
        return alert
    if change.enabled is False:
        return None
    updates: dict[str, object] = {}
    if change.for_ is not None:
        updates["for_"] = change.for_
    if change.severity is not None:
        updates["severity"] = change.severity
    return alert.model_copy(update=updates)


def _test(alert: OwnAlertSpec) -> OwnAlertTest:
    if alert.test is not None:
        return OwnAlertTest(
            derived=False,
            firing=tuple(InputSeries(series=s.series, values=s.values) for s in alert.test.series),
            quiet=(),
            labels=tuple(sorted(alert.test.labels.items())),
        )
    derived = derive_test(alert.expr)
    if derived is None:  # OBSC325 was reported; nothing to test against
        return OwnAlertTest(derived=True, firing=(), quiet=(), labels=())
    steps = int((duration_seconds(alert.for_) if alert.for_ else 0) // 60) + _EXTRA_STEPS
    return OwnAlertTest(
        derived=True,
        firing=(InputSeries(series=derived.series, values=f"{derived.firing_value}x{steps}"),),
        quiet=(InputSeries(series=derived.series, values=f"{derived.quiet_value}x{steps}"),),
        labels=derived.labels,
    )


def propagated_labels(
    keys: list[str], parsed: Parsed[ServiceDocument]
) -> tuple[tuple[str, str], ...]:
    """The service's `metadata.labels` of `keys`, under their Prometheus label names."""
    labels = parsed.model.metadata.labels
    return tuple(sorted((alert_label_name(key), labels[key]) for key in keys if key in labels))


def renamed(expr: str, renames: Mapping[str, str]) -> str:
    """`expr` with each metric name of `renames` (a whole name, not a part) replaced."""
    for old, new in renames.items():
        expr = re.sub(rf"(?<![A-Za-z0-9_:]){re.escape(old)}(?![A-Za-z0-9_:])", new, expr)
    return expr


def health_panels(
    panels: Sequence[FrameworkPanel], renames: Mapping[str, str]
) -> tuple[HealthPanel, ...]:
    """A framework's dashboard graphs with metric names as they arrive on the path.

    `${service}` stays: it is Grafana's syntax for the dashboard's service variable.
    """
    return tuple(
        HealthPanel(
            title=panel.title,
            description=panel.description,
            expr=renamed(panel.expr.strip(), renames),
            legend=panel.legend,
            unit=panel.unit,
            threshold=panel.threshold,
        )
        for panel in panels
    )
