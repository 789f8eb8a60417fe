"""`obsc detect --k8s --write` records each workload in its snapshot (`spec.kubernetes`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ruamel.yaml import YAML

from tests.conftest import FIXTURES, ObscRunner

ESTATE = FIXTURES / "instrumentation" / "estate"


def test_snapshots_carry_the_workload_the_component_patches(
    obsc: ObscRunner, tmp_path: Path
) -> None:
    repo = tmp_path / "estate"
    shutil.copytree(ESTATE, repo)
    run = obsc("--repo", repo, "detect", "--k8s", repo / "deploy" / "k8s", "--write")
    assert run.code == 0, run.err
    yaml = YAML(typ="safe")
    workloads = {
        path.stem: yaml.load(path.read_text())["spec"].get("kubernetes")
        for path in sorted((repo / "snapshots").glob("*.yaml"))
    }
    assert workloads == {
        "db": {"kind": "StatefulSet", "name": "db", "namespace": "money"},
        "mailer": {"kind": "CronJob", "name": "mailer", "namespace": "web"},
        "router": {"kind": "Deployment", "name": "router", "namespace": "edge"},
        "shop": {"kind": "Deployment", "name": "shop", "namespace": "web"},
    }
    # (test_workloads.py: resolve takes a snapshot's workload unless the Service names one)


def test_a_bare_pod_is_not_recorded(obsc: ObscRunner, tmp_path: Path) -> None:
    manifests = tmp_path / "pod.yaml"
    manifests.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: one-off, namespace: web}\n"
        'spec:\n  containers:\n    - {name: one-off, image: "python:3.12"}\n'
    )
    (tmp_path / "specs").mkdir()
    run = obsc("--repo", tmp_path, "detect", "--k8s", manifests, "--write")
    assert run.code == 0, run.err
    snapshot = YAML(typ="safe").load((tmp_path / "snapshots" / "one-off.yaml").read_text())
    assert "kubernetes" not in snapshot["spec"]
