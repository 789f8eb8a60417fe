"""Benchmarks: generated estates and the scripts that time obsc on them (not tests).

Scripts that drive compiler.pipeline directly (not through the `obsc` CLI) need the target
registry handed in, as the CLI does (compiler.render.registry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.render.registry import provide

if TYPE_CHECKING:
    from compiler.render.contract import Registry


def _targets() -> Registry:
    from targets import TARGETS

    return TARGETS


provide(_targets)
