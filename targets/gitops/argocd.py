"""Argo CD: one Application per environment, a Helm source at the environment's chart."""

from __future__ import annotations

from compiler.model import EnvironmentModel, GitOps

ARGOCD_NAMESPACE = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
RELEASE_NAME = "obs-stack"


def application(model: EnvironmentModel, gitops: GitOps, chart_path: str) -> dict[str, object]:
    """The Application syncing `chart_path` of the repo into the environment's namespace.

    `manifest-generate-paths: .` (the source path) makes Argo CD refresh the app only for
    commits that change the chart; ServerSideApply avoids the 256 KiB annotation limit of
    client-side apply on large rule and dashboard objects.
    """
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": f"obs-{model.environment}",
            "namespace": ARGOCD_NAMESPACE,
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
            "annotations": {"argocd.argoproj.io/manifest-generate-paths": "."},
        },
        "spec": {
            "project": "default",
            "source": {
                "repoURL": gitops.repo_url,
                "targetRevision": gitops.revision,
                "path": chart_path,
                "helm": {"releaseName": RELEASE_NAME},
            },
            "destination": {"server": IN_CLUSTER, "namespace": gitops.namespace},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
            },
        },
    }
