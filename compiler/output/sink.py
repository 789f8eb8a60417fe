"""Where rendered files go as they are produced: compared, staged, and let go.

A render of 10,000 services produces about a gigabyte; holding it (and the tree it replaces)
in memory is what made large renders slow and heavy. Instead each file is, as soon as it is
rendered: hashed; compared with the file at the same path of the tree on disk; written into
the staging tree (or hard-linked from the old tree when the bytes are the same, which is far
cheaper than creating a file); and then dropped, unless the caller asked to keep it (a diff
keeps what changed, to compare it field by field).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from compiler.output.manifest import file_digest


class Keep(Enum):
    """Which produced files a sink hands back with their bytes."""

    NONE = "none"
    CHANGED = "changed"  # added or different from the tree on disk
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Produced:
    """One rendered file, as the sink saw it."""

    digest: str
    # True: the tree on disk has the same bytes at this path; False: different bytes;
    # None: no such file on disk (or no tree to compare with).
    same: bool | None
    content: bytes | None = None
    copied: Copied | None = None  # kept content's byte runs copied from the file on disk


@dataclass(frozen=True, slots=True)
class Copied:
    """Runs of a kept file's bytes copied verbatim from the file on disk at its path.

    A spliced file (compiler.render.contract.Spliced) takes the pieces of unchanged services
    from the file rendered before: `runs` are `(start in the new file, start in the old
    file, length)`, and `old` is the digest of the old file they were copied from. A diff
    needs not parse what is the same on both sides (compiler.gitops.diff_services).
    """

    old: str
    runs: tuple[tuple[int, int, int], ...]


class TreeSink:
    """Compares each file with `old_root` and stages it under `staging` (either optional)."""

    def __init__(self, old_root: Path | None, staging: Path | None, keep: Keep) -> None:
        self._old = str(old_root) if old_root is not None else None
        self._staging = str(staging) if staging is not None else None
        self._keep = keep
        self._made: set[str] = set()

    def put(self, path: str, content: bytes) -> Produced:
        """Take one file (`path` relative to rendered/) and say what it is."""
        same = self._compare(path, content)
        if self._staging is not None:
            self._stage(path, content, same)
        keep = self._keep is Keep.ALL or (self._keep is Keep.CHANGED and same is not True)
        return Produced(file_digest(content), same, content if keep else None)

    def put_unchanged(self, path: str, digest: str) -> Produced:
        """Take a file known to be the tree on disk's file at `path`, unrendered."""
        if self._staging is not None:
            assert self._old is not None
            destination = self._destination(path)
            try:
                os.link(f"{self._old}/{path}", destination)
            except OSError:
                shutil.copyfile(f"{self._old}/{path}", destination)
        return Produced(digest, True, None)

    def _compare(self, path: str, content: bytes) -> bool | None:
        if self._old is None:
            return None
        old = f"{self._old}/{path}"
        try:
            if os.stat(old).st_size != len(content):  # noqa: PTH116 - no Path per file
                return False
            with open(old, "rb") as handle:  # noqa: PTH123
                return handle.read() == content
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def _destination(self, path: str) -> str:
        destination = f"{self._staging}/{path}"
        parent = os.path.dirname(destination)  # noqa: PTH120
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)  # noqa: PTH103
            self._made.add(parent)
        return destination

    def _stage(self, path: str, content: bytes, same: bool | None) -> None:
        assert self._staging is not None
        destination = self._destination(path)
        if same and self._old is not None:
            try:
                os.link(f"{self._old}/{path}", destination)
                return
            except OSError:
                pass  # another file system, or links not allowed: write the bytes
        write_new_file(destination, content)


def write_new_file(path: str, content: bytes) -> None:
    """Create `path` with `content`: open, write, close, and nothing else.

    `open()` adds an fstat, an isatty ioctl and a seek per file; creating a file is already
    the dearest step of a render on a slow disk, 60,000 times for 10,000 services.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:  # os.write names no file: name it (a full disk, say)
        raise OSError(exc.errno, exc.strerror, path) from exc
    finally:
        os.close(fd)
