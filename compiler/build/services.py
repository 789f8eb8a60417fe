"""Skipping services whose files cannot have changed.

A target that renders per service (compiler.render.contract.PerService) makes each service's
files from that service's model and an explicit context alone. After rendering a service,
obsc records the digests of its files under the service's key
(compiler.build.fingerprint.service_key). When a later render computes the same key and the
tree on disk still holds files with exactly those digests (known from the tree's stat index
where the stat vouches for them, else by reading the file), the service is not rendered
again: the sink links its files from the old tree. After one SLO of 10,000 services changed,
`render` and `diff` render that service (and the environment-wide files), not the other 9,999.

A file spliced from per-service pieces (model.json, compiler.render.contract.Spliced) records,
under each service's key, where its piece lies in the file: `(path, "<file digest>@<start>+
<length>")`. While the file on disk still has that digest, the piece is sliced out of it
rather than serialised again. A recalled piece keeps the place it was found beside its place
in the new file: `diff` and `render --check` do not write the new file, and the next run
still finds the piece in the old one.

One record per rendered tree, belonging to one compiler fingerprint; safe to delete. This is
the render engine's `ServiceMemo` (compiler.render.units), which knows nothing of where it is
kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.build import fingerprint, store
from compiler.build.outputs import tree_index
from compiler.output.manifest import file_digest
from compiler.output.sink import Produced, TreeSink

if TYPE_CHECKING:  # not at run time: an unchanged build never loads the models
    from compiler.model import ResolvedService

NAMESPACE = "services"
Entry = list[tuple[str, str]]  # (rendered/-relative path, digest) of one service's files


class ServiceRecords:
    """The service records of the last render into one tree, and the digests of its files."""

    def __init__(
        self, root: Path, digests: Mapping[int, tuple[ResolvedService, str]] | None = None
    ) -> None:
        """The records of the tree at `root`.

        `digests`: models whose digests are known already (`fingerprint.model_digest` of
        each, by the model's id), as the resolve records know them (compiler.build.resolved).
        """
        self.root = root
        self._on_disk = tree_index(root)
        self._groups: dict[str, dict[str, object]] = {}  # as recorded: see `_entry`
        self._spliced: dict[str, bytes | None] = {}  # spliced files on disk, by path
        self._spliced_digests: dict[str, str] = {}
        self._models: dict[int, tuple[ResolvedService, str]] = dict(digests or {})
        value = store.get_record(NAMESPACE, fingerprint.path_key(root))
        if isinstance(value, dict) and value.get("compiler") == fingerprint.compiler_fingerprint():
            groups = value.get("groups")
            if isinstance(groups, dict) and all(isinstance(g, dict) for g in groups.values()):
                # Entries are checked when used (`_entry`): converting 60,000 of them up
                # front cost 0.1 s of a render at 10,000 services.
                self._groups = groups

    def context_key(self, context: object) -> str:
        """The digest of a target's per-environment context."""
        return fingerprint.context_digest(context)

    def service_key(
        self, environment: str, target: str, context: str, service: ResolvedService
    ) -> str:
        """The key of one service's files."""
        # Every target that renders per service asks for each service: its model is
        # digested once (serialising 10,000 models cost 0.15 s per target). By identity,
        # the model kept beside its digest so that its id cannot be reused meanwhile.
        known = self._models.get(id(service))
        if known is None or known[0] is not service:
            known = self._models[id(service)] = (service, fingerprint.model_digest(service))
        return fingerprint.service_key(environment, target, context, known[1])

    def reuse(self, group: str, key: str, sink: TreeSink) -> list[tuple[str, Produced]] | None:
        """The service's files taken from the tree on disk, if they are what it renders."""
        entry = self._entry(group, key)
        if entry is None or not all(self._on_disk.digest(p) == d for p, d in entry):
            return None
        return [(path, sink.put_unchanged(path, digest)) for path, digest in entry]

    def recall_piece(self, group: str, key: str) -> tuple[bytes, Entry] | None:
        """The service's piece of a spliced file sliced from it on disk, and where it was."""
        for path, where in self._entry(group, key) or []:
            place = self.piece_place(where)
            if place is None:
                continue
            digest, start, length = place
            content = self._spliced_file(path, digest)
            if content is not None and start + length <= len(content):
                return content[start : start + length], [(path, where)]
        return None

    def piece_place(self, where: str) -> tuple[str, int, int] | None:
        """An entry's place of a piece as (file digest, start, length), if well formed."""
        digest, _, span = where.partition("@")
        start, _, length = span.partition("+")
        if not (start.isdigit() and length.isdigit()):
            return None
        return digest, int(start), int(length)

    def _entry(self, group: str, key: str) -> Entry | None:
        """The recorded entry, or None when there is none of the shape `save` writes."""
        files = self._groups.get(group, {}).get(key)
        if not isinstance(files, list):
            return None
        entry: Entry = []
        for pair in files:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                return None
            path, digest = pair
            if not isinstance(path, str) or not isinstance(digest, str):
                return None
            entry.append((path, digest))
        return entry

    def piece_entry(self, path: str, digest: str, start: int, length: int) -> Entry:
        """The entry recording a piece: bytes `start` to `start + length` of the file."""
        return [(path, f"{digest}@{start}+{length}")]

    def _spliced_file(self, path: str, digest: str) -> bytes | None:
        """The file at `path` on disk (read and digested once), when it has `digest`."""
        if path not in self._spliced:
            try:
                content = (self.root / path).read_bytes()
            except OSError:
                content = None
            self._spliced[path] = content
            self._spliced_digests[path] = file_digest(content) if content is not None else ""
        return self._spliced[path] if self._spliced_digests[path] == digest else None

    def save(self, rendered: Mapping[str, Mapping[str, Entry]]) -> None:
        """Record the groups just rendered (per target, per spliced file); keep the others."""
        groups = {**self._groups, **{g: dict(keys) for g, keys in rendered.items()}}
        value = {"compiler": fingerprint.compiler_fingerprint(), "groups": groups}
        store.put_record(NAMESPACE, fingerprint.path_key(self.root), value)
