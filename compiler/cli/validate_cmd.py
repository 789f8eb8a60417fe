"""`obsc validate`."""

from __future__ import annotations

import click

from compiler.cli.context import options, require_specs
from compiler.cli.report import print_diagnostics, print_json, say


@click.command("validate")
def validate_command() -> None:
    """Load, validate and resolve the specs; write nothing.

    Reads every *.yaml/*.yml under specs/ and snapshots/, checks them against the spec
    schema and each other, and resolves every environment. All problems are reported at
    once as file:line:column messages. Exit 0 when valid, 2 when not.
    """
    from compiler.pipeline import load_estate

    opts = options()
    estate = load_estate(require_specs(opts))
    print_diagnostics(estate.warnings, opts)
    resolved = estate.resolved
    if opts.json:
        print_json(
            {
                "ok": True,
                "documents": estate.documents,
                "environments": {
                    name: {"services": len(env.services), "targets": list(env.targets)}
                    for name, env in resolved.environments.items()
                },
                "diagnostics": [d.as_json() for d in estate.warnings],
            }
        )
        return
    counts = ", ".join(
        f"{name}: {len(env.services)} services" for name, env in resolved.environments.items()
    )
    say(f"valid: {estate.documents} documents ({counts})", opts)
