"""The promtool test of the collector-health alerts (`tests/obsc.stack.test.yaml`).

One case per rule: series that make its condition hold from the start, evaluated one minute
before its `for` has elapsed (nothing fires) and when it has (it fires, with its labels and
annotations, alongside any rule of the same name that holds too). One more case feeds a
healthy collector and expects none of the alerts. The series carry the labels the pinned
collector puts on each kind of its metrics, as Prometheus scrapes them (extra ones such as
`server_address` included, so the rules' aggregations are tested against them too;
tests/collector/test_telemetry_run.py checks these label sets against the real collector).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from compiler.model import Alerting, EnvironmentModel
from compiler.output.collector_metrics import (
    COLLECTOR_JOB,
    QUEUE_CAPACITY,
    QUEUE_SIZE,
    SIGNALS,
    UP,
    Signal,
    exporter_counter,
    receiver_counter,
)
from targets.alerts import stack_rules
from targets.alerts.slo_tests import series_name
from targets.alerts.stack_rules import StackAlert, stack_alerts

Series = dict[str, str]
INSTANCE = "otel-collector:8888"
EXPORTERS = {
    "logs": "otlp_http/loki",
    "metrics": "prometheus_remote_write",
    "traces": "otlp_grpc/tempo",
}
#: What the collector adds to an exporter's sent and send_failed counters (the destination).
DESTINATIONS = {
    "logs": {"server_address": "loki", "server_port": "3100", "url_path": "/otlp/v1/logs"},
    "metrics": {},
    "traces": {"server_address": "tempo", "server_port": "4317"},
}
RECEIVER = {"receiver": "otlp", "transport": "http"}
QUEUE_CAPACITY_ITEMS = 1000
# Every scenario runs this long at a steady rate; the healthy case is evaluated at its end.
MINUTES = 60
_LABEL = re.compile(r"\{\{ \$labels\.(\w+) \}\}")


def _labels(**labels: str) -> dict[str, str]:
    return {"job": COLLECTOR_JOB, "instance": INSTANCE, **labels}


def _series(metric: str, labels: dict[str, str], values: str) -> Series:
    return {"series": series_name(metric, labels), "values": values}


def _counter(per_minute: int) -> str:
    return f"0+{per_minute}x{MINUTES}"


def _gauge(value: int) -> str:
    return f"{value}x{MINUTES}"


def _minutes(duration: str) -> int:
    assert duration.endswith("m"), duration
    return int(duration[:-1])


def _exporter(signal: Signal) -> dict[str, str]:
    """The labels of an exporter's enqueue_failed counter."""
    return _labels(exporter=EXPORTERS[signal.name])


def _sending(signal: Signal) -> dict[str, str]:
    """The labels of an exporter's sent and send_failed counters."""
    return {**_exporter(signal), **DESTINATIONS[signal.name]}


def _queue(signal: Signal) -> dict[str, str]:
    """The labels of an exporter's queue size and capacity."""
    return {**_exporter(signal), "data_type": signal.name}


@dataclass(frozen=True, slots=True)
class Scenario:
    """Input under which `holds` (rules of one name) are true from minute `onset` on."""

    name: str
    timed: StackAlert
    holds: tuple[StackAlert, ...]
    series: tuple[Series, ...]
    onset: int
    labels: dict[str, str]


def _export_scenarios(signal: Signal, page: StackAlert, ticket: StackAlert) -> list[Scenario]:
    labels = _sending(signal)
    sent, failed = exporter_counter("sent", signal), exporter_counter("send_failed", signal)
    everything = (_series(sent, labels, _gauge(0)), _series(failed, labels, _counter(600)))
    trickle = (_series(sent, labels, _counter(594)), _series(failed, labels, _counter(6)))
    # rates need two samples: the conditions hold from minute 1
    return [
        Scenario(
            f"every {signal.name} export fails: page", page, (page, ticket), everything, 1, labels
        ),
        Scenario(
            f"1% of {signal.name} exports fail: ticket only", ticket, (ticket,), trickle, 1, labels
        ),
    ]


def _counting_scenario(alert: StackAlert, metric: str, labels: dict[str, str]) -> Scenario:
    series = (_series(metric, labels, _counter(60)),)
    return Scenario(f"{metric} grows", alert, (alert,), series, 1, labels)


def scenarios(alerts: list[StackAlert]) -> list[Scenario]:
    """A scenario for every rule of `alerts`."""
    by_key = {(a.alert, a.severity, a.signal.name if a.signal else ""): a for a in alerts}
    found: list[Scenario] = []
    down = by_key[("OtelCollectorDown", "page", "")]
    found.append(
        Scenario(
            "collector down", down, (down,), (_series(UP, _labels(), _gauge(0)),), 0, _labels()
        )
    )
    absent = by_key[("OtelCollectorMetricsAbsent", "ticket", "")]
    other = _series(UP, {"job": "prometheus", "instance": "localhost:9090"}, _gauge(1))
    found.append(
        Scenario("no collector scraped", absent, (absent,), (other,), 0, {"job": COLLECTOR_JOB})
    )
    for signal in SIGNALS:
        page = by_key[("OtelCollectorExportFailing", "page", signal.name)]
        ticket = by_key[("OtelCollectorExportFailing", "ticket", signal.name)]
        found.extend(_export_scenarios(signal, page, ticket))
        dropping = by_key[("OtelCollectorDroppingData", "page", signal.name)]
        found.append(
            _counting_scenario(
                dropping, exporter_counter("enqueue_failed", signal), _exporter(signal)
            )
        )
        refusing = by_key[("OtelCollectorRefusingData", "page", signal.name)]
        found.append(
            _counting_scenario(refusing, receiver_counter("refused", signal), _labels(**RECEIVER))
        )
    queue = by_key[("OtelCollectorQueueNearlyFull", "ticket", "")]
    labels = _queue(SIGNALS[2])
    nearly = round(QUEUE_CAPACITY_ITEMS * 0.9)
    series = (
        _series(QUEUE_SIZE, labels, _gauge(nearly)),
        _series(QUEUE_CAPACITY, labels, _gauge(QUEUE_CAPACITY_ITEMS)),
    )
    found.append(Scenario("queue 90% full", queue, (queue,), series, 0, labels))
    return found


def healthy_series() -> list[Series]:
    """A collector that sends everything it receives, with an almost empty queue.

    The failure counters exist but stay flat: the collector creates them at the first
    failure, so a collector that has recovered looks like this.
    """
    series = [_series(UP, _labels(), _gauge(1))]
    for signal in SIGNALS:
        series += [
            _series(exporter_counter("sent", signal), _sending(signal), _counter(600)),
            _series(exporter_counter("send_failed", signal), _sending(signal), _gauge(0)),
            _series(exporter_counter("enqueue_failed", signal), _exporter(signal), _gauge(0)),
            _series(receiver_counter("accepted", signal), _labels(**RECEIVER), _counter(600)),
            _series(receiver_counter("refused", signal), _labels(**RECEIVER), _gauge(0)),
            _series(QUEUE_SIZE, _queue(signal), _gauge(10)),
            _series(QUEUE_CAPACITY, _queue(signal), _gauge(QUEUE_CAPACITY_ITEMS)),
        ]
    return series


def _expand(template: str, labels: dict[str, str]) -> str:
    return _LABEL.sub(lambda m: labels[m.group(1)], template)


def _expected(alert: StackAlert, scenario: Scenario, alerting: Alerting) -> dict[str, Any]:
    kept = {name: scenario.labels[name] for name in alert.keeps}
    annotations = stack_rules.alert_annotations(alert)
    return {
        "exp_labels": dict(sorted({**kept, **stack_rules.alert_labels(alert, alerting)}.items())),
        "exp_annotations": {key: _expand(value, kept) for key, value in annotations.items()},
    }


def _case(scenario: Scenario, alerting: Alerting) -> dict[str, Any]:
    due = scenario.onset + _minutes(scenario.timed.for_)
    checks = []
    for minute in (due - 1, due):
        firing = [
            _expected(alert, scenario, alerting)
            for alert in scenario.holds
            if scenario.onset + _minutes(alert.for_) <= minute
        ]
        checks.append(
            {"eval_time": f"{minute}m", "alertname": scenario.timed.alert, "exp_alerts": firing}
        )
    timed = scenario.timed
    return {
        "name": f"{timed.alert} ({timed.severity}): {scenario.name}",
        "interval": "1m",
        "input_series": list(scenario.series),
        "alert_rule_test": checks,
    }


def _healthy_case(alerts: list[StackAlert]) -> dict[str, Any]:
    names = sorted({alert.alert for alert in alerts})
    return {
        "name": "a healthy collector raises nothing",
        "interval": "1m",
        "input_series": healthy_series(),
        "alert_rule_test": [
            {"eval_time": f"{MINUTES}m", "alertname": name, "exp_alerts": []} for name in names
        ],
    }


def stack_test_file(model: EnvironmentModel, rule_file: str) -> dict[str, Any]:
    """The promtool test document of the stack's rules."""
    alerts = stack_alerts()
    tests = [_case(scenario, model.alerting) for scenario in scenarios(alerts)]
    tests.append(_healthy_case(alerts))
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}
