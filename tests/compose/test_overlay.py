"""The compose overlay merged with a user's compose file by the real compose CLI.

The fixture estate's compose file lives two directories below the repository root
(`deploy/app/`), so compose resolves the overlay's relative paths against that directory:
the mounts only work if the overlay climbs back to `rendered/` correctly.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.pipeline import render
from tests.compose.tools import compose, merged_config
from tests.conftest import FIXTURES

ESTATE = FIXTURES / "compose" / "estate"
USER_FILE = "deploy/app/docker-compose.yml"
OVERLAY = "rendered/dev/compose/obs-stack.yml"
USER_SERVICES = ("cache", "db", "web", "worker")
STACK = ("alertmanager", "grafana", "loki", "otel-collector", "prometheus", "tempo")
OTEL_KEYS = (
    "OTEL_SERVICE_NAME",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_TRACES_SAMPLER",
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("compose") / "estate"
    shutil.copytree(ESTATE, root)
    render(root, with_policies=False)
    return root


@pytest.fixture(scope="module")
def merged(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`docker compose -f <user file> -f <overlay> config`, run from the user's directory."""
    return merged_config(repo, USER_FILE, OVERLAY, tmp_path_factory.mktemp("home"))


def test_user_compose_file_is_byte_identical(repo: Path) -> None:
    assert (repo / USER_FILE).read_bytes() == (ESTATE / USER_FILE).read_bytes()
    assert sorted(p.name for p in (repo / USER_FILE).parent.iterdir()) == ["docker-compose.yml"]


def test_overlay_matches_the_compose_spec_schema(repo: Path) -> None:
    done = _check_jsonschema(repo / OVERLAY)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_can_fail(repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "obs-stack.yml"
    text = (repo / OVERLAY).read_text().replace("    restart: unless-stopped", "    restart: 7")
    broken.write_text(text)
    assert _check_jsonschema(broken).returncode != 0


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_user_service_gets_the_otel_environment_and_logging(
    merged: dict[str, Any],
) -> None:
    services = merged["services"]
    assert set(USER_SERVICES) | set(STACK) | {"db-exporter"} == set(services)
    for name in USER_SERVICES:
        env = services[name]["environment"]
        assert all(key in env for key in OTEL_KEYS), name
        assert env["OTEL_SERVICE_NAME"] == name  # the overlay wins over the user's value
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
        assert env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
        assert env["OTEL_TRACES_SAMPLER"] == "parentbased_always_on"
        assert env["OTEL_RESOURCE_ATTRIBUTES"].endswith("deployment.environment.name=dev")
        assert services[name]["logging"] == {
            "driver": "json-file",
            "options": {"labels": "com.docker.compose.service"},
        }
    web = services["web"]["environment"]
    assert web["FLASK_ENV"] == "development"  # the user's own variables survive the merge
    assert web["OTEL_RESOURCE_ATTRIBUTES"] == (
        "service.namespace=web,deployment.environment.name=dev"
    )
    assert web["OTEL_PYTHON_LOG_CORRELATION"] == "true"  # flask's instrumentation env
    assert services["worker"]["environment"]["QUEUE"] == "jobs"
    assert set(services["web"]["depends_on"]) == {"db", "otel-collector"}


def test_model_services_missing_from_the_users_file_are_not_created(
    merged: dict[str, Any],
) -> None:
    assert "billing" not in merged["services"]
    assert all("image" in service for service in merged["services"].values())


def test_mounted_configs_resolve_to_files_of_the_rendered_tree(
    repo: Path, merged: dict[str, Any]
) -> None:
    rendered = (repo / "rendered" / "dev").resolve()
    binds = [
        (name, Path(volume["source"]))
        for name, service in merged["services"].items()
        for volume in service.get("volumes", [])
        if volume["type"] == "bind" and volume["source"] != "/var/lib/docker/containers"
    ]
    assert {name for name, _ in binds} == set(STACK)
    for name, source in binds:
        assert source.is_relative_to(rendered), (name, source)
        assert source.exists(), (name, source)
    collector = merged["services"]["otel-collector"]["volumes"]
    assert any(
        v["source"] == v["target"] == "/var/lib/docker/containers" and v["read_only"] is True
        for v in collector
    )


def test_published_ports_never_clash(merged: dict[str, Any]) -> None:
    published: list[tuple[str, int]] = []
    for name, service in merged["services"].items():
        for port in service.get("ports", []):
            host = str(port.get("published", ""))
            if host:
                first, _, last = host.partition("-")
                published += [(name, p) for p in range(int(first), int(last or first) + 1)]
    ports = [p for _, p in published]
    assert len(ports) == len(set(ports)), published
    stack_ports = {name: p for name, p in published if name in STACK}
    # Grafana's 3000 and the requested 9090 are the user's; the next free ports are taken.
    assert stack_ports == {"grafana": 3002, "prometheus": 9092}


def test_secrets_are_files_mounted_where_alertmanager_reads_them(
    repo: Path, merged: dict[str, Any]
) -> None:
    secrets_dir = (repo / "deploy" / "app" / "obs-secrets").resolve()
    for name, secret in merged["secrets"].items():
        assert set(secret) == {"name", "file"}, name
        assert Path(secret["file"]).is_relative_to(secrets_dir)
    mounted = {s["target"] for s in merged["services"]["alertmanager"]["secrets"]}
    config = YAML(typ="safe").load((repo / "rendered/dev/alerts/alertmanager.yaml").read_text())
    read = {
        value
        for receiver in config["receivers"]
        for integration in receiver
        if integration.endswith("_configs")
        for entry in receiver[integration]
        for key, value in entry.items()
        if key.endswith("_file")
    }
    assert read and read == mounted


def test_healthchecks_and_dependencies(repo: Path, merged: dict[str, Any]) -> None:
    services = merged["services"]
    without = {name for name in STACK if "healthcheck" not in services[name]}
    assert without == {"otel-collector", "tempo"}
    overlay = YAML(typ="safe").load((repo / OVERLAY).read_text())
    for name in without:  # the overlay says why (compose's JSON output drops x- fields)
        assert "distroless" in overlay["services"][name]["x-obsc-healthcheck"]
    for name, service in services.items():
        for dependency, how in service.get("depends_on", {}).items():
            if dependency in without or dependency not in STACK:
                assert how["condition"] == "service_started", (name, dependency)
            else:
                assert how["condition"] == "service_healthy", (name, dependency)
    assert "--web.enable-remote-write-receiver" in services["prometheus"]["command"]
    assert services["grafana"]["environment"]["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    for name in STACK:
        assert services[name]["restart"] == "unless-stopped"
        assert set(services[name]["networks"]) == {"default", "shared-edge"}
    assert merged["networks"]["shared-edge"]["external"] is True


def test_compose_config_fails_on_a_broken_overlay(repo: Path, tmp_path: Path) -> None:
    """The real-CLI check can fail: a mount of the wrong kind is rejected."""
    project = repo / USER_FILE
    broken = tmp_path / "obs-stack.yml"
    text = (repo / OVERLAY).read_text().replace("type: volume", "type: nonsense", 1)
    broken.write_text(text)
    done = compose(project.parent, "-f", project.name, "-f", str(broken), "config", home=tmp_path)
    assert done.returncode != 0


def test_promtool_accepts_the_prometheus_config(
    repo: Path, real_tool: Callable[[str], Path]
) -> None:
    done = subprocess.run(
        [str(real_tool("promtool")), "check", "config", "prometheus.yml"],
        cwd=repo / "rendered/dev/compose",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
