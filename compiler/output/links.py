"""Names that several targets must agree on: dashboard uids and URLs, SLO period suffixes.

Alerts link to dashboards and the grafana target creates them; dashboards query the
recording rules the alerts target writes. Both derive those names here (docs/contracts.md),
so the two sides cannot drift apart.
"""

from __future__ import annotations

import hashlib
from typing import Final

#: Grafana rejects dashboard and folder uids longer than this.
MAX_UID_LENGTH: Final = 40
_HASH_LENGTH: Final = 8


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


#: What the stack's own files are called: `alerts/rules/obsc.stack.rules.yaml`, its promtool
#: test, the dashboard folder `grafana/dashboards/obsc.stack/`. The dot keeps the name out of
#: reach of services and teams, whose names are DNS labels and share those directories.
STACK_NAME: Final = "obsc.stack"
#: The stack dashboard's uid; the `_` keeps it out of the `obsc-<service>` uid space.
STACK_DASHBOARD_UID: Final = "obsc_stack"


def dashboard_url(uid: str) -> str:
    """The path Grafana serves a dashboard at."""
    return f"/d/{uid}"


def service_dashboard_url(service: str, grafana_url: str | None = None) -> str:
    """A service's dashboard, for alert annotations.

    Absolute under Grafana's base URL (`alerting.grafanaUrl`, without a trailing `/`),
    else the path alone.
    """
    return (grafana_url or "") + dashboard_url(service_dashboard_uid(service))


def period_suffix(window: str) -> str:
    """The recording-rule suffix of an SLO window: the window itself, but `4w` for `28d`.

    Sloth names the 28-day period `ratio_rate4w`; keeping that keeps Sloth dashboards working.
    """
    return "4w" if window == "28d" else window
