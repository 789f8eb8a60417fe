"""Normalising two documents without their equal parts changes no diff line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.gitops.diff_describe import describe
from compiler.gitops.diff_identity import (
    is_structured,
    normalise,
    normalise_pair,
    pair_renames,
    parse,
)
from tests.conftest import ROOT
from tests.kube import render_tree


def _unpruned(path: str, old: bytes, new: bytes) -> list[object]:
    old_doc, new_doc = normalise(parse(path, old)), normalise(parse(path, new))
    return list(describe(old_doc, pair_renames(old_doc, new_doc)))


def _pruned(path: str, old: bytes, new: bytes) -> list[object]:
    old_doc, new_doc = normalise_pair(parse(path, old), parse(path, new))
    return list(describe(old_doc, pair_renames(old_doc, new_doc)))


EDITS = [
    (r"objective: 99\.9\b", "objective: 99.5"),  # thresholds, panels, overview, model
    (r"window: 30d", "window: 28d"),  # every burn factor and rule, tests, dashboards
    (r"tier: 1\b", "tier: 2"),  # knobs of alerts, policies' inputs
    (r"sampling: 0\.5", "sampling: 0.25"),  # collector pipelines regroup
]


@pytest.mark.parametrize(("pattern", "replacement"), EDITS)
def test_real_changes_read_the_same_pruned(tmp_path: Path, pattern: str, replacement: str) -> None:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    for spec in (ROOT / "specs").rglob("*.yaml"):
        target = repo / spec.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(spec.read_bytes())
    before = render_tree(repo)
    edited = 0
    for spec in (repo / "specs").rglob("*.yaml"):
        text = spec.read_text()
        changed = re.sub(pattern, replacement, text)
        if changed != text:
            spec.write_text(changed)
            edited += 1
    assert edited
    after = render_tree(repo)
    compared = 0
    for path in sorted(set(before) & set(after)):
        if before[path] != after[path] and is_structured(path):
            assert _pruned(path, before[path], after[path]) == _unpruned(
                path, before[path], after[path]
            ), path
            compared += 1
    assert compared >= 2


_scalars = st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b", "page", "ticket"]))
_items = st.fixed_dictionaries(
    {"name": st.sampled_from(["x", "y", "z", "w"])},
    optional={
        "value": _scalars,
        "id": st.integers(0, 3),
        "labels": st.dictionaries(st.sampled_from(["severity", "slo"]), _scalars, max_size=2),
    },
)
_docs = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["rules", "panels", "groups", "tests", "k", "m"]), inner, max_size=3
        ),
        st.lists(_items, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(old=_docs, new=_docs)
def test_any_pair_of_documents_reads_the_same_pruned(old: object, new: object) -> None:
    import json

    a, b = json.dumps(old).encode(), json.dumps(new).encode()
    assert _pruned("x.json", a, b) == _unpruned("x.json", a, b)
