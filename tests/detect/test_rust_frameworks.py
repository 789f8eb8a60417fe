"""The Rust entries of the framework database: their metrics as the exporters name them,
and SLO rules for a service of each that promtool accepts and whose generated tests pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.detect import builtin_frameworks, detect
from compiler.pipeline import load_estate
from targets.alerts import render_alerts
from tests.kube import write_tree
from tests.realtools import Tool
from tests.targets.promtool import promtool

RUST = {
    # name: (request counter, duration histogram, default port)
    "actix-web": ("api_http_requests_total", "api_http_requests_duration_seconds", 8080),
    "axum": ("axum_http_requests_total", "axum_http_requests_duration_seconds", 3000),
}
PROMETHEUS_CRATE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]


@pytest.mark.parametrize("name", sorted(RUST))
def test_rust_entry_names_the_exporter_metrics(name: str) -> None:
    (entry,) = [f for f in builtin_frameworks() if f.metadata.name == name]
    spec = entry.spec
    counter, histogram, port = RUST[name]
    assert (spec.language, spec.category, spec.default_port) == ("rust", "application", port)
    assert spec.metrics.source == "exporter" and spec.metrics.path == "/metrics"
    assert spec.metrics.requests is not None and spec.metrics.duration is not None
    assert spec.metrics.requests.metric == counter
    # both exporters put the numeric code in `status`, and count their own /metrics route
    assert spec.metrics.requests.error_selector == 'status=~"5.."'
    assert spec.metrics.traffic_selector == 'endpoint!="/metrics"'
    assert spec.metrics.duration.metric == histogram
    assert spec.metrics.duration.buckets == PROMETHEUS_CRATE_BUCKETS
    assert spec.instrumentation.notes and "no zero-code" in spec.instrumentation.notes
    assert spec.detection[0].type == "dependency" and spec.detection[0].match == name


@pytest.mark.parametrize("name", sorted(RUST))
def test_rust_service_renders_rules_promtool_accepts(
    name: str, real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace("framework: flask", f"framework: {name}")
    text = text.replace("  redaction: pii-strict\n", "")
    service.write_text(text.replace("histogramBuckets: [0.05, 0.1, 0.25, 0.5, 1]", "{}"))
    model = load_estate(minimal_repo).resolved.environments["prod"]
    files = render_alerts(model)
    rules = files["rules/api.rules.yaml"].decode()
    counter, histogram, _ = RUST[name]
    assert f'{counter}{{service="api",endpoint!="/metrics",status=~"5.."}}' in rules
    assert f'{histogram}_bucket{{service="api",endpoint!="/metrics",le=~"0\\\\.25"}}' in rules
    root = write_tree(files, tmp_path / "alerts")
    done = promtool(real_tool, "check", "rules", "rules/api.rules.yaml", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=root / "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_cargo_workspace_dependencies_name_the_framework(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["crates/*"]\n\n[workspace.dependencies]\n'
        'actix-web = { version = "4.9", default-features = false }\nserde = "1"\n'
    )
    (detection,) = detect("source", tmp_path)
    assert (detection.framework, detection.language, detection.version) == (
        "actix-web",
        "rust",
        "4.9",
    )
