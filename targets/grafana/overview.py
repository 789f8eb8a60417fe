"""A team's SLO overview (`dashboards/<team>/slo-overview.json`, uid `obsc-slo-<team>`).

One table per service with SLOs, one line per SLO: objective, SLI over the SLO's own window,
error budget remaining and the current (5m) burn rate, linked to the service's dashboard.
Teams without any SLO get no overview.
"""

from __future__ import annotations

from typing import Any

from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.links import dashboard_url, overview_uid, service_dashboard_uid
from targets.grafana import panels, queries
from targets.grafana.dashboard import dashboard, tagged_dashboards_link

COLUMNS = ("Objective", "SLI (window)", "Budget remaining", "Burn rate (5m)")
BURN_COLUMN = COLUMNS[3]
BUDGET_COLUMN = COLUMNS[2]


def _by_name(name: str, *properties: tuple[str, Any]) -> dict[str, Any]:
    return {
        "matcher": {"id": "byName", "options": name},
        "properties": [{"id": key, "value": value} for key, value in properties],
    }


def slo_table(service: ResolvedService) -> panels.Panel:
    """The table of one service's SLOs."""
    url = dashboard_url(service_dashboard_uid(service.name))
    table = panels.table(
        service.name,
        f"The SLOs of {service.name}: objective, SLI over each SLO's window, share of the "
        "error budget left, and burn rate over the last 5 minutes (1 = on pace to spend the "
        "budget exactly).",
        [
            ("", queries.service_slos_by_slo(service, "slo:objective:ratio")),
            ("", queries.service_sli_by_slo(service)),
            ("", queries.service_slos_by_slo(service, "slo:period_error_budget_remaining:ratio")),
            ("", queries.service_slos_by_slo(service, "slo:current_burn_rate:ratio")),
        ],
        "percentunit",
        decimals=3,
        transformations=[
            {"id": "merge", "options": {}},
            {
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": True},
                    "indexByName": {"slo": 0}
                    | {f"Value #{ref}": i + 1 for i, ref in enumerate("ABCD")},
                    "renameByName": {"slo": "SLO"}
                    | {f"Value #{ref}": col for ref, col in zip("ABCD", COLUMNS, strict=True)},
                },
            },
        ],
        overrides=[
            _by_name(
                "SLO",
                ("links", [{"title": f"{service.name} dashboard", "url": url}]),
            ),
            _by_name(
                BUDGET_COLUMN,
                ("decimals", 1),
                ("thresholds", panels.steps(("red", None), ("orange", 0), ("green", 0.25))),
                ("custom.cellOptions", {"type": "color-background"}),
            ),
            _by_name(BURN_COLUMN, ("unit", "none"), ("decimals", 2)),
        ],
    )
    table["links"] = [panels.link(f"{service.name} dashboard", url)]
    return table


def teams_with_overview(model: EnvironmentModel) -> set[str]:
    """The teams that get an SLO overview: those with a service that has an SLO."""
    return {service.team for service in model.services if service.slos}


def overview_dashboard(model: EnvironmentModel, team: str) -> dict[str, Any] | None:
    """The SLO overview of `team`, or None when none of its services has an SLO."""
    services = [s for s in model.services if s.team == team and s.slos]
    if not services:
        return None
    grid = panels.Grid()
    for service in services:
        grid.add(slo_table(service), panels.GRID_WIDTH, 3 + 2 * len(service.slos))
    return dashboard(
        uid=overview_uid(team),
        title=f"{team} SLO overview ({model.environment})",
        description=(
            f"Every SLO of team {team}'s services in {model.environment}. "
            "Rendered by obsc: edit the specs, not this dashboard."
        ),
        tags=["obsc", team, "slo"],
        panels=grid.panels,
        links=[tagged_dashboards_link(f"{team} dashboards", ["obsc", team])],
    )
