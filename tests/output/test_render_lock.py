"""Renders of one repository run one at a time (issue 23, finding 3).

Without a lock, a full render and a partial one started together could each read the old
tree, and the later swap dropped the other's files: rendered/ was left with two files and
a manifest that agreed with them, both renders exiting 0. Two full renders could remove
each other's staging directory (exit 70).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate
from tests.conftest import tree_bytes


def _start(repo: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "--repo", str(repo), "--quiet", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )


def _finish(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()


def _agrees_with_manifest(rendered: Path) -> None:
    manifest = json.loads((rendered / "manifest.json").read_bytes())
    files = {
        p.relative_to(rendered).as_posix(): "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()
        for p in rendered.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert files == manifest["files"]


@pytest.mark.slow
def test_racing_full_and_partial_renders_end_in_a_complete_tree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo, services=60, seed=3)
    _finish(_start(repo, "render", "--no-policies"))
    specs = sorted((repo / "specs" / "services").rglob("*.yaml"))
    for round_ in range(8):
        # every round changes the specs, so both renders have something to write
        objective = "98.5" if round_ % 2 else "99"
        for path in specs:
            text = path.read_text()
            path.write_text(text.replace("objective: 99\n", f"objective: {objective}\n"))
        full = _start(repo, "render", "--no-policies")
        time.sleep(0.05 * round_)
        partial = _start(repo, "render", "--no-policies", "--env", "prod", "--target", "model")
        _finish(full)
        _finish(partial)
        _agrees_with_manifest(repo / "rendered")
    fresh = tmp_path / "fresh"
    _finish(_start(repo, "render", "--no-policies", "--out", str(fresh)))
    current = tree_bytes(repo / "rendered")
    expected = tree_bytes(fresh)
    current.pop("manifest.json")
    expected.pop("manifest.json")
    assert current == expected
    leftovers = [p.name for p in repo.iterdir() if p.name.startswith(".rendered.")]
    assert leftovers == []


@pytest.mark.slow
def test_two_full_renders_at_once_both_succeed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo, services=60, seed=4)
    for _ in range(3):
        first = _start(repo, "render", "--no-policies")
        second = _start(repo, "render", "--no-policies")
        _finish(first)
        _finish(second)
        _agrees_with_manifest(repo / "rendered")
        shutil.rmtree(repo / "rendered")
