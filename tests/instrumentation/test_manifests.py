"""`obsc validate` on the user's manifests: each way an Operator annotation fails to resolve.

The fixture's prod environment lists `manifests: [deploy/k8s]`; each test breaks one
annotation (or workload) the way users do, and `obsc validate` must exit 2 with the code at
the manifest's (or spec's) file:line:column.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, ObscRunner

ESTATE = FIXTURES / "instrumentation" / "estate"
WEB = Path("deploy/k8s/web.yaml")
INJECT = "instrumentation.opentelemetry.io/inject-"
OTHER = """---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: other
  namespace: {namespace}
spec:
  selector:
    matchLabels: {{app: other}}
  template:
    metadata:
      labels: {{app: other}}
      annotations:
{annotations}
    spec:
      containers:
        - name: other
          image: example/other:1.0.0
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "estate"
    shutil.copytree(ESTATE, root)
    return root


def _add_workload(repo: Path, annotations: dict[str, str], namespace: str = "web") -> int:
    """Append a Deployment with `annotations`; return the line of the first annotation."""
    lines = "\n".join(f"        {key}: {value!r}" for key, value in annotations.items())
    path = repo / WEB
    before = path.read_text()
    added = OTHER.format(namespace=namespace, annotations=lines)
    path.write_text(before + added)
    first = next(i for i, text in enumerate(added.splitlines(), 1) if INJECT in text)
    return len(before.splitlines()) + first


def _errors(obsc: ObscRunner, repo: Path) -> list[tuple[str, str, str]]:
    """(file:line, code, message) of every error `obsc validate` printed; it must exit 2."""
    run = obsc("--repo", repo, "validate", "--no-policies")
    assert run.code == 2, run.out + run.err
    found = re.findall(r"^(\S+:\d+):\d+: error\[(OBSC\d+)\]: (.*)$", run.err, re.MULTILINE)
    assert found, run.err
    return found


def test_the_fixture_manifests_are_valid(obsc: ObscRunner, repo: Path) -> None:
    run = obsc("--repo", repo, "validate", "--no-policies")
    assert run.code == 0, run.err


def test_an_annotation_naming_the_rendered_instrumentation_is_valid(
    obsc: ObscRunner, repo: Path
) -> None:
    _add_workload(repo, {f"{INJECT}python": "telemetry/obs-stack-python"})
    _add_workload(repo, {f"{INJECT}nodejs": "true"}, namespace="telemetry")  # the only one?
    run = obsc("--repo", repo, "validate", "--no-policies")
    # telemetry has python, nodejs, java and go Instrumentations: "true" is ambiguous.
    assert run.code == 2
    assert "OBSC357" in run.err and "the only one in namespace telemetry" in run.err


def test_obsc356_a_language_the_operator_does_not_know(obsc: ObscRunner, repo: Path) -> None:
    line = _add_workload(repo, {f"{INJECT}node": "telemetry/obs-stack-nodejs"})
    [(where, code, message)] = _errors(obsc, repo)
    assert (where, code) == (f"{WEB}:{line}", "OBSC356")
    assert "Deployment web/other" in message and "no language 'node'" in message


def test_obsc357_a_name_in_the_wrong_namespace(obsc: ObscRunner, repo: Path) -> None:
    line = _add_workload(repo, {f"{INJECT}python": "obs-stack-python"})
    [(where, code, message)] = _errors(obsc, repo)
    assert (where, code) == (f"{WEB}:{line}", "OBSC357")
    assert "(looked for web/obs-stack-python)" in message


def test_obsc357_a_mistyped_name(obsc: ObscRunner, repo: Path) -> None:
    _add_workload(repo, {f"{INJECT}python": "telemetry/obs-stack-pyhton"})
    [(_, code, _)] = _errors(obsc, repo)
    assert code == "OBSC357"


def test_obsc357_true_where_no_instrumentation_is_rendered(obsc: ObscRunner, repo: Path) -> None:
    _add_workload(repo, {f"{INJECT}java": "true"})
    [(_, code, message)] = _errors(obsc, repo)
    assert code == "OBSC357" and "the only one in namespace web" in message


def test_obsc357_a_language_no_service_of_the_environment_has(obsc: ObscRunner, repo: Path) -> None:
    _add_workload(repo, {f"{INJECT}dotnet": "telemetry/obs-stack-dotnet"})
    [(_, code, _)] = _errors(obsc, repo)
    assert code == "OBSC357"


def test_obsc358_the_instrumentation_of_another_language(obsc: ObscRunner, repo: Path) -> None:
    line = _add_workload(repo, {f"{INJECT}java": "telemetry/obs-stack-python"})
    [(where, code, message)] = _errors(obsc, repo)
    assert (where, code) == (f"{WEB}:{line}", "OBSC358")
    assert "the Instrumentation for python, not java" in message


def test_obsc359_two_languages_in_the_manifest(obsc: ObscRunner, repo: Path) -> None:
    _add_workload(
        repo,
        {
            f"{INJECT}java": "telemetry/obs-stack-java",
            f"{INJECT}python": "telemetry/obs-stack-python",
        },
    )
    [(_, code, message)] = _errors(obsc, repo)
    assert code == "OBSC359" and "annotated for java and python" in message


def test_obsc359_a_manifest_annotation_beside_the_components(obsc: ObscRunner, repo: Path) -> None:
    path = repo / WEB
    text = path.read_text()
    path.write_text(
        text.replace(
            "      labels: {app: shop}\n",
            f"      labels: {{app: shop}}\n      annotations:\n"
            f"        {INJECT}java: telemetry/obs-stack-java\n",
            1,
        )
    )
    [(_, code, message)] = _errors(obsc, repo)
    assert code == "OBSC359"
    assert "Deployment web/shop" in message
    assert "java and python (one from the instrumentation component)" in message


def test_the_components_own_language_replaces_a_wrong_manifest_value(
    obsc: ObscRunner, repo: Path
) -> None:
    path = repo / WEB
    text = path.read_text()
    path.write_text(
        text.replace(
            "      labels: {app: shop}\n",
            f"      labels: {{app: shop}}\n      annotations:\n        {INJECT}python: 'true'\n",
            1,
        )
    )
    run = obsc("--repo", repo, "validate", "--no-policies")
    assert run.code == 0, run.err


def test_obsc360_a_patched_workload_missing_from_the_manifests(
    obsc: ObscRunner, repo: Path
) -> None:
    edge = repo / "deploy" / "k8s" / "edge.yaml"
    edge.write_text(edge.read_text().replace("name: router\n", "name: router-v2\n", 1))
    [(where, code, message)] = _errors(obsc, repo)
    services = (repo / "specs" / "services.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(services, 1) if "name: router, namespace: edge" in text)
    assert (where, code) == (f"specs/services.yaml:{line}", "OBSC360")
    assert "Deployment edge/router" in message and "kustomize build" in message


def test_obsc355_a_manifests_path_that_does_not_exist(obsc: ObscRunner, repo: Path) -> None:
    project = repo / "specs" / "project.yaml"
    project.write_text(project.read_text().replace("[deploy/k8s]", "[deploy/k8s, deploy/gone]"))
    [(where, code, message)] = _errors(obsc, repo)
    lines = project.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "manifests:" in text)
    assert (where, code) == (f"specs/project.yaml:{line}", "OBSC355")
    assert "manifests 'deploy/gone'" in message


def test_the_example_estates_prod_manifests_are_valid(obsc: ObscRunner, tmp_path: Path) -> None:
    for folder in ("specs", "deploy"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    run = obsc("--repo", tmp_path, "validate", "--no-policies")
    assert run.code == 0, run.err
    checkout = tmp_path / "specs" / "services" / "payments" / "checkout.yaml"
    checkout.write_text(
        checkout.read_text().replace(
            "name: checkout, namespace: payments", "name: checkout, namespace: shop"
        )
    )
    [(_, code, _)] = _errors(obsc, tmp_path)
    assert code == "OBSC360"
