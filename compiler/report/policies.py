"""Policies: every rule, pass / fail / waived per environment, and every waiver's reason.

The check is the one `obsc validate` runs (compiler.pipeline.check_policies). A failing
check raises with one diagnostic per violation, its message starting
`[env, ...] policy <rule>:`; that is how a violation is put in its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler.pipeline import Estate
    from compiler.policies.rules import Rule

_VIOLATION = re.compile(r"^\[([^\]]*)\] policy ([a-z0-9-]+):")


@dataclass(frozen=True, slots=True)
class Waiver:
    """A service's waiver of a rule in one environment, and whether it waived anything."""

    service: str
    environment: str
    rule: str
    reason: str
    used: bool | None  # None when the check failed, so which waivers applied is unknown


@dataclass(frozen=True, slots=True)
class Violation:
    """A violation as the check reported it."""

    rule: str
    environments: tuple[str, ...]
    message: str
    where: str


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    """What the report says about policies."""

    checked: bool
    note: str
    rules: tuple[Rule, ...]
    environments: tuple[str, ...]
    waivers: tuple[Waiver, ...]
    violations: tuple[Violation, ...] = field(default=())

    def status(self, rule: str, environment: str) -> str:
        """`fail`, `waived`, `pass`, or `not checked`, for one rule in one environment."""
        if not self.checked:
            return "not checked"
        if any(v.rule == rule and environment in v.environments for v in self.violations):
            return "fail"
        if any(w.rule == rule and w.environment == environment and w.used for w in self.waivers):
            return "waived"
        return "pass"


def declared_rules(repo: Path) -> list[Rule]:
    """Every rule of the repo's policies/*.cue, file by file."""
    from compiler.policies import policy_files
    from compiler.policies.rules import read_rules

    rules: list[Rule] = []
    for path in policy_files(repo):
        display = path.relative_to(repo).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        rules += read_rules(text, display, path.stem)
    return rules


def policy_facts(repo: Path, estate: Estate, environments: list[str], check: bool) -> PolicyFacts:
    """Run the policy check (unless told not to) and describe its outcome."""
    from compiler.errors import PolicyError, ToolError
    from compiler.pipeline import check_policies

    rules = tuple(declared_rules(repo))
    used: set[tuple[str, str, str]] | None = set()
    violations: list[Violation] = []
    checked, note = check, "" if check else "not checked (--no-policies)"
    if check and rules:
        try:
            report = check_policies(repo, estate)
            used = {(w.service, w.environment, w.rule) for w in report.waived}
        except PolicyError as exc:
            used = None
            violations = [
                v for d in exc.diagnostics if (v := _violation(d.message, str(d.location)))
            ]
        except ToolError as exc:
            checked, note = False, f"not checked: {exc}"
    waivers = tuple(
        Waiver(s.name, env, rule, reason, None if used is None else (s.name, env, rule) in used)
        for env in environments
        for s in estate.resolved.environments[env].services
        for rule, reason in s.waivers
    )
    return PolicyFacts(checked, note, rules, tuple(environments), waivers, tuple(violations))


def _violation(message: str, where: str) -> Violation | None:
    hit = _VIOLATION.match(message)
    if hit is None:
        return None
    envs = tuple(e.strip() for e in hit.group(1).split(","))
    return Violation(hit.group(2), envs, message[hit.end() :].strip(), where)
