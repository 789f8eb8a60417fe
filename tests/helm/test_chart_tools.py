"""Every rendered chart through the real helm and kubeconform, offline and strict.

`helm lint --strict` (warnings fail; values checked against values.schema.json), then
`helm template` for the pinned Kubernetes version piped to `kubeconform -strict -summary`
with Kubernetes' schemas and obsc's strict CRD schemas; no kind may go unchecked. Each
rendered object must stay under Kubernetes' 1 MiB, also for rule sets far larger than that.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.pipeline import load_estate
from targets.helm import assemble_chart
from tests.conftest import ROOT
from tests.kube import (
    OBJECT_LIMIT,
    helm_lint,
    helm_template,
    kubeconform,
    object_size,
    objects,
    oversized,
    write_tree,
)
from tests.realtools import Tool


def _conform(real_tool: Tool, k8s_schemas: Path, manifests: str) -> None:
    result = kubeconform(real_tool("kubeconform"), k8s_schemas, stdin=manifests.encode())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Invalid: 0, Errors: 0, Skipped: 0" in result.stdout, result.stdout


def test_every_chart_lints_strictly(real_tool: Tool, charts: dict[str, Path]) -> None:
    for name, chart in charts.items():
        result = helm_lint(real_tool("helm"), chart)
        assert result.returncode == 0, f"{name}:\n{result.stdout}{result.stderr}"
        assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout, name


def test_every_chart_templates_to_valid_objects_under_the_size_limit(
    real_tool: Tool, charts: dict[str, Path], k8s_schemas: Path
) -> None:
    for chart in charts.values():
        manifests = helm_template(real_tool("helm"), chart)
        _conform(real_tool, k8s_schemas, manifests)
        assert oversized(objects(manifests)) == []


def test_the_example_chart_deploys_what_the_issue_lists(
    real_tool: Tool, charts: dict[str, Path]
) -> None:
    kinds: dict[str, int] = {}
    for document in objects(helm_template(real_tool("helm"), charts["example/prod"])):
        kinds[document["kind"]] = kinds.get(document["kind"], 0) + 1
    assert kinds == {
        "ClusterRole": 1,
        "ClusterRoleBinding": 1,
        # collector, datasources, Loki rules, dashboards (15 frameworks, 4 teams, the stack)
        "ConfigMap": 1 + 1 + 1 + 20,
        "DaemonSet": 1,
        "Instrumentation": 5,  # dotnet, go, java, nodejs, python
        "PodMonitor": 12 + 1,  # scraped services and the collector itself
        "PrometheusRule": 16 + 1,  # services with rules, and the collector's health
        "Secret": 1,  # the Alertmanager config (no credentials)
        "Service": 1,
        "ServiceAccount": 1,
    }


def test_backends_become_external_name_services_when_mapped(
    real_tool: Tool, charts: dict[str, Path], k8s_schemas: Path, tmp_path: Path
) -> None:
    values = tmp_path / "backends.yaml"
    values.write_text(
        "backends:\n"
        "  loki: {externalName: loki-gateway.logging.svc.cluster.local}\n"
        "  tempo: {externalName: tempo.tracing.svc.cluster.local}\n"
    )
    chart = charts["example/prod"]
    manifests = helm_template(real_tool("helm"), chart, extra=("-f", str(values)))
    _conform(real_tool, k8s_schemas, manifests)
    external = {
        d["metadata"]["name"]: d["spec"]["externalName"]
        for d in objects(manifests)
        if d["kind"] == "Service" and d["spec"]["type"] == "ExternalName"
    }
    assert external == {
        "loki": "loki-gateway.logging.svc.cluster.local",
        "tempo": "tempo.tracing.svc.cluster.local",
    }


# `helm template` leaves NOTES.txt out; this test-only template renders it into an object.
NOTES_PROBE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: notes-probe
data:
  notes: {{ include (print $.Template.BasePath "/NOTES.txt") . | quote }}
"""


def test_notes_tell_how_long_the_users_backends_must_keep_data(
    real_tool: Tool, charts: dict[str, Path], tmp_path: Path
) -> None:
    chart = tmp_path / "obs-stack"
    shutil.copytree(charts["example/prod"], chart)
    (chart / "templates" / "notes-probe.yaml").write_text(NOTES_PROBE)
    manifests = helm_template(
        real_tool("helm"),
        chart,
        extra=(
            "--show-only",
            "templates/notes-probe.yaml",
            "--set",
            "backends.prometheus.retention.period=90d",
        ),
    )
    [probe] = objects(manifests)
    notes = probe["data"]["notes"]
    assert (
        "Prometheus: 90d (at least 32d: the 30d window of SLO accounts/availability, "
        "plus a 2d margin)"
    ) in notes
    assert "spec.retention: 90d" in notes
    assert "--storage.tsdb.retention.time=90d" in notes
    assert "Loki: 30d (at least 1d)" in notes
    assert "limits_config.retention_period: 30d" in notes


def test_values_outside_the_schema_fail_lint(
    real_tool: Tool, charts: dict[str, Path], tmp_path: Path
) -> None:
    values = tmp_path / "bad.yaml"
    values.write_text("backends:\n  loki: {externalName: 'Not A Host!'}\n")
    result = helm_lint(real_tool("helm"), charts["example/prod"], extra=("-f", str(values)))
    assert result.returncode != 0
    assert "externalName" in result.stdout + result.stderr


def _huge_rule_file(groups: int, prefix: str) -> bytes:
    lines = ["groups:"]
    for i in range(groups):
        lines += [
            f"- name: {prefix}-{i:05d}",
            "  rules:",
            f"  - record: 'obsc:test_{i}:rate5m'",
            f'    expr: \'sum(rate(http_requests_total{{service="huge",shard="{i}"}}[5m]))\'',
            "    labels:",
            "      service: huge",
            f"      note: '{'x' * 900}'",
        ]
    return ("\n".join(lines) + "\n").encode()


def test_rule_sets_over_a_mebibyte_are_split_into_objects_under_it(
    real_tool: Tool, k8s_schemas: Path, tmp_path: Path
) -> None:
    model = load_estate(ROOT).resolved.environments["prod"]
    inputs = {
        "collector/config.yaml": b"receivers: {}\n",
        "alerts/alertmanager.yaml": b"route: {receiver: x}\nreceivers:\n- name: x\n",
        "alerts/rules/huge.rules.yaml": _huge_rule_file(3000, "huge"),  # about 3 MiB
        "alerts/loki/rules.yaml": _huge_rule_file(1500, "logs"),
        "grafana/provisioning/datasources/datasources.yaml": b"apiVersion: 1\n",
    }
    assert len(inputs["alerts/rules/huge.rules.yaml"]) > 3 * OBJECT_LIMIT
    chart = write_tree(assemble_chart(model, inputs), tmp_path) / "obs-stack"
    manifests = helm_template(real_tool("helm"), chart)
    _conform(real_tool, k8s_schemas, manifests)
    documents = objects(manifests)
    assert oversized(documents) == []
    rules = [d for d in documents if d["kind"] == "PrometheusRule"]
    loki = [d for d in documents if d["metadata"]["name"].startswith("obs-stack-loki-")]
    assert len(rules) >= 6 and len(loki) >= 3
    names = [g["name"] for d in rules for g in d["spec"]["groups"]]
    assert names == [f"huge-{i:05d}" for i in range(3000)]  # every group, once, in order
    assert max(object_size(d) for d in rules) > OBJECT_LIMIT // 4  # parts are not tiny


@pytest.mark.parametrize("tool", ["helm", "kubeconform"])
def test_kubeconform_and_helm_are_the_pinned_builds(real_tool: Tool, tool: str) -> None:
    import subprocess

    from tests.realtools import PINS

    flag = "version" if tool == "helm" else "-v"
    out = subprocess.run(
        [str(real_tool(tool)), flag], capture_output=True, text=True, check=True
    ).stdout
    assert PINS[tool] in out
