"""Turn `cue vet` errors into obsc diagnostics that point at the spec line to change.

A violation's value path (`services.checkout.sampling`) names the service and the field;
the provenance kept by resolve says which spec line set that field's winning value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from compiler.errors import Location
from compiler.model import Contribution, EnvironmentModel, Provenance, ResolvedService
from compiler.policies.cue import CueError
from compiler.spec.loader import Document, PathKey
from compiler.spec.paths import spec_path

# export field -> provenance key (spec path) for fields merged by resolve
_MERGED = {
    "sampling": "sampling",
    "port": "port",
    "runbook": "runbook",
    "logsFormat": "logs.format",
    "redaction": "redaction",
    "framework": "framework",
    "language": "language",
}
# export field -> where in the Service document it is written
_WRITTEN: dict[str, PathKey] = {
    "name": ("metadata", "name"),
    "team": ("metadata", "team"),
    "tier": ("metadata", "tier"),
    "labels": ("metadata", "labels"),
    "slos": ("spec", "slos"),
    "alerts": ("spec", "alerts"),
    "waivers": ("spec", "waivers"),
}


_SLO_FIELDS = {"windowDays": "window", "sli": "sli.threshold"}


@dataclass(frozen=True, slots=True)
class Target:
    """Where a violation is reported: a spec position and the spec path shown."""

    location: Location
    path: str
    service: str | None


def locate(
    error: CueError,
    model: EnvironmentModel,
    provenance: Mapping[tuple[str, str], Provenance],
    services: dict[str, Document],
    project: Document,
    by_name: Mapping[str, ResolvedService] | None = None,
) -> Target:
    """The spec position responsible for the value at `error.path`.

    `by_name`: the environment's services by name, when the caller has them (a lookup in
    `model` is a scan of every service).
    """
    if by_name is None:
        by_name = {s.name: s for s in model.services}
    path = error.path
    if path[:1] == ("stack",) and len(path) > 1:
        # stack.<component>.<version|image|retention>: the Project's pin, where it has one.
        pin = ("spec", *path[:3])
        return Target(project.location(pin), spec_path(project, pin), None)
    if len(path) < 2 or path[0] != "services" or path[1] not in services:
        return Target(project.location(()), spec_path(project, ()), None)
    name, rest = path[1], path[2:]
    document = services[name]
    found = provenance.get((name, model.environment))
    chains = found.chains if found is not None else None
    field = rest[0] if rest else ""
    if field in ("pageReceiver", "ticketReceiver"):
        severity = "page" if field == "pageReceiver" else "ticket"
        where = _deciding_route(model, by_name.get(name), name, severity)
        return Target(project.location(where), f"services.{name}.{field}", name)
    key = _MERGED.get(field)
    if field == "metrics" and len(rest) > 1:
        key = f"metrics.{rest[1]}"
    if field == "slos" and len(rest) > 1 and rest[1].isdigit():
        return _locate_slo(document, name, int(rest[1]), rest[2:], by_name.get(name), chains)
    if key and chains and key in chains:
        winner = chains[key][-1]
        return Target(winner.location, f"services.{name}.{key}", name)
    written = _WRITTEN.get(field, ("metadata", "name"))
    if field == "labels" and len(rest) > 1:
        written = (*written, rest[1])
    if field == "alerts" and len(rest) > 1 and rest[1].isdigit():
        written = (*written, int(rest[1]), "name")
    return Target(document.key_location(written), spec_path(document, written), name)


def _deciding_route(
    model: EnvironmentModel, service: ResolvedService | None, name: str, severity: str
) -> PathKey:
    """The Project route that catches the service's alerts of `severity` (first match wins)."""
    labels = {"service": name, "severity": severity, "team": service.team if service else ""}
    for index, route in enumerate(model.alerting.routes):
        if all(labels.get(key) == value for key, value in route.match):
            return ("spec", "alerting", "routes", index, "receiver")
    return ("spec", "alerting", "defaultReceiver")


def _locate_slo(
    document: Document,
    name: str,
    index: int,
    rest: tuple[str, ...],
    service: ResolvedService | None,
    chains: dict[str, tuple[Contribution, ...]] | None,
) -> Target:
    slos = service.slos if service is not None else ()
    written: PathKey = ("spec", "slos", index)
    if index < len(slos) and chains is not None:
        slo = slos[index].name
        field = _SLO_FIELDS.get(rest[0], rest[0]) if rest else ""
        chain = chains.get(f"slos.{slo}.{field}")
        if chain:
            return Target(chain[-1].location, f"services.{name}.slos.{slo}.{field}", name)
    return Target(document.location(written), spec_path(document, written), name)
