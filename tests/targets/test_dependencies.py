"""`dependsOn`: a dependency's page inhibits its dependants' SLO pages, in a real Alertmanager.

The example estate's prod `alertmanager.yaml` is loaded by the pinned Alertmanager; alerts are
posted to its API and their state read back: Alertmanager's inhibitor decides, not a reading
of the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from compiler.pipeline import load_estate
from targets.alerts.alertmanager import inhibit_rules, render_alertmanager
from tests.conftest import ROOT
from tests.realtools import Tool
from tests.targets.alertmanager_server import (
    alert,
    post,
    running_alertmanager,
    states,
    wait_for,
)


@pytest.fixture
def alertmanager(real_tool: Tool, tmp_path: Path) -> Iterator[str]:
    """A real Alertmanager running the example estate's prod config; yields its URL."""
    config = render_alertmanager(load_estate(ROOT).resolved.environments["prod"])
    with running_alertmanager(real_tool, config, tmp_path) as url:
        yield url


ORDERS_DB_PAGE = {"service": "orders-db", "slo": "availability", "severity": "page"}
ALERTS = [
    alert("OrdersDbAvailabilityErrorBudgetBurn", ORDERS_DB_PAGE),
    alert(
        "CheckoutAvailabilityErrorBudgetBurn",
        {"service": "checkout", "slo": "availability", "severity": "page"},
    ),
    # an own page alert of the dependant is its own cause: never inhibited by a dependency
    alert("CheckoutPaymentQueueBacklog", {"service": "checkout", "severity": "page"}),
    # a service that does not depend on orders-db
    alert(
        "SearchAvailabilityErrorBudgetBurn",
        {"service": "search", "slo": "availability", "severity": "page"},
    ),
]


def test_the_example_estate_has_one_rule_per_dependency() -> None:
    model = load_estate(ROOT).resolved.environments["prod"]
    checkout = next(s for s in model.services if s.name == "checkout")
    assert checkout.depends_on == ("orders-db", "payment-gateway")
    rules = inhibit_rules(model.services)[1:]
    assert [r["source_matchers"][0] for r in rules] == [
        'service="orders-db"',
        'service="payment-gateway"',
    ]
    assert all(r["target_matchers"][0] == 'service=~"checkout"' for r in rules)


def test_a_dependency_page_inhibits_the_dependants_slo_pages(alertmanager: str) -> None:
    post(alertmanager, ALERTS)
    expected = {
        "OrdersDbAvailabilityErrorBudgetBurn": "active",
        "CheckoutAvailabilityErrorBudgetBurn": "suppressed",
        "CheckoutPaymentQueueBacklog": "active",
        "SearchAvailabilityErrorBudgetBurn": "active",
    }
    assert wait_for(alertmanager, expected) == expected
    # the dependency resolves: the dependant's page is no longer inhibited
    ended = datetime.now(UTC) - timedelta(seconds=1)
    post(alertmanager, [alert("OrdersDbAvailabilityErrorBudgetBurn", ORDERS_DB_PAGE, ended)])
    after = wait_for(alertmanager, {"CheckoutAvailabilityErrorBudgetBurn": "active"})
    assert after["CheckoutAvailabilityErrorBudgetBurn"] == "active"


def test_a_dependants_page_does_not_inhibit_the_dependency(alertmanager: str) -> None:
    post(alertmanager, ALERTS[:2])
    wait_for(alertmanager, {"CheckoutAvailabilityErrorBudgetBurn": "suppressed"})
    now = states(alertmanager)
    assert now["OrdersDbAvailabilityErrorBudgetBurn"] == "active"
    assert now["CheckoutAvailabilityErrorBudgetBurn"] == "suppressed"
