"""The target interface, defined by the render engine (compiler.render.contract).

Kept so that `from targets.base import Target` goes on working; new code imports
compiler.render.contract.
"""

from __future__ import annotations

from compiler.render.contract import (
    AssembleFn,
    Assembly,
    JSONValue,
    PerService,
    RenderedFiles,
    RendererFn,
    Target,
    assembled_only,
)

ServiceContext = JSONValue

__all__ = [
    "AssembleFn",
    "Assembly",
    "PerService",
    "RenderedFiles",
    "RendererFn",
    "ServiceContext",
    "Target",
    "assembled_only",
]
