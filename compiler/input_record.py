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
used when anything about it is unexpected.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.errors import Diagnostic
from compiler.output.render_cache import cache_dir, compiler_fingerprint

if TYPE_CHECKING:
    from compiler.policies import PolicyReport

# Files changed within this long before the record was written could change again without
# their stat changing (timestamp granularity); such a record is not trusted.
_RACY_NS = 1_000_000_000
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class KnownInputs:
    """What loading the repo's specs (and checking its policies) concluded last time."""

    input_digest: str
    environments: dict[str, list[str]]
    warnings: tuple[Diagnostic, ...]
    policies: PolicyReport | None  # None when that run did not check policies


def _record_path(repo: Path) -> Path:
    name = hashlib.sha256(str(repo.resolve()).encode()).hexdigest()
    return cache_dir() / "inputs" / f"{name}.pickle"


def _stat(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _listed(repo: Path) -> tuple[list[str], list[str]]:
    """The spec files and policy files a load would read now (repo-relative)."""
    from compiler.policies import policy_files
    from compiler.spec.loader import discover_spec_files

    specs = [p.relative_to(repo).as_posix() for p in discover_spec_files(repo)]
    policies = [p.relative_to(repo).as_posix() for p in policy_files(repo)]
    return specs, policies


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
            "cue": (cue, _stat(Path(cue))) if cue else None,
            "stats": stats,
            "known": known,
        }
        path = _record_path(repo)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    except (OSError, pickle.PicklingError):
        pass


def recall(repo: Path, with_policies: bool) -> KnownInputs | None:
    """What the last successful load concluded, if no input has changed since; else None."""
    from compiler.policies.cue import find_cue

    try:
        record = pickle.loads(_record_path(repo).read_bytes())
        if record.get("format") != _FORMAT or record["compiler"] != compiler_fingerprint():
            return None
        known: KnownInputs = record["known"]
        if with_policies and known.policies is None:
            return None
        specs, policies = _listed(repo)
        if specs != record["specs"] or (with_policies and policies != record["policies"]):
            return None
        if with_policies:
            cue = find_cue()
            if record["cue"] is None or cue is None or record["cue"] != (cue, _stat(Path(cue))):
                return None
        written_ns = int(record["written_ns"])
        for rel, seen in record["stats"].items():
            now = _stat(repo / rel)
            if now != tuple(seen) or now[1] >= written_ns - _RACY_NS:
                return None
    except Exception:
        return None
    if not with_policies and known.policies is not None:
        return KnownInputs(known.input_digest, known.environments, known.warnings, None)
    return known
