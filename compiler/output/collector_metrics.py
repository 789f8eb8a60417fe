"""The OpenTelemetry Collector's own metrics, as Prometheus scrapes them from the collector.

The alerts target's collector-health rules and the grafana target's stack dashboard both
read them, so the names live here, once. They are the names the pinned collector (v0.159.0)
exposes on the Prometheus endpoint of `service.telemetry.metrics`: its Prometheus reader
defaults to `without_type_suffix` and `without_units`, so counters have no `_total` and
units no suffix (`otelcol_exporter_sent_spans`, `otelcol_process_memory_rss`).
tests/collector/test_telemetry_run.py scrapes the real binary and checks every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: The Prometheus job that scrapes the collector (compose: a static scrape job; helm: the
#: collector's PodMonitor relabels `job` to it).
COLLECTOR_JOB: Final = "otel-collector"

QUEUE_SIZE: Final = "otelcol_exporter_queue_size"
QUEUE_CAPACITY: Final = "otelcol_exporter_queue_capacity"
MEMORY_RSS: Final = "otelcol_process_memory_rss"
HEAP_ALLOC: Final = "otelcol_process_runtime_heap_alloc_bytes"
UP: Final = "up"


@dataclass(frozen=True, slots=True)
class Signal:
    """A signal as a `signal` label names it, and as the collector's counters count it."""

    name: str
    items: str

    @property
    def title(self) -> str:
        """`log records`, `metric points`, `spans`."""
        return self.items.replace("_", " ")


SIGNALS: Final = (
    Signal("logs", "log_records"),
    Signal("metrics", "metric_points"),
    Signal("traces", "spans"),
)


def exporter_counter(kind: str, signal: Signal) -> str:
    """An exporter's counter (`sent`, `send_failed`, `enqueue_failed`) of one signal."""
    return f"otelcol_exporter_{kind}_{signal.items}"


def receiver_counter(kind: str, signal: Signal) -> str:
    """A receiver's counter (`accepted`, `refused`) of one signal."""
    return f"otelcol_receiver_{kind}_{signal.items}"


def memory_limiter_refused(signal: Signal) -> str:
    """What the memory limiter refused of one signal (the receivers count it as refused too)."""
    return f"otelcol_processor_memory_limiter_refused_{signal.items}"


def collector_selector(metric: str) -> str:
    """`metric` as scraped from the collector: `metric{job="otel-collector"}`."""
    return f'{metric}{{job="{COLLECTOR_JOB}"}}'


def used_metric_names() -> list[str]:
    """Every collector metric name the rendered rules and dashboards use."""
    names = {QUEUE_SIZE, QUEUE_CAPACITY, MEMORY_RSS, HEAP_ALLOC}
    for signal in SIGNALS:
        names.update(exporter_counter(k, signal) for k in ("sent", "send_failed", "enqueue_failed"))
        names.update(receiver_counter(k, signal) for k in ("accepted", "refused"))
        names.add(memory_limiter_refused(signal))
    return sorted(names)
