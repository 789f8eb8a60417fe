"""What a policy check concluded: the rules it read and the violations services waived.

Its own module so that an unchanged build recalls a report (compiler.build.known) without
importing the check (compiler.policies.check).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compiler.policies.rules import Rule


@dataclass(frozen=True, slots=True)
class Waived:
    """A violation that a service waived, reported so reviewers see it."""

    rule: str
    service: str
    environment: str
    reason: str


@dataclass
class PolicyReport:
    """What the policy check found."""

    files: int = 0
    rules: list[Rule] = field(default_factory=list)
    waived: list[Waived] = field(default_factory=list)
