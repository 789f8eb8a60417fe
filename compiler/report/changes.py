"""What a change does, against a git ref: the semantic diff of `obsc diff`, in the report's terms.

The file-level changes are `compiler.gitops.diff.diff` itself (rendered/ at the ref
against the specs rendered now). To say which services and SLOs came or went and how
thresholds moved, the specs at the ref are loaded as well (from git's object store, into
a scratch directory) and their SLOs put beside today's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.report.slos import SLOFacts, environment_slos

if TYPE_CHECKING:
    from compiler.gitops.diff import Change
    from compiler.model import EnvironmentModel, ResolvedEstate

INPUT_FOLDERS = ("specs", "snapshots")
LISTED = 400  # semantic changes listed per environment; the rest are counted


@dataclass(frozen=True, slots=True)
class SLOMove:
    """An SLO before and after (either side None when it was added or removed)."""

    key: str
    before: SLOFacts | None
    after: SLOFacts | None

    @property
    def kind(self) -> str:
        """added, removed, or changed."""
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"


@dataclass(frozen=True, slots=True)
class FileChanges:
    """The semantic changes of one rendered file."""

    file: str
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class EnvironmentChanges:
    """What changes in one environment."""

    environment: str
    services_added: tuple[str, ...]
    services_removed: tuple[str, ...]
    slos: tuple[SLOMove, ...]
    routes: tuple[Change, ...]
    files: tuple[FileChanges, ...]
    unlisted: int


@dataclass(frozen=True, slots=True)
class ChangeFacts:
    """The whole change, and whether the specs at the ref could be read."""

    against: str
    total: int
    environments: tuple[EnvironmentChanges, ...]
    note: str


def specs_at(repo: Path, ref: str, scratch: Path) -> Path:
    """A copy of the repo's inputs (specs/, snapshots/) as of `ref`, under `scratch`."""
    from compiler.gitops.diff_sources import tree_at_ref

    for folder in INPUT_FOLDERS:
        for relative, content in tree_at_ref(repo / folder, ref).items():
            target = scratch / folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    return scratch


def old_estate(repo: Path, ref: str) -> tuple[ResolvedEstate | None, str]:
    """The estate as the specs at `ref` resolve, or None and why not."""
    from compiler.errors import ObscError
    from compiler.pipeline import load_estate

    with tempfile.TemporaryDirectory(prefix="obsc-report-") as scratch:
        try:
            return load_estate(specs_at(repo, ref, Path(scratch))).resolved, ""
        except ObscError as exc:
            return (
                None,
                f"the specs at {ref} do not load ({exc}), so only rendered files are compared",
            )


def slo_moves(before: list[SLOFacts], after: list[SLOFacts]) -> list[SLOMove]:
    """SLOs added, removed, or with another objective, window or alerting."""
    old = {s.key: s for s in before}
    new = {s.key: s for s in after}
    moves = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        if was is None or now is None or (was.profile, was.pairs) != (now.profile, now.pairs):
            moves.append(SLOMove(key, was, now))
    return moves


def changes(
    repo: Path, resolved: ResolvedEstate, environments: Sequence[str], ref: str
) -> ChangeFacts:
    """The change facts of every environment asked for."""
    from compiler.gitops.diff import diff

    result = diff(repo, environments, (), ref)
    previous, note = old_estate(repo, ref)
    envs = tuple(
        _environment_changes(
            [c for c in result.changes if c.env == env],
            resolved.environments[env],
            None if previous is None else (previous.environments.get(env),),
        )
        for env in environments
    )
    return ChangeFacts(ref, len(result.changes), envs, note)


def _environment_changes(
    mine: list[Change], now: EnvironmentModel, before: tuple[EnvironmentModel | None] | None
) -> EnvironmentChanges:
    """One environment's changes.

    `before` is None when the specs at the ref did not load (nothing to compare models
    with), and holds None when the environment is new there (everything in it is added).
    """
    names_now = {s.name for s in now.services}
    if before is None:
        names_was, moves = names_now, []
    else:
        was = before[0]
        names_was = {s.name for s in was.services} if was else set()
        moves = slo_moves(environment_slos(was) if was else [], environment_slos(now))
    return EnvironmentChanges(
        environment=now.environment,
        services_added=tuple(sorted(names_now - names_was)),
        services_removed=tuple(sorted(names_was - names_now)),
        slos=tuple(moves),
        routes=tuple(c for c in mine if (c.target, c.file) == ("alerts", "alertmanager.yaml")),
        files=tuple(_by_file(mine[:LISTED])),
        unlisted=max(0, len(mine) - LISTED),
    )


def _by_file(changes: list[Change]) -> list[FileChanges]:
    files: dict[str, list[Change]] = {}
    for change in changes:
        files.setdefault(f"{change.env}/{change.target}/{change.file}", []).append(change)
    return [FileChanges(name, tuple(items)) for name, items in files.items()]
