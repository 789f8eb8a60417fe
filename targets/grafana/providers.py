"""`provisioning/dashboards/dashboards.yaml`: one file provider, and one folder, per team."""

from __future__ import annotations

from typing import Any

from compiler.model import EnvironmentModel
from targets.grafana.names import DASHBOARDS_MOUNT, folder_uid


def teams(model: EnvironmentModel) -> list[str]:
    """The teams that own a service in this environment, sorted."""
    return sorted({service.team for service in model.services})


def provider(team: str) -> dict[str, Any]:
    """The provider of a team's folder: read-only, never deleted from the UI."""
    return {
        "name": f"obsc-{team}",
        "orgId": 1,
        "folder": team,
        "folderUid": folder_uid(team),
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
    return {"apiVersion": 1, "providers": [provider(team) for team in teams(model)]}
