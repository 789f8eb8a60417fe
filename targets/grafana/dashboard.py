"""What every obsc dashboard has around its panels: uid, title, variables, time, links.

Dashboards are in Grafana's classic JSON model at schemaVersion 41, the version Grafana 12.1
writes (`@grafana/schema` 12.1.0's default): older versions would be migrated on every load,
newer ones may carry fields the pinned Grafana does not know. There is no `id` (Grafana assigns
it) and no `version` (Grafana counts saves; provisioned dashboards are read-only), so the bytes
depend on the model alone.
"""

from __future__ import annotations

from typing import Any

from targets.grafana.names import ALERTMANAGER, LOKI, PROMETHEUS, TEMPO
from targets.grafana.panels import Panel, variable_name

SCHEMA_VERSION = 41
GRAFANA_BUILTIN = {"type": "grafana", "uid": "-- Grafana --"}

#: Provisioned datasources: type -> (uid, name). Datasource variables default to these.
DATASOURCES = {
    PROMETHEUS: (PROMETHEUS, "Prometheus"),
    LOKI: (LOKI, "Loki"),
    TEMPO: (TEMPO, "Tempo"),
    ALERTMANAGER: (ALERTMANAGER, "Alertmanager"),
}


def datasource_variable(datasource_type: str) -> dict[str, Any]:
    """A datasource picker for one type, defaulting to the provisioned datasource."""
    uid, name = DATASOURCES[datasource_type]
    return {
        "type": "datasource",
        "name": variable_name(datasource_type),
        "label": f"{datasource_type.title()} data source",
        "query": datasource_type,
        "current": {"text": name, "value": uid},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "refresh": 1,
        "regex": "",
    }


def custom_variable(name: str, label: str, values: list[str]) -> dict[str, Any]:
    """A single-value picker over fixed values (comma-free), defaulting to the first."""
    return {
        "type": "custom",
        "name": name,
        "label": label,
        "query": ",".join(values),
        "current": {"text": values[0], "value": values[0]},
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "options": [],
        "skipUrlSync": False,
    }


#: The Prometheus variable editor's query type for a raw `label_values(...)` string (its
#: other types rebuild the query from separate metric and label fields).
CLASSIC_QUERY = 5


def query_variable(name: str, label: str, query: str) -> dict[str, Any]:
    """A multi-value Prometheus label picker, every value selected by default.

    Refreshed on every time range change (the dashboard linter asks for it).
    """
    return {
        "type": "query",
        "name": name,
        "label": label,
        "datasource": {"type": PROMETHEUS, "uid": "${" + variable_name(PROMETHEUS) + "}"},
        "definition": query,
        "query": {
            "qryType": CLASSIC_QUERY,
            "query": query,
            "refId": "PrometheusVariableQueryEditor-VariableQuery",
        },
        "current": {"text": ["All"], "value": ["$__all"]},
        "hide": 0,
        "includeAll": True,
        "multi": True,
        "options": [],
        "refresh": 2,
        "regex": "",
        "sort": 1,
        "skipUrlSync": False,
    }


def dashboard_link(title: str, url: str, *, new_tab: bool = False) -> dict[str, Any]:
    """A link in the dashboard's header to one URL, keeping the time range for Grafana links."""
    return {
        "title": title,
        "type": "link",
        "url": url,
        "icon": "external link" if new_tab else "dashboard",
        "tooltip": "",
        "targetBlank": new_tab,
        "keepTime": not new_tab,
        "includeVars": False,
        "asDropdown": False,
        "tags": [],
    }


def tagged_dashboards_link(title: str, tags: list[str]) -> dict[str, Any]:
    """A dropdown in the dashboard's header listing every dashboard carrying all `tags`."""
    return {
        "title": title,
        "type": "dashboards",
        "tags": tags,
        "asDropdown": True,
        "icon": "external link",
        "tooltip": "",
        "targetBlank": False,
        "keepTime": True,
        "includeVars": False,
        "url": "",
    }


def _used_datasource_types(panels: list[Panel]) -> list[str]:
    used = {p["datasource"]["type"] for p in panels if "datasource" in p}
    # Prometheus first: the dashboard linter reads the first datasource variable's type to
    # decide whether to check PromQL.
    return sorted(used, key=lambda kind: (kind != PROMETHEUS, kind))


def dashboard(
    *,
    uid: str,
    title: str,
    description: str,
    tags: list[str],
    panels: list[Panel],
    links: list[dict[str, Any]],
    variables: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A complete dashboard around `panels` (already placed and numbered).

    `variables` follow the datasource pickers, which come first.
    """
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": tags,
        "timezone": "utc",
        "editable": False,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION,
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "weekStart": "",
        "annotations": {
            "list": [
                {
                    "builtIn": 1,
                    "datasource": GRAFANA_BUILTIN,
                    "enable": True,
                    "hide": True,
                    "iconColor": "rgba(0, 211, 255, 1)",
                    "name": "Annotations & Alerts",
                    "type": "dashboard",
                }
            ]
        },
        "templating": {
            "list": [datasource_variable(kind) for kind in _used_datasource_types(panels)]
            + (variables or [])
        },
        "links": links,
        "panels": panels,
    }
