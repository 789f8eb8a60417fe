"""The Project's own severity names (`alerting.severities`), mapped onto page and ticket.

Many organisations route on `critical`/`warning` or P1-P4. obsc's own alerts carry the first
name of their behaviour, a Service's own alert any declared name; the page-inhibits-ticket and
dependency inhibitions follow, which a real Alertmanager shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.errors import SpecError
from compiler.pipeline import load_estate
from targets.alerts import render_alerts
from targets.alerts.alertmanager import render_alertmanager
from tests.kube import write_tree
from tests.realtools import Tool
from tests.targets.alertmanager_server import alert, post, running_alertmanager, wait_for
from tests.targets.promtool import promtool

SEVERITIES = """\
  alerting:
    severities:
      page: [P1, P2]
      ticket: [P3, P4]
"""
OWN_ALERTS = """\
  alerts:
    - name: queue-depth-high
      expr: 'queue_depth{service="api", queue="orders"} > 10000'
      for: 15m
      severity: P2
      summary: Order queue above 10000 for 15 minutes
    - name: queue-depth-rising
      expr: 'queue_depth{service="api", queue="orders"} > 1000'
      for: 30m
      severity: ticket
      summary: Order queue above 1000 for 30 minutes
"""
CACHE = """\
apiVersion: obsc.dev/v1
kind: Service
metadata:
  name: cache
  team: payments
  tier: 2
spec:
  framework: redis
  port: 6379
"""


def _repo(minimal_repo: Path, own_alerts: str = OWN_ALERTS) -> Path:
    project = minimal_repo / "specs" / "project.yaml"
    text = project.read_text().replace("  alerting:\n", SEVERITIES, 1)
    # prod runs a collector: the stack's health rules render
    text = text.replace(
        "      targets: [model]\n      sampling: 0.1",
        "      targets: [model, collector, alerts]\n      sampling: 0.1",
    )
    project.write_text(text)
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace("  environments:\n", own_alerts + "  environments:\n", 1)
    service.write_text(text)
    (minimal_repo / "specs" / "services" / "cache.yaml").write_text(CACHE)
    return minimal_repo


def _alerting_rules(files: dict[str, bytes], service: str) -> list[dict[str, Any]]:
    groups = YAML(typ="safe").load(files[f"rules/{service}.rules.yaml"])["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def _rules(files: dict[str, bytes], service: str) -> dict[str, dict[str, Any]]:
    """By alert name; an SLO's page and ticket rules share a name: see _alerting_rules."""
    return {rule["alert"]: rule for rule in _alerting_rules(files, service)}


def _severity(rule: dict[str, Any]) -> str:
    """The label's value (rule files hold labels as Go templates of literal text)."""
    return str(rule["labels"]["severity"])


def test_every_alert_carries_the_projects_names(minimal_repo: Path) -> None:
    model = load_estate(_repo(minimal_repo)).resolved.environments["prod"]
    files = render_alerts(model)
    api = _rules(files, "api")
    burns = [
        r for r in _alerting_rules(files, "api") if r["alert"] == "ApiAvailabilityErrorBudgetBurn"
    ]
    assert sorted(_severity(r) for r in burns) == ["P1", "P3"]
    assert _severity(api["ApiQueueDepthHigh"]) == "P2"  # named in the spec
    assert _severity(api["ApiQueueDepthRising"]) == "P3"  # `ticket`: the first ticket name
    assert _severity(api["ApiMetricsAbsent"]) == "P3"
    cache = _rules(files, "cache")
    assert _severity(cache["CacheDown"]) == "P1"  # a framework's page alert
    assert _severity(cache["CacheConnectionsNearLimit"]) == "P3"
    stack = YAML(typ="safe").load(files["rules/obsc.stack.rules.yaml"])["groups"][0]["rules"]
    assert {_severity(r) for r in stack} == {"P1", "P3"}
    loki = YAML(typ="safe").load(files["loki/rules.yaml"])["groups"]
    assert {_severity(r) for g in loki for r in g["rules"]} == {"P3"}
    assert "page" not in {_severity(r) for r in [*api.values(), *cache.values(), *stack]}


def test_inhibitions_match_every_name_of_a_behaviour(minimal_repo: Path) -> None:
    model = load_estate(_repo(minimal_repo)).resolved.environments["prod"]
    config = YAML(typ="safe").load(render_alertmanager(model))
    first = config["inhibit_rules"][0]
    assert first["source_matchers"] == ['severity=~"P1|P2"']
    assert first["target_matchers"] == ['severity=~"P3|P4"']


def test_promtool_runs_the_generated_tests_under_the_projects_names(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    files = render_alerts(load_estate(_repo(minimal_repo)).resolved.environments["prod"])
    root = tmp_path / "alerts"
    write_tree(files, root)
    for test in sorted((root / "tests").glob("*.test.yaml")):
        done = promtool(real_tool, "test", "rules", test.name, cwd=test.parent)
        assert done.returncode == 0, test.name + done.stdout + done.stderr
    assert "severity: P2" in (root / "tests" / "api.test.yaml").read_text()


def test_a_p2_page_inhibits_a_p4_ticket_of_the_same_slo_in_alertmanager(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    model = load_estate(_repo(minimal_repo)).resolved.environments["prod"]
    with running_alertmanager(real_tool, render_alertmanager(model), tmp_path) as url:
        same = {"service": "api", "slo": "availability"}
        post(
            url,
            [
                alert("ApiAvailabilityPage", {**same, "severity": "P2"}),
                alert("ApiAvailabilityTicket", {**same, "severity": "P4"}),
                alert("ApiLatencyTicket", {"service": "api", "slo": "latency", "severity": "P3"}),
            ],
        )
        expected = {
            "ApiAvailabilityPage": "active",
            "ApiAvailabilityTicket": "suppressed",
            "ApiLatencyTicket": "active",
        }
        assert wait_for(url, expected) == expected


@pytest.mark.parametrize(
    ("own_alert", "line_fragment"),
    [
        ("      severity: P5\n", "severity: P5"),
        ("      severity: critical\n", "severity: critical"),
    ],
)
def test_an_undeclared_severity_is_an_error_at_its_line(
    minimal_repo: Path, own_alert: str, line_fragment: str
) -> None:
    alerts = OWN_ALERTS.replace("      severity: P2\n", own_alert, 1)
    repo = _repo(minimal_repo, alerts)
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    found = [d for d in caught.value.diagnostics if d.code == "OBSC335"]
    assert len(found) == 1
    lines = (repo / "specs" / "services" / "api.yaml").read_text().splitlines()
    assert line_fragment in lines[found[0].location.line - 1]
    assert "P1, P2, P3, P4" in found[0].message


def test_an_environment_override_names_a_severity_too(minimal_repo: Path) -> None:
    repo = _repo(minimal_repo)
    service = repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace(
        "  environments:\n",
        "  environments:\n    dev: {alerts: {queue-depth-high: {severity: P9}}}\n",
    )
    service.write_text(text)
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    assert [d.code for d in caught.value.diagnostics if d.code == "OBSC335"] == ["OBSC335"]


def test_one_name_cannot_both_page_and_ticket(minimal_repo: Path) -> None:
    project = minimal_repo / "specs" / "project.yaml"
    overlap = SEVERITIES.replace("ticket: [P3, P4]", "ticket: [P2, P3]")
    project.write_text(project.read_text().replace("  alerting:\n", overlap, 1))
    with pytest.raises(SpecError) as caught:
        load_estate(minimal_repo)
    assert any("P2" in d.message and "both" in d.message for d in caught.value.diagnostics)
