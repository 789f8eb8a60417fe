"""Repositories for the report's tests: the example estate with its policies, under git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed identity; its output."""
    identity = ["-c", "user.name=obsc test", "-c", "user.email=test@example.com"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture
def estate_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example estate (specs and policies) rendered into its own rendered/, committed."""
    from compiler.cli.main import main

    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    repo = tmp_path / "estate"
    shutil.copytree(ROOT / "specs", repo / "specs")
    shutil.copytree(ROOT / "policies", repo / "policies")
    try:
        main(["--repo", str(repo), "-q", "render", "--no-policies"])
    except SystemExit as exc:
        assert exc.code == 0, f"render of the example estate failed: {exc.code}"
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def set_value(path: Path, old: str, new: str) -> None:
    """Replace one line's text in a spec (the test's edit of a pull request)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
