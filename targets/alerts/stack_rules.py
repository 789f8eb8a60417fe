"""Alerts on the OpenTelemetry Collector's own health (`rules/obsc.stack.rules.yaml`).

The collector is the one path logs and traces (and on compose, metrics) take to the backends,
so its failures are the estate's data loss. The rules read its own metrics, which Prometheus
scrapes as job `otel-collector`, under the names the pinned collector (v0.159.0) exposes on its
Prometheus endpoint (compiler/output/collector_metrics.py; checked against the real binary
in tests/collector/test_telemetry_run.py).

Severity: `page` where data is being lost now and keeps being lost (the collector is down,
exports fail at more than 5% of the items, the sending queue rejects new data, receivers
refuse data for ten minutes); `ticket` for what is not loss yet or only a trickle (the queue
is filling up, a few exports fail, Prometheus has no collector to scrape at all, which is
more often its scrape configuration than the collector). A page of this file inhibits its
tickets (Alertmanager's page-inhibits-ticket rule compares `service` and `slo`, which stack
alerts lack on both sides). Every alert carries `component: collector`, and `team` when the
Project names `alerting.stackTeam`; without it, they reach the default receiver.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import compiler.burn as burn
from compiler.model import Alerting, EnvironmentModel
from compiler.output.collector_metrics import (
    COLLECTOR_JOB,
    QUEUE_CAPACITY,
    QUEUE_SIZE,
    SIGNALS,
    UP,
    Signal,
    collector_selector,
    exporter_counter,
    receiver_counter,
)
from compiler.output.links import STACK_DASHBOARD_UID, dashboard_url

Severity = Literal["page", "ticket"]
GROUP = "obsc-stack-collector"
COMPONENT = "collector"
RATE_WINDOW = "5m"
EXPORT_FAILED_PAGE_RATIO = Decimal("0.05")
QUEUE_FULL_RATIO = Decimal("0.8")


@dataclass(frozen=True, slots=True)
class StackAlert:
    """One alerting rule of the stack, with the labels its result series keep."""

    alert: str
    severity: Severity
    for_: str
    expr: str
    keeps: tuple[str, ...]
    summary: str
    description: str
    runbook: str
    signal: Signal | None = None


def _rate_by(by: tuple[str, ...], metric: str) -> str:
    return f"sum by ({', '.join(by)}) (rate({collector_selector(metric)}[{RATE_WINDOW}]))"


BY_EXPORTER = ("instance", "exporter")
BY_RECEIVER = ("instance", "receiver")


def _export_failing(signal: Signal) -> list[StackAlert]:
    failed = _rate_by(BY_EXPORTER, exporter_counter("send_failed", signal))
    sent = _rate_by(BY_EXPORTER, exporter_counter("sent", signal))
    what = signal.title
    runbook = (
        "Read the collector's log for the exporter's error; check that the backend is up, "
        "reachable from the collector and accepting the data (rejections such as too old or "
        "out-of-order samples, rate limits, payload size)."
    )
    return [
        StackAlert(
            alert="OtelCollectorExportFailing",
            severity="page",
            for_="10m",
            expr=f"{failed}\n/\n({sent}\n + {failed})\n> {EXPORT_FAILED_PAGE_RATIO}",
            keeps=BY_EXPORTER,
            summary=f"Collector exporter {{{{ $labels.exporter }}}} is losing {signal.name}",
            description=(
                f"More than {burn.clean(EXPORT_FAILED_PAGE_RATIO * 100)}% of the {what} that "
                "exporter {{ $labels.exporter }} of collector {{ $labels.instance }} sends have "
                "failed for 10 minutes, after its retries: they are lost."
            ),
            runbook=runbook,
            signal=signal,
        ),
        StackAlert(
            alert="OtelCollectorExportFailing",
            severity="ticket",
            for_="30m",
            expr=f"{failed}\n> 0",
            keeps=BY_EXPORTER,
            summary=f"Collector exporter {{{{ $labels.exporter }}}} keeps failing {what}",
            description=(
                "Exporter {{ $labels.exporter }} of collector {{ $labels.instance }} has failed "
                f"to send some of its {what} for 30 minutes, after its retries: a small but "
                "steady loss."
            ),
            runbook=runbook,
            signal=signal,
        ),
    ]


def _dropping(signal: Signal) -> StackAlert:
    metric = exporter_counter("enqueue_failed", signal)
    what = signal.title
    return StackAlert(
        alert="OtelCollectorDroppingData",
        severity="page",
        for_="5m",
        expr=f"{_rate_by(BY_EXPORTER, metric)}\n> 0",
        keeps=BY_EXPORTER,
        summary=f"Collector exporter {{{{ $labels.exporter }}}} drops {what}: its queue is full",
        description=(
            "The sending queue of exporter {{ $labels.exporter }} on collector "
            f"{{{{ $labels.instance }}}} has rejected {what} for 5 minutes: the backend does "
            "not keep up or is down, and new data is dropped."
        ),
        runbook=(
            "Check the backend behind the exporter first (OtelCollectorExportFailing usually "
            "fires too); if it is healthy but slow, scale it or the collector."
        ),
        signal=signal,
    )


def _refusing(signal: Signal) -> StackAlert:
    metric = receiver_counter("refused", signal)
    what = signal.title
    return StackAlert(
        alert="OtelCollectorRefusingData",
        severity="page",
        for_="10m",
        expr=f"{_rate_by(BY_RECEIVER, metric)}\n> 0",
        keeps=BY_RECEIVER,
        summary=f"Collector receiver {{{{ $labels.receiver }}}} refuses {what}",
        description=(
            "Receiver {{ $labels.receiver }} of collector {{ $labels.instance }} has refused "
            f"{what} for 10 minutes: the memory limiter (its own refused counter says so) or a "
            "full exporter queue pushes back, "
            "or a redaction processor failed closed (a statement error refuses the whole "
            "batch rather than pass it partly redacted). Scraped metrics and tailed logs are "
            "lost; applications retry OTLP for a while, then drop."
        ),
        runbook=(
            "Look at the collector's memory (process memory against its limit) and at its "
            "exporters' queues on the stack dashboard; give the collector more memory or "
            "replicas, or fix the slow backend. If the collector's log shows a "
            "transform/redact-* processor failing, its otelcol_processor_incoming_items "
            "exceed its otelcol_processor_outgoing_items: report the statement as a bug."
        ),
        signal=signal,
    )


def _queue_nearly_full() -> StackAlert:
    size, capacity = collector_selector(QUEUE_SIZE), collector_selector(QUEUE_CAPACITY)
    ratio = f"max by ({', '.join(BY_EXPORTER)}) ({size} / {capacity})"
    return StackAlert(
        alert="OtelCollectorQueueNearlyFull",
        severity="ticket",
        for_="15m",
        expr=f"{ratio}\n> {QUEUE_FULL_RATIO}",
        keeps=BY_EXPORTER,
        summary="Collector exporter {{ $labels.exporter }}: sending queue nearly full",
        description=(
            "The sending queue of exporter {{ $labels.exporter }} on collector "
            f"{{{{ $labels.instance }}}} has been over {burn.clean(QUEUE_FULL_RATIO * 100)}% full "
            "for 15 minutes. Nothing is lost yet; once it is full, new data is dropped."
        ),
        runbook=(
            "The backend behind the exporter is slow or failing: check its health and the "
            "exporter's errors in the collector's log."
        ),
    )


def _down() -> list[StackAlert]:
    return [
        StackAlert(
            alert="OtelCollectorDown",
            severity="page",
            for_="5m",
            expr=f"{collector_selector(UP)} == 0",
            keeps=("instance", "job"),
            summary="Collector {{ $labels.instance }} is down",
            description=(
                "Prometheus has not been able to scrape collector {{ $labels.instance }} for "
                "5 minutes. While it is down, the logs, traces and pushed metrics of the "
                "services it serves are lost."
            ),
            runbook=(
                "Check the collector's container or pod (restarts, OOM kills, a config it "
                "refuses at start-up: `otelcol validate`) and its log."
            ),
        ),
        StackAlert(
            alert="OtelCollectorMetricsAbsent",
            severity="ticket",
            for_="10m",
            expr=f"absent({collector_selector(UP)})",
            keeps=("job",),
            summary="Prometheus scrapes no collector",
            description=(
                f"Prometheus has had no target in job {COLLECTOR_JOB} for 10 minutes, so "
                "every collector alert is blind. Either no collector runs, or the scrape "
                "configuration (compose: prometheus.yml; Kubernetes: the collector's PodMonitor "
                "and Prometheus' podMonitorSelector) does not find it."
            ),
            runbook=(
                "Check that the collector runs; then Prometheus' targets page for job "
                f"{COLLECTOR_JOB}."
            ),
        ),
    ]


def stack_alerts() -> list[StackAlert]:
    """Every collector-health alert, in the order of the rule file."""
    alerts = _down()
    for signal in SIGNALS:
        alerts.extend(_export_failing(signal))
    alerts.extend(_dropping(signal) for signal in SIGNALS)
    alerts.extend(_refusing(signal) for signal in SIGNALS)
    alerts.append(_queue_nearly_full())
    return alerts


def alert_labels(alert: StackAlert, alerting: Alerting) -> dict[str, str]:
    """The rule's own labels: component, severity, signal and the stack's team where there are.

    The severity is the Project's name for page or ticket.
    """
    labels = {"component": COMPONENT, "severity": alerting.severities.label(alert.severity)}
    if alert.signal is not None:
        labels["signal"] = alert.signal.name
    if alerting.stack_team is not None:
        labels["team"] = alerting.stack_team
    return dict(sorted(labels.items()))


def alert_annotations(alert: StackAlert) -> dict[str, str]:
    """Summary, description, what to do, and the stack dashboard."""
    return {
        "dashboard_url": dashboard_url(STACK_DASHBOARD_UID),
        "description": alert.description,
        "runbook": alert.runbook,
        "summary": alert.summary,
    }


def rule(alert: StackAlert, alerting: Alerting) -> dict[str, Any]:
    """The rule file's entry for one alert."""
    return {
        "alert": alert.alert,
        "expr": alert.expr,
        "for": alert.for_,
        "labels": alert_labels(alert, alerting),
        "annotations": alert_annotations(alert),
    }


def stack_rule_groups(model: EnvironmentModel) -> list[dict[str, Any]]:
    """The one group of collector-health alerts."""
    return [{"name": GROUP, "rules": [rule(alert, model.alerting) for alert in stack_alerts()]}]
