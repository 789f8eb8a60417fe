"""The example estate's component built onto its manifests by the real kustomize, then checked.

`kustomize build deploy/prod` (the user's manifests, listing
`rendered/prod/instrumentation` under `components:`) and `helm template` of prod's chart
go through `kubeconform -strict` with Kubernetes' schemas and the Operator's Instrumentation
CRD schema (tests/fixtures/crd-schemas). Then every `inject-<language>` annotation in the
built workloads must name an Instrumentation of the chart, in its namespace, with a section
for that language: what the Operator looks up, and silently skips when it finds nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.kube import helm_template, kubeconform, objects, render_tree, write_tree
from tests.realtools import Tool

INJECT = "instrumentation.opentelemetry.io/inject-"
CONTAINER_NAMES = "instrumentation.opentelemetry.io/container-names"
RELEASE_NAMESPACE = "observability"  # specs/project.yaml gitops.namespace


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example estate's rendered/ beside a copy of its deploy/prod manifests."""
    root = tmp_path_factory.mktemp("estate")
    write_tree(render_tree(ROOT), root / "rendered")
    shutil.copytree(ROOT / "deploy", root / "deploy")
    return root


def _kustomize(real_tool: Tool, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(real_tool("kustomize")), "build", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _built(real_tool: Tool, tree: Path) -> str:
    result = _kustomize(real_tool, tree / "deploy" / "prod")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _chart(real_tool: Tool, tree: Path) -> str:
    chart = tree / "rendered" / "prod" / "helm" / "obs-stack"
    return helm_template(real_tool("helm"), chart, namespace=RELEASE_NAMESPACE)


def _pod_template(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    template: dict[str, Any] = spec["template"]
    return template


def test_the_component_builds_onto_the_manifests_and_everything_conforms(
    real_tool: Tool, tree: Path, k8s_schemas: Path
) -> None:
    stream = _built(real_tool, tree) + "---\n" + _chart(real_tool, tree)
    result = kubeconform(real_tool("kubeconform"), k8s_schemas, stdin=stream.encode())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Invalid: 0, Errors: 0, Skipped: 0" in result.stdout, result.stdout
    kinds = {d["kind"] for d in objects(stream)}
    assert {"Deployment", "StatefulSet", "Instrumentation"} <= kinds


def test_every_annotation_resolves_to_an_instrumentation_of_its_language(
    real_tool: Tool, tree: Path
) -> None:
    instrumentations = {
        f"{d['metadata']['namespace']}/{d['metadata']['name']}": d["spec"]
        for d in objects(_chart(real_tool, tree))
        if d["kind"] == "Instrumentation"
    }
    annotated: dict[str, str] = {}
    for workload in objects(_built(real_tool, tree)):
        if workload["kind"] not in {"Deployment", "StatefulSet", "CronJob", "Job", "DaemonSet"}:
            continue
        template = _pod_template(workload)
        annotations = template["metadata"].get("annotations", {})
        injects = {k: v for k, v in annotations.items() if k.startswith(INJECT)}
        if not injects:
            continue
        [(key, value)] = injects.items()  # one language per workload
        language = key.removeprefix(INJECT)
        assert value in instrumentations, f"{workload['metadata']['name']}: {value} not rendered"
        assert language in instrumentations[value], f"{value} has no {language} section"
        containers = {c["name"]: c for c in template["spec"]["containers"]}
        app = containers[annotations[CONTAINER_NAMES]]
        env = {e["name"]: e.get("value") for e in app["env"]}
        annotated[workload["metadata"]["name"]] = f"{language} {env['OTEL_SERVICE_NAME']}"
        assert env["OTEL_RESOURCE_ATTRIBUTES"].endswith(",deployment.environment.name=prod")
        for name, sidecar in containers.items():
            if name != app["name"]:
                assert "env" not in sidecar, f"{name} is not the application's container"
    assert annotated == {
        "auth": "dotnet auth",
        "checkout": "python checkout",
        "edge-gateway": "go edge-gateway",
        "notifications": "nodejs notifications",
        "payment-gateway": "java payment-gateway",
    }


def test_a_workload_missing_from_the_manifests_fails_the_build_loudly(
    real_tool: Tool, tree: Path, tmp_path: Path
) -> None:
    manifests = tmp_path / "deploy" / "prod"
    shutil.copytree(tree / "deploy" / "prod", manifests)
    (tmp_path / "rendered").symlink_to(tree / "rendered")
    payments = manifests / "payments.yaml"
    payments.write_text(payments.read_text().split("---\n")[0])  # payment-gateway gone
    result = _kustomize(real_tool, manifests)
    assert result.returncode != 0
    assert "payment-gateway" in result.stderr


def test_a_cronjob_and_a_go_workload_are_patched_where_the_operator_reads(
    real_tool: Tool, k8s_schemas: Path, tmp_path: Path
) -> None:
    """The fixture estate: a CronJob's job template, a Go program, a kubectl List."""
    estate = FIXTURES / "instrumentation" / "estate"
    write_tree(render_tree(estate), tmp_path / "rendered")
    shutil.copytree(estate / "deploy" / "k8s", tmp_path / "k8s")
    (tmp_path / "k8s" / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [web.yaml, edge.yaml]\ncomponents: [../rendered/prod/instrumentation]\n"
    )
    built = _kustomize(real_tool, tmp_path / "k8s")
    assert built.returncode == 0, built.stderr
    result = kubeconform(real_tool("kubeconform"), k8s_schemas, stdin=built.stdout.encode())
    assert "Invalid: 0, Errors: 0, Skipped: 0" in result.stdout, result.stdout + result.stderr
    workloads = {d["metadata"]["name"]: d for d in objects(built.stdout)}
    mailer = _pod_template(workloads["mailer"])
    assert mailer["metadata"]["annotations"][f"{INJECT}nodejs"] == "telemetry/obs-stack-nodejs"
    [send] = mailer["spec"]["containers"]
    assert (send["image"], send["env"][0]["value"]) == ("example/mailer:0.9.0", "mailer")
    router = _pod_template(workloads["router"])["metadata"]["annotations"]
    assert router["instrumentation.opentelemetry.io/otel-go-auto-target-exe"] == (
        "/usr/local/bin/router"
    )
    # The database is not patched: its manifest's own opt-out is all it carries.
    db = _pod_template(workloads["db"])["metadata"]["annotations"]
    assert db == {f"{INJECT}java": "false"}
