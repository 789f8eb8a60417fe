"""Each service's Kubernetes workload, and the checks that its Operator annotation resolves.

A service's workload comes from its `spec.kubernetes`, else from its snapshot's `kubernetes`
(what `obsc detect --k8s` saw). The `instrumentation` target annotates the workload's pod
template with `instrumentation.opentelemetry.io/inject-<language>: <namespace>/<name>`, naming
the Instrumentation the helm target renders for that language (`obs-stack-<language>` in the
release namespace, docs/contracts.md). The Operator ignores an annotation that names no
Instrumentation, so what would fail silently in the cluster is an error here:

- OBSC350: an environment renders `instrumentation` without `helm` (no Instrumentation);
- OBSC351: an application with a workload in a language the Operator has no agent for;
- OBSC352: two services name one workload (it would be annotated twice, maybe for two
  languages, and carry two service names);
- OBSC353: a Go workload without `executable` (the eBPF agent needs the program's path).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compiler.errors import DiagnosticSink
from compiler.model import (
    OPERATOR_LANGUAGES,
    STACK_RELEASE,
    EnvironmentModel,
    ResolvedService,
    Workload,
)
from compiler.spec.loader import Document, PathKey
from compiler.spec.models import (
    Environment,
    GitOps,
    KubernetesWorkload,
    ProjectDocument,
    ServiceDocument,
    SnapshotDocument,
)
from compiler.spec.paths import spec_path
from compiler.spec.validate import Parsed

INJECT_PREFIX = "instrumentation.opentelemetry.io/inject-"
TARGET = "instrumentation"
_WORKLOAD_PATH: PathKey = ("spec", "kubernetes")


@dataclass(frozen=True, slots=True)
class WorkloadSource:
    """A service's workload as written, and where (a Service spec or a snapshot)."""

    service: str
    spec: KubernetesWorkload
    document: Document

    def error(self, sink: DiagnosticSink, code: str, message: str, hint: str) -> None:
        """Report a defect at the workload's `spec.kubernetes`."""
        location = self.document.location(_WORKLOAD_PATH)
        sink.error(code, message, location, spec_path(self.document, _WORKLOAD_PATH), hint)


def workload_source(
    service: Parsed[ServiceDocument], snapshot: Parsed[SnapshotDocument] | None
) -> WorkloadSource | None:
    """The Service spec's workload, else its snapshot's, else None."""
    name = service.model.metadata.name
    if service.model.spec.kubernetes is not None:
        return WorkloadSource(name, service.model.spec.kubernetes, service.document)
    if snapshot is not None and snapshot.model.spec.kubernetes is not None:
        return WorkloadSource(name, snapshot.model.spec.kubernetes, snapshot.document)
    return None


def instrumentation_namespace(project: ProjectDocument) -> str:
    """The helm release's namespace: the GitOps one, else the GitOps default."""
    gitops = project.spec.gitops
    if gitops is not None:
        return gitops.namespace
    default = GitOps.model_fields["namespace"].default
    assert isinstance(default, str)
    return default


def resolve_workload(source: WorkloadSource, service: ResolvedService, namespace: str) -> Workload:
    """The workload with the annotation naming its language's Instrumentation, if any."""
    spec = source.spec
    language = OPERATOR_LANGUAGES.get(service.language)
    annotated = language is not None and service.category == "application"
    return Workload(
        kind=spec.kind,
        name=spec.name,
        namespace=spec.namespace,
        container=spec.container or service.name,
        executable=spec.executable,
        annotation=f"{INJECT_PREFIX}{language}" if annotated else None,
        instrumentation=f"{namespace}/{STACK_RELEASE}-{language}" if annotated else None,
    )


def check_workloads(
    model: EnvironmentModel,
    environment: Environment,
    environment_index: int,
    sources: dict[str, WorkloadSource],
    project: Parsed[ProjectDocument],
    sink: DiagnosticSink,
    checked: set[str],
) -> None:
    """OBSC350-353 for one environment that renders the `instrumentation` target.

    A service's own defects are reported once, in the first such environment it runs in
    (`checked` holds the names reported on so far).
    """
    if TARGET not in environment.targets:
        return
    annotated = [s for s in model.services if s.name in sources]
    if annotated and "helm" not in environment.targets:
        path: PathKey = ("spec", "environments", environment_index, "targets")
        sink.error(
            "OBSC350",
            f"environment {environment.name!r} renders `instrumentation` but not `helm`: its "
            "annotations would name OpenTelemetry Operator Instrumentations that are not "
            "rendered",
            project.document.location(path),
            spec_path(project.document, path),
            hint="add helm to the environment's targets (it renders one Instrumentation "
            "per language)",
        )
    fresh = [s for s in annotated if s.name not in checked]
    for service in fresh:
        _check_language(service, sources[service.name], sink)
    patched = [s for s in annotated if s.workload is not None and s.workload.annotation]
    _check_shared(patched, {s.name for s in fresh}, sources, sink)
    checked.update(s.name for s in fresh)


def _check_language(service: ResolvedService, source: WorkloadSource, sink: DiagnosticSink) -> None:
    if service.category != "application":
        return
    if service.language not in OPERATOR_LANGUAGES:
        source.error(
            sink,
            "OBSC351",
            f"service {service.name!r} is {service.language}: the OpenTelemetry Operator has "
            "no auto-instrumentation for it, so no Instrumentation can be named for its "
            f"workload {source.spec.kind}/{source.spec.name}",
            hint="instrument it in code (an OpenTelemetry SDK) and remove spec.kubernetes, or "
            f"set spec.language to one of {', '.join(sorted(OPERATOR_LANGUAGES))}",
        )
    elif service.language == "go" and source.spec.executable is None:
        source.error(
            sink,
            "OBSC353",
            f"service {service.name!r} is Go: the Operator's eBPF agent attaches to a program "
            "named by instrumentation.opentelemetry.io/otel-go-auto-target-exe",
            hint="set spec.kubernetes.executable to the program's absolute path in the "
            "container, e.g. /app/server",
        )


def _check_shared(
    services: Sequence[ResolvedService],
    fresh: set[str],
    sources: dict[str, WorkloadSource],
    sink: DiagnosticSink,
) -> None:
    """OBSC352: one workload patched for two services (reported at the second, if `fresh`)."""
    first: dict[tuple[str, str, str], ResolvedService] = {}
    for service in services:
        spec = sources[service.name].spec
        key = (spec.kind, spec.namespace, spec.name)
        other = first.setdefault(key, service)
        if other is service or service.name not in fresh:
            continue
        languages = sorted({other.language, service.language})
        what = (
            f"annotated for two languages ({' and '.join(languages)})"
            if len(languages) > 1
            else "annotated twice, with two service names"
        )
        sources[service.name].error(
            sink,
            "OBSC352",
            f"services {other.name!r} and {service.name!r} both run as {spec.kind} "
            f"{spec.namespace}/{spec.name}: the workload would be {what}",
            hint="give each service its own workload (spec.kubernetes.name), or describe the "
            "workload as one service",
        )
