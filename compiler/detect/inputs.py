"""Reading detection inputs: bytes to YAML or JSON data, with exit-2 errors for bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.errors import Diagnostic, DiagnosticSink, Location, SpecError, UsageError

MAX_INPUT_BYTES = 8 * 1024 * 1024


def display_path(path: Path) -> str:
    """The path as messages and snapshots show it: relative to the cwd when inside it."""
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path.name
    return relative.as_posix() if str(relative) != "." else path.name


def read_bytes(path: Path, what: str) -> bytes:
    """A file's bytes, or a UsageError (exit 2) saying why it cannot be read."""
    if not path.exists():
        raise UsageError(f"{what} {path} does not exist")
    if not path.is_file():
        raise UsageError(f"{what} {path} is not a file")
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise UsageError(f"{what} {path} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


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


def text_or_empty(path: Path) -> str:
    """A small text file's contents, or "" when it is missing or unreadable."""
    try:
        if path.is_file() and path.stat().st_size <= MAX_INPUT_BYTES:
            return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return ""
