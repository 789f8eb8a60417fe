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


def print_policy_outcome(report: Any, opts: Options) -> None:
    """Say loudly when policies were skipped, and list every waived violation."""
    if report is None:
        click.echo(
            click.style(
                "warning: policies were NOT checked (--no-policies)", fg="yellow", bold=True
            )
            if _color(sys.stderr)
            else "warning: policies were NOT checked (--no-policies)",
            err=True,
        )
        return
    seen: set[tuple[str, str]] = set()
    for waived in report.waived:
        if (waived.rule, waived.service) in seen:
            continue
        seen.add((waived.rule, waived.service))
        click.echo(f"waived: {waived.service}: policy {waived.rule} ({waived.reason})", err=True)
    if report.files and not opts.quiet and not opts.json:
        click.echo(f"policies: {len(report.rules)} rules in {report.files} files passed", err=True)
