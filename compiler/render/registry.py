"""The target registry, handed in at the top.

The compiler never imports `targets`: obsc's CLI (compiler.cli.main) provides a loader of
`targets.TARGETS` once, and the pipeline asks `registry()` when it needs the targets.
Loading is deferred so that `obsc --help` does not import the renderers. A program that
drives compiler.pipeline without the CLI (a benchmark, a test session) provides it the same
way.

`targets.TARGETS` is a `LazyRegistry` (compiler.render.contract): a render imports only the
targets it renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # not at run time: the CLI provides the registry before pydantic loads
    from compiler.render.contract import Registry

_loader: Callable[[], Registry] | None = None


def provide(loader: Callable[[], Registry]) -> None:
    """Make `loader()` the registry (called once, by whoever drives the compiler)."""
    global _loader
    _loader = loader


def registry() -> Registry:
    """Every target by name."""
    if _loader is None:
        raise RuntimeError(
            "no target registry: provide one with compiler.render.registry.provide "
            "(obsc's CLI provides targets.TARGETS)"
        )
    return _loader()
