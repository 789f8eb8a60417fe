"""`obsc import`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from compiler.cli.context import options
from compiler.cli.printing import print_json, say


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["sloth", "openslo", "pyrra"]))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Where the Service specs go (default: specs/services of --repo).",
)
def import_command(fmt: str, paths: tuple[Path, ...], out: Path | None) -> None:
    """Turn SLOs written for Sloth, OpenSLO or Pyrra into obsc Service specs.

    Reads every YAML document of PATHS (files or directories), writes one Service spec per
    service into --out, and prints a report: what was imported, what was approximated and
    how, what was skipped and why. A spec edited by hand since an earlier import is kept.
    Exit 0 when everything mapped, 6 when something was skipped, 2 on malformed input.

    \b
    Examples:
      obsc import sloth slos/
      obsc import openslo openslo/*.yaml --out specs/services/imported
      obsc import pyrra deploy/pyrra/ -o json
    """
    from compiler.importers import EXIT_SKIPPED
    from compiler.importers.run import read_inputs
    from compiler.importers.write import write_specs

    opts = options()
    destination = out if out is not None else opts.repo / "specs" / "services"
    result = read_inputs(fmt, paths)
    schema_file = (opts.repo / "schemas" / "obsc.schema.json").resolve()
    schema = os.path.relpath(schema_file, destination.resolve())
    written = write_specs(result, destination, schema, fmt)
    findings = sorted(result.findings, key=lambda f: (f.location, f.subject))
    if opts.json:
        print_json(
            {
                "ok": not result.skipped,
                "specs": [
                    {"service": w.service, "path": str(w.path), "status": w.status, "slos": w.slos}
                    for w in written
                ],
                "report": [f.as_json() for f in findings],
            }
        )
    else:
        for finding in findings:
            stream_err = finding.status == "skipped"
            if stream_err or not opts.quiet:
                click.echo(finding.render(), err=stream_err)
        for spec in written:
            say(f"{spec.status} {spec.path} ({spec.slos} SLOs)", opts)
            if spec.status == "kept":
                say("  kept: edited by hand since the last import", opts)
    if result.skipped:
        raise SystemExit(EXIT_SKIPPED)
