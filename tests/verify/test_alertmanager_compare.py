"""The Alertmanager comparison: a real Alertmanager's view of the rendered file passes,
and a different configuration does not."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.verify.alertmanager import differences_from
from tests.conftest import FIXTURES

PAIR = FIXTURES / "verify" / "alertmanager"


def load(name: str) -> Any:
    return YAML(typ="safe").load((PAIR / name).read_bytes())


def test_what_alertmanager_reports_for_the_rendered_file_matches_it() -> None:
    rendered, running = load("rendered.yaml"), load("running.yaml")
    assert running["route"]["routes"][-1]["repeat_interval"] == "1d"  # rendered: 24h
    assert differences_from(rendered, running) == []


def _route_receiver(config: Any) -> None:
    config["route"]["routes"][0]["receiver"] = "catalog-chat"


def _route_removed(config: Any) -> None:
    del config["route"]["routes"][-1]


def _receiver_added(config: Any) -> None:
    config["receivers"].append({"name": "extra", "webhook_configs": [{"url": "http://x"}]})


def _matcher(config: Any) -> None:
    config["route"]["routes"][0]["matchers"] = ['severity="ticket"', 'team="payments"']


def _interval(config: Any) -> None:
    config["route"]["routes"][0]["repeat_interval"] = "2h"


def _inhibit(config: Any) -> None:
    config["inhibit_rules"] = []


def _secret_file(config: Any) -> None:
    config["receivers"][0]["slack_configs"][0]["api_url_file"] = "/elsewhere"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_route_receiver, "route.routes[0].receiver: 'catalog-chat' running, 'payments-pager'"),
        (_route_removed, "route.routes: 7 entries running, 8 rendered"),
        (_receiver_added, "receivers: 10 entries running, 9 rendered"),
        (_matcher, "route.routes[0].matchers:"),
        (_interval, "route.routes[0].repeat_interval: '2h' running, '1h' rendered"),
        (_inhibit, "inhibit_rules: 0 entries running, 1 rendered"),
        (_secret_file, "receivers[0].slack_configs[0].api_url_file: '/elsewhere' running"),
    ],
)
def test_a_different_configuration_is_named(change: Any, named: str) -> None:
    running = copy.deepcopy(load("running.yaml"))
    change(running)
    found = differences_from(load("rendered.yaml"), running)
    assert any(d.startswith(named) for d in found), found


def test_a_secret_alertmanager_hides_matches_any_rendered_value() -> None:
    # Alertmanager 0.28 shows a webhook's `url` as <secret> (seen in tests/live).
    rendered = {"receivers": [{"name": "a", "webhook_configs": [{"url": "http://127.0.0.1:9/x"}]}]}
    running = {"receivers": [{"name": "a", "webhook_configs": [{"url": "<secret>"}]}]}
    assert differences_from(rendered, running) == []
    elsewhere = {"receivers": [{"name": "a", "webhook_configs": [{"url": "http://elsewhere"}]}]}
    assert differences_from(rendered, elsewhere) != []
