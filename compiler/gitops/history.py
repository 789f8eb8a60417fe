"""Reading git state for render commits and rollbacks: the repo, rendered/'s status, trailers.

Render commits carry the trailer `Obsc-Render-Version: N`; rollback commits carry
`Obsc-Rollback-To: K` and `Obsc-Rollback-Target: <sha>` as well as
`Obsc-Render-Version: K` (rendered/ after a rollback *is* render version K, byte for byte,
so its manifest and trailer agree). gitpython is imported lazily so that commands which
never touch git start fast.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.errors import ToolError

if TYPE_CHECKING:
    import git

TRAILER_RENDER_VERSION = "Obsc-Render-Version"
TRAILER_INPUT_DIGEST = "Obsc-Input-Digest"
TRAILER_COMPILER_VERSION = "Obsc-Compiler-Version"
TRAILER_ROLLBACK_TO = "Obsc-Rollback-To"
TRAILER_ROLLBACK_TARGET = "Obsc-Rollback-Target"
TRAILER_REVERTS = "Obsc-Reverts"

_TRAILER_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class GitRepo:
    """An opened repository and where the obsc repo's rendered/ lives inside it."""

    repo: git.Repo
    root: Path
    rendered: str  # pathspec of rendered/ relative to the work tree root (POSIX)


def open_repo(obsc_repo: Path, rendered_dir: str) -> GitRepo:
    """Open the git work tree holding `obsc_repo` (worktrees, detached HEADs, shallow clones).

    Raises ToolError when git is missing or `obsc_repo` is not inside a git work tree.
    """
    try:
        import git
    except ImportError as exc:  # pragma: no cover - gitpython is a dependency; git may be absent
        raise ToolError(f"git is not usable: {exc}") from exc
    try:
        repo = git.Repo(obsc_repo, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise ToolError(
            f"{obsc_repo} is not inside a git repository: run `git init` (and commit your "
            "specs) first, or pass --repo DIR"
        ) from exc
    if repo.bare or repo.working_tree_dir is None:
        raise ToolError(f"{obsc_repo} is a bare git repository; a work tree is needed")
    root = Path(repo.working_tree_dir).resolve()
    target = (obsc_repo / rendered_dir).resolve()
    try:
        rel = target.relative_to(root).as_posix()
    except ValueError as exc:  # pragma: no cover - search_parent_directories guarantees it
        raise ToolError(f"{target} is outside the git work tree {root}") from exc
    return GitRepo(repo, root, rel)


def git_run(handle: GitRepo, *args: str) -> str:
    """Run `git ARGS` in the work tree; a failure becomes a ToolError with git's message."""
    import git

    try:
        out: str = handle.repo.git.execute(
            ["git", *args], with_extended_output=False, strip_newline_in_stdout=False
        )
    except git.GitCommandError as exc:
        message = (exc.stderr or exc.stdout or str(exc)).strip()
        message = message.removeprefix("stderr:").strip().strip("'").strip()
        raise ToolError(f"git {args[0]} failed: {message}") from exc
    return out


def has_head(handle: GitRepo) -> bool:
    """Whether HEAD points at a commit (False in a fresh repo before the first commit)."""
    try:
        handle.repo.head.commit  # noqa: B018 - resolving is the test
    except ValueError:
        return False
    return True


def status_entries(handle: GitRepo, pathspec: str | None) -> list[tuple[str, str]]:
    """`git status` entries (XY code, path) for the pathspec, untracked files included."""
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignore-submodules"]
    if pathspec is not None:
        args += ["--", pathspec]
    raw = git_run(handle, *args)
    entries: list[tuple[str, str]] = []
    fields = raw.split("\0")
    i = 0
    while i < len(fields):
        item = fields[i]
        i += 1
        if len(item) < 4:
            continue
        code, path = item[:2], item[3:]
        if code[0] in "RC":  # renames/copies carry the original path as the next field
            i += 1
        entries.append((code, path))
    return entries


def describe_status(entries: list[tuple[str, str]]) -> list[str]:
    """Human-readable `state: path` lines for status entries."""
    lines = []
    for code, path in entries:
        if code == "??":
            state = "untracked"
        elif "D" in code:
            state = "deleted"
        elif "U" in code or code in ("AA", "DD"):
            state = "unmerged"
        elif code[0] == "A":
            state = "added"
        else:
            state = "modified"
        lines.append(f"{state}: {path}")
    return lines


def check_identity(handle: GitRepo) -> None:
    """Fail before doing any work when git has no usable author/committer identity."""
    import git

    for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            handle.repo.git.var(var)
        except git.GitCommandError as exc:
            raise ToolError(
                "git has no identity to commit with: set it with "
                '`git config user.name "Your Name"` and '
                '`git config user.email "you@example.com"` '
                "(or the GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL environment variables)"
            ) from exc


def parse_trailers(message: str) -> dict[str, str]:
    """The `Key: value` trailers of a commit message's last paragraph (last one wins)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return {}
    trailers: dict[str, str] = {}
    for line in paragraphs[-1].splitlines():
        match = _TRAILER_LINE.match(line)
        if match is None:
            return {}
        trailers[match.group(1)] = match.group(2)
    return trailers


@dataclass(frozen=True, slots=True)
class RenderCommit:
    """A commit on the first-parent history that set rendered/ to a render version."""

    sha: str
    version: int
    subject: str
    rollback_target: str | None  # for rollback commits: the sha whose rendered/ was restored

    @property
    def short(self) -> str:
        """An abbreviated sha for messages."""
        return self.sha[:12]

    @property
    def is_rollback(self) -> bool:
        """Whether this commit is an `obsc rollback` rather than a render."""
        return self.rollback_target is not None


def render_commits(handle: GitRepo, rev: str = "HEAD") -> list[RenderCommit]:
    """Render and rollback commits on the first-parent history of `rev`, oldest first."""
    if not has_head(handle):
        return []
    raw = git_run(
        handle,
        "log",
        "--first-parent",
        "-E",
        f"--grep=^{TRAILER_RENDER_VERSION}: *[0-9]+",
        "--format=%H%x1f%B%x1e",
        rev,
    )
    found: list[RenderCommit] = []
    for record in raw.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, _, message = record.partition("\x1f")
        trailers = parse_trailers(message)
        version = trailers.get(TRAILER_RENDER_VERSION, "")
        if not version.isdigit():
            continue
        subject = message.strip().splitlines()[0] if message.strip() else ""
        target = trailers.get(TRAILER_ROLLBACK_TARGET) if TRAILER_ROLLBACK_TO in trailers else None
        found.append(RenderCommit(sha.strip(), int(version), subject, target or None))
    found.reverse()
    return found


def tree_files(handle: GitRepo, commit: str, subdir: str) -> dict[str, bytes]:
    """Every blob under `subdir` at `commit` (path relative to subdir -> bytes)."""
    import git

    tree = handle.repo.commit(commit).tree
    try:
        sub = tree / subdir
    except KeyError:
        return {}
    if not isinstance(sub, git.Tree):
        return {}
    files: dict[str, bytes] = {}
    for item in sub.traverse():
        if isinstance(item, git.Blob):
            rel = os.path.relpath(item.path, subdir).replace(os.sep, "/")
            files[rel] = item.data_stream.read()
    return dict(sorted(files.items()))
