"""The moving parts of the SLI-truth test: real apps, a real Prometheus, known traffic.

Each app serves /ok, /fail (a returned 500), /raise (an exception the framework turns into
a 500) and /slow (0.7 s, over the 500ms latency threshold). The client records what every
request got: that is the truth the SLIs are held to.
"""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROMETHEUS_TOOL = "prometheus"  # the pinned server of tests/realtools.py; one line to switch
SLOW_SECONDS = 0.5  # the latency SLOs' threshold; /slow takes 0.7 s
MIX: Mapping[str, int] = {"ok": 120, "fail": 15, "raise": 15, "slow": 10}
HEALTHY_MIX: Mapping[str, int] = {"ok": 80}
ROUNDS = 8  # the traffic is spread over this many seconds


@dataclass
class Truth:
    """What the client saw of one app's traffic."""

    requests: int = 0
    errors: int = 0  # answered with a 5xx
    # /slow requests, which sleep 0.7 s in the handler: the client's clock would also count
    # queueing on a loaded machine, which no server-side histogram sees
    slow: int = 0

    def ratio(self, slo: str) -> float:
        """The error ratio the SLO's SLI should measure."""
        return (self.errors if slo == "availability" else self.slow) / self.requests


def http_get(url: str, timeout: float = 10) -> tuple[int, float]:
    """(status, seconds) of one GET; an HTTP error status is an answer, not a failure."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, time.monotonic() - started


def wait_until_listening(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `url` until it answers at all; the process dying is a failure with its log."""
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise AssertionError(f"{url}: exited {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            http_get(url, timeout=1)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} never answered:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.2)


@contextmanager
def running(
    command: Sequence[str], log: Path, ready_url: str, env: Mapping[str, str] | None = None
) -> Iterator[None]:
    """A process, answering on `ready_url`, for the duration of the block."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, env=dict(env) if env else None
        )
        try:
            wait_until_listening(ready_url, process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def running_all(
    starts: Sequence[tuple[Sequence[str], Path, str, Mapping[str, str] | None]],
) -> Iterator[None]:
    """Several processes (`running` arguments each), all stopped when the block ends."""
    with ExitStack() as stack:
        for command, log, url, env in starts:
            stack.enter_context(running(command, log, url, env))
        yield


def _get_at(url: str, at: float) -> tuple[int, float]:
    """`http_get(url)` at monotonic time `at`."""
    time.sleep(max(0.0, at - time.monotonic()))
    return http_get(url)


def drive(bases: Mapping[str, str], mixes: Mapping[str, Mapping[str, int]]) -> dict[str, Truth]:
    """Send each app (base URL by name) its mix, shuffled and spread over ROUNDS seconds.

    Within a round the apps take turns and the requests are spaced evenly over the second:
    fired all at once, a burst of twenty on one app makes its last request wait for the
    others in the server, which its latency histogram rightly counts but the client's truth
    (slow: the /slow requests) does not.
    """
    rng = random.Random(22)
    plan: dict[str, list[str]] = {}
    for name, mix in mixes.items():
        paths = [path for path, count in mix.items() for _ in range(count)]
        rng.shuffle(paths)
        plan[name] = paths
    truths = {name: Truth() for name in plan}
    with ThreadPoolExecutor(max_workers=32) as pool:
        for round_ in range(ROUNDS):
            started = time.monotonic()
            turns = [
                (name, path)
                for turn in itertools.zip_longest(
                    *[[(name, p) for p in paths[round_::ROUNDS]] for name, paths in plan.items()]
                )
                for name, path in filter(None, turn)
            ]
            batch = [
                (
                    name,
                    path,
                    pool.submit(_get_at, f"{bases[name]}/{path}", started + k / len(turns)),
                )
                for k, (name, path) in enumerate(turns)
            ]
            for name, path, future in batch:
                status, seconds = future.result()
                truth = truths[name]
                truth.requests += 1
                truth.errors += status >= 500
                truth.slow += path == "slow"
                assert path != "slow" or seconds > SLOW_SECONDS, (name, seconds)
            time.sleep(max(0.0, 1 - (time.monotonic() - started)))
    return truths


def warm_up(bases: Mapping[str, str], mixes: Mapping[str, Mapping[str, int]]) -> None:
    """One request of each kind, so every series exists before the measured traffic.

    A labelled series appears with its first request; what happened before its first scrape
    is invisible to rate(), so the measured traffic starts only once each one is scraped.
    """
    for name, mix in mixes.items():
        for path in mix:
            http_get(f"{bases[name]}/{path}")


class PrometheusAPI:
    """Instant queries against a Prometheus on loopback."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def query(self, promql: str) -> list[dict[str, Any]]:
        url = f"{self.base}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return list(json.loads(response.read())["data"]["result"])

    def value(self, promql: str) -> float | None:
        result = self.query(promql)
        assert len(result) <= 1, (promql, result)
        return float(result[0]["value"][1]) if result else None

    def series_per_service(self, selectors: Mapping[str, str]) -> Counter[str]:
        """How many series each service's selector (service -> PromQL selector) finds."""
        return Counter(
            {
                service: len(self.query(f"last_over_time({sel}[10s])"))
                for service, sel in selectors.items()
            }
        )


def prometheus_config(
    rule_files: Sequence[Path], scrapes: Mapping[str, tuple[str, str]], interval: str = "1s"
) -> str:
    """prometheus.yml: rules, and a scrape job per directly scraped service (`service` label).

    `scrapes`: service -> (HOST:PORT, metrics path); the static label is what the helm
    target's PodMonitor relabelling gives every scraped series.
    """
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [
            {
                "job_name": service,
                "metrics_path": path,
                "static_configs": [{"targets": [address], "labels": {"service": service}}],
            }
            for service, (address, path) in scrapes.items()
        ],
    }
    return json.dumps(config, indent=1)  # JSON is YAML
