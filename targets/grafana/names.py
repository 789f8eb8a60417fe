"""Names the grafana target agrees on: datasource uids, dashboard and folder uids, paths.

Datasource uids and the `obsc-<service>` / `obsc-slo-<team>` dashboard uids are part of
docs/contracts.md (alerts link to `/d/obsc-<service>`), so they live in one place here.
"""

from __future__ import annotations

import hashlib
from typing import Final

PROMETHEUS: Final = "prometheus"
LOKI: Final = "loki"
TEMPO: Final = "tempo"
ALERTMANAGER: Final = "alertmanager"

#: Grafana rejects dashboard and folder uids longer than this.
MAX_UID_LENGTH: Final = 40
_HASH_LENGTH: Final = 8

#: Where the compose and helm targets mount `rendered/<env>/grafana/dashboards/`.
DASHBOARDS_MOUNT: Final = "/var/lib/grafana/dashboards"
OVERVIEW_FILE: Final = "slo-overview.json"


def short_uid(uid: str) -> str:
    """`uid` itself when Grafana accepts its length, else a stable shortened form.

    A longer uid keeps its first characters and ends in `-` plus the first 8 hex digits of
    its sha256, so distinct long names stay distinct and the result never changes.
    """
    if len(uid) <= MAX_UID_LENGTH:
        return uid
    digest = hashlib.sha256(uid.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    head = uid[: MAX_UID_LENGTH - _HASH_LENGTH - 1].rstrip("-")
    return f"{head}-{digest}"


def service_dashboard_uid(service: str) -> str:
    """The uid of a service's dashboard: `obsc-<service>` (shortened past 40 characters)."""
    return short_uid(f"obsc-{service}")


def overview_uid(team: str) -> str:
    """The uid of a team's SLO overview: `obsc-slo-<team>` (shortened past 40 characters)."""
    return short_uid(f"obsc-slo-{team}")


def folder_uid(team: str) -> str:
    """The uid of a team's dashboard folder.

    Older Grafana versions keep folders and dashboards in one table with one uid space, so
    the prefix `obscfolder-` is chosen to never collide with an `obsc-...` dashboard uid.
    """
    return short_uid(f"obscfolder-{team}")


def dashboard_url(uid: str) -> str:
    """The path Grafana serves a dashboard at."""
    return f"/d/{uid}"


def period_suffix(window: str) -> str:
    """The suffix of an SLO's period recording rule (`slo:sli_error:ratio_rate<suffix>`).

    It is the window string itself (`30d`), except that a `28d` window is `4w`: Sloth names
    the 28-day period that way and docs/contracts.md (and the alerts target) follow it.
    """
    return "4w" if window == "28d" else window


def quote(value: str) -> str:
    """A PromQL / LogQL / TraceQL double-quoted string literal for `value`."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def matchers(*extra: str, **labels: str) -> str:
    """A label selector body: `{service="x", slo="y"}` plus raw matchers such as `code=~"5.."`."""
    parts = [f"{name}={quote(value)}" for name, value in labels.items()]
    parts.extend(extra)
    return "{" + ", ".join(parts) + "}"
