"""A render cut into units of work, each of which streams its files into a sink.

One unit renders, for one environment, one of:

- the environment-wide files of a target that renders per service (targets.base.PerService),
- one chunk of that environment's services for such a target,
- every file of a target that does not split (the collector config, model.json),
- a target that packages others (helm, compose, gitops) together with what it packages,
  rendered once in that unit and handed to it in memory (pipeline.render_environment).

Units are independent, so they run in any order and on every CPU (compiler.render_parallel);
the files, named by path, are the same however they were cut. Chunks keep the memory of a
large render to a chunk's output, and let one environment of thousands of services use both
CPUs of a small CI runner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from compiler.errors import RenderError, UsageError
from compiler.model import EnvironmentModel, ResolvedEstate, ResolvedService
from compiler.output.service_cache import Entry, ServiceCache, context_digest, service_key
from compiler.output.sink import Produced, TreeSink
from compiler.output.writer import check_relative_path

RendererFn = Callable[[EnvironmentModel], dict[str, bytes]]  # targets.base.RendererFn
ServiceFilesFn = Callable[[Any, ResolvedService], dict[str, bytes]]  # targets.base

# Services per chunk: enough to make a unit's overhead (a process hop, the per-environment
# context of targets.base.PerService) small against its rendering.
MIN_CHUNK = 50
CHUNKS_PER_JOB = 4


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of a render (see the module docstring)."""

    environment: str
    kind: str  # "whole" | "shared" | "services" | "assembly"
    target: str  # "" for "assembly"
    first: int = 0  # "services": model.services[first:stop]
    stop: int = 0
    names: tuple[str, ...] = ()  # "assembly": the selected targets rendered in this unit

    @property
    def cost(self) -> int:
        """A rough size, to start the largest units first."""
        return self.stop - self.first if self.kind == "services" else 10


class ServiceSplit(Protocol):
    """A target's render split per service (targets.base.PerService)."""

    @property
    def shared(self) -> RendererFn:
        """The environment-wide files."""

    @property
    def context(self) -> Callable[[EnvironmentModel], Any]:
        """What a service's files depend on besides the service (plain JSON data)."""

    @property
    def service(self) -> ServiceFilesFn:
        """One service's files, from the context and the service alone."""


@dataclass
class UnitResult:
    """What a unit produced, and the service-cache entries of the services it rendered."""

    files: list[tuple[str, Produced]]
    entries: dict[str, dict[str, Entry]]  # {"<env>/<target>": {service key: entry}}


def plan_units(
    resolved: ResolvedEstate,
    selected: Mapping[str, Sequence[str]],
    jobs: int,
    splits: Mapping[str, ServiceSplit],
    packaged: Callable[[Sequence[str]], set[str]],
) -> list[Unit]:
    """The units that render `selected` ({environment: [target, ...]}), largest first.

    `splits` are the targets to render per service; `packaged(names)` names the targets
    that must render together in one unit because a target among `names` packages them.
    """
    units: list[Unit] = []
    for env, names in selected.items():
        services = len(resolved.environments[env].services)
        chunk = max(MIN_CHUNK, -(-services // (jobs * CHUNKS_PER_JOB)))
        together = packaged(names)
        if together:
            units.append(Unit(env, "assembly", "", names=tuple(n for n in names if n in together)))
        for name in names:
            if name in together:
                continue
            if name not in splits:
                units.append(Unit(env, "whole", name))
                continue
            units.append(Unit(env, "shared", name))
            units.extend(
                Unit(env, "services", name, first, min(first + chunk, services))
                for first in range(0, services, chunk)
            )
    return sorted(units, key=lambda unit: -unit.cost)


def unit_files(
    resolved: ResolvedEstate,
    unit: Unit,
    renderers: Mapping[str, RendererFn],
    splits: Mapping[str, ServiceSplit],
) -> Iterator[tuple[str, bytes]]:
    """The files of a unit other than "services", as (`<target>/<path>` in the environment)."""
    from compiler.pipeline import render_environment

    model = resolved.environments[unit.environment]
    if unit.kind == "assembly":
        yield from render_environment(model, unit.names, renderers).items()
        return
    with _blamed(unit):
        output = (
            renderers[unit.target](model)
            if unit.kind == "whole"
            else splits[unit.target].shared(model)
        )
    yield from _checked(unit.target, output)


@contextmanager
def _blamed(unit: Unit) -> Iterator[None]:
    """Report a renderer's exception as a RenderError naming the target and environment."""
    try:
        yield
    except (RenderError, UsageError):  # a setting that does not fit the model is the user's
        raise
    except Exception as exc:  # a renderer bug: report which one
        raise RenderError(
            f"target {unit.target!r} failed for environment {unit.environment!r}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def _checked(target: str, output: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
    for rel, content in output.items():
        check_relative_path(rel)
        yield f"{target}/{rel}", content


def _render_services(
    resolved: ResolvedEstate,
    unit: Unit,
    split: ServiceSplit,
    sink: TreeSink,
    cache: ServiceCache | None,
) -> UnitResult:
    """A chunk of services, each taken from the tree on disk when the cache vouches for it."""
    model = resolved.environments[unit.environment]
    group = f"{unit.environment}/{unit.target}"
    result = UnitResult([], {group: {}})
    entries = result.entries[group]
    with _blamed(unit):
        context = split.context(model)
    context_key = context_digest(context)
    for service in model.services[unit.first : unit.stop]:
        key = service_key(unit.environment, unit.target, context_key, service)
        files = cache.reuse(group, key, sink) if cache is not None else None
        if files is None:
            with _blamed(unit):
                output = split.service(context, service)
            files = [
                (f"{unit.environment}/{path}", sink.put(f"{unit.environment}/{path}", content))
                for path, content in _checked(unit.target, output)
            ]
        entries[key] = [(path, seen.digest) for path, seen in files]
        result.files.extend(files)
    return result


def run_unit(
    resolved: ResolvedEstate,
    unit: Unit,
    renderers: Mapping[str, RendererFn],
    splits: Mapping[str, ServiceSplit],
    sink: TreeSink,
    cache: ServiceCache | None = None,
) -> UnitResult:
    """Render `unit` into `sink`: each file's rendered/-relative path and what the sink saw."""
    if unit.kind == "services":
        return _render_services(resolved, unit, splits[unit.target], sink, cache)
    files = [
        (path, sink.put(path, content))
        for path, content in (
            (f"{unit.environment}/{rel}", content)
            for rel, content in unit_files(resolved, unit, renderers, splits)
        )
    ]
    return UnitResult(files, {})
