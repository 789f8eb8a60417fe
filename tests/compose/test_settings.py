"""`--set compose.*`: the backends' configs of the overlay pointed at native processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.model import EnvironmentModel
from compiler.pipeline import configured_renderers, load_estate, render_environment
from targets.compose import TARGET
from tests.conftest import ROOT, ObscRunner, tree_bytes

LOOPBACK = {
    "alertmanager": "127.0.0.1:19093",
    "collectorMetrics": "127.0.0.1:18888",
    "prometheus": "127.0.0.1:19090",
    "interval": "2s",
    "rulesDir": "/tmp/run/alerts/rules",
    "loki": "127.0.0.1:13100",
    "lokiGrpc": "127.0.0.1:19096",
    "lokiDir": "/tmp/run/loki",
    "lokiRulesDir": "/tmp/run/loki-rules",
}


@pytest.fixture(scope="module")
def dev() -> EnvironmentModel:
    return load_estate(ROOT).resolved.environments["dev"]


def _compose(model: EnvironmentModel, values: dict[str, str]) -> dict[str, Any]:
    renderers = configured_renderers({"compose": values} if values else {})
    files = render_environment(model, ["compose"], renderers)
    return {
        path.removeprefix("compose/"): YAML(typ="safe").load(content)
        for path, content in files.items()
    }


def _paths(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [p for item in value.values() for p in _paths(item)]
    if isinstance(value, list):
        return [p for item in value for p in _paths(item)]
    return [value] if isinstance(value, str) and value.startswith("/") else []


def test_loopback_settings(dev: EnvironmentModel) -> None:
    plain, local = _compose(dev, {}), _compose(dev, LOOPBACK)
    assert local["obs-stack.yml"] == plain["obs-stack.yml"]

    prometheus = local["prometheus.yml"]
    assert prometheus["global"] == {"scrape_interval": "2s", "evaluation_interval": "2s"}
    assert prometheus["rule_files"] == ["/tmp/run/alerts/rules/*.rules.yaml"]
    assert prometheus["alerting"]["alertmanagers"] == [
        {"static_configs": [{"targets": ["127.0.0.1:19093"]}]}
    ]
    targets = {j["job_name"]: j["static_configs"] for j in prometheus["scrape_configs"]}
    assert targets == {
        "otel-collector": [{"targets": ["127.0.0.1:18888"]}],
        "prometheus": [{"targets": ["127.0.0.1:19090"]}],
    }

    loki = local["loki.yaml"]
    assert loki["server"] == {
        **plain["loki.yaml"]["server"],
        "http_listen_address": "127.0.0.1",
        "http_listen_port": 13100,
        "grpc_listen_address": "127.0.0.1",
        "grpc_listen_port": 19096,
    }
    assert loki["ruler"]["alertmanager_url"] == "http://127.0.0.1:19093"
    assert loki["ruler"]["storage"]["local"]["directory"] == "/tmp/run/loki-rules"
    assert loki["common"]["path_prefix"] == "/tmp/run/loki"
    paths = _paths(loki)
    assert paths and all(p.startswith("/tmp/run/") for p in paths), paths
    assert not [p for p in _paths(plain["loki.yaml"]) if p.startswith("/tmp")]

    tempo = local["tempo.yaml"]["metrics_generator"]["storage"]["remote_write"]
    assert [w["url"] for w in tempo] == ["http://127.0.0.1:19090/api/v1/write"]


def test_each_setting_changes_only_its_part(dev: EnvironmentModel) -> None:
    plain = _compose(dev, {})
    only_interval = _compose(dev, {"interval": "5s"})
    assert only_interval["loki.yaml"] == plain["loki.yaml"]
    assert {k: v for k, v in only_interval["prometheus.yml"].items() if k != "global"} == {
        k: v for k, v in plain["prometheus.yml"].items() if k != "global"
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"alertmanager": "http://127.0.0.1:9093"}, "compose.alertmanager: expected HOST:PORT"),
        ({"interval": "often"}, "compose.interval: expected a duration"),
        ({"lokiDir": "loki"}, "compose.lokiDir: expected an absolute directory path"),
        ({"grafana": "x:1"}, "unknown setting compose.grafana"),
    ],
)
def test_bad_settings(values: dict[str, str], message: str) -> None:
    assert TARGET.configure is not None
    with pytest.raises(ValueError, match=message):
        TARGET.configure(values)


def test_cli_renders_the_loopback_stack_elsewhere(
    obsc: ObscRunner, example_repo: Path, tmp_path: Path
) -> None:
    before = tree_bytes(example_repo / "rendered")
    sets = [f"compose.{key}={value}" for key, value in LOOPBACK.items()]
    sets += ["alerts.webhook=http://127.0.0.1:19999/", "collector.host=127.0.0.1"]
    args = ["--repo", example_repo, "render", "--no-policies", "--env", "dev"]
    plain = obsc(*args, "--out", tmp_path / "plain")
    assert plain.code == 0, plain.err
    local = obsc(*args, *[a for s in sets for a in ("--set", s)], "--out", tmp_path / "local")
    assert local.code == 0, local.err
    assert tree_bytes(example_repo / "rendered") == before
    old, new = tree_bytes(tmp_path / "plain" / "dev"), tree_bytes(tmp_path / "local" / "dev")
    assert sorted(p for p in old if old[p] != new.get(p)) == [
        "alerts/alertmanager.yaml",
        "collector/config.yaml",
        "compose/loki.yaml",
        "compose/prometheus.yml",
        "compose/tempo.yaml",
    ]
    bad = obsc(*args, "--set", "collector.scrapeTargets=nope=127.0.0.1:1", "--out", tmp_path / "x")
    assert bad.code == 2
    assert "nope: no such service scraped in environment 'dev'" in bad.err
    assert "Traceback" not in bad.err
