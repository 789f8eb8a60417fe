"""The target interface: a name and a pure function from one environment's model to files.

A renderer returns `{relative path: bytes}`; paths are relative to the target's own folder
`rendered/<env>/<target>/`. Renderers never touch the disk, read specs or print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from compiler.model import EnvironmentModel

RenderedFiles = dict[str, bytes]
RendererFn = Callable[[EnvironmentModel], RenderedFiles]


@dataclass(frozen=True, slots=True)
class Target:
    """A named renderer."""

    name: str
    description: str
    render: RendererFn
    # `obsc render --set <target>.<key>=<value>`: accepted keys with their help, and a
    # factory that validates values (ValueError) and returns the overridden renderer.
    settings: Mapping[str, str] = field(default_factory=dict)
    configure: Callable[[Mapping[str, str]], RendererFn] | None = None
    # Targets that package what other targets render (a Helm chart, a compose overlay):
    # the names they read, and a renderer that gets those files of the same environment
    # as `{"<target>/<path>": bytes}` instead of rendering them again.
    consumes: tuple[str, ...] = ()
    assemble: Callable[[EnvironmentModel, Mapping[str, bytes]], RenderedFiles] | None = None
