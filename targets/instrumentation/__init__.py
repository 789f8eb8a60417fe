"""The `instrumentation` target: a Kustomize Component that wires workloads to the Operator.

Files, relative to `rendered/<env>/instrumentation/`:

- `kustomization.yaml`: a `kind: Component` listing one patch per service whose Kubernetes
  workload obsc knows (`spec.kubernetes`, or a snapshot's) and whose language the
  OpenTelemetry Operator instruments;
- `patches/<service>.yaml`: a strategic-merge patch of the workload's pod template that adds
  `instrumentation.opentelemetry.io/inject-<language>: <namespace>/obs-stack-<language>`
  (the Instrumentation the helm target renders; docs/contracts.md), `container-names` (the
  Operator injects into the application's container only), for Go the
  `otel-go-auto-target-exe` path, for Python on an Alpine-based image
  `otel-python-platform: musl`, and in that container `OTEL_SERVICE_NAME` and
  `OTEL_RESOURCE_ATTRIBUTES` (team, environment): the `service` label every rule selects on
  comes from the service name, which the Operator would otherwise take from the workload.

The user lists it under `components:` of their own kustomization, beside their manifests;
their files are never edited. That the annotations resolve is checked by resolve
(compiler/resolve/workloads.py, OBSC350-353).
"""

from __future__ import annotations

from compiler.model import EnvironmentModel, ResolvedService, Workload
from compiler.output.canonical import dump_yaml
from compiler.render.contract import RenderedFiles, Target

ANNOTATIONS = "instrumentation.opentelemetry.io/"
CONTAINER_NAMES = f"{ANNOTATIONS}container-names"
GO_TARGET_EXE = f"{ANNOTATIONS}otel-go-auto-target-exe"
PYTHON_PLATFORM = f"{ANNOTATIONS}otel-python-platform"
API_VERSIONS = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}


def pod_annotations(service: ResolvedService, workload: Workload) -> dict[str, str]:
    """The pod template's annotations.

    The Instrumentation, the container, Go's program, and for Python on an Alpine-based
    image the agent's musl build.
    """
    assert workload.annotation is not None and workload.instrumentation is not None
    annotations = {
        workload.annotation: workload.instrumentation,
        CONTAINER_NAMES: workload.container,
    }
    if workload.executable is not None:
        annotations[GO_TARGET_EXE] = workload.executable
    if service.needs_musl_agent:
        annotations[PYTHON_PLATFORM] = "musl"
    return dict(sorted(annotations.items()))


def container_env(model: EnvironmentModel, service: ResolvedService) -> list[dict[str, str]]:
    """The service name and resource attributes, as compose sets them (the SDK reads them)."""
    attributes = f"service.namespace={service.team},deployment.environment.name={model.environment}"
    return [
        {"name": "OTEL_SERVICE_NAME", "value": service.name},
        {"name": "OTEL_RESOURCE_ATTRIBUTES", "value": attributes},
    ]


def workload_patch(model: EnvironmentModel, service: ResolvedService) -> dict[str, object]:
    """The strategic-merge patch of one service's workload."""
    workload = service.workload
    assert workload is not None
    template = {
        "metadata": {"annotations": pod_annotations(service, workload)},
        "spec": {
            "containers": [{"name": workload.container, "env": container_env(model, service)}]
        },
    }
    spec: dict[str, object] = {"template": template}
    if workload.kind == "CronJob":
        spec = {"jobTemplate": {"spec": spec}}
    return {
        "apiVersion": API_VERSIONS[workload.kind],
        "kind": workload.kind,
        "metadata": {"name": workload.name, "namespace": workload.namespace},
        "spec": spec,
    }


def annotated(model: EnvironmentModel) -> list[ResolvedService]:
    """The services whose workload gets an annotation, by name."""
    return [
        s for s in model.services if s.workload is not None and s.workload.annotation is not None
    ]


def render_instrumentation(model: EnvironmentModel) -> RenderedFiles:
    """The component and its patches."""
    services = annotated(model)
    files = {f"patches/{s.name}.yaml": dump_yaml(workload_patch(model, s)) for s in services}
    component = {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "patches": [{"path": path} for path in sorted(files)],
    }
    files["kustomization.yaml"] = dump_yaml(component)
    return dict(sorted(files.items()))


TARGET = Target(
    name="instrumentation",
    description="Kustomize Component annotating the user's workloads for the OpenTelemetry "
    "Operator's Instrumentations (with their service names)",
    render=render_instrumentation,
)
