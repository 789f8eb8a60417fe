"""Diagnostics and the exception hierarchy that carries them to the CLI.

Every stage collects all of its diagnostics, sorts them by position and raises once, so
a user sees every defect of a spec in one run instead of fixing them one at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from compiler.credentials import mask_secrets

#: The code of an input the operating system refused to read (permission denied, I/O
#: error); a stage with such an error exits 4, as the input it checked is incomplete.
OS_REFUSED = "OBSC006"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A position in an input file; line and column are 1-based, 0 when unknown."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


# Characters that could make one message look like several, or hide text in a terminal: C0
# and C1 controls (newline, carriage return, escape sequences), Unicode line and paragraph
# separators, and bidirectional overrides.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_text(text: str) -> str:
    """`text` with control characters written as escapes (`\\n`, `\\x1b`, `\\u202e`).

    A mapping key or value holding a newline would otherwise print as a second, forged
    diagnostic line; ordinary text, non-ASCII letters included, is unchanged.
    """
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class Severity(StrEnum):
    """How bad a diagnostic is: errors stop the pipeline, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the input, addressed to the person who wrote the spec."""

    code: str
    message: str
    location: Location
    path: str = ""
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        # The last guard of "no secret in any message": whatever a stage quoted from the
        # input, a credential-looking part of it is masked before anyone can print it.
        for name in ("message", "path", "hint"):
            object.__setattr__(self, name, mask_secrets(getattr(self, name)))

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, line and column, then by code and text for a stable tie-break."""
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.message)

    def render(self) -> str:
        """Format as `file:line:col: error[CODE]: path: message` plus an optional hint line.

        Every part that can quote the input is escaped (escape_text): one diagnostic is
        always one line, plus its hint line.
        """
        where = f"{escape_text(self.path)}: " if self.path else ""
        text = (
            f"{escape_text(str(self.location))}: {self.severity.value}[{self.code}]: "
            f"{where}{escape_text(self.message)}"
        )
        if self.hint:
            text += f"\n  hint: {escape_text(self.hint)}"
        return text

    def as_json(self) -> dict[str, object]:
        """A machine-readable form for `--output json`."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


class ObscError(Exception):
    """Base of every error the CLI turns into an exit code and a message."""

    exit_code = 70

    def __init__(self, message: str, diagnostics: Iterable[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(diagnostics, key=Diagnostic.sort_key)
        )


class SpecError(ObscError):
    """The specs are invalid: exit 2."""

    exit_code = 2


class UsageError(ObscError):
    """The command line asks for something that does not exist: exit 2."""

    exit_code = 2


class PolicyError(ObscError):
    """A policy rejected the resolved model: exit 3."""

    exit_code = 3


class ToolError(ObscError):
    """The environment lacks something obsc needs (a tool, a clean git tree): exit 4."""

    exit_code = 4


class FileSystemError(ObscError):
    """The operating system refused to read or write a file obsc needs: exit 4.

    Permission denied, a full or read-only disk, a file where a directory belongs: not the
    spec's fault and not a bug in obsc, so neither exit 2 nor 70.
    """

    exit_code = 4


class RenderError(ObscError):
    """A renderer or the writer failed on valid input: a bug, exit 70."""

    exit_code = 70


@dataclass
class DiagnosticSink:
    """Collects the diagnostics of one stage; `raise_if_errors` raises once for all of them."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, code: str, message: str, location: Location, path: str = "", hint: str = ""
    ) -> None:
        """Record an error."""
        self.items.append(Diagnostic(code, message, location, path, hint))

    def warning(
        self, code: str, message: str, location: Location, path: str = "", hint: str = ""
    ) -> None:
        """Record a warning, which is reported but does not fail the stage."""
        self.items.append(Diagnostic(code, message, location, path, hint, Severity.WARNING))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Add diagnostics found elsewhere."""
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that fail the stage."""
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The diagnostics that are only reported."""
        return [d for d in self.items if d.severity is Severity.WARNING]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(self.items, key=Diagnostic.sort_key))

    def raise_if_errors(self, stage: str) -> None:
        """Raise a SpecError carrying every error (and warning) collected so far.

        A FileSystemError (exit 4) instead when the OS refused to read an input: the other
        errors may only be consequences of what could not be read.
        """
        errors = self.errors
        if errors:
            count = len(errors)
            noun = "error" if count == 1 else "errors"
            kind = FileSystemError if any(d.code == OS_REFUSED for d in errors) else SpecError
            raise kind(f"{stage}: {count} {noun}", self.items)
