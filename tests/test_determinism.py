"""Byte-identical output: any hash seed, any directory, and the committed golden tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, ObscRunner, tree_bytes


def _render_in_subprocess(repo: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "compiler.cli", "--repo", str(repo), "--quiet", "render"],
        check=True,
        env=env,
        cwd=repo.parent,
    )


@pytest.mark.slow
def test_same_specs_render_identically_under_any_hash_seed_and_directory(tmp_path: Path) -> None:
    trees = []
    for index, seed in enumerate(("0", "1", "4242", "random")):
        repo = tmp_path / f"place-{index}" / ("nested/" * index) / "repo"
        shutil.copytree(ROOT / "specs", repo / "specs")
        _render_in_subprocess(repo, seed)
        trees.append(tree_bytes(repo / "rendered"))
    assert trees[0], "nothing rendered"
    assert all(tree == trees[0] for tree in trees[1:])
    for content in trees[0].values():
        text = content.decode("utf-8")
        assert "\r" not in text and text.endswith("\n")
        assert str(tmp_path) not in text


def test_committed_rendered_tree_is_current(obsc: ObscRunner) -> None:
    # Whether rendered/ is current, not whether the specs pass policies/ (tests/policies
    # checks those with the real cue): without cue installed this must still answer.
    result = obsc("--repo", ROOT, "render", "--check", "--no-policies")
    assert result.code == 0, (
        "rendered/ is stale: run `obsc render` and commit the result\n" + result.err
    )


def test_check_reports_stale_files_without_writing(obsc: ObscRunner, example_repo: Path) -> None:
    victim = example_repo / "rendered" / "prod" / "model" / "model.json"
    victim.write_text("{}\n")
    extra = example_repo / "rendered" / "dev" / "model" / "hand-made.json"
    extra.write_text("{}\n")
    before = tree_bytes(example_repo / "rendered")
    result = obsc("--repo", example_repo, "render", "--check")
    assert result.code == 1
    assert "changed: rendered/prod/model/model.json" in result.err
    assert "not produced: rendered/dev/model/hand-made.json" in result.err
    assert tree_bytes(example_repo / "rendered") == before
    assert obsc("--repo", example_repo, "render").code == 0
    assert obsc("--repo", example_repo, "render", "--check").code == 0
    assert not extra.exists()


def test_render_version_grows_only_when_output_changes(
    obsc: ObscRunner, minimal_repo: Path
) -> None:
    import json

    def version() -> int:
        return int(
            json.loads((minimal_repo / "rendered" / "manifest.json").read_text())["renderVersion"]
        )

    assert obsc("--repo", minimal_repo, "render").code == 0
    assert version() == 1
    assert obsc("--repo", minimal_repo, "render").code == 0
    assert version() == 1
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text().replace("sampling: 0.5", "sampling: 0.25"))
    assert obsc("--repo", minimal_repo, "render").code == 0
    assert version() == 2
    # a comment changes the inputs but not the output: the render version stays
    service.write_text("# a comment\n" + service.read_text())
    assert obsc("--repo", minimal_repo, "render").code == 0
    assert version() == 2
