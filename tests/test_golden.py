"""Every rendered fixture estate renders to its committed golden tree, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import tree_bytes
from tests.golden import PAIRS, Pair, explain, render


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.name)
def test_estate_renders_to_its_golden_tree(pair: Pair, tmp_path: Path) -> None:
    expected = tree_bytes(pair.expected)
    assert expected, f"no golden tree at {pair.expected}: run python -m tests.golden --refresh"
    actual = render(pair, tmp_path)
    if actual != expected:
        pytest.fail(explain(pair, expected, actual, tmp_path), pytrace=False)
