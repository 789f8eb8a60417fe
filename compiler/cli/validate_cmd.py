"""`obsc validate`."""

from __future__ import annotations

import click

from compiler.cli.context import no_policies_option, options, require_specs, strict_option
from compiler.cli.printing import print_diagnostics, print_json, print_policy_outcome, say


@click.command("validate")
@no_policies_option()
@strict_option()
def validate_command(no_policies: bool, strict: bool) -> None:
    """Load, validate and resolve the specs; write nothing.

    Reads every *.yaml/*.yml under specs/ and snapshots/, checks them against the spec
    schema and each other, resolves every environment and checks the CUE policies in
    policies/, and the Kubernetes manifests an environment lists (`manifests`) against
    the Instrumentations obsc renders. All problems are reported at once as
    file:line:column messages. Exit 0
    when valid, 2 when not (or, with --strict, on any warning), 3 on policy violations.
    """
    from compiler.manifests import Specs, check_estate_manifests
    from compiler.pipeline import validate

    opts = options()
    repo = require_specs(opts)
    estate, report = validate(repo, with_policies=not no_policies, strict=strict)
    specs = Specs(estate.project_document, estate.service_documents)
    check_estate_manifests(repo, estate.resolved, specs)
    # cache records ignored (OBSC020) are said too; --strict does not count them: not the specs'
    said = (*estate.cache_warnings, *estate.warnings)
    print_diagnostics(said, opts)
    print_policy_outcome(report, opts)
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
                "diagnostics": [d.as_json() for d in said],
            }
        )
        return
    counts = ", ".join(
        f"{name}: {len(env.services)} services" for name, env in resolved.environments.items()
    )
    say(f"valid: {estate.documents} documents ({counts})", opts)
