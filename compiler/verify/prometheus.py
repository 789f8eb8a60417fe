"""Prometheus: reachable, rule groups, retention; per service metrics and SLO ratios.

The rendered rule groups must be loaded, the retention must cover the longest SLO window,
and each service's recent metrics and every SLO's 5m error ratio must be there.
"""

from __future__ import annotations

from compiler.verify.durations import seconds_of
from compiler.verify.expected import RATIO_5M, ServiceExpectation
from compiler.verify.http import Client
from compiler.verify.promql import instant_query, is_number, selector, status_data
from compiler.verify.results import Check, Verdict, failed, fixed, passed, skipped
from compiler.verify.rule_groups import compare_groups, loaded_groups
from compiler.verify.scope import Scope, component_subject, on_component, reachability

COMPONENT = "prometheus"
SUBJECT = component_subject(COMPONENT)
# Series with a service label that the service itself did not send: the SLO recording
# rules and alerts (they carry `service`), and what a scrape adds even when the target is
# down (up, scrape_*, and target_info from the collector).
NOT_FROM_THE_SERVICE = "slo:.*|ALERTS|ALERTS_FOR_STATE|up|scrape_.*|target_info"
DEFAULT_RETENTION = "15d"  # Prometheus' default when neither time nor size is set


def component_checks(scope: Scope) -> list[Check]:
    """The checks: reachable, rules, retention."""
    expected = scope.expected
    groups = expected.prometheus_groups
    window = expected.longest_window
    return [
        reachability(scope, COMPONENT, _buildinfo),
        on_component(scope, COMPONENT, SUBJECT, "rules", lambda c: _rules(c, groups))
        if groups is not None
        else fixed(SUBJECT, "rules", scope.endpoint(COMPONENT), skipped(_no_alerts())),
        on_component(scope, COMPONENT, SUBJECT, "retention", lambda c: _retention(c, window))
        if window is not None
        else fixed(SUBJECT, "retention", scope.endpoint(COMPONENT), skipped("no SLOs")),
    ]


def service_checks(scope: Scope, service: ServiceExpectation) -> list[Check]:
    """The checks: metrics and slo-ratio of one service."""
    subject = f"service/{service.name}"
    endpoint = scope.endpoint(COMPONENT)
    checks = []
    if service.metrics is not None:
        checks.append(fixed(subject, "metrics", endpoint, skipped(service.metrics)))
    else:
        checks.append(
            on_component(scope, COMPONENT, subject, "metrics", lambda c: _metrics(c, service))
        )
    if not service.slo_series:
        checks.append(fixed(subject, "slo-ratio", endpoint, skipped("the service has no SLOs")))
    else:
        checks.append(
            on_component(scope, COMPONENT, subject, "slo-ratio", lambda c: _ratios(c, service))
        )
    return checks


def _no_alerts() -> str:
    return "the environment renders no alerts target"


def _buildinfo(client: Client) -> Verdict:
    data = status_data(client, "/api/v1/status/buildinfo")
    return passed(f"Prometheus {data.get('version', '(version unknown)')}")


def _rules(client: Client, expected: dict[str, int]) -> Verdict:
    return compare_groups(expected, loaded_groups(client, "/api/v1/rules"))


def _retention(client: Client, window: tuple[str, float]) -> Verdict:
    flags = status_data(client, "/api/v1/status/flags")
    raw = str(flags.get("storage.tsdb.retention.time") or "")
    if raw in ("", "0s", "0"):
        raw = str(flags.get("storage.tsdb.retention") or "")  # the flag before 2.8
    shown = raw if raw not in ("", "0s", "0") else f"{DEFAULT_RETENTION} (the default)"
    kept = seconds_of(shown.split(" ", 1)[0])
    if kept is None:
        return failed(f"cannot read storage.tsdb.retention.time {raw!r}")
    size = str(flags.get("storage.tsdb.retention.size") or "0")
    note = f"; a size limit of {size} may delete data sooner" if size not in ("0", "0B") else ""
    longest, seconds = window
    if kept < seconds:
        return failed(
            f"retention {shown} is shorter than the longest SLO window {longest}: ratios and "
            f"error budgets over the window are computed from partial data{note}"
        )
    return passed(f"retention {shown} covers the longest SLO window {longest}{note}")


def _metrics(client: Client, service: ServiceExpectation) -> Verdict:
    # A scraped service whose every target is down has stopped, even though series it
    # pushed (OTLP metrics, remote-written without staleness markers) stay visible for
    # Prometheus' 5m lookback: `up` is the truth for what is scraped.
    ups = instant_query(client, f'up{{service="{service.name}"}}')
    if ups and all(value == 0 for _, value in ups):
        return failed(
            f"the scrape target of service={service.name!r} is down (up == 0): is the "
            "service running and listening on its metrics port?"
        )
    own = f'{{service="{service.name}", __name__!~"{NOT_FROM_THE_SERVICE}"}}'
    samples = instant_query(client, f"count({own})")
    if samples and samples[0][1] > 0:
        return passed(f"{samples[0][1]:g} series with service={service.name!r} in the last 5m")
    return failed(
        f"no metrics with service={service.name!r} in the last 5m: is the service "
        "running, and scraped or sending OTLP to the collector?"
    )


def _ratios(client: Client, service: ServiceExpectation) -> Verdict:
    problems: list[str] = []
    values: list[str] = []
    for series in service.slo_series:
        samples = instant_query(client, f"{RATIO_5M}{selector(series.labels)}")
        if not samples:
            problems.append(f"{series.slo}: no {RATIO_5M} series {selector(series.labels)}")
        elif not is_number(samples[0][1]):
            problems.append(
                f"{series.slo}: {RATIO_5M} is {samples[0][1]} (no requests in the last 5m, "
                "or the SLI's metrics are missing)"
            )
        else:
            values.append(f"{series.slo} {samples[0][1]:.4g}")
    if problems:
        return failed("; ".join(problems))
    return passed(f"{RATIO_5M}: " + ", ".join(values))
