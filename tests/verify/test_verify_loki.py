"""`obsc verify` against the real Loki the compose target pins, with the rendered config.

The ruler check passes with the rendered Loki rules, and a service's logs are found under
`service_name` once a log record arrives through Loki's OTLP endpoint (as the collector
sends it); a service with no logs fails, naming its stream.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.collector.collector_run import free_ports
from tests.conftest import ObscRunner
from tests.live.processes import post_json
from tests.realtools import Tool
from tests.verify.processes import running_binary

pytestmark = pytest.mark.slow


def _on_loopback(value: Any, workdir: Path) -> Any:
    """The rendered Loki config with its container paths moved under workdir."""
    if isinstance(value, dict):
        return {k: _on_loopback(v, workdir) for k, v in value.items()}
    if isinstance(value, list):
        return [_on_loopback(v, workdir) for v in value]
    if isinstance(value, str) and value.startswith("/etc/loki/rules"):
        return str(workdir / "rules") + value[len("/etc/loki/rules") :]
    if isinstance(value, str) and value.startswith("/loki"):
        return str(workdir / "data") + value[len("/loki") :]
    return value


@contextmanager
def _loki(binary: Path, env_dir: Path, workdir: Path) -> Iterator[str]:
    yaml = YAML(typ="safe")
    config = _on_loopback(yaml.load((env_dir / "compose" / "loki.yaml").read_bytes()), workdir)
    port, grpc_port = free_ports(2)
    config["server"].update(
        {"http_listen_port": port, "grpc_listen_port": grpc_port, "http_listen_address":
         "127.0.0.1", "grpc_listen_address": "127.0.0.1"}
    )  # fmt: skip
    config["ruler"]["alertmanager_url"] = "http://127.0.0.1:9"
    (workdir / "rules" / "fake").mkdir(parents=True)
    shutil.copy(env_dir / "alerts" / "loki" / "rules.yaml", workdir / "rules" / "fake")
    with (workdir / "loki.yaml").open("w") as out:
        yaml.dump(config, out)
    log = workdir / "loki.log"
    url = f"http://127.0.0.1:{port}"
    command = [str(binary), f"-config.file={workdir / 'loki.yaml'}"]
    with running_binary(command, log, f"{url}/ready", limit=60, poll=0.5):
        yield url


def _push(url: str, service: str, body: str) -> None:
    record = {"timeUnixNano": str(time.time_ns()), "body": {"stringValue": body}}
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}
    document = {"resourceLogs": [{"resource": resource, "scopeLogs": [{"logRecords": [record]}]}]}
    post_json(f"{url}/otlp/v1/logs", document)


def test_ruler_and_logs_against_a_real_loki(
    obsc: ObscRunner, repo: Path, real_tool: Tool, tmp_path: Path
) -> None:
    binary = real_tool("loki")
    with _loki(binary, repo / "rendered" / "dev", tmp_path / "loki") as url:
        _push(url, "api", '{"level":"info","msg":"GET /orders 200"}')
        result = obsc(
            "--repo", repo, "--output", "json", "verify", "--env", "dev", "--loki", url,
            "--wait", "5s", "--since", "2m",
        )  # fmt: skip
        data = json.loads(result.out)
    checks = {(c["subject"], c["check"]): c for c in data["checks"]}
    assert checks[("component/loki", "reachable")]["detail"].startswith("Loki 3.")
    assert checks[("component/loki", "ruler")]["status"] == "pass"
    assert checks[("service/api", "logs")]["status"] == "pass"
    db = checks[("service/db", "logs")]
    assert db["status"] == "fail"
    assert 'no log lines of {service_name="db"} in Loki in the last 2m' in db["detail"]
    assert result.code == 5
