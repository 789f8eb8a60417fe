"""The collector's pipelines per signal, from the rendered config.yaml itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SIGNALS = ("traces", "metrics", "logs")


@dataclass(frozen=True, slots=True)
class Pipeline:
    """One pipeline: receivers -> processors in order -> exporters."""

    name: str
    receivers: tuple[str, ...]
    processors: tuple[str, ...]
    exporters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SignalPipelines:
    """The pipelines of one signal, and which components are connectors between them."""

    signal: str
    pipelines: tuple[Pipeline, ...]
    connectors: frozenset[str]


def _names(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def signal_pipelines(config: Mapping[str, Any]) -> list[SignalPipelines]:
    """Every signal's pipelines, in the config's (sorted) order; signals with none left out."""
    declared = (config.get("service") or {}).get("pipelines") or {}
    connectors = frozenset(map(str, config.get("connectors") or {}))
    found = []
    for signal in SIGNALS:
        pipelines = tuple(
            Pipeline(
                str(name),
                _names(body.get("receivers")),
                _names(body.get("processors")),
                _names(body.get("exporters")),
            )
            for name, body in sorted(declared.items())
            if str(name).split("/", 1)[0] == signal and isinstance(body, dict)
        )
        if pipelines:
            found.append(SignalPipelines(signal, pipelines, connectors))
    return found
