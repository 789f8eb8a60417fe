"""What every benchmark records: the machine, the timings, and one JSON file of results."""

from __future__ import annotations

import json
import os
import platform
import statistics
from pathlib import Path
from typing import Any


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def timings(seconds: list[float]) -> dict[str, Any]:
    """The median and every run, rounded to milliseconds."""
    return {
        "seconds_median": round(statistics.median(seconds), 3),
        "seconds_all": [round(s, 3) for s in seconds],
    }


def write_report(out: Path | None, benchmark: str, data: dict[str, Any]) -> dict[str, Any]:
    """Add the benchmark's name and the machine, write it as JSON to `out` (if given)."""
    report = {"benchmark": benchmark, "machine": machine(), **data}
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
    return report
