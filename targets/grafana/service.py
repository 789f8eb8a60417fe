"""A service's dashboard (`dashboards/<team>/<service>.json`, uid `obsc-<service>`).

Application services: traffic (request rate, error ratio, latency percentiles), one row per
SLO (SLI against the objective, error budget remaining, burn rate per window), the service's
alerts, and its logs and traces. Infrastructure services: their exporter's health only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from compiler.model import ResolvedService, ResolvedSLO
from compiler.output.links import dashboard_url, overview_uid, service_dashboard_uid
from targets.grafana import panels, queries
from targets.grafana.dashboard import dashboard, dashboard_link

TRAFFIC_HEIGHT = 8
SLO_HEIGHT = 8
ALERTS_HEIGHT = 6
LOGS_HEIGHT = 10


def _ratio(percent: float) -> float:
    """A percentage as an exact ratio (99.9 -> 0.999, not 0.9990000000000001)."""
    return float(Decimal(str(percent)) / 100)


def _budget(slo: ResolvedSLO) -> float:
    """The SLO's error budget as a ratio (99.9% -> 0.001)."""
    return float((100 - Decimal(str(slo.objective))) / 100)


def _percent(value: float) -> str:
    """`99.9` for 99.9, `99` for 99.0."""
    return f"{value:g}"


def traffic_panels(service: ResolvedService) -> list[panels.Panel]:
    """Request rate, error ratio and latency percentiles, those the metrics allow."""
    if not service.metrics.enabled:
        return []
    result = []
    slo = queries.availability_slo(service)
    source = f"the {slo.name} SLO's 5m rates" if slo else f"`{service.metrics.request_metric}`"
    rate = queries.request_rate(service)
    if rate is not None:
        result.append(
            panels.timeseries(
                "Request rate",
                f"Requests per second, from {source}.",
                [("requests/s", rate)],
                "reqps",
                min_value=0,
            )
        )
    errors = queries.error_ratio(service)
    if errors is not None:
        result.append(
            panels.timeseries(
                "Error ratio",
                f"Share of requests that failed, from {source}"
                + (f"; the red line is the {slo.name} SLO's error budget." if slo else "."),
                [("errors", errors)],
                "percentunit",
                threshold_line=_budget(slo) if slo else None,
                min_value=0,
            )
        )
    quantiles = queries.latency_quantiles(service)
    if quantiles:
        result.append(
            panels.timeseries(
                "Latency",
                f"p50, p95 and p99 request duration from `{service.metrics.duration_metric}`.",
                quantiles,
                queries.latency_unit(service.metrics),
                min_value=0,
            )
        )
    return result


def slo_panels(service: ResolvedService, slo: ResolvedSLO) -> list[tuple[panels.Panel, int]]:
    """SLI vs objective, error budget remaining and burn rates of one SLO, with widths."""
    objective = _ratio(slo.objective)
    sli = panels.timeseries(
        "SLI vs objective",
        f"The SLI over the SLO window ({slo.window}) against the {_percent(slo.objective)}% "
        "objective.",
        [
            (f"SLI ({slo.window})", queries.sli_over_period(service, slo)),
            ("objective", queries.objective(service, slo)),
        ],
        "percentunit",
        decimals=3,
        threshold_line=objective,
    )
    budget = panels.stat(
        "Error budget remaining",
        f"Share of the {slo.window} error budget not yet spent; negative once overspent.",
        queries.budget_remaining(service, slo),
        "percentunit",
        decimals=1,
        thresholds=panels.steps(("red", None), ("orange", 0), ("green", 0.25)),
    )
    burn = panels.timeseries(
        "Burn rate",
        "Error ratio over each window divided by the error budget: at 1 the budget lasts "
        "exactly the SLO window; the alerts fire on pairs of windows well above 1.",
        [(window, queries.burn_rate(service, slo, window)) for window in queries.BURN_WINDOWS],
        "none",
        decimals=2,
        threshold_line=1,
        min_value=0,
    )
    return [(sli, 10), (budget, 4), (burn, 10)]


def alerts_panel(service: ResolvedService) -> panels.Panel:
    """The service's pending and firing alerts over time."""
    return panels.state_timeline(
        "Alerts",
        f"Prometheus' ALERTS series for {service.name}: every obsc alert of the service, "
        "pending or firing.",
        [("{{alertname}} {{severity}} ({{alertstate}})", queries.alerts(service))],
        [{"type": "value", "options": {"1": {"color": "red", "index": 0, "text": "active"}}}],
    )


def exporter_panels(service: ResolvedService) -> list[panels.Panel]:
    """Up and scrape health of an infrastructure service's exporter."""
    exporter = service.exporter.name if service.exporter else "exporter"
    up = panels.stat(
        "Exporter up",
        f"Whether every scrape of {exporter} succeeded (Prometheus' `up`).",
        queries.exporter_up(service),
        "none",
        thresholds=panels.steps(("red", None), ("green", 1)),
        mappings=[
            {
                "type": "value",
                "options": {
                    "0": {"color": "red", "index": 0, "text": "down"},
                    "1": {"color": "green", "index": 1, "text": "up"},
                },
            }
        ],
    )
    duration = panels.timeseries(
        "Scrape duration",
        f"How long each scrape of {exporter} took.",
        [("{{instance}}", queries.scrape_series(service, "scrape_duration_seconds"))],
        "s",
        min_value=0,
    )
    samples = panels.timeseries(
        "Samples scraped",
        f"Samples {exporter} exposed per scrape.",
        [("{{instance}}", queries.scrape_series(service, "scrape_samples_scraped"))],
        "short",
        min_value=0,
    )
    return [up, duration, samples]


def _links(service: ResolvedService, teams_with_overview: set[str]) -> list[dict[str, Any]]:
    links = []
    if service.team in teams_with_overview:
        links.append(
            dashboard_link(
                f"{service.team} SLO overview", dashboard_url(overview_uid(service.team))
            )
        )
    if service.runbook:
        links.append(dashboard_link("Runbook", service.runbook, new_tab=True))
    return links


def service_dashboard(
    environment: str, service: ResolvedService, teams_with_overview: set[str]
) -> dict[str, Any]:
    """The dashboard of one service."""
    grid = panels.Grid()
    if service.category == "infrastructure":
        exporter = service.exporter.name if service.exporter else "exporter"
        grid.row(f"Exporter: {exporter}")
        for panel, width in zip(exporter_panels(service), (4, 10, 10), strict=True):
            grid.add(panel, width, TRAFFIC_HEIGHT)
    else:
        traffic = traffic_panels(service)
        if traffic:
            grid.row("Traffic")
            grid.add_line(traffic, TRAFFIC_HEIGHT)
        for slo in service.slos:
            grid.row(
                f"SLO {slo.name}: {_percent(slo.objective)}% over {slo.window}"
                + (f", requests under {slo.sli.threshold}" if slo.sli.threshold else "")
            )
            for panel, width in slo_panels(service, slo):
                grid.add(panel, width, SLO_HEIGHT)
        grid.row("Alerts")
        grid.add(alerts_panel(service), panels.GRID_WIDTH, ALERTS_HEIGHT)
        grid.row("Logs and traces")
        grid.add_line(
            [
                panels.logs(
                    "Logs",
                    f"Newest log lines of {service.name} in Loki.",
                    queries.logs(service),
                ),
                panels.trace_search(
                    "Traces",
                    f"Recent traces of {service.name} in Tempo (sampling "
                    f"{_percent(service.sampling * 100)}%).",
                    queries.traces(service),
                ),
            ],
            LOGS_HEIGHT,
        )
    return dashboard(
        uid=service_dashboard_uid(service.name),
        title=f"{service.name} ({environment})",
        description=(
            f"{service.name} ({service.framework}, team {service.team}) in "
            f"{environment}. Rendered by obsc: edit the specs, not this dashboard."
        ),
        tags=["obsc", service.team, service.framework],
        panels=grid.panels,
        links=_links(service, teams_with_overview),
    )
