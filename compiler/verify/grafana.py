"""Grafana: reachable, and every rendered dashboard uid and datasource uid exists."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from compiler.verify.http import Client
from compiler.verify.results import Check, Verdict, failed, fixed, passed, skipped
from compiler.verify.scope import Scope, component_subject, on_component, reachability

COMPONENT = "grafana"
SUBJECT = component_subject(COMPONENT)
_LISTED = 5


def checks(scope: Scope) -> list[Check]:
    """The checks: reachable, dashboards, datasources."""
    expected = scope.expected
    endpoint = scope.endpoint(COMPONENT)
    found: list[Check] = [reachability(scope, COMPONENT, _health)]
    for name, uids, path in (
        ("dashboards", expected.dashboards, "/api/dashboards/uid/"),
        ("datasources", expected.datasources, "/api/datasources/uid/"),
    ):
        if uids is None:
            found.append(fixed(SUBJECT, name, endpoint, skipped(f"no {name} rendered")))
        else:
            found.append(on_component(scope, COMPONENT, SUBJECT, name, _uids(path, uids, name)))
    return found


def _uids(path: str, uids: Sequence[str], what: str) -> Callable[[Client], Verdict]:
    """A check that every uid answers at `path` (Grafana says 404 for a missing one)."""

    def run(client: Client) -> Verdict:
        missing = [
            uid for uid in uids if client.get(path + uid, accept_status=(404,)).status == 404
        ]
        if missing:
            shown = ", ".join(missing[:_LISTED])
            more = f" and {len(missing) - _LISTED} more" if len(missing) > _LISTED else ""
            return failed(f"{len(missing)} of {len(uids)} rendered {what} missing: {shown}{more}")
        return passed(f"all {len(uids)} rendered {what} present")

    return run


def _health(client: Client) -> Verdict:
    info = client.get_json("/api/health")
    version = info.get("version") if isinstance(info, dict) else None
    return passed(f"Grafana {version or '(version unknown)'}")
