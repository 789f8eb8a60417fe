"""A real Alertmanager on loopback for the target tests: start it on a rendered config, post
alerts to its API and read back their state (its inhibitor decides, not a reading of the rules).
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.collector.collector_run import free_ports
from tests.live.processes import post_json
from tests.realtools import Tool
from tests.verify.processes import running_binary


@contextmanager
def running_alertmanager(real_tool: Tool, config: bytes, workdir: Path) -> Iterator[str]:
    """The pinned Alertmanager running `config`; yields its URL and stops it afterwards."""
    path = workdir / "alertmanager.yaml"
    path.write_bytes(config)
    (port,) = free_ports(1)
    command = [
        str(real_tool("alertmanager")),
        f"--config.file={path}",
        f"--storage.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    url = f"http://127.0.0.1:{port}"
    with running_binary(
        command, workdir / "alertmanager.log", f"{url}/-/ready", limit=30, poll=0.2
    ):
        yield url


def post(url: str, alerts: list[dict[str, Any]]) -> None:
    """Send alerts to Alertmanager's API, as Prometheus does."""
    post_json(f"{url}/api/v2/alerts", alerts, timeout=5)


def alert(name: str, labels: dict[str, str], ends: datetime | None = None) -> dict[str, Any]:
    """An alert that started a minute ago (and ends at `ends`, if given)."""
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "labels": {"alertname": name, **labels},
        "startsAt": (now - timedelta(minutes=1)).isoformat(),
    }
    if ends is not None:
        body["endsAt"] = ends.isoformat()
    return body


def states(url: str) -> dict[str, str]:
    """Each alert's state by name: active, suppressed (inhibited or silenced) or unprocessed."""
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as response:
        alerts = json.load(response)
    return {a["labels"]["alertname"]: a["status"]["state"] for a in alerts}


def wait_for(url: str, expected: dict[str, str]) -> dict[str, str]:
    """The states once they are `expected`, or after 15 s whatever they are."""
    deadline = time.monotonic() + 15
    current = states(url)
    while any(current.get(k) != v for k, v in expected.items()) and time.monotonic() < deadline:
        time.sleep(0.3)
        current = states(url)
    return current
