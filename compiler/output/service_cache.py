"""Skipping services whose files cannot have changed.

A target that renders per service (targets.base.PerService) makes each service's files from
that service's model and an explicit context alone. After rendering a service, obsc records
the digests of its files under a key: the digest of the environment, the target, the context
and the service's model (the record as a whole belongs to one compiler fingerprint, so any
change to obsc discards it). When a later render computes the same key and rendered/ still
holds files with exactly those digests (known from the tree's stat record where the stat is
unchanged, else by hashing the file), the service is not rendered again: the sink links its
files from the old tree. After one SLO of 10,000 services changed, `render` and `diff`
render that service (and the environment-wide files), not the other 9,999.

One record per rendered/ directory, in the cache directory; safe to delete.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from compiler.model import ResolvedService
from compiler.output.render_cache import TreeDigests, cache_dir, compiler_fingerprint
from compiler.output.sink import Produced, TreeSink

Entry = list[tuple[str, str]]  # (rendered/-relative path, digest) of one service's files


def _record_path(root: Path) -> Path:
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()
    return cache_dir() / "services" / f"{name}.json"


def context_digest(context: Any) -> str:
    """A stable digest of a PerService context (plain JSON data)."""
    text = json.dumps(context, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def service_key(environment: str, target: str, context: str, service: ResolvedService) -> str:
    """The key of one service's files: same key, same bytes (for one compiler)."""
    digest = hashlib.sha256(f"{environment}\0{target}\0{context}\0".encode())
    digest.update(service.model_dump_json().encode())
    return digest.hexdigest()


class ServiceCache:
    """The records of the last render into one tree, and the digests of that tree's files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._groups: dict[str, dict[str, Entry]] = {}
        self._on_disk = TreeDigests(root)
        try:
            raw = json.loads(_record_path(root).read_bytes())
            if raw.get("compiler") == compiler_fingerprint():
                self._groups = {
                    group: {
                        key: [(str(p), str(d)) for p, d in files] for key, files in keys.items()
                    }
                    for group, keys in raw["groups"].items()
                }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._groups = {}

    def reuse(self, group: str, key: str, sink: TreeSink) -> list[tuple[str, Produced]] | None:
        """The service's files taken from the tree on disk, if they are what it renders."""
        entry = self._groups.get(group, {}).get(key)
        if entry is None or not all(self._on_disk.digest(p) == d for p, d in entry):
            return None
        return [(path, sink.put_unchanged(path, digest)) for path, digest in entry]

    def save(self, rendered: Mapping[str, Mapping[str, Entry]]) -> None:
        """Record the entries of the groups (`<env>/<target>`) just rendered; keep the others."""
        groups = {**self._groups, **{g: dict(keys) for g, keys in rendered.items()}}
        path = _record_path(self.root)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"compiler": compiler_fingerprint(), "groups": groups}))
            tmp.replace(path)
        except OSError:
            pass
