"""The vocabulary of a verification: a check to run, and what it found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """A check passed, failed, or was not run (with the reason)."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one run of a check found; `retry=False`: a failure that waiting cannot mend."""

    status: Status
    detail: str
    retry: bool = True


def passed(detail: str) -> Verdict:
    """A passing verdict."""
    return Verdict(Status.PASS, detail)


def failed(detail: str, retry: bool = True) -> Verdict:
    """A failing verdict (worth retrying unless `retry` is False)."""
    return Verdict(Status.FAIL, detail, retry)


def skipped(detail: str) -> Verdict:
    """A check that does not apply or cannot run (the reason says which)."""
    return Verdict(Status.SKIP, detail)


@dataclass(frozen=True, slots=True)
class Check:
    """A check to run: `run` returns a verdict or raises compiler.verify.http.EndpointError.

    `needs` names the check (subject, check) that must pass first (a component's
    `reachable`, the probe's send); until it does, this one is skipped. `patience` is how
    long (seconds) a failing check may be retried at least, whatever `--wait` says.
    """

    subject: str
    check: str
    endpoint: str
    run: Callable[[], Verdict]
    needs: tuple[str, str] | None = None
    patience: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        """(subject, check): unique within a run."""
        return (self.subject, self.check)


@dataclass(frozen=True, slots=True)
class Result:
    """A check's last verdict. `unreachable`: its endpoint did not answer at all."""

    subject: str
    check: str
    status: Status
    detail: str
    endpoint: str
    unreachable: bool = False

    def as_json(self) -> dict[str, str]:
        """The JSON form of INTERFACES: subject, check, status, detail, endpoint."""
        return {
            "subject": self.subject,
            "check": self.check,
            "status": self.status.value,
            "detail": self.detail,
            "endpoint": self.endpoint,
        }


def fixed(subject: str, check: str, endpoint: str, verdict: Verdict) -> Check:
    """A check whose verdict is known without asking anything (e.g. a skip)."""
    return Check(subject, check, endpoint, lambda: verdict)
