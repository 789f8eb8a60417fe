"""`obsc init`."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.context import options
from compiler.cli.printing import print_json, say


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
@click.option(
    "--from-compose",
    "from_compose",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Detect the services of this compose file (inside DIR) and write a Service spec "
    "for each, the snapshots, and a Project whose compose.file is FILE.",
)
@click.option(
    "--from-k8s",
    "from_k8s",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Detect the services of these Kubernetes manifests and write a Service spec for each.",
)
def init_command(
    directory: Path | None, obsc_from: str | None, from_compose: Path | None, from_k8s: Path | None
) -> None:
    """Scaffold a config repository in DIRECTORY (default: --repo, the current directory).

    Writes a Project with dev and prod, an example Service, the default policy pack in
    policies/, the JSON Schema for editor completion, a GitHub Actions workflow that
    validates, checks rendered/ and comments the semantic diff on pull requests, a
    pre-commit configuration and a README explaining the loop. Refuses to overwrite any
    existing file. Next: `obsc render`.

    With --from-compose or --from-k8s, detection writes one Service spec per service
    instead of the example (framework, port, team from a `team` label or the compose
    project's name, tier 2, availability and latency SLOs from the framework's defaults).
    It can run again: specs and snapshots nobody edited are regenerated, the rest is kept.
    """
    from compiler.detect import InputKind
    from compiler.errors import UsageError
    from compiler.scaffold import init_repository
    from compiler.scaffold.source import running_source, source_from_option

    opts = options()
    root = directory if directory is not None else opts.repo
    if from_compose is not None and from_k8s is not None:
        raise UsageError("give at most one of --from-compose and --from-k8s")
    onboarding = None
    if from_compose is not None or from_k8s is not None:
        from compiler.scaffold.onboard import onboard

        kind: InputKind = "compose" if from_compose is not None else "k8s"
        onboarding = onboard(root, kind, from_compose or from_k8s or root)
    source = source_from_option(obsc_from) if obsc_from else running_source()
    scaffold = init_repository(root, source, onboarding)
    if opts.json:
        print_json(
            {
                "ok": True,
                "root": str(scaffold.root),
                "files": list(scaffold.files),
                "statuses": scaffold.statuses,
                "notes": {rel: list(notes) for rel, notes in scaffold.notes.items()},
            }
        )
        return
    say(f"initialised {len(scaffold.files)} files in {scaffold.root}:", opts)
    for rel in scaffold.files:
        status = scaffold.statuses.get(rel)
        say(f"  {rel}" + (f"  ({status})" if status else ""), opts)
        for note in scaffold.notes.get(rel, ()):
            say(f"      {note}", opts)
    kept = [rel for rel in scaffold.files if scaffold.statuses.get(rel) == "kept"]
    if kept and onboarding is not None:
        say(f"kept {len(kept)} files that exist or were edited by hand", opts)
    say(f"CI installs obsc from {source.description}", opts)
    say("next: obsc render   (then commit specs/, policies/ and rendered/)", opts)
