"""Sloth specs: `version: prometheus/v1` files and the `PrometheusServiceLevel` CRD.

The two spell fields differently (`error_query` vs `errorQuery`, `page_alert` vs
`pageAlert`); `_key` reads either. An events SLI becomes a ratio SLI with
good = total - errors, so obsc's `slo:sli_error:ratio_rate*` is Sloth's error ratio. A raw
SLI (an error-ratio query) becomes good = 1 - ratio over total = 0 * ratio + 1: exact at
5m, and each longer window the mean of its 5m ratios where Sloth evaluates the query over
the whole window (approximated). Plugin SLIs run Go code obsc does not have: skipped.
"""

from __future__ import annotations

from typing import Any

from compiler.errors import DiagnosticSink
from compiler.importers import ImportedSLO, ImportResult
from compiler.importers.reading import Fields, dns_name, ratio_from_error, sloth_window
from compiler.spec.loader import Document, PathKey

#: Sloth's default SLO period (`sloth generate --default-slo-period`).
SLOTH_WINDOW = "30d"


def is_sloth(data: Any) -> bool:
    """Whether a document is a Sloth spec."""
    if not isinstance(data, dict):
        return False
    return data.get("version") == "prometheus/v1" or (
        str(data.get("apiVersion", "")).startswith("sloth.slok.dev/")
        and data.get("kind") == "PrometheusServiceLevel"
    )


def read_sloth(documents: list[Document], sink: DiagnosticSink) -> ImportResult:
    """Every SLO of the Sloth documents among `documents`."""
    result = ImportResult()
    for document in documents:
        fields = Fields(document, sink)
        if not is_sloth(document.data):
            result.note(fields.location(()), "skipped", "document", "not a Sloth spec")
            continue
        root: PathKey = ("spec",) if "apiVersion" in document.data else ()
        _read_spec(fields, root, result)
    return result


def _key(fields: Fields, path: PathKey, snake: str) -> PathKey:
    """`path + (snake,)`, or its camelCase spelling when the document uses that."""
    head, *rest = snake.split("_")
    camel = head + "".join(word.title() for word in rest)
    return (*path, camel) if fields.get((*path, camel)) is not None else (*path, snake)


def _read_spec(fields: Fields, root: PathKey, result: ImportResult) -> None:
    service_raw = fields.text((*root, "service")) or "service"
    service = dns_name(service_raw)
    labels = {str(k): str(v) for k, v in fields.mapping((*root, "labels")).items()}
    team = labels.pop("owner", None) or labels.pop("team", None)
    tier_text = labels.pop("tier", None)
    tier = int(tier_text) if tier_text in ("1", "2", "3") else None
    for index in range(len(fields.items((*root, "slos")))):
        path: PathKey = (*root, "slos", index)
        slo = _read_slo(fields, path, service, result)
        if slo is not None:
            result.slos.append(
                ImportedSLO(
                    service,
                    slo,
                    fields.location(path),
                    dns_name(team) if team else None,
                    tier,
                    {dns_name(k): v for k, v in labels.items()},
                )
            )


def _read_slo(
    fields: Fields, path: PathKey, service: str, result: ImportResult
) -> dict[str, Any] | None:
    raw_name = fields.text((*path, "name")) or "slo"
    name = dns_name(raw_name)
    subject = f"{service}/{name}"
    where = fields.location(path)
    sli = _read_sli(fields, (*path, "sli"), subject, result)
    objective = fields.number((*path, "objective"))
    if sli is None or objective is None:
        return None
    slo: dict[str, Any] = {
        "name": name,
        "objective": objective,
        "window": SLOTH_WINDOW,
        "sli": sli,
    }
    description = fields.text((*path, "description"), required=False)
    if description:
        slo["description"] = description
    alerting = _read_alerting(fields, (*path, "alerting"), subject, result)
    if alerting:
        slo["alerting"] = alerting
    if name != raw_name:
        result.note(where, "approximated", subject, f"SLO name {raw_name!r} written as {name!r}")
    result.note(where, "imported", subject, f"objective {objective:g} over {SLOTH_WINDOW}")
    return slo


def _read_sli(
    fields: Fields, path: PathKey, subject: str, result: ImportResult
) -> dict[str, Any] | None:
    events = fields.mapping((*path, "events"))
    raw = fields.mapping((*path, "raw"))
    plugin = fields.mapping((*path, "plugin"))
    if events:
        error = fields.text(_key(fields, (*path, "events"), "error_query"))
        total = fields.text(_key(fields, (*path, "events"), "total_query"))
        if error is None or total is None:
            return None
        return ratio_from_error(sloth_window(error), sloth_window(total))
    if raw:
        ratio = fields.text(_key(fields, (*path, "raw"), "error_ratio_query"))
        if ratio is None:
            return None
        query = sloth_window(ratio).strip()
        result.note(
            fields.location((*path, "raw")),
            "approximated",
            subject,
            "raw SLI: obsc's 5m error ratio is the query's; a longer window is the mean of its "
            "5m ratios, where Sloth evaluates the query over the whole window",
        )
        return {"kind": "ratio", "good": f"1 - ({query})", "total": f"0 * ({query}) + 1"}
    if plugin:
        plugin_id = fields.get((*path, "plugin", "id"))
        result.note(
            fields.location((*path, "plugin")),
            "skipped",
            subject,
            f"plugin SLI {plugin_id!r}: its queries come from Go code in Sloth, not the spec",
        )
        return None
    fields.problem(path, "an SLI with events, raw or plugin")
    return None


def _read_alerting(
    fields: Fields, path: PathKey, subject: str, result: ImportResult
) -> dict[str, Any]:
    alerting: dict[str, Any] = {}
    where = fields.location(path)
    for sloth_tier, tier in (("page_alert", "page"), ("ticket_alert", "ticket")):
        key = _key(fields, path, sloth_tier)
        if fields.get((*key, "disable")) is True:
            alerting[tier] = {"enabled": False}
            result.note(fields.location(key), "imported", subject, f"{tier} alert disabled")
    name = fields.text((*path, "name"), required=False)
    kept = [
        part
        for part, present in (
            (f"alert name {name}", bool(name)),
            ("labels", bool(fields.mapping((*path, "labels")))),
            ("annotations", bool(fields.mapping((*path, "annotations")))),
            (
                "page alert labels",
                bool(fields.mapping((*_key(fields, path, "page_alert"), "labels"))),
            ),
            (
                "ticket alert labels",
                bool(fields.mapping((*_key(fields, path, "ticket_alert"), "labels"))),
            ),
        )
        if present
    ]
    if kept:
        result.note(
            where,
            "approximated",
            subject,
            "obsc names its alerts <Service><Slo>ErrorBudgetBurn and labels them service, team, "
            "slo and severity (page|ticket); not carried over: " + ", ".join(kept),
        )
    return alerting
