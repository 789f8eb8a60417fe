"""Python on an Alpine-based image gets the musl build of the agent (compose and Kubernetes).

The OpenTelemetry Operator's Python image carries two builds: `/autoinstrumentation` for
glibc and `/autoinstrumentation-musl` for musl (its packages have native parts, which fail to
load on the other C library). `spec.instrumentation.platform` says which; a snapshot whose
image is Alpine-based says musl unless the Service says otherwise.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.pipeline import load_estate, render
from compiler.resolve.layers import is_alpine
from targets.instrumentation import render_instrumentation
from tests.compose.tools import merged_config
from tests.conftest import FIXTURES

ESTATE = FIXTURES / "instrumentation" / "estate"
USER_FILE = "deploy/app/docker-compose.yml"
OVERLAY = "rendered/dev/compose/obs-stack.yml"
PYTHON = "/otel-auto-instrumentation-python"
SHOP_SPEC = "  instrumentation: {inject: true}\n"

SNAPSHOT = """\
apiVersion: obsc.dev/v1
kind: Snapshot
metadata:
  name: shop
spec:
  framework: flask
  language: python
  image: {image}
  ports: [5000]
  confidence: 0.9
"""


def _estate(tmp_path: Path, *, platform: str | None = None, image: str | None = None) -> Path:
    repo = tmp_path / "estate"
    shutil.copytree(ESTATE, repo)
    services = repo / "specs" / "services.yaml"
    if platform is not None:
        text = services.read_text()
        assert text.count(SHOP_SPEC) >= 1
        replaced = f"  instrumentation: {{inject: true, platform: {platform}}}\n"
        services.write_text(text.replace(SHOP_SPEC, replaced, 1))
    if image is not None:
        (repo / "snapshots").mkdir()
        (repo / "snapshots" / "shop.yaml").write_text(SNAPSHOT.format(image=image))
    return repo


@pytest.mark.parametrize(
    ("image", "alpine"),
    [
        ("python:3.12-alpine", True),
        ("python:3.12-alpine3.20", True),
        ("alpine:3.20", True),
        ("registry.example.com/base/alpine-python:1", True),
        ("python:3.12-slim", False),
        ("python:3.12", False),
        ("cgr.dev/chainguard/python:latest", False),
        ("example.com/salpine:1", False),
    ],
)
def test_alpine_images_are_recognised(image: str, alpine: bool) -> None:
    assert is_alpine(image) is alpine


def test_an_alpine_snapshot_makes_the_python_agent_musl(tmp_path: Path) -> None:
    repo = _estate(tmp_path, image="python:3.12-alpine")
    estate = load_estate(repo).resolved
    for model in estate.environments.values():
        shop = model.service("shop")
        assert shop is not None and shop.agent_platform == "musl"
        ledger = model.service("ledger")
        assert ledger is not None and ledger.agent_platform == "glibc"


def test_the_service_spec_wins_over_the_snapshot(tmp_path: Path) -> None:
    repo = _estate(tmp_path, platform="glibc", image="python:3.12-alpine")
    shop = load_estate(repo).resolved.environments["dev"].service("shop")
    assert shop is not None and shop.agent_platform == "glibc"


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    repo = _estate(tmp_path_factory.mktemp("musl"), platform="musl")
    render(repo, with_policies=False)
    return merged_config(repo, USER_FILE, OVERLAY, tmp_path_factory.mktemp("home"))


def test_compose_copies_the_musl_build_into_its_own_volume(merged: dict[str, Any]) -> None:
    services = merged["services"]
    agent = services["obs-agent-python-musl"]
    assert agent["command"] == ["cp", "-r", "/autoinstrumentation-musl/.", PYTHON]
    assert agent["image"].endswith("/autoinstrumentation-python:0.64b0")
    assert "obs-agent-python" not in services  # no glibc Python service asks for one
    shop = services["shop"]
    mounts = {v["target"]: v for v in shop["volumes"]}
    assert mounts[PYTHON]["source"] == "obs-agent-python-musl"
    assert mounts[PYTHON]["read_only"] is True
    assert "obs-agent-python-musl" in shop["depends_on"]
    assert shop["environment"]["PYTHONPATH"].endswith(f":{PYTHON}")
    assert "obs-agent-python-musl" in merged["volumes"]


def test_kubernetes_asks_the_operator_for_the_musl_build(tmp_path: Path) -> None:
    repo = _estate(tmp_path, image="python:3.12-alpine")
    prod = load_estate(repo).resolved.environments["prod"]
    yaml = YAML(typ="safe")
    files = {path: yaml.load(text) for path, text in render_instrumentation(prod).items()}
    annotations = files["patches/shop.yaml"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["instrumentation.opentelemetry.io/otel-python-platform"] == "musl"
    mailer = files["patches/mailer.yaml"]["spec"]["jobTemplate"]["spec"]["template"]
    assert (
        "instrumentation.opentelemetry.io/otel-python-platform"
        not in (mailer["metadata"]["annotations"])
    )


def test_obsc361_a_platform_for_another_language_is_a_warning(tmp_path: Path) -> None:
    repo = _estate(tmp_path)
    services = repo / "specs" / "services.yaml"
    text = services.read_text()
    mailer = "  kubernetes: {kind: CronJob, name: mailer, namespace: web, container: send}\n"
    mailer_spec = mailer + SHOP_SPEC
    assert mailer_spec in text
    services.write_text(
        text.replace(mailer_spec, mailer + "  instrumentation: {inject: true, platform: musl}\n", 1)
    )
    loaded = load_estate(repo)
    [warning] = [d for d in loaded.warnings if d.code == "OBSC361"]
    assert "service 'mailer' names the C library of its image, but it is javascript" in (
        warning.message
    )
    lines = services.read_text().splitlines()
    assert lines[warning.location.line - 1].startswith("  instrumentation:")
