"""Recognising a rendered tree that already is the render, without rendering or reading it.

After a render, obsc records the digest of every file it produced under the render's key
(compiler.build.fingerprint.render_key), and the stat index of the tree it left
(compiler.build.stat_index). When a later run computes the same key, the tree holds exactly
the recorded files (each known by its stat, or read when its stat changed or is racy) and a
manifest that is this render's, the tree *is* the render: the renderers are skipped. Any
difference is named (compiler.build.reasons).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.build import fingerprint, store
from compiler.build.reasons import (
    MANIFEST_CHANGED,
    NO_RENDER_RECORD,
    OUTPUT_ADDED,
    OUTPUT_CHANGED,
    OUTPUT_MISSING,
    Miss,
)
from compiler.build.stat_index import StatIndex
from compiler.output.manifest import MANIFEST_NAME, Manifest
from compiler.output.writer import list_tree
from compiler.version import __version__

RENDERS = "renders"
TREES = "trees"


@dataclass(frozen=True, slots=True)
class Current:
    """What `current_render` found: the tree's manifest when it is the render, else why not."""

    manifest: Manifest | None
    miss: Miss | None = None
    reread: int = 0  # files read because their stat changed or was racy


def tree_index(root: Path) -> StatIndex:
    """The stat index of the tree at `root` as obsc last left it (empty when unknown)."""
    return StatIndex(root, store.get_record(TREES, fingerprint.path_key(root)))


def record_tree(root: Path, digests: Mapping[str, str], index: StatIndex | None = None) -> None:
    """Record the stat index of `root`, whose files have `digests` (best effort).

    `index` is one that already took some of the stats.
    """
    try:
        snapshot = (index or StatIndex(root)).snapshot(digests)
    except OSError:
        return
    store.put_record(TREES, fingerprint.path_key(root), snapshot)


def remember_render(key: str, digests: Mapping[str, str]) -> None:
    """Record the digests of what the render with `key` produced (best effort)."""
    store.put_record(RENDERS, key, dict(digests))


def _recorded_render(key: str) -> dict[str, str] | None:
    # Not checked entry by entry (60,000 of them): JSON keys are strings, and a value that
    # is not a digest string can never equal the manifest's, which is compared first.
    value = store.get_record(RENDERS, key)
    return value if isinstance(value, dict) else None


def current_render(
    input_digest: str,
    environments: Mapping[str, list[str]],
    pairs: Sequence[tuple[str, str]],
    root: Path,
    settings: Mapping[str, Mapping[str, str]],
) -> Current:
    """Whether `root` holds exactly the render of these inputs, selection and settings.

    `environments` are the targets of each environment (as the manifest records them).
    """
    key = fingerprint.render_key(input_digest, pairs, settings)
    recorded = _recorded_render(key)
    if recorded is None:
        return Current(None, Miss(NO_RENDER_RECORD))
    try:
        raw = (root / MANIFEST_NAME).read_bytes()
    except OSError:
        return Current(None, Miss(MANIFEST_CHANGED, "no manifest.json"))
    manifest = Manifest.parse(raw)
    if (
        manifest is None
        or manifest.input_digest != input_digest  # first: a diff of a change stops here
        or manifest.files != recorded
        or manifest.compiler_version != __version__
        or manifest.environments != environments
        or manifest.to_bytes() != raw
    ):
        return Current(None, Miss(MANIFEST_CHANGED, "not this render's manifest"))
    try:  # listed only now: 40,000 files at 10,000 services
        on_disk = list_tree(root)
    except OSError:
        return Current(None, Miss(MANIFEST_CHANGED, "rendered/ cannot be listed"))
    expected = set(recorded) | {MANIFEST_NAME}
    if on_disk != expected:
        extra = sorted(on_disk - expected)
        if extra:
            return Current(None, Miss(OUTPUT_ADDED, extra[0]))
        return Current(None, Miss(OUTPUT_MISSING, min(expected - on_disk)))
    index = tree_index(root)
    for rel, digest in recorded.items():
        if index.digest(rel) != digest:
            return Current(None, Miss(OUTPUT_CHANGED, rel))
    reread = len(index.read) + len(index.racy)
    if reread:  # the same bytes under new stats: record them, to trust them next time
        record_tree(root, recorded, index)
    return Current(manifest, None, reread)
