"""The collector's own metrics that the stack's rules and dashboard read, from the real collector.

The example's dev collector config is rendered with its listeners on loopback (and its log
tailing pointed at an empty directory) and run three times with the pinned binary, each time
with one test knob that makes a failure happen now instead of after minutes:

- retries off: the backends' names (`loki`, `tempo`, `prometheus`) do not resolve here, so
  every export fails at once (`send_failed` counts, `sent` stays 0);
- a 2 MiB memory limit: the memory limiter refuses everything, the receivers count refusals;
- sending queues of one request and a long retry: the first request waits in the retry, the
  second fills the queue, the rest fail to enqueue and come back to the receivers refused.

Every name in compiler/output/collector_metrics.py must appear on the collector's Prometheus
endpoint, with exactly the labels that the generated promtool test (alerts/tests/
obsc.stack.test.yaml) feeds the rules. Some only exist after their event: queue size and
capacity and process memory exist from the start; receiver counters (refused at 0) and
`sent` once data arrives; `send_failed`, `enqueue_failed` and the memory limiter's refusals
only once they happen (the collector creates a counter at its first increment).
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.output.collector_metrics import (
    COLLECTOR_JOB,
    HEAP_ALLOC,
    MEMORY_RSS,
    QUEUE_CAPACITY,
    QUEUE_SIZE,
    used_metric_names,
)
from compiler.pipeline import load_estate
from targets.alerts.stack import TEST_FILE
from targets.alerts.stack_tests import stack_test_file
from tests.collector.collector_run import (
    Ports,
    post_otlp,
    render_for_run,
    resource,
    running_collector,
)
from tests.conftest import ROOT
from tests.realtools import require_tool

pytestmark = pytest.mark.slow  # three collector runs, about 40 s

Labels = frozenset[tuple[str, str]]
Scrape = dict[str, set[Labels]]
Knob = Callable[[dict[str, Any]], None]

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
NANOS = "1700000000000000000"
#: Present from start-up, before any data.
AT_START = {QUEUE_SIZE, QUEUE_CAPACITY, MEMORY_RSS, HEAP_ALLOC}


def parse(text: str) -> Scrape:
    """Prometheus text exposition: metric name -> the label sets of its samples."""
    found: Scrape = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match:
            labels = frozenset(_LABEL.findall(match.group(2) or ""))
            found.setdefault(match.group(1), set()).add(labels)
    return found


def scrape(ports: Ports) -> Scrape:
    url = f"http://127.0.0.1:{ports.telemetry}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        return parse(response.read().decode())


def send_each_signal(ports: Ports) -> None:
    """One log record, span and metric point of `checkout`; refusals (503) are expected."""
    payloads: dict[str, dict[str, object]] = {
        "logs": {
            "resourceLogs": [
                {
                    "resource": resource("checkout"),
                    "scopeLogs": [
                        {"logRecords": [{"timeUnixNano": NANOS, "body": {"stringValue": "hi"}}]}
                    ],
                }
            ]
        },
        "traces": {
            "resourceSpans": [
                {
                    "resource": resource("checkout"),
                    "scopeSpans": [
                        {
                            "spans": [
                                {
                                    "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
                                    "spanId": "00f067aa0ba902b7",
                                    "name": "GET /",
                                    "kind": 2,
                                    "startTimeUnixNano": NANOS,
                                    "endTimeUnixNano": NANOS,
                                }
                            ]
                        }
                    ],
                }
            ]
        },
        "metrics": {
            "resourceMetrics": [
                {
                    "resource": resource("checkout"),
                    "scopeMetrics": [
                        {
                            "metrics": [
                                {
                                    "name": "probe_total",
                                    "sum": {
                                        "aggregationTemporality": 2,
                                        "isMonotonic": True,
                                        "dataPoints": [{"asInt": "1", "timeUnixNano": NANOS}],
                                    },
                                }
                            ]
                        }
                    ],
                }
            ]
        },
    }
    for path, payload in payloads.items():
        try:
            post_otlp(ports, path, payload)
        except urllib.error.HTTPError as error:
            assert error.code == 503, error  # refused: retryable, as the collector says


def no_retries(config: dict[str, Any]) -> None:
    for exporter in config["exporters"].values():
        exporter["retry_on_failure"] = {"enabled": False}


def tiny_memory_limit(config: dict[str, Any]) -> None:
    no_retries(config)
    config["processors"]["memory_limiter"] = {
        "check_interval": "100ms",
        "limit_mib": 2,
        "spike_limit_mib": 1,
    }


def one_request_queues(config: dict[str, Any]) -> None:
    for name, exporter in config["exporters"].items():
        if name == "prometheus_remote_write":  # its own queue settings
            exporter["remote_write_queue"] = {"queue_size": 1, "num_consumers": 1}
        else:
            exporter["sending_queue"] = {"enabled": True, "queue_size": 1, "num_consumers": 1}
        exporter["retry_on_failure"] = {"enabled": True, "initial_interval": "60s"}


def _run(base: Path, knob: Knob, expect: set[str], requests: int) -> tuple[Scrape, Scrape]:
    """Start the collector with `knob` applied, scrape, send, and scrape once `expect` shows."""
    binary = require_tool("otelcol-obsc")
    ports = Ports.pick()
    (base / "logs").mkdir()
    config = render_for_run(ROOT, base, ports, None, f"{base}/logs/*.log")
    yaml = YAML(typ="safe")
    document = yaml.load(config.read_text(encoding="utf-8"))
    knob(document)
    with config.open("w", encoding="utf-8") as out:
        yaml.dump(document, out)
    with running_collector(binary, config, ports, base / "collector.log"):
        start = scrape(ports)
        deadline = time.monotonic() + 30
        while True:
            for _ in range(requests):
                send_each_signal(ports)
            time.sleep(0.5)
            after = scrape(ports)
            if expect <= set(after):
                return start, after
            assert time.monotonic() < deadline, sorted(expect - set(after))


def _failing(metric: str) -> set[str]:
    return {f"{metric}_{items}" for items in ("log_records", "metric_points", "spans")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Scrape, Scrape]]:
    return {
        "exports fail": _run(
            tmp_path_factory.mktemp("fail"), no_retries, _failing("otelcol_exporter_send_failed"), 1
        ),
        "memory limit": _run(
            tmp_path_factory.mktemp("memory"),
            tiny_memory_limit,
            _failing("otelcol_processor_memory_limiter_refused"),
            1,
        ),
        "queues full": _run(
            tmp_path_factory.mktemp("queue"),
            one_request_queues,
            _failing("otelcol_exporter_enqueue_failed"),
            4,
        ),
    }


def _everything(runs: dict[str, tuple[Scrape, Scrape]]) -> Scrape:
    merged: Scrape = {}
    for start, after in runs.values():
        for scraped in (start, after):
            for name, label_sets in scraped.items():
                merged.setdefault(name, set()).update(label_sets)
    return merged


def test_every_name_the_rules_and_dashboard_use_is_exposed(
    runs: dict[str, tuple[Scrape, Scrape]],
) -> None:
    exposed = _everything(runs)
    assert sorted(set(used_metric_names()) - set(exposed)) == []
    start, _ = runs["exports fail"]
    assert set(start) >= AT_START  # before any data arrives
    assert not {n for n in start if "send_failed" in n or "enqueue_failed" in n}
    # no `_total` or unit suffixes on this collector's counters (without_type_suffix/units)
    assert "otelcol_exporter_sent_spans" in exposed
    assert "otelcol_exporter_sent_spans_total" not in exposed


def test_refusals_reach_the_receivers(runs: dict[str, tuple[Scrape, Scrape]]) -> None:
    """The memory limiter's refusals and full queues both show as receiver refusals."""
    for name in ("memory limit", "queues full"):
        _, after = runs[name]
        assert _failing("otelcol_receiver_refused") <= set(after), name


def test_the_generated_promtool_test_feeds_the_real_label_sets(
    runs: dict[str, tuple[Scrape, Scrape]],
) -> None:
    """Each collector series the promtool test feeds the rules has the real labels."""
    model = load_estate(ROOT).resolved.environments["dev"]
    test = stack_test_file(model, f"../{TEST_FILE}")
    exposed = _everything(runs)
    fed = [
        series["series"]
        for case in test["tests"]
        for series in case["input_series"]
        if series["series"].startswith("otelcol_")
    ]
    assert fed
    for series in fed:
        name, _, body = series.partition("{")
        labels = dict(_LABEL.findall(body))
        assert labels.pop("job") == COLLECTOR_JOB and labels.pop("instance")
        assert frozenset(labels.items()) in exposed[name], (series, exposed[name])
