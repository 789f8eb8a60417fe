"""The labelled corpus of real applications is well-formed and detection runs on all of it.

Accuracy on it is a figure (bench/detect_accuracy.py, bench/results/), not a test
assertion; these tests keep the corpus usable and prove detection never fails on real
inputs of each kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from ruamel.yaml import YAML

from compiler.detect import detect
from compiler.errors import DiagnosticSink
from compiler.frameworks import load_builtin_frameworks
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "detect_corpus"
LABELS = sorted(CORPUS.glob("*/LABEL.yaml"))


def _frameworks() -> set[str]:
    return {p.model.metadata.name for p in load_builtin_frameworks(DiagnosticSink())}


def test_every_label_is_valid() -> None:
    assert len(LABELS) >= 40
    known = _frameworks() | {"other"}
    for path in LABELS:
        label = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        assert label["framework"] in known, path
        assert label["licence"] and label["repo"].count("/") == 1, path
        assert label["language"] in {
            "python",
            "javascript",
            "java",
            "ruby",
            "php",
            "go",
            "dotnet",
            "rust",
            "other",
        }, path


@pytest.mark.parametrize(
    "label",
    [p for p in LABELS if not p.parent.name.startswith("deploy-")],
    ids=lambda p: p.parent.name,
)
def test_detection_runs_on_every_app(label: Path) -> None:
    spec = YAML(typ="safe").load(label.read_text(encoding="utf-8"))
    found = detect("source", label.parent / str(spec.get("path") or ""))
    assert len(found) == 1
    assert 0.0 <= found[0].confidence <= 1.0
    assert found[0].language != ""


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("compose", "deploy-voting-app/docker-compose.yml"),
        ("compose", "deploy-sock-shop/deploy/docker-compose/docker-compose.yml"),
        ("compose", "deploy-petclinic-microservices/docker-compose.yml"),
        ("k8s", "deploy-online-boutique/kubernetes-manifests"),
        ("k8s", "deploy-voting-app/k8s-specifications"),
    ],
)
def test_real_deployment_bundles_are_read(kind: Literal["compose", "k8s"], path: str) -> None:
    found = detect(kind, CORPUS / path)
    assert len(found) >= 3
    assert len({d.service for d in found}) == len(found)
