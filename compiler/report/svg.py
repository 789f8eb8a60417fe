"""The few SVG elements the report draws with, every text escaped.

Hand-written rather than a library: the charts are boxes, lines and text, and an SVG
library would add a dependency for what `markupsafe.escape` and f-strings already do.
"""

from __future__ import annotations

from markupsafe import Markup, escape

CHAR_WIDTH = 6.0  # px per character of the 11px system font, to size boxes around text


def text_width(text: str) -> float:
    """About how wide `text` is drawn, so a box can hold it."""
    return len(text) * CHAR_WIDTH


def attrs(**values: object) -> str:
    """` name="value"` pairs, escaped; `class_` becomes `class`, `_` otherwise `-`."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = "class" if key == "class_" else key.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{escape(str(value))}"')
    return "".join(parts)


def rect(x: float, y: float, w: float, h: float, **extra: object) -> str:
    """A rectangle."""
    return f"<rect{attrs(x=_n(x), y=_n(y), width=_n(w), height=_n(h), **extra)}/>"


def line(x1: float, y1: float, x2: float, y2: float, **extra: object) -> str:
    """A straight line."""
    return f"<line{attrs(x1=_n(x1), y1=_n(y1), x2=_n(x2), y2=_n(y2), **extra)}/>"


def label(x: float, y: float, content: str, **extra: object) -> str:
    """A text element; `content` is escaped."""
    return f"<text{attrs(x=_n(x), y=_n(y), **extra)}>{escape(content)}</text>"


def figure(width: float, height: float, title: str, body: list[str], desc: str = "") -> Markup:
    """A standalone, scalable SVG with a <title> (its accessible name) and a <desc>."""
    description = f"<desc>{escape(desc)}</desc>" if desc else ""
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_n(width)} '
        f'{_n(height)}" width="{_n(width)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>{description}{''.join(body)}</svg>"
    )


def _n(value: float) -> str:
    """A coordinate without float noise: 12, 12.5."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
