"""Running the units of a render (compiler.render_units) on every CPU, or in this process.

Units are independent: each forked worker renders the units it is given into its own sink
(writing into the shared staging tree, under distinct paths) and sends back digests only,
plus the bytes the caller asked to keep. The parent merges results by path, so the outcome
does not depend on which worker ran what, or in which order. Fork, not spawn: the resolved
estate and the configured renderers (closures) are inherited rather than pickled.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Mapping, Sequence

from compiler.errors import RenderError
from compiler.model import EnvironmentModel, ResolvedEstate
from compiler.output.service_cache import Entry, ServiceCache
from compiler.output.sink import Produced, TreeSink
from compiler.render_units import ServiceSplit, Unit, UnitResult, run_unit

RendererFn = Callable[[EnvironmentModel], dict[str, bytes]]  # targets.base.RendererFn
SinkFactory = Callable[[], TreeSink]

# What the forked workers inherit: set just before the pool starts, cleared after.
_Job = tuple[
    ResolvedEstate,
    Mapping[str, RendererFn],
    Mapping[str, ServiceSplit],
    SinkFactory,
    ServiceCache | None,
]
_JOB: _Job | None = None
_SINK: TreeSink | None = None


def _worker_started() -> None:
    """Die with the parent: a killed render must not leave workers writing into staging."""
    global _SINK
    import ctypes
    import ctypes.util
    import signal

    libc_name = ctypes.util.find_library("c")
    if libc_name is not None:
        pr_set_pdeathsig = 1
        ctypes.CDLL(libc_name).prctl(pr_set_pdeathsig, int(signal.SIGKILL))
    assert _JOB is not None
    gc.disable()
    _SINK = _JOB[3]()


def _run(unit: Unit) -> UnitResult:
    assert _JOB is not None and _SINK is not None
    resolved, renderers, splits, _, cache = _JOB
    return run_unit(resolved, unit, renderers, splits, _SINK, cache)


def run_units(
    resolved: ResolvedEstate,
    units: Sequence[Unit],
    renderers: Mapping[str, RendererFn],
    splits: Mapping[str, ServiceSplit],
    new_sink: SinkFactory,
    jobs: int,
    cache: ServiceCache | None = None,
) -> tuple[dict[str, Produced], dict[str, dict[str, Entry]]]:
    """Every file the units produce, and the service-cache entries of the services rendered.

    Files by rendered/-relative path (RenderError on a clash); entries by `<env>/<target>`.
    """
    global _JOB
    results: list[UnitResult]
    # The estate lives until the render ends and holds no garbage: exempt it from the cyclic
    # collector (pipeline.load_estate does too; this covers estates built otherwise), whose
    # passes over it cost a third of rendering dashboards and, in forked workers, would
    # touch and so copy every page it is on. Rendering builds acyclic data: no collection
    # while it runs (compiler.gc_control); workers are paused for their whole short life.
    gc.freeze()
    try:
        if jobs <= 1:
            sink = new_sink()
            results = [run_unit(resolved, unit, renderers, splits, sink, cache) for unit in units]
        else:
            _JOB = (resolved, renderers, splits, new_sink, cache)
            context = multiprocessing.get_context("fork")
            with context.Pool(processes=jobs, initializer=_worker_started) as pool:
                results = list(pool.imap_unordered(_run, units, chunksize=1))
    finally:
        _JOB = None
    produced: dict[str, Produced] = {}
    entries: dict[str, dict[str, Entry]] = {}
    for result in results:
        for path, seen in result.files:
            if path in produced:
                raise RenderError(f"two renderers produced {path}")
            produced[path] = seen
        for group, keyed in result.entries.items():
            entries.setdefault(group, {}).update(keyed)
    return produced, entries
