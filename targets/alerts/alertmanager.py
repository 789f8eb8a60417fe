"""Alertmanager configuration (alertmanager.yml for Alertmanager v0.28+): routes, receivers.

The route tree is the Project's `alerting.routes`, in order, under a root route that sends
everything no route takes to `defaultReceiver`. A Project without a default receiver gets a
receiver named `blackhole` (or `blackhole-<n>` if that name is taken) with no integrations:
unrouted alerts are dropped on purpose rather than the config being invalid. Alerts are
grouped by alertname, service and slo unless a route says otherwise.

Credentials are never values: a receiver's `secretRef: {name, key}` becomes the path of the
mounted Secret file, `/etc/alertmanager/secrets/<name>/<key>`, read through the integration's
`*_file` field (all checked against amtool v0.34.2's config parser):

| type | fields |
| --- | --- |
| slack | `channel`, `api_url_file` |
| pagerduty | `routing_key_file` (Events API v2) |
| webhook | `url_file` |
| email | `to`, `smarthost`, `from`, `auth_username`, `auth_password_file` |
| opsgenie | `api_key_file` |
| msteams | `webhook_url_file` |

Email receivers send through the Project's `alerting.email` relay; the SMTP password is the
receiver's own `secretRef` if it has one, else the relay's.

A page inhibits the tickets of the same service and SLO, so one incident does not notify
twice (alerts without an `slo` label, such as MetricsAbsent, are never inhibited by a page).
A page of a service inhibits the SLO page alerts of the services that depend on it
(`dependsOn`): the dependency's team gets the page, its dependants' teams do not get one
for the same cause. Each environment has its own Alertmanager, fed by that environment's
Prometheus only, so "the same environment" needs no `equal` label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from compiler.model import (
    DEFAULT_SEVERITIES,
    Alerting,
    EmailSettings,
    EnvironmentModel,
    Receiver,
    ResolvedService,
    Route,
    SecretRef,
    Severities,
)
from compiler.output.canonical import dump_yaml
from compiler.output.query_strings import string_literal
from targets.alerts.go_template import literal

Config = dict[str, Any]

SECRETS_DIR = "/etc/alertmanager/secrets"
BLACKHOLE = "blackhole"
ROOT_GROUP_BY = ("alertname", "service", "slo")
ROOT_TIMINGS = {"group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}
RESOLVE_TIMEOUT = "5m"
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def secret_file(ref: SecretRef) -> str:
    """Where the Secret key `ref` is mounted in the Alertmanager container."""
    return f"{SECRETS_DIR}/{ref.name}/{ref.key}"


def matcher(name: str, value: str) -> str:
    """An equality matcher, e.g. `team="payments"` (odd label names are quoted too)."""
    label = name if _LABEL_NAME.match(name) else string_literal(name)
    return f"{label}={string_literal(value)}"


def _required_secret(receiver: Receiver) -> SecretRef:
    if receiver.secret_ref is None:
        raise ValueError(f"receiver {receiver.name!r} ({receiver.type}) has no secretRef")
    return receiver.secret_ref


def _slack(receiver: Receiver, _email: EmailSettings | None) -> Config:
    return {
        "channel": literal(receiver.channel or ""),
        "api_url_file": secret_file(_required_secret(receiver)),
        "send_resolved": True,
    }


def _pagerduty(receiver: Receiver, _email: EmailSettings | None) -> Config:
    return {"routing_key_file": secret_file(_required_secret(receiver)), "send_resolved": True}


def _webhook(receiver: Receiver, _email: EmailSettings | None) -> Config:
    return {"url_file": secret_file(_required_secret(receiver)), "send_resolved": True}


def _opsgenie(receiver: Receiver, _email: EmailSettings | None) -> Config:
    return {"api_key_file": secret_file(_required_secret(receiver)), "send_resolved": True}


def _msteams(receiver: Receiver, _email: EmailSettings | None) -> Config:
    return {"webhook_url_file": secret_file(_required_secret(receiver)), "send_resolved": True}


def _email(receiver: Receiver, email: EmailSettings | None) -> Config:
    if email is None:
        raise ValueError(f"email receiver {receiver.name!r} needs alerting.email (SMTP relay)")
    config: Config = {
        "to": literal(receiver.to or ""),
        "from": literal(email.from_),
        "smarthost": email.smarthost,
    }
    if email.username is not None:
        config["auth_username"] = email.username
    password = receiver.secret_ref or email.secret_ref
    if password is not None:
        config["auth_password_file"] = secret_file(password)
    config["send_resolved"] = True
    return config


_INTEGRATIONS: dict[str, tuple[str, Callable[[Receiver, EmailSettings | None], Config]]] = {
    "slack": ("slack_configs", _slack),
    "pagerduty": ("pagerduty_configs", _pagerduty),
    "webhook": ("webhook_configs", _webhook),
    "email": ("email_configs", _email),
    "opsgenie": ("opsgenie_configs", _opsgenie),
    "msteams": ("msteams_configs", _msteams),
}


def receiver_config(receiver: Receiver, email: EmailSettings | None) -> Config:
    """One `receivers:` entry: the name and its single integration."""
    try:
        key, build = _INTEGRATIONS[receiver.type]
    except KeyError:
        raise ValueError(f"receiver {receiver.name!r}: unknown type {receiver.type!r}") from None
    return {"name": receiver.name, key: [build(receiver, email)]}


def fallback_receiver(alerting: Alerting) -> str | None:
    """The name of the integration-less receiver to add, or None with a default receiver."""
    if alerting.default_receiver is not None:
        return None
    taken = {r.name for r in alerting.receivers}
    name, n = BLACKHOLE, 1
    while name in taken:
        name, n = f"{BLACKHOLE}-{n}", n + 1
    return name


def route_config(route: Route) -> Config:
    """One child route; unset knobs are left out so they inherit from the root."""
    config: Config = {"receiver": route.receiver}
    if route.match:
        config["matchers"] = [matcher(name, value) for name, value in route.match]
    if route.group_by is not None:
        config["group_by"] = list(route.group_by)
    for key, value in (
        ("group_wait", route.group_wait),
        ("group_interval", route.group_interval),
        ("repeat_interval", route.repeat_interval),
    ):
        if value is not None:
            config[key] = value
    if route.mute_time_intervals:
        config["mute_time_intervals"] = list(route.mute_time_intervals)
    if route.active_time_intervals:
        config["active_time_intervals"] = list(route.active_time_intervals)
    if route.continue_:
        config["continue"] = True
    return config


def time_intervals(alerting: Alerting) -> list[Config]:
    """The Project's named time intervals in Alertmanager's shape (unset fields left out)."""
    entries = []
    for named in alerting.time_intervals:
        intervals = []
        for interval in named.time_intervals:
            entry: Config = {}
            if interval.times:
                entry["times"] = [{"start_time": a, "end_time": b} for a, b in interval.times]
            for key in ("weekdays", "days_of_month", "months", "years"):
                if getattr(interval, key):
                    entry[key] = list(getattr(interval, key))
            if interval.location is not None:
                entry["location"] = interval.location
            intervals.append(entry)
        entries.append({"name": named.name, "time_intervals": intervals})
    return entries


def root_route(alerting: Alerting) -> Config:
    """The root: default receiver, default grouping and timings, the Project's routes."""
    receiver = alerting.default_receiver or fallback_receiver(alerting)
    root: Config = {"receiver": receiver, "group_by": list(ROOT_GROUP_BY), **ROOT_TIMINGS}
    if alerting.routes:
        root["routes"] = [route_config(route) for route in alerting.routes]
    return root


def severity_matcher(names: Sequence[str]) -> str:
    """`severity="page"`, or `severity=~"P1|P2"` for several of the Project's names.

    Severity names are letters, digits, `_` and `-` (compiler/spec/models.py): nothing a
    regular expression would read as an operator.
    """
    if len(names) == 1:
        return matcher("severity", names[0])
    return f"severity=~{string_literal('|'.join(names))}"


def inhibit_rules(
    services: Sequence[ResolvedService] = (), severities: Severities = DEFAULT_SEVERITIES
) -> list[Config]:
    """A page silences the tickets of the same service and SLO.

    A dependency's page silences the SLO pages of the services that depend on it
    (`dependsOn`): one rule per dependency. Page and ticket are every severity name of the
    Project that behaves so.
    """
    page = severity_matcher(severities.page)
    rules: list[Config] = [
        {
            "source_matchers": [page],
            "target_matchers": [severity_matcher(severities.ticket)],
            "equal": ["service", "slo"],
        }
    ]
    dependants: dict[str, list[str]] = {}
    for service in services:
        for dependency in service.depends_on:
            dependants.setdefault(dependency, []).append(service.name)
    for dependency, names in sorted(dependants.items()):
        rules.append(
            {
                "source_matchers": [matcher("service", dependency), page],
                "target_matchers": [
                    f"service=~{string_literal('|'.join(sorted(names)))}",
                    page,
                    'slo=~".+"',  # SLO alerts only: an own page alert still pages
                ],
            }
        )
    return rules


def receivers(alerting: Alerting) -> list[Config]:
    """Every receiver, sorted by name, with the fallback `blackhole` when it is needed."""
    entries = [receiver_config(r, alerting.email) for r in alerting.receivers]
    fallback = fallback_receiver(alerting)
    if fallback is not None:
        entries.append({"name": fallback})
    return sorted(entries, key=lambda entry: str(entry["name"]))


def alertmanager_config(model: EnvironmentModel) -> Config:
    """The whole configuration as data, in Alertmanager's documented key order."""
    alerting = model.alerting
    return {
        "global": {"resolve_timeout": RESOLVE_TIMEOUT},
        "route": root_route(alerting),
        "inhibit_rules": inhibit_rules(model.services, model.alerting.severities),
        "receivers": receivers(alerting),
        **({"time_intervals": time_intervals(alerting)} if alerting.time_intervals else {}),
    }


def render_alertmanager(model: EnvironmentModel) -> bytes:
    """`alertmanager.yaml` of one environment."""
    return dump_yaml(alertmanager_config(model))
