"""`obsc render` as a request: the rules about `--set`, `--out` and `--commit`, then one build.

The CLI turns options into a `RenderRequest`, calls `run_render` and prints the
`RenderReport`; everything that decides what may be combined with what lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.errors import Diagnostic, UsageError

if TYPE_CHECKING:
    from compiler.gitops.commit import CommitResult
    from compiler.pipeline import RenderOutcome
    from compiler.render.runner import OnUnitDone


@dataclass(frozen=True)
class RenderRequest:
    """What `obsc render` was asked to do."""

    repo: Path
    environments: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    check: bool = False
    commit: bool = False
    assignments: tuple[str, ...] = ()  # --set TARGET.KEY=VALUE
    out: Path | None = None
    with_policies: bool = True
    strict: bool = False
    on_unit_done: OnUnitDone | None = None  # progress: (done, total, "<env>/<target>")


@dataclass(frozen=True)
class RenderReport:
    """What the render did, where it wrote, and what it committed."""

    warnings: tuple[Diagnostic, ...]
    outcome: RenderOutcome
    where: str  # "rendered/" or "<out>/"
    committed: CommitResult | None = None


def run_render(request: RenderRequest) -> RenderReport:
    """Check the combination of options, render, and commit when asked."""
    from compiler.pipeline import RENDERED_DIR, BuildRequest, build, parse_settings

    repo, out = request.repo, request.out
    settings = parse_settings(request.assignments)
    if settings and out is None:
        raise UsageError(
            "--set changes what is rendered, so it needs --out DIR: rendered/ only ever "
            "holds the output of specs/ (what Argo CD or Flux applies)"
        )
    if out is not None and request.commit:
        raise UsageError("--commit commits rendered/; it cannot be combined with --out")
    if out is not None and out.resolve() == (repo / RENDERED_DIR).resolve():
        out = None
    handle = None
    if request.commit:
        from compiler.gitops.commit import preflight

        if request.check:
            raise UsageError("--commit cannot be combined with --check")
        handle = preflight(repo, RENDERED_DIR)
    built = build(
        BuildRequest(
            repo,
            request.environments,
            request.targets,
            check=request.check,
            with_policies=request.with_policies,
            settings=settings,
            out_dir=out,
            strict=request.strict,
            on_unit_done=request.on_unit_done,
        )
    )
    outcome = built.outcome
    committed = None
    if handle is not None:
        from compiler.gitops.commit import commit_rendered

        committed = commit_rendered(handle, outcome.added, outcome.changed, outcome.removed)
    where = f"{out}/" if out is not None else "rendered/"
    return RenderReport(built.warnings, outcome, where, committed)
