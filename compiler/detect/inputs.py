"""Reading detection inputs: bytes to YAML or JSON data, with exit-2 errors for bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.errors import (
    Diagnostic,
    DiagnosticSink,
    FileSystemError,
    Location,
    ObscError,
    SpecError,
    UsageError,
    escape_text,
)
from compiler.spec.files import UnreadableInput, read_input

MAX_INPUT_BYTES = 8 * 1024 * 1024


def display_path(path: Path) -> str:
    """The path as messages and snapshots show it: relative to the cwd when inside it."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.name
    return relative.as_posix() if str(relative) != "." else path.name


def read_bytes(path: Path, what: str) -> bytes:
    """A regular file's bytes, or an error saying why it cannot be read.

    Exit 2 when the path is not something detect reads (missing, a FIFO, a device, too
    large), exit 4 when the operating system refuses to read it.
    """
    try:
        return read_input(path, MAX_INPUT_BYTES)
    except UnreadableInput as problem:
        raise input_error(problem, what) from None


def input_error(problem: UnreadableInput, what: str) -> ObscError:
    """The CLI error for an input file obsc cannot read."""
    message = escape_text(f"{what} {problem.path}: {problem.message}")
    message += f"\n  hint: {problem.hint}"
    return FileSystemError(message) if problem.by_os else UsageError(message)


def load_yaml_documents(path: Path, what: str) -> list[Any]:
    """Every YAML document of a file as plain data; syntax errors raise SpecError (exit 2)."""
    from compiler.spec.loader import load_bytes

    sink = DiagnosticSink()
    documents = load_bytes(read_bytes(path, what), str(path), sink)
    sink.raise_if_errors(f"cannot read {what}")
    return [document.data for document in documents]


def shape_error(path: Path, what: str, message: str, hint: str) -> SpecError:
    """OBSC500: the input parsed but is not the shape `obsc detect` reads."""
    diagnostic = Diagnostic("OBSC500", message, Location(str(path), 1, 1), hint=hint)
    return SpecError(f"{what} {path} is not usable", [diagnostic])


def nothing_left_error(path: Path, what: str, message: str, hint: str) -> SpecError:
    """OBSC501: the input has services, but the filters and opt-out labels left none."""
    diagnostic = Diagnostic("OBSC501", message, Location(str(path), 1, 1), hint=hint)
    return SpecError(f"{what} {path}: nothing to detect", [diagnostic])


def text_or_empty(path: Path) -> str:
    """A small text file's contents, or "" when it is missing or unreadable."""
    try:
        return read_input(path, MAX_INPUT_BYTES).decode("utf-8", errors="replace")
    except UnreadableInput:
        return ""
