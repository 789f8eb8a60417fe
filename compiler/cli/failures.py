"""The operating system's refusals as exit 4, with the path and the OS error.

A full or read-only disk, a file where a directory belongs, standard output on /dev/full:
they are problems of the machine, not bugs in obsc, so they must not end in exit 70's
"this is a bug" (issue 23, finding 7). An error number outside the list below (ENOENT in
obsc's own staging tree, say) still is a bug and stays exit 70.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import PurePath

from compiler.errors import FileSystemError, escape_text

ENVIRONMENT_ERRNOS = frozenset(
    {
        errno.ENOSPC,  # no space left on device
        errno.EDQUOT,  # disk quota exceeded
        errno.EROFS,  # read-only file system
        errno.EPERM,  # operation not permitted (e.g. an immutable file)
        errno.EACCES,  # permission denied
        errno.EIO,
        errno.EISDIR,  # a directory where obsc writes or reads a file
        errno.ENOTDIR,  # a file where obsc needs a directory
        errno.EEXIST,
        errno.ENOTEMPTY,
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.EMFILE,
        errno.ENFILE,
        errno.EFBIG,
        errno.EMLINK,
        errno.ETXTBSY,
        errno.EBUSY,
        errno.EXDEV,
        errno.ENOMEM,
        errno.EPIPE,  # standard output closed by the reader
    }
)

_HINT = (
    "  hint: obsc could not read or write this path; check free space, permissions, "
    "mounts, and that a directory is where obsc expects one (nothing was changed)"
)


class StdoutFailed(FileSystemError):
    """Standard output cannot be written: report on standard error only."""


def environment_failure(exc: OSError) -> FileSystemError | None:
    """The exit-4 error for `exc` if the machine refused; None if it looks like a bug."""
    if exc.errno not in ENVIRONMENT_ERRNOS:
        return None
    reason = exc.strerror or str(exc)
    if exc.filename is None and _stdout_is_broken(exc):
        _silence_stdout()
        return StdoutFailed(f"cannot write to standard output: {reason}")
    where = _paths(exc)
    return FileSystemError(f"{where}: {reason}\n{_HINT}" if where else f"{reason}\n{_HINT}")


def _paths(exc: OSError) -> str:
    names = [os.fsdecode(n) for n in (exc.filename, exc.filename2) if n is not None]
    return escape_text(" -> ".join(names) or _pathlib_subject(exc))


def _pathlib_subject(exc: OSError) -> str:
    """The Path whose method failed, for errors that name no file (a file object's write).

    `Path.write_text` on a full disk raises from the file object, without a file name; the
    innermost pathlib frame still holds the path as `self`.
    """
    subject = ""
    tb = exc.__traceback__
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("self")
        if isinstance(candidate, PurePath):
            subject = str(candidate)
        tb = tb.tb_next
    return subject


def _stdout_is_broken(exc: OSError) -> bool:
    """True when `exc` was raised writing to standard output.

    Every line obsc prints goes through click.echo (compiler/cli/printing.py); a write there
    without `err=True` is a write to standard output. The stream's own error names no file.
    """
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if (
            frame.f_code.co_name == "echo"
            and frame.f_globals.get("__name__") == "click.utils"
            and not frame.f_locals.get("err")
        ):
            return True
        tb = tb.tb_next
    return False


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that nothing fails on it again.

    The interpreter's last flush included; the error itself goes to standard error.
    """
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):  # no real descriptor (e.g. captured)
        pass
