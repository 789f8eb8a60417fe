"""Durations as Prometheus and Alertmanager write them (`15d`, `1h30m`, `1y`)."""

from __future__ import annotations

import re

from compiler.spec.types import duration_seconds

_DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")


def seconds_of(text: str) -> float | None:
    """The duration's length in seconds, or None when `text` is not a duration."""
    return duration_seconds(text) if _DURATION.match(text) else None


def format_duration(seconds: float) -> str:
    """`90` -> `1m30s`; `--wait` and `--since` are reported back in this form."""
    whole = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    return "".join(parts) or "0s"
