"""OpenSLO: `openslo/v1` SLO documents (inline or referenced SLI) and Sloth's `v1alpha`.

A `ratioMetric` with Prometheus `good`/`bad` and `total` queries becomes a ratio SLI; a
rolling `timeWindow` its window; `target` (0-1) or `targetPercent` its objective. What
obsc cannot express is reported as skipped: calendar windows, timeslice budgeting, other
data sources, `thresholdMetric` (obsc's latency SLIs come from a framework's histogram,
not a query). Alert policies are reported: obsc alerts on its own multi-window burn rates.
"""

from __future__ import annotations

import re
from typing import Any

from compiler.errors import DiagnosticSink
from compiler.importers import ImportedSLO, ImportResult
from compiler.importers.reading import Fields, dns_name, percent, ratio_from_error, sloth_window
from compiler.spec.loader import Document, PathKey

_UNITS = {"minute": "m", "hour": "h", "day": "d", "week": "w"}
_DURATION = re.compile(r"^\d+[mhdw]$")


def read_openslo(documents: list[Document], sink: DiagnosticSink) -> ImportResult:
    """Every SLO of the OpenSLO documents, resolving `indicatorRef` among them."""
    result = ImportResult()
    indicators = {
        str(d.data.get("metadata", {}).get("name")): d
        for d in documents
        if isinstance(d.data, dict) and d.data.get("kind") == "SLI"
    }
    for document in documents:
        fields = Fields(document, sink)
        data = document.data
        kind = data.get("kind") if isinstance(data, dict) else None
        api = str(data.get("apiVersion", "")) if isinstance(data, dict) else ""
        if not api.startswith("openslo/"):
            result.note(fields.location(()), "skipped", "document", "not an OpenSLO document")
        elif kind == "SLO":
            _read_slo(fields, api, indicators, sink, result)
        elif kind in ("AlertPolicy", "AlertCondition", "AlertNotificationTarget"):
            name = fields.text(("metadata", "name"), required=False) or kind
            result.note(
                fields.location(()),
                "approximated",
                f"{kind} {name}",
                "obsc pages at 14.4x/6x and tickets at 3x/1x burn over its own window pairs",
            )
        elif kind not in ("SLI", "Service", "DataSource"):
            result.note(fields.location(()), "skipped", f"{kind}", "not an OpenSLO kind obsc reads")
    return result


def _read_slo(
    fields: Fields,
    api: str,
    indicators: dict[str, Document],
    sink: DiagnosticSink,
    result: ImportResult,
) -> None:
    raw_name = fields.text(("metadata", "name")) or "slo"
    service = dns_name(fields.text(("spec", "service")) or "service")
    subject = f"{service}/{dns_name(raw_name)}"
    where = fields.location(())
    window = _window(fields, subject, result)
    method = fields.text(("spec", "budgetingMethod"), required=False) or "Occurrences"
    if method != "Occurrences":
        result.note(where, "skipped", subject, f"budgetingMethod {method}: obsc counts events")
        return
    objectives = fields.items(("spec", "objectives"))
    if api == "openslo/v1alpha":
        sli, source = _v1alpha_sli(fields, subject, result)
    else:
        sli, source = _v1_sli(fields, indicators, sink, subject, result)
    if sli is None or window is None:
        return
    for index in range(len(objectives)):
        path: PathKey = ("spec", "objectives", index)
        objective = _objective(fields, path)
        if objective is None:
            continue
        name = dns_name(raw_name if len(objectives) == 1 else f"{raw_name}-{index}")
        slo: dict[str, Any] = {"name": name, "objective": objective, "window": window, "sli": sli}
        description = fields.text(("spec", "description"), required=False)
        if description:
            slo["description"] = description
        result.slos.append(ImportedSLO(service, slo, fields.location(path)))
        result.note(
            fields.location(path),
            "imported",
            f"{service}/{name}",
            f"objective {objective:g} over {window}, {source}",
        )
    if not objectives:
        fields.problem(("spec", "objectives"), "at least one objective")


def _objective(fields: Fields, path: PathKey) -> float | None:
    if fields.get((*path, "targetPercent")) is not None:
        return fields.number((*path, "targetPercent"))
    target = fields.number((*path, "target"))
    return None if target is None else percent(target * 100)


def _window(fields: Fields, subject: str, result: ImportResult) -> str | None:
    windows = fields.items(("spec", "timeWindow")) or fields.items(("spec", "timeWindows"))
    if not windows:
        fields.problem(("spec", "timeWindow"), "a time window")
        return None
    path: PathKey = (
        "spec",
        "timeWindow" if fields.get(("spec", "timeWindow")) else "timeWindows",
        0,
    )
    if fields.get((*path, "calendar")) is not None or fields.get((*path, "isRolling")) is False:
        result.note(
            fields.location(path), "skipped", subject, "calendar window: obsc's windows are rolling"
        )
        return None
    duration = fields.get((*path, "duration"))
    if duration is None and fields.get((*path, "count")) is not None:
        unit = _UNITS.get(str(fields.get((*path, "unit"))).lower())
        duration = f"{fields.get((*path, 'count'))}{unit}" if unit else None
    if not isinstance(duration, str) or _DURATION.match(duration) is None:
        fields.problem(path, "a rolling duration such as 28d or 4w")
        return None
    return duration


def _prometheus_query(fields: Fields, path: PathKey) -> tuple[str | None, str]:
    """The PromQL of a v1 `metricSource`, and the source's type when it is not Prometheus."""
    kind = str(fields.get((*path, "metricSource", "type")) or "")
    query = fields.get((*path, "metricSource", "spec", "query"))
    if kind.lower() != "prometheus" or not isinstance(query, str):
        return None, kind or "no type"
    return sloth_window(query), kind


def _v1_sli(
    fields: Fields,
    indicators: dict[str, Document],
    sink: DiagnosticSink,
    subject: str,
    result: ImportResult,
) -> tuple[dict[str, Any] | None, str]:
    source_fields = fields
    base: PathKey = ("spec", "indicator", "spec")
    reference = fields.text(("spec", "indicatorRef"), required=False)
    if reference is not None:
        if reference not in indicators:
            fields.problem(
                ("spec", "indicatorRef"), f"the name of an SLI among the inputs, not {reference!r}"
            )
            return None, ""
        source_fields, base = Fields(indicators[reference], sink), ("spec",)
    where = source_fields.location(base)
    if source_fields.get((*base, "thresholdMetric")) is not None:
        result.note(
            where,
            "skipped",
            subject,
            "thresholdMetric: obsc's latency SLIs come from a "
            "framework's duration histogram, not from a query",
        )
        return None, ""
    ratio: PathKey = (*base, "ratioMetric")
    if source_fields.get(ratio) is None:
        source_fields.problem(ratio, "a ratioMetric or thresholdMetric")
        return None, ""
    total, kind = _prometheus_query(source_fields, (*ratio, "total"))
    if source_fields.get((*ratio, "good")) is not None:
        good, good_kind = _prometheus_query(source_fields, (*ratio, "good"))
        sli = (
            None
            if good is None or total is None
            else {"kind": "ratio", "good": good, "total": total}
        )
    else:
        bad, good_kind = _prometheus_query(source_fields, (*ratio, "bad"))
        sli = None if bad is None or total is None else ratio_from_error(bad, total)
    if sli is None:
        result.note(
            where,
            "skipped",
            subject,
            f"data source {good_kind if kind == 'Prometheus' else kind}: obsc reads PromQL",
        )
        return None, ""
    return sli, "ratioMetric"


def _v1alpha_sli(
    fields: Fields, subject: str, result: ImportResult
) -> tuple[dict[str, Any] | None, str]:
    path: PathKey = ("spec", "objectives", 0, "ratioMetrics")
    queries = {
        part: fields.get((*path, part, "query"))
        for part in ("good", "bad", "total")
        if fields.get((*path, part)) is not None
    }
    source = str(fields.get((*path, "total", "source")) or "")
    if source.lower() != "prometheus" or not all(isinstance(q, str) for q in queries.values()):
        result.note(fields.location(path), "skipped", subject, f"data source {source or 'none'}")
        return None, ""
    total = sloth_window(str(queries.get("total")))
    if "good" in queries:
        return {
            "kind": "ratio",
            "good": sloth_window(str(queries["good"])),
            "total": total,
        }, "ratioMetrics"
    if "bad" in queries:
        return ratio_from_error(sloth_window(str(queries["bad"])), total), "ratioMetrics"
    fields.problem(path, "good or bad, and total")
    return None, ""
