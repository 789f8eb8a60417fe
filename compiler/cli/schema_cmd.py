"""`obsc schema`."""

from __future__ import annotations

import click


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of spec documents (what schemas/obsc.schema.json holds).

    Editors that speak the YAML language server complete and check specs that start
    with `# yaml-language-server: $schema=<path to obsc.schema.json>`.
    """
    from compiler.output.canonical import dump_json
    from compiler.spec.schema import spec_json_schema

    click.echo(dump_json(spec_json_schema()).decode(), nl=False)
