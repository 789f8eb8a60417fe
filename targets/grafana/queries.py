"""The queries behind the panels: PromQL over the contract's series, LogQL, TraceQL.

Selectors use the labels of docs/contracts.md: `service` on every series of a service,
`service` and `slo` on the SLO recording rules, `service_name` on Loki streams and the
`service.name` resource attribute in Tempo. A framework's dashboard serves every service of
the framework, so its queries select `$service` (and `$slo` in the repeated SLO row), the
dashboard's variables; the team overviews select their services by name. Raw-metric rates use
`$__rate_interval`; the SLO series are recording rules and need no range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from compiler.model import ResolvedMetrics
from compiler.output.query_strings import string_literal
from targets.grafana.names import matchers

RATE = "$__rate_interval"
#: The burn-rate windows shown per SLO (the alerts target records these and more).
BURN_WINDOWS = ("5m", "1h", "6h", "1d", "3d")
QUANTILES = (0.5, 0.95, 0.99)
#: The dashboard variables a framework's dashboard selects by.
SERVICE = "$service"
SLO = "$slo"


def service_selector(*extra: str) -> str:
    """The series of the selected service: `{service="$service"}` plus raw matchers."""
    return matchers(*extra, service=SERVICE)


def slo_selector() -> str:
    """The series of the selected SLO: `{service="$service", slo="$slo"}`."""
    return matchers(service=SERVICE, slo=SLO)


def slos_of_service() -> str:
    """The `slo` variable's query: every SLO the selected service records."""
    return f"label_values(slo:objective:ratio{service_selector()}, slo)"


# Traffic --------------------------------------------------------------------------------


def request_rate(metrics: ResolvedMetrics) -> str | None:
    """Requests per second from the framework's request counter."""
    metric = metrics.request_metric
    if metric is None:
        return None
    return f"sum(rate({metric}{service_selector()}[{RATE}]))"


def error_ratio(metrics: ResolvedMetrics) -> str | None:
    """The share of failed requests, from the framework's error selector."""
    metric, errors = metrics.request_metric, metrics.error_selector
    if metric is None or errors is None:
        return None
    bad, total = service_selector(errors), service_selector()
    return f"sum(rate({metric}{bad}[{RATE}])) / sum(rate({metric}{total}[{RATE}]))"


def latency_unit(metrics: ResolvedMetrics) -> str:
    """The Grafana unit of the duration histogram's values."""
    return "ms" if metrics.duration_unit == "milliseconds" else "s"


def latency_quantiles(metrics: ResolvedMetrics) -> list[tuple[str, str]]:
    """`(legend, PromQL)` for p50, p95 and p99 of the duration histogram (none without one)."""
    metric = metrics.duration_metric
    if metric is None:
        return []
    buckets = f"rate({metric}_bucket{service_selector()}[{RATE}])"
    return [
        (f"p{round(q * 100)}", f"histogram_quantile({q}, sum by (le) ({buckets}))")
        for q in QUANTILES
    ]


# SLOs -----------------------------------------------------------------------------------


def _period_ratios(suffixes: Sequence[str], selector: str) -> str:
    """The error ratio over each SLO's own period: one series per SLO whatever its period.

    The alerts target records `slo:sli_error:ratio_rate<period>` for an SLO's own period
    only, so joining the periods in use with `or` yields exactly one series per SLO.
    """
    return " or ".join(f"slo:sli_error:ratio_rate{suffix}{selector}" for suffix in suffixes)


def sli_over_period(suffixes: Sequence[str]) -> str:
    """The selected SLO's SLI over its window: 1 - the period's error ratio."""
    ratios = _period_ratios(suffixes, slo_selector())
    return f"1 - ({ratios})" if len(suffixes) > 1 else f"1 - {ratios}"


def objective() -> str:
    """The objective as a ratio (0.999)."""
    return f"slo:objective:ratio{slo_selector()}"


def budget_remaining() -> str:
    """The share of the period's error budget still unspent (negative once overspent)."""
    return f"slo:period_error_budget_remaining:ratio{slo_selector()}"


def burn_rate(window: str) -> str:
    """The error ratio over `window` divided by the error budget (1 = on pace to spend it)."""
    sel = slo_selector()
    return f"slo:sli_error:ratio_rate{window}{sel} / on (service, slo) slo:error_budget:ratio{sel}"


def services_matcher(services: Iterable[str]) -> str:
    """`{service=~"a|b"}`: the named services (DNS labels, so no regex escaping is needed)."""
    return matchers("service=~" + string_literal("|".join(services)))


def slos_by_service(series: str, services: Iterable[str]) -> str:
    """`series` for every SLO of the services, one row per `service` and `slo` (tables)."""
    return f"max by (service, slo) ({series}{services_matcher(services)})"


def sli_by_service(services: Iterable[str], suffixes: Sequence[str]) -> str:
    """The SLI over its own period for every SLO of the services (periods may differ)."""
    ratios = _period_ratios(suffixes, services_matcher(services))
    return f"1 - max by (service, slo) ({ratios})"


# Alerts, exporters ----------------------------------------------------------------------


def alerts() -> str:
    """Pending and firing alerts of the selected service (every obsc alert has `service`)."""
    return f"ALERTS{service_selector()}"


def exporter_up() -> str:
    """1 when every scrape of the service's exporter succeeded, 0 when one failed."""
    return f"min(up{service_selector()})"


def scrape_series(series: str) -> str:
    """One of Prometheus' automatic per-scrape series of the selected service."""
    return f"{series}{service_selector()}"


# Logs, traces ---------------------------------------------------------------------------


def logs() -> str:
    """The selected service's log stream in Loki."""
    return "{service_name=" + string_literal(SERVICE) + "}"


def traces() -> str:
    """TraceQL: the selected service's traces in Tempo."""
    return "{resource.service.name=" + string_literal(SERVICE) + "}"
