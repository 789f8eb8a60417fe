"""Rendering environments in parallel processes.

Environments are independent, so each renders in its own forked process and sends back
its files; the parent assembles them in environment order, so the bytes and their order
are those of a sequential render. Fork, not spawn: the resolved estate and the configured
renderers (closures) are inherited rather than pickled, and only the files travel back.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence

from compiler.model import EnvironmentModel, ResolvedEstate

RendererFn = Callable[[EnvironmentModel], dict[str, bytes]]  # targets.base.RendererFn

# What the forked workers inherit: set just before the pool starts, cleared after.
_JOB: tuple[ResolvedEstate, Mapping[str, Sequence[str]], Mapping[str, RendererFn]] | None = None


def _render_one(env: str) -> dict[str, bytes]:
    from compiler.pipeline import render_environment

    assert _JOB is not None
    resolved, selected, renderers = _JOB
    return render_environment(resolved.environments[env], selected[env], renderers)


def render_environments(
    resolved: ResolvedEstate,
    selected: Mapping[str, Sequence[str]],
    renderers: Mapping[str, RendererFn],
    jobs: int,
) -> dict[str, dict[str, bytes]]:
    """`{environment: {"<target>/<file>": bytes}}` rendered by up to `jobs` processes."""
    global _JOB
    _JOB = (resolved, selected, renderers)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=jobs) as pool:
            results = pool.map(_render_one, list(selected), chunksize=1)
    finally:
        _JOB = None
    return dict(zip(selected, results, strict=True))
