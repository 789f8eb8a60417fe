"""The HTML page: one Jinja2 template, autoescaping on, styles and script inline."""

from __future__ import annotations

from decimal import Decimal

from compiler import burn
from compiler.report.slos import duration, percent
from compiler.report.view import ReportView


def _number(value: Decimal | float) -> str:
    return burn.clean(Decimal(repr(value)) if isinstance(value, float) else value)


def render_page(view: ReportView) -> str:
    """The page of a report; every value from a spec is escaped by the template engine."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("compiler.report", "templates"),
        autoescape=True,  # spec values are hostile input: names, channels, reasons
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(duration=duration, percent=percent, number=_number)
    return env.get_template("report.html.j2").render(report=view)
