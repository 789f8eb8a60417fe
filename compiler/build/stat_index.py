"""What files looked like when obsc last read them: git's index, for inputs and rendered/.

For each file the index keeps its stat (size, mtime, ctime, inode) and the digest of its
bytes. A file whose stat is unchanged still has the recorded bytes (any write changes ctime,
which no tool can set back), so obsc knows its digest without reading it: that is how an
unchanged repository of 10,000 services is recognised in a second.

One racy-timestamp rule, applied per file: a file whose mtime falls within `RACY_NS` of the
moment the index was written could have been changed again within the timestamps'
granularity without its stat changing. Such an entry is not trusted by its stat; the file is
read and its digest compared, as git re-checks a racy entry by content rather than discarding
the whole index. A file whose stat changed is read as well, so a file touched (or checked out
again) with the same bytes is still recognised.

Patch `RACY_NS` here, and only here, to trust stats taken a moment ago (tests).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from compiler.output.manifest import file_digest

RACY_NS = 1_000_000_000

Stat = list[int]  # [size, mtime_ns, ctime_ns, inode]


def stat_of(path: str) -> Stat:
    """The stat the index compares (OSError when the file is missing)."""
    st = os.stat(path)  # noqa: PTH116 - a Path per file was a third of this check's time
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def digest_of(path: str) -> str:
    """The digest of a file's bytes (as the manifest records it)."""
    with open(path, "rb") as handle:  # noqa: PTH123 - no Path per file
        return file_digest(handle.read())


class StatIndex:
    """The index of the files under one root, and what asking it has cost so far.

    `digest(rel)` is the file's digest now: from the index where its stat vouches for it,
    else read from the file (counted in `read`, or in `racy` when the stat matched but was
    too recent to trust).
    """

    def __init__(self, root: Path, recorded: object = None) -> None:
        self._root = str(root)
        files = recorded.get("files") if isinstance(recorded, dict) else None
        written = recorded.get("written_ns") if isinstance(recorded, dict) else None
        self._files: dict[str, object] = files if isinstance(files, dict) else {}
        self._trusted_before = (written if isinstance(written, int) else 0) - RACY_NS
        self.taken: dict[str, Stat] = {}  # the stat of every file asked about
        self.read: list[str] = []  # files read because their stat changed or was unknown
        self.racy: list[str] = []  # files read because their entry was racy

    def digest(self, rel: str) -> str | None:
        """The digest of `rel` now; None when there is no such file."""
        path = f"{self._root}/{rel}"
        try:
            now = self.taken[rel] = stat_of(path)
            entry = self._files.get(rel)
            if type(entry) is list and len(entry) == 5 and entry[:4] == now:
                if now[1] < self._trusted_before and type(entry[4]) is str:
                    return entry[4]
                self.racy.append(rel)
            else:
                self.read.append(rel)
            return digest_of(path)
        except OSError:
            return None

    def recorded(self, rel: str) -> str | None:
        """The digest the index recorded for `rel` (None when it has no entry)."""
        entry = self._files.get(rel)
        ok = type(entry) is list and len(entry) == 5 and type(entry[4]) is str
        return entry[4] if ok else None  # type: ignore[index]

    def paths(self) -> list[str]:
        """The paths the index has entries for."""
        return list(self._files)

    def snapshot(
        self, digests: Mapping[str, str], stats: Mapping[str, Stat] | None = None
    ) -> dict[str, object]:
        """The index of `digests` ({rel: digest}) as the files are now, to record.

        Stats already taken (`stats`, or by `digest`) are reused: a stat taken before the
        file was read is the safe one (a later write changes it). OSError when a file has
        vanished.
        """
        base, taken = self._root, {**self.taken, **(stats or {})}
        files = {
            rel: [*(taken.get(rel) or stat_of(f"{base}/{rel}")), digest]
            for rel, digest in digests.items()
        }
        return {"written_ns": time.time_ns(), "files": files}
