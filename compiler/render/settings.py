"""`--set TARGET.KEY=VALUE`: the settings targets accept, and the renderers they configure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from compiler.errors import UsageError
from compiler.render.contract import Registry, RendererFn
from compiler.spec.validate import did_you_mean

Settings = Mapping[str, Mapping[str, str]]  # {target: {key: value}}


def target_settings(registry: Registry) -> list[tuple[str, str]]:
    """Every `--set` key (`target.key`) with its help text."""
    return [
        (f"{name}.{key}", text)
        for name, target in registry.items()
        for key, text in target.settings.items()
    ]


def parse_settings(registry: Registry, assignments: Sequence[str]) -> dict[str, dict[str, str]]:
    """`--set TARGET.KEY=VALUE` values grouped by target, checked against what targets accept."""
    grouped: dict[str, dict[str, str]] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        target, dot, name = key.partition(".")
        if not sep or not dot or not target or not name:
            raise UsageError(f"--set {assignment!r}: expected TARGET.KEY=VALUE")
        accepting = sorted(t.name for t in registry.values() if t.settings)
        if target not in registry or not registry[target].settings:
            raise UsageError(
                f"--set {assignment!r}: target {target!r} has no settings (targets with "
                f"settings: {', '.join(accepting)}). " + did_you_mean(target, accepting)
            )
        known = sorted(registry[target].settings)
        if name not in known:
            raise UsageError(
                f"--set {assignment!r}: unknown setting {key!r} (known: "
                + ", ".join(f"{target}.{k}" for k in known)
                + "). "
                + did_you_mean(name, known)
            )
        grouped.setdefault(target, {})[name] = value
    return grouped


def configured_renderers(
    registry: Registry, settings: Settings, names: Iterable[str] | None = None
) -> dict[str, RendererFn]:
    """The renderers of `names` (default: every target), with `--set` overrides applied.

    Only the targets named are looked up (and so imported, from a lazy registry).
    """
    chosen = list(registry) if names is None else list(names)
    renderers = {name: registry[name].render for name in chosen}
    for name, values in settings.items():
        if name not in renderers:
            continue
        configure = registry[name].configure
        if configure is None:
            raise UsageError(f"target {name!r} takes no settings")
        try:
            renderers[name] = configure(values)
        except ValueError as exc:
            raise UsageError(f"--set: {exc}") from None
    return renderers
