"""Multi-window, multi-burn-rate thresholds computed from each SLO's own window.

Shared by the alerts target (which renders them) and `obsc report` (which draws them), so
both say the same numbers; targets may import it (tests/test_architecture.py).

Google's SRE workbook tiers: page when 2% of the budget burns in 1h (checked with 5m) or
5% in 6h (with 30m); ticket when 10% burns in 1d (with 2h) or 10% in 3d (with 6h). The
burn factor is `budget fraction x SLO window / long window`: 14.4/6/3/1 for 30 days,
13.44/5.6/2.8/0.933 for 28. Arithmetic is decimal, so thresholds read 0.0144, not
0.014399999999999998.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from compiler.model import ResolvedSLO

_SECONDS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Tier:
    """One window pair of a severity."""

    severity: str
    short: str
    long: str
    budget_fraction: Decimal


TIERS = (
    Tier("page", "5m", "1h", Decimal("0.02")),
    Tier("page", "30m", "6h", Decimal("0.05")),
    Tier("ticket", "2h", "1d", Decimal("0.10")),
    Tier("ticket", "6h", "3d", Decimal("0.10")),
)
ALERT_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def seconds(window: str) -> int:
    """Seconds of a simple window such as `30m`, `6h`, `3d`."""
    return int(window[:-1]) * _SECONDS[window[-1]]


def clean(value: Decimal) -> str:
    """A decimal written without exponent or trailing zeros: 0.0144, 6, 0.933."""
    text = format(value.normalize(), "f")
    return text


def error_budget(slo: ResolvedSLO) -> Decimal:
    """The allowed error ratio: 99.9 -> 0.001 (from the objective as written)."""
    return (Decimal(100) - Decimal(repr(slo.objective))) / Decimal(100)


def objective_ratio(slo: ResolvedSLO) -> Decimal:
    """The objective as a ratio: 99.9 -> 0.999."""
    return Decimal(repr(slo.objective)) / Decimal(100)


def factor(slo: ResolvedSLO, tier: Tier) -> Decimal:
    """The burn-rate factor of a tier for this SLO's window, to three decimals."""
    return _factor(int(slo.window_seconds), tier)


@functools.lru_cache(maxsize=1024)
def _factor(window_seconds: int, tier: Tier) -> Decimal:
    # Every SLO with the same window shares these; renders ask for them many times.
    raw = tier.budget_fraction * Decimal(window_seconds) / Decimal(seconds(tier.long))
    return raw.quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN).normalize()


def threshold(slo: ResolvedSLO, tier: Tier) -> Decimal:
    """The error-ratio threshold of a tier: factor x error budget."""
    return (factor(slo, tier) * error_budget(slo)).normalize()


def period_days(slo: ResolvedSLO) -> str:
    """The SLO window in days, as Sloth's `slo:time_period:days` records it."""
    return clean(Decimal(int(slo.window_seconds)) / Decimal(86400))
