"""Flux: a GitRepository reading only rendered/, and a HelmRelease of the environment's chart."""

from __future__ import annotations

from compiler.model import EnvironmentModel, GitOps

FLUX_NAMESPACE = "flux-system"
RELEASE_NAME = "obs-stack"
# gitignore syntax: everything but rendered/ is left out of the artifact.
IGNORE = "/*\n!/rendered/\n"


def _source_name(model: EnvironmentModel) -> str:
    return f"obs-{model.environment}"


def git_repository(model: EnvironmentModel, gitops: GitOps) -> dict[str, object]:
    """The repository at the configured branch, shipping only rendered/."""
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": _source_name(model), "namespace": FLUX_NAMESPACE},
        "spec": {
            "interval": "1m",
            "url": gitops.repo_url,
            "ref": {"branch": gitops.revision},
            "ignore": IGNORE,
        },
    }


def helm_release(model: EnvironmentModel, gitops: GitOps, chart_path: str) -> dict[str, object]:
    """The HelmRelease of the environment's chart, taken from the GitRepository.

    `reconcileStrategy: Revision` upgrades on every commit that changes the chart (the
    default, ChartVersion, only on Chart.yaml version bumps).

    The HelmRelease lives beside the GitRepository in flux-system (a namespace that exists);
    the release goes to the gitops namespace, created on install.
    """
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": f"obs-{model.environment}", "namespace": FLUX_NAMESPACE},
        "spec": {
            "interval": "10m",
            "releaseName": RELEASE_NAME,
            "targetNamespace": gitops.namespace,
            "chart": {
                "spec": {
                    "chart": f"./{chart_path}",
                    "reconcileStrategy": "Revision",
                    "sourceRef": {
                        "kind": "GitRepository",
                        "name": _source_name(model),
                        "namespace": FLUX_NAMESPACE,
                    },
                }
            },
            "install": {"createNamespace": True},
        },
    }
