"""The shared rule: names as the collector's remote write stores them, and the platform."""

from __future__ import annotations

import pytest

from compiler.output.metric_names import MetricKind, platform_of, remote_written_name
from compiler.pipeline import load_estate
from targets.collector import platform_of as collector_platform
from targets.collector.settings import CollectorSettings
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("name", "kind", "unit", "arrived"),
    [
        # `total` inside a counter's name is dropped, one `_total` ends it
        ("django_http_responses_total_by_status_total", "counter", None,
         "django_http_responses_by_status_total"),
        ("http_requests_total", "counter", None, "http_requests_total"),
        ("flask_http_request_total", "counter", None, "flask_http_request_total"),
        ("total_requests", "counter", None, "requests_total"),
        ("jobs", "counter", None, "jobs_total"),
        ("a__b_total", "counter", None, "a_b_total"),
        # a histogram's series keep `total` tokens and their own suffix
        ("django_http_requests_latency_seconds_by_view_method_bucket", "histogram", None,
         "django_http_requests_latency_seconds_by_view_method_bucket"),
        ("http_server_requests_seconds_count", "histogram", None,
         "http_server_requests_seconds_count"),
        ("queue_total_wait_seconds", "histogram", None, "queue_total_wait_seconds"),
        # a declared unit the name lacks is appended, one it has is not
        ("request_latency", "histogram", "seconds", "request_latency_seconds"),
        ("request_latency_seconds_count", "histogram", "seconds", "request_latency_seconds_count"),
        ("request_latency_sum", "histogram", "ms", "request_latency_milliseconds_sum"),
        ("payload", "counter", "bytes", "payload_bytes_total"),
        ("payload_total", "counter", "By", "payload_bytes_total"),
        # dots (OTLP names, UTF-8 exposition) become `_`, units and `_total` as above
        ("http.server.request.duration", "histogram", "s", "http_server_request_duration_seconds"),
        ("http.server.request.duration_count", "histogram", "s",
         "http_server_request_duration_seconds_count"),
        ("payload.received", "counter", "By", "payload_received_bytes_total"),
        ("jobs.total.done", "counter", None, "jobs_done_total"),
    ],
)  # fmt: skip
def test_remote_written_names(name: str, kind: MetricKind, unit: str | None, arrived: str) -> None:
    assert remote_written_name(name, kind, unit) == arrived


def test_platform_follows_the_deployment_targets() -> None:
    assert platform_of(("compose", "collector", "alerts")) == "compose"
    assert platform_of(("helm", "collector")) == "kubernetes"
    assert platform_of(("gitops",)) == "kubernetes"
    assert platform_of(("alerts",)) == "compose"


def test_the_collector_decides_the_platform_the_names_assume() -> None:
    """The collector scrapes (compose) exactly where the resolver renamed the names."""
    for model in load_estate(ROOT).resolved.environments.values():
        assert collector_platform(model, CollectorSettings()) == platform_of(model.targets)
