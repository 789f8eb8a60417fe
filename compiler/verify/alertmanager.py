"""Alertmanager: reachable, and running the rendered configuration.

/api/v2/status returns the running configuration as Alertmanager marshals it back
(`config.original`): defaults filled in, durations in its own spelling (24h is `1d`),
secrets as `<secret>`. So the comparison is semantic and one-way: everything the rendered
file sets must be in the running config with the same value (durations compared in
seconds, matchers parsed); what the running config adds beside it are defaults. Lists
must have the same length: an extra route, receiver or inhibit rule is a difference.
"""

from __future__ import annotations

import re
from typing import Any

from compiler.verify.durations import seconds_of
from compiler.verify.http import Client, EndpointError
from compiler.verify.results import Check, Verdict, failed, fixed, passed, skipped
from compiler.verify.scope import Scope, component_subject, on_component, reachability

COMPONENT = "alertmanager"
SUBJECT = component_subject(COMPONENT)
_MATCHER = re.compile(r'^\s*"?([^"=!~\s]+)"?\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')
_MATCHER_KEYS = {"matchers", "source_matchers", "target_matchers"}
_LISTED = 3
# What Alertmanager shows for a secret value (a webhook's `url`, say): nothing to compare.
_HIDDEN = "<secret>"


def checks(scope: Scope) -> list[Check]:
    """The checks: reachable and config."""
    rendered = scope.expected.alertmanager
    endpoint = scope.endpoint(COMPONENT)
    return [
        reachability(scope, COMPONENT, _version),
        on_component(scope, COMPONENT, SUBJECT, "config", lambda c: _config(c, rendered))
        if rendered is not None
        else fixed(SUBJECT, "config", endpoint, skipped("no alertmanager.yaml rendered")),
    ]


def _status(client: Client) -> dict[str, Any]:
    data = client.get_json("/api/v2/status")
    if not isinstance(data, dict):
        raise EndpointError(f"{client.url('/api/v2/status')}: malformed answer: not an object")
    return data


def _version(client: Client) -> Verdict:
    info = _status(client).get("versionInfo") or {}
    return passed(f"Alertmanager {info.get('version', '(version unknown)')}")


def _config(client: Client, rendered: dict[str, Any]) -> Verdict:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    original = (_status(client).get("config") or {}).get("original")
    if not isinstance(original, str):
        raise EndpointError(f"{client.url('/api/v2/status')}: malformed answer: no config")
    try:
        running = YAML(typ="safe", pure=True).load(original)
    except YAMLError:
        return failed("the running configuration is not YAML")
    differences = differences_from(rendered, running)
    if differences:
        shown = "; ".join(differences[:_LISTED])
        more = f" (and {len(differences) - _LISTED} more)" if len(differences) > _LISTED else ""
        return failed(f"runs another configuration than rendered: {shown}{more}")
    routes = len((rendered.get("route") or {}).get("routes") or ())
    receivers = len(rendered.get("receivers") or ())
    return passed(f"runs the rendered configuration ({routes} routes, {receivers} receivers)")


def differences_from(rendered: Any, running: Any, path: str = "") -> list[str]:
    """Where `running` does not have what `rendered` sets (an empty list: it has all)."""
    if isinstance(rendered, dict):
        if not isinstance(running, dict):
            return [f"{path or 'config'}: not a mapping"]
        found: list[str] = []
        for key, value in rendered.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in running:
                if value not in (None, False, "", [], {}):
                    found.append(f"{where}: missing")
                continue
            if key in _MATCHER_KEYS:
                found.extend(_matchers_differ(value, running[key], where))
            else:
                found.extend(differences_from(value, running[key], where))
        return found
    if isinstance(rendered, list):
        if not isinstance(running, list) or len(running) != len(rendered):
            size = len(running) if isinstance(running, list) else "no"
            return [f"{path}: {size} entries running, {len(rendered)} rendered"]
        return [
            d
            for i, (a, b) in enumerate(zip(rendered, running, strict=True))
            for d in differences_from(a, b, f"{path}[{i}]")
        ]
    if _same_scalar(rendered, running):
        return []
    return [f"{path}: {running!r} running, {rendered!r} rendered"]


def _same_scalar(rendered: Any, running: Any) -> bool:
    if rendered == running or (running == _HIDDEN and isinstance(rendered, str)):
        return True
    if isinstance(rendered, str) and isinstance(running, str):
        seconds = seconds_of(rendered)
        return seconds is not None and seconds == seconds_of(running)
    return False


def _matchers_differ(rendered: Any, running: Any, where: str) -> list[str]:
    if not isinstance(running, list) or not isinstance(rendered, list):
        return [f"{where}: not a list"]
    if sorted(map(_matcher, rendered)) != sorted(map(_matcher, running)):
        return [f"{where}: {running} running, {rendered} rendered"]
    return []


def _matcher(text: Any) -> tuple[str, ...]:
    match = _MATCHER.match(str(text))
    return match.groups() if match else (str(text),)
