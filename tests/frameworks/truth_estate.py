"""The estate the SLI-truth tests render: per framework, services for both metric paths.

Each real app is one process, scraped twice: by Prometheus directly as `<app>-k` (the
Kubernetes path, environment `direct`, which renders helm) and by the collector as
`<app>-c` (the compose path, environment `viacollector`). Apps that push OTLP (generic)
only have the collector path. A healthy twin of every app (`<app>-h`) serves only fast
successes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.collector.collector_run import Ports

PROJECT = """apiVersion: obsc.dev/v1
kind: Project
metadata:
  name: truth
spec:
  environments:
    - name: viacollector
      targets: [model, compose, collector, alerts, grafana]
      sampling: 1.0
    - name: direct
      targets: [model, helm, collector, alerts, grafana]
      sampling: 1.0
"""

SERVICE = """apiVersion: obsc.dev/v1
kind: Service
metadata:
  name: {name}
  team: truth
  tier: 2
spec:
  framework: {framework}
  language: {language}
  port: {port}
  slos:
    - name: availability
      objective: 99
      sli: {{kind: availability}}
    - name: latency
      objective: 99
      sli: {{kind: latency, threshold: {threshold}}}
"""


@dataclass(frozen=True, slots=True)
class App:
    """A real app of one framework: how to start it and which paths its metrics take."""

    name: str
    framework: str
    language: str  # as a Service spec names it
    scraped: bool  # False: it pushes OTLP to the collector
    source: str  # under tests/frameworks/apps/
    threshold: str = "500ms"  # a bucket of the framework's histogram
    libraries: str = ""  # its install (app_deps.installed); "" for its language's

    def services(self) -> list[str]:
        """Its services: one per path, for the app and its healthy twin."""
        paths = ("c", "k") if self.scraped else ("c",)
        return [f"{self.name}{h}-{p}" for h in ("", "-h") for p in paths]


def write_estate(root: Path, apps: list[App], ports: dict[str, int]) -> Path:
    """specs/ for `apps` under `root`; `ports[app name]` is where each (healthy) app listens."""
    specs = root / "specs"
    (specs / "services").mkdir(parents=True, exist_ok=True)
    (specs / "project.yaml").write_text(PROJECT)
    for app in apps:
        for service in app.services():
            instance = service.rsplit("-", 1)[0]
            (specs / "services" / f"{service}.yaml").write_text(
                SERVICE.format(
                    name=service,
                    framework=app.framework,
                    language=app.language,
                    port=ports.get(instance, 8000),
                    threshold=app.threshold,
                )
            )
    return root


def _obsc(*args: str | Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "compiler.cli", *map(str, args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def render_loopback(
    repo: Path, out: Path, ports: Ports, prometheus: int, scrape_targets: Mapping[str, int]
) -> None:
    """Both environments into `out`; the collector's config moved onto loopback.

    It listens on `ports`, remote-writes to the Prometheus on port `prometheus`, and scrapes
    each of `scrape_targets` (collector-path service -> port on 127.0.0.1) every second.
    """
    targets = ",".join(f"{service}=127.0.0.1:{port}" for service, port in scrape_targets.items())
    loopback = [
        *ports.settings(),
        f"--set=collector.prometheusUrl=http://127.0.0.1:{prometheus}",
        "--set=collector.lokiUrl=http://127.0.0.1:9",
        "--set=collector.tempoEndpoint=127.0.0.1:9",
        "--set=collector.scrapeInterval=1s",
        f"--set=collector.scrapeTargets={targets}",
    ]
    base = ("--repo", repo, "render", "--no-policies", "--out", out)
    targets_c = ("-t", "alerts", "-t", "collector", "-t", "compose")
    _obsc(*base, "-e", "viacollector", *targets_c, *loopback)
    _obsc(*base, "-e", "direct", "-t", "alerts")
