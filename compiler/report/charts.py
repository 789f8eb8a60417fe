"""The burn-rate chart of an SLO: one bar per window pair, as long as its burn rate.

Pages are filled bars, tickets outlined ones, and every bar carries its numbers as text,
so neither colour nor shape alone says which is which. A mark at 1x is the rate that
spends exactly the budget over the SLO window.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup

from compiler import burn
from compiler.report.slos import SLOFacts, WindowPair, duration
from compiler.report.svg import figure, label, line, rect

LABEL_WIDTH = 96
BAR_WIDTH = 150
ROW = 20
TOP = 6
WIDTH = 380


def _bar_text(pair: WindowPair) -> str:
    if not pair.enabled:
        return f"{burn.clean(pair.factor)}x (off)"
    return f"{burn.clean(pair.factor)}x, empty in {duration(pair.exhaust_seconds)}"


def _row(y: float, caption: str, pair: WindowPair, scale: float, style: str) -> list[str]:
    length = max(2.0, float(pair.factor) * scale)
    kind = f"bar {pair.severity} {style}" + ("" if pair.enabled else " off")
    return [
        label(0, y + 13, caption, class_="axis"),
        rect(LABEL_WIDTH, y + 3, length, ROW - 8, class_=kind),
        label(LABEL_WIDTH + length + 4, y + 13, _bar_text(pair)),
    ]


def _one_x(scale: float, height: float) -> str:
    x = LABEL_WIDTH + scale
    return line(x, TOP - 2, x, height - 2, class_="one-x")


def _scale(pairs: list[WindowPair]) -> float:
    top = max((p.factor for p in pairs), default=Decimal(1))
    return BAR_WIDTH / float(max(top, Decimal(1)))


def burn_chart(slo: SLOFacts) -> Markup:
    """The chart of one SLO's four window pairs."""
    scale = _scale(list(slo.pairs))
    body: list[str] = []
    for index, pair in enumerate(slo.pairs):
        caption = f"{pair.severity} {pair.long}/{pair.short}"
        body += _row(TOP + index * ROW, caption, pair, scale, "now")
    height = TOP + len(slo.pairs) * ROW + 4
    body.append(_one_x(scale, height))
    title = f"Burn-rate thresholds of {slo.key} ({slo.objective}% over {slo.window})"
    return figure(WIDTH, height, title, body, _describe(slo.pairs))


def moved_chart(key: str, before: SLOFacts, after: SLOFacts) -> Markup:
    """Before and after on the same axes: two bars per window pair, each labelled."""
    scale = _scale([*before.pairs, *after.pairs])
    body: list[str] = []
    y = float(TOP)
    for old, new in zip(before.pairs, after.pairs, strict=True):
        caption = f"{new.severity} {new.long}/{new.short}"
        body += _row(y, f"{caption} before", old, scale, "before")
        body += _row(y + ROW, f"{caption} after", new, scale, "after")
        y += 2 * ROW + 4
    body.append(_one_x(scale, y))
    title = (
        f"{key}: {before.objective}% over {before.window} before, "
        f"{after.objective}% over {after.window} after"
    )
    desc = f"Before: {_describe(before.pairs)} After: {_describe(after.pairs)}"
    return figure(WIDTH + LABEL_WIDTH // 2, y + 2, title, body, desc)


def _describe(pairs: tuple[WindowPair, ...]) -> str:
    return " ".join(
        f"{p.severity} when the {p.long} and {p.short} windows burn at {_bar_text(p)}."
        for p in pairs
    )
