"""The facts of one report, gathered per environment, ready for the template."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from compiler.report.changes import ChangeFacts
from compiler.report.overview import TeamGroup
from compiler.report.pipelines import SignalPipelines
from compiler.report.policies import PolicyFacts
from compiler.report.redaction import Coverage
from compiler.report.routing import Routing
from compiler.report.slos import SLOFacts

OPEN_UP_TO = 40  # services; a larger environment's team groups start folded


@dataclass(frozen=True, slots=True)
class TeamSLOs:
    """A team's SLOs, each with its chart."""

    team: str
    slos: tuple[tuple[SLOFacts, Markup], ...]


@dataclass(frozen=True, slots=True)
class EnvironmentView:
    """Everything the page shows about one environment."""

    name: str
    targets: tuple[str, ...]
    teams: tuple[TeamGroup, ...]
    slos: tuple[TeamSLOs, ...]
    routing: Routing | None
    route_tree: Markup | None
    coverage: Coverage
    pipelines: tuple[tuple[SignalPipelines, Markup], ...]

    @property
    def services(self) -> int:
        """How many services run here."""
        return sum(len(t.services) for t in self.teams)

    @property
    def slo_count(self) -> int:
        """How many SLOs they have."""
        return sum(t.slos for t in self.teams)

    @property
    def folded(self) -> bool:
        """Whether team groups start folded (large environments)."""
        return self.services > OPEN_UP_TO


@dataclass(frozen=True, slots=True)
class ReportView:
    """The whole page."""

    project: str
    version: str
    input_digest: str
    rendered: str
    stale: bool
    environments: tuple[EnvironmentView, ...]
    policies: PolicyFacts
    changes: ChangeFacts | None
    moved: dict[str, Markup]
