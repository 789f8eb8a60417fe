"""`obsc diff`."""

from __future__ import annotations

import click

from compiler.cli.context import env_option, options, require_specs
from compiler.cli.progress import ProgressReporter


@click.command("diff")
@click.option(
    "--against",
    metavar="REF",
    help="Compare with rendered/ as of this git ref instead of rendered/ on disk.",
)
@env_option("Diff only this environment (repeatable); others are not resolved or checked.")
@click.option(
    "--target", "-t", "targets", multiple=True, metavar="T", help="Diff only this target."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default=None,
    help="Output format (default: text, or json with --output json); markdown is a PR comment.",
)
@click.option(
    "--explain-cache",
    is_flag=True,
    help="Say on stderr why rendering was skipped or done (as `obsc render --explain-cache`).",
)
def diff_command(
    against: str | None,
    environments: tuple[str, ...],
    targets: tuple[str, ...],
    fmt: str | None,
    explain_cache: bool,
) -> None:
    """Show what a render would change, by meaning: parsed YAML/JSON, keyed by identity.

    Renders in memory (policies are not checked; `obsc validate` does that) and compares
    with rendered/ on disk or, with --against, as committed at a git ref. Reordered keys
    or list items are not changes. Secrets are never rendered, so none can be printed.
    Exit 0 when nothing differs, 1 when something does.
    """
    from compiler.gitops.diff import SECRETS_NOTE, diff
    from compiler.gitops.diff_format import as_json, as_markdown, as_text

    opts = options()
    with ProgressReporter.for_command("diff", opts.quiet) as progress:
        result = diff(require_specs(opts), environments, targets, against, progress.on_unit_done)
    if explain_cache:
        for line in result.explanation:
            click.echo(f"cache: {line}", err=True)
    chosen = fmt or ("json" if opts.json else "text")
    if chosen == "json":
        if not opts.quiet:
            click.echo(SECRETS_NOTE, err=True)  # stdout stays a plain list for tools
        click.echo(as_json(result), nl=False)
    elif chosen == "markdown":
        click.echo(as_markdown(result), nl=False)
    elif result.changes or not opts.quiet:
        click.echo(as_text(result), nl=False)
    if result.changes:
        raise SystemExit(1)
