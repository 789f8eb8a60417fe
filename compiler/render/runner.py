"""Running work on every CPU, or in this process: the one job policy and the one process pool.

`job_count(size, threshold)` is the policy: one process below `threshold` (starting
processes would cost more than they save), else one per CPU this process may use, capped by
`OBSC_JOBS` (1 turns parallelism off). Both the render (`run_units`) and `obsc diff`'s
comparison of changed files (`parallel_map`) follow it.

Units are independent: each forked worker renders the units it is given into its own sink
(writing into the shared staging tree, under distinct paths) and sends back digests only,
plus the bytes the caller asked to keep. The parent merges results by path, so the outcome
does not depend on which worker ran what, or in which order. Fork, not spawn: the resolved
estate and the configured renderers (closures) are inherited rather than pickled.

Progress: `run_units(..., on_unit_done=f)` calls `f(done, total, target)` in the calling
process after each unit finishes (`target` is the unit's `<env>/<target>` label), in
completion order; a display must not assume units finish in plan order.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

from compiler.errors import RenderError
from compiler.output.sink import Produced, TreeSink
from compiler.render.units import Entry, RenderJob, Unit, UnitResult, run_unit

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

SinkFactory = Callable[[], TreeSink]
OnUnitDone = Callable[[int, int, str], None]  # (done, total, "<env>/<target>")
T = TypeVar("T")
R = TypeVar("R")

# What the forked workers inherit: set just before a pool starts, cleared after.
_INHERITED: tuple[RenderJob, SinkFactory] | None = None
_SINK: TreeSink | None = None


def cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def job_count(size: int, threshold: int) -> int:
    """How many processes to run `size` pieces of work in (see the module docstring)."""
    if size < threshold:
        return 1
    import multiprocessing  # here: a render that needs no pool should not pay for it

    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    limit = os.environ.get("OBSC_JOBS", "")
    jobs = cpus()
    return min(jobs, int(limit)) if limit.isdigit() and int(limit) > 0 else jobs


def _die_with_parent() -> None:
    """A killed obsc must not leave workers behind (writing into its staging tree).

    `CDLL(None)` is the running program with the C library it links: no `find_library`,
    which would start `ldconfig` in every freshly forked worker.
    """
    import ctypes
    import signal

    prctl = getattr(ctypes.CDLL(None), "prctl", None)
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, int(signal.SIGKILL))


def _unit_worker_started() -> None:
    global _SINK
    _die_with_parent()
    gc.disable()
    assert _INHERITED is not None
    _SINK = _INHERITED[1]()


def _run(unit: Unit) -> UnitResult:
    assert _INHERITED is not None and _SINK is not None
    return run_unit(_INHERITED[0], unit, _SINK)


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the units of a render produced."""

    files: dict[str, Produced]  # by rendered/-relative path
    entries: dict[str, dict[str, Entry]]  # memo entries, by `<env>/<target>[/<spliced file>]`
    reused: int  # services the memo vouched for


def run_units(
    job: RenderJob,
    units: Sequence[Unit],
    new_sink: SinkFactory,
    jobs: int,
    on_unit_done: OnUnitDone | None = None,
) -> Rendered:
    """Every file the units produce (RenderError when two produce one path)."""
    global _INHERITED
    results: list[UnitResult] = []

    def done(result: UnitResult, unit_label: str) -> None:
        results.append(result)
        if on_unit_done is not None:
            on_unit_done(len(results), len(units), unit_label)

    # The estate lives until the render ends and holds no garbage: exempt it from the cyclic
    # collector (pipeline.load_estate does too; this covers estates built otherwise), whose
    # passes over it cost a third of rendering dashboards and, in forked workers, would
    # touch and so copy every page it is on. Rendering builds acyclic data: no collection
    # while it runs (compiler.gc_control); workers are paused for their whole short life.
    gc.freeze()
    try:
        if jobs <= 1:
            sink = new_sink()
            for unit in units:
                done(run_unit(job, unit, sink), unit.label)
        else:
            _INHERITED = (job, new_sink)
            for label, result in _in_workers(_labelled, units, jobs, _unit_worker_started):
                done(result, label)
    finally:
        _INHERITED = None
    produced: dict[str, Produced] = {}
    entries: dict[str, dict[str, Entry]] = {}
    for result in results:
        for path, seen in result.files:
            if path in produced:
                raise RenderError(f"two renderers produced {path}")
            produced[path] = seen
        for group, keyed in result.entries.items():
            entries.setdefault(group, {}).update(keyed)
    return Rendered(produced, entries, sum(result.reused for result in results))


def _labelled(unit: Unit) -> tuple[str, UnitResult]:
    return unit.label, _run(unit)


def parallel_map(
    function: Callable[[T], R], items: Iterable[T], jobs: int, chunksize: int = 32
) -> list[R]:
    """`[function(item) for item in items]`, in `jobs` forked processes when more than one.

    `function` must be a module-level function (workers receive it by name).
    """
    work = list(items)
    if jobs <= 1:
        return [function(item) for item in work]
    chunks = [work[start : start + chunksize] for start in range(0, len(work), chunksize)]
    mapped: dict[int, list[R]] = {}
    for index, results in _in_workers(
        _map_chunk, [(index, function, chunk) for index, chunk in enumerate(chunks)], jobs
    ):
        mapped[index] = results
    return [result for index in range(len(chunks)) for result in mapped[index]]


_CHILD_TASK: Callable[[], object] | None = None  # what `in_child`'s process runs


def in_child(task: Callable[[], R], jobs: int) -> Callable[[], R]:
    """Start `task()` in a forked process when `jobs` > 1; the result waits for and returns it.

    The child inherits this process's memory (no pickling of what `task` reads; its result
    is pickled back). With `jobs` <= 1, `task` runs when its result is asked for.
    """
    global _CHILD_TASK
    if jobs <= 1:
        return task
    pool = _fork_pool(1, _die_with_parent)
    _CHILD_TASK = task
    try:
        future = pool.submit(_run_child_task)  # forks now, with _CHILD_TASK set
    finally:
        _CHILD_TASK = None

    def result() -> R:
        try:
            return cast(R, future.result())
        finally:
            pool.shutdown()

    return result


def _run_child_task() -> object:
    assert _CHILD_TASK is not None
    return _CHILD_TASK()


def _map_chunk(
    task: tuple[int, Callable[[T], R], list[T]],
) -> tuple[int, list[R]]:
    index, function, chunk = task
    return index, [function(item) for item in chunk]


def _fork_pool(jobs: int, initializer: Callable[[], None]) -> ProcessPoolExecutor:
    """A pool of `jobs` forked workers (they inherit this process's memory)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=initializer
    )


def _in_workers(
    function: Callable[[T], R],
    tasks: Sequence[T],
    jobs: int,
    initializer: Callable[[], None] = _die_with_parent,
) -> Iterator[R]:
    """`function(task)` for every task in `jobs` forked workers, in completion order.

    `concurrent.futures`, not `multiprocessing.Pool`: when a task raises, the pool is shut
    down only after the tasks already running have finished, and a worker that dies (the
    kernel's OOM killer) is reported. `Pool` terminates workers in mid-flight instead, and
    one killed while sending its result holds the result queue's lock forever: the render
    hung in CI that way, once in many runs, on a renderer's exception.
    """
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    with _fork_pool(jobs, initializer) as pool:
        futures = [pool.submit(function, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BrokenProcessPool as exc:
            raise RenderError(
                "a worker process died (killed by a signal; out of memory?); "
                "OBSC_JOBS=1 renders in one process"
            ) from exc
        finally:
            for future in futures:
                future.cancel()
