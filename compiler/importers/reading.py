"""Reading import inputs: YAML documents with positions, typed field access, shared mapping.

A field a format requires that is missing or of the wrong type is OBSC600 at its
`file:line:col` (exit 2); every such problem of every input is reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from compiler.detect.observation import service_name
from compiler.errors import DiagnosticSink, Location
from compiler.importers import MALFORMED
from compiler.spec.loader import Document, PathKey, load_bytes

_SLOTH_WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")


def read_documents(paths: Sequence[Path], sink: DiagnosticSink) -> list[Document]:
    """Every YAML document of the files (a directory: its *.yaml/*.yml, sorted)."""
    from compiler.detect.inputs import read_bytes

    documents: list[Document] = []
    for path in _files(paths):
        documents.extend(load_bytes(read_bytes(path, "import input"), str(path), sink))
    sink.raise_if_errors("import")
    return [d for d in documents if d.data is not None]


def _files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


class Fields:
    """Typed access to one document's fields; problems become OBSC600 diagnostics."""

    def __init__(self, document: Document, sink: DiagnosticSink) -> None:
        self.document = document
        self.sink = sink

    def location(self, path: PathKey) -> Location:
        """Where `path` is written (the nearest parent that exists)."""
        return self.document.location(path)

    def get(self, path: PathKey) -> Any:
        """The value at `path`, or None."""
        value: Any = self.document.data
        for key in path:
            if isinstance(key, int):
                value = value[key] if isinstance(value, list) and key < len(value) else None
            else:
                value = value.get(key) if isinstance(value, dict) else None
            if value is None:
                return None
        return value

    def text(self, path: PathKey, required: bool = True) -> str | None:
        """A string (or number written as one) at `path`."""
        value = self.get(path)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        if value is not None or required:
            self.problem(path, "a string" if value is None else f"a string, not {value!r}")
        return None

    def number(self, path: PathKey) -> float | None:
        """A number (or a numeric string, as Pyrra writes targets) at `path`."""
        value = self.get(path)
        try:
            return float(value) if not isinstance(value, bool) and value is not None else None
        except (TypeError, ValueError):
            pass
        self.problem(path, "a number" if value is None else f"a number, not {value!r}")
        return None

    def items(self, path: PathKey) -> list[Any]:
        """A list at `path` (missing: empty)."""
        value = self.get(path)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"a list, not {type(value).__name__}")
            return []
        return value

    def mapping(self, path: PathKey) -> dict[str, Any]:
        """A mapping at `path` (missing: empty)."""
        value = self.get(path)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"a mapping, not {type(value).__name__}")
            return {}
        return value

    def problem(self, path: PathKey, expected: str) -> None:
        """Record that `path` is not what the format requires."""
        shown = ".".join(str(p) for p in path)
        self.sink.error(
            MALFORMED,
            f"{shown}: expected {expected}",
            self.location(path),
            hint="check the document against its format's reference",
        )


def sloth_window(query: str) -> str:
    """Sloth's (and its OpenSLO reader's) `{{.window}}` as obsc's `{{window}}`."""
    return _SLOTH_WINDOW.sub("{{window}}", query)


def dns_name(raw: str) -> str:
    """A name as obsc's specs accept it: lower-case letters, digits and `-`."""
    return service_name(raw, fallback="imported")


def percent(value: float) -> float:
    """A number for an obsc objective, without float noise (0.999 * 100 is 99.9)."""
    return float(f"{value:.10g}")


def ratio_from_error(error: str, total: str) -> dict[str, str]:
    """An obsc ratio SLI from an error query and a total query: good = total - errors."""
    return {"kind": "ratio", "good": f"({total}) - ({error})", "total": total}
