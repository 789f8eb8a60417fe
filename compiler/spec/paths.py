"""How a position in a document is named in messages: `services.checkout.slos[0].objective`."""

from __future__ import annotations

from compiler.spec.loader import Document, PathKey, dotted_path

_PREFIX = {
    "Project": "project",
    "Service": "services",
    "Framework": "frameworks",
    "Snapshot": "snapshots",
}


def spec_path(document: Document, path: PathKey) -> str:
    """The human address of `path`: `services.checkout.slos[0].objective`."""
    data = document.data
    kind = data.get("kind") if isinstance(data, dict) else None
    prefix = _PREFIX.get(kind, "document") if isinstance(kind, str) else "document"
    if kind != "Project":
        metadata = data.get("metadata") if isinstance(data, dict) else None
        name = metadata.get("name") if isinstance(metadata, dict) else None
        prefix += f".{name}" if isinstance(name, str) and name else f"[{document.index}]"
    rest = path[1:] if path[:1] == ("spec",) else path
    tail = dotted_path(rest)
    if not tail:
        return prefix
    return f"{prefix}{tail}" if tail.startswith("[") else f"{prefix}.{tail}"
