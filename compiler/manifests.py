"""`obsc validate`: the user's Kubernetes manifests against the Instrumentations obsc renders.

The OpenTelemetry Operator injects an agent only when a pod's
`instrumentation.opentelemetry.io/inject-<language>` annotation names an Instrumentation it
finds: `"true"` (the one in the pod's namespace), `"<name>"` (in the pod's namespace) or
`"<namespace>/<name>"`; `"false"` opts out. Anything else is skipped without a word, so an
environment that lists its manifests (`environments[].manifests`) has them checked here:

- OBSC355: a manifests path that cannot be read;
- OBSC356: `inject-<x>` for a language the Operator does not know (`inject-node`);
- OBSC357: a value that names no Instrumentation this environment renders (a wrong name or
  namespace, or `"true"` outside the release namespace);
- OBSC358: a value that names the Instrumentation of another language;
- OBSC359: a workload annotated for two languages (in the manifests, or once the
  `instrumentation` component adds its annotation);
- OBSC360: a workload the component patches is not in the manifests.

YAML defects of a manifest are the loader's own (OBSC002...), at the manifest's line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.errors import OS_REFUSED, DiagnosticSink
from compiler.model import OPERATOR_LANGUAGES, EnvironmentModel, ResolvedEstate, Workload
from compiler.resolve.workloads import INJECT_PREFIX, instrumentation_namespace
from compiler.spec.files import UnreadableInput, read_input
from compiler.spec.loader import Document, PathKey, load_bytes
from compiler.spec.models import ProjectDocument
from compiler.spec.paths import spec_path

# Every `inject-<language>` the Operator reads (v0.158.0 pod annotations).
OPERATOR_KEYS = (*sorted(set(OPERATOR_LANGUAGES.values())), "apache-httpd", "nginx", "sdk")
_TEMPLATE = ("spec", "template", "metadata")
POD_METADATA: dict[str, PathKey] = {
    "Deployment": _TEMPLATE,
    "StatefulSet": _TEMPLATE,
    "DaemonSet": _TEMPLATE,
    "ReplicaSet": _TEMPLATE,
    "Job": _TEMPLATE,
    "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata"),
    "Pod": ("metadata",),
}


@dataclass(frozen=True, slots=True)
class Annotated:
    """One pod template of the user's manifests and its `inject-*` annotations."""

    kind: str
    name: str
    namespace: str
    document: Document
    base: PathKey  # the object's path in the document (inside a List: its item)
    injects: dict[str, str]  # annotation key -> value, `"false"` left out

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    def annotation_path(self, annotation: str) -> PathKey:
        return (*self.base, *POD_METADATA[self.kind], "annotations", annotation)


@dataclass(frozen=True, slots=True)
class Specs:
    """What the checks report against: the Project and Service documents."""

    project: Document
    services: Mapping[str, Document]

    def service_location(self, name: str, fallback: PathKey) -> tuple[Document, PathKey]:
        """The service's `spec.kubernetes`, or the Project's `fallback` (a snapshot's)."""
        document = self.services.get(name)
        if document is not None and "kubernetes" in document.data.get("spec", {}):
            return document, ("spec", "kubernetes")
        return self.project, fallback


def check_estate_manifests(repo: Path, resolved: ResolvedEstate, specs: Specs) -> None:
    """Check every environment's manifests; raise one SpecError for all defects."""
    project = ProjectDocument.model_validate(specs.project.data)
    namespace = instrumentation_namespace(project)
    sink = DiagnosticSink()
    for index, environment in enumerate(project.spec.environments):
        if environment.manifests and environment.name in resolved.environments:
            model = resolved.environments[environment.name]
            check_manifests(repo, model, specs, index, namespace, sink)
    sink.raise_if_errors("manifests")


def check_manifests(
    repo: Path,
    model: EnvironmentModel,
    specs: Specs,
    environment_index: int,
    namespace: str,
    sink: DiagnosticSink,
) -> None:
    """OBSC355-360 for one environment's `manifests` (nothing when it lists none)."""
    project = specs.project
    base: PathKey = ("spec", "environments", environment_index, "manifests")
    paths = project.data["spec"]["environments"][environment_index].get("manifests") or []
    workloads: dict[tuple[str, str, str], Annotated] = {}
    for index, relative in enumerate(paths):
        for document in _documents(repo, str(relative), project, (*base, index), sink):
            for item in _workloads(document):
                workloads.setdefault(item.key, item)
    rendered = rendered_instrumentations(model, namespace)
    patched = {
        (s.workload.kind, s.workload.namespace, s.workload.name): s.workload
        for s in model.services
        if s.workload is not None and s.workload.annotation is not None
    }
    for item in workloads.values():
        _check_annotations(item, rendered, namespace, patched.get(item.key), sink)
    if "instrumentation" in model.targets:
        _check_patched_exist(model, workloads, paths, specs, base, sink)


def rendered_instrumentations(model: EnvironmentModel, namespace: str) -> dict[str, str]:
    """`<namespace>/<name>` -> language of the Instrumentations the helm target renders.

    One per Operator language of the environment's applications (targets/helm/values.py);
    none without the helm target.
    """
    if "helm" not in model.targets:
        return {}
    languages = {
        OPERATOR_LANGUAGES[s.language]
        for s in model.services
        if s.category == "application" and s.language in OPERATOR_LANGUAGES
    }
    return {f"{namespace}/obs-stack-{language}": language for language in sorted(languages)}


def _documents(
    repo: Path, relative: str, project: Document, where: PathKey, sink: DiagnosticSink
) -> Iterator[Document]:
    path = repo / relative
    files = (
        sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        if path.is_dir()
        else [path]
    )
    for file in files:
        display = file.relative_to(repo).as_posix() if file.is_relative_to(repo) else str(file)
        try:
            raw = read_input(file, root=repo)
        except UnreadableInput as problem:
            code = OS_REFUSED if problem.by_os else "OBSC355"
            sink.error(
                code,
                f"manifests {display!r}: {problem.message}",
                project.location(where),
                spec_path(project, where),
                hint="name a file or directory of Kubernetes manifests inside the repository",
            )
            continue
        yield from load_bytes(raw, display, sink)


def _workloads(document: Document) -> Iterator[Annotated]:
    data = document.data
    if not isinstance(data, dict):
        return
    if data.get("kind") == "List" and isinstance(data.get("items"), list):
        for index, item in enumerate(data["items"]):
            found = _workload(document, item, ("items", index))
            if found is not None:
                yield found
        return
    found = _workload(document, data, ())
    if found is not None:
        yield found


def _workload(document: Document, data: Any, base: PathKey) -> Annotated | None:
    if not isinstance(data, dict) or data.get("kind") not in POD_METADATA:
        return None
    kind = str(data["kind"])
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    pod: Any = data
    for key in POD_METADATA[kind]:
        pod = pod.get(key) if isinstance(pod, dict) else None
    annotations = pod.get("annotations") if isinstance(pod, dict) else None
    injects = {
        str(k): str(v)
        for k, v in (annotations.items() if isinstance(annotations, dict) else ())
        if str(k).startswith(INJECT_PREFIX) and str(v).lower() != "false"
    }
    return Annotated(
        kind=kind,
        name=str(metadata.get("name", "")),
        namespace=str(metadata.get("namespace") or "default"),
        document=document,
        base=base,
        injects=injects,
    )


def _check_annotations(
    item: Annotated,
    rendered: dict[str, str],
    namespace: str,
    patch: Workload | None,
    sink: DiagnosticSink,
) -> None:
    patched = patch.annotation if patch is not None else None
    for annotation, value in sorted(item.injects.items()):
        if annotation != patched:  # the component's value replaces the manifest's
            _check_annotation(item, annotation, value, rendered, namespace, sink)
    languages = {a.removeprefix(INJECT_PREFIX) for a in item.injects}
    if patched is not None:
        languages.add(patched.removeprefix(INJECT_PREFIX))
    if len(languages) > 1:
        also = " (one from the instrumentation component)" if patched is not None else ""
        _error(
            sink,
            "OBSC359",
            item,
            item.annotation_path(sorted(item.injects)[0]),
            f"annotated for {' and '.join(sorted(languages))}{also}",
            "one language per workload: remove the other inject-* annotations",
        )


def _check_annotation(
    item: Annotated,
    annotation: str,
    value: str,
    rendered: dict[str, str],
    namespace: str,
    sink: DiagnosticSink,
) -> None:
    """OBSC356-358 for one `inject-<language>` annotation."""
    path = item.annotation_path(annotation)
    language = annotation.removeprefix(INJECT_PREFIX)
    if language not in OPERATOR_KEYS:
        close = difflib.get_close_matches(language, OPERATOR_KEYS, n=1)
        known = ", ".join(OPERATOR_KEYS)
        message = f"{annotation}: the Operator knows no language {language!r} ({known})"
        hint = f"did you mean {INJECT_PREFIX}{close[0]}?" if close else ""
        _error(sink, "OBSC356", item, path, message, hint)
        return
    reference = _reference(value, item.namespace, rendered)
    named = rendered.get(reference) if reference is not None else None
    hint = _hint_for(language, rendered, namespace)
    if named is None:
        looked = reference or f"the only one in namespace {item.namespace}"
        message = f"{annotation}: {value!r} names no Instrumentation this environment renders"
        _error(sink, "OBSC357", item, path, f"{message} (looked for {looked})", hint)
    elif named != language:
        message = f"{annotation}: {value!r} is the Instrumentation for {named}, not {language}"
        _error(sink, "OBSC358", item, path, message, hint)


def _reference(value: str, pod_namespace: str, rendered: dict[str, str]) -> str | None:
    """The `<namespace>/<name>` a value names, as the Operator reads it.

    `"true"` is the Instrumentation of the pod's namespace if it has exactly one (None
    otherwise); a bare name is looked up in the pod's namespace.
    """
    if value.lower() == "true":
        local = [r for r in rendered if r.split("/", 1)[0] == pod_namespace]
        return local[0] if len(local) == 1 else None
    return value if "/" in value else f"{pod_namespace}/{value}"


def _hint_for(language: str, rendered: dict[str, str], namespace: str) -> str:
    for reference, rendered_language in rendered.items():
        if rendered_language == language:
            return f"use {INJECT_PREFIX}{language}: {reference}"
    if not rendered:
        return "this environment renders no Instrumentation: add the helm target"
    return f"no service here is {language}, so {namespace} has no Instrumentation for it"


def _error(
    sink: DiagnosticSink, code: str, item: Annotated, path: PathKey, message: str, hint: str
) -> None:
    sink.error(
        code,
        f"{item.kind} {item.namespace}/{item.name}: {message}",
        item.document.key_location(path),
        "",
        hint,
    )


def _check_patched_exist(
    model: EnvironmentModel,
    workloads: dict[tuple[str, str, str], Annotated],
    paths: list[Any],
    specs: Specs,
    base: PathKey,
    sink: DiagnosticSink,
) -> None:
    for service in model.services:
        workload = service.workload
        if workload is None or workload.annotation is None:
            continue
        if (workload.kind, workload.namespace, workload.name) in workloads:
            continue
        document, where = specs.service_location(service.name, base)
        sink.error(
            "OBSC360",
            f"service {service.name!r} runs as {workload.kind} {workload.namespace}/"
            f"{workload.name}, which the manifests of environment {model.environment!r} "
            f"({', '.join(map(str, paths))}) do not have: the instrumentation component's "
            "patch would fail `kustomize build`",
            document.location(where),
            spec_path(document, where),
            hint="correct spec.kubernetes (kind, name, namespace), or add the workload's manifest",
        )
