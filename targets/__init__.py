"""Renderers, one package per target, and the explicit registry the pipeline looks them up in."""

from __future__ import annotations

from targets import alerts, collector, compose, gitops, grafana, helm, instrumentation, model
from targets.base import RenderedFiles, Target

__all__ = ["TARGETS", "RenderedFiles", "Target"]

TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        model.TARGET,
        collector.TARGET,
        alerts.TARGET,
        grafana.TARGET,
        compose.TARGET,
        helm.TARGET,
        gitops.TARGET,
        instrumentation.TARGET,
    )
}
