"""`obsc init`: a new config repository validates and renders at once; its CI is valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, ObscRunner, tree_bytes
from tests.realtools import Tool

#: Where the scaffolded workflow installs obsc from in these tests (never fetched here).
SOURCE = "git+https://git.example.com/platform/obsc@v0.1.0"


def _assert_valid_workflow(workflow: Path, schema: str = "vendor.github-workflows") -> None:
    """Check a workflow (or action) file against the GitHub schema check-jsonschema ships."""
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def new_repo(
    tmp_path: Path, obsc: ObscRunner, real_tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))
    root = tmp_path / "shop-observability"
    result = obsc("init", root, "--obsc-from", SOURCE)
    assert result.code == 0, result.err
    assert "next: obsc render" in result.out
    return root


def test_scaffold_validates_and_renders(obsc: ObscRunner, new_repo: Path) -> None:
    validate = obsc("--repo", new_repo, "validate")
    assert validate.code == 0, validate.err
    assert "policies: 10 rules in 10 files passed" in validate.err
    assert obsc("--repo", new_repo, "render").code == 0
    rendered = tree_bytes(new_repo / "rendered")
    assert "prod/alerts/rules/example-api.rules.yaml" in rendered
    assert "dev/grafana/dashboards/obsc.services/flask.json" in rendered  # example-api's
    assert "dev/grafana/dashboards/platform/slo-overview.json" in rendered
    assert obsc("--repo", new_repo, "render", "--check").code == 0


def test_scaffold_ships_the_default_policy_pack_and_current_schema(new_repo: Path) -> None:
    shipped = {p.name: p.read_bytes() for p in (ROOT / "compiler/policies/default").glob("*.cue")}
    assert {p.name: p.read_bytes() for p in (new_repo / "policies").glob("*.cue")} == shipped
    assert (new_repo / "schemas/obsc.schema.json").read_bytes() == (
        ROOT / "schemas/obsc.schema.json"
    ).read_bytes()
    first = (new_repo / "specs/services/example-api.yaml").read_text().splitlines()[0]
    target = (new_repo / "specs/services" / first.split("=", 1)[1]).resolve()
    assert target == (new_repo / "schemas/obsc.schema.json").resolve()


def test_workflow_is_a_valid_github_workflow(new_repo: Path) -> None:
    workflow = new_repo / ".github/workflows/obsc.yml"
    _assert_valid_workflow(workflow)
    steps = YAML(typ="safe").load(workflow.read_text())["jobs"]["obsc"]["steps"]
    commands = " ".join(str(step.get("run", "")) for step in steps)
    for command in ("obsc validate", "obsc render --check", "obsc diff --against"):
        assert command in commands
    assert "obsc report --against" in commands and "report --out obsc-report/base.html" in commands
    assert 'pip install "${OBSC_SOURCE}"' in commands
    env = YAML(typ="safe").load(workflow.read_text())["env"]
    assert env["OBSC_SOURCE"] == f"obsc @ {SOURCE}"


def test_this_repositorys_action_is_a_valid_composite_action() -> None:
    action = ROOT / "action.yml"
    _assert_valid_workflow(action, "vendor.github-actions")
    runs = YAML(typ="safe").load(action.read_text())["runs"]
    assert runs["using"] == "composite"
    commands = " ".join(str(step.get("run", "")) for step in runs["steps"])
    for command in ("obsc validate", "obsc render --check", "obsc diff --against"):
        assert command in commands


def test_this_repositorys_own_workflow_runs_the_readme_test_command() -> None:
    workflow = ROOT / ".github/workflows/ci.yml"
    _assert_valid_workflow(workflow)
    assert "./scripts/test.sh" in workflow.read_text()
    assert "./scripts/test.sh" in (ROOT / "README.md").read_text()


def test_pre_commit_hooks_run_validate_and_check(new_repo: Path) -> None:
    config = YAML(typ="safe").load((new_repo / ".pre-commit-config.yaml").read_text())
    entries = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    assert entries == ["obsc validate", "obsc render --check"]


def test_init_never_overwrites(obsc: ObscRunner, new_repo: Path) -> None:
    before = tree_bytes(new_repo)
    again = obsc("init", new_repo, "--obsc-from", SOURCE)
    assert again.code == 2
    assert "already has" in again.err
    assert tree_bytes(new_repo) == before
