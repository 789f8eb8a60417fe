"""Run the built collector on loopback with a rendered config, and read what it exported."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.live.processes import post_json


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on right now (bound and released by the kernel)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass(frozen=True)
class Ports:
    """Where the collector under test listens."""

    grpc: int
    http: int
    health: int
    telemetry: int

    @classmethod
    def pick(cls) -> Ports:
        grpc, http, health, telemetry = free_ports(4)
        return cls(grpc, http, health, telemetry)

    def settings(self) -> list[str]:
        """`--set` arguments for `obsc render`."""
        return [
            "--set=collector.host=127.0.0.1",
            f"--set=collector.otlpGrpcPort={self.grpc}",
            f"--set=collector.otlpHttpPort={self.http}",
            f"--set=collector.healthPort={self.health}",
            f"--set=collector.telemetryPort={self.telemetry}",
        ]


@contextmanager
def running_collector(binary: Path, config: Path, ports: Ports, log: Path) -> Iterator[None]:
    """The collector, healthy, for the duration of the block; stopped gracefully after."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(binary), f"--config=file:{config}"], stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"collector exited {proc.returncode}:\n{log.read_text()}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{ports.health}/", timeout=1):
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    if time.monotonic() > deadline:
                        raise AssertionError(
                            f"collector never healthy:\n{log.read_text()}"
                        ) from None
                    time.sleep(0.2)
            yield
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def render_for_run(repo: Path, base: Path, ports: Ports, exported: Path | None, logs: str) -> Path:
    """Render dev's collector config of `repo` under `base`: exporters to files in
    `exported` (None: to the backends, as rendered), container logs from the glob `logs`,
    listening on `ports`; its path."""
    from compiler.cli.main import main

    exporters = [] if exported is None else [f"--set=collector.exporters=file:{exported}"]

    try:
        main(
            [
                "-q",
                "--repo",
                str(repo),
                "render",
                "--no-policies",
                "--env",
                "dev",
                "--target",
                "collector",
                *exporters,
                f"--set=collector.logs={logs}",
                *ports.settings(),
                "--out",
                str(base / "rendered"),
            ]
        )
    except SystemExit as exc:
        assert exc.code in (0, None), exc.code
    return base / "rendered" / "dev" / "collector" / "config.yaml"


def post_otlp(ports: Ports, signal_path: str, payload: dict[str, object]) -> None:
    """POST an OTLP/HTTP JSON request (`signal_path` is logs, traces or metrics)."""
    status = post_json(f"http://127.0.0.1:{ports.http}/v1/{signal_path}", payload)
    assert status == 200, status


def read_lines(path: Path) -> list[dict[str, object]]:
    """The file exporter's JSON lines (one export request each)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll `predicate()` until true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the collector's output")
        time.sleep(0.25)


def attr(key: str, value: str) -> dict[str, object]:
    """An OTLP JSON string attribute."""
    return {"key": key, "value": {"stringValue": value}}


def resource(service: str) -> dict[str, object]:
    """An OTLP JSON resource naming the service."""
    return {"attributes": [attr("service.name", service)]}
