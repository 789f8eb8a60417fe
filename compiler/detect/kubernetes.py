"""Kubernetes manifests: workloads' containers, env names, ports, commands, annotations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.detect.inputs import display_path, load_yaml_documents, shape_error
from compiler.detect.observation import Observation, service_name

_TEMPLATE_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
WORKLOAD_KINDS = frozenset({*_TEMPLATE_KINDS, "Pod", "CronJob"})


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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


def _workload(document: dict[str, Any], source: str) -> Observation:
    metadata = _dict(document.get("metadata"))
    pod_metadata, pod_spec = _pod(document)
    observation = Observation(name=service_name(str(metadata.get("name", ""))), source=source)
    for table in (metadata.get("labels"), metadata.get("annotations"), pod_metadata.get("labels")):
        observation.labels.update({str(k): str(v) for k, v in _dict(table).items()})
    observation.labels.update(
        {str(k): str(v) for k, v in _dict(pod_metadata.get("annotations")).items()}
    )
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
    scrape_port = observation.labels.get("prometheus.io/port")
    if scrape_port:
        observation.add_port(scrape_port)
    return observation


def _documents(path: Path) -> list[tuple[Path, Any]]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        return [(f, d) for f in files for d in load_yaml_documents(f, "manifest")]
    return [(path, d) for d in load_yaml_documents(path, "manifest")]


def observe_kubernetes(path: Path) -> list[Observation]:
    """Every workload of a manifest file or a directory of them (multi-document YAML)."""
    if not path.exists():
        from compiler.errors import UsageError

        raise UsageError(f"manifest path {path} does not exist")
    observations = []
    for file, document in _documents(path):
        items = document.get("items") if _dict(document).get("kind") == "List" else [document]
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("kind") in WORKLOAD_KINDS:
                observations.append(_workload(item, f"k8s:{display_path(file)}"))
    if not observations:
        raise shape_error(
            path,
            "manifests",
            "no workloads found: expected Deployment, StatefulSet, DaemonSet, Pod or CronJob",
            "pass Kubernetes manifests (a file or a directory of *.yaml)",
        )
    return observations
