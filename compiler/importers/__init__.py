"""`obsc import`: SLOs written for Sloth, OpenSLO or Pyrra, as obsc Service specs.

One module per format reads its documents (with the position of every field, from the
spec loader) into `ImportedSLO`s and `Finding`s: what was imported as it was, what was
approximated and how, what was skipped and why. `compiler.importers.write` groups the SLOs
by service into stamped specs. A ratio SLI keeps the user's queries, with the window
placeholder translated to `{{window}}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from compiler.errors import Location

FindingStatus = Literal["imported", "approximated", "skipped"]
FORMATS = ("sloth", "openslo", "pyrra")
#: The exit code of an import that skipped something (docs/error-codes.md).
EXIT_SKIPPED = 6
#: Malformed import input: a missing or ill-typed field the format requires.
MALFORMED = "OBSC600"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the import report."""

    location: Location
    status: FindingStatus
    subject: str
    detail: str

    def render(self) -> str:
        """`file:line:col: imported: myservice/requests-availability: ...`."""
        return f"{self.location}: {self.status}: {self.subject}: {self.detail}"

    def as_json(self) -> dict[str, object]:
        """For `--output json`."""
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "status": self.status,
            "subject": self.subject,
            "detail": self.detail,
        }


@dataclass
class ImportedSLO:
    """One SLO as obsc spec data, with the service it belongs to."""

    service: str
    slo: dict[str, Any]
    location: Location
    team: str | None = None
    tier: int | None = None
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    """Everything read from the inputs of one import."""

    slos: list[ImportedSLO] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def note(self, location: Location, status: FindingStatus, subject: str, detail: str) -> None:
        """Add a line to the report."""
        self.findings.append(Finding(location, status, subject, detail))

    @property
    def skipped(self) -> bool:
        """Whether anything was left out (the import exits EXIT_SKIPPED)."""
        return any(f.status == "skipped" for f in self.findings)
