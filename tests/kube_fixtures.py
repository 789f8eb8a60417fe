"""Fixtures: rendered estates and offline Kubernetes schemas (tests/helm, tests/gitops_target)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.kube import kubernetes_schemas, render_tree, write_tree

ESTATES = {"example": ROOT, "flux": FIXTURES / "flux", "secret-refs": FIXTURES / "secret-refs"}


@pytest.fixture(scope="session")
def k8s_schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kubeconform-ready Kubernetes schemas (from kubernetes-validate)."""
    return kubernetes_schemas(tmp_path_factory.mktemp("k8s-schemas"))


@pytest.fixture(scope="session")
def rendered_estates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """rendered/ of the example estate (specs/) and of the Flux estate, by estate name."""
    return {
        name: write_tree(render_tree(repo), tmp_path_factory.mktemp(f"rendered-{name}"))
        for name, repo in ESTATES.items()
    }


@pytest.fixture(scope="session")
def charts(rendered_estates: dict[str, Path]) -> dict[str, Path]:
    """Every rendered chart, by `<estate>/<env>`."""
    found = {
        f"{estate}/{chart.parent.parent.name}": chart
        for estate, root in rendered_estates.items()
        for chart in sorted(root.glob("*/helm/obs-stack"))
    }
    assert found, "no chart rendered"
    return found
