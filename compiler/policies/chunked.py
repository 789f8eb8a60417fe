"""Vet environments in chunks of services, in parallel, remembering each service's errors.

When every policy file is per-service (compiler.policies.classify), the errors of one
service do not depend on which other services are vetted with it. So the exported model of
an environment is cut into its JSON pieces — the head (`schemaVersion`, `project`,
`environment`), one fragment per service, the tail (`stack`) — and only the services whose
fragment is not in the cache are vetted, in chunks, by parallel `cue vet` processes. Each
service's errors are cached under the digest of its fragment, in a record keyed by
everything else they depend on (the cue binary, model.cue, the policy files, where the repo
is, the head and the tail).

The result is what one whole-environment `cue vet` prints: each error's positions in a
chunk's data file are moved to where they are in the whole environment's file (same JSON,
one line, so a column is an offset), and the errors are put in cue's order
(compiler.policies.order). Anything this cannot vouch for — an error outside the chunk's
services, a policy fault, a position in another service — makes that environment be
vetted whole, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.model import EnvironmentModel
from compiler.policies import cache
from compiler.policies.cue import (
    POLICY_FAULTS,
    CueError,
    Position,
    merge_disjunctions,
    parse_errors,
    parse_raw,
    run_vet,
    unquote,
)
from compiler.policies.export import export_environment
from compiler.policies.order import Place, in_cue_order, is_in_cue_order

CHUNK_SERVICES = 2000  # at most per cue process (~400 MB of its memory; fewer starts)
PARALLEL_THRESHOLD = 200  # services to vet below which one process does it all
_SEPARATOR = ", "  # json.dumps' default item separator


@dataclass(frozen=True, slots=True)
class Layout:
    """The JSON text of one environment's export, in pieces (joined, it is json.dumps')."""

    head: str  # up to and including `"services": {`
    names: tuple[str, ...]
    fragments: tuple[str, ...]  # `"<name>": {...}`, one per service, in export order
    tail: str  # from the `}` closing services to the end

    def text(self, indices: Sequence[int]) -> str:
        """The document with only the services at `indices`."""
        return self.head + _SEPARATOR.join(self.fragments[i] for i in indices) + self.tail

    def starts(self, indices: Sequence[int]) -> list[int]:
        """Offsets of the fragments at `indices` in `text(indices)`."""
        starts, offset = [], len(self.head)
        for index in indices:
            starts.append(offset)
            offset += len(self.fragments[index]) + len(_SEPARATOR)
        return starts

    def tail_start(self, indices: Sequence[int]) -> int:
        """Offset of the tail in `text(indices)`."""
        if not indices:
            return len(self.head)
        body = sum(len(self.fragments[i]) for i in indices) + len(_SEPARATOR) * (len(indices) - 1)
        return len(self.head) + body


def layout(export: dict[str, Any]) -> Layout:
    """Cut `json.dumps(export)` into its pieces (services is a top-level object)."""
    keys = list(export)
    split = keys.index("services")
    before = {k: export[k] for k in keys[:split]}
    after = {k: export[k] for k in keys[split + 1 :]}
    head = (json.dumps(before)[:-1] + _SEPARATOR if before else "{") + '"services": {'
    tail = "}" + (_SEPARATOR + json.dumps(after)[1:] if after else "}")
    services: dict[str, Any] = export["services"]
    names = tuple(services)
    fragments = tuple(f"{json.dumps(name)}: {json.dumps(services[name])}" for name in names)
    return Layout(head, names, fragments, tail)


@dataclass(frozen=True, slots=True)
class Setup:
    """What every vet of this check shares."""

    cue: str
    root: Path  # the repo, resolved: cue runs there and prints positions relative to it
    files: tuple[str, ...]  # model.cue and the policy files, as passed to cue
    context: str  # digest of everything a service's errors depend on besides its fragment
    scratch: Path  # where the data files are written
    jobs: int


class _Unsure(Exception):
    """An error this module cannot attribute to one service: vet the environment whole."""


# A cached position: ("@s" service-relative, "@h" head, "@t" tail-relative, or a file), line, col
_Cached = list[Any]


@dataclass
class _Environment:
    name: str
    layout: Layout
    key: str
    known: dict[str, list[_Cached]]  # fragment digest -> the service's errors
    digests: list[str]
    errors: dict[int, list[_Cached]]  # service index -> its errors (cached or fresh)
    whole: bool = False


@dataclass(frozen=True, slots=True)
class _Chunk:
    environment: _Environment
    indices: tuple[int, ...]
    data: Path


# An environment's export in pieces, and the digest of each service's fragment.
Prepared = tuple[Layout, list[str]]


def prepare(models: Mapping[str, EnvironmentModel]) -> dict[str, Prepared]:
    """Export each environment and cut it into pieces.

    At 10,000 services an environment's export is 13 MB of JSON, 0.3 s to build; the check
    does it in a background thread while the render runs (compiler.policies), in this
    process: forked workers doubled its CPU time for little less wall time.
    """
    prepared = {}
    for name, model in models.items():
        pieces = layout(export_environment(model))
        prepared[name] = pieces, [hashlib.sha256(f.encode()).hexdigest() for f in pieces.fragments]
    return prepared


def vet_environments(
    setup: Setup, prepared: dict[str, Prepared], per_service: bool
) -> dict[str, list[CueError]]:
    """Each environment's errors, as one whole-environment `cue vet` would print them."""
    environments = [_prepare(setup, name, *pieces) for name, pieces in prepared.items()]
    if not per_service:
        for environment in environments:
            environment.whole = True
    chunks = list(_chunks(setup, [e for e in environments if not e.whole]))
    documents = [(c.data, c.environment.layout.text(c.indices)) for c in chunks]
    for chunk, (code, output) in zip(chunks, _run_all(setup, documents), strict=True):
        environment = chunk.environment
        if environment.whole:
            continue
        try:
            _collect(setup, chunk, code, output)
        except _Unsure:
            environment.whole = True
    whole = [e for e in environments if e.whole]
    texts = [
        (setup.scratch / f"{e.name}.json", e.layout.text(range(len(e.layout.names)))) for e in whole
    ]
    # a whole environment of 10,000 services takes cue 2.5 GB: one at a time, when large
    small = all(len(e.layout.names) <= CHUNK_SERVICES for e in whole)
    outputs = _run_all(setup, texts, setup.jobs if small else 1)
    results = {
        e.name: parse_errors(output) if code else []
        for e, (code, output) in zip(whole, outputs, strict=True)
    }
    for environment in environments:
        if not environment.whole:
            results[environment.name] = _assemble(setup, environment)
            _remember(environment)
    return {name: results[name] for name in prepared}


def _prepare(setup: Setup, name: str, pieces: Layout, digests: list[str]) -> _Environment:
    key = cache.key(setup.context, pieces.head, pieces.tail)
    known = cache.load(key)
    errors = {i: known[d] for i, d in enumerate(digests) if d in known}
    return _Environment(name, pieces, key, known, digests, errors)


def _chunks(setup: Setup, environments: list[_Environment]) -> Iterator[_Chunk]:
    missing = {
        e.name: [i for i in range(len(e.digests)) if i not in e.errors] for e in environments
    }
    total = sum(len(m) for m in missing.values())
    for environment in environments:
        pending = missing[environment.name]
        if not pending:
            continue
        count = max(-(-len(pending) // CHUNK_SERVICES), -(-setup.jobs * len(pending) // total))
        size = -(-len(pending) // count)
        for number, start in enumerate(range(0, len(pending), size)):
            data = setup.scratch / f"{environment.name}.{number}.json"
            yield _Chunk(environment, tuple(pending[start : start + size]), data)


def _run_all(
    setup: Setup, documents: list[tuple[Path, str]], jobs: int | None = None
) -> list[tuple[int, str]]:
    """`cue vet` of each data document, `jobs` (default: `setup.jobs`) at a time, in order."""
    jobs = setup.jobs if jobs is None else jobs

    def vet(document: tuple[Path, str]) -> tuple[int, str]:
        path, text = document
        path.write_text(text, encoding="utf-8")
        try:
            return run_vet(setup.cue, [*setup.files, str(path)], setup.root)
        finally:
            path.unlink()

    if len(documents) <= 1 or jobs <= 1:
        return [vet(d) for d in documents]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(vet, documents))


def _collect(setup: Setup, chunk: _Chunk, code: int, output: str) -> None:
    """File the chunk's errors under their services (each service's list, even if empty)."""
    environment = chunk.environment
    pieces = environment.layout
    fresh: dict[int, list[_Cached]] = {i: [] for i in chunk.indices}
    errors = parse_raw(output) if code else []
    if code and not errors:
        raise _Unsure("cue failed without an error")
    if not is_in_cue_order(errors, _placer(setup)):
        raise _Unsure("cue's order is not the one this module reproduces")
    by_name = {pieces.names[i]: i for i in chunk.indices}
    starts = pieces.starts(chunk.indices)
    tail = pieces.tail_start(chunk.indices)
    data = str(chunk.data)
    name = chunk.data.name
    for error in errors:
        if any(text in error.message for text in POLICY_FAULTS) or name in error.message:
            raise _Unsure(error.message)
        if len(error.raw_path) < 2 or error.raw_path[0] != "services":
            raise _Unsure(error.message)
        index = by_name.get(unquote(error.raw_path[1]))
        if index is None:
            raise _Unsure(error.message)
        start = starts[chunk.indices.index(index)]
        positions: list[_Cached] = []
        for position in error.positions:
            if _absolute(setup, position.file) != data:
                positions.append([position.file, position.line, position.column])
                continue
            if position.line != 1:
                raise _Unsure("a data position beyond line 1")
            offset = position.column - 1
            if offset < len(pieces.head):
                positions.append(["@h", 1, position.column])
            elif offset >= tail:
                positions.append(["@t", 1, offset - tail])
            elif start <= offset < start + len(pieces.fragments[index]):
                positions.append(["@s", 1, offset - start])
            else:
                raise _Unsure("a position in another service")
        fresh[index].append([list(error.raw_path), error.message, positions])
    environment.errors.update(fresh)


def _assemble(setup: Setup, environment: _Environment) -> list[CueError]:
    """The environment's errors at their whole-document positions, in cue's order."""
    pieces = environment.layout
    everything = range(len(pieces.names))
    starts = pieces.starts(everything)
    tail = pieces.tail_start(everything)
    data = setup.scratch / f"{environment.name}.json"
    shown = _relative(setup.root, data)
    errors: list[CueError] = []
    for index in everything:
        for raw_path, message, cached in environment.errors[index]:
            positions = []
            for file, line, column in cached:
                if file == "@s":
                    positions.append(Position(shown, 1, starts[index] + column + 1))
                elif file == "@t":
                    positions.append(Position(shown, 1, tail + column + 1))
                elif file == "@h":
                    positions.append(Position(shown, 1, column))
                else:
                    positions.append(Position(file, line, column))
            path = tuple(raw_path)
            errors.append(
                CueError(tuple(unquote(p) for p in path), message, tuple(positions), path)
            )
    return merge_disjunctions(in_cue_order(errors, _placer(setup)))


def _placer(setup: Setup) -> Callable[[Position], Place]:
    def place(position: Position) -> Place:
        return _absolute(setup, position.file), position.line, position.column

    return place


def _absolute(setup: Setup, printed: str) -> str:
    return os.path.normpath(setup.root / printed)


def _relative(root: Path, path: Path) -> str:
    """A path as cue prints it: relative to where it runs, starting with a dot."""
    shown = os.path.relpath(path, root)
    return shown if shown.startswith(".") else f"./{shown}"


def _remember(environment: _Environment) -> None:
    """Store the environment's services' errors if anything changed."""
    current = {environment.digests[i]: errors for i, errors in environment.errors.items()}
    if current.keys() != environment.known.keys():
        cache.store_record(environment.key, current)
