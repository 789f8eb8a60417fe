"""Turn loaded documents into typed spec objects, reporting every defect with its position.

pydantic does the shape checking; this module translates its errors into obsc diagnostics:
an error code, the spec path a person recognises (`services.checkout.slos[0].objective`),
the file:line:column from the loader's position table, and a did-you-mean hint where a
name was misspelt.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from compiler.credentials import shown_name
from compiler.errors import DiagnosticSink
from compiler.spec.loader import Document, PathKey
from compiler.spec.models import (
    API_VERSION,
    DOCUMENT_MODELS,
    FrameworkDocument,
    ProjectDocument,
    ServiceDocument,
    SnapshotDocument,
    SpecModel,
)
from compiler.spec.paths import spec_path
from compiler.spec.secrets import find_literal_secrets
from compiler.spec.shape import allowed_keys

M = TypeVar("M", bound=SpecModel)

_CODE_BY_TYPE = {
    "extra_forbidden": "OBSC100",
    "missing": "OBSC101",
    "dns_label": "OBSC105",
    "identifier": "OBSC105",
    "duration": "OBSC106",
    "regex": "OBSC107",
    "time_interval": "OBSC109",
    "literal_error": "OBSC108",
    "union_tag_invalid": "OBSC108",
    "union_tag_not_found": "OBSC101",
    "enum": "OBSC108",
}
_RANGE_TYPES = {
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "too_short",
    "too_long",
    "string_too_short",
    "string_too_long",
}


@dataclass(frozen=True, slots=True)
class Parsed(Generic[M]):
    """A validated spec object together with the document it came from."""

    model: M
    document: Document


@dataclass
class SpecSet:
    """Every valid document of the estate, grouped by kind, in file order."""

    projects: list[Parsed[ProjectDocument]] = field(default_factory=list)
    services: list[Parsed[ServiceDocument]] = field(default_factory=list)
    frameworks: list[Parsed[FrameworkDocument]] = field(default_factory=list)
    snapshots: list[Parsed[SnapshotDocument]] = field(default_factory=list)
    invalid_kinds: set[str] = field(default_factory=set)

    def add(self, model: SpecModel, document: Document) -> None:
        """File a validated document under its kind."""
        if isinstance(model, ProjectDocument):
            self.projects.append(Parsed(model, document))
        elif isinstance(model, ServiceDocument):
            self.services.append(Parsed(model, document))
        elif isinstance(model, FrameworkDocument):
            self.frameworks.append(Parsed(model, document))
        elif isinstance(model, SnapshotDocument):
            self.snapshots.append(Parsed(model, document))


def validate_documents(
    documents: list[Document], sink: DiagnosticSink, into: SpecSet | None = None
) -> SpecSet:
    """Validate every document; valid ones are returned (added to `into`), defects to `sink`."""
    specs = SpecSet() if into is None else into
    for document in documents:
        model_cls = _check_header(document, sink)
        if model_cls is None:
            continue
        secret_paths = find_literal_secrets(document, sink)
        model = _validate_model(model_cls, document, secret_paths, sink)
        if model is not None and not secret_paths:
            specs.add(model, document)
        else:
            specs.invalid_kinds.add(document.data["kind"])
    return specs


def _check_header(document: Document, sink: DiagnosticSink) -> type[SpecModel] | None:
    data = document.data
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else f"a {type(data).__name__} scalar"
        sink.error(
            "OBSC005",
            f"expected a mapping with apiVersion, kind, metadata and spec; found {found}",
            document.location(()),
            hint="each YAML document is one object; separate several with '---'",
        )
        return None
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    if api_version is None or kind is None:
        missing = " and ".join(k for k in ("apiVersion", "kind") if data.get(k) is None)
        sink.error(
            "OBSC012",
            f"missing {missing}",
            document.location(()),
            hint=f"start each document with 'apiVersion: {API_VERSION}' and a kind "
            f"({', '.join(DOCUMENT_MODELS)})",
        )
        return None
    if api_version != API_VERSION:
        sink.error(
            "OBSC010",
            f"unknown apiVersion {api_version!r}, expected {API_VERSION!r}",
            document.location(("apiVersion",)),
            "apiVersion",
        )
        return None
    model_cls = DOCUMENT_MODELS.get(kind) if isinstance(kind, str) else None
    if model_cls is None:
        sink.error(
            "OBSC011",
            f"unknown kind {kind!r}, expected one of {', '.join(DOCUMENT_MODELS)}",
            document.location(("kind",)),
            "kind",
            hint=did_you_mean(str(kind), DOCUMENT_MODELS),
        )
        return None
    return model_cls


def _validate_model(
    model_cls: type[SpecModel],
    document: Document,
    secret_paths: set[PathKey],
    sink: DiagnosticSink,
) -> SpecModel | None:
    try:
        return model_cls.model_validate(document.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            _report(model_cls, document, error, secret_paths, sink)
        return None


def _data_path(data: Any, loc: tuple[int | str, ...]) -> PathKey:
    """Map pydantic's loc onto the document, dropping union tags that are not in the data."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
        elif isinstance(current, dict) and part == loc[-1]:
            path.append(part)  # a missing or unknown key: point at it by name
    return tuple(path)


def _report(
    model_cls: type[BaseModel],
    document: Document,
    error: ErrorDetails,
    secret_paths: set[PathKey],
    sink: DiagnosticSink,
) -> None:
    error_type = error["type"]
    path = _data_path(document.data, error["loc"])
    code = _CODE_BY_TYPE.get(error_type)
    if code is None:
        if error_type in _RANGE_TYPES:
            code = "OBSC103"
        elif error_type.endswith("_type") or error_type.endswith("_parsing"):
            code = "OBSC102"
        else:
            code = "OBSC104"
    hint = ""
    if error_type == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        allowed = allowed_keys(model_cls, path[:-1])
        shown = shown_name(key)
        message = f"unknown field {shown!r}" if shown == key else f"unknown field {shown}"
        if allowed:
            message += f"; expected one of: {', '.join(allowed)}"
        hint = did_you_mean(key, allowed) if shown == key else ""
        location = document.key_location(path)
    elif error_type == "missing":
        message = f"missing required field {str(path[-1]) if path else ''!r}"
        parent = path[:-1]
        location = document.location(parent)
        hint = _missing_hint(path)
    else:
        message = _message(error, path in secret_paths)
        location = document.location(path)
        hint = _choice_hint(error)
    sink.error(code, message, location, spec_path(document, path), hint)


def _message(error: ErrorDetails, hide_input: bool) -> str:
    text = error["msg"]
    text = re.sub(r"^Input should be", "must be", text)
    text = re.sub(r"^Value error, ", "", text)
    if error["type"] in ("dns_label", "identifier", "duration"):
        return text
    if error["type"] == "model_type" or error["type"] == "dict_type":
        return f"{text}, found {_type_name(error.get('input'))}"
    value = error.get("input")
    if hide_input or isinstance(value, dict | list):
        return f"{text}, found {_type_name(value)}"
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{text}, got {shown}"


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "nothing (null)"
    return f"a {type(value).__name__}"


def _choice_hint(error: ErrorDetails) -> str:
    ctx = error.get("ctx") or {}
    expected = ctx.get("expected_tags") or ctx.get("expected")
    given = error.get("input")
    if error["type"] == "union_tag_invalid":
        given = ctx.get("tag")
    if not isinstance(expected, str) or not isinstance(given, str):
        return ""
    return did_you_mean(given, re.findall(r"'([^']*)'", expected))


def _missing_hint(path: PathKey) -> str:
    if path[-2:-1] == ("sli",) or (len(path) >= 2 and path[-1] in ("good", "total")):
        return "a ratio SLI needs both `good` and `total` PromQL, each with [{{window}}]"
    return ""


def did_you_mean(given: str, candidates: Any) -> str:
    """A 'did you mean' hint for a misspelt name, or '' when nothing is close."""
    names = [str(c) for c in candidates]
    lowered = {n.lower(): n for n in names}
    if given.lower() in lowered and lowered[given.lower()] != given:
        return f"did you mean {lowered[given.lower()]!r}? (names are case-sensitive)"
    close = difflib.get_close_matches(given, names, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""
