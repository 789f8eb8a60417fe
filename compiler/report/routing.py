"""Alert routing as Alertmanager will run it: the route tree of the rendered config.

Besides the tree, a table says which receiver a page or a ticket of each team reaches,
found by walking the tree as Alertmanager does (first matching child, unless `continue`)
with only the labels `team` and `severity` set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.output.query_strings import string_value

_MATCHER = re.compile(r'^\s*([^=!~\s]+)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$')


@dataclass(frozen=True, slots=True)
class Matcher:
    """One label matcher of a route or an inhibition."""

    name: str
    op: str
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether an alert with `labels` satisfies it (absent labels are empty)."""
        have = labels.get(self.name, "")
        if self.op in ("=~", "!~"):
            try:
                hit = re.fullmatch(self.value, have) is not None
            except re.error:
                hit = False
            return hit if self.op == "=~" else not hit
        return (have == self.value) if self.op == "=" else (have != self.value)

    def __str__(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


@dataclass(frozen=True, slots=True)
class RouteNode:
    """A route: what it matches, where it sends, when, and its child routes in order."""

    receiver: str
    matchers: tuple[Matcher, ...]
    continue_: bool
    timing: tuple[tuple[str, str], ...]  # group_by, group_wait, ... as rendered
    mute: tuple[str, ...]
    active: tuple[str, ...]
    children: tuple[RouteNode, ...]


@dataclass(frozen=True, slots=True)
class Inhibition:
    """While an alert matching `source` fires, alerts matching `target` are held back."""

    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reach:
    """Where an alert of a team and severity ends up."""

    team: str
    severity: str
    receiver: str
    route: str  # the matchers of the route that took it, or "default route"
    mute: tuple[str, ...]
    active: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Receiver:
    """A receiver and how it notifies (no credentials: the config names files)."""

    name: str
    kinds: tuple[str, ...]
    detail: str


@dataclass(frozen=True, slots=True)
class Routing:
    """Everything of the rendered Alertmanager config the report shows."""

    root: RouteNode
    inhibitions: tuple[Inhibition, ...]
    time_intervals: tuple[tuple[str, str], ...]  # name -> description
    receivers: tuple[Receiver, ...]
    reach: tuple[Reach, ...]


def parse_matchers(route: Mapping[str, Any], key: str = "matchers") -> tuple[Matcher, ...]:
    """A route's matchers: `matchers` strings, and the older `match` / `match_re` maps."""
    found: list[Matcher] = []
    for text in route.get(key) or ():
        hit = _MATCHER.match(str(text))
        if hit:
            value = string_value(hit.group(3)) if hit.group(3) is not None else hit.group(4)
            found.append(Matcher(hit.group(1), hit.group(2), value))
    found += [Matcher(str(k), "=", str(v)) for k, v in (route.get("match") or {}).items()]
    found += [Matcher(str(k), "=~", str(v)) for k, v in (route.get("match_re") or {}).items()]
    return tuple(sorted(found, key=lambda m: (m.name, m.op, m.value)))


_TIMING = ("group_by", "group_wait", "group_interval", "repeat_interval")


def route_node(route: Mapping[str, Any]) -> RouteNode:
    """A route of the rendered config and, recursively, its children."""
    timing = tuple(
        (key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
        for key in _TIMING
        if (value := route.get(key)) is not None
    )
    return RouteNode(
        receiver=str(route.get("receiver", "")),
        matchers=parse_matchers(route),
        continue_=bool(route.get("continue", False)),
        timing=timing,
        mute=tuple(map(str, route.get("mute_time_intervals") or ())),
        active=tuple(map(str, route.get("active_time_intervals") or ())),
        children=tuple(route_node(child) for child in route.get("routes") or ()),
    )


def route_for(node: RouteNode, labels: Mapping[str, str]) -> list[RouteNode]:
    """The routes an alert with `labels` is sent by, below (or else at) `node`."""
    taken: list[RouteNode] = []
    for child in node.children:
        if all(m.matches(labels) for m in child.matchers):
            taken.extend(route_for(child, labels))
            if not child.continue_:
                break
    return taken or [node]


def reach(root: RouteNode, teams: list[str]) -> list[Reach]:
    """For each team, where its pages and its tickets go."""
    rows = []
    for team in teams:
        for severity in ("page", "ticket"):
            for node in route_for(root, {"team": team, "severity": severity}):
                where = ", ".join(map(str, node.matchers)) or "default route"
                rows.append(Reach(team, severity, node.receiver, where, node.mute, node.active))
    return rows


def describe_interval(interval: Mapping[str, Any]) -> str:
    """A time interval in words: `monday:friday 09:00-17:30 (Europe/Berlin)`."""
    parts = [", ".join(map(str, interval.get(key) or ())) for key in _CALENDAR]
    times = ", ".join(
        f"{t.get('start_time', '')}-{t.get('end_time', '')}" for t in interval.get("times") or ()
    )
    words = [p for p in (*parts, times) if p]
    where = f" ({interval['location']})" if interval.get("location") else ""
    return (" ".join(words) or "any time") + where


_CALENDAR = ("weekdays", "days_of_month", "months", "years")


def _receiver(data: Mapping[str, Any]) -> Receiver:
    kinds = sorted(k.removesuffix("_configs") for k in data if k.endswith("_configs"))
    details = []
    for key in sorted(k for k in data if k.endswith("_configs")):
        for config in data[key] or ():
            for field in ("channel", "to", "url"):
                if isinstance(config, dict) and isinstance(config.get(field), str):
                    details.append(config[field])
    return Receiver(str(data.get("name", "")), tuple(kinds), ", ".join(details))


def routing(config: Mapping[str, Any], teams: list[str]) -> Routing:
    """The routing facts of a rendered alertmanager.yaml."""
    root = route_node(config.get("route") or {})
    inhibitions = tuple(
        Inhibition(
            parse_matchers(rule, "source_matchers"),
            parse_matchers(rule, "target_matchers"),
            tuple(map(str, rule.get("equal") or ())),
        )
        for rule in config.get("inhibit_rules") or ()
    )
    intervals = tuple(
        (
            str(named.get("name", "")),
            "; ".join(map(describe_interval, named.get("time_intervals") or ())),
        )
        for named in config.get("time_intervals") or ()
    )
    receivers = tuple(_receiver(r) for r in config.get("receivers") or () if isinstance(r, dict))
    return Routing(root, inhibitions, intervals, receivers, tuple(reach(root, teams)))
