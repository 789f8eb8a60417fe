"""How a position in a document is named in messages: `services.checkout.slos[0].objective`."""

from __future__ import annotations

from compiler.credentials import shown_name
from compiler.spec.loader import Document, PathKey, dotted_path

_PREFIX = {
    "Project": "project",
    "Service": "services",
    "Framework": "frameworks",
    "Snapshot": "snapshots",
}


def spec_path(document: Document, path: PathKey) -> str:
    """The human address of `path`: `services.checkout.slos[0].objective`.

    A key or name that looks like a credential is masked: a message never repeats one.
    """
    data = document.data
    kind = data.get("kind") if isinstance(data, dict) else None
    prefix = _PREFIX.get(kind, "document") if isinstance(kind, str) else "document"
    if kind != "Project":
        metadata = data.get("metadata") if isinstance(data, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        shown = shown_name(name) if isinstance(name, str) else ""
        prefix += f".{shown}" if shown else f"[{document.index}]"
    rest = path[1:] if path[:1] == ("spec",) else path
    rest = tuple(shown_name(part) if isinstance(part, str) else part for part in rest)
    tail = dotted_path(rest)
    if not tail:
        return prefix
    return f"{prefix}{tail}" if tail.startswith("[") else f"{prefix}.{tail}"
