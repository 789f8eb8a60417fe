"""Names as they arrive through the collector, and the platform that decides which ones apply."""

from __future__ import annotations

import pytest

from compiler.pipeline import load_estate
from compiler.resolve.metric_names import MetricKind, platform_of, remote_written_name
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("name", "kind", "unit", "arrived"),
    [
        # `total` inside a counter's name is dropped, one `_total` ends it
        ("django_http_responses_total_by_status_total", "counter", None,
         "django_http_responses_by_status_total"),
        ("http_requests_total", "counter", None, "http_requests_total"),
        ("flask_http_request_total", "counter", None, "flask_http_request_total"),
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
        ("payload", "counter", "bytes", "payload_bytes_total"),
    ],
)  # fmt: skip
def test_remote_written_names(name: str, kind: MetricKind, unit: str | None, arrived: str) -> None:
    assert remote_written_name(name, kind, unit) == arrived


def test_platform_follows_the_deployment_targets() -> None:
    assert platform_of(("compose", "collector", "alerts")) == "compose"
    assert platform_of(("helm", "collector")) == "kubernetes"
    assert platform_of(("gitops",)) == "kubernetes"
    assert platform_of(("alerts",)) == "compose"


def test_django_rules_name_the_metric_as_each_path_stores_it() -> None:
    """dev renders compose (the collector scrapes), prod helm (Prometheus scrapes)."""
    environments = load_estate(ROOT).resolved.environments
    dev, prod = environments["dev"].service("invoicing"), environments["prod"].service("invoicing")
    assert dev is not None and prod is not None and dev.framework == "django"
    assert dev.metrics.request_metric == "django_http_responses_by_status_view_method_total"
    assert prod.metrics.request_metric == "django_http_responses_total_by_status_view_method_total"
    assert "django_http_responses_by_status_view_method_total{" in dev.slos[0].sli.total
    assert "django_http_responses_total_by_status_view_method_total{" in prod.slos[0].sli.total
