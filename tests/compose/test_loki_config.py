"""The Loki server config the compose target renders is accepted by a real Loki."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.pipeline import load_estate, render_files
from compiler.resolve.stack import DEFAULT_STACK
from tests.conftest import ROOT
from tests.realtools import PINS

LOKI_CONFIGS = sorted((ROOT / "rendered").glob("*/compose/loki.yaml"))


def test_the_tested_loki_is_the_one_the_stack_pins() -> None:
    assert PINS["loki"].removeprefix("v") == DEFAULT_STACK["loki"][1]


def _verify(loki: Path, config: Path, cwd: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(loki), f"-config.file={config}", "-verify-config", *flags],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.mark.parametrize("config", LOKI_CONFIGS, ids=lambda p: p.parent.parent.name)
def test_loki_verifies_the_rendered_config(
    config: Path, real_tool: Callable[[str], Path], tmp_path: Path
) -> None:
    result = _verify(real_tool("loki"), config, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_estate_renders_a_loki_config() -> None:
    assert LOKI_CONFIGS, "no environment of the example estate renders the compose target"


def test_loki_rejects_a_broken_config(real_tool: Callable[[str], Path], tmp_path: Path) -> None:
    """The check above can fail: structured metadata needs schema v13, Loki says so."""
    broken = tmp_path / "loki.yaml"
    broken.write_text(LOKI_CONFIGS[0].read_text().replace("schema: v13", "schema: v12"))
    assert _verify(real_tool("loki"), broken, tmp_path).returncode != 0


@pytest.fixture(scope="module")
def current_config() -> str:
    """loki.yaml as this compiler renders the example's dev environment (not rendered/)."""
    rendered = render_files(load_estate(ROOT).resolved, [("dev", "compose")])
    return rendered["dev/compose/loki.yaml"].decode()


def test_loki_applies_the_rendered_retention(
    current_config: str, real_tool: Callable[[str], Path], tmp_path: Path
) -> None:
    """Loki takes the retention and switches its compactor's retention on (as it prints it)."""
    config = tmp_path / "loki.yaml"
    config.write_text(current_config)
    result = _verify(real_tool("loki"), config, tmp_path, "-print-config-stderr")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "retention_period: 30d" in result.stderr
    assert "retention_enabled: true" in result.stderr
    assert "delete_request_store: filesystem" in result.stderr


def test_loki_refuses_retention_without_a_delete_request_store(
    current_config: str, real_tool: Callable[[str], Path], tmp_path: Path
) -> None:
    """Loki 3 needs a store for delete requests once retention is on: the key is not decoration."""
    config = YAML(typ="safe").load(current_config)
    assert config["compactor"].pop("delete_request_store") == "filesystem"
    broken = tmp_path / "loki.yaml"
    with broken.open("w") as stream:
        YAML(typ="safe").dump(config, stream)
    result = _verify(real_tool("loki"), broken, tmp_path)
    assert result.returncode != 0
    assert "delete-request-store should be configured" in result.stdout + result.stderr
