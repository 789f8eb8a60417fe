"""Rendering (environment, target) pairs: plan the units, run them, collect what they made."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from compiler.model import ResolvedEstate
from compiler.output.sink import Keep, TreeSink
from compiler.render.contract import Registry, RendererFn
from compiler.render.runner import OnUnitDone, Rendered, job_count, run_units
from compiler.render.units import RenderJob, ServiceMemo, plan_units, render_order

# Below this many service-environments, starting processes costs more than it saves.
PARALLEL_THRESHOLD = 400


def render_pairs(
    resolved: ResolvedEstate,
    pairs: Iterable[tuple[str, str]],
    registry: Registry,
    renderers: Mapping[str, RendererFn],
    *,
    sink: functools.partial[TreeSink] | None = None,
    memo: ServiceMemo | None = None,
    on_unit_done: OnUnitDone | None = None,
) -> Rendered:
    """Render `pairs` into sinks made by `sink` (default: compare with nothing, keep nothing).

    Large estates render in chunks on every CPU (compiler.render.runner's job policy); the
    files are the same either way. `memo` may vouch for services rendered before.
    """
    selected: dict[str, list[str]] = {}
    for env_name, target_name in pairs:
        selected.setdefault(env_name, []).append(target_name)
    size = sum(len(resolved.environments[env].services) for env in selected)
    jobs = job_count(size, PARALLEL_THRESHOLD)
    job = RenderJob(resolved, registry, renderers, memo)
    new_sink = sink or functools.partial(TreeSink, None, None, Keep.NONE)
    return run_units(job, plan_units(job, selected, jobs), new_sink, jobs, on_unit_done)


def targets_needed(registry: Registry, pairs: Iterable[tuple[str, str]]) -> list[str]:
    """The targets that rendering `pairs` runs: those named, and what they package."""
    return render_order(registry, dict.fromkeys(target for _, target in pairs))


def render_files(
    resolved: ResolvedEstate,
    pairs: Iterable[tuple[str, str]],
    registry: Registry,
    renderers: Mapping[str, RendererFn],
) -> dict[str, bytes]:
    """Every file of `pairs` in memory, by path relative to rendered/ (`<env>/<target>/<file>`).

    For `obsc diff --against REF` (compared with a tree from git), tests and benchmarks; a
    render streams to disk instead.
    """
    sink = functools.partial(TreeSink, None, None, Keep.ALL)
    rendered = render_pairs(resolved, pairs, registry, renderers, sink=sink)
    return {
        path: seen.content
        for path, seen in sorted(rendered.files.items())
        if seen.content is not None
    }
