"""Loki: reachable, the ruler has the rendered groups, and each service's logs arrive.

Loki's OTLP ingestion turns the `service.name` resource attribute into the stream label
`service_name` (docs/contracts.md), so a service's logs are `{service_name="<name>"}`.
"""

from __future__ import annotations

import time
from typing import Any

from compiler.verify.durations import format_duration
from compiler.verify.expected import ServiceExpectation
from compiler.verify.http import Client, EndpointError
from compiler.verify.results import Check, Verdict, failed, fixed, passed, skipped
from compiler.verify.rule_groups import compare_groups, loaded_groups
from compiler.verify.scope import Scope, component_subject, on_component, reachability

COMPONENT = "loki"
SUBJECT = component_subject(COMPONENT)
QUERY_RANGE = "/loki/api/v1/query_range"


def component_checks(scope: Scope) -> list[Check]:
    """The checks: reachable and ruler."""
    groups = scope.expected.loki_groups
    return [
        reachability(scope, COMPONENT, _buildinfo),
        on_component(scope, COMPONENT, SUBJECT, "ruler", lambda c: _ruler(c, groups))
        if groups is not None
        else fixed(SUBJECT, "ruler", scope.endpoint(COMPONENT), skipped("no Loki rules rendered")),
    ]


def service_check(scope: Scope, service: ServiceExpectation) -> Check:
    """The checks: logs of one service."""
    subject = f"service/{service.name}"
    if service.logs is not None:
        return fixed(subject, "logs", scope.endpoint(COMPONENT), skipped(service.logs))
    return on_component(
        scope, COMPONENT, subject, "logs", lambda c: _logs(c, service.name, scope.since)
    )


def stream_selector(service: str) -> str:
    """The LogQL stream selector of a service's logs."""
    return f'{{service_name="{service}"}}'


def log_lines(client: Client, query: str, start: float, end: float, limit: int) -> list[str]:
    """The newest log lines (up to `limit`) a LogQL query finds between start and end (s)."""
    params = {
        "query": query,
        "start": str(int(start * 1e9)),
        "end": str(int(end * 1e9)),
        "limit": str(limit),
        "direction": "backward",
    }
    where = client.url(QUERY_RANGE, params)
    answer = client.get_json(QUERY_RANGE, params)
    try:
        if answer["status"] != "success":
            raise EndpointError(f"{where}: query failed: {answer.get('error')}")
        streams: list[Any] = answer["data"]["result"]
        return [str(value[1]) for stream in streams for value in stream["values"]]
    except (KeyError, TypeError, IndexError):
        raise EndpointError(f"{where}: malformed answer: not a streams result") from None


def _buildinfo(client: Client) -> Verdict:
    info = client.get_json("/loki/api/v1/status/buildinfo")
    version = info.get("version") if isinstance(info, dict) else None
    return passed(f"Loki {version or '(version unknown)'}")


def _ruler(client: Client, expected: dict[str, int]) -> Verdict:
    return compare_groups(expected, loaded_groups(client, "/prometheus/api/v1/rules"))


def _logs(client: Client, service: str, since: float) -> Verdict:
    now = time.time()
    lines = log_lines(client, stream_selector(service), now - since, now, 1)
    window = format_duration(since)
    if lines:
        return passed(f"log lines of {stream_selector(service)} in the last {window}")
    return failed(f"no log lines of {stream_selector(service)} in Loki in the last {window}")
