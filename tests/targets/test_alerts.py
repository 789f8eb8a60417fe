"""The alerts target's SLO rules, checked by promtool: syntax, generated tests, and numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import compiler.burn as burn
from compiler.model import EnvironmentModel
from compiler.pipeline import load_estate
from targets.alerts import render_alerts
from targets.alerts.own_alerts import own_alert_tests
from targets.alerts.slo_tests import SCENARIOS
from targets.alerts.slo_tests import testable as can_be_tested
from tests.conftest import ROOT, ObscRunner
from tests.kube import write_tree
from tests.realtools import Tool
from tests.targets.promtool import promtool


def _models(repo: Path = ROOT) -> dict[str, EnvironmentModel]:
    return load_estate(repo).resolved.environments


@pytest.fixture(scope="module")
def example_alerts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("alerts")
    for env, model in _models().items():
        write_tree(render_alerts(model), root / env)
    return root


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_promtool_accepts_every_rule_file(real_tool: Tool, example_alerts: Path, env: str) -> None:
    rules = sorted((example_alerts / env / "rules").glob("*.rules.yaml"))
    assert len(rules) >= 10
    done = promtool(real_tool, "check", "rules", *map(str, rules), cwd=example_alerts)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow  # promtool over every service's tests: about 17 s of CPU per environment
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_generated_rule_tests_pass(real_tool: Tool, example_alerts: Path, env: str) -> None:
    tests = sorted((example_alerts / env / "tests").glob("*.test.yaml"))
    assert len(tests) >= 10
    done = promtool(real_tool, "test", "rules", *[t.name for t in tests], cwd=tests[0].parent)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.count("SUCCESS") == len(tests)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("> 0.006)", "> 0.001)", "a page threshold too low: the slow burn would page"),
        ("> 0.001)", "> 0.0004)", "a ticket threshold too low: the neutral rate would ticket"),
        ('status=~"5.."', 'status=~"4.."', "the wrong error selector sees no errors"),
    ],
)
def test_generated_tests_catch_broken_rules(
    real_tool: Tool, example_alerts: Path, tmp_path: Path, old: str, new: str, why: str
) -> None:
    files = render_alerts(_models()["prod"])
    rule_file = "rules/checkout.rules.yaml"
    text = files[rule_file].decode()
    assert old in text, why
    files[rule_file] = text.replace(old, new).encode()
    root = write_tree(files, tmp_path)
    done = promtool(real_tool, "test", "rules", "checkout.test.yaml", cwd=root / "tests")
    assert done.returncode != 0, why


def _slo_rules(env: str, service: str) -> dict[str, dict[str, object]]:
    files = render_alerts(_models()[env])
    groups = YAML(typ="safe").load(files[f"rules/{service}.rules.yaml"])["groups"]
    return {
        "/".join(
            (
                str(r.get("record") or r.get("alert")),
                r["labels"].get("slo", ""),
                r["labels"].get("severity", ""),
            )
        ): r
        for g in groups
        for r in g["rules"]
    }


def test_sloth_compatible_names_and_labels() -> None:
    rules = _slo_rules("prod", "checkout")
    names = {key.split("/")[0] for key in rules}
    for name in (
        "slo:sli_error:ratio_rate5m",
        "slo:sli_error:ratio_rate30m",
        "slo:sli_error:ratio_rate1h",
        "slo:sli_error:ratio_rate2h",
        "slo:sli_error:ratio_rate6h",
        "slo:sli_error:ratio_rate1d",
        "slo:sli_error:ratio_rate3d",
        "slo:sli_error:ratio_rate30d",
        "slo:sli_error:ratio_rate4w",  # payments-succeed has a 28d window
        "slo:objective:ratio",
        "slo:error_budget:ratio",
        "slo:time_period:days",
        "slo:current_burn_rate:ratio",
        "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio",
        "sloth_slo_info",
        "CheckoutAvailabilityErrorBudgetBurn",
        "CheckoutMetricsAbsent",
    ):
        assert name in names, name
    info = rules["sloth_slo_info/availability/"]
    assert info["expr"] == "vector(1)"
    assert info["labels"] == {  # the objective as Sloth writes it, for its dashboards
        "service": "checkout",
        "slo": "availability",
        "sloth_id": "checkout-availability",
        "sloth_objective": "99.9",
        "sloth_service": "checkout",
        "sloth_slo": "availability",
        "team": "payments",
    }
    page = rules["CheckoutAvailabilityErrorBudgetBurn/availability/page"]
    assert page["labels"] == {
        "domain": "commerce",  # propagated from metadata.labels (alerting.propagateLabels)
        "pci_scope": "true",
        "service": "checkout",
        "severity": "page",
        "slo": "availability",
        "sloth_id": "checkout-availability",
        "sloth_service": "checkout",
        "sloth_slo": "availability",
        "sloth_severity": "page",  # what Sloth's dashboards count firing alerts by
        "team": "payments",
    }
    annotations = page["annotations"]
    assert isinstance(annotations, dict)
    assert annotations["runbook_url"] == "https://runbooks.example.com/checkout"
    assert annotations["dashboard_url"] == (
        "https://grafana.example.com/d/obsc-fw-flask?var-service=checkout&var-slo=availability"
    )


@pytest.mark.parametrize(
    ("window", "factors"),
    [("30d", ["14.4", "6", "3", "1"]), ("28d", ["13.44", "5.6", "2.8", "0.933"])],
)
def test_burn_factors_follow_the_slo_window(window: str, factors: list[str]) -> None:
    model = _models()["prod"]
    slo = next(s for svc in model.services for s in svc.slos if s.window == window)
    assert [burn.clean(burn.factor(slo, tier)) for tier in burn.TIERS] == factors


def test_thresholds_are_clean_decimals() -> None:
    files = render_alerts(_models()["prod"])
    text = b"".join(files.values()).decode()
    numbers = re.findall(r"[<>]=? (\d+\.\d+)", text) + re.findall(r"vector\((\d+\.\d+)\)", text)
    assert numbers
    for number in numbers:
        assert not re.search(r"(9999|0000)\d", number), number
        assert number == format(Decimal(number).normalize(), "f"), number  # no trailing zeros


def test_period_sli_is_request_weighted() -> None:
    rules = _slo_rules("prod", "checkout")
    period = rules["slo:sli_error:ratio_rate30d/availability/"]["expr"]
    assert period == (
        'sum_over_time(slo:sli_bad:rate5m{service="checkout", slo="availability"}[30d]) / '
        'sum_over_time(slo:sli_total:rate5m{service="checkout", slo="availability"}[30d])'
    )


KNOBS = """\
      alerting:
        page: {for: 5m}
        ticket: {enabled: false}
        minRequestsPerSecond: 50
        budgetExhausted: true
        interval: 2m
"""


def test_alerting_knobs_shape_the_rules_and_their_tests(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text()
    anchor = "      sli: {kind: availability}\n"
    service.write_text(text.replace(anchor, anchor + KNOBS, 1))
    files = render_alerts(_models(minimal_repo)["prod"])
    groups = YAML(typ="safe").load(files["rules/api.rules.yaml"])["groups"]
    availability = [g for g in groups if g["name"].endswith("api-availability")]
    assert {g.get("interval") for g in availability} == {"2m"}
    alerts = next(g for g in availability if "alerts" in g["name"])["rules"]
    assert [(r["alert"], r["labels"]["severity"]) for r in alerts] == [
        ("ApiAvailabilityErrorBudgetBurn", "page"),
        ("ApiAvailabilityErrorBudgetExhausted", "ticket"),
    ]
    assert alerts[0]["for"] == "5m"
    assert "slo:sli_total:rate5m" in alerts[0]["expr"] and ">= 50" in alerts[0]["expr"]
    root = write_tree(files, tmp_path)
    done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=root / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    test = YAML(typ="safe").load(files["tests/api.test.yaml"])
    availability = [t for t in test["tests"] if t["name"].startswith("api availability:")]
    fast = availability[0]["alert_rule_test"]
    assert fast[0]["eval_time"] == "36m"  # 30m + the 5m `for` (+1m)
    assert [a["exp_labels"]["severity"] for a in fast[0]["exp_alerts"]] == ["page"]
    assert len(fast[1]["exp_alerts"]) == 1  # exhausted at 20x


def test_each_service_test_file_holds_every_scenario_of_its_testable_slos() -> None:
    model = _models()["prod"]
    files = render_alerts(model)
    for service in model.services:
        expected = [
            f"{service.name} {slo.name}: {scenario.name}"
            for slo in service.slos
            if can_be_tested(slo)
            for scenario in SCENARIOS
        ]
        expected += [t["name"] for t in own_alert_tests(service)]  # after the SLOs'
        raw = files.get(f"tests/{service.name}.test.yaml")
        names = [t["name"] for t in YAML(typ="safe").load(raw)["tests"]] if raw else []
        assert names == expected, service.name
    assert any(f.startswith("tests/") for f in files)


def test_ratio_query_comments_do_not_swallow_the_rest_of_the_rule(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    """`total` is spliced into `((total) - (good))`: a trailing comment must not eat `))`."""
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text()
    for field in ("orders_ok_total", "orders_total"):
        query = f"'sum(rate({field}[{{{{window}}}}]))'"
        text = text.replace(query, f"'sum(rate({field}[{{{{window}}}}])) # per {field}'")
    assert text.count("# per orders") == 2
    service.write_text(text)
    files = render_alerts(_models(minimal_repo)["prod"])
    root = write_tree(files, tmp_path)
    done = promtool(real_tool, "check", "rules", "rules/api.rules.yaml", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=root / "tests")
    assert done.returncode == 0, done.stdout + done.stderr


def test_window_placeholder_in_a_comment_does_not_count(
    minimal_repo: Path, obsc: ObscRunner
) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace(
        "'sum(rate(orders_total[{{window}}]))'", "'sum(rate(orders_total[5m])) # {{window}}'"
    )
    service.write_text(text)
    result = obsc("--repo", minimal_repo, "validate")
    assert result.code == 2
    assert "specs/services/api.yaml:29:16: error[OBSC311]" in result.err, result.err


RUNBOOK = "https://wiki.example.com/{{.Labels.service}}/{{{x}}"


def test_go_template_text_in_annotations_stays_literal(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    """A runbook holding `{{` passes promtool, and the fired alert carries it unchanged."""
    service = minimal_repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace("  port: 5000\n", f"  port: 5000\n  runbook: '{RUNBOOK}'\n")
    service.write_text(text)
    files = render_alerts(_models(minimal_repo)["prod"])
    root = write_tree(files, tmp_path)
    done = promtool(real_tool, "check", "rules", "rules/api.rules.yaml", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    test = YAML(typ="safe").load(files["tests/api.test.yaml"])
    expected = [
        alert["exp_annotations"]["runbook_url"]
        for case in test["tests"]
        for check in case["alert_rule_test"]
        for alert in check["exp_alerts"]
    ]
    assert expected and set(expected) == {RUNBOOK}
    done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=root / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
