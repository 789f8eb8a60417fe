"""Recognising inputs unchanged since they last loaded, without parsing them.

Loading, validating and resolving 10,000 services takes seconds, and the policy check more;
`render --check` in a pre-commit hook mostly finds that nothing changed. So after a load,
obsc records what it concluded (compiler.build.known) with the stat index
(compiler.build.stat_index) of every file it read: the spec and snapshot files, the compose
file the Project names, the repo's policies, and the stat of the cue binary that checked
them. When the same files are there and each still has the recorded bytes, the same compiler
would conclude the same, and nothing needs loading. Any difference is named
(compiler.build.reasons).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler.build import fingerprint, store
from compiler.build.known import (
    KnownInputs,
    field,
    ignored_record,
    known_from_json,
    known_json,
    shaped,
    strings,
)
from compiler.build.reasons import (
    COMPILER_CHANGED,
    INPUT_ADDED,
    INPUT_CHANGED,
    INPUT_REMOVED,
    INPUT_UNREADABLE,
    NO_INPUT_RECORD,
    POLICIES_NOT_CHECKED,
    POLICY_CHANGED,
    POLICY_CHECKER_CHANGED,
    UNREADABLE_RECORD,
    Miss,
)
from compiler.build.stat_index import Stat, StatIndex, digest_of, stat_of
from compiler.errors import Diagnostic, ObscError

NAMESPACE = "inputs"


@dataclass(frozen=True, slots=True)
class Recalled:
    """What `recall` found: the known inputs when nothing changed, else why not.

    `warning` is set when the record had to be ignored because it is not one this obsc
    wrote; `reread` counts the files read again because their stat changed or was racy.
    """

    known: KnownInputs | None
    miss: Miss | None = None
    warning: Diagnostic | None = None
    reread: int = 0


def record_file(repo: Path) -> Path:
    """The record's file (for tests and for the OBSC020 message)."""
    return store.record_path(NAMESPACE, fingerprint.path_key(repo))


def _listed(repo: Path, with_policies: bool) -> tuple[list[str], list[str]]:
    """The spec files and (`with_policies`) policy files a load would read now (repo-relative).

    Listing them imports nothing of the policy checker (compiler.spec.files).
    """
    from compiler.spec.files import SPEC_FOLDERS, list_spec_folders, policy_files

    listing = list_spec_folders(repo, SPEC_FOLDERS)
    if listing.unreadable:  # the load reports it
        raise OSError(str(listing.unreadable[0]))
    specs = [p.relative_to(repo).as_posix() for p in listing.files]
    if not with_policies:
        return specs, []
    return specs, [p.relative_to(repo).as_posix() for p in policy_files(repo)]


def remember(
    repo: Path,
    inputs: Mapping[str, str],
    stats: Mapping[str, Stat],
    known: KnownInputs,
) -> None:
    """Record `known` with the index of `inputs` ({repo-relative file read: digest}).

    `stats` are the files' stats taken before they were read. Best effort.
    """
    try:
        specs, policies = _listed(repo, known.policies is not None)
        digests = dict(inputs)
        cue = None
        if known.policies is not None:
            from compiler.policies.cue import find_cue

            digests.update({rel: digest_of(f"{repo}/{rel}") for rel in policies})
            cue = find_cue()
        listed = set(specs)
        value = {
            "compiler": fingerprint.compiler_fingerprint(),
            "specs": specs,
            "extra": sorted(rel for rel in inputs if rel not in listed),
            "policies": policies,
            "cue": [cue, stat_of(cue)] if cue else None,
            "index": StatIndex(repo).snapshot(digests, stats),
            "known": known_json(known),
        }
    except OSError:
        return
    store.put_record(NAMESPACE, fingerprint.path_key(repo), value)


def recall(repo: Path, with_policies: bool) -> Recalled:
    """What the last load concluded, if no input has changed since; else why not."""
    key = fingerprint.path_key(repo)
    try:
        value = store.read_record(NAMESPACE, key)
        if value is None:
            return Recalled(None, Miss(NO_INPUT_RECORD))
        return _still_valid(repo, value, with_policies)
    except (ValueError, RecursionError) as problem:  # BadRecord
        warning = ignored_record(record_file(repo), problem)
        return Recalled(None, Miss(UNREADABLE_RECORD, str(problem)[:200]), warning)
    except (OSError, ObscError) as problem:  # an input vanished or is unreadable
        return Recalled(None, Miss(INPUT_UNREADABLE, str(problem)[:200]))


def _first_difference(now: list[str], recorded: list[str]) -> tuple[str, str] | None:
    """("added" | "removed", path) for the first path in one list and not the other."""
    added, removed = set(now) - set(recorded), set(recorded) - set(now)
    if added:
        return "added", min(added)
    if removed:
        return "removed", min(removed)
    return None


def _still_valid(repo: Path, value: object, with_policies: bool) -> Recalled:
    """The record's known inputs when every input has its recorded bytes; raises BadRecord."""
    if field(value, "compiler", str) != fingerprint.compiler_fingerprint():
        return Recalled(None, Miss(COMPILER_CHANGED))
    known = known_from_json(field(value, "known", dict))
    if with_policies and known.policies is None:
        return Recalled(None, Miss(POLICIES_NOT_CHECKED))
    extra = strings(value, "extra")
    for rel in extra:
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise store.BadRecord(f"input path {rel!r} is not inside the repository")
    specs, policies = _listed(repo, with_policies)
    moved = _first_difference(specs, strings(value, "specs"))
    if moved is not None:
        return Recalled(None, Miss(INPUT_ADDED if moved[0] == "added" else INPUT_REMOVED, moved[1]))
    checked = [*specs, *extra]
    if with_policies:
        from compiler.policies.cue import find_cue

        moved = _first_difference(policies, strings(value, "policies"))
        if moved is not None:
            return Recalled(None, Miss(POLICY_CHANGED, f"{moved[1]} {moved[0]}"))
        cue, seen = find_cue(), value.get("cue") if isinstance(value, dict) else None
        if cue is None or not shaped(seen, (str, list)) or seen[0] != cue:
            return Recalled(None, Miss(POLICY_CHECKER_CHANGED, cue or "no cue binary found"))
        if seen[1] != stat_of(cue):
            return Recalled(None, Miss(POLICY_CHECKER_CHANGED, f"{cue} changed"))
        checked += policies
    index = StatIndex(repo, field(value, "index", dict))
    for rel in checked:
        now = index.digest(rel)
        if now != index.recorded(rel):
            kind = POLICY_CHANGED if rel in policies else INPUT_CHANGED
            if now is None:
                kind = INPUT_REMOVED
            return Recalled(None, Miss(kind, rel))
    reread = len(index.read) + len(index.racy)
    if reread and isinstance(value, dict) and set(index.paths()) <= set(checked):
        # every entry re-verified, some by their bytes: record the new stats (an entry not
        # verified now, a policy in a run without policies, must keep its old racy window)
        value["index"] = index.snapshot({rel: str(index.recorded(rel)) for rel in checked})
        store.put_record(NAMESPACE, fingerprint.path_key(repo), value)
    if not with_policies and known.policies is not None:
        known = KnownInputs(known.input_digest, known.environments, known.warnings, None)
    return Recalled(known, None, None, reread)
