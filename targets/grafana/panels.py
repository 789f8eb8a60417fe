"""Panels and their queries as plain dicts, and a grid that places them and numbers them.

Every panel gets a description and a unit (the dashboard linter asks for both) and reads its
datasource from the dashboard's datasource variable (`${prometheus_datasource}`, ...), whose
default is the provisioned uid. Panel ids are 1, 2, ... in the order panels are added, so the
same model always yields the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from targets.grafana.names import LOKI, PROMETHEUS, TEMPO

Panel = dict[str, Any]
Target = dict[str, Any]

GRID_WIDTH = 24
REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def variable_name(datasource_type: str) -> str:
    """The name of the dashboard variable that selects a datasource of this type."""
    return f"{datasource_type}_datasource"


def datasource_ref(datasource_type: str) -> dict[str, str]:
    """A panel's or target's datasource: the dashboard variable of that type."""
    return {"type": datasource_type, "uid": "${" + variable_name(datasource_type) + "}"}


# Targets --------------------------------------------------------------------------------


def prom_targets(
    queries: list[tuple[str, str]], *, instant: bool = False, table: bool = False
) -> list[Target]:
    """Prometheus targets from `(legend, expr)` pairs, with refIds A, B, ..."""
    targets = []
    for index, (legend, expr) in enumerate(queries):
        target: Target = {
            "datasource": datasource_ref(PROMETHEUS),
            "expr": expr,
            "legendFormat": legend,
            "refId": REF_IDS[index],
            "range": not instant,
            "instant": instant,
        }
        if table:
            target["format"] = "table"
        targets.append(target)
    return targets


def loki_target(expr: str) -> Target:
    """A Loki log query."""
    return {
        "datasource": datasource_ref(LOKI),
        "expr": expr,
        "queryType": "range",
        "refId": "A",
    }


def tempo_search_target(traceql: str, limit: int = 20) -> Target:
    """A Tempo TraceQL search, one row per trace."""
    return {
        "datasource": datasource_ref(TEMPO),
        "limit": limit,
        "query": traceql,
        "queryType": "traceql",
        "refId": "A",
        "tableType": "traces",
    }


# Field config ---------------------------------------------------------------------------


def steps(*pairs: tuple[str, float | None]) -> dict[str, Any]:
    """Absolute thresholds from `(colour, from value)`; the first starts at -inf (None)."""
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in pairs]}


def field_config(
    unit: str,
    *,
    decimals: int | None = None,
    thresholds: dict[str, Any] | None = None,
    custom: dict[str, Any] | None = None,
    mappings: list[dict[str, Any]] | None = None,
    min_value: float | None = None,
    overrides: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`fieldConfig` with the defaults obsc sets; anything left out is Grafana's default."""
    defaults: dict[str, Any] = {"unit": unit}
    if decimals is not None:
        defaults["decimals"] = decimals
    if thresholds is not None:
        defaults["thresholds"] = thresholds
    if custom is not None:
        defaults["custom"] = custom
    if mappings is not None:
        defaults["mappings"] = mappings
    if min_value is not None:
        defaults["min"] = min_value
    return {"defaults": defaults, "overrides": overrides or []}


def _base(kind: str, title: str, description: str, datasource: str) -> Panel:
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": datasource_ref(datasource),
    }


# Panels ---------------------------------------------------------------------------------


def timeseries(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    *,
    decimals: int | None = None,
    threshold_line: float | None = None,
    min_value: float | None = None,
) -> Panel:
    """A time series graph of PromQL queries; `threshold_line` draws a red line there."""
    custom: dict[str, Any] = {"drawStyle": "line", "fillOpacity": 10, "showPoints": "never"}
    thresholds = None
    if threshold_line is not None:
        custom["thresholdsStyle"] = {"mode": "line"}
        thresholds = steps(("green", None), ("red", threshold_line))
    panel = _base("timeseries", title, description, PROMETHEUS)
    panel["targets"] = prom_targets(queries)
    panel["fieldConfig"] = field_config(
        unit, decimals=decimals, thresholds=thresholds, custom=custom, min_value=min_value
    )
    panel["options"] = {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    return panel


def stat(
    title: str,
    description: str,
    expr: str,
    unit: str,
    *,
    decimals: int | None = None,
    thresholds: dict[str, Any] | None = None,
    mappings: list[dict[str, Any]] | None = None,
) -> Panel:
    """A single value: the last non-null value of one PromQL query."""
    panel = _base("stat", title, description, PROMETHEUS)
    panel["targets"] = prom_targets([("", expr)])
    panel["fieldConfig"] = field_config(
        unit, decimals=decimals, thresholds=thresholds, mappings=mappings
    )
    panel["options"] = {
        "colorMode": "background",
        "graphMode": "area",
        "justifyMode": "auto",
        "textMode": "value",
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
    }
    return panel


def state_timeline(
    title: str, description: str, queries: list[tuple[str, str]], mappings: list[dict[str, Any]]
) -> Panel:
    """Series drawn as coloured states over time (for ALERTS, whose value is always 1)."""
    panel = _base("state-timeline", title, description, PROMETHEUS)
    panel["targets"] = prom_targets(queries)
    panel["fieldConfig"] = field_config("none", mappings=mappings)
    panel["options"] = {
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": False},
        "showValue": "never",
        "mergeValues": True,
    }
    return panel


def table(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    *,
    transformations: list[dict[str, Any]],
    overrides: list[dict[str, Any]],
    decimals: int | None = None,
) -> Panel:
    """A table of instant PromQL queries joined by the transformations."""
    panel = _base("table", title, description, PROMETHEUS)
    panel["targets"] = prom_targets(queries, instant=True, table=True)
    panel["fieldConfig"] = field_config(unit, decimals=decimals, overrides=overrides)
    panel["transformations"] = transformations
    panel["options"] = {"showHeader": True, "cellHeight": "sm"}
    return panel


def logs(title: str, description: str, expr: str) -> Panel:
    """The newest log lines of a LogQL stream selector."""
    panel = _base("logs", title, description, LOKI)
    panel["targets"] = [loki_target(expr)]
    panel["options"] = {
        "dedupStrategy": "none",
        "enableLogDetails": True,
        "prettifyLogMessage": False,
        "showCommonLabels": False,
        "showLabels": False,
        "showTime": True,
        "sortOrder": "Descending",
        "wrapLogMessage": True,
    }
    return panel


def trace_search(title: str, description: str, traceql: str) -> Panel:
    """A table of the traces a TraceQL search finds (durations in milliseconds)."""
    panel = _base("table", title, description, TEMPO)
    panel["targets"] = [tempo_search_target(traceql)]
    panel["fieldConfig"] = field_config("ms")
    panel["options"] = {"showHeader": True, "cellHeight": "sm"}
    return panel


def row_panel(title: str, repeat: str | None = None) -> Panel:
    """An expanded row header (its panels follow it at the top level).

    `repeat`: a variable's name; Grafana repeats the row and its panels once per value.
    """
    panel: Panel = {"type": "row", "title": title, "collapsed": False, "panels": []}
    if repeat is not None:
        panel["repeat"] = repeat
    return panel


def link(title: str, url: str, *, new_tab: bool = False, keep_time: bool = True) -> dict[str, Any]:
    """A link on a panel or a dashboard."""
    return {"title": title, "url": url, "targetBlank": new_tab, "keepTime": keep_time}


# Layout ---------------------------------------------------------------------------------


@dataclass
class Grid:
    """Places panels left to right on Grafana's 24-column grid and numbers them."""

    panels: list[Panel] = field(default_factory=list)
    _x: int = 0
    _y: int = 0
    _line_height: int = 0

    def _newline(self) -> None:
        self._y += self._line_height
        self._x = 0
        self._line_height = 0

    def row(self, title: str, repeat: str | None = None) -> None:
        """Start a new row with a header (repeated per value of the variable `repeat`)."""
        if self._x:
            self._newline()
        self._place(row_panel(title, repeat), GRID_WIDTH, 1)
        self._newline()

    def add(self, panel: Panel, width: int, height: int) -> None:
        """Add a panel of `width` columns, wrapping to a new line when it does not fit."""
        if self._x + width > GRID_WIDTH:
            self._newline()
        self._place(panel, width, height)

    def add_line(self, panels: list[Panel], height: int) -> None:
        """Add panels that share one line equally (the last one takes the remainder)."""
        if not panels:
            return
        if self._x:
            self._newline()
        width = GRID_WIDTH // len(panels)
        for index, panel in enumerate(panels):
            last = index == len(panels) - 1
            self.add(panel, GRID_WIDTH - self._x if last else width, height)

    def _place(self, panel: Panel, width: int, height: int) -> None:
        panel["id"] = len(self.panels) + 1
        panel["gridPos"] = {"h": height, "w": width, "x": self._x, "y": self._y}
        self.panels.append(panel)
        self._x += width
        self._line_height = max(self._line_height, height)
