"""Kubernetes manifests: workloads' containers, env names, ports, commands, annotations.

Reads plain manifests (a file or a directory, multi-document), `kubectl get -o yaml`
output (`kind: List` with `items`, objects owned by other listed objects folded into
their owner) and `helm template` output (`# Source:` comments name each document's
template). Workloads are filtered by namespace and by the opt-out label
`obsc.dev/ignore: "true"`; Helm test hooks are not services and are left out too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.detect.compose import IGNORE_LABEL
from compiler.detect.inputs import display_path, nothing_left_error, read_bytes, shape_error
from compiler.detect.observation import Observation, service_name
from compiler.errors import SpecError

_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
WORKLOAD_KINDS = frozenset({*_TEMPLATE_KINDS, "Pod", "CronJob"})
SCRAPE = "prometheus.io/scrape"
SCRAPE_PORT = "prometheus.io/port"
SCRAPE_PATH = "prometheus.io/path"
_SOURCE_COMMENT = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
_SEPARATOR = re.compile(r"^---(\s|$)")


@dataclass(frozen=True, slots=True)
class Namespaces:
    """Which namespaces to read: `only` them, or every one when `only` is empty.

    A workload without `metadata.namespace` (plain manifests, most `helm template`
    output) goes into whichever namespace it is applied to, so it is always read.
    """

    only: frozenset[str] = frozenset()

    def admits(self, namespace: str | None) -> bool:
        """Whether a workload in `namespace` (None: not set) is read."""
        return not self.only or namespace is None or namespace in self.only

    def describe(self) -> str:
        """The filter in words, for messages."""
        return "namespace " + ", ".join(sorted(self.only)) if self.only else "all namespaces"


@dataclass(frozen=True, slots=True)
class _Item:
    """One object of the input, with where it came from."""

    data: dict[str, Any]
    file: Path
    template: str | None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in _dict(value).items()}


def _pod(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pod template's (metadata, spec) of a workload."""
    kind = document.get("kind")
    spec = _dict(document.get("spec"))
    if kind == "Pod":
        return _dict(document.get("metadata")), spec
    if kind == "CronJob":
        spec = _dict(_dict(spec.get("jobTemplate")).get("spec"))
    template = _dict(spec.get("template"))
    return _dict(template.get("metadata")), _dict(template.get("spec"))


def _scrape(observation: Observation, annotations: dict[str, str]) -> None:
    """The prometheus.io annotations: the metrics port and path Prometheus is told to use."""
    scrape = annotations.get(SCRAPE, "").strip().lower()
    port = annotations.get(SCRAPE_PORT, "").strip()
    path = annotations.get(SCRAPE_PATH, "").strip()
    if scrape == "false":
        observation.notes.append(f'{SCRAPE} is "false": Prometheus is told not to scrape it')
        return
    if port:
        observation.add_port(port)
        if port.isdigit():
            observation.scrape_port = int(port)
    if path.startswith("/"):
        observation.scrape_path = path
    if scrape == "true" or port or path:
        where = f" on port {port}" if port else ""
        observation.notes.append(f"{SCRAPE} annotations: metrics{where} at {path or '/metrics'}")


def _workload(item: _Item, name: str) -> Observation:
    document = item.data
    metadata = _dict(document.get("metadata"))
    pod_metadata, pod_spec = _pod(document)
    observation = Observation(name=service_name(name), source=f"k8s:{display_path(item.file)}")
    namespace = metadata.get("namespace")
    observation.namespace = str(namespace) if namespace else None
    if metadata.get("name"):
        observation.workload = (str(document.get("kind")), str(metadata["name"]))
    for table in (metadata.get("labels"), metadata.get("annotations"), pod_metadata.get("labels")):
        observation.labels.update(_strings(table))
    pod_annotations = _strings(pod_metadata.get("annotations"))
    observation.labels.update(pod_annotations)
    containers = pod_spec.get("containers")
    for container in containers if isinstance(containers, list) else []:
        container = _dict(container)
        if isinstance(container.get("image"), str):
            observation.images.append(container["image"])
        for env in container.get("env") or []:
            if isinstance(env, dict) and env.get("name"):
                observation.add_env(str(env["name"]))
        for port in container.get("ports") or []:
            if isinstance(port, dict):
                observation.add_port(port.get("containerPort", ""))
        words: list[str] = []
        for key in ("command", "args"):
            value = container.get(key)
            words.extend(str(w) for w in (value if isinstance(value, list) else []))
        observation.add_command(" ".join(words))
    # the pod's own annotations win over the workload's (Prometheus reads the pod's)
    _scrape(observation, {**_strings(metadata.get("annotations")), **pod_annotations})
    if item.template:
        observation.notes.append(f"from the Helm template {item.template}")
    return observation


def _source_comments(text: str) -> list[tuple[int, str | None]]:
    """(first line, `# Source:` template) of each `---`-separated segment of a file."""
    segments: list[tuple[int, str | None]] = [(1, None)]
    for number, line in enumerate(text.splitlines(), start=1):
        if _SEPARATOR.match(line):
            segments.append((number, None))
            continue
        found = _SOURCE_COMMENT.match(line)
        if found and segments[-1][1] is None:
            segments[-1] = (segments[-1][0], found.group(1))
    return segments


def _load(file: Path) -> list[_Item]:
    from compiler.errors import DiagnosticSink
    from compiler.spec.loader import decode_text, parse_text

    sink = DiagnosticSink()
    text = decode_text(read_bytes(file, "manifest"), str(file), sink) or ""
    documents = parse_text(text, str(file), sink)
    sink.raise_if_errors("cannot read manifest")
    segments = _source_comments(text)
    items = []
    for document in documents:
        line = document.positions.get((), (1, 1))[0]
        template = next((t for start, t in reversed(segments) if start <= line), None)
        data = _dict(document.data)
        listed = data.get("items") if str(data.get("kind", "")).endswith("List") else [data]
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict):
                items.append(_Item(item, file, template))
    return items


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def _key(item: dict[str, Any]) -> tuple[str, str, str]:
    metadata = _dict(item.get("metadata"))
    return (
        str(item.get("kind", "")),
        str(metadata.get("namespace", "")),
        str(metadata.get("name", "")),
    )


def _owner(item: dict[str, Any]) -> tuple[str, str] | None:
    """The (kind, name) of the controller that manages this object, if any."""
    for reference in _dict(item.get("metadata")).get("ownerReferences") or []:
        reference = _dict(reference)
        if reference.get("controller") and reference.get("kind") and reference.get("name"):
            return str(reference["kind"]), str(reference["name"])
    return None


def _service_name(item: dict[str, Any]) -> str:
    """A workload's name; a pod or ReplicaSet made by a controller is named after it."""
    metadata = _dict(item.get("metadata"))
    name = str(metadata.get("name", ""))
    owner = _owner(item)
    if owner is None:
        return name
    kind, owner_name = owner
    labels = _strings(metadata.get("labels"))
    template_hash = labels.get("pod-template-hash", "")
    if kind == "ReplicaSet" and template_hash and owner_name.endswith(f"-{template_hash}"):
        return owner_name[: -len(template_hash) - 1]  # the Deployment's name
    return owner_name


def _skipped(item: dict[str, Any]) -> str | None:
    """Why a workload is not a service to detect, or None."""
    metadata = _dict(item.get("metadata"))
    pod_metadata, _ = _pod(item)
    labels = {**_strings(pod_metadata.get("labels")), **_strings(metadata.get("labels"))}
    annotations = {
        **_strings(pod_metadata.get("annotations")),
        **_strings(metadata.get("annotations")),
    }
    if labels.get(IGNORE_LABEL, annotations.get(IGNORE_LABEL, "")).strip().lower() == "true":
        return f"labelled {IGNORE_LABEL}"
    hook = annotations.get("helm.sh/hook", "")
    if "test" in hook:
        return "a Helm test hook"
    return None


def observe_kubernetes(path: Path, namespaces: Namespaces | None = None) -> list[Observation]:
    """Every workload of a manifest file or a directory of them, as the filters admit."""
    if not path.exists():
        from compiler.errors import UsageError

        raise UsageError(f"manifest path {path} does not exist")
    wanted = namespaces or Namespaces()
    items = [item for file in _files(path) for item in _load(file)]
    present = {(k, ns, n) for k, ns, n in (_key(i.data) for i in items)}
    observations: list[Observation] = []
    seen: set[tuple[str | None, str]] = set()
    found = 0
    skipped: list[str] = []
    for item in items:
        if item.data.get("kind") not in WORKLOAD_KINDS:
            continue
        found += 1
        kind, namespace, name = _key(item.data)
        owner = _owner(item.data)
        if owner is not None and (owner[0], namespace, owner[1]) in present:
            continue  # its controller is listed too: that one is the service
        reason = _skipped(item.data)
        if reason is not None or not wanted.admits(namespace or None):
            skipped.append(f"{kind}/{name}")
            continue
        service = _service_name(item.data)
        if (namespace or None, service) in seen:
            continue  # another pod of the same controller
        seen.add((namespace or None, service))
        observations.append(_workload(item, service))
    if not observations:
        raise _none_left(path, found, skipped, wanted)
    return observations


def _none_left(path: Path, found: int, skipped: list[str], wanted: Namespaces) -> SpecError:
    if not found:
        return shape_error(
            path,
            "manifests",
            "no workloads found: expected Deployment, StatefulSet, DaemonSet, Pod or CronJob",
            "pass Kubernetes manifests (a file or a directory of *.yaml)",
        )
    return nothing_left_error(
        path,
        "manifests",
        f"no workload left to detect: {found} found, none in {wanted.describe()} "
        f"without the {IGNORE_LABEL} label ({len(skipped)} left out)",
        "check --namespace (or pass --all-namespaces) and the obsc.dev/ignore labels",
    )
