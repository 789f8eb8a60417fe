"""One import: read the inputs in the chosen format, then write the specs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from compiler.errors import DiagnosticSink
from compiler.importers import ImportResult
from compiler.spec.loader import Document

Reader = Callable[[list[Document], DiagnosticSink], ImportResult]


def reader(fmt: str) -> Reader:
    """The reader of format `fmt` (sloth, openslo, pyrra)."""
    if fmt == "sloth":
        from compiler.importers.sloth import read_sloth

        return read_sloth
    if fmt == "openslo":
        from compiler.importers.openslo import read_openslo

        return read_openslo
    from compiler.importers.pyrra import read_pyrra

    return read_pyrra


def read_inputs(fmt: str, paths: Sequence[Path]) -> ImportResult:
    """Every SLO of `paths`; malformed input raises SpecError (OBSC600 and YAML errors)."""
    from compiler.importers.reading import read_documents
    from compiler.importers.selectors import own_service_queries

    sink = DiagnosticSink()
    documents = read_documents(paths, sink)
    result = reader(fmt)(documents, sink)
    sink.raise_if_errors("import")
    own_service_queries(result)
    return result
