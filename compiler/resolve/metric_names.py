"""Metric names as each platform stores them: the framework database's names, resolved.

The rule itself (which platform an environment takes, and what the collector's remote
write makes of a name) is compiler/output/metric_names.py, shared with the collector target.
"""

from __future__ import annotations

from compiler.model import ResolvedMetrics
from compiler.output.metric_names import MetricKind, Platform, platform_of, remote_written_name
from compiler.spec.models import FrameworkSpec

# Platform and platform_of are imported from here by the resolver too
__all__ = ["Platform", "arrived_metrics", "counter_renames", "platform_of"]


def arrived_metrics(metrics: ResolvedMetrics, platform: Platform) -> ResolvedMetrics:
    """The framework's metric names as Prometheus stores them on `platform`.

    Only scraped metrics change, and only on compose; OTLP and span-derived metrics are
    named in the database as they arrive already.
    """
    if metrics.source != "exporter" or platform != "compose":
        return metrics
    request = metrics.request_metric
    duration = metrics.duration_metric
    if request is not None:
        # `<name>_count` is a histogram's (or summary's) count series; anything else a counter
        kind: MetricKind = "histogram" if request.endswith("_count") else "counter"
        request = remote_written_name(request, kind)
    if duration is not None:
        duration = remote_written_name(duration, "histogram")
    return metrics.model_copy(update={"request_metric": request, "duration_metric": duration})


def counter_renames(framework: FrameworkSpec, platform: Platform) -> dict[str, str]:
    """The exporter counters a framework's alerts use, to the names they arrive under.

    Empty where nothing is renamed: Kubernetes, or a name the conversion keeps.
    """
    if framework.exporter is None or platform != "compose":
        return {}
    renamed = {name: remote_written_name(name, "counter") for name in framework.exporter.counters}
    return {name: new for name, new in renamed.items() if new != name}
