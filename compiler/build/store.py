"""The cache directory and the records kept in it: versioned JSON, written atomically.

Everything obsc remembers between runs lives here, under `$OBSC_CACHE_DIR` (else
`$XDG_CACHE_HOME/obsc`, else `~/.cache/obsc`), one JSON file per record, in a folder per
namespace. A record is `{"format": FORMAT, "key": key, "value": ...}`: a record of another
format or key (an older obsc, a file renamed by hand) is not used. Records are plain JSON
decoded into checked shapes by their owners, never pickle: the cache directory may be shared
between CI jobs or even come from a pull request (`OBSC_CACHE_DIR=.obsc-cache`), and reading
it must not be able to run code. Every record is safe to delete.

    get_record(namespace, key)         -> the value, or None when there is no usable record
    put_record(namespace, key, value)  -> None (best effort: an unwritable cache is not used)
    content_key(*parts)                -> a key naming content (sha256 of the parts)
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import orjson

from compiler.build.files import write_atomic

FORMAT = 3  # of every record; bump when any record's shape changes
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
    return value


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
        pass
