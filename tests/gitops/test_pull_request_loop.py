"""The whole loop in a real repository: init, render commits, semantic diff, rollback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import ObscRunner, tree_bytes
from tests.realtools import Tool


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_init_commit_diff_rollback(
    obsc: ObscRunner, tmp_path: Path, real_tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))
    repo = tmp_path / "config"
    assert obsc("init", repo, "--obsc-from", "git+https://git.example.com/obsc@v0.1.0").code == 0
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "SRE")
    _git(repo, "config", "user.email", "sre@example.com")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "scaffold")

    first = obsc("--repo", repo, "render", "--commit")
    assert first.code == 0, first.err
    v1 = tree_bytes(repo / "rendered")
    assert "Obsc-Render-Version: 1" in _git(repo, "log", "-1", "--format=%B")

    service = repo / "specs" / "services" / "example-api.yaml"
    service.write_text(service.read_text().replace("objective: 99.9\n", "objective: 99.95\n"))
    _git(repo, "commit", "-qam", "tighten the availability SLO")
    second = obsc("--repo", repo, "render", "--commit")
    assert second.code == 0, second.err
    assert "Obsc-Render-Version: 2" in _git(repo, "log", "-1", "--format=%B")

    # the diff between v1 and v2 is exactly the objective change, seen semantically
    diff = obsc("--repo", repo, "diff", "--against", "HEAD~2", "--env", "prod", "--target", "model")
    assert diff.code == 1, diff.err
    changed = [line.strip() for line in diff.out.splitlines() if "→" in line]
    assert changed == ["service example-api: slo availability: objective: 99.9 → 99.95"]
    assert obsc("--repo", repo, "diff").code == 0  # rendered/ is current

    back = obsc("--repo", repo, "rollback")
    assert back.code == 0, back.err
    assert tree_bytes(repo / "rendered") == v1
    subjects = _git(repo, "log", "--format=%s").splitlines()
    assert subjects[0].startswith("rollback to render v1")
    assert subjects[1].startswith("render v2") and subjects[3].startswith("render v1")
    assert "specs still ask for the newer output" in back.out + back.err
