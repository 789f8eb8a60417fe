"""Burn-rate charts: one bar per window pair of an SLO, and before/after bars for a change.

Pages are filled bars, tickets outlined ones, and every bar carries its numbers as text,
so neither colour nor shape alone says which is which. An SLO's own chart draws burn
rates (a mark at 1x is the rate that spends exactly the budget over the window); the
before/after chart draws the error ratio that fires each alert, on one scale, because
that is what moves when an objective changes while the burn rates stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from markupsafe import Markup

from compiler import burn
from compiler.report.slos import SLOFacts, WindowPair, duration, percent, profile_label
from compiler.report.svg import figure, label, line, rect

BAR_WIDTH = 150
ROW = 20
TOP = 6
TEXT_ROOM = 190

Measure = Callable[[WindowPair], Decimal]


def _rate_text(pair: WindowPair) -> str:
    text = f"{burn.clean(pair.factor)}x, empty in {duration(pair.exhaust_seconds)}"
    return text if pair.enabled else f"{text} (off)"


def _ratio_text(pair: WindowPair) -> str:
    text = f"{percent(pair.threshold)} errors ({burn.clean(pair.factor)}x)"
    return text if pair.enabled else f"{text} (off)"


def _row(
    y: float, caption: tuple[str, float], pair: WindowPair, scale: float, how: tuple[Measure, str]
) -> list[str]:
    text, left = caption
    measure, style = how
    length = max(2.0, float(measure(pair)) * scale)
    kind = f"bar {pair.severity} {style}" + ("" if pair.enabled else " off")
    words = _rate_text(pair) if style == "now" else _ratio_text(pair)
    return [
        label(0, y + 13, text, class_="axis"),
        rect(left, y + 3, length, ROW - 8, class_=kind),
        label(left + length + 4, y + 13, words),
    ]


def _scale(values: list[Decimal]) -> float:
    top = max(values, default=Decimal(1))
    return BAR_WIDTH / float(top) if top > 0 else 1.0


def burn_chart(slo: SLOFacts, title: str | None = None) -> Markup:
    """The chart of one SLO's four window pairs, by burn rate."""
    left = 90.0
    scale = _scale([max(p.factor, Decimal(1)) for p in slo.pairs])
    body: list[str] = []
    for index, pair in enumerate(slo.pairs):
        caption = (f"{pair.severity} {pair.long}/{pair.short}", left)
        body += _row(TOP + index * ROW, caption, pair, scale, (_factor, "now"))
    height = TOP + len(slo.pairs) * ROW + 4
    body.append(line(left + scale, TOP - 2, left + scale, height - 2, class_="one-x"))
    title = title or f"Burn-rate thresholds of {slo.key} ({slo.objective}% over {slo.window})"
    return figure(left + BAR_WIDTH + TEXT_ROOM, height, title, body)


def profile_chart(slo: SLOFacts) -> Markup:
    """The chart every SLO of `slo`'s objective and window shares."""
    return burn_chart(slo, f"Burn-rate thresholds of every SLO of {profile_label(slo)}")


def moved_chart(key: str, before: SLOFacts, after: SLOFacts) -> Markup:
    """Before and after on one scale: two bars per window pair, by the error ratio that fires."""
    left = 130.0
    scale = _scale([p.threshold for p in (*before.pairs, *after.pairs)])
    body: list[str] = []
    y = float(TOP)
    for old, new in zip(before.pairs, after.pairs, strict=True):
        pair_name = f"{new.severity} {new.long}/{new.short}"
        body += _row(y, (f"{pair_name} before", left), old, scale, (_threshold, "before"))
        body += _row(y + ROW, (f"{pair_name} after", left), new, scale, (_threshold, "after"))
        y += 2 * ROW + 4
    title = (
        f"{key}: error ratios that alert, {before.objective}% over {before.window} before, "
        f"{after.objective}% over {after.window} after"
    )
    return figure(left + BAR_WIDTH + TEXT_ROOM, y + 2, title, body)


def _factor(pair: WindowPair) -> Decimal:
    return pair.factor


def _threshold(pair: WindowPair) -> Decimal:
    return pair.threshold
