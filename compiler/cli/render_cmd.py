"""`obsc render`."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.context import (
    env_option,
    no_policies_option,
    options,
    require_specs,
    strict_option,
)
from compiler.cli.printing import print_diagnostics, print_json, print_policy_outcome, say
from compiler.cli.progress import ProgressReporter


@click.command("render")
@click.option(
    "--target",
    "-t",
    "targets",
    multiple=True,
    metavar="T",
    help="Render only this target (repeatable). Other targets' files are kept.",
)
@env_option(
    "Render only this environment (repeatable). Other environments' files are kept; they "
    "are not resolved or checked (every spec file is still validated)."
)
@click.option(
    "--check",
    is_flag=True,
    help="Render in memory and compare with rendered/; exit 1 listing files that differ.",
)
@click.option(
    "--commit",
    is_flag=True,
    help=(
        "After rendering, commit rendered/ (and nothing else) with a message naming the "
        "render version and what changed, and Obsc-* trailers. Refuses (exit 4) before "
        "rendering if rendered/ has hand-made uncommitted changes or git has no identity; "
        "makes no commit when nothing changed."
    ),
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="TARGET.KEY=VALUE",
    help=(
        "Override a target setting for a local run, e.g. collector.exporters=file:/tmp/out "
        "(repeatable; `obsc render --list-settings` shows them). Requires --out: "
        "rendered/ is always the output of specs/ alone."
    ),
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write the rendered tree to DIR instead of rendered/.",
)
@click.option("--list-settings", is_flag=True, help="List the settings --set accepts, and exit.")
@click.option(
    "--explain-cache",
    is_flag=True,
    help=(
        "Say on stderr why the render was skipped or done: which inputs or rendered "
        "files changed since the last render, and how many services were reused."
    ),
)
@no_policies_option()
@strict_option()
def render_command(
    targets: tuple[str, ...],
    environments: tuple[str, ...],
    check: bool,
    commit: bool,
    assignments: tuple[str, ...],
    out: Path | None,
    list_settings: bool,
    explain_cache: bool,
    no_policies: bool,
    strict: bool,
) -> None:
    """Render every environment's targets into rendered/<env>/<target>/.

    The new tree is staged beside rendered/ and swapped in atomically, files no longer
    produced are removed, and rendered/manifest.json records the render version (which
    grows only when the output changes) and the sha256 of every file. A failed render
    leaves rendered/ exactly as it was. With --commit, the result is committed as
    "render v<N>: <env> <target> <k> added, ..." with Obsc-Render-Version,
    Obsc-Input-Digest and Obsc-Compiler-Version trailers.
    """
    from compiler.render_request import RenderRequest, run_render

    opts = options()
    if list_settings:
        _list_settings()
        return
    progress = ProgressReporter.for_command("render", opts.quiet)
    request = RenderRequest(
        require_specs(opts),
        environments,
        targets,
        check,
        commit,
        assignments,
        out,
        with_policies=not no_policies,
        strict=strict,
        on_unit_done=progress.on_unit_done,
    )
    with progress:
        report = run_render(request)
    warnings, outcome, where, committed = (
        report.warnings,
        report.outcome,
        report.where,
        report.committed,
    )
    if explain_cache:
        for line in outcome.explanation:
            click.echo(f"cache: {line}", err=True)
    print_diagnostics(warnings, opts)
    print_policy_outcome(outcome.policies, opts)
    if opts.json:
        print_json(
            {
                "ok": not (check and outcome.differs),
                "check": check,
                "renderVersion": outcome.render_version,
                "added": outcome.added,
                "changed": outcome.changed,
                "removed": outcome.removed,
                "written": outcome.written,
                **(
                    {}
                    if committed is None
                    else {
                        "commit": committed.sha,
                        "commitMessage": committed.message or None,
                        "committedPaths": committed.paths,
                    }
                ),
            }
        )
    elif check:
        _report_check(outcome.added, outcome.changed, outcome.removed, opts.quiet)
    elif outcome.written:
        say(
            f"rendered v{outcome.render_version}: {len(outcome.added)} added, "
            f"{len(outcome.changed)} changed, {len(outcome.removed)} removed "
            f"({outcome.files} files in {where})",
            opts,
        )
    else:
        say(f"{where} is up to date (v{outcome.render_version}, {outcome.files} files)", opts)
    if committed is not None and not opts.json:
        if committed.sha is None:
            say("nothing changed in rendered/; no commit made", opts)
        else:
            say(f"committed {committed.sha[:12]}: {committed.message.splitlines()[0]}", opts)
    if check and outcome.differs:
        raise SystemExit(1)


def _report_check(added: list[str], changed: list[str], removed: list[str], quiet: bool) -> None:
    if not (added or changed or removed):
        if not quiet:
            click.echo("rendered/ is up to date")
        return
    total = len(added) + len(changed) + len(removed)
    click.echo(f"rendered/ is stale: {total} file(s) differ; run `obsc render`", err=True)
    for label, paths in (("missing", added), ("changed", changed), ("not produced", removed)):
        for path in paths:
            click.echo(f"  {label}: rendered/{path}", err=True)


def _list_settings() -> None:
    from compiler.pipeline import target_settings

    for key, text in target_settings():
        click.echo(f"{key}={text}")
