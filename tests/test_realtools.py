"""The pinned real tools (scripts/install-tools.sh) run, report their pins, and do real checks."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from compiler.resolve.stack import DEFAULT_STACK
from tests.realtools import PINS, release_version

RealTool = Callable[[str], Path]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=60, check=False
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_cue_version(real_tool: RealTool) -> None:
    res = run(real_tool("cue"), "version")
    assert res.returncode == 0, res.stderr
    assert f"cue version {PINS['cue']}" in res.stdout


def test_cue_vet_accepts_and_rejects(real_tool: RealTool, tmp_path: Path) -> None:
    cue = real_tool("cue")
    schema = write(tmp_path / "schema.cue", "name: string\nport: int & >0 & <65536\n")
    good = write(tmp_path / "good.json", '{"name": "api", "port": 8080}\n')
    bad = write(tmp_path / "bad.json", '{"name": "api", "port": 70000}\n')

    ok = run(cue, "vet", schema, good)
    assert ok.returncode == 0, ok.stderr

    rejected = run(cue, "vet", schema, bad)
    assert rejected.returncode != 0
    assert "port" in rejected.stderr


def test_promtool_version(real_tool: RealTool) -> None:
    res = run(real_tool("promtool"), "--version")
    assert res.returncode == 0, res.stderr
    assert PINS["promtool"] in res.stdout + res.stderr


RULES_OK = """\
groups:
  - name: demo
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{code=~"5.."}[5m])) > 1
        for: 5m
        labels:
          severity: page
"""

RULES_BAD = """\
groups:
  - name: demo
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total[5m]) > 1
"""


def test_promtool_check_rules(real_tool: RealTool, tmp_path: Path) -> None:
    promtool = real_tool("promtool")

    ok = run(promtool, "check", "rules", write(tmp_path / "ok.rules.yml", RULES_OK))
    assert ok.returncode == 0, ok.stdout + ok.stderr

    bad = run(promtool, "check", "rules", write(tmp_path / "bad.rules.yml", RULES_BAD))
    assert bad.returncode != 0
    assert "bad.rules.yml" in bad.stdout + bad.stderr


def test_amtool_version(real_tool: RealTool) -> None:
    res = run(real_tool("amtool"), "--version")
    assert res.returncode == 0, res.stderr
    assert f"version {PINS['amtool'].removeprefix('v')}" in res.stdout + res.stderr


AM_OK = """\
route:
  receiver: default
receivers:
  - name: default
"""

AM_BAD = """\
route:
  receiver: nowhere
receivers:
  - name: default
"""


def test_amtool_check_config(real_tool: RealTool, tmp_path: Path) -> None:
    amtool = real_tool("amtool")

    ok = run(amtool, "check-config", write(tmp_path / "ok.yml", AM_OK))
    assert ok.returncode == 0, ok.stdout + ok.stderr

    bad = run(amtool, "check-config", write(tmp_path / "bad.yml", AM_BAD))
    assert bad.returncode != 0
    assert "nowhere" in bad.stdout + bad.stderr


def test_prometheus_version(real_tool: RealTool) -> None:
    res = run(real_tool("prometheus"), "--version")
    assert res.returncode == 0, res.stderr
    assert f"prometheus, version {release_version('prometheus')} " in res.stdout + res.stderr


def test_alertmanager_version(real_tool: RealTool) -> None:
    res = run(real_tool("alertmanager"), "--version")
    assert res.returncode == 0, res.stderr
    assert f"alertmanager, version {release_version('alertmanager')} " in res.stdout + res.stderr


def test_the_tested_servers_are_the_ones_the_stack_pins() -> None:
    for name in ("prometheus", "alertmanager", "loki"):
        assert release_version(name) == DEFAULT_STACK[name][1], name
