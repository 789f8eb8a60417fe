"""The target contract: a name and a pure function from one environment's model to files.

`targets/` implements it (as dialects implement sqlglot's `Dialect`); the engine
(compiler.render) runs it and knows no target by name. A renderer returns
`{relative path: bytes}`; paths are relative to the target's own folder
`rendered/<env>/<target>/`. Renderers never touch the disk, read specs or print.

Targets whose files are mostly one or a few per service (rules, dashboards) also offer that
render split in two (`PerService`): the environment-wide files, and the files of one service.
The engine then renders large environments in chunks of services, on every CPU and without
holding a whole environment's output in memory, and skips services whose inputs did not
change; the bytes are the same as `render`'s.

A file made of one piece per service between environment-wide text (model.json, the Loki
rules) is offered as `Spliced`: the engine then makes only the pieces of changed services,
recalls the others from the file on disk, and splices them. A target may offer both: the
alerts target's rules and tests are per service, its Loki rules file is spliced.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from compiler.model import EnvironmentModel, ResolvedService

RenderedFiles = dict[str, bytes]
RendererFn = Callable[[EnvironmentModel], RenderedFiles]
# A packaging target's renderer: the model and the consumed targets' files of the same
# environment, as `{"<target>/<path>": bytes}`.
AssembleFn = Callable[[EnvironmentModel, Mapping[str, bytes]], RenderedFiles]
# Plain JSON data: what a service's files depend on besides the service must be this, so
# that it can be digested (compiler.build.fingerprint.context_digest).
JSONValue = str | int | float | bool | None | list["JSONValue"] | dict[str, "JSONValue"]
Context = TypeVar("Context", bound=JSONValue)


@dataclass(frozen=True, slots=True)
class PerService(Generic[Context]):
    """A target's render split into environment-wide files and files of one service.

    `shared(model)` gives the environment-wide files. `context(model)` extracts, once per
    environment, everything else a service's files depend on (as plain JSON data), and
    `service(context, service)` renders one service's files from that alone: a service
    whose model and context are unchanged renders the same bytes, which lets obsc skip it
    (compiler.build.services). Together they give exactly the files of `Target.render`.
    """

    shared: RendererFn
    context: Callable[[EnvironmentModel], Context]
    service: Callable[[Context, ResolvedService], RenderedFiles]

    def render(self, model: EnvironmentModel) -> RenderedFiles:
        """Every file of the target for `model`, sorted by path."""
        files = self.shared(model)
        context = self.context(model)
        for service in model.services:
            for path, content in self.service(context, service).items():
                if path in files:
                    raise ValueError(f"service {service.name!r} renders {path} twice")
                files[path] = content
        return dict(sorted(files.items()))


def no_context(_model: EnvironmentModel) -> JSONValue:
    """The context of a piece that depends on its service alone."""
    return {}


@dataclass(frozen=True, slots=True)
class Spliced:
    """One file of a target as a frame around one piece per service, in the model's order.

    The file is `before + separator.join(pieces) + after`, where `frame(model)` gives
    `(before, separator, after)` and `piece(context, service)` a service's piece (empty for
    a service the file leaves out). As in `PerService`, `context(model)` extracts once per
    environment, as plain JSON, everything else a piece depends on: the piece of a service
    whose model and context are unchanged can be taken from the file rendered before
    (compiler.build.services). `render` gives the same bytes as the target's own `render`.
    """

    path: str
    frame: Callable[[EnvironmentModel], tuple[bytes, bytes, bytes]]
    piece: Callable[[Any, ResolvedService], bytes]
    context: Callable[[EnvironmentModel], JSONValue] = no_context

    def render(self, model: EnvironmentModel) -> RenderedFiles:
        """The file for `model`."""
        before, separator, after = self.frame(model)
        context = self.context(model)
        pieces = separator.join(self.piece(context, service) for service in model.services)
        return {self.path: before + pieces + after}


def assembled_only(name: str, consumes: tuple[str, ...]) -> RendererFn:
    """The `render` of a target that packages others: the engine calls its `assemble`."""

    def render(_model: EnvironmentModel) -> RenderedFiles:
        raise RuntimeError(
            f"the {name} target is rendered through the pipeline "
            f"(it consumes {', '.join(consumes)})"
        )

    return render


@dataclass(frozen=True, slots=True)
class Assembly:
    """What `configure` returns for a packaging target: its `assemble` with settings applied.

    The engine calls `assemble` with the consumed files; called alone, as a plain
    renderer, it fails the way `assembled_only` does.
    """

    name: str
    consumes: tuple[str, ...]
    assemble: AssembleFn

    def __call__(self, model: EnvironmentModel) -> RenderedFiles:
        return assembled_only(self.name, self.consumes)(model)


@dataclass(frozen=True, slots=True)
class Target:
    """A named renderer."""

    name: str
    description: str
    render: RendererFn
    # `obsc render --set <target>.<key>=<value>`: accepted keys with their help, and a
    # factory that validates values (ValueError) and returns the overridden renderer (an
    # `Assembly` for a target that packages others).
    settings: Mapping[str, str] = field(default_factory=dict)
    configure: Callable[[Mapping[str, str]], RendererFn] | None = None
    # Targets that package what other targets render (a Helm chart, a compose overlay):
    # the names they read, and a renderer that gets those files of the same environment
    # as `{"<target>/<path>": bytes}` instead of rendering them again.
    consumes: tuple[str, ...] = ()
    assemble: AssembleFn | None = None
    # The same files as `render`, split per service (see PerService); None when the
    # target's files are environment-wide.
    per_service: PerService[Any] | None = None
    # One of `render`'s files, spliced from per-service pieces (see Spliced); None when the
    # target has no such file. With `per_service`, its `shared` leaves this file out.
    spliced: Spliced | None = None


Registry = Mapping[str, Target]  # every target by name: targets.TARGETS, handed in by the CLI


# targets.TARGETS lists every target by name with the package that implements it and the
# targets it packages, and imports a package the first time its target is looked up: so
# `render --target alerts` imports the alerts target alone, and the names and what each
# packages (all that validating a spec needs) are known without importing any.


@dataclass(frozen=True, slots=True)
class Listed:
    """A target as the registry lists it: its package (holding `TARGET`), what it packages."""

    name: str
    package: str
    consumes: tuple[str, ...] = ()


class LazyRegistry(MutableMapping[str, Target]):
    """Targets by name, each package imported when its target is first looked up.

    Setting an item replaces a target (tests do, with monkeypatch.setitem).
    """

    def __init__(self, listed: Iterable[Listed]) -> None:
        self._listed = {entry.name: entry for entry in listed}
        self._targets: dict[str, Target] = {}

    def consumes(self, name: str) -> tuple[str, ...]:
        """What target `name` packages, without importing it."""
        if name in self._targets:
            return self._targets[name].consumes
        return self._listed[name].consumes

    def __getitem__(self, name: str) -> Target:
        target = self._targets.get(name)
        if target is None:
            listed = self._listed[name]  # KeyError for a name not listed
            target = importlib.import_module(listed.package).TARGET
            if (target.name, target.consumes) != (listed.name, listed.consumes):
                raise RuntimeError(
                    f"{listed.package}.TARGET is {target.name!r} packaging {target.consumes}, "
                    f"but the registry lists {listed.name!r} packaging {listed.consumes}"
                )
            self._targets[name] = target
        return target

    def __setitem__(self, name: str, target: Target) -> None:
        if name not in self._listed:
            self._listed[name] = Listed(name, "", target.consumes)
        self._targets[name] = target

    def __delitem__(self, name: str) -> None:
        del self._listed[name]
        self._targets.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._listed)

    def __len__(self) -> int:
        return len(self._listed)

    def __contains__(self, name: object) -> bool:
        return name in self._listed


def consumes_of(targets: Registry, name: str) -> tuple[str, ...]:
    """What target `name` packages; a `LazyRegistry` says so without importing it."""
    if isinstance(targets, LazyRegistry):
        return targets.consumes(name)
    return targets[name].consumes
