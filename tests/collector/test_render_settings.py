"""`obsc render --set TARGET.KEY=VALUE --out DIR`: overrides for local runs, never in rendered/."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from tests.conftest import ObscRunner, tree_bytes


def test_set_requires_out_and_leaves_rendered_alone(obsc: ObscRunner, example_repo: Path) -> None:
    before = tree_bytes(example_repo / "rendered")
    run = obsc("--repo", example_repo, "render", "--set", "collector.exporters=file:/tmp/x")
    assert run.code == 2
    assert "needs --out DIR" in run.err
    assert tree_bytes(example_repo / "rendered") == before


def test_set_with_out_renders_elsewhere(
    obsc: ObscRunner, example_repo: Path, tmp_path: Path
) -> None:
    before = tree_bytes(example_repo / "rendered")
    out = tmp_path / "local"
    run = obsc(
        "--repo",
        example_repo,
        "render",
        "--no-policies",
        "--env",
        "dev",
        "--target",
        "collector",
        "--set",
        "collector.exporters=file:/tmp/signals",
        "--set",
        "collector.host=127.0.0.1",
        "--out",
        out,
    )
    assert run.code == 0, run.err
    assert tree_bytes(example_repo / "rendered") == before
    config = YAML(typ="safe").load((out / "dev" / "collector" / "config.yaml").read_text())
    assert set(config["exporters"]) == {"file/logs", "file/metrics", "file/traces"}
    assert config["exporters"]["file/logs"] == {"path": "/tmp/signals/logs.json"}
    assert config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"] == "127.0.0.1:4317"
    exported = {e for p in config["service"]["pipelines"].values() for e in p["exporters"]}
    assert not exported & {"otlp_http/loki", "otlp_grpc/tempo", "prometheus_remote_write"}


def test_unknown_settings_are_usage_errors(
    obsc: ObscRunner, example_repo: Path, tmp_path: Path
) -> None:
    run = obsc(
        "--repo", example_repo, "render", "--set", "collector.exporter=file:/x", "--out", tmp_path
    )
    assert run.code == 2
    assert "unknown setting 'collector.exporter'" in run.err
    assert "collector.exporters" in run.err
    run = obsc("--repo", example_repo, "render", "--set", "grafana.theme=dark", "--out", tmp_path)
    assert run.code == 2
    assert "target 'grafana' has no settings" in run.err
    run = obsc(
        "--repo", example_repo, "render", "--set", "collector.exporters=s3:x", "--out", tmp_path
    )
    assert run.code == 2
    assert "expected file:DIR" in run.err
    assert "Traceback" not in run.err


def test_list_settings(obsc: ObscRunner) -> None:
    run = obsc("render", "--list-settings")
    assert run.code == 0
    assert "collector.exporters=file:DIR" in run.out
