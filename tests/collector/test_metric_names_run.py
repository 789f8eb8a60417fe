"""The names metrics arrive under through the real collector, against `remote_written_name`.

A loopback exporter serves Prometheus text with `total` inside counter names, `__`, a
counter without `_total` and a histogram with a `total` token; an OTLP push adds dotted
names with units. The rendered collector (moved onto loopback) scrapes and receives them
and remote-writes into a real Prometheus, whose names must be exactly those
`compiler.output.metric_names` predicts, and the originals where they differ absent.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pytest

from compiler.output.metric_names import MetricKind, remote_written_name
from tests.collector.collector_run import Ports, free_ports, post_otlp, running_collector
from tests.frameworks.sli_truth_run import (
    PROMETHEUS_TOOL,
    PrometheusAPI,
    prometheus_config,
    running,
)
from tests.frameworks.truth_estate import App, render_loopback, write_estate
from tests.realtools import require_tool

EXPOSITION: Final = b"""# TYPE django_http_responses_total_by_status_view_method_total counter
django_http_responses_total_by_status_view_method_total{status="200"} 3
# TYPE jobs counter
jobs 4
# TYPE a__b_total counter
a__b_total 1
# TYPE queue_total_wait_seconds histogram
queue_total_wait_seconds_bucket{le="1"} 1
queue_total_wait_seconds_bucket{le="+Inf"} 1
queue_total_wait_seconds_sum 0.5
queue_total_wait_seconds_count 1
"""
SCRAPED: Final[tuple[tuple[str, MetricKind], ...]] = (
    ("django_http_responses_total_by_status_view_method_total", "counter"),
    ("jobs", "counter"),
    ("a__b_total", "counter"),
    ("queue_total_wait_seconds_bucket", "histogram"),
    ("queue_total_wait_seconds_count", "histogram"),
)
# (OTLP name, unit, kind): pushed by the generic service
PUSHED: Final[tuple[tuple[str, str, MetricKind], ...]] = (
    ("http.server.request.duration", "s", "histogram"),
    ("payload.received", "By", "counter"),
)
APPS: Final = [
    App("flask", "flask", "python", True, "python/flask_app.py"),
    App("generic-python", "generic", "python", False, "python/generic_app.py"),
]


class _Exposition(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(EXPOSITION)

    def log_message(self, format: str, *args: object) -> None:
        return None


@contextmanager
def _serving(port: int) -> Iterator[None]:
    """The exposition on 127.0.0.1:`port` for the duration of the block."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Exposition)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _otlp_metrics(service: str) -> dict[str, object]:
    now = str(time.time_ns())
    start = str(time.time_ns() - 10**9)
    histogram = {
        "name": PUSHED[0][0],
        "unit": PUSHED[0][1],
        "histogram": {
            "aggregationTemporality": 2,
            "dataPoints": [
                {
                    "startTimeUnixNano": start,
                    "timeUnixNano": now,
                    "count": "1",
                    "sum": 0.2,
                    "explicitBounds": [0.5],
                    "bucketCounts": ["1", "0"],
                }
            ],
        },
    }
    counter = {
        "name": PUSHED[1][0],
        "unit": PUSHED[1][1],
        "sum": {
            "aggregationTemporality": 2,
            "isMonotonic": True,
            "dataPoints": [{"startTimeUnixNano": start, "timeUnixNano": now, "asDouble": 7}],
        },
    }
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]}
    return {
        "resourceMetrics": [
            {"resource": resource, "scopeMetrics": [{"metrics": [histogram, counter]}]}
        ]
    }


@pytest.mark.slow
def test_names_arrive_as_predicted(tmp_path: Path) -> None:
    prometheus = require_tool(PROMETHEUS_TOOL)
    collector = require_tool("otelcol-obsc")
    prom, exporter = free_ports(2)
    ports = Ports.pick()
    repo = write_estate(tmp_path / "repo", APPS, {"flask": exporter})
    out = tmp_path / "out"
    render_loopback(repo, out, ports, prom, {"flask-c": exporter})
    (tmp_path / "prometheus.yml").write_text(prometheus_config([], {}))
    command = [
        str(prometheus),
        f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{prom}",
        "--web.enable-remote-write-receiver",
    ]
    config = out / "viacollector" / "collector" / "config.yaml"
    api = PrometheusAPI(prom)
    expected = {remote_written_name(name, kind) for name, kind in SCRAPED}
    pushed = {
        remote_written_name(name, kind, unit) + ("_count" if kind == "histogram" else "")
        for name, unit, kind in PUSHED
    }
    with (
        running(command, tmp_path / "prometheus.log", f"http://127.0.0.1:{prom}/-/ready"),
        running_collector(collector, config, ports, tmp_path / "collector.log"),
        _serving(exporter),
    ):
        post_otlp(ports, "metrics", _otlp_metrics("generic-python-c"))

        def names(service: str) -> set[str]:
            result = api.query(f'group by (__name__) ({{service="{service}"}})')
            return {r["metric"]["__name__"] for r in result}

        deadline = time.monotonic() + 30
        while not (expected <= names("flask-c") and pushed <= names("generic-python-c")):
            assert time.monotonic() < deadline, (names("flask-c"), names("generic-python-c"))
            time.sleep(0.5)
        scraped_names = names("flask-c")
    assert expected == {
        "django_http_responses_by_status_view_method_total",
        "jobs_total",
        "a_b_total",
        "queue_total_wait_seconds_bucket",
        "queue_total_wait_seconds_count",
    }
    renamed = {name for name, _ in SCRAPED} - expected
    assert not renamed & scraped_names, "an original name arrived unchanged"
    assert pushed == {"http_server_request_duration_seconds_count", "payload_received_bytes_total"}
