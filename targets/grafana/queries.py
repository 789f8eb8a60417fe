"""The queries behind the panels: PromQL over the contract's series, LogQL, TraceQL.

Selectors use the labels of docs/contracts.md: `service` on every series of a service,
`service` and `slo` on the SLO recording rules, `service_name` on Loki streams and the
`service.name` resource attribute in Tempo. Raw-metric rates use `$__rate_interval`; the SLO
series are recording rules and need no range.
"""

from __future__ import annotations

from compiler.model import ResolvedMetrics, ResolvedService, ResolvedSLO
from compiler.output.links import period_suffix
from targets.grafana.names import matchers, quote

RATE = "$__rate_interval"
#: The burn-rate windows shown per SLO (the alerts target records these and more).
BURN_WINDOWS = ("5m", "1h", "6h", "1d", "3d")
QUANTILES = (0.5, 0.95, 0.99)


def slo_selector(service: ResolvedService, slo: ResolvedSLO) -> str:
    """The series of one SLO: `{service="<service>", slo="<slo>"}`."""
    return matchers(service=service.name, slo=slo.name)


def availability_slo(service: ResolvedService) -> ResolvedSLO | None:
    """The first availability SLO of a service: its SLI counts every request."""
    return next((slo for slo in service.slos if slo.sli.kind == "availability"), None)


# Traffic --------------------------------------------------------------------------------


def request_rate(service: ResolvedService) -> str | None:
    """Requests per second, from the availability SLO's total or the framework's counter."""
    slo = availability_slo(service)
    if slo is not None:
        return f"sum(slo:sli_total:rate5m{slo_selector(service, slo)})"
    metric = service.metrics.request_metric
    if metric is None:
        return None
    return f"sum(rate({metric}{matchers(service=service.name)}[{RATE}]))"


def error_ratio(service: ResolvedService) -> str | None:
    """The share of failed requests, from the SLO's bad/total or the framework's selector."""
    slo = availability_slo(service)
    if slo is not None:
        sel = slo_selector(service, slo)
        return f"sum(slo:sli_bad:rate5m{sel}) / sum(slo:sli_total:rate5m{sel})"
    metric, errors = service.metrics.request_metric, service.metrics.error_selector
    if metric is None or errors is None:
        return None
    bad = matchers(errors, service=service.name)
    total = matchers(service=service.name)
    return f"sum(rate({metric}{bad}[{RATE}])) / sum(rate({metric}{total}[{RATE}]))"


def latency_unit(metrics: ResolvedMetrics) -> str:
    """The Grafana unit of the duration histogram's values."""
    return "ms" if metrics.duration_unit == "milliseconds" else "s"


def latency_quantiles(service: ResolvedService) -> list[tuple[str, str]]:
    """`(legend, PromQL)` for p50, p95 and p99 of the duration histogram (none without one)."""
    metric = service.metrics.duration_metric
    if metric is None:
        return []
    buckets = f"rate({metric}_bucket{matchers(service=service.name)}[{RATE}])"
    return [
        (f"p{round(q * 100)}", f"histogram_quantile({q}, sum by (le) ({buckets}))")
        for q in QUANTILES
    ]


# SLOs -----------------------------------------------------------------------------------


def sli_over_period(service: ResolvedService, slo: ResolvedSLO) -> str:
    """The SLI over the SLO's window: 1 - the period's error ratio."""
    suffix = period_suffix(slo.window)
    return f"1 - slo:sli_error:ratio_rate{suffix}{slo_selector(service, slo)}"


def objective(service: ResolvedService, slo: ResolvedSLO) -> str:
    """The objective as a ratio (0.999)."""
    return f"slo:objective:ratio{slo_selector(service, slo)}"


def budget_remaining(service: ResolvedService, slo: ResolvedSLO) -> str:
    """The share of the period's error budget still unspent (negative once overspent)."""
    return f"slo:period_error_budget_remaining:ratio{slo_selector(service, slo)}"


def burn_rate(service: ResolvedService, slo: ResolvedSLO, window: str) -> str:
    """The error ratio over `window` divided by the error budget (1 = on pace to spend it)."""
    sel = slo_selector(service, slo)
    return f"slo:sli_error:ratio_rate{window}{sel} / on (service, slo) slo:error_budget:ratio{sel}"


def service_slos_by_slo(service: ResolvedService, series: str) -> str:
    """`series` for every SLO of a service, one row per `slo` (for overview tables)."""
    return f"max by (slo) ({series}{matchers(service=service.name)})"


def service_sli_by_slo(service: ResolvedService) -> str:
    """The SLI over its own period for every SLO of a service (periods may differ)."""
    terms = " or ".join(
        f"slo:sli_error:ratio_rate{period_suffix(slo.window)}{slo_selector(service, slo)}"
        for slo in service.slos
    )
    return f"1 - max by (slo) ({terms})"


# Alerts, exporters ----------------------------------------------------------------------


def alerts(service: ResolvedService) -> str:
    """Pending and firing alerts of a service (every obsc alert carries `service`)."""
    return f"ALERTS{matchers(service=service.name)}"


def exporter_up(service: ResolvedService) -> str:
    """1 when every scrape of the service's exporter succeeded, 0 when one failed."""
    return f"min(up{matchers(service=service.name)})"


def scrape_series(service: ResolvedService, series: str) -> str:
    """One of Prometheus' automatic per-scrape series of a service."""
    return f"{series}{matchers(service=service.name)}"


# Logs, traces ---------------------------------------------------------------------------


def logs(service: ResolvedService) -> str:
    """The service's log stream in Loki."""
    return "{service_name=" + quote(service.name) + "}"


def traces(service: ResolvedService) -> str:
    """TraceQL: the service's traces in Tempo."""
    return "{resource.service.name=" + quote(service.name) + "}"
