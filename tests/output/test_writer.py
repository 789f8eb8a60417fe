"""The atomic writer: exact trees, removals, unchanged files linked, recovery after interruption."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.errors import RenderError
from compiler.output.sink import Keep, TreeSink
from compiler.output.writer import (
    check_relative_path,
    recover,
    render_lock,
    staged_tree,
    swap_in,
)
from tests.conftest import tree_bytes


def _write(target: Path, files: dict[str, bytes]) -> None:
    """What a render does with its files: stage them beside `target`, then swap them in."""
    for rel in files:
        check_relative_path(rel)
    with render_lock(target), staged_tree(target) as staging:
        sink = TreeSink(target, staging, Keep.NONE)
        for rel, content in sorted(files.items()):
            sink.put(rel, content)
        swap_in(staging, target)


def test_writes_exact_tree_and_removes_stale_files(tmp_path: Path) -> None:
    target = tmp_path / "rendered"
    _write(target, {"a/x.txt": b"1", "b.txt": b"2"})
    assert tree_bytes(target) == {"a/x.txt": b"1", "b.txt": b"2"}
    _write(target, {"a/y.txt": b"3", "b.txt": b"2"})
    assert tree_bytes(target) == {"a/y.txt": b"3", "b.txt": b"2"}
    assert [p.name for p in tmp_path.iterdir()] == ["rendered"]


def test_an_unchanged_file_is_linked_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "rendered"
    _write(target, {"a.txt": b"1"})
    inode = (target / "a.txt").stat().st_ino
    _write(target, {"a.txt": b"1"})
    assert (target / "a.txt").stat().st_ino == inode


@pytest.mark.parametrize("bad", ["../escape", "/abs", "a/../../b", "a//b", ""])
def test_unsafe_paths_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(RenderError):
        _write(tmp_path / "rendered", {bad: b"x"})
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
    _write(target, {"a.txt": b"1"})
    leftover = tmp_path / ".rendered.staging-9-dead"
    leftover.mkdir()
    _write(target, {"a.txt": b"2"})
    assert tree_bytes(target) == {"a.txt": b"2"}
    assert not leftover.exists()
