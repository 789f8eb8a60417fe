"""`obsc report`: the estate as one self-contained HTML page (compiler/report draws it)."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.context import env_option, no_policies_option, options, require_specs
from compiler.cli.printing import print_json, say


@click.command("report")
@env_option("Report on this environment only (repeatable; default: every environment).")
@click.option(
    "--against",
    metavar="REF",
    help="Also show what changes against this git ref (the semantic diff of `obsc diff`).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write ('-' for stdout).",
)
@click.option(
    "--rendered",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="The rendered tree to read routing and pipelines from (default: <repo>/rendered).",
)
@no_policies_option()
def report_command(
    environments: tuple[str, ...],
    against: str | None,
    out: Path,
    rendered: Path | None,
    no_policies: bool,
) -> None:
    """Write the estate (and, with --against, the change) as one self-contained HTML page.

    Per environment: services, SLO error budgets and burn-rate thresholds as charts, the
    alert route tree with inhibitions and time intervals, redaction coverage, collector
    pipelines, and every policy rule with its waivers. The page loads nothing from the
    network when opened.

    \b
    Examples:
      obsc report --out report.html
      obsc report --env prod --against origin/main --out pr-report.html
    """
    from compiler.build.files import write_atomic
    from compiler.report.build import build_report

    opts = options()
    repo = require_specs(opts)
    page = build_report(repo, environments, against, rendered, not no_policies)
    if str(out) == "-":
        click.echo(page, nl=False)
        return
    data = page.encode("utf-8")
    write_atomic(out, data)
    if opts.json:
        print_json({"ok": True, "out": str(out), "bytes": len(data)})
    say(f"wrote {out} ({len(data):,} bytes)", opts)
