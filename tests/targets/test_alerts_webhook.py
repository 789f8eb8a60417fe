"""`--set alerts.webhook=URL`: every receiver a webhook, names and the route tree unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.pipeline import load_estate
from targets.alerts import TARGET
from tests.conftest import ROOT

URL = "http://127.0.0.1:19999/hook"


def _alertmanager(files: dict[str, bytes]) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(files["alertmanager.yaml"])
    return loaded


def test_receivers_become_webhooks_and_the_rest_stays() -> None:
    model = load_estate(ROOT).resolved.environments["dev"]
    assert TARGET.configure is not None
    plain = TARGET.render(model)
    hooked = TARGET.configure({"webhook": URL})(model)
    assert {p: c for p, c in hooked.items() if p != "alertmanager.yaml"} == {
        p: c for p, c in plain.items() if p != "alertmanager.yaml"
    }
    before, after = _alertmanager(plain), _alertmanager(hooked)
    assert [r["name"] for r in after["receivers"]] == [r["name"] for r in before["receivers"]]
    assert "payments-pager" in [r["name"] for r in after["receivers"]]
    for receiver in after["receivers"]:
        assert receiver == {
            "name": receiver["name"],
            "webhook_configs": [{"url": URL, "send_resolved": True}],
        }
    assert {k: v for k, v in after.items() if k != "receivers"} == {
        k: v for k, v in before.items() if k != "receivers"
    }


def test_no_setting_renders_the_plain_file() -> None:
    model = load_estate(ROOT).resolved.environments["dev"]
    assert TARGET.configure is not None
    assert TARGET.configure({})(model) == TARGET.render(model)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"webhook": "127.0.0.1:9"}, "alerts.webhook: expected an http"),
        ({"hook": URL}, "unknown setting alerts.hook"),
    ],
)
def test_bad_settings(values: dict[str, str], message: str) -> None:
    assert TARGET.configure is not None
    with pytest.raises(ValueError, match=message):
        TARGET.configure(values)
