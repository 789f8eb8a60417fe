"""`promtool test rules` files that prove each SLO's alerts fire when, and only when, they should.

Four scenarios per SLO at a steady 10 requests per second (or twice the SLO's traffic
gate): a fast burn (20x the budget) must page, a slow burn (4x) must open a ticket and not
page, a budget-neutral rate (0.5x) must raise nothing, and a healthy service, which has no
server-error series at all (an exporter creates a labelled series on its first use), must
have an SLI of exactly 0 and its whole budget left. Availability and latency SLIs are fed
raw exporter series, so the SLI queries themselves are under test; ratio SLIs (user PromQL)
are fed the recorded 5m bad/total base instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import compiler.burn as burn
from compiler.model import (
    DEFAULT_SEVERITIES,
    LOG_EVENTS,
    ResolvedService,
    ResolvedSLO,
    Severities,
)
from compiler.output.links import period_suffix
from targets.alerts.naming import burn_alert, exhausted_alert, identity, selector

# Input starts at t=0 at a constant rate, so every window (sums over the data there is)
# sees the same ratio once the 5m rate exists; 30 minutes leaves a wide margin.
EVAL_MINUTES = 30
_MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_CANDIDATES = ("500", "503", "5xx", "SERVER_ERROR", "error", "ERROR", "true", "failure")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A constant error rate and the alerts it must (and must only) raise."""

    name: str
    burn: Decimal


SCENARIOS = (
    Scenario("fast burn pages", Decimal(20)),
    Scenario("slow burn opens a ticket and does not page", Decimal(4)),
    Scenario("budget-neutral error rate raises nothing", Decimal("0.5")),
    Scenario("healthy service without error series has an SLI of 0", Decimal(0)),
)


def series_name(metric: str, labels: dict[str, str]) -> str:
    """A promtool input series name: the metric and its labels, sorted."""
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{metric}{{{inner}}}"


def _counter(per_minute: Decimal, steps: int) -> str:
    return f"0+{burn.clean(per_minute)}x{steps}"


def _gauge(value: Decimal, steps: int) -> str:
    return f"{burn.clean(value)}x{steps}"


@functools.lru_cache(maxsize=256)
def _error_labels(selector: str) -> tuple[dict[str, str], dict[str, str]]:
    """Label sets that do and do not match the framework's server-error selector.

    Cached: services of a framework share their selector (callers only read the result).
    """
    bad: dict[str, str] = {}
    good: dict[str, str] = {}
    for name, op, value in _MATCHER.findall(selector):
        if op == "=":
            bad[name] = value
            good[name] = "obsc-ok"
        elif op == "=~":
            pattern = re.compile(value)
            bad[name] = next(c for c in _CANDIDATES if pattern.fullmatch(c))
            good[name] = "200"
        else:
            raise ValueError(f"cannot synthesise series for matcher {name}{op}{value!r}")
    return bad, good


def _le_value(service: ResolvedService, slo: ResolvedSLO) -> str:
    assert slo.sli.threshold_seconds is not None
    value = slo.sli.threshold_seconds
    if service.metrics.duration_unit == "milliseconds":
        value = value * 1000
    value = round(value, 9)
    return str(int(value)) if value == int(value) else repr(value)


def _inputs(
    service: ResolvedService, slo: ResolvedSLO, total: Decimal, bad: Decimal
) -> list[dict[str, str]]:
    """Input series at `total` requests/s of which `bad` per second are bad."""
    steps = _eval_minutes(slo) + 5
    base = {"service": service.name}
    per_minute_total, per_minute_bad = total * 60, bad * 60
    if slo.sli.kind == "availability":
        assert service.metrics.request_metric and service.metrics.error_selector
        bad_labels, good_labels = _error_labels(service.metrics.error_selector)
        metric = service.metrics.request_metric
        series = [
            {
                "series": series_name(metric, {**base, **good_labels}),
                "values": _counter(per_minute_total - per_minute_bad, steps),
            },
            {
                "series": series_name(metric, {**base, **bad_labels}),
                "values": _counter(per_minute_bad, steps),
            },
        ]
        return series if bad else series[:1]
    if slo.sli.kind == "latency":
        assert service.metrics.duration_metric
        metric = service.metrics.duration_metric
        return [
            {
                "series": series_name(f"{metric}_count", base),
                "values": _counter(per_minute_total, steps),
            },
            {
                "series": series_name(f"{metric}_bucket", {**base, "le": _le_value(service, slo)}),
                "values": _counter(per_minute_total - per_minute_bad, steps),
            },
        ]
    queries = slo.sli.log_queries
    if queries is not None:
        # Loki's ruler records each minute's line counts (targets/alerts/loki.py)
        events = {"service": service.name, "slo": slo.name}
        counted = per_minute_bad if queries.counts == "bad" else per_minute_total - per_minute_bad
        return [
            {
                "series": series_name(LOG_EVENTS, {**events, "events": "total"}),
                "values": _gauge(per_minute_total, steps),
            },
            {
                "series": series_name(LOG_EVENTS, {**events, "events": queries.counts}),
                "values": _gauge(counted, steps),
            },
        ]
    ids = identity(service, slo)
    return [
        {"series": series_name("slo:sli_total:rate5m", ids), "values": _gauge(total, steps)},
        {"series": series_name("slo:sli_bad:rate5m", ids), "values": _gauge(bad, steps)},
    ]


def _fires(slo: ResolvedSLO, severity: str, rate: Decimal) -> bool:
    """At a steady burn rate every window sees the same ratio: compare with the tiers."""
    tiers = [t for t in burn.TIERS if t.severity == severity]
    return any(rate > burn.factor(slo, t) for t in tiers)


def _expected(
    service: ResolvedService,
    slo: ResolvedSLO,
    rate: Decimal,
    rules: dict[tuple[str, str], dict[str, Any]],
) -> dict[str, list[Any]]:
    burning = burn_alert(service, slo)
    exhausted = exhausted_alert(service, slo) if slo.alerting.budget_exhausted else None
    expected: dict[str, list[Any]] = {burning: []}
    if exhausted is not None:
        expected[exhausted] = []
    for severity, knobs in (("page", slo.alerting.page), ("ticket", slo.alerting.ticket)):
        if knobs.enabled and _fires(slo, severity, rate):
            rule = rules[(burning, severity)]
            expected[burning].append(
                {"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]}
            )
    if exhausted is not None and rate >= 1:
        rule = rules[(exhausted, "ticket")]
        expected[exhausted].append(
            {"exp_labels": rule["labels"], "exp_annotations": rule["annotations"]}
        )
    return expected


def _eval_minutes(slo: ResolvedSLO) -> int:
    # an alert is firing one evaluation after its `for` has elapsed
    waits = [
        int(k.for_seconds) // 60 + 1
        for k in (slo.alerting.page, slo.alerting.ticket)
        if k.for_seconds
    ]
    return EVAL_MINUTES + max(waits, default=0)


def testable(slo: ResolvedSLO) -> bool:
    """A fast burn can only be simulated while 20x the budget is an error ratio below 1."""
    return burn.error_budget(slo) * 20 <= 1


def service_test_file(
    service: ResolvedService,
    rule_file: str,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
    alerts_by_slo: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any] | None:
    """The promtool test document of a service: every scenario of each testable SLO.

    None when no SLO of the service can be tested (see `testable`). `alerts_by_slo`: the
    SLOs' alert rules (slo_rules.service_alert_rules) when the caller has them already.
    """
    tests = [
        test
        for slo in service.slos
        if testable(slo)
        for test in slo_tests(
            service,
            slo,
            grafana_url,
            severities,
            None if alerts_by_slo is None else alerts_by_slo[slo.name],
        )
    ]
    if not tests:
        return None
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}


def _healthy_values(service: ResolvedService, slo: ResolvedSLO, minutes: int) -> list[Any]:
    """With no bad event the SLI is 0 and the whole budget remains: present, not absent."""
    ids = identity(service, slo)
    labels = ",".join(f'{k}="{v}"' for k, v in sorted({**ids, "sloth_window": "5m"}.items()))
    period = {**ids, "sloth_window": period_suffix(slo.window)}  # kept by `1 - ratio`
    plain = ",".join(f'{k}="{v}"' for k, v in sorted(period.items()))
    return [
        {
            "expr": f"slo:sli_error:ratio_rate5m{selector(service, slo)}",
            "eval_time": f"{minutes}m",
            "exp_samples": [{"labels": f"slo:sli_error:ratio_rate5m{{{labels}}}", "value": 0}],
        },
        {
            "expr": f"slo:period_error_budget_remaining:ratio{selector(service, slo)}",
            "eval_time": f"{minutes}m",
            "exp_samples": [
                {"labels": f"slo:period_error_budget_remaining:ratio{{{plain}}}", "value": 1}
            ],
        },
    ]


def slo_tests(
    service: ResolvedService,
    slo: ResolvedSLO,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
    alerts: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The promtool test cases of one SLO: one per scenario.

    `alerts`: the SLO's `slo_rules.alert_rules` when the caller has them already (the
    expected labels and annotations are the rules' own).
    """
    gate = slo.alerting.min_requests_per_second
    total = max(Decimal(10), Decimal(repr(gate)) * 2 if gate else Decimal(10))
    budget = burn.error_budget(slo)
    if alerts is None:
        from targets.alerts.slo_rules import alert_rules

        alerts = alert_rules(service, slo, grafana_url, severities)
    # keyed by page/ticket, whatever the Project calls them
    rules: dict[tuple[str, str], dict[str, Any]] = {
        (r["alert"], severities.behaviour(r["labels"]["severity"]) or ""): r for r in alerts
    }
    minutes = _eval_minutes(slo)
    tests = []
    for scenario in SCENARIOS:
        bad = total * budget * scenario.burn
        expected = _expected(service, slo, scenario.burn, rules)
        test: dict[str, Any] = {
            "name": f"{service.name} {slo.name}: {scenario.name}",
            "interval": "1m",
            "input_series": _inputs(service, slo, total, bad),
            "alert_rule_test": [
                {"eval_time": f"{minutes}m", "alertname": name, "exp_alerts": alerts}
                for name, alerts in expected.items()
            ],
        }
        if not bad:
            test["promql_expr_test"] = _healthy_values(service, slo, minutes)
        tests.append(test)
    return tests
