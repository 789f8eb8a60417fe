"""A framework's dashboard (`dashboards/obsc.services/<framework>.json`, uid `obsc-fw-<fw>`).

One dashboard serves every service of a framework in the environment, Grafana's convention
for many similar services: its `service` variable picks the service (a fixed list, the
framework's services, so the picker lists exactly those), and
`/d/obsc-fw-<framework>?var-service=<name>` opens it on one service
(compiler.output.links.service_dashboard_url, which alerts and the team overviews link to).
The panels differ per framework, not per service: the framework names the metrics.

Application services: traffic (request rate, error ratio, latency percentiles), a row per
SLO of the selected service (repeated over the `slo` variable: SLI against the objective,
error budget remaining, burn rate per window), the service's alerts, and its logs and
traces. Infrastructure services: their exporter's health only.
"""

from __future__ import annotations

from typing import Any

from compiler.model import ResolvedService
from compiler.output.links import dashboard_url, overview_uid, period_suffix, service_dashboard_uid
from targets.grafana import panels, queries
from targets.grafana.dashboard import custom_variable, dashboard, dashboard_link, query_variable

TRAFFIC_HEIGHT = 8
SLO_HEIGHT = 8
ALERTS_HEIGHT = 6
LOGS_HEIGHT = 10


def traffic_panels(service: ResolvedService) -> list[panels.Panel]:
    """Request rate, error ratio and latency percentiles, those the framework's metrics allow."""
    metrics = service.metrics
    result = []
    source = f"`{metrics.request_metric}`"
    rate = queries.request_rate(metrics)
    if rate is not None:
        result.append(
            panels.timeseries(
                "Request rate",
                f"Requests per second of $service, from {source}.",
                [("requests/s", rate)],
                "reqps",
                min_value=0,
            )
        )
    errors = queries.error_ratio(metrics)
    if errors is not None:
        result.append(
            panels.timeseries(
                "Error ratio",
                f"Share of the requests of $service that failed, from {source}.",
                [("errors", errors)],
                "percentunit",
                min_value=0,
            )
        )
    quantiles = queries.latency_quantiles(metrics)
    if quantiles:
        result.append(
            panels.timeseries(
                "Latency",
                f"p50, p95 and p99 request duration of $service from `{metrics.duration_metric}`.",
                quantiles,
                queries.latency_unit(metrics),
                min_value=0,
            )
        )
    return result


def slo_panels(suffixes: list[str]) -> list[tuple[panels.Panel, int]]:
    """SLI vs objective, error budget remaining and burn rates of `$slo`, with widths."""
    sli = panels.timeseries(
        "SLI vs objective",
        "The SLI of $slo over the SLO's window against its objective.",
        [("SLI (window)", queries.sli_over_period(suffixes)), ("objective", queries.objective())],
        "percentunit",
        decimals=3,
    )
    budget = panels.stat(
        "Error budget remaining",
        "Share of the window's error budget of $slo not yet spent; negative once overspent.",
        queries.budget_remaining(),
        "percentunit",
        decimals=1,
        thresholds=panels.steps(("red", None), ("orange", 0), ("green", 0.25)),
    )
    burn = panels.timeseries(
        "Burn rate",
        "Error ratio over each window divided by the error budget: at 1 the budget lasts "
        "exactly the SLO window; the alerts fire on pairs of windows well above 1.",
        [(window, queries.burn_rate(window)) for window in queries.BURN_WINDOWS],
        "none",
        decimals=2,
        threshold_line=1,
        min_value=0,
    )
    return [(sli, 10), (budget, 4), (burn, 10)]


def alerts_panel() -> panels.Panel:
    """The selected service's pending and firing alerts over time."""
    return panels.state_timeline(
        "Alerts",
        "Prometheus' ALERTS series for $service: every obsc alert of the service, "
        "pending or firing.",
        [("{{alertname}} {{severity}} ({{alertstate}})", queries.alerts())],
        [{"type": "value", "options": {"1": {"color": "red", "index": 0, "text": "active"}}}],
    )


def exporter_panels(service: ResolvedService) -> list[panels.Panel]:
    """Up and scrape health of an infrastructure service's exporter."""
    exporter = service.exporter.name if service.exporter else "exporter"
    up = panels.stat(
        "Exporter up",
        f"Whether every scrape of $service's {exporter} succeeded (Prometheus' `up`).",
        queries.exporter_up(),
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
        f"How long each scrape of $service's {exporter} took.",
        [("{{instance}}", queries.scrape_series("scrape_duration_seconds"))],
        "s",
        min_value=0,
    )
    samples = panels.timeseries(
        "Samples scraped",
        f"Samples $service's {exporter} exposed per scrape.",
        [("{{instance}}", queries.scrape_series("scrape_samples_scraped"))],
        "short",
        min_value=0,
    )
    return [up, duration, samples]


def health_panels(service: ResolvedService) -> list[panels.Panel]:
    """The framework's graphs of what its alerts watch (connections, replication, memory).

    Their queries select `service="${service}"`, written `$service` like the other panels'.
    """
    return [
        panels.timeseries(
            panel.title,
            panel.description,
            [(panel.legend or "{{service}}", panel.expr.replace("${service}", "$service"))],
            panel.unit,
            threshold_line=panel.threshold,
            min_value=0,
        )
        for panel in service.health_panels
    ]


def runbook_pattern(services: list[ResolvedService]) -> str | None:
    """One runbook URL for all of `services` with `${service}` for the name, when there is one.

    When every service's runbook is the same prefix followed by the service's name (the usual
    layout, `https://runbooks.example.com/<service>`), the header links to it for the selected
    service. Otherwise there is no runbook link; each alert still carries its `runbook_url`.
    Grafana replaces `$name`, `${name}` and `[[name]]` in link URLs with template variables,
    so the prefix's own `$` and brackets are percent-encoded: the link opens the runbook URL
    the spec names, not one Grafana rewrote.
    """
    books = [(s.runbook or "", s.name) for s in services]
    if not all(book.endswith(name) for book, name in books):
        return None
    prefixes = {book[: -len(name)] for book, name in books}
    if len(prefixes) != 1 or not next(iter(prefixes)):
        return None
    return _grafana_literal(prefixes.pop()) + "${service}"


def _grafana_literal(url: str) -> str:
    """`url` with the characters of Grafana's variable syntax percent-encoded."""
    return url.replace("$", "%24").replace("[[", "%5B%5B")


def _links(services: list[ResolvedService], teams_with_overview: set[str]) -> list[dict[str, Any]]:
    teams = sorted({s.team for s in services} & teams_with_overview)
    links = [
        dashboard_link(f"{team} SLO overview", dashboard_url(overview_uid(team))) for team in teams
    ]
    runbook = runbook_pattern(services)
    if runbook:
        links.append(dashboard_link("Runbook of $service", runbook, new_tab=True))
    return links


def _period_suffixes(services: list[ResolvedService]) -> list[str]:
    return sorted({period_suffix(slo.window) for s in services for slo in s.slos})


def framework_dashboard(
    environment: str, services: list[ResolvedService], teams_with_overview: set[str]
) -> dict[str, Any]:
    """The dashboard of every service of one framework (`services`, sorted by name)."""
    first = services[0]
    framework = first.framework
    grid = panels.Grid()
    variables = [custom_variable("service", "Service", [s.name for s in services])]
    if first.category == "infrastructure":
        exporter = first.exporter.name if first.exporter else "exporter"
        grid.row(f"Exporter: {exporter}")
        for panel, width in zip(exporter_panels(first), (4, 10, 10), strict=True):
            grid.add(panel, width, TRAFFIC_HEIGHT)
        if first.health_panels:
            grid.row("Health: what its alerts watch")
            for panel in health_panels(first):
                grid.add(panel, panels.GRID_WIDTH // 2, TRAFFIC_HEIGHT)
        grid.row("Alerts")
        grid.add(alerts_panel(), panels.GRID_WIDTH, ALERTS_HEIGHT)
    else:
        traffic = traffic_panels(first) if any(s.metrics.enabled for s in services) else []
        if traffic:
            grid.row("Traffic")
            grid.add_line(traffic, TRAFFIC_HEIGHT)
        suffixes = _period_suffixes(services)
        if suffixes:
            variables.append(query_variable("slo", "SLO", queries.slos_of_service()))
            grid.row("SLO $slo", repeat="slo")
            for panel, width in slo_panels(suffixes):
                grid.add(panel, width, SLO_HEIGHT)
        grid.row("Alerts")
        grid.add(alerts_panel(), panels.GRID_WIDTH, ALERTS_HEIGHT)
        grid.row("Logs and traces")
        grid.add_line(
            [
                panels.logs("Logs", "Newest log lines of $service in Loki.", queries.logs()),
                panels.trace_search(
                    "Traces",
                    "Recent (sampled) traces of $service in Tempo.",
                    queries.traces(),
                ),
            ],
            LOGS_HEIGHT,
        )
    teams = sorted({s.team for s in services})
    return dashboard(
        uid=service_dashboard_uid(framework),
        title=f"{framework} services ({environment})",
        description=(
            f"Every {framework} service in {environment} (teams {', '.join(teams)}), one at a "
            "time: pick it with the service variable. Rendered by obsc: edit the specs, not "
            "this dashboard."
        ),
        tags=["obsc", framework, *teams],
        panels=grid.panels,
        links=_links(services, teams_with_overview),
        variables=variables,
    )
