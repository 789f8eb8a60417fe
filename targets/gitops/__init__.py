"""The `gitops` target: what makes Argo CD or Flux apply the environment's Helm chart.

Files, relative to `rendered/<env>/gitops/`:

- `engine: argocd`: `application.yaml`, an Application (namespace `argocd`) whose Helm
  source is `rendered/<env>/helm/obs-stack` at the project's repoURL and revision,
  synced automatically with prune and selfHeal into the gitops namespace;
- `engine: flux`: `gitrepository.yaml` (namespace `flux-system`, only `rendered/` shipped)
  and `helmrelease.yaml` (also in `flux-system`, releasing into the gitops namespace,
  `reconcileStrategy: Revision`).

The chart path assumes `rendered/` at the root of the repository. The target consumes
`helm` so that the chart is rendered for every environment that lists gitops.
"""

from __future__ import annotations

from collections.abc import Mapping

from compiler.model import EnvironmentModel
from compiler.output.canonical import dump_yaml
from compiler.render.contract import RenderedFiles, Target, assembled_only
from targets.gitops.argocd import application
from targets.gitops.flux import git_repository, helm_release

CHART = "helm/obs-stack"


def chart_path(model: EnvironmentModel) -> str:
    """The chart's folder, relative to the repository root."""
    return f"rendered/{model.environment}/{CHART}"


def render_gitops(model: EnvironmentModel, inputs: Mapping[str, bytes]) -> RenderedFiles:
    """The engine's manifests for one environment (ValueError without a gitops section)."""
    gitops = model.gitops
    if gitops is None:
        raise ValueError("the project has no `gitops` section (engine, repoURL, revision)")
    path = chart_path(model)
    if not any(p.startswith(f"{CHART}/") for p in inputs):
        raise ValueError(f"no chart to apply: the helm target rendered nothing at {path}")
    if gitops.engine == "argocd":
        return {"application.yaml": dump_yaml(application(model, gitops, path))}
    return {
        "gitrepository.yaml": dump_yaml(git_repository(model, gitops)),
        "helmrelease.yaml": dump_yaml(helm_release(model, gitops, path)),
    }


CONSUMES = ("helm",)

TARGET = Target(
    name="gitops",
    description="Argo CD Application or Flux GitRepository + HelmRelease applying the "
    "environment's Helm chart",
    render=assembled_only("gitops", CONSUMES),
    consumes=CONSUMES,
    assemble=render_gitops,
)
