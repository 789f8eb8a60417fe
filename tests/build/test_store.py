"""The record store: what is put is got back; anything else in the cache is not used."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from compiler.build import store


def test_a_record_round_trips_by_namespace_and_key() -> None:
    key = store.content_key("policy", b"bytes of a file")
    assert store.get_record("policies", key) is None
    store.put_record("policies", key, {"ok": True, "rules": ["a", "b"]})
    assert store.get_record("policies", key) == {"ok": True, "rules": ["a", "b"]}
    assert store.get_record("other", key) is None
    store.put_record("policies", key, [1, 2])
    assert store.get_record("policies", key) == [1, 2]


def test_content_keys_do_not_collide_across_splits() -> None:
    assert store.content_key("ab", "c") != store.content_key("a", "bc")
    assert store.content_key("a") == store.content_key(b"a")


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1]", b'{"format": 3, "key": "other", "value": 1}', b"\xff"],
)
def test_a_record_that_is_not_ours_is_not_used(raw: bytes) -> None:
    key = store.content_key("x")
    path = store.record_path("ns", key)
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    assert store.get_record("ns", key) is None
    with pytest.raises(store.BadRecord):
        store.read_record("ns", key)


def test_a_record_of_another_format_is_simply_absent() -> None:
    key = store.content_key("x")
    store.put_record("ns", key, 1)
    path = store.record_path("ns", key)
    path.write_text(json.dumps({"format": store.FORMAT - 1, "key": key, "value": 2}))
    assert store.read_record("ns", key) is None


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden"])
def test_names_cannot_leave_the_cache_directory(name: str) -> None:
    with pytest.raises(ValueError, match="not a record name"):
        store.record_path(name, "abc")
    with pytest.raises(ValueError, match="not a record name"):
        store.record_path("ns", name)


def test_an_unwritable_cache_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("OBSC_CACHE_DIR", str(blocked))
    store.put_record("ns", "abc", 1)
    assert store.get_record("ns", "abc") is None


def test_the_cache_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OBSC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/x")
    assert store.cache_dir() == Path("/x/obsc")
    monkeypatch.setenv("OBSC_CACHE_DIR", "/y")
    assert store.cache_dir() == Path("/y")


DAY = 24 * 3600


def _aged(namespace: str, name: str, days: float) -> Path:
    """A record last used `days` ago."""
    key = store.content_key(name)
    store.put_record(namespace, key, name)
    path = store.record_path(namespace, key)
    then = path.stat().st_mtime - days * DAY
    os.utime(path, (then, then))
    return path


def _never_pruned(namespace: str) -> None:
    (store.cache_dir() / namespace / ".pruned").unlink()


def test_a_record_read_is_marked_used() -> None:
    path = _aged("ns", "old", 40)
    before = path.stat().st_mtime
    assert store.get_record("ns", store.content_key("old")) == "old"
    assert path.stat().st_mtime > before + 39 * DAY


def test_records_unused_for_the_age_limit_are_pruned_once_a_day() -> None:
    stale = _aged("ns", "stale", store.MAX_AGE_DAYS + 1)
    fresh = _aged("ns", "fresh", store.MAX_AGE_DAYS - 2)
    other = _aged("other", "stale elsewhere", store.MAX_AGE_DAYS + 1)
    _never_pruned("ns")  # the writes above pruned (nothing yet) today
    now = time.time()
    assert store.prune("ns", now) == 1
    assert not stale.exists() and fresh.exists() and other.exists()
    again = _aged("ns", "stale again", store.MAX_AGE_DAYS + 1)
    assert store.prune("ns", now + DAY / 2) == 0  # pruned less than a day ago
    assert again.exists()
    assert store.prune("ns", now + DAY + 1) == 1
    assert not again.exists() and fresh.exists()


def test_writing_a_record_prunes_its_namespace() -> None:
    stale = _aged("ns", "stale", store.MAX_AGE_DAYS + 1)
    _never_pruned("ns")
    store.put_record("ns", store.content_key("new"), "new")
    assert not stale.exists()
    assert store.get_record("ns", store.content_key("new")) == "new"
