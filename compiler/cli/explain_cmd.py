"""`obsc explain`."""

from __future__ import annotations

import json

import click

from compiler.cli.context import env_option, options, require_specs
from compiler.cli.printing import print_diagnostics, print_json


def _show(value: object) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value)


@click.command("explain")
@click.argument("query", metavar="SERVICE[.FIELD.PATH]")
@env_option("Explain in this environment only (repeatable; default: every environment).")
def explain_command(query: str, environments: tuple[str, ...]) -> None:
    """Print a resolved value and the chain of sources that produced it.

    Sources are listed in merge order (obsc default, framework, snapshot, project
    environment, service, service environment override); the last one wins. Without a
    field path, every merged field of the service is listed with the source that won.

    \b
    Examples:
      obsc explain checkout.sampling --env prod
      obsc explain checkout.slos.latency.sli.threshold
      obsc explain checkout
    """
    from compiler.explain import explain
    from compiler.pipeline import load_estate

    opts = options()
    estate = load_estate(require_specs(opts))
    print_diagnostics(estate.warnings, opts)
    results = explain(estate.resolved, query, environments)
    if opts.json:
        print_json(
            [
                {
                    "service": r.service,
                    "environment": r.environment,
                    "path": r.path,
                    "value": json.loads(_show(r.value)),
                    "sources": [
                        {
                            "layer": c.layer,
                            "origin": c.origin,
                            "value": json.loads(_show(c.value)),
                            "location": str(c.location),
                        }
                        for c in r.chain
                    ],
                }
                for r in results
            ]
        )
        return
    detailed = "." in query
    for result in results:
        head = f"{result.service}.{result.path} [{result.environment}] = {_show(result.value)}"
        if not detailed:
            where = f"  ({result.chain[-1].origin}, {result.chain[-1].location})"
            click.echo(head + where)
            continue
        click.echo(head)
        if not result.chain:
            click.echo("  derived from the service and its framework (no layer sets it directly)")
        for number, item in enumerate(result.chain, start=1):
            wins = "  <- wins" if number == len(result.chain) else ""
            click.echo(
                f"  {number}. {item.layer:<11} {item.origin:<40} {_show(item.value):<12} "
                f"{item.location}{wins}"
            )
