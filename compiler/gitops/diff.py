"""`obsc diff`: what a render would change, by meaning rather than by bytes.

The specs are rendered in memory and compared with rendered/ on disk or as of a git ref.
YAML and JSON are parsed and identity-keyed (see diff_identity) so reordering is not a
change; other files are compared byte for byte. manifest.json is not diffed: it is
bookkeeping derived from the other files (their hashes and a render version), so its
changes would only repeat the file list; its render version is reported instead.
Secrets are never rendered (configs name files that hold them), so none can appear here.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from compiler.gc_control import cyclic_gc_paused
from compiler.gitops.diff_describe import ValueChange, describe
from compiler.gitops.diff_identity import (
    JSON_SUFFIXES,
    is_structured,
    normalise_pair,
    pair_renames,
    parse,
)
from compiler.gitops.diff_services import normalise_copied_pair, normalise_services_pair
from compiler.output.manifest import MANIFEST_NAME
from compiler.output.sink import Copied

if TYPE_CHECKING:
    from compiler.render.runner import OnUnitDone

Kind = Literal["added", "removed", "changed"]
SECRETS_NOTE = "Secrets are never rendered (configs read them from files), so none can appear here."


@dataclass(frozen=True, slots=True)
class Change:
    """One line of the diff: a file added or removed, or one change inside a file."""

    env: str
    target: str
    file: str
    kind: Kind
    path: str
    old: Any
    new: Any
    summary: str

    def as_json(self) -> dict[str, Any]:
        """The `--format json` record."""
        return {
            "env": self.env,
            "target": self.target,
            "file": self.file,
            "kind": self.kind,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class DiffResult:
    """Every change, what was compared with, and the render version found there."""

    changes: list[Change]
    against: str
    render_version: int | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)
    explanation: tuple[str, ...] = ()  # why the cache was or was not used (--explain-cache)

    @property
    def files(self) -> list[str]:
        """The rendered/-relative paths with at least one change, sorted."""
        return sorted({f"{c.env}/{c.target}/{c.file}" for c in self.changes})


def compare_trees(
    old: dict[str, bytes],
    new: dict[str, bytes],
    prefixes: list[str] | None = None,
    copied: Mapping[str, Copied] | None = None,
) -> list[Change]:
    """Changes from `old` to `new` (rendered/-relative paths), limited to `prefixes`.

    `copied`: runs of new files' bytes copied from the old ones, by path (compare_file).
    """

    def in_scope(path: str) -> bool:
        return path != MANIFEST_NAME and (
            prefixes is None or any(path.startswith(p) for p in prefixes)
        )

    changes: list[Change] = []
    paths = sorted({p for p in (*old, *new) if in_scope(p)})
    both = [p for p in paths if p in old and p in new and old[p] != new[p]]
    with cyclic_gc_paused():  # parsed documents are large and acyclic
        jobs = [(p, old[p], new[p], (copied or {}).get(p)) for p in both]
        inside = dict(zip(both, _compare_many(jobs), strict=True))
    for path in paths:
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        env, target, file = _split(path)
        if before is None:
            changes.append(Change(env, target, file, "added", "", None, None, "file added"))
        elif after is None:
            changes.append(Change(env, target, file, "removed", "", None, None, "file removed"))
        else:
            changes.extend(
                Change(env, target, file, "changed", c.path, c.old, c.new, c.summary)
                for c in inside[path]
            )
    return changes


PARALLEL_FROM = 256  # changed files; below this a process pool costs more than it saves


def _compare_many(
    jobs: list[tuple[str, bytes, bytes, Copied | None]],
) -> list[list[ValueChange]]:
    """compare_file over many files, on every CPU when there are many.

    Parsing YAML is most of the cost of a large diff (every objective of 1,000 services
    changed touches 6,000 files), and it is pure Python, so it scales with processes: the
    render's runner and job policy (`OBSC_JOBS`), compiler.render.runner.
    """
    from compiler.render.runner import job_count, parallel_map

    return parallel_map(_compare_job, jobs, job_count(len(jobs), PARALLEL_FROM), chunksize=32)


def _compare_job(job: tuple[str, bytes, bytes, Copied | None]) -> list[ValueChange]:
    return compare_file(*job)


def compare_file(
    path: str, old: bytes, new: bytes, copied: Copied | None = None
) -> list[ValueChange]:
    """The semantic changes in one file (empty when the two mean the same).

    `copied`: the runs of `new` copied from `old` by the render (a spliced model.json),
    which need not be parsed (compiler.gitops.diff_services).
    """
    if not is_structured(path):
        return [ValueChange("", None, None, "changed (compared byte for byte)")]
    try:
        pair = None
        if path.endswith(JSON_SUFFIXES):
            if copied is not None:
                pair = normalise_copied_pair(old, new, copied)
            pair = pair or normalise_services_pair(old, new)
        old_doc, new_doc = pair or normalise_pair(parse(path, old), parse(path, new))
    except ValueError as exc:
        return [ValueChange("", None, None, f"changed (not parsed, so compared as bytes: {exc})")]
    return describe(old_doc, pair_renames(old_doc, new_doc))


def _split(path: str) -> tuple[str, str, str]:
    parts = path.split("/", 2)
    if len(parts) < 3:
        return (parts[0], "", parts[1]) if len(parts) == 2 else ("", "", path)
    return parts[0], parts[1], parts[2]


class _ImportedMeanwhile:
    """A module imported in a thread while the render's workers are busy.

    Importing deepdiff takes 0.24 s; the render's parent process mostly waits for its
    workers, so a thread started once the first unit is done imports it for free. Joined
    before the comparison (which may fork workers of its own).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=_import_quietly, args=(self._name,))
            self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _import_quietly(name: str) -> None:
    """Import `name`; a failure is left to the import that needs it (and says why)."""
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def render_version(tree: dict[str, bytes]) -> int | None:
    """The render version recorded in a tree's manifest.json, if it has a readable one."""
    raw = tree.get(MANIFEST_NAME)
    if raw is None:
        return None
    try:
        version = json.loads(raw).get("renderVersion")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, int) else None


def diff(
    repo: Path,
    environments: Sequence[str] = (),
    targets: Sequence[str] = (),
    against: str | None = None,
    on_unit_done: OnUnitDone | None = None,
) -> DiffResult:
    """Render the specs and compare with rendered/ (or rendered/ at `against`).

    `on_unit_done(done, total, "<env>/<target>")` reports the render's progress.

    Against rendered/ on disk, this is the build of `render --check` (compiler.pipeline)
    asked to keep the files that changed: an unchanged repository is recognised without
    rendering, and only what differs is read and parsed.
    """
    from compiler.build.reasons import AGAINST_REF, Miss
    from compiler.gitops.diff_sources import tree_at_ref
    from compiler.output.sink import Keep
    from compiler.pipeline import (
        RENDERED_DIR,
        BuildRequest,
        build,
        load_estate,
        render_files,
        select_pairs,
    )

    partial = bool(environments or targets)
    rendered = repo / RENDERED_DIR
    if against is not None:
        estate = load_estate(repo, environments)
        pairs = select_pairs(estate.environment_targets, environments, targets)
        prefixes = [f"{env}/{target}/" for env, target in pairs] if partial else None
        old = tree_at_ref(rendered, against)
        new = render_files(estate.resolved, pairs)
        where = f"rendered/ at {against}"
        changes = compare_trees(old, new, prefixes)
        explained: tuple[str, ...] = (f"not used, because {Miss(AGAINST_REF, against)}",)
        return DiffResult(changes, where, render_version(old), pairs, explained)
    meanwhile = _ImportedMeanwhile("deepdiff")  # what describes the changes found

    def progress(done: int, total: int, target: str) -> None:
        meanwhile.start()
        if on_unit_done is not None:
            on_unit_done(done, total, target)

    request = BuildRequest(
        repo,
        environments,
        targets,
        check=True,
        with_policies=False,
        keep=Keep.CHANGED,
        on_unit_done=progress,
    )
    built = build(request)
    meanwhile.join()
    outcome, pairs = built.outcome, built.pairs
    where, explained = "rendered/ on disk", outcome.explanation
    if not outcome.differs:
        changes = compare_trees({}, {}, None)
        return DiffResult(changes, where, outcome.render_version, pairs, explained)
    prefixes = [f"{env}/{target}/" for env, target in pairs] if partial else None
    on_disk = [*outcome.changed, *outcome.removed]
    if (rendered / MANIFEST_NAME).is_file():
        on_disk.append(MANIFEST_NAME)
    old = {path: (rendered / path).read_bytes() for path in sorted(set(on_disk))}
    changes = compare_trees(old, built.kept, prefixes, built.copied)
    return DiffResult(changes, where, render_version(old), pairs, explained)
