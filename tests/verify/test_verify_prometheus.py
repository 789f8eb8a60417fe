"""`obsc verify` against a real Prometheus loading the rendered rules (the pinned build).

The rules and retention checks pass against the server running the rendered rule files
with a retention above the longest SLO window, and fail, naming the groups, when a rule
file is taken away, or when Prometheus keeps its default 15 days.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.collector.collector_run import free_ports
from tests.conftest import ObscRunner
from tests.realtools import Tool
from tests.verify.processes import running_binary


@contextmanager
def _prometheus(binary: Path, workdir: Path, *flags: str) -> Iterator[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "prometheus.yml").write_text(
        "global:\n  evaluation_interval: 15s\nrule_files:\n  - rules/*.rules.yaml\n"
    )
    (port,) = free_ports(1)
    log = workdir / "prometheus.log"
    command = [
        str(binary),
        f"--config.file={workdir / 'prometheus.yml'}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
        *flags,
    ]
    url = f"http://127.0.0.1:{port}"
    with running_binary(command, log, f"{url}/-/ready", limit=30, poll=0.2):
        yield url


def _prometheus_checks(obsc: ObscRunner, repo: Path, url: str) -> dict[str, dict[str, Any]]:
    result = obsc("--repo", repo, "--output", "json", "verify", "--env", "dev", "--prometheus", url)
    assert result.code == 5, result.out  # no service sends metrics here
    data = json.loads(result.out)
    return {c["check"]: c for c in data["checks"] if c["subject"] == "component/prometheus"}


def test_rules_and_retention_against_a_real_prometheus(
    obsc: ObscRunner, repo: Path, real_tool: Tool, tmp_path: Path
) -> None:
    binary = real_tool("prometheus")
    rules = tmp_path / "server" / "rules"
    shutil.copytree(repo / "rendered" / "dev" / "alerts" / "rules", rules)
    with _prometheus(binary, tmp_path / "server", "--storage.tsdb.retention.time=31d") as url:
        checks = _prometheus_checks(obsc, repo, url)
        assert checks["reachable"]["status"] == "pass"
        assert checks["rules"]["status"] == "pass", checks["rules"]["detail"]
        assert checks["retention"] == {
            **checks["retention"],
            "status": "pass",
            "detail": "retention 31d covers the longest SLO window 30d",
        }
        (rules / "api.rules.yaml").unlink()
        urllib.request.urlopen(urllib.request.Request(f"{url}/-/reload", method="POST"))
        checks = _prometheus_checks(obsc, repo, url)
        assert checks["rules"]["status"] == "fail"
        assert "7 rendered group(s) not loaded: obsc-service-api," in checks["rules"]["detail"]
    with _prometheus(binary, tmp_path / "default") as url:
        retention = _prometheus_checks(obsc, repo, url)["retention"]
        assert retention["status"] == "fail"
        assert "retention 15d" in retention["detail"]
        assert "shorter than the longest SLO window 30d" in retention["detail"]
