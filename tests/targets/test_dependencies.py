"""`dependsOn`: a dependency's page inhibits its dependants' SLO pages, in a real Alertmanager.

The example estate's prod `alertmanager.yaml` is loaded by the pinned Alertmanager; alerts are
posted to its API and their state read back: Alertmanager's inhibitor decides, not a reading
of the rules.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from compiler.pipeline import load_estate
from targets.alerts.alertmanager import inhibit_rules, render_alertmanager
from tests.conftest import ROOT

Tool = Callable[[str], Path]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def alertmanager(real_tool: Tool, tmp_path: Path) -> Iterator[str]:
    """A real Alertmanager running the example estate's prod config; yields its URL."""
    config = tmp_path / "alertmanager.yaml"
    config.write_bytes(render_alertmanager(load_estate(ROOT).resolved.environments["prod"]))
    port = _free_port()
    process = subprocess.Popen(
        [
            str(real_tool("alertmanager")),
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "alertmanager did not become ready"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _post(url: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        f"{url}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()


def _alert(name: str, labels: dict[str, str], ends: datetime | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    alert: dict[str, Any] = {
        "labels": {"alertname": name, **labels},
        "startsAt": (now - timedelta(minutes=1)).isoformat(),
    }
    if ends is not None:
        alert["endsAt"] = ends.isoformat()
    return alert


def _states(url: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as response:
        alerts = json.load(response)
    return {a["labels"]["alertname"]: a["status"]["state"] for a in alerts}


def _wait_for(url: str, expected: dict[str, str]) -> dict[str, str]:
    deadline = time.monotonic() + 15
    states = _states(url)
    while any(states.get(k) != v for k, v in expected.items()) and time.monotonic() < deadline:
        time.sleep(0.3)
        states = _states(url)
    return states


ORDERS_DB_PAGE = {"service": "orders-db", "slo": "availability", "severity": "page"}
ALERTS = [
    _alert("OrdersDbAvailabilityErrorBudgetBurn", ORDERS_DB_PAGE),
    _alert(
        "CheckoutAvailabilityErrorBudgetBurn",
        {"service": "checkout", "slo": "availability", "severity": "page"},
    ),
    # an own page alert of the dependant is its own cause: never inhibited by a dependency
    _alert("CheckoutPaymentQueueBacklog", {"service": "checkout", "severity": "page"}),
    # a service that does not depend on orders-db
    _alert(
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
    _post(alertmanager, ALERTS)
    expected = {
        "OrdersDbAvailabilityErrorBudgetBurn": "active",
        "CheckoutAvailabilityErrorBudgetBurn": "suppressed",
        "CheckoutPaymentQueueBacklog": "active",
        "SearchAvailabilityErrorBudgetBurn": "active",
    }
    assert _wait_for(alertmanager, expected) == expected
    # the dependency resolves: the dependant's page is no longer inhibited
    ended = datetime.now(UTC) - timedelta(seconds=1)
    _post(alertmanager, [_alert("OrdersDbAvailabilityErrorBudgetBurn", ORDERS_DB_PAGE, ended)])
    after = _wait_for(alertmanager, {"CheckoutAvailabilityErrorBudgetBurn": "active"})
    assert after["CheckoutAvailabilityErrorBudgetBurn"] == "active"


def test_a_dependants_page_does_not_inhibit_the_dependency(alertmanager: str) -> None:
    _post(alertmanager, ALERTS[:2])
    _wait_for(alertmanager, {"CheckoutAvailabilityErrorBudgetBurn": "suppressed"})
    states = _states(alertmanager)
    assert states["OrdersDbAvailabilityErrorBudgetBurn"] == "active"
    assert states["CheckoutAvailabilityErrorBudgetBurn"] == "suppressed"
