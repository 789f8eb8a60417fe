"""Pyrra's `ServiceLevelObjective` CRD (pyrra.dev/v1alpha1): ratio, latency, bool_gauge.

Pyrra writes series selectors, not queries; obsc's ratio SLI gets the queries Pyrra's own
rules compute: `sum(rate(errors[w]))` over `sum(rate(total[w]))` (good = total - errors),
the success bucket over the count for latency, and `sum_over_time` over `count_over_time`
of a 0/1 gauge. `grouping` makes Pyrra keep one ratio per group; obsc's SLI sums them
(approximated). The service is the `service` label, else the SLO's name.
"""

from __future__ import annotations

import re
from typing import Any

from compiler.errors import DiagnosticSink
from compiler.importers import ImportedSLO, ImportResult
from compiler.importers.reading import Fields, dns_name, ratio_from_error
from compiler.spec.loader import Document, PathKey

_WINDOW = re.compile(r"^\d+[mhdw]$")


def read_pyrra(documents: list[Document], sink: DiagnosticSink) -> ImportResult:
    """Every Pyrra SLO among `documents`."""
    result = ImportResult()
    for document in documents:
        fields = Fields(document, sink)
        data = document.data
        api = str(data.get("apiVersion", "")) if isinstance(data, dict) else ""
        if not api.startswith("pyrra.dev/") or data.get("kind") != "ServiceLevelObjective":
            result.note(
                fields.location(()), "skipped", "document", "not a Pyrra ServiceLevelObjective"
            )
            continue
        _read_slo(fields, result)
    return result


def _rate(selector: str) -> str:
    return f"sum(rate({selector}[{{{{window}}}}]))"


def _read_slo(fields: Fields, result: ImportResult) -> None:
    raw_name = fields.text(("metadata", "name")) or "slo"
    labels = {str(k): str(v) for k, v in fields.mapping(("metadata", "labels")).items()}
    service = dns_name(labels.get("service") or raw_name)
    name = dns_name(raw_name)
    subject = f"{service}/{name}"
    where = fields.location(())
    objective = fields.number(("spec", "target"))
    window = fields.text(("spec", "window"))
    if window is not None and _WINDOW.match(window) is None:
        fields.problem(("spec", "window"), "a duration such as 28d or 4w")
        window = None
    indicator: PathKey = ("spec", "indicator")
    sli = _sli(fields, indicator, subject, result)
    if sli is None or objective is None or window is None:
        return
    slo: dict[str, Any] = {"name": name, "objective": objective, "window": window, "sli": sli}
    description = fields.text(("spec", "description"), required=False)
    if description:
        slo["description"] = " ".join(description.split())
    result.slos.append(ImportedSLO(service, slo, where))
    result.note(where, "imported", subject, f"objective {objective:g} over {window}")


def _sli(
    fields: Fields, path: PathKey, subject: str, result: ImportResult
) -> dict[str, Any] | None:
    for kind in ("ratio", "latency", "bool_gauge"):
        if fields.get((*path, kind)) is None:
            continue
        grouping = fields.items((*path, kind, "grouping"))
        if grouping:
            result.note(
                fields.location((*path, kind, "grouping")),
                "approximated",
                subject,
                f"grouping by {', '.join(map(str, grouping))}: Pyrra keeps a ratio per "
                "group, obsc's SLI is the service's whole ratio",
            )
        if kind == "ratio":
            errors = fields.text((*path, kind, "errors", "metric"))
            total = fields.text((*path, kind, "total", "metric"))
            return (
                None
                if errors is None or total is None
                else ratio_from_error(_rate(errors), _rate(total))
            )
        if kind == "latency":
            success = fields.text((*path, kind, "success", "metric"))
            total = fields.text((*path, kind, "total", "metric"))
            if success is None or total is None:
                return None
            return {"kind": "ratio", "good": _rate(success), "total": _rate(total)}
        metric = fields.text((*path, kind, "metric"))
        if metric is None:
            return None
        return {
            "kind": "ratio",
            "good": f"sum(sum_over_time({metric}[{{{{window}}}}]))",
            "total": f"sum(count_over_time({metric}[{{{{window}}}}]))",
        }
    other = sorted(fields.mapping(path)) or ["none"]
    result.note(
        fields.location(path),
        "skipped",
        subject,
        f"indicator {', '.join(other)}: obsc reads ratio, latency and bool_gauge",
    )
    return None
