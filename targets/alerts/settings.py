"""`obsc render --set alerts.KEY=VALUE`: Alertmanager's receivers for a run on loopback.

`alerts.webhook=URL` turns every receiver into a webhook to URL. The receivers keep their
names and the route tree is unchanged, so a test receiving the notifications sees which
receiver the rendered routes chose (Alertmanager's webhook payload names it). Like every
setting it never reaches rendered/ (the CLI insists on --out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from targets import settings as values_of

HELP: dict[str, str] = {
    "webhook": "URL - every Alertmanager receiver becomes a webhook to URL (names and routes "
    "unchanged), for a test that receives the notifications",
}


def parse_webhook(values: Mapping[str, str]) -> str | None:
    """The webhook URL of the settings, if any; ValueError on an unknown key or a bad URL."""
    for key in values:
        if key not in HELP:
            raise ValueError(f"unknown setting alerts.{key}")
    webhook = values.get("webhook")
    return None if webhook is None else values_of.url("alerts.webhook", webhook)


def webhook_receivers(config: dict[str, Any], url: str) -> dict[str, Any]:
    """The Alertmanager config with every receiver's integrations replaced by a webhook."""
    config["receivers"] = [
        {"name": receiver["name"], "webhook_configs": [{"url": url, "send_resolved": True}]}
        for receiver in config["receivers"]
    ]
    return config
