"""Names the grafana target agrees on: datasource uids, dashboard and folder uids, paths.

Datasource uids are part of docs/contracts.md; dashboard uids, which the alerts target
links to as well, live in compiler.output.links.
"""

from __future__ import annotations

from typing import Final

from compiler.output.links import short_uid
from compiler.output.query_strings import string_literal

PROMETHEUS: Final = "prometheus"
LOKI: Final = "loki"
TEMPO: Final = "tempo"
ALERTMANAGER: Final = "alertmanager"

#: Where the compose and helm targets mount `rendered/<env>/grafana/dashboards/`.
DASHBOARDS_MOUNT: Final = "/var/lib/grafana/dashboards"
OVERVIEW_FILE: Final = "slo-overview.json"
#: The folder of the framework dashboards, shared by every team: `dashboards/obsc.services/`.
#: The dot keeps it out of reach of teams, whose names are DNS labels.
SERVICES_FOLDER: Final = "obsc.services"
SERVICES_FOLDER_UID: Final = "obscfolder_services"


def folder_uid(team: str) -> str:
    """The uid of a team's dashboard folder.

    Older Grafana versions keep folders and dashboards in one table with one uid space, so
    the prefix `obscfolder-` is chosen to never collide with an `obsc-...` dashboard uid.
    """
    return short_uid(f"obscfolder-{team}")


def matchers(*extra: str, **labels: str) -> str:
    """A label selector body: `{service="x", slo="y"}` plus raw matchers such as `code=~"5.."`."""
    parts = [f"{name}={string_literal(value)}" for name, value in labels.items()]
    parts.extend(extra)
    return "{" + ", ".join(parts) + "}"
