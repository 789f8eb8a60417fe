"""`provisioning/dashboards/dashboards.yaml`: one file provider, and one folder, per team.

Teams get a folder for their SLO overview (so only teams with an SLO); the framework
dashboards, shared by every team, a provider and folder `obsc.services`; the stack's own
dashboard, when there is one, a provider and folder `obsc.stack`.
"""

from __future__ import annotations

from typing import Any

from compiler.model import EnvironmentModel
from compiler.output.links import STACK_NAME
from targets.grafana.names import (
    DASHBOARDS_MOUNT,
    SERVICES_FOLDER,
    SERVICES_FOLDER_UID,
    folder_uid,
)
from targets.grafana.overview import teams_with_overview
from targets.grafana.stack import FOLDER_UID, has_stack_dashboard


def provider(team: str, *, name: str | None = None, uid: str | None = None) -> dict[str, Any]:
    """The provider of a team's folder: read-only, never deleted from the UI.

    `name` and `uid` default to the team's (`obsc-<team>`, `folder_uid(team)`).
    """
    return {
        "name": name or f"obsc-{team}",
        "orgId": 1,
        "folder": team,
        "folderUid": uid or folder_uid(team),
        "type": "file",
        "disableDeletion": True,
        "allowUiUpdates": False,
        "updateIntervalSeconds": 30,
        "options": {
            "path": f"{DASHBOARDS_MOUNT}/{team}",
            "foldersFromFilesStructure": False,
        },
    }


def providers_document(model: EnvironmentModel) -> dict[str, Any]:
    """The whole provisioning file."""
    providers = [provider(team) for team in sorted(teams_with_overview(model))]
    if model.services:
        providers.append(provider(SERVICES_FOLDER, name=SERVICES_FOLDER, uid=SERVICES_FOLDER_UID))
    if has_stack_dashboard(model):
        providers.append(provider(STACK_NAME, name=STACK_NAME, uid=FOLDER_UID))
    return {"apiVersion": 1, "providers": providers}
