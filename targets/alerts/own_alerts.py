"""A service's own alerts (`spec.alerts`): one rule group, and the promtool tests proving them.

Each alert carries the service's `service`, `team` and `severity` labels, so the Project's
routes send it as they send the SLO alerts. Its labels and annotations are user text, written
as Go templates that expand to that text (go_template.literal).

Each alert gets two test cases, evaluated one minute apart: under its firing series it
must be pending (no alert) one minute before `for` has elapsed and firing one minute
after; under its quiet series (derived tests only) it must raise nothing at that time.
"""

from __future__ import annotations

import math
from typing import Any

from compiler.model import (
    DEFAULT_SEVERITIES,
    InputSeries,
    OwnAlert,
    ResolvedService,
    Severities,
)
from compiler.output.links import service_dashboard_url
from targets.alerts.go_template import literal

Rule = dict[str, Any]
QUIET = "stays quiet while the expression is false"


def group_name(service: ResolvedService) -> str:
    """The rule group of a service's own alerts."""
    return f"obsc-alerts-{service.name}"


def _labels(service: ResolvedService, alert: OwnAlert, severities: Severities) -> dict[str, str]:
    severity = alert.severity_label or severities.label(alert.severity)
    own = {"service": service.name, "team": service.team, "severity": severity}
    return dict(sorted({**dict(service.alert_labels), **dict(alert.labels), **own}.items()))


def _annotations(
    service: ResolvedService, alert: OwnAlert, grafana_url: str | None
) -> dict[str, str]:
    notes = {
        "summary": alert.summary,
        "dashboard_url": service_dashboard_url(service.name, service.framework, grafana_url),
    }
    if alert.description:
        notes["description"] = alert.description
    if alert.runbook:
        notes["runbook_url"] = alert.runbook
    return dict(sorted(notes.items()))


def own_rule(
    service: ResolvedService,
    alert: OwnAlert,
    grafana_url: str | None,
    severities: Severities = DEFAULT_SEVERITIES,
) -> Rule:
    """The alerting rule as the rule file holds it (labels and annotations as templates)."""
    rule: Rule = {"alert": alert.name, "expr": alert.expr}
    if alert.for_:
        rule["for"] = alert.for_
    rule["labels"] = {k: literal(v) for k, v in _labels(service, alert, severities).items()}
    rule["annotations"] = {
        k: literal(v) for k, v in _annotations(service, alert, grafana_url).items()
    }
    return rule


def own_alert_groups(
    service: ResolvedService,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
) -> list[dict[str, Any]]:
    """The service's own-alert group, or none when it has no own alerts."""
    if not service.alerts:
        return []
    rules = [own_rule(service, alert, grafana_url, severities) for alert in service.alerts]
    return [{"name": group_name(service), "rules": rules}]


def _for_minutes(alert: OwnAlert) -> int:
    return math.ceil(alert.for_seconds / 60)


def _inputs(series: tuple[InputSeries, ...]) -> list[dict[str, str]]:
    return [{"series": s.series, "values": s.values} for s in series]


def own_alert_tests(
    service: ResolvedService,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
) -> list[dict[str, Any]]:
    """The promtool test cases of the service's own alerts."""
    tests: list[dict[str, Any]] = []
    for alert in service.alerts:
        if not alert.test.firing:
            continue
        fired = {
            "exp_labels": dict(
                sorted({**dict(alert.test.labels), **_labels(service, alert, severities)}.items())
            ),
            "exp_annotations": _annotations(service, alert, grafana_url),
        }
        after = _for_minutes(alert) + 1
        checks: list[dict[str, Any]] = []
        if alert.for_seconds:
            checks.append({"eval_time": f"{after - 2}m", "alertname": alert.name, "exp_alerts": []})
        checks.append({"eval_time": f"{after}m", "alertname": alert.name, "exp_alerts": [fired]})
        source = "derived from the expression" if alert.test.derived else "the spec's example"
        tests.append(
            {
                "name": f"{service.name} {alert.name}: fires after `for`, not before ({source})",
                "interval": "1m",
                "input_series": _inputs(alert.test.firing),
                "alert_rule_test": checks,
            }
        )
        if alert.test.quiet:
            tests.append(
                {
                    "name": f"{service.name} {alert.name}: {QUIET}",
                    "interval": "1m",
                    "input_series": _inputs(alert.test.quiet),
                    "alert_rule_test": [
                        {"eval_time": f"{after}m", "alertname": alert.name, "exp_alerts": []}
                    ],
                }
            )
    return tests
