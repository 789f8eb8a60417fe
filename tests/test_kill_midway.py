"""A render killed at any moment leaves rendered/ as the old tree or the new one, never a mix."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate
from tests.conftest import tree_bytes


def _start_render(repo: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "compiler.cli", "--repo", str(repo), "--quiet", "render"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )


def _render(repo: Path) -> float:
    started = time.monotonic()
    process = _start_render(repo)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    return time.monotonic() - started


@pytest.mark.slow
def test_kill_at_any_point_leaves_old_or_new_tree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate(repo, services=600, seed=1)
    _render(repo)
    old = tree_bytes(repo / "rendered")

    saved_old = tmp_path / "saved-old"
    shutil.copytree(repo / "rendered", saved_old)

    # The new estate changes every service, so every service's rendered values differ.
    for spec in (repo / "specs" / "services").rglob("*.yaml"):
        spec.write_text(spec.read_text().replace("objective: 99\n", "objective: 98.5\n"))
    probe = tmp_path / "probe"
    shutil.copytree(repo, probe)
    duration = _render(probe)
    new = tree_bytes(probe / "rendered")
    assert new != old

    outcomes = set()
    points = 14
    for step in range(points):
        delay = duration * (0.2 + 1.0 * step / points)
        process = _start_render(repo)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = tree_bytes(repo / "rendered")
        assert current in (old, new), f"mixed tree after kill at {delay:.2f}s"
        outcomes.add("new" if current == new else "old")
        if current == new:  # back to the old tree so the next kill interrupts a real change
            shutil.rmtree(repo / "rendered")
            shutil.copytree(saved_old, repo / "rendered")
    assert "old" in outcomes  # some kills did land before the swap
    # leftovers of killed renders are cleaned up by the next one
    _render(repo)
    assert tree_bytes(repo / "rendered") == new
    assert sorted(p.name for p in repo.iterdir()) == ["rendered", "specs"]
