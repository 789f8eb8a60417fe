"""Build a ResolvedService from merged layer values, checking what only now can be checked.

A latency threshold can only be compared with histogram buckets once both are resolved
(the buckets may come from the framework, the service or an environment override), and
an SLI kind is only supported if the resolved framework has the metrics it needs.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from compiler.errors import DiagnosticSink
from compiler.frameworks import FrameworkEntry
from compiler.model import (
    Contribution,
    Exporter,
    Instrumentation,
    LogQueries,
    ResolvedMetrics,
    ResolvedService,
    ResolvedSLI,
    ResolvedSLO,
    SecretRef,
    SLOAlerting,
    TierAlerting,
)
from compiler.resolve.metric_names import Platform, arrived_metrics
from compiler.resolve.sli import (
    availability_queries,
    latency_queries,
    logs_queries,
    ratio_queries,
)
from compiler.spec.models import EnvValue, LogsSLI, RatioSLI, ServiceDocument, SLOSpec
from compiler.spec.paths import spec_path
from compiler.spec.types import duration_seconds
from compiler.spec.validate import Parsed

Chains = dict[str, tuple[Contribution, ...]]


def _value(chains: Chains, key: str, default: Any = None) -> Any:
    chain = chains.get(key)
    return chain[-1].value if chain else default


def build_service(
    parsed: Parsed[ServiceDocument],
    framework: FrameworkEntry,
    chains: Chains,
    sink: DiagnosticSink,
    platform: Platform,
) -> ResolvedService | None:
    """The service as resolved for one environment, or None after reporting a defect.

    Metric names are those Prometheus stores on the environment's `platform` (see
    `compiler.resolve.metric_names`).
    """
    meta = parsed.model.metadata
    fw = framework.parsed.model.spec
    metrics = arrived_metrics(_build_metrics(framework, chains), platform)
    slos: list[ResolvedSLO] = []
    ok = True
    for index, slo in enumerate(parsed.model.spec.slos):
        resolved = _build_slo(parsed, index, slo, framework, metrics, chains, sink)
        ok = ok and resolved is not None
        if resolved is not None:
            slos.append(resolved)
    if not ok:
        return None
    exporter = None
    if fw.exporter is not None:
        exporter = Exporter(
            name=fw.exporter.name,
            image=fw.exporter.image,
            port=fw.exporter.port,
            path=fw.exporter.path,
            args=tuple(fw.exporter.args),
        )
    return ResolvedService(
        name=meta.name,
        team=meta.team,
        tier=meta.tier,
        labels=tuple(sorted(meta.labels.items())),
        framework=framework.name,
        category=fw.category,
        language=_value(chains, "language"),
        port=_value(chains, "port"),
        metrics=metrics,
        logs_format=_value(chains, "logs.format"),
        redaction=_value(chains, "redaction"),
        sampling=float(_value(chains, "sampling", 1.0)),
        runbook=_value(chains, "runbook"),
        instrumentation=Instrumentation(
            env=_environment(
                {
                    **fw.instrumentation.env,
                    **fw.instrumentation.env_by_language.get(_value(chains, "language"), {}),
                }
            ),
            requires=tuple(fw.instrumentation.requires),
        ),
        exporter=exporter,
        slos=tuple(slos),
        depends_on=tuple(sorted(set(parsed.model.spec.depends_on))),
        waivers=tuple(sorted((w.rule, w.reason) for w in parsed.model.spec.waivers)),
    )


EXPORTER_SUFFIX = "-exporter"
LABEL_VALUE_MAX = 63  # Kubernetes label values, and DNS-1123 labels


def exporter_name_fits(
    parsed: Parsed[ServiceDocument], framework: FrameworkEntry, sink: DiagnosticSink
) -> bool:
    """`<service>-exporter` names the exporter's container, Deployment and pod label.

    Kubernetes refuses a label value over 63 characters, so the PodMonitor that selects
    the exporter by that label would select nothing. Checked once per service.
    """
    name = parsed.model.metadata.name
    has_exporter = framework.parsed.model.spec.exporter is not None
    if not has_exporter or len(name) + len(EXPORTER_SUFFIX) <= LABEL_VALUE_MAX:
        return True
    path = ("metadata", "name")
    longest = LABEL_VALUE_MAX - len(EXPORTER_SUFFIX)
    sink.error(
        "OBSC322",
        f"service name {name!r} is {len(name)} characters; its framework runs an exporter "
        f"named {name}{EXPORTER_SUFFIX}, longer than the {LABEL_VALUE_MAX} characters a "
        "Kubernetes label value may have",
        parsed.document.location(path),
        spec_path(parsed.document, path),
        hint=f"shorten the service name to at most {longest} characters",
    )
    return False


def _environment(env: dict[str, EnvValue]) -> tuple[tuple[str, str | SecretRef], ...]:
    """Instrumentation variables by name; one from a secret keeps only its reference."""
    return tuple(
        (name, _env_value(value)) for name, value in sorted(env.items(), key=lambda item: item[0])
    )


def _env_value(value: EnvValue) -> str | SecretRef:
    if isinstance(value, str):
        return value
    return SecretRef(name=value.secret_ref.name, key=value.secret_ref.key)


def _build_metrics(framework: FrameworkEntry, chains: Chains) -> ResolvedMetrics:
    fw = framework.parsed.model.spec.metrics
    buckets = cast(tuple[float, ...], _value(chains, "metrics.histogramBuckets", ()))
    return ResolvedMetrics(
        enabled=bool(_value(chains, "metrics.enabled", True)),
        source=fw.source,
        exporter=fw.exporter,
        path=_value(chains, "metrics.path"),
        port=_value(chains, "metrics.port") or _value(chains, "port"),
        histogram_buckets=tuple(sorted(float(b) for b in buckets)),
        request_metric=fw.requests.metric if fw.requests else None,
        error_selector=fw.requests.error_selector if fw.requests else None,
        duration_metric=fw.duration.metric if fw.duration else None,
        duration_unit=fw.duration.unit if fw.duration else "seconds",
    )


def _build_slo(
    parsed: Parsed[ServiceDocument],
    index: int,
    slo: SLOSpec,
    framework: FrameworkEntry,
    metrics: ResolvedMetrics,
    chains: Chains,
    sink: DiagnosticSink,
) -> ResolvedSLO | None:
    doc = parsed.document
    base = ("spec", "slos", index)
    kind = slo.sli.kind
    prefix = f"slos.{slo.name}"
    if kind == "availability" and metrics.request_metric is None:
        _unsupported(parsed, index, framework, "request counter", sink)
        return None
    if kind == "latency" and metrics.duration_metric is None:
        _unsupported(parsed, index, framework, "request-duration histogram", sink)
        return None
    objective = _value(chains, f"{prefix}.objective")
    if objective is None:
        sink.error(
            "OBSC312",
            f"SLO {slo.name!r} has no objective and framework {framework.name!r} has no default",
            doc.location(base),
            spec_path(doc, base),
            hint="add `objective:` as a percentage, e.g. 99.9",
        )
        return None
    window = _value(chains, f"{prefix}.window")
    name = parsed.model.metadata.name
    traffic = framework.parsed.model.spec.metrics.traffic_selector
    if isinstance(slo.sli, RatioSLI):
        bad, total = ratio_queries(slo.sli.good, slo.sli.total)
        sli = ResolvedSLI(kind=kind, bad=bad, total=total, good=slo.sli.good)
    elif isinstance(slo.sli, LogsSLI):
        counts: Literal["good", "bad"] = "bad" if slo.sli.bad is not None else "good"
        events = slo.sli.bad if slo.sli.bad is not None else slo.sli.good
        bad, total = logs_queries(name, slo.name, counts)
        queries = LogQueries(
            total=slo.sli.total.strip(), events=(events or "").strip(), counts=counts
        )
        sli = ResolvedSLI(kind=kind, bad=bad, total=total, log_queries=queries)
    elif kind == "latency":
        threshold_chain = chains.get(f"{prefix}.sli.threshold")
        if not threshold_chain:
            sink.error(
                "OBSC312",
                f"latency SLO {slo.name!r} has no threshold and framework "
                f"{framework.name!r} has no default",
                doc.location((*base, "sli")),
                spec_path(doc, (*base, "sli")),
                hint="add `threshold:` such as 250ms",
            )
            return None
        threshold = str(threshold_chain[-1].value)
        seconds = duration_seconds(threshold)
        if not _is_bucket(seconds, metrics):
            _not_a_bucket(parsed, index, threshold, seconds, threshold_chain[-1], metrics, sink)
            return None
        bad, total = latency_queries(name, metrics, seconds, traffic)
        sli = ResolvedSLI(
            kind=kind, bad=bad, total=total, threshold=threshold, threshold_seconds=seconds
        )
    else:
        bad, total = availability_queries(name, metrics, traffic)
        sli = ResolvedSLI(kind=kind, bad=bad, total=total)
    knobs = slo.alerting
    return ResolvedSLO(
        name=slo.name,
        objective=float(objective),
        window=window,
        window_seconds=duration_seconds(window),
        description=slo.description,
        sli=sli,
        alerting=SLOAlerting(
            page=_tier(knobs.page.enabled, knobs.page.for_),
            ticket=_tier(knobs.ticket.enabled, knobs.ticket.for_),
            min_requests_per_second=knobs.min_requests_per_second,
            budget_exhausted=knobs.budget_exhausted,
            interval=knobs.interval,
        ),
    )


def _tier(enabled: bool, for_: str | None) -> TierAlerting:
    seconds = duration_seconds(for_) if for_ else None
    return TierAlerting(enabled=enabled, for_=for_, for_seconds=seconds)


def _bucket_seconds(metrics: ResolvedMetrics) -> list[float]:
    scale = 0.001 if metrics.duration_unit == "milliseconds" else 1.0
    return [b * scale for b in metrics.histogram_buckets]


def _is_bucket(seconds: float, metrics: ResolvedMetrics) -> bool:
    return any(abs(seconds - b) <= 1e-9 * max(1.0, b) for b in _bucket_seconds(metrics))


def _format_seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{round(seconds * 1000, 3):g}ms"
    return f"{seconds:g}s"


def _as_threshold(seconds: float) -> str | None:
    """The bucket as a duration a threshold may be written as (`500ms`, `2s`), if it has one.

    Durations count whole milliseconds, so a bucket such as 0.536871 cannot be proposed.
    """
    millis = round(seconds * 1000, 6)
    if millis != int(millis) or millis <= 0:
        return None
    whole = int(millis)
    return f"{whole // 1000}s" if whole % 1000 == 0 else f"{whole}ms"


def _not_a_bucket(
    parsed: Parsed[ServiceDocument],
    index: int,
    threshold: str,
    seconds: float,
    winner: Contribution,
    metrics: ResolvedMetrics,
    sink: DiagnosticSink,
) -> None:
    buckets = _bucket_seconds(metrics)
    writable = [(b, text) for b in buckets if (text := _as_threshold(b)) is not None]
    below = [text for b, text in writable if b < seconds]
    above = [text for b, text in writable if b > seconds]
    nearest = below[-1:] + above[:1]
    listed = ", ".join(_format_seconds(b) for b in buckets)
    use = f"use {' or '.join(nearest)}, or " if nearest else ""
    sink.error(
        "OBSC309",
        f"latency threshold {threshold} is not a histogram bucket boundary "
        f"(buckets: {listed}); the SLI could not be computed exactly",
        winner.location,
        spec_path(parsed.document, ("spec", "slos", index, "sli", "threshold")),
        hint=f"{use}add {threshold} to metrics.histogramBuckets "
        "(and to the exporter's configuration)",
    )


def _unsupported(
    parsed: Parsed[ServiceDocument],
    index: int,
    framework: FrameworkEntry,
    needed: str,
    sink: DiagnosticSink,
) -> None:
    path = ("spec", "slos", index, "sli", "kind")
    kind = parsed.model.spec.slos[index].sli.kind
    sink.error(
        "OBSC309",
        f"a {kind} SLI needs a {needed}, and framework {framework.name!r} has none",
        parsed.document.location(path),
        spec_path(parsed.document, path),
        hint="use a ratio SLI with your own PromQL, or a framework that exposes it",
    )
