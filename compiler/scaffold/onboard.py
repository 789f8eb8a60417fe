"""`obsc init --from-compose FILE` / `--from-k8s DIR`: specs from what runs today.

Detection (compiler.detect) names each service's framework, language and ports; this turns
each verdict into a Service spec a person reviews: the framework and port, a team (from a
`team` label, else the compose project's name, else a placeholder that validate reports,
OBSC331), tier 2, and an availability and a latency SLO from the framework's defaults
where its metrics support them. Infrastructure gets its framework (so obsc scrapes it
through the exporter the framework names) and no SLOs. Every spec is stamped with a digest
(compiler.scaffold.generated): a re-run rewrites only files nobody has edited since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.detect import Detection, InputKind, builtin_frameworks, decide, observe
from compiler.detect.observation import Observation, service_name
from compiler.errors import UsageError
from compiler.output.canonical import dump_yaml
from compiler.scaffold.generated import Status, stamped, write_generated
from compiler.spec.crossref import PLACEHOLDER_TEAM
from compiler.spec.models import API_VERSION, FrameworkDocument

TEAM_LABELS = ("obsc.dev/team", "team", "owner")
SLO_WINDOW = "30d"
SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schemas/obsc.schema.json\n"


@dataclass(frozen=True, slots=True)
class GeneratedService:
    """One Service spec written (or kept) by onboarding, and what to tell the person."""

    name: str
    path: str
    status: Status
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Onboarding:
    """What detection found, as the specs and settings a new repository starts from."""

    detections: list[Detection]
    services: dict[str, tuple[str, tuple[str, ...]]]  # name -> (spec text, notes)
    project_name: str
    compose_file: str | None


def onboard(root: Path, kind: InputKind, path: Path) -> Onboarding:
    """Detect the services of `path` and draft a Service spec for each."""
    compose_file = _inside(root, path) if kind == "compose" else None
    observations = observe(kind, path)
    database = builtin_frameworks()
    by_name = {f.metadata.name: f for f in database}
    project = _compose_project(path) if kind == "compose" else None
    detections: list[Detection] = []
    services: dict[str, tuple[str, tuple[str, ...]]] = {}
    for observation in sorted(observations, key=lambda o: o.name):
        detection = decide(observation, database)
        detections.append(detection)
        team = _team(observation, project)
        services[detection.service] = service_spec(detection, by_name[detection.framework], team)
    name = service_name(project or root.resolve().name, "observability")
    return Onboarding(detections, services, name, compose_file)


def write_services(root: Path, onboarding: Onboarding) -> list[GeneratedService]:
    """Write specs/services/<name>.yaml for each service, keeping files edited by hand."""
    written = []
    for name, (text, notes) in sorted(onboarding.services.items()):
        rel = f"specs/services/{name}.yaml"
        written.append(GeneratedService(name, rel, write_generated(root / rel, text), notes))
    return written


def _inside(root: Path, path: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(
            f"--from-compose {path}: the compose file must be inside {root}, the repository "
            "whose Project names it (compose.file is relative to the repository root)",
        ) from None
    if re.fullmatch(r"[\w.@+-]+(/[\w.@+-]+)*", rel) is None:
        raise UsageError(f"--from-compose {path}: use a path of letters, digits and ._-@+ only")
    return rel


def _compose_project(path: Path) -> str | None:
    """The compose file's top-level `name:`, which compose uses as the project's name."""
    from compiler.detect.inputs import load_yaml_documents

    documents = load_yaml_documents(path, "compose file")
    first = documents[0] if documents else None
    name = first.get("name") if isinstance(first, dict) else None
    return str(name) if isinstance(name, str) and name.strip() else None


def _team(observation: Observation, project: str | None) -> tuple[str, str]:
    """The team and where it came from."""
    for label in TEAM_LABELS:
        value = observation.labels.get(label, "").strip()
        if value:
            return service_name(value, PLACEHOLDER_TEAM), f"label {label}"
    if project:
        return service_name(project, PLACEHOLDER_TEAM), "the compose project's name"
    return PLACEHOLDER_TEAM, "a placeholder"


def service_spec(
    detection: Detection, framework: FrameworkDocument, team: tuple[str, str]
) -> tuple[str, tuple[str, ...]]:
    """The stamped text of one Service spec, and notes for the person reviewing it."""
    notes: list[str] = []
    spec: dict[str, Any] = {"framework": detection.framework}
    port = detection.ports[0] if detection.ports else None
    infrastructure = framework.spec.category == "infrastructure"
    if port is None and detection.framework != "generic":
        port = framework.spec.default_port
        notes.append(f"port {port} is {framework.spec.display_name}'s default: none is declared")
    if port is not None:
        spec["port"] = port
    if infrastructure:
        exporter = framework.spec.exporter
        notes.append(
            "infrastructure: scraped through "
            + (exporter.name if exporter else "its metrics endpoint")
            + ", no SLOs"
        )
    elif port is None:
        notes.append("no port: nothing serves requests to measure, so no SLOs")
    else:
        slos, skipped = _slos(framework)
        spec["slos"] = slos
        notes.extend(skipped)
    if team[0] == PLACEHOLDER_TEAM:
        notes.append(f"team: set metadata.team (it is {PLACEHOLDER_TEAM} until then, OBSC331)")
    data = {
        "apiVersion": API_VERSION,
        "kind": "Service",
        "metadata": {"name": detection.service, "team": team[0], "tier": 2},
        "spec": spec,
    }
    version = f" {detection.version}" if detection.version else ""
    preamble = (
        SCHEMA_COMMENT
        + f"# Detected: {detection.framework}{version} ({detection.language}), confidence "
        + f"{detection.confidence:g}; evidence in snapshots/{detection.service}.yaml.\n"
        + f"# Team from {team[1]}; tier 2 until you say otherwise.\n"
    )
    return stamped(preamble, dump_yaml(data).decode("utf-8")), tuple(notes)


def _slos(framework: FrameworkDocument) -> tuple[list[dict[str, Any]], list[str]]:
    """Availability and latency SLOs from the framework's defaults, where its metrics allow."""
    metrics, defaults = framework.spec.metrics, framework.spec.defaults
    slos: list[dict[str, Any]] = []
    skipped: list[str] = []
    objective = defaults.objective
    if objective is None:
        return [], [f"no SLOs: {framework.spec.display_name} has no default objective"]
    if metrics.requests is not None:
        slos.append(_slo("availability", objective, {"kind": "availability"}))
    else:
        skipped.append("no availability SLO: the framework has no request counter")
    if metrics.duration is not None and defaults.latency_threshold is not None:
        sli = {"kind": "latency", "threshold": defaults.latency_threshold}
        slos.append(_slo("latency", objective, sli))
    elif metrics.duration is None:
        skipped.append("no latency SLO: the framework has no duration histogram")
    else:
        skipped.append(
            "no latency SLO: the framework has no default threshold; add one with a "
            "threshold from its histogram buckets"
        )
    return slos, skipped


def _slo(name: str, objective: float, sli: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "objective": objective, "window": SLO_WINDOW, "sli": sli}
