"""The example estate's dev environment as native processes on 127.0.0.1.

One `obsc render --out DIR --set ...` (the loopback settings of the collector, compose and
alerts targets) gives every config; the programs are the pinned real ones
(scripts/tools.versions): the collector build `otelcol-obsc`, Prometheus 3.7.3,
Alertmanager 0.28.1 and Loki 3.5.7. Prometheus, Alertmanager and Loki get the flags of
the rendered compose overlay's `command:`, with the container paths replaced by local ones
and a loopback listen address added.

Tempo is not run: it cannot be built here (github.com/grafana/tempo is AGPL and not to be
used on this workplace). Its stand-in is a second `otelcol-obsc` with an OTLP/gRPC receiver
and the `file` exporter, listening where the rendered collector sends traces, so the run
shows spans leaving the rendered collector over OTLP under the app's service name.
Tempo's own API (what `obsc verify --tempo` reads) is covered by tests/verify's fakes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.collector.collector_run import free_ports
from tests.conftest import ROOT
from tests.live.processes import Deadline, Processes

ENV = "dev"
SERVICE = "checkout"
TEAM = "payments"
INTERVAL = "2s"
APP_MODULE = "tests.live.app.checkout"
# Container paths in the overlay's `command:` flags, and what stands for them here.
CONTAINER_PATH_FLAGS = ("--config.file", "-config.file", "--storage.tsdb.path", "--storage.path")


@dataclass(frozen=True)
class Ports:
    """Every listener of the run, each a port that was free when picked."""

    otlp_grpc: int
    otlp_http: int
    health: int
    telemetry: int
    prometheus: int
    alertmanager: int
    loki: int
    loki_grpc: int
    traces: int
    app: int

    @classmethod
    def pick(cls) -> Ports:
        return cls(*free_ports(len(fields(cls))))


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text())


class LiveStack:
    """Renders the loopback configs into `work` and runs the stack from them."""

    def __init__(self, work: Path, tools: dict[str, Path], deadline: Deadline) -> None:
        self.work = work
        self.tools = tools
        self.deadline = deadline
        self.ports = Ports.pick()
        self.out = work / "rendered"
        self.env_dir = self.out / ENV
        self.traces_dir = work / "traces"
        self.processes = Processes(work)

    def url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}"

    @property
    def prometheus(self) -> str:
        return self.url(self.ports.prometheus)

    @property
    def alertmanager(self) -> str:
        return self.url(self.ports.alertmanager)

    @property
    def loki(self) -> str:
        return self.url(self.ports.loki)

    @property
    def collector(self) -> str:
        """The collector's OTLP/HTTP base URL."""
        return self.url(self.ports.otlp_http)

    @property
    def app(self) -> str:
        return self.url(self.ports.app)

    def settings(self, webhook: str) -> list[str]:
        """The `--set` values pointing every rendered component at this run."""
        p, loopback = self.ports, "127.0.0.1"
        values = {
            "collector.host": loopback,
            "collector.otlpGrpcPort": p.otlp_grpc,
            "collector.otlpHttpPort": p.otlp_http,
            "collector.healthPort": p.health,
            "collector.telemetryPort": p.telemetry,
            "collector.prometheusUrl": self.prometheus,
            "collector.lokiUrl": self.loki,
            "collector.tempoEndpoint": f"{loopback}:{p.traces}",
            "collector.scrapeTargets": f"{SERVICE}={loopback}:{p.app}",
            "collector.scrapeInterval": INTERVAL,
            # No Docker here: the app's logs come by OTLP; nothing to tail.
            "collector.logs": str(self.work / "no-container-logs" / "*.log"),
            "compose.alertmanager": f"{loopback}:{p.alertmanager}",
            "compose.collectorMetrics": f"{loopback}:{p.telemetry}",
            "compose.prometheus": f"{loopback}:{p.prometheus}",
            "compose.interval": INTERVAL,
            "compose.rulesDir": str(self.env_dir / "alerts" / "rules"),
            "compose.loki": f"{loopback}:{p.loki}",
            "compose.lokiGrpc": f"{loopback}:{p.loki_grpc}",
            "compose.lokiDir": str(self.work / "loki"),
            "compose.lokiRulesDir": str(self.work / "loki-rules"),
            "alerts.webhook": webhook,
        }
        return [f"--set={key}={value}" for key, value in values.items()]

    def render(self, webhook: str) -> None:
        """`obsc render` of dev with the loopback settings into `work/rendered`."""
        argv = [sys.executable, "-m", "compiler.cli", "--repo", str(ROOT), "render"]
        argv += ["--env", ENV, "--out", str(self.out), *self.settings(webhook)]
        argv += ["--no-policies"]  # policies are tests/policies' business, with cue
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        # The Loki ruler reads <rules dir>/<tenant>/; the overlay mounts the file there.
        tenant = self.work / "loki-rules" / "fake"
        tenant.mkdir(parents=True)
        (tenant / "rules.yaml").write_bytes((self.env_dir / "alerts/loki/rules.yaml").read_bytes())

    def overlay_flags(self, service: str, local: dict[str, str]) -> list[str]:
        """The rendered overlay's `command:` of a stack service, container paths replaced."""
        overlay = _yaml(self.env_dir / "compose" / "obs-stack.yml")
        flags: list[str] = []
        for flag in overlay["services"][service]["command"]:
            name, _, value = str(flag).partition("=")
            if name in local:
                flags.append(f"{name}={local[name]}")
            else:
                assert not value.startswith("/"), (
                    f"{service}: the overlay's flag {flag!r} names a container path this run "
                    "does not map (tests/live/stack.py)"
                )
                flags.append(str(flag))
        assert set(local) <= {str(f).partition("=")[0] for f in flags}, (service, local, flags)
        return flags

    def start(self) -> None:
        """Every backend, the collector and the trace stand-in, each ready before the next."""
        p, limit = self.ports, 60.0
        run = self.processes
        prometheus = self.overlay_flags(
            "prometheus",
            {
                "--config.file": str(self.env_dir / "compose" / "prometheus.yml"),
                "--storage.tsdb.path": str(self.work / "prometheus"),
            },
        )
        run.start(
            "prometheus",
            [
                self.tools["prometheus"],
                *prometheus,
                f"--web.listen-address=127.0.0.1:{p.prometheus}",
            ],
        )
        alertmanager = self.overlay_flags(
            "alertmanager",
            {
                "--config.file": str(self.env_dir / "alerts" / "alertmanager.yaml"),
                "--storage.path": str(self.work / "alertmanager"),
            },
        )
        run.start(
            "alertmanager",
            [
                self.tools["alertmanager"],
                *alertmanager,
                f"--web.listen-address=127.0.0.1:{p.alertmanager}",
                "--cluster.listen-address=",  # no gossip: a single instance
            ],
        )
        loki = self.overlay_flags(
            "loki", {"-config.file": str(self.env_dir / "compose" / "loki.yaml")}
        )
        run.start("loki", [self.tools["loki"], *loki])
        self.traces_dir.mkdir()
        standin = self.work / "trace-backend.yaml"
        standin.write_text(_trace_backend_config(p.traces, self.traces_dir / "traces.json"))
        run.start("trace-backend", [self.tools["otelcol-obsc"], f"--config=file:{standin}"])
        collector = self.env_dir / "collector" / "config.yaml"
        run.start("collector", [self.tools["otelcol-obsc"], f"--config=file:{collector}"])

        run.wait_ready("prometheus", f"{self.prometheus}/-/ready", self.deadline, limit)
        run.wait_ready("alertmanager", f"{self.alertmanager}/-/ready", self.deadline, limit)
        run.wait_ready("loki", f"{self.loki}/ready", self.deadline, 90)
        run.wait_ready("collector", self.url(p.health), self.deadline, limit)

    def start_app(self) -> None:
        """The Flask app under `opentelemetry-instrument`, with the overlay's environment."""
        overlay = _yaml(self.env_dir / "compose" / "obs-stack.yml")
        env = {
            str(k): str(v).replace("$$", "$")
            for k, v in overlay["services"][SERVICE]["environment"].items()
        }
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = self.collector
        # In compose the collector tails the container's stdout; here the SDK ships the logs.
        env["OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED"] = "true"
        env["OTEL_BSP_SCHEDULE_DELAY"] = "500"
        env["OTEL_BLRP_SCHEDULE_DELAY"] = "500"
        instrument = Path(sys.executable).parent / "opentelemetry-instrument"
        argv: list[str | Path] = [instrument, sys.executable, "-m", APP_MODULE, str(self.ports.app)]
        self.processes.start("app", argv, env=env, cwd=ROOT)
        self.processes.wait_ready("app", f"{self.app}/metrics", self.deadline, 60)

    def traces(self) -> Iterator[dict[str, Any]]:
        """Each resourceSpans the trace stand-in received (its file exporter's JSON lines)."""
        import json

        path = self.traces_dir / "traces.json"
        if not path.exists():
            return
        for line in path.read_text().splitlines():
            if line.strip():
                yield from json.loads(line).get("resourceSpans", [])

    def stop(self) -> None:
        self.processes.stop_all()


def _trace_backend_config(port: int, path: Path) -> str:
    return f"""\
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:{port}
exporters:
  file:
    path: {path}
    flush_interval: 200ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file]
"""
