"""The built-in framework database: complete, consistent, and extendable by user specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.errors import DiagnosticSink
from compiler.frameworks import load_builtin_frameworks
from compiler.pipeline import load_estate
from compiler.spec.models import FrameworkDocument
from compiler.spec.types import duration_seconds
from compiler.spec.validate import Parsed

APPLICATIONS = {
    "flask",
    "django",
    "fastapi",
    "express",
    "nestjs",
    "spring-boot",
    "quarkus",
    "rails",
    "laravel",
    "gin",
    "echo",
    "aspnet-core",
    "nextjs",
    "go-net-http",
    "generic",
}
INFRASTRUCTURE = {"postgres", "mysql", "redis", "mongodb", "nginx"}
COMMON_OTEL_VARIABLES = {
    "OTEL_SERVICE_NAME",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
}


def _database() -> dict[str, Parsed[FrameworkDocument]]:
    sink = DiagnosticSink()
    entries = load_builtin_frameworks(sink)
    assert not sink.items, [d.render() for d in sink.items]
    return {p.model.metadata.name: p for p in entries}


def test_every_required_entry_is_shipped() -> None:
    database = _database()
    assert set(database) >= APPLICATIONS | INFRASTRUCTURE
    for name in INFRASTRUCTURE:
        spec = database[name].model.spec
        assert spec.category == "infrastructure"
        assert spec.exporter is not None and ":" in spec.exporter.image, name


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_application_supports_availability_and_latency(name: str) -> None:
    spec = _database()[name].model.spec
    assert spec.category == "application"
    assert spec.metrics.requests is not None, "availability SLIs need a request counter"
    assert spec.metrics.duration is not None, "latency SLIs need a duration histogram"
    buckets = spec.metrics.duration.buckets
    assert buckets == sorted(buckets)
    threshold = spec.defaults.latency_threshold
    if threshold is not None:
        scale = 0.001 if spec.metrics.duration.unit == "milliseconds" else 1.0
        assert any(abs(duration_seconds(threshold) - b * scale) < 1e-9 for b in buckets)
    assert not COMMON_OTEL_VARIABLES & set(spec.instrumentation.env), "obsc sets these itself"
    if name != "generic":
        assert spec.detection, "obsc detect needs signatures"


def test_user_framework_replaces_builtin_and_is_named_in_provenance(minimal_repo: Path) -> None:
    (minimal_repo / "specs" / "flask.yaml").write_text(
        """\
apiVersion: obsc.dev/v1
kind: Framework
metadata:
  name: flask
spec:
  displayName: Flask (house build)
  language: python
  defaultPort: 8080
  metrics:
    source: otel
    requests: {metric: http_server_request_duration_seconds_count,
               errorSelector: 'http_response_status_code=~"5.."'}
    duration: {metric: http_server_request_duration_seconds, buckets: [0.1, 0.25, 0.5, 1]}
  defaults: {sampling: 0.3}
"""
    )
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text().replace("  sampling: 0.5\n", ""))
    estate = load_estate(minimal_repo).resolved
    api = estate.environments["dev"].service("api")
    assert api is not None
    assert api.metrics.source == "otel"
    chain = estate.provenance[("api", "dev")].chains["sampling"]
    assert chain[0].origin == "framework:flask (user-defined)"
    assert str(chain[0].location) == "specs/flask.yaml:14:24"


def test_nextjs_project_with_an_older_otel_agent_is_warned(tmp_path: Path) -> None:
    """nextjs.yaml assumes the auto-instrumentations-node release its SLIs were proven on."""
    from compiler.detect import detect

    (tmp_path / "package.json").write_text(
        '{"dependencies": {"next": "16.5.0", "react": "19.3.1", "@opentelemetry/api": "1.9.1",'
        ' "@opentelemetry/auto-instrumentations-node": "^0.50.0"}}'
    )
    (detection,) = detect("source", tmp_path)
    assert detection.framework == "nextjs"
    (warning,) = detection.warnings
    assert "declares @opentelemetry/auto-instrumentations-node 0.50.0" in warning
    assert "older than 0.81.2" in warning
