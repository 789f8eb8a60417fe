"""Policy rules: named by a `// rule: NAME` comment, explained by the `// why:` line after it."""

from __future__ import annotations

import re
from dataclasses import dataclass

_RULE = re.compile(r"^\s*//\s*rule:\s*([a-z0-9]([-a-z0-9]*[a-z0-9])?)\s*$")
_WHY = re.compile(r"^\s*//\s*why:\s*(.+?)\s*$")


@dataclass(frozen=True, slots=True)
class Rule:
    """A policy rule and where it is written."""

    name: str
    rationale: str
    file: str
    line: int


def read_rules(text: str, display: str, stem: str) -> list[Rule]:
    """The rules a policy file declares; a file without markers is one rule named `stem`."""
    lines = text.splitlines()
    rules: list[Rule] = []
    for index, line in enumerate(lines):
        match = _RULE.match(line)
        if not match:
            continue
        why = _WHY.match(lines[index + 1]) if index + 1 < len(lines) else None
        rules.append(Rule(match.group(1), why.group(1) if why else "", display, index + 1))
    if not rules:
        rules.append(Rule(stem, "", display, 1))
    return rules


def rule_at(rules: list[Rule], file: str, line: int) -> Rule | None:
    """The rule whose text contains `file:line`: the nearest marker above it."""
    candidates = [r for r in rules if r.file == file and r.line <= line]
    if candidates:
        return max(candidates, key=lambda r: r.line)
    in_file = [r for r in rules if r.file == file]
    return in_file[0] if in_file else None
