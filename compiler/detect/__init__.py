"""`obsc detect`: find frameworks, languages and infrastructure without running anything.

Each input kind (compose, inspect, k8s, source) becomes a list of Observations; scoring
turns each into a Detection against the framework database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from compiler.detect.assumptions import exporter_warnings, scrape_warnings
from compiler.detect.observation import Observation
from compiler.detect.requirements_check import missing_instrumentation_warnings
from compiler.detect.scoring import (
    GENERIC,
    MARGIN,
    THRESHOLD,
    WORKER_DISCOUNT,
    best_language,
    rank,
    worker_command,
)
from compiler.detect.unlisted import WEIGHT as UNLISTED_WEIGHT
from compiler.detect.unlisted import unlisted_framework
from compiler.spec.models import FrameworkDocument

InputKind = Literal["compose", "inspect", "k8s", "source"]


@dataclass
class Detection:
    """The verdict for one service, with the evidence that decided it."""

    service: str
    framework: str
    category: str
    language: str
    version: str
    confidence: float
    evidence: list[str]
    source: str
    image: str | None = None
    ports: list[int] = field(default_factory=list)
    exporter: str | None = None
    candidates: list[tuple[str, float]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    namespace: str | None = None
    scrape_port: int | None = None
    scrape_path: str | None = None
    workload: tuple[str, str] | None = None  # Kubernetes (kind, name)

    def as_json(self) -> dict[str, object]:
        """The `--output json` object."""
        return {
            "service": self.service,
            "framework": self.framework,
            "category": self.category,
            "language": self.language,
            "version": self.version or None,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "source": self.source,
            "image": self.image,
            "ports": self.ports,
            "exporter": self.exporter,
            "candidates": [{"framework": n, "confidence": c} for n, c in self.candidates],
            "warnings": self.warnings,
            "namespace": self.namespace,
            "scrape": (
                {"port": self.scrape_port, "path": self.scrape_path}
                if self.scrape_port is not None or self.scrape_path is not None
                else None
            ),
        }


def _round(value: float) -> float:
    return round(value, 3)


def decide(observation: Observation, frameworks: list[FrameworkDocument]) -> Detection:
    """Pick the framework the evidence supports, or `generic` when none clearly does."""
    by_name = {f.metadata.name: f for f in frameworks}
    candidates = rank(frameworks, observation)
    scored = [c for c in candidates if c.score > 0]
    best = scored[0] if scored else None
    runner = scored[1] if len(scored) > 1 else None
    evidence: list[str] = []
    worker = worker_command(observation)
    unlisted = unlisted_framework(observation)
    outranked = unlisted is not None and best is not None and best.score - UNLISTED_WEIGHT < MARGIN
    if (
        best is not None
        and best.score >= THRESHOLD
        and (runner is None or best.score - runner.score >= MARGIN)
        and not outranked
    ):
        chosen, language = best, best.language
        evidence = [f"{m.evidence} (weight {m.signature.weight:g})" for m in best.matches]
        # an application's version is its framework package's, never its base image's tag
        wanted = "dependency" if best.category == "application" else "image"
        versions = [m.version for m in best.matches if m.version and m.signature.type == wanted]
        version = versions[0] if versions else ""
        framework, category, confidence = best.name, best.category, best.score
    else:
        chosen = None
        framework, category, version = GENERIC, "application", ""
        language = best_language(observation, candidates)
        confidence = best.score if best is not None else 0.0
        if unlisted is not None and (best is None or outranked):
            evidence.append(
                f"{unlisted.name} ({unlisted.evidence}) has no entry in the framework "
                "database: generic"
            )
        elif best is None:
            evidence.append("no signature of any framework matched")
        elif best.score < THRESHOLD:
            evidence.append(
                f"no framework reached {THRESHOLD:g}: best was {best.name} "
                f"at {_round(best.score):g}"
            )
        elif runner is not None:
            evidence.append(
                f"ambiguous: {best.name} {_round(best.score):g} and "
                f"{runner.name} {_round(runner.score):g} are within {MARGIN:g}"
            )
        if best is not None:
            evidence.extend(
                f"{best.name}: {m.evidence} (weight {m.signature.weight:g})" for m in best.matches
            )
        if observation.languages:
            first = observation.languages[0]
            evidence.append(
                observation.language_reasons.get(
                    first, f"language {first} from its dependency files"
                )
            )
    worker_matters = chosen is None or chosen.category == "application"
    if (
        worker
        and worker_matters
        and not any(m.signature.type == "command" for m in (chosen.matches if chosen else []))
    ):
        evidence.append(
            f"command runs a background worker (`{worker}`): framework evidence "
            f"discounted by a factor of {WORKER_DISCOUNT:g}"
        )
    exporter = None
    if chosen is not None and chosen.category == "infrastructure":
        spec = by_name[chosen.name].spec.exporter
        if spec is not None:
            exporter = f"{spec.name} ({spec.image}, port {spec.port}, {spec.path})"
            evidence.append(f"scrape with {exporter}")
    if observation.application_sources and (chosen is None or chosen.category == "application"):
        evidence.append(observation.application_sources)
    evidence.extend(observation.notes)
    warnings = exporter_warnings(observation, by_name[chosen.name]) if chosen else []
    if chosen is not None:
        warnings.extend(scrape_warnings(observation, by_name[chosen.name]))
        warnings.extend(missing_instrumentation_warnings(observation, by_name[chosen.name]))
    return Detection(
        service=observation.name,
        framework=framework,
        category=category,
        language=language,
        version=version,
        confidence=_round(confidence),
        evidence=evidence,
        source=observation.source,
        image=observation.images[0] if observation.images else None,
        ports=list(observation.ports),
        exporter=exporter,
        candidates=[(c.name, _round(c.score)) for c in scored[:5]],
        warnings=warnings,
        namespace=observation.namespace,
        scrape_port=observation.scrape_port,
        scrape_path=observation.scrape_path,
        workload=observation.workload,
    )


def observe(
    kind: InputKind, path: Path, namespaces: frozenset[str] = frozenset()
) -> list[Observation]:
    """The Observations of one input; bad input raises UsageError/SpecError (exit 2).

    `namespaces` keeps the Kubernetes workloads of those namespaces (empty: all of them).
    """
    if kind == "compose":
        from compiler.detect.compose import observe_compose

        observations = observe_compose(path)
    elif kind == "inspect":
        from compiler.detect.inspect import observe_inspect

        observations = observe_inspect(path)
    elif kind == "k8s":
        from compiler.detect.kubernetes import Namespaces, observe_kubernetes

        observations = observe_kubernetes(path, Namespaces(namespaces))
    else:
        from compiler.detect.source import observe_source

        observations = [observe_source(path)]
    return _unique_names(observations)


def _unique_names(observations: list[Observation]) -> list[Observation]:
    seen: dict[str, int] = {}
    for observation in observations:
        count = seen.get(observation.name, 0) + 1
        seen[observation.name] = count
        if count > 1:
            observation.name = f"{observation.name[:60]}-{count}"
    return observations


def builtin_frameworks() -> list[FrameworkDocument]:
    """The shipped framework database."""
    from compiler.errors import DiagnosticSink
    from compiler.frameworks import load_builtin_frameworks

    sink = DiagnosticSink()
    parsed = load_builtin_frameworks(sink)
    sink.raise_if_errors("framework database")
    return [p.model for p in parsed]


def detect(
    kind: InputKind,
    path: Path,
    frameworks: list[FrameworkDocument] | None = None,
    namespaces: frozenset[str] = frozenset(),
    on_unit_done: Callable[[int, int, str], None] | None = None,
) -> list[Detection]:
    """Detect every service of an input, sorted by service name.

    `on_unit_done(done, total, service)` is told after each service is decided (progress).
    """
    database = builtin_frameworks() if frameworks is None else frameworks
    observations = observe(kind, path, namespaces)
    detections = []
    for done, observation in enumerate(observations, start=1):
        detections.append(decide(observation, database))
        if on_unit_done is not None:
            on_unit_done(done, len(observations), observation.name)
    return sorted(detections, key=lambda d: d.service)
