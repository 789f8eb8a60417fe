"""Prometheus rules for a service's SLOs: SLI recordings, SLO metadata, burn-rate alerts.

The request-weighted base is two series per SLO, bad and total events per second over 5m;
every longer window and the SLO period are ratios of their sums over the window. Unlike an
average of 5m ratios (Sloth's period SLI), that weighs each request once and does not turn
NaN for the whole window after a stretch without traffic.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import compiler.burn as burn
from compiler.model import DEFAULT_SEVERITIES, ResolvedService, ResolvedSLO, Severities
from compiler.output.links import period_suffix, service_dashboard_url
from targets.alerts.go_template import with_literal_templates
from targets.alerts.naming import (
    absent_alert,
    burn_alert,
    exhausted_alert,
    identity,
    selector,
    sloth_id,
)

Rule = dict[str, Any]
WINDOW = "{{window}}"


def _labels(*parts: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        merged.update(part)
    return dict(sorted(merged.items()))


def _record(name: str, expr: str, labels: dict[str, str]) -> Rule:
    return {"record": name, "expr": expr, "labels": labels}


def sli_rules(service: ResolvedService, slo: ResolvedSLO) -> list[Rule]:
    """The base rates, the error ratio of every alert window, and the period ratio."""
    ids = identity(service, slo)
    sel = selector(service, slo)
    rules = [
        _record("slo:sli_bad:rate5m", slo.sli.bad.replace(WINDOW, "5m"), _labels(ids)),
        _record("slo:sli_total:rate5m", slo.sli.total.replace(WINDOW, "5m"), _labels(ids)),
        _record(
            "slo:sli_error:ratio_rate5m",
            f"slo:sli_bad:rate5m{sel} / slo:sli_total:rate5m{sel}",
            _labels(ids, {"sloth_window": "5m"}),
        ),
    ]
    period = period_suffix(slo.window)
    for window in (*burn.ALERT_WINDOWS[1:], slo.window):
        suffix = period if window == slo.window else window
        rules.append(
            _record(
                f"slo:sli_error:ratio_rate{suffix}",
                f"sum_over_time(slo:sli_bad:rate5m{sel}[{window}])"
                f" / sum_over_time(slo:sli_total:rate5m{sel}[{window}])",
                _labels(ids, {"sloth_window": suffix}),
            )
        )
    return _unique_records(rules)


def _unique_records(rules: list[Rule]) -> list[Rule]:
    """An SLO window equal to an alert window (e.g. 3d) is recorded once."""
    seen: set[str] = set()
    result = []
    for rule in rules:
        if rule["record"] not in seen:
            seen.add(rule["record"])
            result.append(rule)
    return result


def meta_rules(service: ResolvedService, slo: ResolvedSLO) -> list[Rule]:
    """The SLO as numbers, burn rate and budget remaining over 5m and the period, and info.

    `sloth_slo_info` (1, the objective in percent as its `sloth_objective` label) is the series
    Sloth's Grafana dashboards count SLOs and services by and title an SLO's objective with.
    """
    ids = _labels(identity(service, slo))
    sel = selector(service, slo)
    on = "on (sloth_id, sloth_slo, sloth_service) group_left"
    period = period_suffix(slo.window)
    return [
        _record("slo:objective:ratio", f"vector({burn.clean(burn.objective_ratio(slo))})", ids),
        _record("slo:error_budget:ratio", f"vector({burn.clean(burn.error_budget(slo))})", ids),
        _record("slo:time_period:days", f"vector({burn.period_days(slo)})", ids),
        _record(
            "slo:current_burn_rate:ratio",
            f"slo:sli_error:ratio_rate5m{sel} / {on} slo:error_budget:ratio{sel}",
            ids,
        ),
        _record(
            "slo:period_burn_rate:ratio",
            f"slo:sli_error:ratio_rate{period}{sel} / {on} slo:error_budget:ratio{sel}",
            ids,
        ),
        _record(
            "slo:period_error_budget_remaining:ratio",
            f"1 - slo:period_burn_rate:ratio{sel}",
            ids,
        ),
        _record(
            "sloth_slo_info",
            "vector(1)",
            _labels(ids, {"sloth_objective": burn.clean(Decimal(repr(slo.objective)))}),
        ),
    ]


def _tier_condition(service: ResolvedService, slo: ResolvedSLO, tier: burn.Tier) -> str:
    sel = selector(service, slo)
    limit = burn.clean(burn.threshold(slo, tier))
    return (
        f"(max(slo:sli_error:ratio_rate{tier.short}{sel} > {limit}) without (sloth_window)"
        f" and max(slo:sli_error:ratio_rate{tier.long}{sel} > {limit}) without (sloth_window))"
    )


def _annotations(
    service: ResolvedService, slo: ResolvedSLO, severity: str, grafana_url: str | None
) -> dict[str, str]:
    tiers = [t for t in burn.TIERS if t.severity == severity]
    pace = " or ".join(f"{burn.clean(burn.factor(slo, t))}x over {t.long}" for t in tiers)
    notes = {
        "summary": f"{service.name} {slo.name}: error budget burning too fast ({severity})",
        "description": (
            f"The {slo.name} SLO of {service.name} ({burn.clean(burn.objective_ratio(slo) * 100)}%"
            f" over {slo.window}) is spending its error budget at more than {pace}."
        ),
        "dashboard_url": service_dashboard_url(
            service.name, service.framework, grafana_url, slo=slo.name
        ),
    }
    if service.runbook:
        notes["runbook_url"] = service.runbook
    return dict(sorted(notes.items()))


def alert_rules(
    service: ResolvedService,
    slo: ResolvedSLO,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
) -> list[Rule]:
    """Page and ticket burn-rate alerts (each optional), and the budget-exhausted ticket.

    They carry the service's propagated labels (`alert_labels`) besides the SLO's identity,
    and the Project's name for page or ticket as `severity`; a burn-rate alert also carries
    Sloth's `sloth_severity` (`page` or `ticket`, whatever the Project calls them), which
    Sloth's Grafana dashboards count firing alerts by. `grafana_url` makes their dashboard
    link absolute.
    """
    rules: list[Rule] = []
    sel = selector(service, slo)
    knobs = slo.alerting
    for severity, tier_knobs in (("page", knobs.page), ("ticket", knobs.ticket)):
        if not tier_knobs.enabled:
            continue
        tiers = [t for t in burn.TIERS if t.severity == severity]
        expr = "(\n  " + "\n  or\n  ".join(_tier_condition(service, slo, t) for t in tiers) + "\n)"
        if knobs.min_requests_per_second is not None:
            expr += (
                f"\nand on (sloth_id) slo:sli_total:rate5m{sel}"
                f" >= {burn.clean(Decimal(repr(knobs.min_requests_per_second)))}"
            )
        rule: Rule = {"alert": burn_alert(service, slo), "expr": expr}
        if tier_knobs.for_:
            rule["for"] = tier_knobs.for_
        rule["labels"] = _labels(
            dict(service.alert_labels),
            identity(service, slo),
            {"severity": severities.label(severity), "sloth_severity": severity},
        )
        rule["annotations"] = _annotations(service, slo, severity, grafana_url)
        rules.append(rule)
    if knobs.budget_exhausted:
        rules.append(
            {
                "alert": exhausted_alert(service, slo),
                "expr": (
                    f"max(slo:period_error_budget_remaining:ratio{sel} <= 0) without (sloth_window)"
                ),
                "labels": _labels(
                    dict(service.alert_labels),
                    identity(service, slo),
                    {"severity": severities.label("ticket")},
                ),
                "annotations": {
                    "summary": f"{service.name} {slo.name}: error budget exhausted",
                    "description": (
                        f"The {slo.name} SLO of {service.name} has spent its whole error budget "
                        f"for the current {slo.window} window."
                    ),
                },
            }
        )
    return rules


def _group(name: str, rules: list[Rule], interval: str | None) -> dict[str, Any]:
    """A rule group as the rule file holds it: alert labels and annotations are templates."""
    group: dict[str, Any] = {"name": name}
    if interval:
        group["interval"] = interval
    group["rules"] = [with_literal_templates(rule) for rule in rules]
    return group


def absent_metric(service: ResolvedService) -> str:
    """The series whose absence means the service's metrics stopped arriving."""
    metrics = service.metrics
    if metrics.request_metric:
        return metrics.request_metric
    if metrics.duration_metric:
        return f"{metrics.duration_metric}_count"
    return "up"


def service_alert_rules(
    service: ResolvedService,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
) -> dict[str, list[Rule]]:
    """The `alert_rules` of each SLO of the service, by SLO name.

    Built once per service and handed to both the rule file and its promtool test (which
    expects the rules' own labels and annotations), rather than built for each.
    """
    return {slo.name: alert_rules(service, slo, grafana_url, severities) for slo in service.slos}


def service_rule_groups(
    service: ResolvedService,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
    alerts_by_slo: dict[str, list[Rule]] | None = None,
) -> list[dict[str, Any]]:
    """Every rule group of a service: three per SLO (as Sloth), and the absent alert.

    `alerts_by_slo` is `service_alert_rules(service, grafana_url, severities)` when the
    caller has it already.
    """
    if alerts_by_slo is None:
        alerts_by_slo = service_alert_rules(service, grafana_url, severities)
    groups = []
    for slo in service.slos:
        interval = slo.alerting.interval
        sid = sloth_id(service, slo)
        groups.append(_group(f"obsc-slo-sli-recordings-{sid}", sli_rules(service, slo), interval))
        groups.append(_group(f"obsc-slo-meta-recordings-{sid}", meta_rules(service, slo), interval))
        alerts = alerts_by_slo[slo.name]
        if alerts:
            groups.append(_group(f"obsc-slo-alerts-{sid}", alerts, interval))
    if service.metrics.enabled:
        absent = {
            "alert": absent_alert(service),
            "expr": f'absent_over_time({absent_metric(service)}{{service="{service.name}"}}[15m])',
            "for": "5m",
            "labels": _labels(
                dict(service.alert_labels),
                {
                    "service": service.name,
                    "severity": severities.label("ticket"),
                    "team": service.team,
                },
            ),
            "annotations": {
                "summary": f"{service.name}: no metrics for 15 minutes",
                "description": (
                    f"Prometheus has received no {absent_metric(service)} series of "
                    f"{service.name} for 15 minutes: the service or its scraping is down."
                ),
            },
        }
        groups.append(_group(f"obsc-service-{service.name}", [absent], None))
    return groups
