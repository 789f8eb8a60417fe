"""The burn-rate arithmetic the alert rules are rendered with: compiler.burn, named here.

It lives in compiler so that `obsc report` draws the very thresholds this target renders.
"""

from __future__ import annotations

from compiler.burn import (
    ALERT_WINDOWS,
    TIERS,
    Tier,
    clean,
    error_budget,
    factor,
    objective_ratio,
    period_days,
    seconds,
    threshold,
)

__all__ = [
    "ALERT_WINDOWS",
    "TIERS",
    "Tier",
    "clean",
    "error_budget",
    "factor",
    "objective_ratio",
    "period_days",
    "seconds",
    "threshold",
]
