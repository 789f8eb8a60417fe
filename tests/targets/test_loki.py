"""Loki ruler rules: LogQL parsed by the real lokitool, names and labels as in the contracts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.model import EnvironmentModel
from compiler.pipeline import load_estate
from targets.alerts.loki import render_loki_rules
from tests.conftest import ROOT
from tests.realtools import Tool


def _models() -> dict[str, EnvironmentModel]:
    return load_estate(ROOT).resolved.environments


def _all_groups(content: bytes) -> list[dict[str, Any]]:
    data = YAML(typ="safe").load(content)
    assert isinstance(data, dict)
    groups = data["groups"]
    assert isinstance(groups, list)
    return groups


def _groups(content: bytes) -> list[dict[str, Any]]:
    """The log error-rate alert groups (logs SLIs' recording groups are tests/targets/
    test_logs_sli.py's)."""
    return [g for g in _all_groups(content) if g["name"].startswith("obsc-logs-")]


def _lokitool(real_tool: Tool) -> Path:
    return real_tool("lokitool")


def _check(real_tool: Tool, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(_lokitool(real_tool)), "rules", "check", "--strict", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_lokitool_parses_every_rule(real_tool: Tool, tmp_path: Path, env: str) -> None:
    content = render_loki_rules(_models()[env])
    path = tmp_path / "rules.yaml"
    path.write_bytes(content)
    done = _check(real_tool, path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(_groups(content)) >= 10


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("| detected_level=~", "| detected_level=~~"),  # not an operator
        ('"error|critical|fatal"', '"(error"'),  # a regexp RE2 rejects
        ("[5m]", "[5x]"),  # not a duration
    ],
)
def test_lokitool_rejects_broken_logql(real_tool: Tool, tmp_path: Path, old: str, new: str) -> None:
    text = render_loki_rules(_models()["prod"]).decode()
    assert old in text
    path = tmp_path / "rules.yaml"
    path.write_text(text.replace(old, new, 1))
    done = _check(real_tool, path)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "could not parse expression" in done.stderr


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_one_alert_per_application_service(env: str) -> None:
    model = _models()[env]
    groups = _groups(render_loki_rules(model))
    apps = [s for s in model.services if s.category == "application"]
    assert any(s.category == "infrastructure" for s in model.services)
    assert [g["name"] for g in groups] == [f"obsc-logs-{s.name}" for s in apps]
    for group, service in zip(groups, apps, strict=True):
        (rule,) = group["rules"]
        assert rule["labels"] == {
            **dict(service.alert_labels),  # the Project's propagateLabels
            "service": service.name,
            "severity": "ticket",
            "team": service.team,
        }
        assert rule["for"] == "10m"
        annotations = rule["annotations"]
        assert {"summary", "description", "dashboard_url"} <= set(annotations)
        assert annotations.get("runbook_url") == service.runbook
        assert annotations["dashboard_url"] == (
            # the Project's grafanaUrl; the framework's dashboard opened on the service
            f"https://grafana.example.com/d/obsc-fw-{service.framework}?var-service={service.name}"
        )


def test_alert_names_are_camel_case() -> None:
    rules = {
        g["name"]: g["rules"][0]["alert"] for g in _groups(render_loki_rules(_models()["prod"]))
    }
    assert rules["obsc-logs-checkout"] == "CheckoutLogErrorRate"
    assert rules["obsc-logs-payment-gateway"] == "PaymentGatewayLogErrorRate"
    assert rules["obsc-logs-edge-gateway"] == "EdgeGatewayLogErrorRate"


def test_expression_is_an_error_ratio_of_the_service_streams() -> None:
    groups = _groups(render_loki_rules(_models()["prod"]))
    expr = next(g for g in groups if g["name"] == "obsc-logs-checkout")["rules"][0]["expr"]
    assert expr == (
        '(sum(count_over_time({service_name="checkout"} | detected_level=~"error|critical|fatal"'
        ' [5m])) / sum(count_over_time({service_name="checkout"} [5m]))) > 0.05'
        ' and sum(count_over_time({service_name="checkout"} [5m])) >= 50'
    )
    for group in groups:
        service = group["name"].removeprefix("obsc-logs-")
        selectors = set(re.findall(r"\{[^}]*\}", group["rules"][0]["expr"]))
        assert selectors == {f'{{service_name="{service}"}}'}


def test_service_without_runbook_has_no_runbook_url() -> None:
    model = _models()["prod"]
    services = tuple(s.model_copy(update={"runbook": None}) for s in model.services)
    groups = _groups(render_loki_rules(model.model_copy(update={"services": services})))
    assert groups
    assert all("runbook_url" not in g["rules"][0]["annotations"] for g in groups)


def test_infrastructure_services_are_left_out() -> None:
    model = _models()["prod"]
    services = tuple(s.model_copy(update={"category": "infrastructure"}) for s in model.services)
    content = render_loki_rules(model.model_copy(update={"services": services}))
    assert _groups(content) == []


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_output_is_deterministic(env: str) -> None:
    first = render_loki_rules(_models()[env])
    assert render_loki_rules(_models()[env]) == first


def test_go_template_text_in_a_runbook_passes_lokitool(real_tool: Tool, tmp_path: Path) -> None:
    """Loki's ruler expands annotations as Go templates: `{{` is written as an action."""
    model = _models()["prod"]
    runbook = "https://wiki.example.com/{{{x}}"
    services = tuple(s.model_copy(update={"runbook": runbook}) for s in model.services)
    content = render_loki_rules(model.model_copy(update={"services": services}))
    notes = _groups(content)[0]["rules"][0]["annotations"]
    assert notes["runbook_url"] == 'https://wiki.example.com/{{ "{{" }}{x}}'
    path = tmp_path / "rules.yaml"
    path.write_bytes(content)
    done = _check(real_tool, path)
    assert done.returncode == 0, done.stdout + done.stderr
