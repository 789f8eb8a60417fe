"""Compose, docker inspect, Kubernetes and Dockerfile inputs, on recorded fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from compiler.detect import Detection, detect
from tests.detect.conftest import FIXTURES


def by_service(detections: list[Detection]) -> dict[str, Detection]:
    return {d.service: d for d in detections}


def test_compose_services() -> None:
    found = by_service(detect("compose", FIXTURES / "compose" / "docker-compose.yml"))
    assert sorted(found) == ["api", "cache", "db", "mystery-box", "orders", "web"]
    assert (found["web"].framework, found["web"].language, found["web"].version) == (
        "flask",
        "python",
        "3.0.3",
    )
    assert "dependency Flask 3.0.3 in web/requirements.txt (weight 0.9)" in found["web"].evidence
    assert found["api"].framework == "express"
    assert found["orders"].framework == "spring-boot"
    assert found["orders"].ports == [8080]
    assert found["orders"].version == ""  # never the base image's tag
    assert (found["db"].framework, found["db"].category) == ("postgres", "infrastructure")
    assert found["db"].exporter is not None and "postgres" in found["db"].exporter
    assert found["cache"].framework == "redis"
    assert found["cache"].version == "7-alpine"
    assert found["mystery-box"].framework == "generic"
    assert found["web"].source == found["db"].source
    assert (
        found["web"].source.startswith("compose:") and "docker-compose.yml" in found["web"].source
    )


def test_env_values_never_reach_the_output() -> None:
    detections = detect("compose", FIXTURES / "compose" / "docker-compose.yml")
    detections += detect("inspect", FIXTURES / "inspect" / "containers.json")
    text = json.dumps([d.as_json() for d in detections])
    for secret in ("hunter2", "s3cr3t-value", "never-copy-this", "catalog.settings"):
        assert secret not in text


def test_shared_build_context_worker_is_not_claimed_as_the_web_framework() -> None:
    found = by_service(detect("compose", FIXTURES / "monorepo" / "docker-compose.yml"))
    assert found["web"].framework == "flask"
    worker = found["worker"]
    assert (worker.framework, worker.language) == ("generic", "python")
    assert worker.confidence < 0.5
    assert any("background worker" in e for e in worker.evidence)
    assert any("flask: dependency flask" in e for e in worker.evidence)


def test_docker_inspect_two_containers() -> None:
    found = by_service(detect("inspect", FIXTURES / "inspect" / "containers.json"))
    assert sorted(found) == ["shop-checkout-1", "shop-proxy-1"]
    assert found["shop-checkout-1"].framework == "spring-boot"
    assert (
        "label org.springframework.boot.version (weight 0.9)" in found["shop-checkout-1"].evidence
    )
    assert found["shop-proxy-1"].framework == "nginx"
    assert found["shop-proxy-1"].ports == [80]


def test_single_inspect_object_is_accepted(tmp_path: Path) -> None:
    items = json.loads((FIXTURES / "inspect" / "containers.json").read_text())
    single = tmp_path / "one.json"
    single.write_text(json.dumps(items[1]))
    (detection,) = detect("inspect", single)
    assert detection.framework == "nginx"


def test_kubernetes_multi_document_manifests() -> None:
    found = by_service(detect("k8s", FIXTURES / "k8s"))
    assert sorted(found) == ["catalog-api", "catalog-db", "nightly-report"]
    api = found["catalog-api"]
    assert api.framework == "django"
    assert api.ports == [8000]  # from the prometheus.io/port annotation
    assert api.version == ""
    assert found["catalog-db"].framework == "postgres"
    assert found["catalog-db"].version == "16.2"
    assert found["nightly-report"].framework == "generic"
    assert api.source.startswith("k8s:") and api.source.endswith("workloads.yaml")


def test_kubernetes_single_file() -> None:
    found = by_service(detect("k8s", FIXTURES / "k8s" / "workloads.yaml"))
    assert len(found) == 3


def test_dockerfile_only() -> None:
    (detection,) = detect("source", FIXTURES / "dockerfile-only")
    assert (detection.framework, detection.language, detection.version) == (
        "fastapi",
        "python",
        "0.110.0",
    )
    assert detection.ports == [8000]


def test_image_only() -> None:
    found = by_service(detect("compose", FIXTURES / "image-only.yml"))
    assert found["gateway"].framework == "aspnet-core"
    assert found["gateway"].language == "dotnet"
    assert found["maria"].framework == "mysql"
    assert found["docs"].framework == "nginx"


def test_client_of_a_database_is_not_the_database(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n  app:\n    image: acme/app:1\n    ports: ['5432']\n"
        "    environment: [POSTGRES_PASSWORD]\n"
    )
    (detection,) = detect("compose", compose)
    assert detection.framework == "generic"


def test_names_are_dns_labels_and_unique(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  My_App:\n    image: redis\n  my-app:\n    image: redis\n")
    names = [d.service for d in detect("compose", compose)]
    assert names == ["my-app", "my-app-2"]
