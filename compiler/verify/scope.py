"""What the checks of one run share: the expectation, the clients, the time window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compiler.verify.expected import Expected, ServiceExpectation
from compiler.verify.http import Client
from compiler.verify.results import Check, Verdict, fixed, skipped


@dataclass(frozen=True, slots=True)
class Scope:
    """The environment's expectation, a client per configured component, and `since`.

    `since` (seconds) is how far back logs, traces and collector counters count as
    recent; `services` are the services to check (all, or those of `--service`).
    """

    expected: Expected
    clients: dict[str, Client]
    services: tuple[ServiceExpectation, ...]
    since: float

    def endpoint(self, component: str) -> str:
        """The component's base URL, or '' when not configured."""
        client = self.clients.get(component)
        return client.base_url if client is not None else ""


def component_subject(component: str) -> str:
    """`component/<name>`."""
    return f"component/{component}"


def reachable_key(component: str) -> tuple[str, str]:
    """The check every other check of a component waits for."""
    return (component_subject(component), "reachable")


def not_configured(component: str) -> str:
    """Why a component's checks are skipped when it has no endpoint."""
    flag = component.replace("_", "-")
    return f"no {component} endpoint: pass --{flag} URL or set it in the Project's endpoints"


def on_component(
    scope: Scope,
    component: str,
    subject: str,
    name: str,
    run: Callable[[Client], Verdict],
) -> Check:
    """A check asking `component`: gated on its reachability, or a skip when unconfigured."""
    client = scope.clients.get(component)
    if client is None:
        return fixed(subject, name, "", skipped(not_configured(component)))
    return Check(subject, name, client.base_url, lambda: run(client), reachable_key(component))


def reachability(scope: Scope, component: str, run: Callable[[Client], Verdict]) -> Check:
    """The component's `reachable` check (a skip when it has no endpoint)."""
    subject, name = reachable_key(component)
    client = scope.clients.get(component)
    if client is None:
        return fixed(subject, name, "", skipped(not_configured(component)))
    return Check(subject, name, client.base_url, lambda: run(client))
