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

OPEN_UP_TO = 40  # services; a larger environment is folded by team and charts by profile


def is_large(services: int) -> bool:
    """Whether an environment is shown folded, with one chart per SLO profile."""
    return services > OPEN_UP_TO


@dataclass(frozen=True, slots=True)
class Profile:
    """SLOs of one objective and window share their thresholds, so one chart serves them all.

    Its numbers are written once here, not once per SLO: a large estate's table has a row
    for each of thousands of SLOs.
    """

    anchor: str
    label: str
    count: int
    chart: Markup
    budget: str
    outage: str
    pages: str
    tickets: str


@dataclass(frozen=True, slots=True)
class TeamSLOs:
    """A team's SLOs: each with its own chart (small estates), or by key with its profile."""

    team: str
    slos: tuple[tuple[SLOFacts, Markup], ...] = ()
    rows: tuple[tuple[str, Profile], ...] = ()

    @property
    def count(self) -> int:
        """How many SLOs the team has."""
        return len(self.slos) + len(self.rows)


@dataclass(frozen=True, slots=True)
class EnvironmentView:
    """Everything the page shows about one environment."""

    name: str
    targets: tuple[str, ...]
    teams: tuple[TeamGroup, ...]
    slos: tuple[TeamSLOs, ...]
    profiles: tuple[Profile, ...]
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
        return is_large(self.services)


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
