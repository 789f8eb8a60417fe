"""Write rendered/ so that a reader, or a render killed at any moment, sees old or new.

The new tree is staged in a sibling directory (same file system), then swapped with the
old one by a single `renameat2(RENAME_EXCHANGE)`; where the kernel lacks that call, two
renames are used and an interrupted swap is repaired at the start of the next render.
Staging and retired trees are hidden siblings (`.rendered.staging-*`, `.rendered.old-*`)
that obsc removes on its next run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from compiler.errors import FileSystemError, RenderError, escape_text

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_relative_path(path: str) -> None:
    """Renderers return repo-relative POSIX paths; anything that could escape is a bug."""
    pure = PurePosixPath(path)
    if (
        not path
        or pure.is_absolute()
        or any(part in ("", ".", "..") for part in path.split("/"))
        or "\\" in path
        or "\x00" in path
    ):
        raise RenderError(f"renderer produced an unsafe output path: {path!r}")


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` as relative POSIX path -> bytes (empty if it does not exist)."""
    files: dict[str, bytes] = {}
    if not root.is_dir():
        return files
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames):
            full = base / name
            files[full.relative_to(root).as_posix()] = full.read_bytes()
    return files


def list_tree(root: Path) -> set[str]:
    """The relative POSIX path of every file under `root` (empty if it does not exist)."""
    found: set[str] = set()
    base = str(root)
    for dirpath, _dirnames, filenames in os.walk(base):
        prefix = os.path.relpath(dirpath, base)
        found.update(name if prefix == "." else f"{prefix}/{name}" for name in filenames)
    return found


def carry_over(
    old_root: Path,
    staging: Path | None,
    paths: Iterable[str],
    digest_of: Callable[[str], str | None],
) -> dict[str, str]:
    """Hard-link `paths` of the old tree into `staging` unchanged; returns their digests.

    For a partial render: the files it does not render stay as they are. `digest_of(rel)`
    gives a file's digest (None when it is gone): the tree's stat index knows most.
    """
    digests: dict[str, str] = {}
    for rel in sorted(paths):
        source = old_root / rel
        digest = digest_of(rel)
        if digest is None:
            raise RenderError(f"{source} disappeared during the render")
        digests[rel] = digest
        if staging is None:
            continue
        destination = staging / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, destination)
        except OSError:
            shutil.copyfile(source, destination)
    return digests


def _siblings(target: Path, kind: str) -> list[Path]:
    parent = target.parent
    if not parent.is_dir():
        return []
    prefix = f".{target.name}.{kind}-"
    return sorted(p for p in parent.iterdir() if p.name.startswith(prefix))


def recover(target: Path) -> None:
    """Finish or undo an interrupted earlier write, and remove its leftovers."""
    retired = _siblings(target, "old")
    if not target.exists() and retired:
        # Killed between the two renames of the fallback swap: the old tree is intact.
        retired[-1].rename(target)
        retired = retired[:-1]
    for leftover in [*retired, *_siblings(target, "staging")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories; False when the platform cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


@contextmanager
def render_lock(target: Path) -> Iterator[None]:
    """Hold the exclusive lock on writing `target` (waiting for another render to finish).

    An flock on the directory that holds `target` (the repository, for rendered/): no lock
    file is left behind, and the kernel releases the lock when its holder exits in any way,
    so a killed render never leaves it held. Without it, two renders of one tree would each
    read the old tree and the later swap would drop the other's files, and `recover` would
    remove the other's live staging directory. Renders with `--out` into sibling
    directories wait for each other too, which costs nothing that matters.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def staged_tree(target: Path) -> Iterator[Path]:
    """A new, empty staging directory beside `target`, removed afterwards in every case.

    Fill it, then `swap_in` it; whatever is left (the retired old tree after the swap, or
    a half-staged tree after an error) is removed on the way out. The caller holds
    `render_lock(target)`, so no other render's staging directory is live here.
    """
    check_replaceable(target)
    recover(target)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging = target.parent / f".{target.name}.staging-{token}"
    staging.mkdir(parents=True)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_replaceable(target: Path) -> None:
    """FileSystemError (exit 4) unless `target` is a directory, or missing, that a swap may replace.

    A symlink is refused rather than followed: the swap would replace the link itself with
    a directory (leaving the old tree where the link pointed), and following it would let a
    link committed in a pull request point a render at any directory of the machine.
    """
    shown = escape_text(str(target))
    if target.is_symlink():
        link = escape_text(str(target.readlink()))
        raise FileSystemError(
            f"{shown} is a symlink (to {link}): obsc replaces the directory it "
            "renders into as a whole and does not follow links there\n  hint: replace the "
            "link with a directory, or render into its target with --out"
        )
    if target.exists() and not target.is_dir():
        raise FileSystemError(
            f"{shown} is not a directory: obsc renders a directory tree there\n  hint: move "
            "the file away"
        )


def swap_in(staging: Path, target: Path) -> None:
    """Make the staged tree `target`, atomically where the kernel can exchange directories."""
    _swap_in(staging, target, token=staging.name.rpartition(".staging-")[2])


def _swap_in(staging: Path, target: Path, token: str) -> None:
    if not target.exists():
        staging.rename(target)
        return
    if _exchange(staging, target):
        return  # staging now holds the old tree; the caller removes it
    retired = target.parent / f".{target.name}.old-{token}"
    target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
