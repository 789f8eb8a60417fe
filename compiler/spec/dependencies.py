"""`spec.dependsOn` of Services: every name is a service of the estate, and there is no cycle.

A dependency's page alert inhibits its dependants' SLO page alerts (targets/alerts/
alertmanager.py). A cycle would let two services mute each other's pages during one
incident, so it is refused, as is a service that depends on itself.
"""

from __future__ import annotations

from compiler.errors import DiagnosticSink
from compiler.spec.loader import PathKey
from compiler.spec.models import ServiceDocument
from compiler.spec.paths import spec_path
from compiler.spec.validate import Parsed, SpecSet, did_you_mean


def check_dependencies(specs: SpecSet, sink: DiagnosticSink) -> None:
    """Unknown services (OBSC328) and cycles (OBSC329) in `dependsOn`."""
    services = {p.model.metadata.name: p for p in specs.services}
    names = sorted(services)
    for parsed in specs.services:
        for index, dependency in enumerate(parsed.model.spec.depends_on):
            if dependency in services:
                continue
            path: PathKey = ("spec", "dependsOn", index)
            sink.error(
                "OBSC328",
                f"service {parsed.model.metadata.name!r} depends on {dependency!r}, which no "
                f"Service declares (known: {', '.join(names)})",
                parsed.document.location(path),
                spec_path(parsed.document, path),
                hint=did_you_mean(dependency, names) or "add its Service spec, or remove it",
            )
    reported: set[frozenset[str]] = set()
    for name in names:
        cycle = _cycle_from(name, services)
        if cycle is None or frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        _report_cycle(cycle, services, sink)


def _cycle_from(start: str, services: dict[str, Parsed[ServiceDocument]]) -> list[str] | None:
    """A cycle through `start` (`[start, ..., start]`), found depth first, or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, trail = stack.pop()
        parsed = services.get(name)
        if parsed is None:
            continue
        for dependency in sorted(set(parsed.model.spec.depends_on), reverse=True):
            if dependency == start:
                return [*trail, start]
            if dependency not in seen:
                seen.add(dependency)
                stack.append((dependency, [*trail, dependency]))
    return None


def _report_cycle(
    cycle: list[str], services: dict[str, Parsed[ServiceDocument]], sink: DiagnosticSink
) -> None:
    """Reported where the cycle's first service names the next one."""
    first = services[cycle[0]]
    index = first.model.spec.depends_on.index(cycle[1])
    path: PathKey = ("spec", "dependsOn", index)
    sink.error(
        "OBSC329",
        f"dependency cycle: {' -> '.join(cycle)}; each service's page would inhibit the "
        "other's SLO pages",
        first.document.location(path),
        spec_path(first.document, path),
        hint="a dependency is what a service needs to work; remove the entry that points back",
    )
