"""Compose agent injection (`spec.instrumentation.inject`), merged by the real compose CLI.

The fixture's user file (deploy/app/docker-compose.yml) is merged with the rendered overlay
by `docker compose config`; the overlay also passes the compose-spec schema. OBSC354 refuses
an injection that cannot be done.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from compiler.errors import SpecError
from compiler.pipeline import load_estate, render
from tests.compose.tools import merged_config
from tests.conftest import FIXTURES

ESTATE = FIXTURES / "instrumentation" / "estate"
USER_FILE = "deploy/app/docker-compose.yml"
OVERLAY = "rendered/dev/compose/obs-stack.yml"
IMAGES = "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation"
PYTHON = "/otel-auto-instrumentation-python"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("agents") / "estate"
    shutil.copytree(ESTATE, root)
    render(root, with_policies=False)
    return root


@pytest.fixture(scope="module")
def merged(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return merged_config(repo, USER_FILE, OVERLAY, tmp_path_factory.mktemp("home"))


def test_an_init_service_per_language_copies_the_operators_agent(merged: dict[str, Any]) -> None:
    services = merged["services"]
    agents = {name: s for name, s in services.items() if name.startswith("obs-agent-")}
    assert {name: (s["image"], s["command"]) for name, s in agents.items()} == {
        "obs-agent-java": (
            f"{IMAGES}-java:2.30.0",
            ["cp", "/javaagent.jar", "/otel-auto-instrumentation-java/javaagent.jar"],
        ),
        "obs-agent-nodejs": (
            f"{IMAGES}-nodejs:0.78.0",
            ["cp", "-r", "/autoinstrumentation/.", "/otel-auto-instrumentation-nodejs"],
        ),
        "obs-agent-python": (
            f"{IMAGES}-python:0.64b0",
            ["cp", "-r", "/autoinstrumentation/.", PYTHON],
        ),
    }
    for name, agent in agents.items():
        assert agent["restart"] == "no"
        [volume] = agent["volumes"]
        assert (volume["type"], volume["source"]) == ("volume", name)
        assert volume.get("read_only", False) is False  # the copy writes into it
    assert {"obs-agent-java", "obs-agent-nodejs", "obs-agent-python"} <= set(merged["volumes"])


def test_a_service_mounts_its_agent_waits_for_the_copy_and_loads_it(
    merged: dict[str, Any],
) -> None:
    shop = merged["services"]["shop"]
    assert shop["environment"]["PYTHONPATH"] == (
        f"{PYTHON}/opentelemetry/instrumentation/auto_instrumentation:{PYTHON}"
    )
    assert shop["environment"]["OTEL_TRACES_EXPORTER"] == "otlp"
    assert shop["environment"]["OTEL_SERVICE_NAME"] == "shop"
    mounts = {v["target"]: v for v in shop["volumes"]}
    assert mounts[PYTHON]["source"] == "obs-agent-python"
    assert mounts[PYTHON]["read_only"] is True
    assert "/app/static" in mounts  # the user's own mount is kept
    assert shop["depends_on"]["obs-agent-python"]["condition"] == ("service_completed_successfully")
    ledger = merged["services"]["ledger"]["environment"]
    assert ledger["JAVA_TOOL_OPTIONS"] == "-javaagent:/otel-auto-instrumentation-java/javaagent.jar"
    mailer = merged["services"]["mailer"]["environment"]
    assert mailer["NODE_OPTIONS"] == (
        "--require /otel-auto-instrumentation-nodejs/autoinstrumentation.js"
    )


def test_services_that_did_not_ask_get_no_agent(merged: dict[str, Any]) -> None:
    for name in ("router", "db"):
        service = merged["services"][name]
        assert "volumes" not in service
        assert set(service["depends_on"]) == {"otel-collector"}
        assert not {"JAVA_TOOL_OPTIONS", "PYTHONPATH"} & set(service["environment"])


def test_the_overlay_matches_the_compose_spec_schema(repo: Path) -> None:
    schema = ("--builtin-schema", "vendor.compose-spec")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema, str(repo / OVERLAY)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("service", "what"),
    [("router", "it is go, whose OpenTelemetry agent is not a file"), ("db", "infrastructure")],
)
def test_obsc354_an_agent_that_cannot_be_injected(tmp_path: Path, service: str, what: str) -> None:
    repo = tmp_path / "estate"
    shutil.copytree(ESTATE, repo)
    services = repo / "specs" / "services.yaml"
    text = services.read_text()
    marker = f"  name: {service}\n"
    head, tail = text.split(marker)
    before, spec_line, rest = tail.partition("spec:\n")
    services.write_text(
        f"{head}{marker}{before}{spec_line}  instrumentation: {{inject: true}}\n{rest}"
    )
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "OBSC354"
    assert f"service {service!r} asks for its agent to be injected" in diagnostic.message
    assert what in diagnostic.message
    lines = services.read_text().splitlines()
    expected = lines.index("  instrumentation: {inject: true}", lines.index(marker.rstrip())) + 1
    assert diagnostic.location.line == expected
