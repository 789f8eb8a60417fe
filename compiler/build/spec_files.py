"""Spec files parsed and validated before, recalled by their bytes instead of parsed again.

After one SLO changed in an estate of 10,000 services, parsing the YAML of every spec file
and validating every document again took about half of `obsc diff`. A file whose parse and
validation reported nothing at all (no error, no warning) is recorded here under the digest
of its bytes and of the compiler: each document's data and the position of every value in
it, which later diagnostics need (crossref, resolve and policies point at file:line:column
of unchanged files too). The same bytes with the same compiler parse to the same data, so a
later load takes the documents from the record. A file with any diagnostic is never
recorded: it is parsed again, and reports exactly what it reported before.

A record is data from a directory others may write, so nothing in it is trusted: the
positions are checked for their shape, and each document's data is validated again by its
spec model (pydantic, from plain JSON: a planted record cannot run code). Anything else is
a record this obsc did not write: it is ignored with a warning (OBSC020) and the file is
parsed. The data of a record that validates is what the file held when it was recorded
(it is keyed by the file's digest); skipped is only the YAML parse and the scan for literal
secrets (compiler.spec.secrets), which found none in these bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from compiler.build import fingerprint, store
from compiler.build.known import field, ignored_record
from compiler.errors import Diagnostic
from compiler.spec.loader import Document, PathKey
from compiler.spec.models import API_VERSION, DOCUMENT_MODELS, SpecModel

NAMESPACE = "spec-files"
Validated = list[tuple[Document, SpecModel]]


@dataclass(frozen=True, slots=True)
class Recalled:
    """The documents of a recorded file (None when not recorded); `warning`: OBSC020."""

    documents: Validated | None
    warning: Diagnostic | None = None


def file_key(raw: bytes) -> str:
    """The key of a spec file's record: its bytes, read by this compiler."""
    return store.content_key("spec-file", fingerprint.compiler_fingerprint(), raw)


def record_file(raw: bytes) -> Path:
    """Where the record of a file with these bytes is kept (for tests and messages)."""
    return store.record_path(NAMESPACE, file_key(raw))


def remember(raw: bytes, documents: Sequence[Document]) -> None:
    """Record the documents of a file that parsed and validated without a diagnostic."""
    try:
        value = [
            {
                "index": document.index,
                "data": document.data,
                "positions": [n for path in walk(document.data) for n in document.positions[path]],
            }
            for document in documents
        ]
    except KeyError:  # a value without a position: not a table the loader made
        return
    store.put_record(NAMESPACE, file_key(raw), value)


def recall(raw: bytes, display: str) -> Recalled:
    """The validated documents of the file `display` if its bytes were recorded."""
    try:
        value = store.read_record(NAMESPACE, file_key(raw))
        if value is None:
            return Recalled(None)
        if not isinstance(value, list):
            raise store.BadRecord("not a list of documents")
        return Recalled([_document(item, display) for item in value])
    except (ValueError, RecursionError) as problem:  # BadRecord, or data that does not validate
        return Recalled(
            None, ignored_record(record_file(raw), problem, f"{display} (parsed again)")
        )


def _document(item: object, display: str) -> tuple[Document, SpecModel]:
    """One recorded document, checked; BadRecord when it is not what `remember` wrote."""
    data = field(item, "data", dict)
    kind = data.get("kind")
    model_cls = DOCUMENT_MODELS.get(kind) if isinstance(kind, str) else None
    if model_cls is None or data.get("apiVersion") != API_VERSION:
        raise store.BadRecord("a document of no known kind")
    try:
        model = model_cls.model_validate(data)
    except ValidationError:
        raise store.BadRecord(f"a {kind} document that does not validate") from None
    numbers = field(item, "positions", list)
    return Document(display, field(item, "index", int), data, positions(data, numbers)), model


def walk(data: object, path: PathKey = ()) -> Iterator[PathKey]:
    """The paths of the position table of `data`, in the loader's order.

    Each value's own path, then for each key of a mapping `("#key", *path, key)` followed
    by the paths under its value (compiler.spec.loader records exactly these).
    """
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield ("#key", *path, key)
            yield from walk(value, (*path, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from walk(item, (*path, index))


def positions(data: object, numbers: list[object]) -> Mapping[PathKey, tuple[int, int]]:
    """The position table of `data` from its line and column numbers in `walk` order.

    Checked now, built when first read: a recalled document's positions are read only for
    a diagnostic or a provenance, and building 10,000 tables cost 0.2 s of a load.
    """
    if len(numbers) != 2 * _values(data) or not set(map(type, numbers)) <= {int}:
        raise store.BadRecord("positions are not a line and a column for each value")
    return _Positions(data, numbers)  # type: ignore[arg-type]


def _values(data: object) -> int:
    """How many paths `walk(data)` gives (without making them).

    A loop, not a recursion: this counts the values of every recalled document (10,000
    files at 10,000 services), where the generator-and-sum recursion cost 0.35 s.
    """
    count, pending = 0, [data]
    while pending:
        value = pending.pop()
        count += 1
        if isinstance(value, dict):
            count += len(value)  # each key's own path
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return count


class _Positions(Mapping[PathKey, tuple[int, int]]):
    """A position table made from its numbers on first use (see `positions`)."""

    def __init__(self, data: object, numbers: list[int]) -> None:
        self._data, self._numbers = data, numbers
        self._table: dict[PathKey, tuple[int, int]] | None = None

    def _built(self) -> dict[PathKey, tuple[int, int]]:
        if self._table is None:
            lines, columns = self._numbers[::2], self._numbers[1::2]
            self._table = dict(zip(walk(self._data), zip(lines, columns, strict=True), strict=True))
        return self._table

    def __getitem__(self, path: PathKey) -> tuple[int, int]:
        return self._built()[path]

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._numbers) // 2
