"""Reading input files safely: only regular files, size-bounded, inside the repository.

Every file obsc reads as input (specs, snapshots, policies, the Project's compose file,
`obsc detect` inputs) goes through `read_input`. A named pipe would block a plain `open`
forever and a symlink to /dev/zero would be read until memory runs out, and git can carry
a symlink in a pull request; so the file is stat'ed before it is opened, opened without
blocking, checked again on the open descriptor, and read only up to its limit plus one
byte (a file growing meanwhile cannot blow up memory).

`list_spec_folder` walks specs/ and snapshots/ so that a directory that cannot be listed
is an error: pathlib's rglob skips it silently, and a render would then delete the output
of the services it holds.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import OS_REFUSED, DiagnosticSink, Location

MAX_INPUT_BYTES = 8 * 1024 * 1024
SPEC_FOLDERS = ("specs", "snapshots")
POLICY_DIR = "policies"  # the repository's CUE policies (compiler.policies)
SPEC_SUFFIXES = (".yaml", ".yml")

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


@dataclass(frozen=True, slots=True)
class UnreadableInput(Exception):
    """An input file that obsc refuses or cannot read.

    `by_os` tells the two apart: True when the operating system refused (permission
    denied, an I/O error: an environment problem, exit 4), False when the file is not
    something obsc reads (not a regular file, too large, a symlink leaving the repository:
    the input is wrong, exit 2).
    """

    path: str
    message: str
    hint: str
    by_os: bool = False

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def report_unreadable(
    problem: UnreadableInput, display: str, sink: DiagnosticSink, *, is_file: bool = True
) -> None:
    """Record `problem` as an error about `display`: OBSC006 (exit 4) when the OS refused.

    A file is reported at 1:1 (editors and CI annotations expect a position); a directory
    has no position.
    """
    code = OS_REFUSED if problem.by_os else "OBSC001"
    where = Location(display, 1, 1) if is_file else Location(display)
    sink.error(code, problem.message, where, hint=problem.hint)


def kind_of(mode: int) -> str:
    """What a file is, in words, from its st_mode."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def read_input(path: Path, limit: int = MAX_INPUT_BYTES, root: Path | None = None) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them; UnreadableInput if not.

    With `root`, the file (after following symlinks) must lie inside `root`.
    """
    shown = str(path)
    try:
        before = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise UnreadableInput(
                shown,
                f"a symlink to {path.readlink()}, which does not exist",
                "remove the link or point it at a file",
            ) from None
        raise UnreadableInput(shown, "cannot read: no such file", "check the path") from None
    except OSError as exc:
        raise _refused(shown, exc) from None
    _check_regular(shown, path, before.st_mode)
    if root is not None:
        check_inside(path, root)
    _check_size(shown, before.st_size, limit)
    try:
        # O_NONBLOCK: a FIFO swapped in since the stat must not block the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise _refused(shown, exc) from None
    try:
        _check_regular(shown, path, os.fstat(fd).st_mode)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise _refused(shown, exc) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    _check_size(shown, len(data), limit)
    return data


def check_inside(path: Path, root: Path) -> None:
    """UnreadableInput unless `path`, symlinks followed, lies inside `root`."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise UnreadableInput(
            str(path), "a symlink loop", "remove the link or point it at a file"
        ) from None
    if not real.is_relative_to(root.resolve()):
        raise UnreadableInput(
            str(path),
            f"a symlink that leaves the repository (to {real})",
            "inputs must live in the repository; copy the file in instead of linking to it",
        )


def _check_regular(shown: str, path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = kind_of(mode)
    if path.is_symlink():
        what = f"a symlink to {path.readlink()}, {what}"
    raise UnreadableInput(
        shown,
        f"not a regular file: {what}",
        "obsc reads only regular files; replace it with a file or remove it",
    )


def _check_size(shown: str, size: int, limit: int) -> None:
    if size > limit:
        raise UnreadableInput(
            shown,
            f"file is larger than {_size(limit)}",
            "split it into several files",
        )


def _size(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{limit} bytes"


def _refused(shown: str, exc: OSError) -> UnreadableInput:
    return UnreadableInput(
        shown,
        f"cannot read: {exc.strerror or exc}",
        "check the file's permissions and the file system",
        by_os=True,
    )


@dataclass(frozen=True, slots=True)
class Listing:
    """What a walk over spec folders found: candidate files and folders it could not list."""

    files: list[Path]
    unreadable: list[UnreadableInput]


def policy_files(repo: Path) -> list[Path]:
    """The repo's policy files, in a stable order.

    Here, not in compiler.policies, whose checker an unchanged build does not import.
    """
    folder = repo / POLICY_DIR
    return sorted(folder.glob("*.cue")) if folder.is_dir() else []


def list_spec_folders(repo: Path, folders: tuple[str, ...]) -> Listing:
    """Every *.yaml / *.yml entry under the folders (hidden ones skipped), in a stable order.

    Entries are listed whatever they are (a FIFO or a symlink named x.yaml included), so
    that reading them refuses them loudly; a symlink to a directory is reported, not
    followed (it could loop), and so is a directory that cannot be listed: neither may
    silently take its specs out of the estate.
    """
    files: list[Path] = []
    unreadable: list[UnreadableInput] = []
    for folder in folders:
        root = repo / folder
        try:
            root.lstat()
        except FileNotFoundError:
            continue
        except OSError as exc:  # e.g. the repository itself cannot be searched
            unreadable.append(_cannot_list(root, exc))
            continue
        _walk(root, files, unreadable)
    files.sort(key=lambda p: p.relative_to(repo).as_posix())
    return Listing(files, unreadable)


def _walk(directory: Path, files: list[Path], unreadable: list[UnreadableInput]) -> None:
    try:
        with os.scandir(directory) as entries:
            listed = sorted(entries, key=lambda e: e.name)
    except NotADirectoryError:
        unreadable.append(
            UnreadableInput(
                str(directory), "not a directory", "specs/ and snapshots/ must be directories"
            )
        )
        return
    except OSError as exc:
        unreadable.append(_cannot_list(directory, exc))
        return
    for entry in listed:
        if entry.name.startswith("."):
            continue
        path = directory / entry.name
        if entry.is_dir(follow_symlinks=False):
            _walk(path, files, unreadable)
        elif entry.name.endswith(SPEC_SUFFIXES):
            files.append(path)
        elif entry.is_symlink() and entry.is_dir():
            unreadable.append(
                UnreadableInput(
                    str(path),
                    f"a symlink to a directory ({path.readlink()}), which obsc does not follow",
                    "links to directories could loop or leave the repository; move the "
                    "specs here or link the files one by one",
                )
            )


def _cannot_list(directory: Path, exc: OSError) -> UnreadableInput:
    return UnreadableInput(
        str(directory),
        f"cannot list the directory: {exc.strerror or exc}",
        "obsc would miss the specs it holds; fix its permissions or remove it",
        by_os=True,
    )
