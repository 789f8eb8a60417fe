"""`obsc init`."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.context import options
from compiler.cli.report import print_json, say


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--obsc-from",
    "obsc_from",
    metavar="SOURCE",
    help="Where CI installs obsc from: git+URL@TAG-or-COMMIT, an https wheel URL with "
    "#sha256=..., or a wheel file (copied under .github/obsc/). Default: where this obsc "
    "was installed from.",
)
def init_command(directory: Path | None, obsc_from: str | None) -> None:
    """Scaffold a config repository in DIRECTORY (default: --repo, the current directory).

    Writes a Project with dev and prod, an example Service, the default policy pack in
    policies/, the JSON Schema for editor completion, a GitHub Actions workflow that
    validates, checks rendered/ and comments the semantic diff on pull requests, a
    pre-commit configuration and a README explaining the loop. Refuses to overwrite any
    existing file. Next: `obsc render`.
    """
    from compiler.scaffold import init_repository
    from compiler.scaffold.source import running_source, source_from_option

    opts = options()
    root = directory if directory is not None else opts.repo
    source = source_from_option(obsc_from) if obsc_from else running_source()
    scaffold = init_repository(root, source)
    if opts.json:
        print_json({"ok": True, "root": str(scaffold.root), "files": list(scaffold.files)})
        return
    say(f"initialised {len(scaffold.files)} files in {scaffold.root}:", opts)
    for rel in scaffold.files:
        say(f"  {rel}", opts)
    say(f"CI installs obsc from {source.description}", opts)
    say("next: obsc render   (then commit specs/, policies/ and rendered/)", opts)
