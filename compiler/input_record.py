"""Recognising inputs unchanged since they last validated, without reading them.

Loading, validating and resolving 10,000 services takes seconds, and the policy check more;
`render --check` in a pre-commit hook mostly finds that nothing changed. So after the specs
validate, obsc records what that run concluded (the input digest, the environments and their
targets, the warnings, the policy report) under the stat of every file it read (size, mtime,
ctime, inode; as compiler.output.render_cache does for rendered/, like git's index): the spec
files, the compose file the Project names, the repo's policies and the cue binary that checked
them. When every one of them stats the same, and no spec or policy file was added or removed,
the same compiler would conclude the same, and `render` / `render --check` / `diff` can tell
from the render cache whether rendered/ is already that render without loading anything.

The record lives in the cache directory (one per repository), is safe to delete, and is not
used when anything about it is unexpected. It is plain JSON decoded into checked shapes, never
pickle: the cache directory may be relative (`OBSC_CACHE_DIR=.obsc-cache`) and so come from a
pull request, and reading it must not be able to run code. A record that is not one this obsc
wrote is ignored with a warning (OBSC020).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

from compiler.errors import Diagnostic, Location, ObscError, Severity
from compiler.output.render_cache import cache_dir, compiler_fingerprint

if TYPE_CHECKING:
    from compiler.policies import PolicyReport

# Files changed within this long before the record was written could change again without
# their stat changing (timestamp granularity); such a record is not trusted.
_RACY_NS = 1_000_000_000
_FORMAT = 2
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KnownInputs:
    """What loading the repo's specs (and checking its policies) concluded last time."""

    input_digest: str
    environments: dict[str, list[str]]
    warnings: tuple[Diagnostic, ...]
    policies: PolicyReport | None  # None when that run did not check policies


def _record_path(repo: Path) -> Path:
    name = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()
    return cache_dir() / "inputs" / f"{name}.json"


def _stat(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _listed(repo: Path) -> tuple[list[str], list[str]]:
    """The spec files and policy files a load would read now (repo-relative)."""
    from compiler.policies import policy_files
    from compiler.spec.files import SPEC_FOLDERS, list_spec_folders

    listing = list_spec_folders(repo, SPEC_FOLDERS)
    if listing.unreadable:  # the load reports it
        raise OSError(str(listing.unreadable[0]))
    specs = [p.relative_to(repo).as_posix() for p in listing.files]
    policies = [p.relative_to(repo).as_posix() for p in policy_files(repo)]
    return specs, policies


class _BadRecord(ValueError):
    """The record is not one this obsc wrote (unparseable, or not the expected shape)."""


def _field(data: object, key: str, kind: type[T]) -> T:
    if not isinstance(data, dict) or not isinstance(data.get(key), kind):
        raise _BadRecord(f"{key!r} is missing or not a {kind.__name__}")
    value: T = data[key]
    return value


def _strings(data: object, key: str) -> list[str]:
    values = _field(data, key, list)
    if not _is_strings(values):
        raise _BadRecord(f"{key!r} is not a list of strings")
    return values


def _stat_of(value: object) -> tuple[int, int, int, int]:
    if not _shaped(value, (int, int, int, int)):
        raise _BadRecord("a file stat is not four integers")
    return (value[0], value[1], value[2], value[3])


def _diagnostic(data: object) -> Diagnostic:
    severity = _field(data, "severity", str)
    if severity not in {s.value for s in Severity}:
        raise _BadRecord(f"unknown severity {severity!r}")
    location = Location(
        _field(data, "file", str), _field(data, "line", int), _field(data, "column", int)
    )
    return Diagnostic(
        code=_field(data, "code", str),
        message=_field(data, "message", str),
        location=location,
        path=_field(data, "path", str),
        hint=_field(data, "hint", str),
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

    rules = _field(data, "rules", list)
    waived = _field(data, "waived", list)
    if not all(_shaped(r, (str, str, str, int)) for r in rules):
        raise _BadRecord("a policy rule is not [name, rationale, file, line]")
    if not all(_shaped(w, (str, str, str, str)) for w in waived):
        raise _BadRecord("a waiver is not [rule, service, environment, reason]")
    return PolicyReport(
        files=_field(data, "files", int),
        rules=[Rule(*r) for r in rules],
        waived=[Waived(*w) for w in waived],
    )


def _shaped(value: object, kinds: tuple[type, ...]) -> TypeGuard[list[Any]]:
    return (
        isinstance(value, list)
        and len(value) == len(kinds)
        and all(type(v) is k for v, k in zip(value, kinds, strict=True))
    )


def _known_json(known: KnownInputs) -> dict[str, object]:
    return {
        "input_digest": known.input_digest,
        "environments": known.environments,
        "warnings": [w.as_json() for w in known.warnings],
        "policies": None if known.policies is None else _report_json(known.policies),
    }


def _known(data: object) -> KnownInputs:
    environments = _field(data, "environments", dict)
    for env, targets in environments.items():
        if not isinstance(env, str) or not _is_strings(targets):
            raise _BadRecord("'environments' is not a mapping of names to target lists")
    policies = data.get("policies") if isinstance(data, dict) else None
    return KnownInputs(
        input_digest=_field(data, "input_digest", str),
        environments=environments,
        warnings=tuple(_diagnostic(w) for w in _field(data, "warnings", list)),
        policies=None if policies is None else _report(policies),
    )


def _is_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def remember(
    repo: Path,
    inputs: Sequence[str],
    known: KnownInputs,
) -> None:
    """Record `known` under the stat of `inputs` (repo-relative files read), best effort."""
    from compiler.policies.cue import find_cue

    try:
        specs, policies = _listed(repo)
        cue = find_cue() if known.policies is not None else None
        stats = {rel: _stat(repo / rel) for rel in [*inputs, *policies]}
        record = {
            "format": _FORMAT,
            "compiler": compiler_fingerprint(),
            "written_ns": time.time_ns(),
            "specs": specs,
            "policies": policies,
            "cue": [cue, _stat(Path(cue))] if cue else None,
            "stats": stats,
            "known": _known_json(known),
        }
        path = _record_path(repo)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass


@dataclass(frozen=True, slots=True)
class Recalled:
    """What `recall` found.

    The known inputs when nothing changed; a warning when the record had to be ignored
    because it is not one this obsc wrote.
    """

    known: KnownInputs | None
    warning: Diagnostic | None = None


def recall(repo: Path, with_policies: bool) -> Recalled:
    """What the last successful load concluded, if no input has changed since."""
    path = _record_path(repo)
    try:
        raw = path.read_bytes()
    except OSError:  # no record yet, or unreadable: nothing to trust
        return Recalled(None)
    try:
        return Recalled(_still_valid(repo, json.loads(raw.decode("utf-8")), with_policies))
    except (ValueError, RecursionError) as problem:  # _BadRecord, JSON and UTF-8 errors
        return Recalled(None, _ignored(path, problem))
    except (OSError, ObscError):  # an input vanished or is unreadable: the load reports it
        return Recalled(None)


def _ignored(path: Path, problem: Exception) -> Diagnostic:
    return Diagnostic(
        code="OBSC020",
        message=f"ignored the cache record {path}: it is not a record this obsc wrote "
        f"({str(problem)[:200]})",
        location=Location(str(path)),
        hint="obsc rewrites it; delete the cache directory ($OBSC_CACHE_DIR) if this repeats",
        severity=Severity.WARNING,
    )


def _still_valid(repo: Path, record: object, with_policies: bool) -> KnownInputs | None:
    """The record's known inputs when every input stats as recorded; raises _BadRecord."""
    from compiler.policies.cue import find_cue

    if _field(record, "format", int) != _FORMAT:
        return None
    if _field(record, "compiler", str) != compiler_fingerprint():
        return None
    known = _known(_field(record, "known", dict))
    if with_policies and known.policies is None:
        return None
    specs, policies = _listed(repo)
    if specs != _strings(record, "specs"):
        return None
    if with_policies and policies != _strings(record, "policies"):
        return None
    if with_policies:
        seen_cue = record.get("cue") if isinstance(record, dict) else None
        cue = find_cue()
        if not (isinstance(seen_cue, list) and len(seen_cue) == 2) or cue is None:
            return None
        if seen_cue[0] != cue or _stat_of(seen_cue[1]) != _stat(Path(cue)):
            return None
    written_ns = _field(record, "written_ns", int)
    for rel, seen in _field(record, "stats", dict).items():
        if not isinstance(rel, str) or Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise _BadRecord(f"input path {rel!r} is not inside the repository")
        now = _stat(repo / rel)
        if now != _stat_of(seen) or now[1] >= written_ns - _RACY_NS:
            return None
    if not with_policies and known.policies is not None:
        return KnownInputs(known.input_digest, known.environments, known.warnings, None)
    return known
