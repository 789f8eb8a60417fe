"""A team's SLO overview (`dashboards/<team>/slo-overview.json`, uid `obsc-slo-<team>`).

One table per framework among the team's services with SLOs, one line per service and SLO:
objective, SLI over the SLO's own window, error budget remaining and the current (5m) burn
rate. A service's name links to its framework's dashboard opened on it, an SLO's name to the
same dashboard showing that SLO's row alone. Teams without any SLO get no overview.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.links import (
    dashboard_url,
    overview_uid,
    period_suffix,
    service_dashboard_uid,
    service_dashboard_url,
)
from targets.grafana import panels, queries
from targets.grafana.dashboard import dashboard, tagged_dashboards_link

COLUMNS = ("Objective", "SLI (window)", "Budget remaining", "Burn rate (5m)")
BURN_COLUMN = COLUMNS[3]
BUDGET_COLUMN = COLUMNS[2]
#: Grafana's data-link macros: the clicked cell's value, and the row's `service` field.
CELL = "${__value.raw}"
ROW_SERVICE = "${__data.fields.service}"
MAX_TABLE_HEIGHT = 30


def _by_name(name: str, *properties: tuple[str, Any]) -> dict[str, Any]:
    return {
        "matcher": {"id": "byName", "options": name},
        "properties": [{"id": key, "value": value} for key, value in properties],
    }


def slo_table(framework: str, services: list[ResolvedService]) -> panels.Panel:
    """The table of the SLOs of a team's services of one framework."""
    names = [s.name for s in services]
    suffixes = sorted({period_suffix(slo.window) for s in services for slo in s.slos})
    service_url = service_dashboard_url(CELL, framework)
    slo_url = service_dashboard_url(ROW_SERVICE, framework, slo=CELL)
    table = panels.table(
        f"{framework} services",
        f"The SLOs of the team's {framework} services: objective, SLI over each SLO's window, "
        "share of the error budget left, and burn rate over the last 5 minutes (1 = on pace "
        "to spend the budget exactly). A service or SLO links to its dashboard.",
        [
            ("", queries.slos_by_service("slo:objective:ratio", names)),
            ("", queries.sli_by_service(names, suffixes)),
            ("", queries.slos_by_service("slo:period_error_budget_remaining:ratio", names)),
            ("", queries.slos_by_service("slo:current_burn_rate:ratio", names)),
        ],
        "percentunit",
        decimals=3,
        transformations=[
            {"id": "merge", "options": {}},
            {
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": True},
                    "indexByName": {"service": 0, "slo": 1}
                    | {f"Value #{ref}": i + 2 for i, ref in enumerate("ABCD")},
                    "renameByName": {"service": "Service", "slo": "SLO"}
                    | {f"Value #{ref}": col for ref, col in zip("ABCD", COLUMNS, strict=True)},
                },
            },
        ],
        overrides=[
            _by_name("Service", ("links", [{"title": f"{CELL} dashboard", "url": service_url}])),
            _by_name("SLO", ("links", [{"title": f"{CELL} SLO", "url": slo_url}])),
            _by_name(
                BUDGET_COLUMN,
                ("decimals", 1),
                ("thresholds", panels.steps(("red", None), ("orange", 0), ("green", 0.25))),
                ("custom.cellOptions", {"type": "color-background"}),
            ),
            _by_name(BURN_COLUMN, ("unit", "none"), ("decimals", 2)),
        ],
    )
    url = dashboard_url(service_dashboard_uid(framework))
    table["links"] = [panels.link(f"{framework} services dashboard", url)]
    return table


def teams_with_overview(model: EnvironmentModel) -> set[str]:
    """The teams that get an SLO overview: those with a service that has an SLO."""
    return {service.team for service in model.services if service.slos}


def _height(services: list[ResolvedService]) -> int:
    rows = sum(len(s.slos) for s in services)
    return min(3 + rows, MAX_TABLE_HEIGHT)


def overview_dashboard(model: EnvironmentModel, team: str) -> dict[str, Any] | None:
    """The SLO overview of `team`, or None when none of its services has an SLO."""
    services = sorted(
        (s for s in model.services if s.team == team and s.slos),
        key=lambda s: (s.framework, s.name),
    )
    if not services:
        return None
    grid = panels.Grid()
    for framework, group in groupby(services, key=lambda s: s.framework):
        members = list(group)
        grid.add(slo_table(framework, members), panels.GRID_WIDTH, _height(members))
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
