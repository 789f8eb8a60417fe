"""Run the checks, and run the failing ones again until they pass or the time is up.

A check is settled once it passes or skips by its own verdict (a skip because its
prerequisite has not passed yet is retried with it). Each round re-runs what is not
settled while its time lasts: `--wait` for every check, at least `patience` for the
probe's, whose signals take seconds to travel through the pipeline (once the probe was
sent: a probe that could not be sent waits only as long as `--wait`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from compiler.verify.http import EndpointError
from compiler.verify.results import Check, Result, Status


def run_checks(
    checks: Sequence[Check],
    wait: float,
    interval: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Result]:
    """Every check's last result, in the order given (prerequisites before dependents)."""
    start = clock()
    results: dict[tuple[str, str], Result] = {}
    settled: set[tuple[str, str]] = set()
    while True:
        for check in checks:
            if check.key in settled:
                continue
            if _waiting_for(check, results):
                results[check.key] = _gated(check)
                if check.needs in settled:  # the prerequisite was skipped: so is this
                    settled.add(check.key)
                continue
            results[check.key], retry = _attempt(check)
            if results[check.key].status is not Status.FAIL or not retry:
                settled.add(check.key)
        elapsed = clock() - start
        left = [
            _budget(c, wait, results) - elapsed
            for c in checks
            if c.key not in settled and _budget(c, wait, results) > elapsed
        ]
        if not left:
            return [results[c.key] for c in checks]
        sleep(min(interval, max(left)))


def _budget(check: Check, wait: float, results: dict[tuple[str, str], Result]) -> float:
    """How long a failing check may be retried: its patience counts once it can run."""
    return wait if _waiting_for(check, results) else max(wait, check.patience)


def _waiting_for(check: Check, results: dict[tuple[str, str], Result]) -> bool:
    if check.needs is None:
        return False
    gate = results.get(check.needs)
    return gate is None or gate.status is not Status.PASS


def _gated(check: Check) -> Result:
    subject, name = check.needs or ("", "")
    return Result(
        check.subject,
        check.check,
        Status.SKIP,
        f"not checked: {subject} {name} did not pass",
        check.endpoint,
    )


def _attempt(check: Check) -> tuple[Result, bool]:
    """The check's result, and whether a failure is worth retrying."""
    try:
        verdict = check.run()
    except EndpointError as exc:
        result = Result(
            check.subject, check.check, Status.FAIL, str(exc), check.endpoint, exc.unreachable
        )
        return result, True
    except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
        # An answer of an unexpected shape that the check's own parsing did not foresee.
        detail = f"{check.endpoint}: unexpected answer ({type(exc).__name__}: {exc})"
        return Result(check.subject, check.check, Status.FAIL, detail, check.endpoint), True
    result = Result(check.subject, check.check, verdict.status, verdict.detail, check.endpoint)
    return result, verdict.retry
