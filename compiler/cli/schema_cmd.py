"""`obsc schema`."""

from __future__ import annotations

import click


@click.command("schema")
@click.option(
    "--of",
    "which",
    type=click.Choice(["spec", "model", "model-cue"]),
    default="spec",
    show_default=True,
    help="spec: spec documents (schemas/obsc.schema.json); model: the resolved model "
    "policies check (schemas/model.schema.json); model-cue: its CUE definitions "
    "(schemas/model.cue).",
)
def schema_command(which: str) -> None:
    """Print a schema: of spec documents (default) or of the model policies check.

    Editors that speak the YAML language server complete and check specs that start
    with `# yaml-language-server: $schema=<path to obsc.schema.json>`. Policy authors
    unify their CUE files with the model definitions (`--of model-cue`).
    """
    from compiler.output.canonical import dump_json

    if which == "spec":
        from compiler.spec.schema import spec_json_schema

        click.echo(dump_json(spec_json_schema()).decode(), nl=False)
    elif which == "model":
        from compiler.policies.export import export_json_schema

        click.echo(dump_json(export_json_schema()).decode(), nl=False)
    else:
        from compiler.policies import model_cue_path

        click.echo(model_cue_path().read_text(encoding="utf-8"), nl=False)
