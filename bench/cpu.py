"""CPU time of a benchmark's runs.

What a run costs whatever its neighbours on a shared machine do; wall time, what a user
waits, is inflated by them.
"""

from __future__ import annotations

import resource


def cpu_seconds(who: int = resource.RUSAGE_CHILDREN) -> float:
    """User plus system seconds so far: of the waited-for child processes, or of `who`."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime
