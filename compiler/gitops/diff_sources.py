"""rendered/ as of a git ref, read from git's object store without touching the work tree.

Reading blobs (rather than checking out) keeps `obsc diff --against` safe to run in a dirty
work tree and in CI's detached checkouts.
"""

from __future__ import annotations

from pathlib import Path

from compiler.errors import UsageError


def tree_at_ref(rendered: Path, ref: str) -> dict[str, bytes]:
    """Every file under `rendered` at `ref` (relative path -> bytes; empty if it was absent)."""
    import git  # gitpython: imported here so that other commands never pay for it

    try:
        repo = git.Repo(rendered.parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise UsageError(
            f"--against needs a git repository: {rendered.parent} is not in one"
        ) from exc
    try:
        commit = repo.commit(ref)
    except (git.BadName, git.BadObject, ValueError) as exc:
        raise UsageError(f"unknown git ref {ref!r}: {exc}") from exc
    top = Path(repo.working_tree_dir or rendered.parent).resolve()
    try:
        relative = rendered.resolve().relative_to(top).as_posix()
    except ValueError as exc:
        raise UsageError(f"{rendered} is outside the git repository at {top}") from exc
    try:
        tree = commit.tree / relative
    except KeyError:
        return {}
    if not isinstance(tree, git.Tree):
        raise UsageError(f"{relative} at {ref} is not a directory")
    files: dict[str, bytes] = {}
    prefix = len(relative) + 1
    for item in tree.traverse():
        if isinstance(item, git.Blob):
            files[str(item.path)[prefix:]] = item.data_stream.read()
    return dict(sorted(files.items()))
