"""Printing results and diagnostics: text for people (colour on a terminal), JSON for tools."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

import click

from compiler.cli.context import Options


def _color(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def print_diagnostics(diagnostics: Iterable[Any], opts: Options) -> None:
    """Every diagnostic on stderr, one `file:line:col: severity[code]: ...` block each."""
    color = _color(sys.stderr)
    for diagnostic in diagnostics:
        text = diagnostic.render()
        if color:
            head, _, rest = text.partition(": ")
            style = "red" if diagnostic.severity.value == "error" else "yellow"
            text = click.style(head, bold=True) + ": " + click.style(rest, fg=style)
        click.echo(text, err=True)


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def say(message: str, opts: Options) -> None:
    """A human-readable result line, silenced by --quiet."""
    if not opts.quiet and not opts.json:
        click.echo(message)
