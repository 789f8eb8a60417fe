"""The scoring rule: noisy-or of weights, a threshold, a margin, infrastructure needs its image."""

from __future__ import annotations

import pytest

from compiler.detect import decide
from compiler.detect.dockerfile import parse_dockerfile
from compiler.detect.observation import Observation, service_name
from compiler.detect.scoring import image_language, parse_image, score_framework
from compiler.spec.models import FrameworkDocument


def framework(
    name: str, signatures: list[tuple[str, str, float]], **spec: object
) -> FrameworkDocument:
    return FrameworkDocument.model_validate(
        {
            "apiVersion": "obsc.dev/v1",
            "kind": "Framework",
            "metadata": {"name": name},
            "spec": {
                "displayName": name,
                "language": spec.get("language", "python"),
                "category": spec.get("category", "application"),
                "defaultPort": 8000,
                "metrics": {"source": "otel"},
                "detection": [{"type": t, "match": m, "weight": w} for t, m, w in signatures],
            },
        }
    )


def test_weights_combine_as_noisy_or() -> None:
    doc = framework("a", [("env", "A", 0.5), ("env", "B", 0.5), ("env", "C", 0.9)])
    seen = Observation("s", "test", env=["A", "B"])
    assert score_framework(doc, seen).score == pytest.approx(0.75)


def test_below_threshold_is_generic_with_the_language() -> None:
    doc = framework("a", [("env", "A", 0.4)], language="ruby")
    detection = decide(Observation("s", "test", env=["A"]), [doc])
    assert (detection.framework, detection.language, detection.confidence) == (
        "generic",
        "ruby",
        0.4,
    )


def test_two_close_candidates_are_generic() -> None:
    a = framework("a", [("env", "A", 0.8)])
    b = framework("b", [("env", "B", 0.75)])
    detection = decide(Observation("s", "test", env=["A", "B"]), [a, b])
    assert detection.framework == "generic"
    assert detection.evidence[0].startswith("ambiguous: a 0.8 and b 0.75")


def test_a_clear_winner_is_chosen_with_its_evidence() -> None:
    a = framework("a", [("env", "A", 0.8)])
    b = framework("b", [("env", "B", 0.6)])
    detection = decide(Observation("s", "test", env=["A", "B"]), [a, b])
    assert detection.framework == "a"
    assert detection.evidence == ["env A is set (weight 0.8)"]


def test_infrastructure_needs_its_image_or_command() -> None:
    db = framework("db", [("env", "DB_PASS", 0.9), ("image", "db", 0.9)], category="infrastructure")
    assert score_framework(db, Observation("s", "t", env=["DB_PASS"])).score == 0
    seen = Observation("s", "t", env=["DB_PASS"], images=["db:1"])
    assert score_framework(db, seen).score == pytest.approx(0.99)


@pytest.mark.parametrize(
    ("reference", "parts", "tag"),
    [
        ("postgres", ("postgres",), ""),
        ("postgres:16", ("postgres",), "16"),
        ("docker.io/library/postgres:16@sha256:abc", ("docker.io", "library", "postgres"), "16"),
        ("localhost:5000/team/app", ("localhost:5000", "team", "app"), ""),
        ("bitnami/redis:7.2", ("bitnami", "redis"), "7.2"),
    ],
)
def test_parse_image(reference: str, parts: tuple[str, ...], tag: str) -> None:
    ref = parse_image(reference)
    assert (ref.parts, ref.tag) == (parts, tag)


def test_image_signature_matches_whole_components_only() -> None:
    doc = framework("r", [("image", "redis", 0.9)], category="infrastructure")
    assert score_framework(doc, Observation("s", "t", images=["acme/redis:1"])).score == 0.9
    assert score_framework(doc, Observation("s", "t", images=["redis-commander"])).score == 0
    assert score_framework(doc, Observation("s", "t", images=["myredis"])).score == 0


def test_dependency_names_are_matched_exactly_not_by_substring() -> None:
    doc = framework("e", [("dependency", "express", 0.7)])
    seen = Observation("s", "t")
    seen.add_dependency("express-session", "1", "package.json")
    assert score_framework(doc, seen).score == 0


@pytest.mark.parametrize(
    ("image", "language"),
    [
        ("python:3.12-slim", "python"),
        ("node:20", "javascript"),
        ("eclipse-temurin:21-jre", "java"),
        ("golang:1.22", "go"),
        ("mcr.microsoft.com/dotnet/aspnet:8.0", "dotnet"),
        ("busybox", None),
    ],
)
def test_image_language(image: str, language: str | None) -> None:
    assert image_language(image) == language


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Mystery_Box", "mystery-box"),
        ("/shop_web_1", "shop-web-1"),
        ("__", "service"),
        ("a" * 70, "a" * 63),
    ],
)
def test_service_names_are_dns_labels(raw: str, name: str) -> None:
    assert service_name(raw) == name


def test_dockerfile_parsing() -> None:
    parsed = parse_dockerfile(
        "# build\nFROM golang:1.22 AS build\nRUN go build\n"
        "FROM gcr.io/distroless/static\nENV A=1 B=2\nEXPOSE 8080/tcp 9090\n"
        'ENTRYPOINT ["/app"]\nCMD --port \\\n  8080\n'
    )
    assert parsed.base_images == ["golang:1.22", "gcr.io/distroless/static"]
    assert parsed.command == "/app --port 8080"
    assert parsed.env == ["A", "B"]
    assert parsed.ports == ["8080/tcp", "9090"]
