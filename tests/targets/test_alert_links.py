"""Propagated service labels and absolute dashboard links on every alert of a service."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ruamel.yaml import YAML

from compiler.pipeline import load_estate
from targets.alerts import render_alerts
from tests.conftest import ObscRunner
from tests.kube import write_tree
from tests.realtools import Tool

OWN_ALERT = """\
  alerts:
    - name: queue-depth-high
      expr: 'queue_depth{service="api"} > 10'
      severity: page
      summary: Queue too deep
"""
LINKS = """\
    propagateLabels: [domain, pci-scope, absent-on-api]
    grafanaUrl: https://grafana.example.com/
"""


def _estate(repo: Path) -> None:
    service = repo / "specs" / "services" / "api.yaml"
    text = service.read_text()
    text = text.replace(
        "  tier: 1\n", '  tier: 1\n  labels: {domain: commerce, pci-scope: "true"}\n'
    )
    text = text.replace("  environments:\n", OWN_ALERT + "  environments:\n", 1)
    service.write_text(text)
    project = repo / "specs" / "project.yaml"
    text = project.read_text().replace("    routes:\n", LINKS + "    routes:\n", 1)
    project.write_text(text.replace("targets: [model]", "targets: [model, alerts]"))


def _alerts(files: dict[str, bytes], path: str) -> list[dict[str, object]]:
    groups = YAML(typ="safe").load(files[path])["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def test_every_alert_of_the_service_carries_its_labels_and_an_absolute_link(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    _estate(minimal_repo)
    files = render_alerts(load_estate(minimal_repo).resolved.environments["prod"])
    alerts = _alerts(files, "rules/api.rules.yaml") + _alerts(files, "loki/rules.yaml")
    names = {str(rule["alert"]) for rule in alerts}
    assert {"ApiQueueDepthHigh", "ApiMetricsAbsent", "ApiLogErrorRate"} <= names
    assert "ApiAvailabilityErrorBudgetBurn" in names
    for rule in alerts:
        labels = rule["labels"]
        assert isinstance(labels, dict)
        assert (labels["domain"], labels["pci_scope"]) == ("commerce", "true"), rule["alert"]
        assert "absent_on_api" not in labels  # a label the service does not have
        annotations = rule["annotations"]
        assert isinstance(annotations, dict)
        if "dashboard_url" in annotations:
            # the flask dashboard opened on api; an SLO's alerts on that SLO's row alone
            url = "https://grafana.example.com/d/obsc-fw-flask?var-service=api"
            slo = labels.get("slo")
            assert annotations["dashboard_url"] == url + (f"&var-slo={slo}" if slo else "")
    root = write_tree(files, tmp_path)
    done = subprocess.run(
        [str(real_tool("promtool")), "test", "rules", "api.test.yaml"],
        cwd=root / "tests",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_validate_warns_when_alerts_reach_people_without_a_grafana_url(
    minimal_repo: Path, obsc: ObscRunner
) -> None:
    _estate(minimal_repo)
    project = minimal_repo / "specs" / "project.yaml"
    linked = project.read_text()
    project.write_text(linked.replace("    grafanaUrl: https://grafana.example.com/\n", ""))
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 0, result.err
    assert "specs/project.yaml:20:5: warning[OBSC332]" in result.err, result.err
    assert "grafanaUrl" in result.err
    project.write_text(linked)
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 0 and "OBSC332" not in result.err, result.err
