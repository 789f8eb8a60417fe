"""The CI of a config repository, run as a runner runs it, with obsc from a built wheel.

A fresh repository from `obsc init --obsc-from WHEEL`, pushed to an origin with a pull
request branch; then the steps of the workflow it wrote (and of this repository's
composite action) run in a clean clone with a clean HOME and a PATH without obsc or cue,
so obsc comes only from what the install step installs into a fresh Python.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT, ObscRunner
from tests.realtools import PINS, Tool
from tests.scaffold.runner import Job, Runner, run_steps, start_job

pytestmark = pytest.mark.slow

PYTHON = Path.home() / ".pyenv/versions/3.12.1/bin/python3.12"
SOURCES = ("pyproject.toml", "README.md", "compiler", "targets")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def _copy_sources(destination: Path) -> Path:
    """obsc's packaged sources, without caches or the developer's egg-info."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    destination.mkdir(parents=True)
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="module")
def obsc_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout by pip, the way a release would be."""
    work = tmp_path_factory.mktemp("wheel")
    sources = _copy_sources(work / "src")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(work / "dist"),
            str(sources),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("obsc-*.whl")
    return wheel


@pytest.fixture
def python312() -> Path:
    if not PYTHON.is_file():
        pytest.skip(f"{PYTHON} (the Python the workflow asks setup-python for) is not here")
    return PYTHON


def _pull_request(obsc: ObscRunner, tmp_path: Path, init_args: list[str]) -> Path:
    """origin.git with `main` (scaffold + render) and `tighten` (an SLO change + render)."""
    repo = tmp_path / "config"
    result = obsc("init", repo, *init_args)
    assert result.code == 0, result.err
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.name", "SRE")
    _git(repo, "config", "user.email", "sre@example.com")
    assert obsc("--repo", repo, "render").code == 0
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "scaffold")
    _git(repo, "checkout", "-q", "-b", "tighten")
    service = repo / "specs/services/example-api.yaml"
    service.write_text(service.read_text().replace("objective: 99.9\n", "objective: 99.95\n"))
    assert obsc("--repo", repo, "render").code == 0
    _git(repo, "commit", "-qam", "tighten the availability SLO")
    origin = tmp_path / "origin.git"
    _git(tmp_path, "clone", "-q", "--bare", str(repo), str(origin))
    return origin


@pytest.fixture
def runner_for(
    tmp_path: Path, python312: Path, real_tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Path, list[dict[str, Any]]], Runner]]:
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))

    def make(origin: Path, comments: list[dict[str, Any]]) -> Runner:
        home = tmp_path / f"runner-{len(list(tmp_path.glob('runner-*')))}"
        home.mkdir()
        return Runner(
            home, origin, "tighten", "main", python312, real_tool("cue"), PINS["cue"], comments
        )

    yield make


def _assert_pull_request_checked(job: Job) -> None:
    failed = [r for r in job.results if r.code != 0]
    assert not failed, f"{failed[0].name} failed:\n{failed[0].output}"
    diff = (job.workspace / "obsc-diff.md").read_text()
    assert "objective: 99.9 → 99.95" in diff, diff
    installed = next(r for r in job.results if r.name.startswith("Install obsc"))
    assert "obsc, version 0.1.0" in installed.output


def _load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(path.read_text())
    return loaded


def test_scaffolded_workflow_runs_with_obsc_from_the_committed_wheel(
    obsc: ObscRunner,
    tmp_path: Path,
    obsc_wheel: Path,
    runner_for: Callable[[Path, list[dict[str, Any]]], Runner],
) -> None:
    origin = _pull_request(obsc, tmp_path, ["--obsc-from", str(obsc_wheel)])
    workflow = _load(tmp_path / "config/.github/workflows/obsc.yml")
    assert workflow["env"]["OBSC_SOURCE"] == f"./.github/obsc/{obsc_wheel.name}"
    steps = workflow["jobs"]["obsc"]["steps"]

    first = start_job(runner_for(origin, []), workflow["env"], {})
    run_steps(first, steps)
    _assert_pull_request_checked(first)
    ((kind, args),) = [c for c in first.results[-1].calls if c[0] != "list"]
    assert kind == "create" and args["issue_number"] == 7
    assert args["body"].startswith("<!-- obsc-diff -->\n")
    assert (
        "[The report of this change](https://github.com/acme/config/actions/runs/1/"
        in (args["body"])
    )
    reports = first.runner.home / "artifacts" / "obsc-report"
    change = (reports / "change.html").read_text()
    assert "Changes against origin/main" in change and "example-api/availability" in change
    assert "<!DOCTYPE html>" in (reports / "base.html").read_text()

    # the next push updates that comment instead of adding another
    again = start_job(runner_for(origin, [{"id": 41, "body": args["body"]}]), workflow["env"], {})
    run_steps(again, steps)
    _assert_pull_request_checked(again)
    ((kind, args),) = [c for c in again.results[-1].calls if c[0] != "list"]
    assert (kind, args["comment_id"]) == ("update", 41)


def test_action_installs_obsc_from_its_own_checkout(
    obsc: ObscRunner,
    tmp_path: Path,
    runner_for: Callable[[Path, list[dict[str, Any]]], Runner],
) -> None:
    """`uses: ORG/obsc@REF` with no inputs: pip builds and installs the action's checkout."""
    origin = _pull_request(
        obsc, tmp_path, ["--obsc-from", "git+https://git.example.com/obsc@v0.1.0"]
    )
    action = _load(ROOT / "action.yml")
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    checkout = [{"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}]
    job = start_job(runner_for(origin, []), {}, inputs)
    action_path = _copy_sources(tmp_path / "action")
    run_steps(job, checkout + action["runs"]["steps"], action_path=action_path)
    _assert_pull_request_checked(job)
    assert (job.runner.home / "github_output").read_text() == "status=1\n"
    assert [c[0] for c in job.results[-1].calls] == ["list", "create"]
