"""The atomic writer: exact trees, removals, no-op writes, recovery after interruption."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.errors import RenderError
from compiler.output.writer import read_tree, recover, write_tree
from tests.conftest import tree_bytes


def test_writes_exact_tree_and_removes_stale_files(tmp_path: Path) -> None:
    target = tmp_path / "rendered"
    assert write_tree(target, {"a/x.txt": b"1", "b.txt": b"2"}, {})
    assert tree_bytes(target) == {"a/x.txt": b"1", "b.txt": b"2"}
    assert write_tree(target, {"a/y.txt": b"3", "b.txt": b"2"}, read_tree(target))
    assert tree_bytes(target) == {"a/y.txt": b"3", "b.txt": b"2"}
    assert [p.name for p in tmp_path.iterdir()] == ["rendered"]


def test_unchanged_tree_is_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "rendered"
    write_tree(target, {"a.txt": b"1"}, {})
    inode = (target / "a.txt").stat().st_ino
    assert not write_tree(target, {"a.txt": b"1"}, read_tree(target))
    assert (target / "a.txt").stat().st_ino == inode


@pytest.mark.parametrize("bad", ["../escape", "/abs", "a/../../b", "a//b", ""])
def test_unsafe_paths_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(RenderError):
        write_tree(tmp_path / "rendered", {bad: b"x"}, {})
    assert not (tmp_path / "rendered").exists()


def test_recover_restores_tree_retired_by_an_interrupted_swap(tmp_path: Path) -> None:
    # The fallback swap renames rendered -> .rendered.old-* before moving the new tree in;
    # a kill between the two renames must not lose the old tree.
    retired = tmp_path / ".rendered.old-123-abc"
    retired.mkdir()
    (retired / "keep.txt").write_bytes(b"old")
    staging = tmp_path / ".rendered.staging-123-abc"
    staging.mkdir()
    (staging / "half.txt").write_bytes(b"new")
    recover(tmp_path / "rendered")
    assert tree_bytes(tmp_path / "rendered") == {"keep.txt": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rendered"]


def test_leftover_staging_is_removed_and_tree_kept(tmp_path: Path) -> None:
    target = tmp_path / "rendered"
    write_tree(target, {"a.txt": b"1"}, {})
    leftover = tmp_path / ".rendered.staging-9-dead"
    leftover.mkdir()
    write_tree(target, {"a.txt": b"2"}, read_tree(target))
    assert tree_bytes(target) == {"a.txt": b"2"}
    assert not leftover.exists()
