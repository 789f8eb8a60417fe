"""Renderers, one package per target, and the explicit registry the pipeline looks them up in."""

from __future__ import annotations

from compiler.render.contract import RenderedFiles, Target
from targets import alerts, collector, compose, gitops, grafana, helm, instrumentation, model

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
