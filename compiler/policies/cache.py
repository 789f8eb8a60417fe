"""The policy-result cache: each service's cue errors, by environment context and fragment.

Records live in the cache directory's `policies` namespace (compiler.build.store: JSON,
written atomically, never pickle). A record holds, for one context (everything a service's
errors depend on besides its own exported model), `{fragment digest: errors}` for the
services of one environment. A record read back is checked for its shape: the cache
directory may come from elsewhere, and a bad record is no record.

A record is replaced as its services change, but a new one is written for every new context
(a policy or the stack changed): after each write only the newest `KEEP_RECORDS` stay, at
most ~1 MB each per 10,000 services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.build import store

NAMESPACE = "policies"
VERSION = "1"  # of the cached shape and of what a context covers
KEEP_RECORDS = 16  # a few contexts of a few environments each (branches, a policy edit)


def key(*parts: str) -> str:
    """The record key of an environment context."""
    return store.content_key(NAMESPACE, VERSION, *parts)


def load(record: str) -> dict[str, list[list[Any]]]:
    """The cached errors by fragment digest; empty when there is no usable record."""
    value = store.get_record(NAMESPACE, record)
    if not isinstance(value, dict):
        return {}
    if not all(isinstance(k, str) and _errors(v) for k, v in value.items()):
        return {}
    return value


def store_record(record: str, value: dict[str, list[list[Any]]]) -> None:
    """Replace the record, and drop all but the last used records (best effort, both)."""
    store.put_record(NAMESPACE, record, value)
    _keep_newest(KEEP_RECORDS)


def _keep_newest(count: int) -> None:
    """Delete the namespace's records but the `count` used last (read or written)."""
    folder = store.cache_dir() / NAMESPACE
    written: list[tuple[int, Path]] = []
    for path in folder.glob("*/*.json"):
        try:
            written.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(written, reverse=True)[count:]:
        path.unlink(missing_ok=True)


def _errors(value: object) -> bool:
    return isinstance(value, list) and all(_error(e) for e in value)


def _error(value: object) -> bool:
    if not isinstance(value, list) or len(value) != 3:
        return False
    path, message, positions = value
    return (
        isinstance(path, list)
        and all(isinstance(p, str) for p in path)
        and isinstance(message, str)
        and isinstance(positions, list)
        and all(_position(p) for p in positions)
    )


def _position(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(n, int) and not isinstance(n, bool) for n in value[1:])
    )
