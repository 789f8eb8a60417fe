"""Remembering what a render produced, so that an unchanged estate is not rendered again.

After a render, obsc records the sha256 of every file it produced under a key made of
everything the bytes depend on: the compiler itself (a digest of its source and data files,
so any change to obsc, released or not, makes a new key), the estate's input digest, the
environments and targets rendered and the `--set` overrides. When a later `render`,
`render --check` or `diff` computes the same key and the tree on disk still has exactly
those bytes, the tree on disk *is* the render, and the renderers are skipped.

The cache lives outside rendered/ (`$OBSC_CACHE_DIR`, else `$XDG_CACHE_HOME/obsc`, else
`~/.cache/obsc`), holds digests only, and is safe to delete; a cache that cannot be read or
written is simply not used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from compiler.output.manifest import file_digest
from compiler.version import __version__

_SOURCE_SUFFIXES = (".py", ".yaml", ".cue", ".j2", ".json")


def cache_dir() -> Path:
    """Where render records live."""
    explicit = os.environ.get("OBSC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "obsc"


@functools.cache
def compiler_fingerprint() -> str:
    """A digest of the compiler's version and every source and data file it renders with."""
    import importlib.util

    roots = []
    for package in ("compiler", "targets"):  # found, not imported: only the pipeline does
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations is not None
        roots.append(Path(next(iter(spec.submodule_search_locations))))
    return hashlib.sha256(f"{__version__}\0{tree_digest(roots)}".encode()).hexdigest()


def tree_digest(roots: Sequence[Path]) -> str:
    """A digest of the source and data files under `roots` (names and bytes)."""
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in _SOURCE_SUFFIXES and "__pycache__" not in path.parts:
                rel = path.relative_to(root.parent).as_posix()
                digest.update(f"{rel}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def render_key(
    input_digest: str,
    pairs: Sequence[tuple[str, str]],
    settings: Mapping[str, Mapping[str, str]],
) -> str:
    """The key of one render: same key, same bytes (renders are deterministic)."""
    material = json.dumps(
        {
            "compiler": compiler_fingerprint(),
            "inputs": input_digest,
            "pairs": sorted(pairs),
            "settings": {k: dict(sorted(v.items())) for k, v in sorted(settings.items())},
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _record_path(key: str) -> Path:
    return cache_dir() / "renders" / key[:2] / f"{key}.json"


def _load_record(key: str) -> dict[str, str] | None:
    try:
        recorded = json.loads(_record_path(key).read_bytes())
    except (OSError, ValueError):
        return None
    return recorded if isinstance(recorded, dict) else None


def reuse(
    key: str, tree: Mapping[str, bytes], digests: dict[str, str] | None = None
) -> dict[str, bytes] | None:
    """The files of `tree` that a render with `key` would produce, if it holds them all.

    `digests`, when given, receives the digest of every file checked (for the manifest).
    """
    recorded = _load_record(key)
    if recorded is None:
        return None
    files: dict[str, bytes] = {}
    for path, digest in recorded.items():
        content = tree.get(path)
        if content is None or file_digest(content) != digest:
            return None
        files[path] = content
    if digests is not None:
        digests.update(recorded)
    return files


def remember(key: str, digests: Mapping[str, str]) -> None:
    """Record the digests of what the render with `key` produced (best effort)."""
    path = _record_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dict(digests), sort_keys=True))
        tmp.replace(path)
    except OSError:
        pass


# --- Recognising an unchanged tree without reading it -------------------------------------
#
# Like git's index: beside the digests, obsc keeps each file's (size, mtime, ctime, inode)
# as seen after it last wrote or checked the tree. A file whose stat is unchanged still has
# the recorded digest; any write changes ctime, which no tool can set back. Files changed
# within a second of that record (too close to tell apart) are read and hashed again.

_RACY_NS = 1_000_000_000


def _stats_path(root: Path) -> Path:
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()
    return cache_dir() / "trees" / f"{name}.json"


def _stat_key(path: str) -> list[int]:
    # os.stat on a string: pathlib's object per file was a third of this check's time
    st = os.stat(path)  # noqa: PTH116
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def record_tree(
    root: Path, digests: Mapping[str, str], stats: Mapping[str, list[int]] | None = None
) -> None:
    """Remember the stat of every file of `root` whose digest is known (best effort).

    `stats` are stat keys already taken for some of the files.
    """
    import time

    base = str(root)
    stats = stats or {}
    try:
        entries = {
            rel: [*(stats.get(rel) or _stat_key(f"{base}/{rel}")), digest]
            for rel, digest in digests.items()
        }
        path = _stats_path(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"written_ns": time.time_ns(), "files": entries}))
        tmp.replace(path)
    except OSError:
        pass


def tree_stats(root: Path) -> tuple[dict[str, list[Any]], int]:
    """The stat record of `root` and when it was taken (ns); empty when there is none.

    The record is {path: [size, mtime, ctime, inode, digest]}.
    """
    try:
        stats = json.loads(_stats_path(root).read_bytes())
        return dict(stats["files"]), int(stats["written_ns"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}, 0


class TreeDigests:
    """Digests of a tree's files, read from its stat record where possible.

    A file whose stat is unchanged since the record (as `tree_is_current` judges) has the
    recorded digest; any other file is read and hashed.
    """

    def __init__(self, root: Path) -> None:
        self._root = str(root)
        self._seen, self._written_ns = tree_stats(root)
        self.taken: dict[str, list[int]] = {}  # the stat of every file asked about
        self.rehashed = False  # whether any file had to be read

    def digest(self, rel: str) -> str | None:
        """The digest of `rel` (relative to the root); None when there is no such file."""
        path = f"{self._root}/{rel}"
        try:
            now = self.taken[rel] = _stat_key(path)
            seen = self._seen.get(rel)
            if seen is not None and seen[:4] == now and now[1] < self._written_ns - _RACY_NS:
                return str(seen[4])
            self.rehashed = True
            with open(path, "rb") as handle:  # noqa: PTH123 - no Path per file
                return file_digest(handle.read())
        except OSError:
            return None


def tree_is_current(
    key: str, root: Path, manifest_ok: Callable[[bytes, Mapping[str, str]], bool]
) -> bool:
    """Whether `root` holds exactly what the render with `key` produces.

    That is the recorded files with their digests (judged from stats where they were seen
    unchanged) and a manifest that `manifest_ok(raw, digests)` accepts.
    """
    from compiler.output.manifest import MANIFEST_NAME
    from compiler.output.writer import list_tree

    recorded = _load_record(key)
    if recorded is None:
        return False
    try:
        if not manifest_ok((root / MANIFEST_NAME).read_bytes(), recorded):
            return False
        if list_tree(root) != set(recorded) | {MANIFEST_NAME}:
            return False
    except OSError:
        return False
    on_disk = TreeDigests(root)
    if any(on_disk.digest(rel) != digest for rel, digest in recorded.items()):
        return False
    if on_disk.rehashed:
        record_tree(root, recorded, on_disk.taken)
    return True
