"""PromQL for an SLO's bad and total events, with `{{window}}` standing for the range.

Availability and latency SLIs are built from the framework's metrics; every series of a
service is selected by `service="<name>"`, the label obsc's scrape and collector configs
put on all of a service's metrics, and the framework's `trafficSelector` (where the
exporter counts the scrape of its own metrics endpoint as a request, it is left out).
Ratio SLIs use the user's queries (bad = total - good).
"""

from __future__ import annotations

from compiler.model import LOG_EVENTS, ResolvedMetrics
from compiler.spec.promql import ratio_query

WINDOW = "{{window}}"


def _rate(metric: str, matchers: str) -> str:
    return f"sum(rate({metric}{{{matchers}}}[{WINDOW}]))"


def _le_matcher(bucket: float) -> str:
    """Match a bucket boundary however it is written (Prometheus 3 writes `1` as `1.0`)."""
    if bucket == int(bucket):
        return f'le=~"{int(bucket)}(\\\\.0)?"'
    return 'le=~"' + repr(bucket).replace(".", "\\\\.") + '"'


def _service(service: str, traffic: str | None) -> str:
    """The service's series, less what `traffic` leaves out (the scrape of its metrics)."""
    return f'service="{service}",{traffic}' if traffic else f'service="{service}"'


def availability_queries(
    service: str, metrics: ResolvedMetrics, traffic: str | None = None
) -> tuple[str, str]:
    """(bad, total): requests that failed with a server error, all requests.

    An exporter creates a labelled series on its first use, so a service that has served no
    server error since it started has no error series at all, and their rate is empty, not
    0: bad falls back to `0 * total`, which is 0 while there are requests and stays absent
    when there is no traffic (both sides are label-less sums, so `or` keeps one of them).
    """
    assert metrics.request_metric is not None and metrics.error_selector is not None
    selector = _service(service, traffic)
    total = _rate(metrics.request_metric, selector)
    errors = _rate(metrics.request_metric, f"{selector},{metrics.error_selector}")
    return f"({errors} or 0 * {total})", total


def latency_queries(
    service: str, metrics: ResolvedMetrics, seconds: float, traffic: str | None = None
) -> tuple[str, str]:
    """(bad, total): requests slower than the threshold bucket, all requests."""
    assert metrics.duration_metric is not None
    bucket = seconds * 1000 if metrics.duration_unit == "milliseconds" else seconds
    bucket = round(bucket, 9)
    selector = _service(service, traffic)
    total = _rate(f"{metrics.duration_metric}_count", selector)
    fast = _rate(f"{metrics.duration_metric}_bucket", f"{selector},{_le_matcher(bucket)}")
    return f"({total} - {fast})", total


def ratio_queries(good: str, total: str) -> tuple[str, str]:
    """(bad, total) from the user's good and total queries (see `ratio_query`)."""
    good, total = ratio_query(good), ratio_query(total)
    return f"(({total}) - ({good}))", total


def log_events_selector(service: str, slo: str, events: str) -> str:
    """The recorded per-minute count of one of a logs SLI's queries (`total`, `good`, `bad`)."""
    return f'{LOG_EVENTS}{{service="{service}", slo="{slo}", events="{events}"}}'


def logs_queries(service: str, slo: str, counts: str) -> tuple[str, str]:
    """(bad, total) of a logs SLI as per-second rates over the recorded per-minute counts.

    The mean of the window's per-minute counts over 60 is the window's rate; Loki records a
    0 for a minute without lines, so a quiet minute counts as one.
    """

    def rate(events: str) -> str:
        return f"sum(avg_over_time({log_events_selector(service, slo, events)}[{WINDOW}])) / 60"

    total = rate("total")
    if counts == "bad":
        return rate("bad"), total
    return f"({total} - {rate('good')})", total
