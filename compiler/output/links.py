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


def service_dashboard_uid(framework: str) -> str:
    """The uid of the dashboard of every service of one framework: `obsc-fw-<framework>`.

    One dashboard per framework with a `service` variable (Grafana's convention for many
    similar services): the panels differ per framework (its metric names), not per service.
    Shortened past 40 characters.
    """
    return short_uid(f"obsc-fw-{framework}")


def overview_uid(team: str) -> str:
    """The uid of a team's SLO overview: `obsc-slo-<team>` (shortened past 40 characters)."""
    return short_uid(f"obsc-slo-{team}")


#: What the stack's own files are called: `alerts/rules/obsc.stack.rules.yaml`, its promtool
#: test, the dashboard folder `grafana/dashboards/obsc.stack/`. The dot keeps the name out of
#: reach of services and teams, whose names are DNS labels and share those directories.
STACK_NAME: Final = "obsc.stack"
#: The stack dashboard's uid; the `_` keeps it out of the `obsc-...` uid space.
STACK_DASHBOARD_UID: Final = "obsc_stack"


def dashboard_url(uid: str) -> str:
    """The path Grafana serves a dashboard at."""
    return f"/d/{uid}"


#: The query parameter that presets a dashboard's `service` variable.
SERVICE_VARIABLE: Final = "var-service"
#: The query parameter that presets the `slo` variable (the repeated SLO row).
SLO_VARIABLE: Final = "var-slo"


def service_dashboard_url(
    service: str, framework: str, grafana_url: str | None = None, *, slo: str | None = None
) -> str:
    """A service's dashboard: its framework's, with the `service` variable preset to it.

    `/d/obsc-fw-<framework>?var-service=<service>` (and `&var-slo=<slo>`, which shows that
    SLO's row alone, when `slo` is given), absolute under Grafana's base URL
    (`alerting.grafanaUrl`, without a trailing `/`) when given, else the path alone. Service
    names are DNS labels and need no escaping; `service` may also be a Grafana data-link
    macro such as `${__value.raw}` (the team overviews' tables), which must stay verbatim.
    """
    path = dashboard_url(service_dashboard_uid(framework))
    query = f"?{SERVICE_VARIABLE}={service}" + (f"&{SLO_VARIABLE}={slo}" if slo else "")
    return f"{grafana_url or ''}{path}{query}"


def period_suffix(window: str) -> str:
    """The recording-rule suffix of an SLO window: the window itself, but `4w` for `28d`.

    Sloth names the 28-day period `ratio_rate4w`; keeping that keeps Sloth dashboards working.
    """
    return "4w" if window == "28d" else window
