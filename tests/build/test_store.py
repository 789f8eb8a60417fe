"""The record store: what is put is got back; anything else in the cache is not used."""

from __future__ import annotations

import json
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
