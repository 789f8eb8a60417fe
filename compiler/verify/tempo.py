"""Tempo: reachable, and each service's traces arrive (resource attribute service.name)."""

from __future__ import annotations

import time

from compiler.verify.durations import format_duration
from compiler.verify.expected import ServiceExpectation
from compiler.verify.http import Answer, Client, EndpointError
from compiler.verify.results import Check, Verdict, failed, fixed, passed, skipped
from compiler.verify.scope import Scope, on_component, reachability

COMPONENT = "tempo"


def component_checks(scope: Scope) -> list[Check]:
    """The checks: reachable."""
    return [reachability(scope, COMPONENT, _buildinfo)]


def service_check(scope: Scope, service: ServiceExpectation) -> Check:
    """The checks: traces of one service."""
    subject = f"service/{service.name}"
    if service.traces is not None:
        return fixed(subject, "traces", scope.endpoint(COMPONENT), skipped(service.traces))
    return on_component(
        scope, COMPONENT, subject, "traces", lambda c: _traces(c, service.name, scope.since)
    )


def find_trace(client: Client, trace_id: str) -> Answer | None:
    """The trace with this id (hex), or None while Tempo does not have it."""
    answer = client.get(f"/api/traces/{trace_id}", accept_status=(404,))
    return None if answer.status == 404 else answer


def _buildinfo(client: Client) -> Verdict:
    info = client.get_json("/api/status/buildinfo")
    version = info.get("version") if isinstance(info, dict) else None
    return passed(f"Tempo {version or '(version unknown)'}")


def _traces(client: Client, service: str, since: float) -> Verdict:
    now = time.time()
    params = {
        "tags": f"service.name={service}",
        "start": str(int(now - since)),
        "end": str(int(now) + 1),
        "limit": "1",
    }
    answer = client.get_json("/api/search", params)
    traces = answer.get("traces") if isinstance(answer, dict) else None
    if not isinstance(traces, list):
        where = client.url("/api/search", params)
        raise EndpointError(f"{where}: malformed answer: no traces list")
    window = format_duration(since)
    if traces:
        return passed(f"traces with service.name={service!r} in the last {window}")
    return failed(f"no traces with service.name={service!r} in Tempo in the last {window}")
