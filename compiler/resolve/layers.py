"""The layers that merge into a resolved service, one small pure function each.

Each layer returns the values it sets as `spec path -> Contribution`; `LAYERS` applies
them in the contract's order (framework defaults, snapshot, project environment, service,
service environment override), later wins. Paths are the spec's own camelCase keys, so
`obsc explain checkout.metrics.path` reads like the YAML a person wrote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from compiler.errors import Location
from compiler.frameworks import FrameworkEntry
from compiler.model import Contribution
from compiler.spec.loader import Document, PathKey
from compiler.spec.models import (
    Environment,
    LatencySLI,
    MetricsSpec,
    ServiceDocument,
    ServiceOverride,
    SnapshotDocument,
)
from compiler.spec.validate import Parsed

Values = dict[str, Contribution]

DEFAULT_SLO_WINDOW = "30d"
DEFAULTS_ORIGIN = "obsc:defaults"
_DEFAULT_LOGS_FORMAT = Contribution("text", "default", DEFAULTS_ORIGIN, Location(DEFAULTS_ORIGIN))
_DEFAULT_WINDOW = Contribution(
    DEFAULT_SLO_WINDOW, "default", DEFAULTS_ORIGIN, Location(DEFAULTS_ORIGIN)
)


@dataclass(frozen=True, slots=True)
class LayerInput:
    """Everything the layers of one service in one environment may read."""

    service: Parsed[ServiceDocument]
    framework: FrameworkEntry
    snapshot: Parsed[SnapshotDocument] | None
    environment: Environment
    environment_index: int
    project_document: Document


def _put(
    values: Values, key: str, value: object, layer: str, origin: str, doc: Document, path: PathKey
) -> None:
    if value is not None:
        values[key] = Contribution(value, layer, origin, doc.location(path))


def obsc_defaults(ctx: LayerInput) -> Values:
    """What obsc assumes when nothing else says: 30-day SLO windows, plain-text logs."""
    values: Values = {"logs.format": _DEFAULT_LOGS_FORMAT}
    for slo in ctx.service.model.spec.slos:
        values[f"slos.{slo.name}.window"] = _DEFAULT_WINDOW
    return values


def framework_defaults(ctx: LayerInput) -> Values:
    """What the framework database says about every service of this framework."""
    entry = ctx.framework
    fw = entry.parsed.model.spec
    doc = entry.parsed.document
    origin = f"framework:{entry.name}" + ("" if entry.builtin else " (user-defined)")
    values: Values = {}

    def put(key: str, value: object, path: PathKey) -> None:
        _put(values, key, value, "framework", origin, doc, ("spec", *path))

    put("language", fw.language, ("language",))
    put("port", fw.default_port, ("defaultPort",))
    put("metrics.enabled", True, ("metrics",))
    put("metrics.path", fw.metrics.path or "/metrics", ("metrics", "path"))
    put("metrics.port", fw.metrics.port, ("metrics", "port"))
    if fw.metrics.duration is not None:
        put(
            "metrics.histogramBuckets",
            tuple(fw.metrics.duration.buckets),
            ("metrics", "duration", "buckets"),
        )
    put("logs.format", fw.defaults.logs_format, ("defaults", "logsFormat"))
    put("sampling", fw.defaults.sampling, ("defaults", "sampling"))
    for slo in ctx.service.model.spec.slos:
        put(f"slos.{slo.name}.objective", fw.defaults.objective, ("defaults", "objective"))
        if isinstance(slo.sli, LatencySLI):
            put(
                f"slos.{slo.name}.sli.threshold",
                fw.defaults.latency_threshold,
                ("defaults", "latencyThreshold"),
            )
    return values


def snapshot(ctx: LayerInput) -> Values:
    """What `obsc detect` found; a service spec overrides it."""
    values: Values = {}
    if ctx.snapshot is None:
        return values
    snap = ctx.snapshot.model
    doc = ctx.snapshot.document
    origin = f"snapshot:{snap.metadata.name}"
    _put(values, "framework", snap.spec.framework, "snapshot", origin, doc, ("spec", "framework"))
    if _language_applies(snap.spec.framework, ctx.framework):
        _put(values, "language", snap.spec.language, "snapshot", origin, doc, ("spec", "language"))
    if snap.spec.ports:
        _put(values, "port", snap.spec.ports[0], "snapshot", origin, doc, ("spec", "ports", 0))
    if snap.spec.image is not None and is_alpine(snap.spec.image):
        _put(values, "instrumentation.platform", "musl", "snapshot", origin, doc, ("spec", "image"))
    return values


_ALPINE = re.compile(r"(?:^|[/:_.-])alpine", re.IGNORECASE)


def is_alpine(image: str) -> bool:
    """Whether an image reference names an Alpine-based image (`python:3.12-alpine`, `alpine`).

    Alpine's C library is musl: a Python agent built for glibc fails to load there.
    """
    return _ALPINE.search(image) is not None


def _language_applies(detected: str | None, framework: FrameworkEntry) -> bool:
    """Whether a snapshot's language speaks for the service's framework.

    It does when detection found that framework (or none), or when the framework fixes no
    language (`generic`: the language picks the instrumentation). A snapshot of another
    framework does not override the language of the one the Service names: a generic
    detection's `other` must not turn a spring-boot service's java into `other`.
    """
    if detected is None or detected == framework.name:
        return True
    return framework.parsed.model.spec.language == "other"


def project_environment(ctx: LayerInput) -> Values:
    """Settings the Project gives every service of an environment."""
    values: Values = {}
    env = ctx.environment
    doc = ctx.project_document
    origin = f"environment:{env.name}"
    base: PathKey = ("spec", "environments", ctx.environment_index)
    _put(values, "sampling", env.sampling, "environment", origin, doc, (*base, "sampling"))
    _put(values, "redaction", env.redaction, "environment", origin, doc, (*base, "redaction"))
    return values


def _service_fields(
    values: Values,
    spec: ServiceOverride,
    layer: str,
    origin: str,
    doc: Document,
    base: PathKey,
) -> None:
    """The fields a service and its per-environment override share."""
    _put(values, "port", spec.port, layer, origin, doc, (*base, "port"))
    _put(values, "redaction", spec.redaction, layer, origin, doc, (*base, "redaction"))
    _put(values, "sampling", spec.sampling, layer, origin, doc, (*base, "sampling"))
    _put(values, "runbook", spec.runbook, layer, origin, doc, (*base, "runbook"))
    if spec.logs is not None:
        _put(values, "logs.format", spec.logs.format, layer, origin, doc, (*base, "logs", "format"))
    _metrics_fields(values, spec.metrics, layer, origin, doc, (*base, "metrics"))


def _metrics_fields(
    values: Values,
    metrics: MetricsSpec | None,
    layer: str,
    origin: str,
    doc: Document,
    base: PathKey,
) -> None:
    if metrics is None:
        return
    _put(values, "metrics.enabled", metrics.enabled, layer, origin, doc, (*base, "enabled"))
    _put(values, "metrics.path", metrics.path, layer, origin, doc, (*base, "path"))
    _put(values, "metrics.port", metrics.port, layer, origin, doc, (*base, "port"))
    buckets = tuple(metrics.histogram_buckets) if metrics.histogram_buckets else None
    _put(
        values, "metrics.histogramBuckets", buckets, layer, origin, doc, (*base, "histogramBuckets")
    )


def service(ctx: LayerInput) -> Values:
    """The service's own spec."""
    values: Values = {}
    spec = ctx.service.model.spec
    doc = ctx.service.document
    origin = f"service:{ctx.service.model.metadata.name}"
    _put(values, "framework", spec.framework, "service", origin, doc, ("spec", "framework"))
    _put(values, "language", spec.language, "service", origin, doc, ("spec", "language"))
    platform = spec.instrumentation.platform
    path: PathKey = ("spec", "instrumentation", "platform")
    _put(values, "instrumentation.platform", platform, "service", origin, doc, path)
    override = ServiceOverride.model_construct(
        port=spec.port,
        metrics=spec.metrics,
        logs=spec.logs,
        redaction=spec.redaction,
        sampling=spec.sampling,
        runbook=spec.runbook,
    )
    _service_fields(values, override, "service", origin, doc, ("spec",))
    for index, slo in enumerate(spec.slos):
        base: PathKey = ("spec", "slos", index)
        _put(
            values,
            f"slos.{slo.name}.objective",
            slo.objective,
            "service",
            origin,
            doc,
            (*base, "objective"),
        )
        _put(
            values, f"slos.{slo.name}.window", slo.window, "service", origin, doc, (*base, "window")
        )
        if isinstance(slo.sli, LatencySLI):
            _put(
                values,
                f"slos.{slo.name}.sli.threshold",
                slo.sli.threshold,
                "service",
                origin,
                doc,
                (*base, "sli", "threshold"),
            )
    return values


def service_override(ctx: LayerInput) -> Values:
    """The service's `environments.<env>` block: the last word."""
    values: Values = {}
    env = ctx.environment.name
    override = ctx.service.model.spec.environments.get(env)
    if override is None:
        return values
    doc = ctx.service.document
    origin = f"service:{ctx.service.model.metadata.name} environments.{env}"
    base: PathKey = ("spec", "environments", env)
    _put(values, "enabled", override.enabled, "override", origin, doc, (*base, "enabled"))
    _service_fields(values, override, "override", origin, doc, base)
    return values


Layer = Callable[[LayerInput], Values]

LAYERS: tuple[Layer, ...] = (
    obsc_defaults,
    framework_defaults,
    snapshot,
    project_environment,
    service,
    service_override,
)

# The layers that read the environment; resolve computes the others once per service.
PER_ENVIRONMENT = frozenset({project_environment, service_override})


def merge(layers: Iterable[Values]) -> dict[str, tuple[Contribution, ...]]:
    """Combine layer outputs given in merge order; each path keeps all its contributions."""
    chains: dict[str, list[Contribution]] = {}
    for values in layers:
        for key, contribution in values.items():
            chains.setdefault(key, []).append(contribution)
    return {key: tuple(chain) for key, chain in sorted(chains.items())}
