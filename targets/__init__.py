"""Renderers, one package per target, and the explicit registry the pipeline looks them up in.

Every target is listed here with its package and what it packages; a package is imported
when its target is first looked up (compiler.render.contract.LazyRegistry), so a render of
one target does not import the others.
"""

from __future__ import annotations

from compiler.render.contract import LazyRegistry, Listed, RenderedFiles, Target

__all__ = ["TARGETS", "RenderedFiles", "Target"]

PACKAGED = ("collector", "alerts", "grafana")  # what the Helm chart and the compose overlay carry

TARGETS = LazyRegistry(
    (
        Listed("model", "targets.model"),
        Listed("collector", "targets.collector"),
        Listed("alerts", "targets.alerts"),
        Listed("grafana", "targets.grafana"),
        Listed("compose", "targets.compose", PACKAGED),
        Listed("helm", "targets.helm", PACKAGED),
        Listed("gitops", "targets.gitops", ("helm",)),
        Listed("instrumentation", "targets.instrumentation"),
    )
)
