"""The estate overview: every service of an environment, and how sure detection was.

Detection confidence is not part of the model (a Service spec always wins over a
snapshot), so it is read from snapshots/ again; specs were validated by then, so a
snapshot that fails to load here simply shows no confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from compiler.model import EnvironmentModel, Provenance, ResolvedEstate


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One service as the overview lists it."""

    name: str
    team: str
    tier: int
    framework: str
    language: str
    category: str
    origin: str  # "snapshot" when detection decided a field, else "spec"
    confidence: float | None  # the snapshot's, when there is one
    slos: int
    redaction: str | None
    sampling: float


@dataclass(frozen=True, slots=True)
class TeamGroup:
    """A team's services, so a large estate can be read (and folded) team by team."""

    team: str
    services: tuple[ServiceRow, ...]

    @property
    def slos(self) -> int:
        """How many SLOs the team's services have."""
        return sum(s.slos for s in self.services)


def snapshot_confidence(repo: Path) -> dict[str, float]:
    """Service name -> the confidence its snapshot under snapshots/ records."""
    from compiler.errors import DiagnosticSink
    from compiler.spec.files import UnreadableInput, list_spec_folders, read_input
    from compiler.spec.loader import load_bytes

    found: dict[str, float] = {}
    sink = DiagnosticSink()
    for path in list_spec_folders(repo, ("snapshots",)).files:
        try:
            raw = read_input(path, root=repo)
        except UnreadableInput:
            continue
        for document in load_bytes(raw, path.name, sink):
            data = document.data
            if isinstance(data, dict) and data.get("kind") == "Snapshot":
                confidence = (data.get("spec") or {}).get("confidence")
                name = (data.get("metadata") or {}).get("name")
                if isinstance(name, str) and isinstance(confidence, int | float):
                    found[name] = float(confidence)
    return found


def _origin(provenance: Provenance | None) -> str:
    if provenance is None:
        return "spec"
    won = (chain[-1].layer for chain in provenance.chains.values() if chain)
    return "snapshot" if "snapshot" in won else "spec"


def service_rows(
    estate: ResolvedEstate, model: EnvironmentModel, confidence: dict[str, float]
) -> list[ServiceRow]:
    """The overview rows of one environment, by service name."""
    return [
        ServiceRow(
            name=s.name,
            team=s.team,
            tier=s.tier,
            framework=s.framework,
            language=s.language,
            category=s.category,
            origin=_origin(estate.provenance.get((s.name, model.environment))),
            confidence=confidence.get(s.name),
            slos=len(s.slos),
            redaction=s.redaction,
            sampling=s.sampling,
        )
        for s in model.services
    ]


def by_team(rows: list[ServiceRow]) -> list[TeamGroup]:
    """Rows grouped by team, teams by name."""
    teams: dict[str, list[ServiceRow]] = {}
    for row in rows:
        teams.setdefault(row.team, []).append(row)
    return [TeamGroup(team, tuple(teams[team])) for team in sorted(teams)]
