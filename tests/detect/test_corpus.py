"""The labelled corpus (real extracts, constructed bundles) is well-formed and detection reads it.

Accuracy on it is a figure (bench/detect_accuracy.py, bench/results/), not a test
assertion; these tests keep the corpus usable and prove detection never fails on real
inputs of each kind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

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


LANGUAGES = {"python", "javascript", "java", "ruby", "php", "go", "dotnet", "rust", "other"}


def _label(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return data


def test_every_label_is_valid() -> None:
    assert len(LABELS) >= 40
    known = _frameworks() | {"other"}
    for path in LABELS:
        label = _label(path)
        assert label["framework"] in known, path
        assert label["language"] in LANGUAGES, path
        assert label["licence"], path
        assert all(len(why) > 10 for why in (label.get("excluded") or {}).values()), path
        if label.get("origin") == "constructed":
            # written for obsc on a common public layout, not copied: says what it models
            assert path.parent.name.startswith("constructed-"), path
            assert len(label["modelled_on"]) > 40, path
        else:
            assert label["repo"].count("/") == 1 and len(label["commit"]) == 40, path
        for name, service in (label.get("services") or {}).items():
            assert label["input"] in ("compose", "k8s"), path
            assert service["framework"] in known, (path, name)
            assert service["language"] in LANGUAGES, (path, name)
            assert service["category"] in ("application", "infrastructure"), (path, name)


def _is_app(path: Path) -> bool:
    return not path.parent.name.startswith("deploy-") and not _label(path).get("services")


@pytest.mark.parametrize(
    "label",
    [p for p in LABELS if _is_app(p)],
    ids=lambda p: p.parent.name,
)
def test_detection_runs_on_every_app(label: Path) -> None:
    spec = _label(label)
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


@pytest.mark.parametrize(
    "label",
    [p for p in LABELS if _label(p).get("services")],
    ids=lambda p: p.parent.name,
)
def test_labelled_bundles_yield_exactly_their_services(label: Path) -> None:
    """The filters of a bundle leave the services it labels, no more and no fewer."""
    spec = _label(label)
    namespaces = frozenset(str(n) for n in spec.get("namespaces") or [])
    found = detect(spec["input"], label.parent / spec["path"], namespaces=namespaces)
    assert sorted(d.service for d in found) == sorted(
        [*spec["services"], *(spec.get("excluded") or {})]
    )
