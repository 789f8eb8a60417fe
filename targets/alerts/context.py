"""What an alerts file of one service depends on besides the service, as plain JSON and back.

The rules and tests of a service (PerService) and its group in the Loki rules (Spliced) read
the same two environment-wide things: Grafana's base URL (links) and the Project's severity
names. The render engine digests this context to tell whether a service's output can be
reused, so it is plain JSON; `alerting_of` turns it back into what the renderers take.
"""

from __future__ import annotations

from collections.abc import Mapping

from compiler.model import EnvironmentModel, Severities
from compiler.render.contract import JSONValue


def service_context(model: EnvironmentModel) -> dict[str, JSONValue]:
    """Grafana's base URL and the severity names of `model`, as JSON."""
    severities = model.alerting.severities
    return {
        "grafana_url": model.alerting.grafana_url,
        "page": list(severities.page),
        "ticket": list(severities.ticket),
    }


def alerting_of(context: Mapping[str, JSONValue]) -> tuple[str | None, Severities]:
    """Grafana's base URL (None when the Project names none) and the severities."""
    url = context["grafana_url"]
    severities = Severities.model_validate({"page": context["page"], "ticket": context["ticket"]})
    return (url if isinstance(url, str) else None), severities
