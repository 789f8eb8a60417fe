"""The collector-health alerts: labels and routing, and the generated promtool test catching
broken rules (promtool itself runs every rendered rule file and test in test_alerts.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import PydanticCustomError
from ruamel.yaml import YAML

from compiler.model import EnvironmentModel
from compiler.output.collector_metrics import COLLECTOR_JOB
from compiler.output.links import STACK_NAME
from compiler.pipeline import load_estate
from compiler.spec.types import check_dns_label
from targets.alerts import render_alerts
from targets.alerts.alertmanager import render_alertmanager
from targets.alerts.stack import RULE_FILE, TEST_FILE
from tests.conftest import ROOT
from tests.kube import render_tree, write_tree
from tests.realtools import Tool

ALERTS = {
    "OtelCollectorDown": {"page"},
    "OtelCollectorMetricsAbsent": {"ticket"},
    "OtelCollectorExportFailing": {"page", "ticket"},
    "OtelCollectorDroppingData": {"page"},
    "OtelCollectorRefusingData": {"page"},
    "OtelCollectorQueueNearlyFull": {"ticket"},
}


@pytest.fixture(scope="module")
def prod() -> EnvironmentModel:
    return load_estate(ROOT).resolved.environments["prod"]


def _rules(model: EnvironmentModel) -> list[dict[str, Any]]:
    groups = YAML(typ="safe").load(render_alerts(model)[RULE_FILE])["groups"]
    assert [g["name"] for g in groups] == ["obsc-stack-collector"]
    rules: list[dict[str, Any]] = groups[0]["rules"]
    return rules


def _without_stack_team(model: EnvironmentModel) -> EnvironmentModel:
    alerting = model.alerting.model_copy(update={"stack_team": None})
    return model.model_copy(update={"alerting": alerting})


def test_the_stack_name_is_no_service_name() -> None:
    with pytest.raises(PydanticCustomError):
        check_dns_label(STACK_NAME)
    assert RULE_FILE == "rules/obsc.stack.rules.yaml"  # compose's glob: *.rules.yaml


def test_every_alert_has_severity_component_team_and_annotations(prod: EnvironmentModel) -> None:
    assert prod.alerting.stack_team == "platform"  # spec.alerting.stackTeam of the example
    rules = _rules(prod)
    found: dict[str, set[str]] = {}
    for rule in rules:
        labels = rule["labels"]
        found.setdefault(rule["alert"], set()).add(labels["severity"])
        assert labels["component"] == "collector"
        assert labels["team"] == "platform"
        assert set(labels) <= {"component", "severity", "team", "signal"}
        assert rule["for"].endswith("m")
        assert f'job="{COLLECTOR_JOB}"' in rule["expr"]
        assert set(rule["annotations"]) == {"summary", "description", "runbook", "dashboard_url"}
        assert rule["annotations"]["dashboard_url"] == "/d/obsc_stack"
    assert found == ALERTS
    per_signal = [r for r in rules if "signal" in r["labels"]]
    assert {r["labels"]["signal"] for r in per_signal} == {"logs", "metrics", "traces"}
    assert len(per_signal) == 3 * 4  # export page and ticket, dropping, refusing


def test_without_a_stack_team_the_alerts_carry_no_team(prod: EnvironmentModel) -> None:
    rules = _rules(_without_stack_team(prod))
    assert all("team" not in rule["labels"] for rule in rules)


def test_no_stack_rules_without_the_collector(prod: EnvironmentModel) -> None:
    without = prod.model_copy(
        update={"targets": tuple(t for t in prod.targets if t != "collector")}
    )
    files = render_alerts(without)
    assert RULE_FILE not in files and TEST_FILE not in files


def test_compose_scrapes_the_collector_as_the_rules_job() -> None:
    """The rules select job="otel-collector"; compose's Prometheus must scrape that job."""
    prometheus = YAML(typ="safe").load(render_tree(ROOT)["dev/compose/prometheus.yml"])
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    targets = jobs[COLLECTOR_JOB]["static_configs"][0]["targets"]
    assert [t.rpartition(":")[2] for t in targets] == ["8888"]  # the telemetry port
    assert prometheus["rule_files"][0].endswith("/*.rules.yaml")  # takes obsc.stack.rules.yaml


def _routes_to(real_tool: Tool, config: Path, labels: dict[str, str]) -> str:
    args = [f"{name}={value}" for name, value in sorted(labels.items())]
    done = subprocess.run(
        [str(real_tool("amtool")), "config", "routes", "test", f"--config.file={config}", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def test_alerts_reach_the_stack_team_or_the_default_receiver(
    real_tool: Tool, prod: EnvironmentModel, tmp_path: Path
) -> None:
    config = tmp_path / "alertmanager.yaml"
    config.write_bytes(render_alertmanager(prod))
    expected = {"page": "platform-pager", "ticket": "platform-email"}
    for rule in _rules(prod):
        labels = rule["labels"]
        assert _routes_to(real_tool, config, labels) == expected[labels["severity"]], rule
    for rule in _rules(_without_stack_team(prod)):
        assert _routes_to(real_tool, config, rule["labels"]) == "unrouted-chat", rule


def _promtool_test(real_tool: Tool, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(real_tool("promtool")), "test", "rules", Path(TEST_FILE).name],
        cwd=root / "tests",
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_generated_test_passes(real_tool: Tool, prod: EnvironmentModel, tmp_path: Path) -> None:
    root = write_tree(render_alerts(prod), tmp_path)
    done = _promtool_test(real_tool, root)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("for: '5m'", "for: '4m'", "the down alert would fire a minute early"),
        ("== 0", "== 1", "the down alert would never fire"),
        ("> 0.05", "> 0.001", "a trickle of failed exports would page"),
        ("> 0.8", "> 0.95", "a 90% full queue would raise nothing"),
        ("sum by (instance, exporter)", "sum by (instance)", "the exporter label would be lost"),
        ("receiver_refused_spans", "receiver_accepted_spans", "refused spans would go unnoticed"),
        (
            'absent(up{job="otel-collector"})',
            'absent(up{job="prometheus"})',
            "a missing collector would raise nothing",
        ),
    ],
)
def test_the_generated_test_catches_broken_rules(
    real_tool: Tool, prod: EnvironmentModel, tmp_path: Path, old: str, new: str, why: str
) -> None:
    files = render_alerts(prod)
    text = files[RULE_FILE].decode()
    assert old in text, why
    files[RULE_FILE] = text.replace(old, new, 1).encode()
    root = write_tree(files, tmp_path)
    done = _promtool_test(real_tool, root)
    assert done.returncode != 0, why
