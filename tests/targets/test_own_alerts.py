"""A service's own alerts (`spec.alerts`): rules, labels, and generated tests run by promtool."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.model import ResolvedService, ResolvedSLO
from compiler.pipeline import load_estate
from compiler.spec.own_alerts import SERVICE_ALERT_SUFFIXES, SLO_ALERT_SUFFIXES, derive_test
from compiler.spec.own_alerts import alert_name as own_alert_name
from targets.alerts import render_alerts
from targets.alerts.loki import log_error_alert
from targets.alerts.naming import absent_alert, burn_alert, exhausted_alert
from tests.kube import write_tree
from tests.realtools import Tool
from tests.targets.promtool import promtool

ALERTS = """\
  alerts:
    - name: queue-depth-high
      expr: 'queue_depth{service="api", queue="orders"} > 10000'
      for: 15m
      severity: page
      labels: {component: queue}
      summary: 'Order queue above 10000 for 15 minutes {{ $value }}'
      description: The order consumer is not keeping up.
      runbook: https://runbooks.example.com/api/queue
    - name: dead-letters
      expr: 'sum(rate(dead_letters_total{service="api"}[5m])) > 0.1'
      for: 90s
      severity: ticket
      summary: Messages are being dead-lettered
      test:
        series:
          - {series: 'dead_letters_total{service="api",queue="orders"}', values: '0+60x30'}
"""


def _render(repo: Path) -> dict[str, bytes]:
    service = repo / "specs" / "services" / "api.yaml"
    text = service.read_text().replace("  environments:\n", ALERTS + "  environments:\n", 1)
    service.write_text(text)
    return render_alerts(load_estate(repo).resolved.environments["prod"])


def test_own_alerts_carry_the_services_labels_and_literal_text(minimal_repo: Path) -> None:
    files = _render(minimal_repo)
    groups = YAML(typ="safe").load(files["rules/api.rules.yaml"])["groups"]
    own = next(g for g in groups if g["name"] == "obsc-alerts-api")["rules"]
    assert [r["alert"] for r in own] == ["ApiQueueDepthHigh", "ApiDeadLetters"]
    assert own[0]["labels"] == {
        "component": "queue",
        "service": "api",
        "severity": "page",
        "team": "payments",
    }
    assert own[0]["for"] == "15m"
    assert own[0]["annotations"]["summary"].endswith('{{ "{{" }} $value }}')
    assert own[0]["annotations"]["runbook_url"] == "https://runbooks.example.com/api/queue"
    assert own[1]["labels"]["severity"] == "ticket"


@pytest.mark.slow  # several promtool runs: about 10 s of CPU
def test_generated_tests_pass_and_catch_a_wrong_threshold_or_for(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    files = _render(minimal_repo)
    tests = YAML(typ="safe").load(files["tests/api.test.yaml"])["tests"]
    own = [t["name"] for t in tests if "Api" in t["name"]]
    assert own == [
        "api ApiQueueDepthHigh: fires after `for`, not before (derived from the expression)",
        "api ApiQueueDepthHigh: stays quiet while the expression is false",
        "api ApiDeadLetters: fires after `for`, not before (the spec's example)",
    ]
    root = write_tree(files, tmp_path / "good")
    done = promtool(real_tool, "check", "rules", "rules/api.rules.yaml", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=root / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    rules = files["rules/api.rules.yaml"].decode()
    for index, (old, new) in enumerate(
        (
            ("} > 10000'", "} > 10001'"),  # the firing case no longer fires
            ("} > 10000'", "} >= 10000'"),  # the quiet case fires
            ("for: '15m'", "for: '10m'"),  # fires before `for` (14m) has elapsed
            ("for: '90s'", "for: '5m'"),  # the example no longer fires at 3m
        )
    ):
        assert old in rules
        mutated = rules.replace(old, new).encode()
        broken = write_tree(
            {**files, "rules/api.rules.yaml": mutated}, tmp_path / f"broken-{index}"
        )
        done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=broken / "tests")
        assert done.returncode == 1, f"{old} -> {new}: {done.stdout}"


@pytest.mark.parametrize(
    ("expr", "series", "firing", "quiet"),
    [
        (
            'queue_depth{service="a", q="in"} > 10',
            'queue_depth{q="in",service="a"}',
            "11.0",
            "10.0",
        ),
        ("10 < queue_depth", "queue_depth", "11.0", "10.0"),
        ("temperature <= -3.5", "temperature", "-3.5", "-2.5"),
        ('{__name__="up", job="x"} == 0', 'up{job="x"}', "0.0", "1.0"),
        ("errors != 2", "errors", "3.0", "2.0"),
    ],
)
def test_a_test_is_derived_from_one_selector_against_a_constant(
    expr: str, series: str, firing: str, quiet: str
) -> None:
    derived = derive_test(expr)
    assert derived is not None
    assert (derived.series, derived.firing_value, derived.quiet_value) == (series, firing, quiet)


@pytest.mark.parametrize(
    "expr",
    [
        "sum(queue_depth) > 10",  # an aggregation: which series make it true is not obvious
        "queue_depth > bool 10",  # always a result, 0 or 1
        'queue_depth{q=~"in.*"} > 10',  # a regex matcher names no one series
        'queue_depth{q=""} > 10',  # selects series without the label
        "queue_depth offset 5m > 10",
        "queue_depth > other",
        "queue_depth > 1e20",  # c + 1 == c
        "queue_depth > Inf",
        "rate(x_total[5m]) > 1",
    ],
)
def test_no_test_is_derived_where_it_would_not_be_sound(expr: str) -> None:
    assert derive_test(expr) is None


def test_reserved_alert_names_are_those_obsc_gives(minimal_repo: Path) -> None:
    model = load_estate(minimal_repo).resolved.environments["prod"]
    service: ResolvedService = model.services[0]
    slo: ResolvedSLO = service.slos[0]
    prefix = own_alert_name(service.name, slo.name)
    assert {burn_alert(service, slo), exhausted_alert(service, slo)} == {
        prefix + suffix for suffix in SLO_ALERT_SUFFIXES
    }
    assert {absent_alert(service), log_error_alert(service)} == {
        own_alert_name(service.name, "") + suffix for suffix in SERVICE_ALERT_SUFFIXES
    }


def test_an_environment_overrides_an_alert_or_switches_it_off(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    override = (
        "    dev: {alerts: {queue-depth-high: {for: 5m, severity: ticket}, "
        "dead-letters: {enabled: false}}}\n"
    )
    text = service.read_text().replace("  environments:\n", ALERTS + "  environments:\n", 1)
    service.write_text(
        text.replace("    prod: {sampling: 0.05}\n", "    prod: {sampling: 0.05}\n" + override)
    )
    models = load_estate(minimal_repo).resolved.environments
    files = render_alerts(models["dev"])
    groups = YAML(typ="safe").load(files["rules/api.rules.yaml"])["groups"]
    (own,) = [g["rules"] for g in groups if g["name"] == "obsc-alerts-api"]
    assert [(r["alert"], r["for"], r["labels"]["severity"]) for r in own] == [
        ("ApiQueueDepthHigh", "5m", "ticket")
    ]
    prod = YAML(typ="safe").load(render_alerts(models["prod"])["rules/api.rules.yaml"])
    (prod_own,) = [g["rules"] for g in prod["groups"] if g["name"] == "obsc-alerts-api"]
    assert [r["alert"] for r in prod_own] == ["ApiQueueDepthHigh", "ApiDeadLetters"]
    root = write_tree(files, tmp_path)
    done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=root / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    tests = YAML(typ="safe").load(files["tests/api.test.yaml"])["tests"]
    fired = [
        c for t in tests if "ApiQueueDepthHigh: fires" in t["name"] for c in t["alert_rule_test"]
    ]
    assert [c["eval_time"] for c in fired] == ["4m", "6m"]  # around the dev `for` of 5m
