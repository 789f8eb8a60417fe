"""What loading a repository concluded, as plain JSON and back (checked on the way in).

The record is data from a directory others may write (a shared CI cache, a pull request), so
every field is checked for its shape before it is used; a record of any other shape raises
BadRecord and is ignored with a warning (OBSC020).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from compiler.build.store import BadRecord
from compiler.errors import Diagnostic, Location, Severity

if TYPE_CHECKING:
    from compiler.policies import PolicyReport

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KnownInputs:
    """What loading the repo's specs (and checking its policies) concluded last time."""

    input_digest: str
    environments: dict[str, list[str]]
    warnings: tuple[Diagnostic, ...]
    policies: PolicyReport | None  # None when that run did not check policies


def ignored_record(path: Path, problem: Exception, what: str = "") -> Diagnostic:
    """OBSC020: the record at `path` (of `what`, if said) is not one this obsc wrote."""
    of = f" of {what}" if what else ""
    return Diagnostic(
        code="OBSC020",
        message=f"ignored the cache record {path}{of}: it is not a record this obsc wrote "
        f"({str(problem)[:200]})",
        location=Location(str(path)),
        hint="obsc rewrites it; delete the cache directory ($OBSC_CACHE_DIR) if this repeats",
        severity=Severity.WARNING,
    )


def field(data: object, key: str, kind: type[T]) -> T:
    """`data[key]`, which must be a `kind`."""
    if not isinstance(data, dict) or not isinstance(data.get(key), kind):
        raise BadRecord(f"{key!r} is missing or not a {kind.__name__}")
    value: T = data[key]
    return value


def strings(data: object, key: str) -> list[str]:
    """`data[key]`, which must be a list of strings."""
    values = field(data, key, list)
    if not all(isinstance(v, str) for v in values):
        raise BadRecord(f"{key!r} is not a list of strings")
    return values


def shaped(value: object, kinds: tuple[type, ...]) -> TypeGuard[list[Any]]:
    """Whether `value` is a list of exactly these types."""
    return (
        isinstance(value, list)
        and len(value) == len(kinds)
        and all(type(v) is k for v, k in zip(value, kinds, strict=True))
    )


def _diagnostic(data: object) -> Diagnostic:
    severity = field(data, "severity", str)
    if severity not in {s.value for s in Severity}:
        raise BadRecord(f"unknown severity {severity!r}")
    location = Location(
        field(data, "file", str), field(data, "line", int), field(data, "column", int)
    )
    return Diagnostic(
        code=field(data, "code", str),
        message=field(data, "message", str),
        location=location,
        path=field(data, "path", str),
        hint=field(data, "hint", str),
        severity=Severity(severity),
    )


def _report_json(report: PolicyReport) -> dict[str, object]:
    return {
        "files": report.files,
        "rules": [[r.name, r.rationale, r.file, r.line] for r in report.rules],
        "waived": [[w.rule, w.service, w.environment, w.reason] for w in report.waived],
    }


def _report(data: object) -> PolicyReport:
    from compiler.policies import PolicyReport, Waived
    from compiler.policies.rules import Rule

    rules = field(data, "rules", list)
    waived = field(data, "waived", list)
    if not all(shaped(r, (str, str, str, int)) for r in rules):
        raise BadRecord("a policy rule is not [name, rationale, file, line]")
    if not all(shaped(w, (str, str, str, str)) for w in waived):
        raise BadRecord("a waiver is not [rule, service, environment, reason]")
    return PolicyReport(
        files=field(data, "files", int),
        rules=[Rule(*r) for r in rules],
        waived=[Waived(*w) for w in waived],
    )


def known_json(known: KnownInputs) -> dict[str, object]:
    """`known` as plain JSON data."""
    return {
        "input_digest": known.input_digest,
        "environments": known.environments,
        "warnings": [w.as_json() for w in known.warnings],
        "policies": None if known.policies is None else _report_json(known.policies),
    }


def known_from_json(data: object) -> KnownInputs:
    """The KnownInputs of `known_json`'s data; BadRecord for any other shape."""
    environments = field(data, "environments", dict)
    for env, targets in environments.items():
        if not isinstance(env, str) or not isinstance(targets, list):
            raise BadRecord("'environments' is not a mapping of names to target lists")
        if not all(isinstance(t, str) for t in targets):
            raise BadRecord("'environments' is not a mapping of names to target lists")
    policies = data.get("policies") if isinstance(data, dict) else None
    return KnownInputs(
        input_digest=field(data, "input_digest", str),
        environments=environments,
        warnings=tuple(_diagnostic(w) for w in field(data, "warnings", list)),
        policies=None if policies is None else _report(policies),
    )
