"""Loki ruler rules: a log error-rate alert per application service, and logs SLI counts.

The counts of logs SLIs are recording rules, `log_sli_groups` below.

The alert fires when more than 5% of a service's log lines over 5 minutes are errors, for
10 minutes, and only while the service writes at least 50 lines in those 5 minutes (so a
quiet service does not alert on one error among three lines). Streams are selected by
`service_name`, the label Loki's OTLP ingestion derives from `service.name`.

Error lines are found by `detected_level`, the structured metadata Loki 3 adds at ingestion
(limits `discover_log_levels` and `allow_structured_metadata`, both on by default), not by
parsing the line according to the service's `logs_format`. The reason is that logs reach
Loki over OTLP, and what the line is depends on the sender: an OpenTelemetry SDK or agent
(zero-code instrumentation) sends the bare message with a severity, the collector's filelog
receiver sends the raw stdout line. `| json | level=~...` would miss every line of the
former. Loki's distributor sets `detected_level` from the OTLP severity number when there
is one, else from a `level`/`severity`/`lvl` field of a JSON or logfmt line, else from level
words in a text line, so one query covers json, logfmt and text services alike; the
service's format only shows up in the alert's description.

Infrastructure services (databases, caches, brokers) are left out: their health is watched
through their exporters' metrics, and their logs count client mistakes (a duplicate key, a
failed login) as errors, which would make a ratio alert noisy without saying anything about
the service itself.

Alerts are named `<Service>LogErrorRate` and carry `service`, `team` and `severity="ticket"`
(see docs/contracts.md); one small group per service, `obsc-logs-<service>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.model import (
    DEFAULT_SEVERITIES,
    LOG_EVENTS,
    EnvironmentModel,
    ResolvedService,
    Severities,
)
from compiler.output.canonical import dump_yaml
from compiler.output.links import service_dashboard_url
from compiler.render.contract import JSONValue
from targets.alerts.context import alerting_of
from targets.alerts.go_template import with_literal_templates
from targets.alerts.naming import camel

Rule = dict[str, Any]

ERROR_LEVELS = ("error", "critical", "fatal")
WINDOW = "5m"
THRESHOLD = 0.05
FOR = "10m"
MIN_LINES = 50


def log_error_alert(service: ResolvedService) -> str:
    """The name of a service's log error-rate alert."""
    return f"{camel(service.name)}LogErrorRate"


def stream_selector(service: ResolvedService) -> str:
    """Every log stream of the service."""
    return f'{{service_name="{service.name}"}}'


def error_filter() -> str:
    """The line filter that keeps error lines (Loki's normalised level values)."""
    return f'detected_level=~"{"|".join(ERROR_LEVELS)}"'


def _lines(selector: str) -> str:
    return f"sum(count_over_time({selector} [{WINDOW}]))"


def error_rate_expr(service: ResolvedService) -> str:
    """LogQL: error lines / all lines over the window, above the threshold, with volume."""
    streams = stream_selector(service)
    errors = _lines(f"{streams} | {error_filter()}")
    total = _lines(streams)
    return f"({errors} / {total}) > {THRESHOLD} and {total} >= {MIN_LINES}"


def _annotations(service: ResolvedService, grafana_url: str | None) -> dict[str, str]:
    notes = {
        "summary": f"{service.name}: more than {THRESHOLD:.0%} of log lines are errors",
        "description": (
            f"Over the last {WINDOW}, more than {THRESHOLD:.0%} of the log lines of "
            f"{service.name} ({service.logs_format} logs) had level error, critical or fatal, "
            f'for {FOR}. Query: {{service_name="{service.name}"}} | {error_filter()}'
        ),
        "dashboard_url": service_dashboard_url(service.name, service.framework, grafana_url),
    }
    if service.runbook:
        notes["runbook_url"] = service.runbook
    return dict(sorted(notes.items()))


def log_error_rule(
    service: ResolvedService,
    grafana_url: str | None = None,
    severities: Severities = DEFAULT_SEVERITIES,
) -> Rule:
    """The service's `<Service>LogErrorRate` alert (labels and annotations are templates)."""
    return with_literal_templates(
        {
            "alert": log_error_alert(service),
            "expr": error_rate_expr(service),
            "for": FOR,
            "labels": dict(
                sorted(
                    {
                        **dict(service.alert_labels),
                        "service": service.name,
                        "severity": severities.label("ticket"),
                        "team": service.team,
                    }.items()
                )
            ),
            "annotations": _annotations(service, grafana_url),
        }
    )


def covered(service: ResolvedService) -> bool:
    """Whether a service gets a log alert: application services only."""
    return service.category == "application"


def log_error_group(
    service: ResolvedService, grafana_url: str | None, severities: Severities
) -> dict[str, Any]:
    """The group `obsc-logs-<service>` holding the service's log error alert."""
    return {
        "name": f"obsc-logs-{service.name}",
        "rules": [log_error_rule(service, grafana_url, severities)],
    }


def loki_rule_groups(model: EnvironmentModel) -> list[dict[str, Any]]:
    """One group per application service, in the model's (name) order."""
    alerting = model.alerting
    return [
        log_error_group(service, alerting.grafana_url, alerting.severities)
        for service in model.services
        if covered(service)
    ]


def log_sli_rules(service: ResolvedService) -> list[Rule]:
    """The per-minute line counts of the service's logs SLIs, recorded for Prometheus.

    `sum(count_over_time(<query> [1m])) or vector(0)`, evaluated every minute: a minute
    without lines records 0 rather than nothing, so the SLI's window means are right and a
    healthy service's error ratio is 0, not absent. Loki's ruler remote-writes the samples
    to Prometheus, where the SLO rules read them (compiler/resolve/sli.py).
    """
    rules: list[Rule] = []
    for slo in service.slos:
        queries = slo.sli.log_queries
        if queries is None:
            continue
        for events, query in (("total", queries.total), (queries.counts, queries.events)):
            rules.append(
                {
                    "record": LOG_EVENTS,
                    "expr": f"sum(count_over_time({query} [1m])) or vector(0)",
                    "labels": {"events": events, "service": service.name, "slo": slo.name},
                }
            )
    return rules


def log_sli_groups(model: EnvironmentModel) -> list[dict[str, Any]]:
    """One group per service with logs SLIs, evaluated every minute (`obsc-slo-logs-<service>`)."""
    groups = []
    for service in model.services:
        rules = log_sli_rules(service)
        if rules:
            groups.append(
                {"name": f"obsc-slo-logs-{service.name}", "interval": "1m", "rules": rules}
            )
    return groups


def render_loki_rules(model: EnvironmentModel) -> bytes:
    """`loki/rules.yaml` of one environment: a Prometheus-style rule file with LogQL."""
    return dump_yaml({"groups": loki_rule_groups(model) + log_sli_groups(model)})


# The same file, spliced (compiler.render.contract.Spliced): one piece per application
# service (its alert's group; empty for another service) between `groups:` and the logs SLI
# groups, which few services have and which are made whole each time. A block sequence's
# items are emitted one after another at the key's indent, so the pieces are the items of
# the whole file's list (tests/targets/test_loki_spliced.py).
_GROUPS = b"groups:\n"


def _items(groups: list[dict[str, Any]]) -> bytes:
    """The block-sequence items of `groups`, as they are in `groups:`'s value."""
    text = dump_yaml({"groups": groups})
    assert text.startswith(_GROUPS)
    return text[len(_GROUPS) :]


def loki_frame(model: EnvironmentModel) -> tuple[bytes, bytes, bytes]:
    """Before the first piece, between two, after the last (the logs SLI groups)."""
    sli = log_sli_groups(model)
    if not sli and not any(covered(service) for service in model.services):
        return dump_yaml({"groups": []}), b"", b""
    return _GROUPS, b"", _items(sli) if sli else b""


def loki_piece(context: Mapping[str, JSONValue], service: ResolvedService) -> bytes:
    """The group of the service's log error alert, or nothing for a service without one.

    `context` is the alerts target's per-service context (targets.alerts.context).
    """
    if not covered(service):
        return b""
    return _items([log_error_group(service, *alerting_of(context))])
