"""The cache directory and the records kept in it: versioned JSON, written atomically.

Everything obsc remembers between runs lives here, under `$OBSC_CACHE_DIR` (else
`$XDG_CACHE_HOME/obsc`, else `~/.cache/obsc`), one JSON file per record, in a folder per
namespace. A record is `{"format": FORMAT, "key": key, "value": ...}`: a record of another
format or key (an older obsc, a file renamed by hand) is not used. Records are plain JSON
decoded into checked shapes by their owners, never pickle: the cache directory may be shared
between CI jobs or even come from a pull request (`OBSC_CACHE_DIR=.obsc-cache`), and reading
it must not be able to run code. Every record is safe to delete.

Records named by content (a spec file's bytes, a service's inputs) pile up: every edit and
every new compiler writes new ones. A record read is touched, and a process that writes
records removes, at most once a day per namespace, those nobody read or wrote for
`MAX_AGE_DAYS` (as pip and ccache trim their caches by age).

    get_record(namespace, key)         -> the value, or None when there is no usable record
    put_record(namespace, key, value)  -> None (best effort: an unwritable cache is not used)
    content_key(*parts)                -> a key naming content (sha256 of the parts)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from pathlib import Path

import orjson

from compiler.build.files import write_atomic

FORMAT = 3  # of every record; bump when any record's shape changes
MAX_AGE_DAYS = 30  # a record unused for this long is removed (see the module docstring)
_PRUNED = ".pruned"  # in a namespace's folder: touched when it was last pruned
_DAY = 24 * 3600
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


class BadRecord(ValueError):
    """A record file exists but is not one this obsc wrote (unparseable, or another shape)."""


def cache_dir() -> Path:
    """Where records live."""
    explicit = os.environ.get("OBSC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "obsc"


def content_key(*parts: str | bytes) -> str:
    """A key for content made of `parts` (each length-prefixed, so no two splits collide)."""
    digest = hashlib.sha256()
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        digest.update(f"{len(raw)}:".encode())
        digest.update(raw)
    return digest.hexdigest()


def record_path(namespace: str, key: str) -> Path:
    """The file of one record (namespace and key are plain names: no path can escape)."""
    if not _NAME.fullmatch(namespace) or not _NAME.fullmatch(key):
        raise ValueError(f"not a record name: {namespace!r}/{key!r}")
    return cache_dir() / namespace / key[:2] / f"{key}.json"


def read_record(namespace: str, key: str) -> object | None:
    """The value recorded under `key`; None when there is none; BadRecord when it is not ours.

    A record of another format is "none" (an older obsc wrote it), not a bad one.
    """
    path = record_path(namespace, key)
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        record = orjson.loads(raw)  # 3x json's speed: 50 MB of records at 10,000 services
    except (ValueError, RecursionError) as problem:
        raise BadRecord(f"not JSON ({problem})") from None
    if not isinstance(record, dict) or not isinstance(record.get("format"), int):
        raise BadRecord("not a record")
    if record["format"] != FORMAT:
        return None
    if record.get("key") != key or "value" not in record:
        raise BadRecord("its key or value is missing or another record's")
    value: object = record["value"]
    _touch(path)
    return value


def _touch(path: Path) -> None:
    """Mark a record as used now (a read-only cache is used as it is)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(namespace: str, now: float | None = None) -> int:
    """Remove the namespace's records unused for MAX_AGE_DAYS, once a day; how many went."""
    folder = cache_dir() / namespace
    stamp = folder / _PRUNED
    now = time.time() if now is None else now
    try:
        if now - stamp.stat().st_mtime < _DAY:
            return 0
    except OSError:
        pass  # never pruned (or no folder yet)
    removed = 0
    try:
        for path in folder.glob("*/*.json"):
            try:
                if now - path.stat().st_mtime > MAX_AGE_DAYS * _DAY:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # gone meanwhile (another obsc pruned it), or not ours to remove
        folder.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        os.utime(stamp, (now, now))
    except OSError:
        pass
    return removed


def get_record(namespace: str, key: str) -> object | None:
    """The value recorded under `key` in `namespace`, or None when there is no usable one."""
    try:
        return read_record(namespace, key)
    except BadRecord:
        return None


def put_record(namespace: str, key: str, value: object) -> None:
    """Record `value` (plain JSON data) under `key`, replacing any record there; best effort."""
    record = {"format": FORMAT, "key": key, "value": value}
    try:
        raw = orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS)
        write_atomic(record_path(namespace, key), raw)
    except (OSError, TypeError):  # TypeError: a lone surrogate a YAML escape can spell
        return
    prune(namespace)
