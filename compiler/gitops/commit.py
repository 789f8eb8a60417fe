"""`obsc render --commit`: commit rendered/ (and only it) with a message naming the change.

Message format:

    render v<N>: <env> <target> <k> added, <k> changed, <k> removed; <env> <target> ...

    Obsc-Render-Version: <N>
    Obsc-Input-Digest: sha256:<hex>
    Obsc-Compiler-Version: <version>

The summary groups the render's added/changed/removed paths (`<env>/<target>/...`) by
environment and target, omitting zero counts; "manifest only" when only manifest.json
changed. The values of the trailers come from rendered/manifest.json.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import ToolError
from compiler.gitops.history import (
    TRAILER_COMPILER_VERSION,
    TRAILER_INPUT_DIGEST,
    TRAILER_RENDER_VERSION,
    GitRepo,
    check_identity,
    describe_status,
    git_run,
    open_repo,
    status_entries,
)
from compiler.output.manifest import MANIFEST_NAME, Manifest


def summarize(added: Iterable[str], changed: Iterable[str], removed: Iterable[str]) -> str:
    """One line: changes per environment and target, e.g. "prod alerts 2 added, 1 changed"."""
    groups: dict[tuple[str, ...], dict[str, int]] = {}
    for kind, paths in (("added", added), ("changed", changed), ("removed", removed)):
        for path in paths:
            if path == MANIFEST_NAME:
                continue
            parts = path.split("/")
            key = tuple(parts[:2]) if len(parts) > 2 else (path,)
            counts = groups.setdefault(key, {"added": 0, "changed": 0, "removed": 0})
            counts[kind] += 1
    if not groups:
        return "manifest only"
    chunks = []
    for key in sorted(groups):
        counts = groups[key]
        what = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
        chunks.append(f"{' '.join(key)} {what}")
    return "; ".join(chunks)


def commit_message(manifest: Manifest, summary: str) -> str:
    """The full commit message of a render commit."""
    return (
        f"render v{manifest.render_version}: {summary}\n\n"
        f"{TRAILER_RENDER_VERSION}: {manifest.render_version}\n"
        f"{TRAILER_INPUT_DIGEST}: {manifest.input_digest}\n"
        f"{TRAILER_COMPILER_VERSION}: {manifest.compiler_version}\n"
    )


def preflight(obsc_repo: Path, rendered_dir: str) -> GitRepo:
    """Checks made before rendering: a git work tree, an identity, a clean rendered/.

    Raises ToolError naming every hand-made change under rendered/ (modified, deleted,
    untracked or staged), since committing would silently include or lose them.
    """
    handle = open_repo(obsc_repo, rendered_dir)
    check_identity(handle)
    dirty = status_entries(handle, handle.rendered)
    if dirty:
        listing = "\n  ".join(describe_status(dirty))
        raise ToolError(
            f"{handle.rendered}/ has uncommitted changes that obsc did not make; commit or "
            f"discard them first (e.g. `git checkout -- {handle.rendered}` and "
            f"`git clean -fd -- {handle.rendered}`):\n  {listing}"
        )
    return handle


@dataclass(frozen=True, slots=True)
class CommitResult:
    """What `render --commit` committed (sha None when nothing changed)."""

    sha: str | None
    message: str
    paths: list[str]


def commit_rendered(
    handle: GitRepo, added: list[str], changed: list[str], removed: list[str]
) -> CommitResult:
    """Stage and commit every change under rendered/ and nothing else.

    Other staged changes of the user stay staged and out of the commit (`git commit --
    <rendered>` commits only those paths).
    """
    spec = handle.rendered
    git_run(handle, "add", "-A", "--", spec)
    paths = [path for _, path in status_entries(handle, spec)]
    if not paths:
        return CommitResult(None, "", [])
    raw = (handle.root / spec / MANIFEST_NAME).read_bytes()
    manifest = Manifest.parse(raw)
    if manifest is None:
        raise ToolError(f"{spec}/{MANIFEST_NAME} is not a valid manifest; cannot commit")
    message = commit_message(manifest, summarize(added, changed, removed))
    git_run(handle, "commit", "--quiet", "-m", message, "--", spec)
    sha = git_run(handle, "rev-parse", "HEAD").strip()
    return CommitResult(sha, message, sorted(paths))
