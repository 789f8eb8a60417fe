"""The plan of a render: units of work, each of which streams its files into a sink.

One unit renders, for one environment, one of:

- the environment-wide files of a target that renders per service (contract.PerService),
- one chunk of that environment's services for such a target,
- every file of a target that does not split (the collector config),
- a file of a target spliced from per-service pieces (model.json, the Loki rules:
  contract.Spliced),
- a target that packages others (helm, compose, gitops) together with what it packages,
  rendered once in that unit and handed to it in memory (`render_environment`).

Units are independent, so they run in any order and on every CPU (compiler.render.runner);
the files, named by path, are the same however they were cut. Chunks keep the memory of a
large render to a chunk's output, and let one environment of thousands of services use both
CPUs of a small CI runner. A `ServiceMemo`, when given, may vouch for a service's files on
disk so that the service is not rendered again, or recall a service's piece of a spliced
file; the engine does not know how it remembers (compiler.build.services does).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Any, Literal, Protocol

from compiler.errors import RenderError, UsageError
from compiler.model import EnvironmentModel, ResolvedEstate, ResolvedService
from compiler.output.sink import Copied, Produced, TreeSink
from compiler.output.writer import check_relative_path
from compiler.render.contract import Assembly, PerService, Registry, RendererFn, Spliced

# Services per chunk: enough to make a unit's overhead (a process hop, the per-environment
# context of contract.PerService) small against its rendering.
MIN_CHUNK = 50
CHUNKS_PER_JOB = 4

UnitKind = Literal["whole", "shared", "services", "spliced", "assembly"]
Entry = list[tuple[str, str]]  # (rendered/-relative path, digest) of one service's files


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of a render (see the module docstring)."""

    environment: str
    kind: UnitKind
    target: str  # "" for "assembly"
    first: int = 0  # "services": model.services[first:stop]
    stop: int = 0
    names: tuple[str, ...] = ()  # "assembly": the selected targets rendered in this unit
    walks: int = 0  # the services a unit of another kind goes through (the environment's)

    @property
    def cost(self) -> int:
        """A rough size, to start the largest units first.

        A unit of environment-wide files goes through every service, and a chunk of
        services whose files are reused is cheap: those start first, so that neither is
        left running alone at the end (after one change at 10,000 services, the model.json
        units were the last to start).
        """
        return self.stop - self.first if self.kind == "services" else max(10, self.walks)

    @property
    def label(self) -> str:
        """What the unit renders, for a progress display: `<env>/<target>`."""
        return f"{self.environment}/{self.target or '+'.join(self.names)}"


class ServiceMemo(Protocol):
    """What vouches for services rendered before (compiler.build.services.ServiceRecords)."""

    def context_key(self, context: object) -> str:
        """The digest of a target's per-environment context."""

    def service_key(
        self, environment: str, target: str, context: str, service: ResolvedService
    ) -> str:
        """The key of one service's files."""

    def reuse(self, group: str, key: str, sink: TreeSink) -> list[tuple[str, Produced]] | None:
        """The service's files taken from the tree on disk, or None to render it."""

    def recall_piece(self, group: str, key: str) -> tuple[bytes, Entry] | None:
        """A service's piece of a spliced file taken from it on disk, and where; or None."""

    def piece_entry(self, path: str, digest: str, start: int, length: int) -> Entry:
        """The entry recording a piece: bytes `start` to `start + length` of the file."""

    def piece_place(self, where: str) -> tuple[str, int, int] | None:
        """An entry's place of a piece as (file digest, start, length), if well formed."""


@dataclass
class UnitResult:
    """What a unit produced, and the memo entries of the services it rendered."""

    files: list[tuple[str, Produced]]
    entries: dict[str, dict[str, Entry]]  # {"<env>/<target>[/<spliced file>]": {key: entry}}
    reused: int = 0  # services the memo vouched for (not rendered)


@dataclass(frozen=True)
class RenderJob:
    """Everything the units of one render share (inherited by forked workers)."""

    resolved: ResolvedEstate
    registry: Registry
    renderers: Mapping[str, RendererFn]
    memo: ServiceMemo | None = None
    splits: dict[str, PerService[Any]] = field(init=False)
    spliced: dict[str, Spliced] = field(init=False)

    def __post_init__(self) -> None:
        # Only a target's own renderer splits: `--set` overrides render whole.
        own = {
            name: target
            for name, renderer in self.renderers.items()
            if renderer is (target := self.registry[name]).render
        }
        splits = {name: t.per_service for name, t in own.items() if t.per_service is not None}
        spliced = {name: t.spliced for name, t in own.items() if t.spliced is not None}
        object.__setattr__(self, "splits", splits)
        object.__setattr__(self, "spliced", spliced)


def render_order(registry: Registry, names: Iterable[str]) -> list[str]:
    """`names` and every target they consume (transitively), consumed ones first."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        for dependency in registry[name].consumes:
            visit(dependency)
        order.append(name)

    for name in names:
        visit(name)
    return order


def packaged_together(registry: Registry, names: Sequence[str]) -> set[str]:
    """Targets among `names` that package others, and everything they package."""
    together: set[str] = set()
    for name in render_order(registry, names):
        if registry[name].assemble is not None:
            together.update(render_order(registry, [name]))
    return together


def plan_units(job: RenderJob, selected: Mapping[str, Sequence[str]], jobs: int) -> list[Unit]:
    """The units that render `selected` ({environment: [target, ...]}), largest first."""
    units: list[Unit] = []
    for env, names in selected.items():
        services = len(job.resolved.environments[env].services)
        chunk = max(MIN_CHUNK, -(-services // (jobs * CHUNKS_PER_JOB)))
        together = packaged_together(job.registry, names)
        if together:
            packaged = tuple(n for n in names if n in together)
            units.append(Unit(env, "assembly", "", names=packaged, walks=services))
        for name in names:
            if name in together:
                continue
            if name in job.spliced:
                units.append(Unit(env, "spliced", name, walks=services))
            if name not in job.splits:
                if name not in job.spliced:
                    units.append(Unit(env, "whole", name, walks=services))
                continue
            units.append(Unit(env, "shared", name, walks=services))
            units.extend(
                Unit(env, "services", name, first, min(first + chunk, services))
                for first in range(0, services, chunk)
            )
    return sorted(units, key=lambda unit: -unit.cost)


def render_environment(
    model: EnvironmentModel,
    names: Sequence[str],
    registry: Registry,
    renderers: Mapping[str, RendererFn],
) -> dict[str, bytes]:
    """The files of `names` for one environment (`<target>/<file>`), consumed targets first."""
    produced: dict[str, bytes] = {}  # "<target>/<file>" of this environment
    for target_name in render_order(registry, names):
        target = registry[target_name]
        renderer = renderers[target_name]
        with _blamed(model.environment, target_name):
            if target.assemble is not None:
                inputs = {
                    path: content
                    for path, content in produced.items()
                    if path.split("/", 1)[0] in target.consumes
                }
                assemble = renderer.assemble if isinstance(renderer, Assembly) else target.assemble
                output = assemble(model, inputs)
            else:
                output = renderer(model)
        produced.update(_checked(target_name, output))
    return {path: content for path, content in produced.items() if path.split("/", 1)[0] in names}


@contextmanager
def _blamed(environment: str, target: str) -> Iterator[None]:
    """Report a renderer's exception as a RenderError naming the target and environment."""
    try:
        yield
    except (RenderError, UsageError):  # a setting that does not fit the model is the user's
        raise
    except Exception as exc:  # a renderer bug: report which one
        raise RenderError(
            f"target {target!r} failed for environment {environment!r}: {type(exc).__name__}: {exc}"
        ) from exc


def _checked(target: str, output: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
    for rel, content in output.items():
        check_relative_path(rel)
        yield f"{target}/{rel}", content


def _unit_files(job: RenderJob, unit: Unit) -> Iterator[tuple[str, bytes]]:
    """The files of a unit other than "services", as `<target>/<path>` in the environment."""
    model = job.resolved.environments[unit.environment]
    if unit.kind == "assembly":
        yield from render_environment(model, unit.names, job.registry, job.renderers).items()
        return
    with _blamed(unit.environment, unit.target):
        output = (
            job.renderers[unit.target](model)
            if unit.kind == "whole"
            else job.splits[unit.target].shared(model)
        )
    yield from _checked(unit.target, output)


def _render_services(job: RenderJob, unit: Unit, sink: TreeSink) -> UnitResult:
    """A chunk of services, each taken from the tree on disk when the memo vouches for it."""
    model = job.resolved.environments[unit.environment]
    split, memo = job.splits[unit.target], job.memo
    group = f"{unit.environment}/{unit.target}"
    result = UnitResult([], {group: {}})
    entries = result.entries[group]
    with _blamed(unit.environment, unit.target):
        context = split.context(model)
    context_key = memo.context_key(context) if memo is not None else ""
    for service in model.services[unit.first : unit.stop]:
        files = None
        if memo is not None:
            key = memo.service_key(unit.environment, unit.target, context_key, service)
            files = memo.reuse(group, key, sink)
            result.reused += files is not None
        if files is None:
            with _blamed(unit.environment, unit.target):
                output = split.service(context, service)
            files = [
                (f"{unit.environment}/{path}", sink.put(f"{unit.environment}/{path}", content))
                for path, content in _checked(unit.target, output)
            ]
        if memo is not None:
            entries[key] = [(path, seen.digest) for path, seen in files]
        result.files.extend(files)
    return result


def _render_spliced(job: RenderJob, unit: Unit, sink: TreeSink) -> UnitResult:
    """A spliced file, each service's piece recalled from the file on disk when the memo can."""
    model = job.resolved.environments[unit.environment]
    spliced, memo = job.spliced[unit.target], job.memo
    path = f"{unit.environment}/{unit.target}/{spliced.path}"
    group = path  # the memo's entries of the pieces: not those of the target's other files
    check_relative_path(spliced.path)
    with _blamed(unit.environment, unit.target):
        before, separator, after = spliced.frame(model)
        context = spliced.context(model)
    context_key = memo.context_key(context) if memo is not None else ""
    pieces: list[bytes] = []
    keys: list[str] = []
    found: list[Entry] = []  # where each recalled piece was found ([] when serialised)
    for service in model.services:
        recalled = None
        if memo is not None:
            keys.append(memo.service_key(unit.environment, path, context_key, service))
            recalled = memo.recall_piece(group, keys[-1])
            found.append(recalled[1] if recalled is not None else [])
        if recalled is None:
            with _blamed(unit.environment, unit.target):
                pieces.append(spliced.piece(context, service))
        else:
            pieces.append(recalled[0])
    seen = sink.put(path, before + separator.join(pieces) + after)
    reused = sum(1 for entry in found if entry)
    result = UnitResult([(path, seen)], {group: {}} if memo is not None else {}, reused)
    if memo is not None:
        starts = list(accumulate((len(p) + len(separator) for p in pieces), initial=len(before)))
        for key, piece, old, start in zip(keys, pieces, found, starts, strict=False):
            new = memo.piece_entry(path, seen.digest, start, len(piece))
            result.entries[group][key] = new + [e for e in old if e not in new]
        if seen.content is not None and reused:
            result.files[0] = (path, replace(seen, copied=_copied(memo, path, found, starts)))
    return result


def _copied(memo: ServiceMemo, path: str, found: list[Entry], starts: list[int]) -> Copied | None:
    """Where the recalled pieces of a kept spliced file lie in it and in the file on disk."""
    runs, old = [], set()
    for entry, start in zip(found, starts, strict=False):
        for where in (memo.piece_place(at) for at_path, at in entry if at_path == path):
            if where is not None:
                old.add(where[0])
                runs.append((start, where[1], where[2]))
    return Copied(old.pop(), tuple(runs)) if len(old) == 1 else None


def run_unit(job: RenderJob, unit: Unit, sink: TreeSink) -> UnitResult:
    """Render `unit` into `sink`: each file's rendered/-relative path and what the sink saw."""
    if unit.kind == "services":
        return _render_services(job, unit, sink)
    if unit.kind == "spliced":
        return _render_spliced(job, unit, sink)
    files = [
        (f"{unit.environment}/{rel}", sink.put(f"{unit.environment}/{rel}", content))
        for rel, content in _unit_files(job, unit)
    ]
    return UnitResult(files, {})
