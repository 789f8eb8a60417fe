"""The framework database: what each framework exposes and how to instrument it.

Built-in entries are YAML files in `data/`, validated by the same models as user specs;
a user's `kind: Framework` document adds an entry or replaces a built-in one.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from compiler.errors import DiagnosticSink
from compiler.spec.loader import parse_text
from compiler.spec.models import FrameworkDocument
from compiler.spec.validate import Parsed, validate_documents

BUILTIN_PREFIX = "obsc:frameworks/"


@dataclass(frozen=True, slots=True)
class FrameworkEntry:
    """One framework with the document it was defined in and whether it is built in."""

    parsed: Parsed[FrameworkDocument]
    builtin: bool

    @property
    def name(self) -> str:
        """The framework's name, as services refer to it."""
        return self.parsed.model.metadata.name


def load_builtin_frameworks(sink: DiagnosticSink) -> list[Parsed[FrameworkDocument]]:
    """Parse and validate the shipped entries; a defect here is a packaging bug."""
    documents = []
    data_dir = resources.files("compiler.frameworks").joinpath("data")
    for item in sorted(data_dir.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".yaml"):
            text = item.read_text(encoding="utf-8")
            documents.extend(parse_text(text, BUILTIN_PREFIX + item.name, sink))
    return validate_documents(documents, sink).frameworks


def build_database(
    builtin: list[Parsed[FrameworkDocument]], user: list[Parsed[FrameworkDocument]]
) -> dict[str, FrameworkEntry]:
    """Merge built-in and user entries by name; a user entry replaces a built-in one."""
    database = {p.model.metadata.name: FrameworkEntry(p, True) for p in builtin}
    for parsed in user:
        database[parsed.model.metadata.name] = FrameworkEntry(parsed, False)
    return dict(sorted(database.items()))
