"""No `$` obsc writes into the collector config is expanded by the collector's loader."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from compiler.pipeline import load_estate
from targets.collector import CONFIG_FILE, collector_config, render_collector
from targets.collector.settings import CollectorSettings
from tests.realtools import Tool

HOSTILE_PATH = "/metrics${env:HOME}/${file:/nonexistent/obsc}/$$x"


def _unescaped(value: Any) -> Any:
    """What the collector's loader makes of the rendered YAML: `$$` is one `$`."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, dict):
        return {key: _unescaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_unescaped(item) for item in value]
    return value


def _hostile_config(repo: Path, tmp_path: Path) -> tuple[Path, dict[str, object]]:
    service = repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace("  port: 5000\n", "  port: 5000\n  metrics:\n", 1)
    text = text.replace(
        "  metrics:\n    histogramBuckets:", f"    path: '{HOSTILE_PATH}'\n    histogramBuckets:"
    )
    service.write_text(text)
    model = load_estate(repo).resolved.environments["dev"]
    settings = CollectorSettings()
    path = tmp_path / CONFIG_FILE
    path.write_bytes(render_collector(model, settings)[CONFIG_FILE])
    return path, collector_config(model, settings)


def test_every_dollar_is_escaped(minimal_repo: Path, tmp_path: Path) -> None:
    path, intended = _hostile_config(minimal_repo, tmp_path)
    rendered = YAML(typ="safe").load(path.read_text())
    assert _unescaped(rendered) == intended
    jobs = rendered["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert [job["metrics_path"] for job in jobs] == [HOSTILE_PATH.replace("$", "$$")]


def test_the_collector_reads_the_path_as_written(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    path, _ = _hostile_config(minimal_repo, tmp_path)
    collector = str(real_tool("otelcol-obsc"))
    config = f"--config=file:{path}"
    done = subprocess.run(
        [collector, "validate", config], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [collector, "print-config", "--mode=unredacted", config],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = YAML(typ="safe").load(done.stdout)
    jobs = loaded["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert [job["metrics_path"] for job in jobs] == [HOSTILE_PATH]
