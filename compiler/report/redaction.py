"""Redaction coverage: which patterns each service's telemetry is scrubbed of."""

from __future__ import annotations

from dataclasses import dataclass

from compiler.model import EnvironmentModel, RedactionPolicy


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One service: its policy, the patterns it covers, and the attributes it drops."""

    service: str
    team: str
    category: str
    policy: str | None
    covered: frozenset[str]
    dropped: tuple[str, ...]

    @property
    def unprotected(self) -> bool:
        """An application service without a policy: its telemetry is not scrubbed."""
        return self.category == "application" and self.policy is None


@dataclass(frozen=True, slots=True)
class Coverage:
    """The service x pattern matrix of an environment."""

    patterns: tuple[str, ...]
    rows: tuple[CoverageRow, ...]

    @property
    def unprotected(self) -> tuple[CoverageRow, ...]:
        """The application services without a policy."""
        return tuple(r for r in self.rows if r.unprotected)


def _patterns(policy: RedactionPolicy) -> list[str]:
    custom = [c.name for c in policy.custom]
    secret = [s.name for s in policy.secret_patterns]
    return [*policy.patterns, *custom, *secret]


def coverage(model: EnvironmentModel) -> Coverage:
    """The matrix: columns are every pattern of any policy, in first-seen order."""
    policies = {p.name: p for p in model.redaction_policies}
    columns = list(dict.fromkeys(n for p in model.redaction_policies for n in _patterns(p)))
    rows = []
    for service in model.services:
        policy = policies.get(service.redaction or "")
        rows.append(
            CoverageRow(
                service=service.name,
                team=service.team,
                category=service.category,
                policy=service.redaction,
                covered=frozenset(_patterns(policy)) if policy else frozenset(),
                dropped=policy.drop_attributes if policy else (),
            )
        )
    return Coverage(tuple(columns), tuple(rows))
