"""The policy-result cache reads back only records of its own shape (the cache may be shared)."""

from __future__ import annotations

import os

import pytest

from compiler.build import store
from compiler.policies import cache

GOOD = {"d" * 64: [[["services", '"a"', "tier"], "conflicting values", [["@s", 1, 12]]]]}


def test_a_record_reads_back_as_written() -> None:
    key = cache.key("context", "head", "tail")
    cache.store_record(key, GOOD)
    assert cache.load(key) == GOOD
    assert cache.load(cache.key("context", "head", "other tail")) == {}


@pytest.mark.parametrize(
    "value",
    [
        [],
        {"x": "not a list"},
        {"x": [["services", "message", []]]},
        {"x": [[["services"], 3, []]]},
        {"x": [[["services"], "message", [["file", "1", 2]]]]},
        {"x": [[["services"], "message", [["file", True, 2]]]]},
        {"x": [[["services"], "message"]]},
    ],
)
def test_a_record_of_another_shape_is_no_record(value: object) -> None:
    key = cache.key("context", "bad")
    store.put_record(cache.NAMESPACE, key, value)
    assert cache.load(key) == {}


def test_only_the_newest_records_are_kept() -> None:
    keys = [cache.key("context", str(n)) for n in range(cache.KEEP_RECORDS + 3)]
    for age, key in enumerate(reversed(keys[:-1])):  # keys[0] the oldest, a day apart
        store.put_record(cache.NAMESPACE, key, GOOD)
        os.utime(store.record_path(cache.NAMESPACE, key), (0, 1_000_000_000 - 86_400 * age))
    cache.store_record(keys[-1], GOOD)
    kept = [key for key in keys if store.record_path(cache.NAMESPACE, key).exists()]
    assert kept == keys[3:]
    assert cache.load(keys[-1]) == GOOD
