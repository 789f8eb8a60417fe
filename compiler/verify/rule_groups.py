"""Compare the rule groups a ruler has loaded with the rendered ones (names and counts).

Prometheus and Loki's ruler both answer /api/v1/rules in Prometheus' JSON shape. Groups
obsc renders are named `obsc-...`; a loaded group of that name that was not rendered is
"extra" (a stale file, a removed service). Groups with other names belong to someone
else (e.g. kube-prometheus-stack's own rules) and are only counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.verify.http import Client, EndpointError
from compiler.verify.promql import status_data
from compiler.verify.results import Verdict, failed, passed

OBSC_PREFIX = "obsc-"
_LISTED = 5


def loaded_groups(client: Client, path: str) -> dict[str, int]:
    """Group name -> number of rules, from a Prometheus-style rules API."""
    groups = status_data(client, path).get("groups")
    if not isinstance(groups, list):
        raise EndpointError(f"{client.url(path)}: malformed answer: no groups list")
    counts: dict[str, int] = {}
    for group in groups:
        if not isinstance(group, dict) or "name" not in group:
            raise EndpointError(f"{client.url(path)}: malformed answer: a group without name")
        name = str(group["name"])
        counts[name] = counts.get(name, 0) + len(_rules(group))
    return counts


def _rules(group: dict[str, Any]) -> list[Any]:
    rules = group.get("rules")
    return rules if isinstance(rules, list) else []


def compare_groups(expected: Mapping[str, int], loaded: Mapping[str, int]) -> Verdict:
    """Pass when every rendered group is loaded with its rule count and no other obsc group."""
    missing = sorted(set(expected) - set(loaded))
    extra = sorted(n for n in loaded if n.startswith(OBSC_PREFIX) and n not in expected)
    counts = sorted(
        f"{n} has {loaded[n]} rules, rendered {expected[n]}"
        for n in expected
        if n in loaded and loaded[n] != expected[n]
    )
    problems = []
    if missing:
        problems.append(f"{len(missing)} rendered group(s) not loaded: {_names(missing)}")
    if extra:
        problems.append(f"{len(extra)} obsc group(s) loaded but not rendered: {_names(extra)}")
    if counts:
        problems.append("; ".join(counts[:_LISTED]))
    if problems:
        return failed("; ".join(problems))
    others = sum(1 for n in loaded if n not in expected)
    rules = sum(expected.values())
    tail = f" (and {others} group(s) not from obsc)" if others else ""
    return passed(f"all {len(expected)} rendered groups loaded, {rules} rules{tail}")


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
