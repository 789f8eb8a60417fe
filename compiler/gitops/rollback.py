"""`obsc rollback`: revert the render commits after a chosen render version, in one commit.

Render commits are the commits on the first-parent history of HEAD whose message has an
`Obsc-Render-Version: N` trailer. A rollback commit is recognisable by its
`Obsc-Rollback-To: K` and `Obsc-Rollback-Target: <sha>` trailers; it also carries
`Obsc-Render-Version: K` (plus the target's `Obsc-Input-Digest` and
`Obsc-Compiler-Version`) because rendered/ after it is exactly render version K.

The default target is the render state before the current one, where "current" follows
rollbacks: a rollback to the commit T makes T's state current again, so running
`obsc rollback` twice steps back twice instead of undoing the first rollback.

Every render or rollback commit after the target is reverted (newest first) with
`git revert --no-commit`, then rendered/ is compared blob for blob with the target's
tree, and only then is one commit made. History is kept, so Argo CD/Flux sync the revert
like any other change. Commits that are not render commits are never reverted; if one of
them touched rendered/, the revert conflicts or the comparison fails, and everything is
put back as it was.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import ObscError, ToolError, UsageError
from compiler.gitops.history import (
    TRAILER_COMPILER_VERSION,
    TRAILER_INPUT_DIGEST,
    TRAILER_RENDER_VERSION,
    TRAILER_REVERTS,
    TRAILER_ROLLBACK_TARGET,
    TRAILER_ROLLBACK_TO,
    GitRepo,
    RenderCommit,
    check_identity,
    describe_status,
    git_run,
    render_commits,
    status_entries,
    tree_files,
)
from compiler.output.manifest import MANIFEST_NAME, Manifest
from compiler.output.writer import read_tree


@dataclass(frozen=True, slots=True)
class RollbackPlan:
    """What a rollback would do: restore `target` by reverting `reverts` (newest first)."""

    target: RenderCommit
    current: RenderCommit
    reverts: list[RenderCommit]


@dataclass(frozen=True, slots=True)
class RollbackResult:
    """A finished rollback: the new commit (None when there was nothing to revert)."""

    plan: RollbackPlan
    sha: str | None
    message: str


def _effective_stack(commits: list[RenderCommit]) -> list[RenderCommit]:
    """The render states in force, oldest first, after applying rollbacks."""
    stack: list[RenderCommit] = []
    for commit in commits:
        if commit.rollback_target is None:
            stack.append(commit)
            continue
        target = commit.rollback_target
        index = next(
            (i for i in range(len(stack) - 1, -1, -1) if stack[i].sha.startswith(target)), None
        )
        stack = stack[: index + 1] if index is not None else [commit]
    return stack


def _find_target(handle: GitRepo, commits: list[RenderCommit], to: str) -> RenderCommit:
    if to.isdigit():
        version = int(to)
        for commit in reversed(commits):
            if commit.version == version:
                return commit
        known = ", ".join(sorted({f"v{c.version}" for c in commits}, key=lambda v: int(v[1:])))
        raise UsageError(
            f"no render commit for render version {version} on the history of HEAD (found: {known})"
        )
    try:
        sha = git_run(handle, "rev-parse", "--verify", "--quiet", f"{to}^{{commit}}").strip()
    except ToolError as exc:
        raise UsageError(f"{to!r} is neither a render version nor a git commit") from exc
    for commit in commits:
        if commit.sha == sha:
            return commit
    raise UsageError(
        f"{to!r} ({sha[:12]}) is not a render commit on the first-parent history of HEAD "
        f"(render commits carry an `{TRAILER_RENDER_VERSION}` trailer)"
    )


def plan_rollback(handle: GitRepo, to: str | None) -> RollbackPlan:
    """Choose the target and the commits to revert; raises UsageError when there is none."""
    commits = render_commits(handle)
    if not commits:
        raise UsageError(
            f"no render commits on the history of HEAD (commits with an "
            f"`{TRAILER_RENDER_VERSION}` trailer, made by `obsc render --commit`); "
            "nothing to roll back"
        )
    stack = _effective_stack(commits)
    current = stack[-1]
    if to is None:
        if len(stack) < 2:
            raise UsageError(
                f"render v{current.version} ({current.short}) is the only render state on "
                "this branch; there is nothing earlier to roll back to"
            )
        target = stack[-2]
    else:
        target = _find_target(handle, commits, to)
    index = next(i for i, c in enumerate(commits) if c.sha == target.sha)
    reverts = list(reversed(commits[index + 1 :]))
    return RollbackPlan(target, current, reverts)


def _check_clean(handle: GitRepo) -> None:
    entries = [
        (code, path)
        for code, path in status_entries(handle, None)
        if code != "??" or path == handle.rendered or path.startswith(handle.rendered + "/")
    ]
    if entries:
        listing = "\n  ".join(describe_status(entries))
        raise ToolError(
            "the work tree has uncommitted changes; commit or stash them before a rollback:"
            f"\n  {listing}"
        )


def _undo(handle: GitRepo) -> None:
    """Put index and work tree back to HEAD after a failed or unverified revert."""
    with contextlib.suppress(ToolError):
        git_run(handle, "revert", "--abort")
    # The tree was clean before, so every tracked change left is the revert's own.
    if any(code != "??" for code, _ in status_entries(handle, None)):
        git_run(handle, "reset", "--merge", "HEAD")


def _versions_label(reverts: list[RenderCommit]) -> str:
    renders = [c for c in reversed(reverts) if not c.is_rollback]
    versions: list[int] = []
    for commit in renders:
        if commit.version not in versions:
            versions.append(commit.version)
    if not versions:
        return "rollback " + ", ".join(c.short for c in reverts)
    if len(versions) > 1 and versions == list(range(versions[0], versions[-1] + 1)):
        return f"v{versions[0]}..v{versions[-1]}"
    return ", ".join(f"v{v}" for v in versions)


def rollback_message(plan: RollbackPlan, manifest: Manifest | None) -> str:
    """The message of the single rollback commit."""
    target = plan.target
    lines = [
        f"rollback to render v{target.version}: reverts {_versions_label(plan.reverts)}",
        "",
        f"Restores rendered/ to render v{target.version} ({target.short}) by reverting:",
    ]
    lines += [f"- {c.short} {c.subject}" for c in plan.reverts]
    lines += ["", f"{TRAILER_RENDER_VERSION}: {target.version}"]
    if manifest is not None:
        lines.append(f"{TRAILER_INPUT_DIGEST}: {manifest.input_digest}")
        lines.append(f"{TRAILER_COMPILER_VERSION}: {manifest.compiler_version}")
    lines += [
        f"{TRAILER_ROLLBACK_TO}: {target.version}",
        f"{TRAILER_ROLLBACK_TARGET}: {target.sha}",
        f"{TRAILER_REVERTS}: {' '.join(c.sha for c in plan.reverts)}",
    ]
    return "\n".join(lines) + "\n"


def rollback(handle: GitRepo, plan: RollbackPlan) -> RollbackResult:
    """Revert the plan's commits in one commit; rendered/ then equals the target's, bytewise.

    Refuses a dirty work tree; on a conflict or a failed comparison, aborts and leaves the
    work tree and HEAD exactly as they were (ToolError).
    """
    if not plan.reverts:
        return RollbackResult(plan, None, "")
    check_identity(handle)
    _check_clean(handle)
    for commit in plan.reverts:
        try:
            git_run(handle, "revert", "--no-commit", commit.sha)
        except ToolError as exc:
            conflicts = [p for code, p in status_entries(handle, None) if "U" in code]
            _undo(handle)
            where = f" in {', '.join(conflicts)}" if conflicts else ""
            raise ToolError(
                f"reverting {commit.short} ({commit.subject}) conflicts{where}: a commit that "
                f"is not a render commit changed {handle.rendered}/ since. The revert was "
                "aborted and nothing was changed; restore the files by hand or re-render."
            ) from exc
    want = tree_files(handle, plan.target.sha, handle.rendered)
    have = read_tree(handle.root / handle.rendered)
    if want != have:
        differing = sorted(p for p in set(want) | set(have) if want.get(p) != have.get(p))
        _undo(handle)
        raise ToolError(
            f"after reverting, {handle.rendered}/ would not equal render v{plan.target.version} "
            f"({plan.target.short}): {', '.join(differing)} differ (a commit that is not a "
            "render commit changed them). Nothing was changed."
        )
    raw = want.get(MANIFEST_NAME)
    message = rollback_message(plan, Manifest.parse(raw) if raw is not None else None)
    git_run(handle, "commit", "--quiet", "-m", message)
    sha = git_run(handle, "rev-parse", "HEAD").strip()
    return RollbackResult(plan, sha, message)


def specs_ask_for_newer(obsc_repo: Path) -> tuple[bool | None, str]:
    """Whether the current specs render something other than rendered/ (after a rollback).

    Returns (differs, problem): differs is None when the check could not run, with the
    reason in problem.
    """
    if not (obsc_repo / "specs").is_dir():
        return None, "no specs/ directory"
    from compiler.pipeline import render

    try:
        _, outcome = render(obsc_repo, check=True)
    except ObscError as exc:
        return None, str(exc)
    return outcome.differs, ""
