"""The one way obsc replaces a file: write a temporary sibling, then rename it over the file.

A reader (another obsc, a CI job sharing the cache directory, an editor) sees the old file or
the new one, never half of one; a process killed mid-write leaves at most a temporary file
named after the process, which the next write of the same file does not trip over.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, content: bytes) -> None:
    """Replace `path` with `content` atomically, creating its directory if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(content)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
