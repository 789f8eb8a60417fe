"""Each SLO's error budget and the burn-rate thresholds of its window pairs.

The numbers are compiler.burn's, the very ones the alerts target renders into rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from compiler import burn
from compiler.model import EnvironmentModel, ResolvedService, ResolvedSLO


@dataclass(frozen=True, slots=True)
class WindowPair:
    """One window pair of a severity: alert when both windows burn faster than `factor`."""

    severity: str
    short: str
    long: str
    factor: Decimal
    threshold: Decimal  # the error ratio that fires it: factor x budget
    budget_spent: Decimal  # the share of the budget gone when it fires, in the long window
    exhaust_seconds: float  # the whole budget gone at this burn rate
    enabled: bool


@dataclass(frozen=True, slots=True)
class SLOFacts:
    """An SLO in budget terms: what it allows, and when it pages or opens a ticket."""

    service: str
    team: str
    name: str
    kind: str
    objective: float
    window: str
    window_seconds: float
    budget: Decimal  # the allowed bad fraction: 99.9 -> 0.001
    outage_minutes: float  # minutes of total outage the budget allows per window
    pairs: tuple[WindowPair, ...]

    @property
    def key(self) -> str:
        """`service/slo`, how diffs and people name it."""
        return f"{self.service}/{self.name}"

    @property
    def profile(self) -> tuple[float, str]:
        """Objective and window: SLOs with the same profile have the same thresholds."""
        return (self.objective, self.window)


PairsMemo = dict[tuple[float, float, bool, bool], tuple["WindowPair", ...]]


def slo_facts(
    service: ResolvedService, slo: ResolvedSLO, memo: PairsMemo | None = None
) -> SLOFacts:
    """The budget and window pairs of one SLO (pairs shared through `memo` by equal SLOs)."""
    budget = burn.error_budget(slo)
    key = (
        slo.objective,
        slo.window_seconds,
        slo.alerting.page.enabled,
        slo.alerting.ticket.enabled,
    )
    pairs = None if memo is None else memo.get(key)
    if pairs is None:
        pairs = tuple(_pair(slo, tier) for tier in burn.TIERS)
        if memo is not None:
            memo[key] = pairs
    return SLOFacts(
        service=service.name,
        team=service.team,
        name=slo.name,
        kind=slo.sli.kind,
        objective=slo.objective,
        window=slo.window,
        window_seconds=slo.window_seconds,
        budget=budget,
        outage_minutes=float(budget) * slo.window_seconds / 60,
        pairs=pairs,
    )


def _pair(slo: ResolvedSLO, tier: burn.Tier) -> WindowPair:
    factor = burn.factor(slo, tier)
    enabled = (slo.alerting.page if tier.severity == "page" else slo.alerting.ticket).enabled
    return WindowPair(
        severity=tier.severity,
        short=tier.short,
        long=tier.long,
        factor=factor,
        threshold=burn.threshold(slo, tier),
        budget_spent=tier.budget_fraction,
        exhaust_seconds=slo.window_seconds / float(factor),
        enabled=enabled,
    )


def profile_key(slo: SLOFacts) -> tuple[object, ...]:
    """What decides an SLO's chart: objective, window, and which severities alert."""
    return (slo.objective, slo.window, tuple(p.enabled for p in slo.pairs))


def profile_label(slo: SLOFacts) -> str:
    """`99.9% over 30d`, plus what is switched off."""
    off = sorted({p.severity for p in slo.pairs if not p.enabled})
    return f"{slo.objective:g}% over {slo.window}" + (f" ({', '.join(off)} off)" if off else "")


def profile_anchor(env: str, slo: SLOFacts) -> str:
    """The page anchor of an SLO's profile chart in one environment."""
    enabled = "".join("1" if p.enabled else "0" for p in slo.pairs)
    return f"profile-{env}-{slo.objective:g}-{slo.window}-{enabled}"


def environment_slos(model: EnvironmentModel) -> list[SLOFacts]:
    """Every SLO of an environment, by service then SLO name."""
    memo: PairsMemo = {}
    return [slo_facts(s, slo, memo) for s in model.services for slo in s.slos]


def duration(seconds: float) -> str:
    """A duration for people: `2d 2h`, `5h`, `43 min`."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}min" if mins else f"{hours}h"
    return f"{mins} min"


def percent(ratio: Decimal) -> str:
    """A ratio as a percentage without float noise: 0.0144 -> 1.44%."""
    return burn.clean(ratio * 100) + "%"
