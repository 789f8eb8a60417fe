"""User text in fields that Prometheus, Loki and Alertmanager expand as Go templates.

Alerting-rule labels and annotations (Prometheus, the Loki ruler) and many Alertmanager
receiver fields (Slack `channel`, email `to` and `from`) are Go `text/template`s: a runbook
URL or channel name holding `{{` would be parsed as an action, and promtool, lokitool or
Alertmanager reject it (or it expands to something else). `literal` turns such text into
a template that expands to the text itself: every `{{` is written as the action
`{{ "{{" }}`. A `}}` outside an action is plain text, so it needs nothing.
"""

from __future__ import annotations

from typing import Any

_OPEN = "{{"
_OPEN_ACTION = '{{ "{{" }}'


def literal(text: str) -> str:
    """A Go template that expands to `text`."""
    return text.replace(_OPEN, _OPEN_ACTION)


def with_literal_templates(rule: dict[str, Any]) -> dict[str, Any]:
    """An alerting rule with its labels and annotations as templates expanding to their text.

    A recording rule's labels are not templates, and are left as they are.
    """
    if "alert" not in rule:
        return rule
    return {
        key: {name: literal(text) for name, text in value.items()}
        if key in ("labels", "annotations")
        else value
        for key, value in rule.items()
    }
