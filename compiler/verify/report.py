"""A verification's outcome: exit code, a table for people, JSON for machines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler.verify.results import Result, Status

EXIT_PASSED = 0
EXIT_UNREACHABLE = 4
EXIT_FAILED = 5
_HEADINGS = ("SUBJECT", "CHECK", "STATUS", "DETAIL")


@dataclass(frozen=True, slots=True)
class Report:
    """Every check's result for one environment, and how long the run took."""

    environment: str
    results: tuple[Result, ...]
    duration: float

    @property
    def exit_code(self) -> int:
        """4 when an endpoint did not answer at all, else 5 when a check failed, else 0."""
        if any(r.unreachable for r in self.results):
            return EXIT_UNREACHABLE
        if any(r.status is Status.FAIL for r in self.results):
            return EXIT_FAILED
        return EXIT_PASSED

    def count(self, status: Status) -> int:
        """How many checks ended with `status`."""
        return sum(1 for r in self.results if r.status is status)

    def as_json(self) -> dict[str, Any]:
        """The JSON document of INTERFACES (`obsc --output json verify`)."""
        return {
            "environment": self.environment,
            "ok": self.exit_code == EXIT_PASSED,
            "exitCode": self.exit_code,
            "durationSeconds": round(self.duration, 2),
            "checks": [r.as_json() for r in self.results],
        }

    def summary(self) -> str:
        """One line: the counts, the time, and what the exit code means."""
        verdict = {
            EXIT_PASSED: "every check passed",
            EXIT_FAILED: "verification failed",
            EXIT_UNREACHABLE: "an endpoint could not be reached",
        }[self.exit_code]
        return (
            f"verify {self.environment}: {self.count(Status.PASS)} passed, "
            f"{self.count(Status.FAIL)} failed, {self.count(Status.SKIP)} skipped "
            f"in {self.duration:.1f} s: {verdict}"
        )


def table_rows(results: Sequence[Result]) -> list[tuple[str, str, str, str]]:
    """The table's rows: a heading, then one row per check."""
    return [_HEADINGS, *((r.subject, r.check, r.status.value, r.detail) for r in results)]


def format_table(rows: Sequence[tuple[str, str, str, str]]) -> list[str]:
    """Rows as aligned lines (the detail column is last and not padded)."""
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    ]
