"""The target interface: a name and a pure function from one environment's model to files.

A renderer returns `{relative path: bytes}`; paths are relative to the target's own folder
`rendered/<env>/<target>/`. Renderers never touch the disk, read specs or print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compiler.model import EnvironmentModel

RenderedFiles = dict[str, bytes]


@dataclass(frozen=True, slots=True)
class Target:
    """A named renderer."""

    name: str
    description: str
    render: Callable[[EnvironmentModel], RenderedFiles]
