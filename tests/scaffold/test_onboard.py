"""`obsc init --from-compose` / `--from-k8s` on real projects of the detection corpus.

Each project is copied as it is; the specs obsc writes must validate (policies included),
render, and the compose overlay must merge with the project's own file under compose's own
`docker compose config`. Re-running keeps what a person edited.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.compose.tools import compose
from tests.conftest import FIXTURES, ObscRunner
from tests.realtools import Tool

CORPUS = FIXTURES / "detect_corpus"
SOURCE = ("--obsc-from", "git+https://git.example.com/platform/obsc@v0.1.0")
OTEL = "OTEL_EXPORTER_OTLP_ENDPOINT"

# Compose projects of several frameworks whose own file compose accepts without a .env.
PROJECTS = {
    "flask-ctfd": "docker-compose.yml",
    "django-bakerydemo": "docker-compose.yml",
    "spring-petclinic": "docker-compose.yml",
    "laravel-bookstack": "docker-compose.yml",
    "rails-rubygems-org": "docker-compose.yml",
    "express-boilerplate": "docker-compose.yml",
    "aspnet-eshoponweb": "docker-compose.yml",
    "deploy-voting-app": "docker-compose.yml",
    "deploy-petclinic-microservices": "docker-compose.yml",
}


def _load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


@pytest.fixture
def with_cue(real_tool: Tool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))


def _copy(tmp_path: Path, app: str) -> Path:
    root = tmp_path / app
    shutil.copytree(CORPUS / app, root)
    return root


def _init(obsc: ObscRunner, root: Path, *args: str | Path) -> dict[str, Any]:
    result = obsc("--output", "json", "init", root, *SOURCE, *args)
    assert result.code == 0, result.err
    outcome: dict[str, Any] = json.loads(result.out)
    return outcome


def _config(project_file: Path, home: Path, *overlays: Path) -> dict[str, Any]:
    files = [project_file.name, *(os.path.relpath(o, project_file.parent) for o in overlays)]
    args = ["--profile", "*", *(arg for name in files for arg in ("-f", name))]
    done = compose(project_file.parent, *args, "config", "--format", "json", home=home)
    assert done.returncode == 0, done.stderr
    merged: dict[str, Any] = json.loads(done.stdout)
    return merged


@pytest.mark.slow
@pytest.mark.parametrize("app", sorted(PROJECTS))
def test_specs_from_a_compose_project_validate_render_and_merge(
    obsc: ObscRunner, tmp_path: Path, app: str, with_cue: None
) -> None:
    root = _copy(tmp_path, app)
    user_file = root / PROJECTS[app]
    _init(obsc, root, "--from-compose", user_file)
    validate = obsc("--repo", root, "validate")
    assert validate.code == 0, validate.err
    assert obsc("--repo", root, "render").code == 0
    assert _load(root / "specs/project.yaml")["spec"]["compose"] == {"file": PROJECTS[app]}

    user = _config(user_file, tmp_path / "home")
    specs = {p.stem: _load(p) for p in (root / "specs/services").glob("*.yaml")}
    assert sorted(specs) == sorted(user["services"])
    overlay = root / "rendered/dev/compose/obs-stack.yml"
    merged = _config(user_file, tmp_path / "home", overlay)
    snapshots = {p.stem: _load(p)["spec"] for p in (root / "snapshots").glob("*.yaml")}
    for name, spec in specs.items():
        assert spec["metadata"]["tier"] == 2
        assert spec["spec"]["framework"] == snapshots[name]["framework"]
        assert OTEL in merged["services"][name]["environment"]
        infrastructure = name + "-exporter" in merged["services"]
        slos = [slo["sli"]["kind"] for slo in spec["spec"].get("slos", [])]
        if infrastructure:
            assert slos == []
        elif "port" in spec["spec"]:
            assert "availability" in slos
    # the user's own services are all still there, unchanged but for obsc's additions
    assert set(user["services"]) <= set(merged["services"])


def test_infrastructure_gets_its_exporter_and_no_slos(obsc: ObscRunner, tmp_path: Path) -> None:
    root = _copy(tmp_path, "flask-ctfd")
    outcome = _init(obsc, root, "--from-compose", root / "docker-compose.yml")
    ctfd = _load(root / "specs/services/ctfd.yaml")
    assert ctfd["spec"] == {
        "framework": "flask",
        "port": 8000,
        "slos": [
            {
                "name": "availability",
                "objective": 99.5,
                "window": "30d",
                "sli": {"kind": "availability"},
            },
            {
                "name": "latency",
                "objective": 99.5,
                "window": "30d",
                "sli": {"kind": "latency", "threshold": "500ms"},
            },
        ],
    }
    db = _load(root / "specs/services/db.yaml")
    assert db["spec"] == {"framework": "mysql", "port": 3306}
    assert (
        "infrastructure: scraped through mysqld_exporter, no SLOs"
        in (outcome["notes"]["specs/services/db.yaml"])
    )
    assert outcome["statuses"]["snapshots/db.yaml"] == "created"
    assert not (root / "specs/services/example-api.yaml").exists()


def test_team_comes_from_a_label_then_the_project_name_else_a_reported_placeholder(
    obsc: ObscRunner, tmp_path: Path
) -> None:
    root = _copy(tmp_path, "flask-ctfd")
    user_file = root / "docker-compose.yml"
    _init(obsc, root, "--from-compose", user_file)
    validate = obsc("--repo", root, "validate", "--no-policies")
    assert validate.code == 0
    assert (
        "specs/services/ctfd.yaml:9:9: warning[OBSC331]: services.ctfd.metadata.team: "
        "service 'ctfd' has no team yet"
    ) in validate.err
    assert obsc("--repo", root, "validate", "--no-policies", "--strict").code == 2

    other = _copy(tmp_path / "named", "flask-ctfd")
    data = _load(other / "docker-compose.yml")
    data["name"] = "CTF Platform"
    data["services"]["ctfd"]["labels"] = {"team": "Scoreboard"}
    (other / "docker-compose.yml").write_text(json.dumps(data))
    _init(obsc, other, "--from-compose", other / "docker-compose.yml")
    assert _load(other / "specs/services/ctfd.yaml")["metadata"]["team"] == "scoreboard"
    assert _load(other / "specs/services/db.yaml")["metadata"]["team"] == "ctf-platform"
    assert _load(other / "specs/project.yaml")["metadata"]["name"] == "ctf-platform"
    strict = obsc("--repo", other, "validate", "--no-policies", "--strict")
    assert strict.code == 0, strict.err


def test_rerunning_keeps_specs_edited_by_hand(obsc: ObscRunner, tmp_path: Path) -> None:
    root = _copy(tmp_path, "flask-ctfd")
    user_file = root / "docker-compose.yml"
    _init(obsc, root, "--from-compose", user_file)
    edited = root / "specs/services/ctfd.yaml"
    edited.write_text(edited.read_text().replace("team-to-be-named", "ctf"))
    mine = edited.read_bytes()
    workflow = root / ".github/workflows/obsc.yml"
    workflow.write_text(workflow.read_text() + "# ours\n")
    untouched = (root / "specs/services/db.yaml").read_bytes()

    again = _init(obsc, root, "--from-compose", user_file)
    statuses = again["statuses"]
    assert statuses["specs/services/ctfd.yaml"] == "kept"
    assert statuses["specs/services/db.yaml"] == "unchanged"
    assert statuses[".github/workflows/obsc.yml"] == "kept"
    assert statuses["specs/project.yaml"] == "unchanged"
    assert edited.read_bytes() == mine
    assert workflow.read_text().endswith("# ours\n")
    assert (root / "specs/services/db.yaml").read_bytes() == untouched

    # what detection sees changes: the edited spec stays as its owner left it
    data = _load(user_file)
    data["services"]["ctfd"]["ports"] = ["9000:9000"]
    user_file.write_text(json.dumps(data))
    third = _init(obsc, root, "--from-compose", user_file)["statuses"]
    assert third["specs/services/ctfd.yaml"] == "kept"
    assert edited.read_bytes() == mine


def test_a_changed_detection_updates_an_unedited_spec(obsc: ObscRunner, tmp_path: Path) -> None:
    root = _copy(tmp_path, "flask-ctfd")
    user_file = root / "docker-compose.yml"
    _init(obsc, root, "--from-compose", user_file)
    data = _load(user_file)
    data["services"]["ctfd"]["ports"] = ["9000:9000"]
    user_file.write_text(json.dumps(data))
    statuses = _init(obsc, root, "--from-compose", user_file)["statuses"]
    assert statuses["specs/services/ctfd.yaml"] == "updated"
    assert _load(root / "specs/services/ctfd.yaml")["spec"]["port"] == 9000


def test_compose_file_outside_the_repository_is_refused(obsc: ObscRunner, tmp_path: Path) -> None:
    outside = _copy(tmp_path, "flask-ctfd") / "docker-compose.yml"
    result = obsc("init", tmp_path / "config", *SOURCE, "--from-compose", outside)
    assert result.code == 2
    assert "the compose file must be inside" in result.err
    assert not (tmp_path / "config").exists()


@pytest.mark.slow
def test_specs_from_kubernetes_manifests(obsc: ObscRunner, tmp_path: Path, with_cue: None) -> None:
    root = _copy(tmp_path, "deploy-online-boutique")
    _init(obsc, root, "--from-k8s", root / "kubernetes-manifests")
    project = _load(root / "specs/project.yaml")["spec"]
    assert "compose" not in project
    assert "helm" in project["environments"][1]["targets"]
    specs = {p.stem for p in (root / "specs/services").glob("*.yaml")}
    assert {"frontend", "cartservice", "redis-cart"} <= specs
    assert _load(root / "specs/services/redis-cart.yaml")["spec"]["framework"] == "redis"
    validate = obsc("--repo", root, "validate")
    assert validate.code == 0, validate.err
    render = obsc("--repo", root, "render")
    assert render.code == 0, render.err
    assert (root / "rendered/prod/helm/obs-stack/Chart.yaml").is_file()


def test_onboarding_an_existing_repository_keeps_its_project(
    obsc: ObscRunner, tmp_path: Path
) -> None:
    """A Project written by plain `obsc init` is kept; the output says what to add to it."""
    root = _copy(tmp_path, "flask-ctfd")
    assert obsc("init", root, *SOURCE).code == 0
    project = (root / "specs/project.yaml").read_bytes()
    outcome = _init(obsc, root, "--from-compose", root / "docker-compose.yml")
    assert outcome["statuses"]["specs/project.yaml"] == "kept"
    assert (root / "specs/project.yaml").read_bytes() == project
    (note,) = outcome["notes"]["specs/project.yaml"]
    assert "set spec.compose.file to 'docker-compose.yml'" in note
    assert outcome["statuses"]["specs/services/ctfd.yaml"] == "created"
