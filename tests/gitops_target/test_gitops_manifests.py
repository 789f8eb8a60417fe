"""The gitops target: Argo CD (example estate) and Flux (tests/fixtures/flux) manifests.

Each is checked by kubeconform against the strict Argo CD / Flux CRD schemas, and for the
settings the engines need to apply the chart on every change (docs/contracts.md).
"""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import load_estate, render_files
from tests.conftest import FIXTURES
from tests.kube import kubeconform, objects
from tests.realtools import Tool


def _manifests(root: Path) -> list[Path]:
    return sorted(root.glob("*/gitops/*.yaml"))


def test_every_gitops_manifest_conforms(
    real_tool: Tool, rendered_estates: dict[str, Path], k8s_schemas: Path
) -> None:
    checked = 0
    for root in rendered_estates.values():
        manifests = _manifests(root)
        if not manifests:  # an estate without the gitops target (e.g. secret-refs)
            continue
        checked += 1
        result = kubeconform(real_tool("kubeconform"), k8s_schemas, manifests)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Invalid: 0, Errors: 0, Skipped: 0" in result.stdout, result.stdout
    assert checked == 2  # the example estate (Argo CD) and the Flux estate


def test_argocd_application_syncs_the_environments_chart(
    rendered_estates: dict[str, Path],
) -> None:
    root = rendered_estates["example"]
    assert [p.relative_to(root).as_posix() for p in _manifests(root)] == [
        "prod/gitops/application.yaml"
    ]
    (app,) = objects((root / "prod/gitops/application.yaml").read_text())
    assert app["kind"] == "Application"
    assert app["metadata"]["annotations"] == {"argocd.argoproj.io/manifest-generate-paths": "."}
    spec = app["spec"]
    assert spec["source"] == {
        "repoURL": "https://git.example.com/platform/observability.git",
        "targetRevision": "main",
        "path": "rendered/prod/helm/obs-stack",
        "helm": {"releaseName": "obs-stack"},
    }
    assert spec["destination"]["namespace"] == "observability"
    assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "CreateNamespace=true" in spec["syncPolicy"]["syncOptions"]
    assert (root / spec["source"]["path"].removeprefix("rendered/") / "Chart.yaml").is_file()


def test_flux_renders_a_source_and_release_per_environment(
    rendered_estates: dict[str, Path],
) -> None:
    root = rendered_estates["flux"]
    for env in ("dev", "staging", "prod"):
        (repo,) = objects((root / env / "gitops/gitrepository.yaml").read_text())
        (release,) = objects((root / env / "gitops/helmrelease.yaml").read_text())
        assert repo["spec"]["ignore"] == "/*\n!/rendered/\n"
        assert repo["spec"]["ref"] == {"branch": "main"}
        chart = release["spec"]["chart"]["spec"]
        assert chart["chart"] == f"./rendered/{env}/helm/obs-stack"
        assert chart["reconcileStrategy"] == "Revision"
        assert chart["sourceRef"] == {
            "kind": "GitRepository",
            "name": repo["metadata"]["name"],
            "namespace": repo["metadata"]["namespace"],
        }
        assert release["spec"]["targetNamespace"] == "monitoring"
        assert (root / env / "helm/obs-stack/Chart.yaml").is_file()


def test_gitops_selected_alone_renders_through_its_helm_dependency() -> None:
    estate = load_estate(FIXTURES / "flux")
    files = render_files(estate.resolved, [("dev", "gitops")])
    assert sorted(files) == ["dev/gitops/gitrepository.yaml", "dev/gitops/helmrelease.yaml"]


def test_gitops_without_a_gitops_section_fails_with_a_clear_message() -> None:
    import pytest

    from compiler.errors import RenderError

    estate = load_estate(FIXTURES / "flux")
    model = estate.resolved.environments["dev"].model_copy(update={"gitops": None})
    estate.resolved.environments["dev"] = model
    with pytest.raises(RenderError, match="no `gitops` section"):
        render_files(estate.resolved, [("dev", "gitops")])
