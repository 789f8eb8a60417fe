"""The stack's own dashboard (`dashboards/obsc.stack/stack.json`, uid `obsc_stack`).

A row for the OpenTelemetry Collector, from its own metrics (compiler.output.collector_metrics):
per signal what its receivers accepted and refused and what its exporters sent and failed to
send; what full sending queues dropped; queue size against capacity; memory; collectors up;
and the collector-health alerts. Its folder, `obsc.stack`, is no DNS label, so no team's
folder can take the name. Rendered with the collector target, like those alerts.
"""

from __future__ import annotations

from typing import Any

from compiler.model import EnvironmentModel
from compiler.output.collector_metrics import (
    HEAP_ALLOC,
    MEMORY_RSS,
    QUEUE_CAPACITY,
    QUEUE_SIZE,
    SIGNALS,
    UP,
    Signal,
    collector_selector,
    exporter_counter,
    memory_limiter_refused,
    receiver_counter,
)
from compiler.output.links import STACK_DASHBOARD_UID, STACK_NAME
from targets.grafana import panels
from targets.grafana.dashboard import dashboard
from targets.grafana.queries import RATE

DASHBOARD_FILE = f"dashboards/{STACK_NAME}/stack.json"
FOLDER_UID = "obscfolder_stack"
HEIGHT = 8


def has_stack_dashboard(model: EnvironmentModel) -> bool:
    """The stack dashboard goes with the collector obsc renders for the environment."""
    return "collector" in model.targets


def _rate(metric: str, by: str = "") -> str:
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (rate({collector_selector(metric)}[{RATE}]))"


def signal_panel(signal: Signal) -> panels.Panel:
    """Accepted, refused, sent and failed items of one signal, per second."""
    return panels.timeseries(
        signal.title.capitalize(),
        f"{signal.title.capitalize()} per second, summed over every collector: accepted and "
        "refused by the receivers (refusals are the memory limiter, shown apart, or a full "
        "queue pushing back), sent and failed by the exporters (failures are after retries: "
        "lost).",
        [
            ("accepted", _rate(receiver_counter("accepted", signal))),
            ("refused", _rate(receiver_counter("refused", signal))),
            ("refused by the memory limiter", _rate(memory_limiter_refused(signal))),
            ("sent", _rate(exporter_counter("sent", signal))),
            ("failed", _rate(exporter_counter("send_failed", signal))),
        ],
        "cps",
        min_value=0,
    )


def dropped_panel() -> panels.Panel:
    """Items the exporters' full sending queues turned away."""
    return panels.timeseries(
        "Dropped",
        "Items per second each exporter's sending queue rejected because it was full: lost.",
        [
            (
                f"{{{{exporter}}}} {signal.name}",
                _rate(exporter_counter("enqueue_failed", signal), "exporter"),
            )
            for signal in SIGNALS
        ],
        "cps",
        min_value=0,
    )


def queue_panel() -> panels.Panel:
    """Each exporter's sending queue against its capacity."""
    return panels.timeseries(
        "Exporter queues",
        "Batches waiting in each exporter's sending queue, against the queue's capacity "
        "(largest over the collectors). A queue that stays near capacity means a slow or "
        "failing backend; a full one drops new data.",
        [
            ("{{exporter}} size", f"max by (exporter) ({collector_selector(QUEUE_SIZE)})"),
            ("{{exporter}} capacity", f"max by (exporter) ({collector_selector(QUEUE_CAPACITY)})"),
        ],
        "short",
        min_value=0,
    )


def memory_panel() -> panels.Panel:
    """Resident memory and Go heap of each collector."""
    return panels.timeseries(
        "Memory",
        "Resident memory and live Go heap of each collector. The memory limiter refuses data "
        "above 80% of the container's memory limit.",
        [
            ("{{instance}} resident", collector_selector(MEMORY_RSS)),
            ("{{instance}} heap", collector_selector(HEAP_ALLOC)),
        ],
        "bytes",
        min_value=0,
    )


def up_panel() -> panels.Panel:
    """How many collectors Prometheus scrapes successfully."""
    return panels.stat(
        "Collectors up",
        "Collectors whose metrics Prometheus scraped successfully (red: none).",
        f"sum({collector_selector(UP)})",
        "none",
        thresholds=panels.steps(("red", None), ("green", 1)),
    )


def alerts_panel() -> panels.Panel:
    """The collector-health alerts over time."""
    return panels.state_timeline(
        "Collector alerts",
        "Prometheus' ALERTS series of the collector-health rules, pending or firing.",
        [("{{alertname}} {{severity}} ({{alertstate}})", 'ALERTS{component="collector"}')],
        [{"type": "value", "options": {"1": {"color": "red", "index": 0, "text": "active"}}}],
    )


def stack_dashboard(model: EnvironmentModel) -> dict[str, Any]:
    """The stack dashboard of one environment."""
    grid = panels.Grid()
    grid.row("OpenTelemetry Collector")
    grid.add_line([signal_panel(signal) for signal in SIGNALS], HEIGHT)
    grid.add(up_panel(), 4, HEIGHT)
    grid.add(queue_panel(), 10, HEIGHT)
    grid.add(memory_panel(), 10, HEIGHT)
    grid.add_line([dropped_panel(), alerts_panel()], HEIGHT)
    return dashboard(
        uid=STACK_DASHBOARD_UID,
        title=f"Observability stack ({model.environment})",
        description=(
            f"The health of the observability stack itself in {model.environment}: the "
            "OpenTelemetry Collector's own metrics. Rendered by obsc: edit the specs, not this "
            "dashboard."
        ),
        tags=["obsc", STACK_NAME],
        panels=grid.panels,
        links=[],
    )
