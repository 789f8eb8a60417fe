"""The `instrumentation` target's Kustomize component, read back as data (no tools needed)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.pipeline import load_estate
from targets.instrumentation import render_instrumentation
from tests.conftest import FIXTURES

ESTATE = FIXTURES / "instrumentation" / "estate"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    repo = tmp_path_factory.mktemp("estate")
    shutil.copytree(ESTATE, repo, dirs_exist_ok=True)
    prod = load_estate(repo).resolved.environments["prod"]
    yaml = YAML(typ="safe")
    return {path: yaml.load(content) for path, content in render_instrumentation(prod).items()}


def test_the_component_lists_a_patch_per_annotated_workload(files: dict[str, Any]) -> None:
    assert files["kustomization.yaml"] == {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "patches": [
            {"path": "patches/mailer.yaml"},
            {"path": "patches/router.yaml"},
            {"path": "patches/shop.yaml"},
        ],
    }
    # The database's StatefulSet gets no agent; ledger has no workload.
    assert set(files) == {
        "kustomization.yaml",
        *(p["path"] for p in files["kustomization.yaml"]["patches"]),
    }


def test_a_deployment_patch_annotates_its_pod_template_and_names_the_service(
    files: dict[str, Any],
) -> None:
    assert files["patches/shop.yaml"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "shop", "namespace": "web"},
        "spec": {
            "template": {
                "metadata": {
                    "annotations": {
                        "instrumentation.opentelemetry.io/container-names": "shop",
                        "instrumentation.opentelemetry.io/inject-python": (
                            "telemetry/obs-stack-python"
                        ),
                    }
                },
                "spec": {
                    "containers": [
                        {
                            "name": "shop",
                            "env": [
                                {"name": "OTEL_SERVICE_NAME", "value": "shop"},
                                {
                                    "name": "OTEL_RESOURCE_ATTRIBUTES",
                                    "value": "service.namespace=web,"
                                    "deployment.environment.name=prod",
                                },
                            ],
                        }
                    ]
                },
            }
        },
    }


def test_a_cronjob_is_patched_under_its_job_template(files: dict[str, Any]) -> None:
    patch = files["patches/mailer.yaml"]
    assert (patch["apiVersion"], patch["kind"]) == ("batch/v1", "CronJob")
    template = patch["spec"]["jobTemplate"]["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    assert annotations["instrumentation.opentelemetry.io/inject-nodejs"] == (
        "telemetry/obs-stack-nodejs"
    )
    assert annotations["instrumentation.opentelemetry.io/container-names"] == "send"
    assert [c["name"] for c in template["spec"]["containers"]] == ["send"]


def test_go_names_the_program_the_agent_attaches_to(files: dict[str, Any]) -> None:
    annotations = files["patches/router.yaml"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {
        "instrumentation.opentelemetry.io/container-names": "router",
        "instrumentation.opentelemetry.io/inject-go": "telemetry/obs-stack-go",
        "instrumentation.opentelemetry.io/otel-go-auto-target-exe": "/usr/local/bin/router",
    }
