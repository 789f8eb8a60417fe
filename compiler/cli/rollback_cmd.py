"""`obsc rollback`."""

from __future__ import annotations

from typing import Any

import click

from compiler.cli.context import options
from compiler.cli.printing import print_json, say

STILL_NEWER = (
    "specs still ask for the newer output; revert your spec change too or the next render "
    "will undo this rollback"
)


def _commit_json(commit: Any) -> dict[str, object]:
    return {
        "commit": commit.sha,
        "version": commit.version,
        "subject": commit.subject,
        "rollback": commit.is_rollback,
    }


@click.command("rollback")
@click.option(
    "--to",
    "to",
    metavar="VERSION|REF",
    help=(
        "The render state to restore: a render version number (the newest commit with that "
        "Obsc-Render-Version trailer) or any git commit-ish naming a render commit. "
        "Default: the render state before the current one."
    ),
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="List the commits that would be reverted and change nothing.",
)
def rollback_command(to: str | None, dry_run: bool) -> None:
    """Restore rendered/ to an earlier render version with `git revert`.

    Render commits are the commits on the first-parent history of HEAD whose message has
    an Obsc-Render-Version trailer (`obsc render --commit` makes them). Every render (or
    rollback) commit after the target is reverted, newest first, and the result is made
    one commit: "rollback to render v<K>: reverts v<a>..v<b>", with the trailers
    Obsc-Render-Version: K, Obsc-Rollback-To: K, Obsc-Rollback-Target: <sha> and
    Obsc-Reverts: <shas>. History is kept, so Argo CD or Flux sync it like any change.

    rendered/ is checked to equal the target's rendered/ byte for byte before committing.
    Exit 4 (nothing changed) when the work tree has uncommitted changes, git has no
    identity, or a revert conflicts because a commit that is not a render commit touched
    rendered/. Afterwards obsc says whether the current specs would still render the newer
    output (then the spec change needs reverting too).
    """
    from compiler.gitops.history import open_repo
    from compiler.gitops.rollback import plan_rollback, rollback, specs_ask_for_newer
    from compiler.pipeline import RENDERED_DIR

    opts = options()
    handle = open_repo(opts.repo, RENDERED_DIR)
    plan = plan_rollback(handle, to)
    result = None if dry_run else rollback(handle, plan)
    differs: bool | None = None
    problem = ""
    if result is not None and result.sha is not None:
        differs, problem = specs_ask_for_newer(opts.repo)
    if opts.json:
        print_json(
            {
                "ok": True,
                "dryRun": dry_run,
                "target": _commit_json(plan.target),
                "current": _commit_json(plan.current),
                "reverts": [_commit_json(c) for c in plan.reverts],
                "commit": None if result is None else result.sha,
                "specsAskForNewer": differs,
                "specsCheckProblem": problem or None,
            }
        )
        return
    target = plan.target
    if not plan.reverts:
        say(
            f"rendered/ is already at render v{target.version} ({target.short}); nothing to do",
            opts,
        )
        return
    verb = "would revert" if dry_run else "reverted"
    say(f"rollback to render v{target.version} ({target.short}): {verb}", opts)
    for commit in plan.reverts:
        say(f"  {commit.short} {commit.subject}", opts)
    if result is not None and result.sha is not None:
        say(f"committed {result.sha[:12]}: {result.message.splitlines()[0]}", opts)
    if differs:
        click.echo(f"warning: {STILL_NEWER}", err=True)
    elif differs is None and problem:
        click.echo(
            f"warning: could not check whether the specs still render the newer output: {problem}",
            err=True,
        )
