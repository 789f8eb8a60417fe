"""Sloth's Grafana dashboards read obsc's rules as they read Sloth's.

The PromQL of Sloth's two published dashboards (grafana.com 14348 "SLO / Detail" and 14643
"High level Sloth SLOs"; verbatim in tests/fixtures/import/sloth-dashboards) is evaluated
with its variables substituted as Grafana would for Sloth's getting-started SLO, over the
rules obsc renders for the imported example and over the rules Sloth generated for it, in
`promtool test rules`. Every target must return what the series mean: the same values from
both rule sets, and no data where the panel filters the SLO out (a healthy SLO's burn rate
below the `min_burning_rate` variable).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, ObscRunner
from tests.importers.test_equivalence import (
    BURNING,
    HEALTHY,
    SLOTH,
    Scenario,
    obsc_rules,
    promtool_test,
    sloth_rules,
)
from tests.realtools import Tool

DASHBOARDS = FIXTURES / "import" / "sloth-dashboards"
EXAMPLE = "getting-started.yml"
SERVICE, SLO = "myservice", "requests-availability"
AT = "7h"  # promtool's clock starts at the epoch: January 1970, 31 days
MONTH, DAYS_IN_MONTH = "1", 31
MIN_BURNING_RATE = 1.0
Target = tuple[int, int, str]  # dashboard (grafana.com id), panel id, refId


def _variables(dashboard: dict[str, Any], sli_window: str) -> dict[str, str]:
    """What Grafana substitutes, with one SLO selected; `__to:date:M` is the month at AT."""
    values = {
        "service": SERVICE,
        "slo": SLO,
        "sli_window": sli_window,
        "min_burning_rate": dashboard["variables"]["min_burning_rate"],
        "__to:date:M": MONTH,
    }
    assert float(values["min_burning_rate"]) == MIN_BURNING_RATE
    return values


def _substitute(expr: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{([^}]+)\}", lambda m: values[m[1]], expr)


def _expected(scenario: Scenario) -> dict[Target, float | None]:
    """Each target's value at AT (one series), or None for no data."""
    ratio, budget = scenario.error_ratio, scenario.budget
    burn = ratio / budget
    over = burn if burn > MIN_BURNING_RATE else None
    # the month's hourly 1h error ratios (1h..7h: at 0h no rate exists yet) over its budget
    month_budget = 1 - 7 * ratio / (budget * 24 * DAYS_IN_MONTH)
    ideal = 1 - 8 / (24 * DAYS_IN_MONTH)  # 0h..7h of January at one hour's share each
    page = 1.0 if scenario.page else 0.0
    ticket = 1.0 if scenario.ticket else 0.0
    return {
        (14348, 38, "A"): over,
        (14348, 56, "A"): over,
        (14348, 15, "A"): 1 - budget,
        (14348, 18, "A"): 1 - ratio,
        (14348, 18, "B"): 1 - budget,
        (14348, 10, "A"): 1.0,
        (14348, 11, "A"): burn,
        (14348, 76, "A"): month_budget,
        (14348, 12, "A"): 1 - burn,
        (14348, 66, "A"): month_budget,
        (14348, 66, "B"): ideal,
        (14348, 87, "A"): burn,
        (14348, 13, "A"): ticket,
        (14348, 14, "A"): page,
        (14643, 104, "A"): 1.0,
        (14643, 105, "A"): 1.0,
        (14643, 106, "A"): burn,
        (14643, 107, "A"): ticket,
        (14643, 108, "A"): page,
        (14643, 56, "A"): over,
        (14643, 38, "A"): over,
        (14643, 100, "A"): burn,
        (14643, 110, "A"): 1 - burn,
    }


def _checks(query: str, value: float | None) -> list[dict[str, Any]]:
    """One series of `value` (within 1e-6), or no data."""
    one = [{"labels": "{}", "value": 1}]
    if value is None:
        return [{"expr": f"count({query})", "eval_time": AT, "exp_samples": []}]
    return [
        {"expr": f"count({query})", "eval_time": AT, "exp_samples": one},
        {"expr": f"count(abs(({query}) - {value!r}) < 1e-6)", "eval_time": AT, "exp_samples": one},
    ]


def _variable_checks() -> list[dict[str, Any]]:
    """The detail dashboard's `label_values` variables list the SLO (as `group by` does)."""
    return [
        {
            "expr": "group by (sloth_service) (slo:objective:ratio)",
            "eval_time": AT,
            "exp_samples": [{"labels": f'{{sloth_service="{SERVICE}"}}', "value": 1}],
        },
        {
            "expr": f'group by (sloth_slo) (slo:objective:ratio{{sloth_service="{SERVICE}"}})',
            "eval_time": AT,
            "exp_samples": [{"labels": f'{{sloth_slo="{SLO}"}}', "value": 1}],
        },
        {  # panel 10's legend, "Objective {{sloth_objective}}%"
            "expr": f'count(sloth_slo_info{{sloth_service="{SERVICE}", sloth_slo="{SLO}",'
            ' sloth_objective="99.9"})',
            "eval_time": AT,
            "exp_samples": [{"labels": "{}", "value": 1}],
        },
    ]


def _dashboard_tests(scenario: Scenario) -> dict[str, Any]:
    expected = _expected(scenario)
    checks = _variable_checks()
    seen: set[Target] = set()
    for path in sorted(DASHBOARDS.glob("*.json")):
        dashboard = json.loads(path.read_text())
        windows = dashboard["variables"].get("sli_window", "5m").split(",")
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                key = (dashboard["gnetId"], panel["id"], target["refId"])
                seen.add(key)
                for window in windows if "${sli_window}" in target["expr"] else windows[:1]:
                    query = _substitute(target["expr"], _variables(dashboard, window))
                    checks.extend(_checks(query, expected[key]))
    assert seen == set(expected), "every dashboard target has an expectation, and only those"
    return {
        "interval": "1m",
        "input_series": [{"series": s, "values": v} for s, v in scenario.series.items()],
        "promql_expr_test": checks,
    }


@pytest.mark.parametrize("who", ["obsc", "sloth"])
def test_sloth_dashboards_read_the_rules(
    obsc: ObscRunner, tmp_path: Path, real_tool: Tool, who: str
) -> None:
    promtool = real_tool("promtool")
    if who == "obsc":
        rules = obsc_rules(obsc, tmp_path, "sloth", SLOTH / EXAMPLE)
    else:
        rules = sloth_rules(tmp_path, EXAMPLE)
    tests = [_dashboard_tests(BURNING), _dashboard_tests(HEALTHY)]
    done = promtool_test(promtool, tmp_path / "dashboards", rules, tests)
    assert done.returncode == 0, f"{who}'s rules: {done.stdout}{done.stderr}"
