"""Kubernetes checks for rendered charts and manifests: helm and kubeconform, offline.

Kubernetes' own schemas come from the PyPI package kubernetes-validate (its
`v<version>-local-strict` folders, additionalProperties false). Their `$ref`s point at
`/api/_definitions.json` under a `$id` on kubernetes.io, which kubeconform would fetch over
the network, so `kubernetes_schemas` copies one version's folder with the `$id` dropped and
the references made relative. Custom resources are checked against the strict schemas in
tests/fixtures/crd-schemas/ (make_crd_schemas.py). A kind with no schema is an error:
kubeconform runs without -ignore-missing-schemas.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML

K8S_VERSION: Final = "1.33.0"
CRD_SCHEMAS: Final = Path(__file__).resolve().parent / "fixtures" / "crd-schemas"
OBJECT_LIMIT: Final = 1024 * 1024  # bytes: what etcd and the API server accept per object
K8S_TEMPLATE: Final = "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/" + (
    "{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
CRD_TEMPLATE: Final = "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"


def kubernetes_schemas(dest: Path, version: str = K8S_VERSION) -> Path:
    """Write kubeconform-ready Kubernetes schemas for `version` under `dest`; return dest."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("kubernetes-validate is not installed (pip install -e '.[dev]')")
    folder = f"v{version}-local-strict"
    package = Path(next(iter(spec.submodule_search_locations)))
    source = package / "kubernetes-json-schema" / folder
    if not source.is_dir():
        raise RuntimeError(f"kubernetes-validate has no schemas for Kubernetes {version}")
    (dest / folder).mkdir(parents=True, exist_ok=True)
    for schema in sorted(source.glob("*.json")):
        raw = schema.read_bytes().replace(b'"/api/_definitions.json#', b'"_definitions.json#')
        document = json.loads(raw)
        document.pop("$id", None)
        (dest / folder / schema.name).write_text(json.dumps(document), encoding="utf-8")
    return dest


def kubeconform(
    binary: Path, k8s_schemas: Path, manifests: Sequence[Path] = (), stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `kubeconform -strict -summary` on files or on stdin (when `manifests` is empty)."""
    args = [
        str(binary),
        "-strict",
        "-summary",
        "-kubernetes-version",
        K8S_VERSION,
        "-schema-location",
        f"{k8s_schemas}/{K8S_TEMPLATE}",
        "-schema-location",
        f"{CRD_SCHEMAS}/{CRD_TEMPLATE}",
        *[str(m) for m in manifests],
    ]
    return subprocess.run(
        args,
        input=None if stdin is None else stdin.decode("utf-8"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def helm_template(
    helm: Path, chart: Path, namespace: str = "observability", extra: Sequence[str] = ()
) -> str:
    """`helm template obs-stack <chart>` for the pinned Kubernetes version (stdout)."""
    result = subprocess.run(
        [
            str(helm),
            "template",
            "obs-stack",
            str(chart),
            "--namespace",
            namespace,
            "--kube-version",
            K8S_VERSION,
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def helm_lint(
    helm: Path, chart: Path, extra: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """`helm lint --strict` (warnings fail) for the pinned Kubernetes version."""
    return subprocess.run(
        [str(helm), "lint", "--strict", "--kube-version", K8S_VERSION, *extra, str(chart)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def objects(manifests: str) -> list[dict[str, Any]]:
    """The non-empty documents of a multi-document YAML stream."""
    return [d for d in YAML(typ="safe").load_all(manifests) if d]


def object_size(document: dict[str, Any]) -> int:
    """Bytes of the object as the API server stores it (compact JSON)."""
    return len(json.dumps(document, separators=(",", ":")).encode("utf-8"))


def oversized(documents: Iterable[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(kind, name, size) of every object at or over the 1 MiB limit."""
    return [
        (d["kind"], d["metadata"]["name"], object_size(d))
        for d in documents
        if object_size(d) >= OBJECT_LIMIT
    ]


def render_tree(repo: Path) -> dict[str, bytes]:
    """Every environment's targets of the estate in `repo`, in memory (no policies)."""
    from compiler.pipeline import load_estate, render_files

    estate = load_estate(repo)
    pairs = [
        (name, target)
        for name, model in estate.resolved.environments.items()
        for target in model.targets
    ]
    return render_files(estate.resolved, pairs)


def write_tree(files: dict[str, bytes], root: Path) -> Path:
    """Write `{relative path: bytes}` under root; return root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root
