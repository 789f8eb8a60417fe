"""Checks of a logs SLI's LogQL queries: each parses, and each counts the service's own lines.

Loki labels a stream from OTLP with `service_name` (the `service.name` resource attribute);
a query that names no `service_name` (or `service`) matcher for the service counts every
service's lines, the LogQL twin of OBSC330 for ratio SLIs.
"""

from __future__ import annotations

from compiler.errors import DiagnosticSink
from compiler.spec.loader import Document, PathKey
from compiler.spec.logql import LogQLError, parse_log_query
from compiler.spec.models import LogsSLI
from compiler.spec.paths import spec_path

#: Stream labels that name the service in Loki (OTLP ingest, the collector's file logs).
SERVICE_LABELS = ("service_name", "service")


def check_logs_sli(
    sli: LogsSLI, service: str, doc: Document, base: PathKey, sink: DiagnosticSink
) -> None:
    """OBSC336 where a query is not a LogQL log query, OBSC337 where it is not the service's."""
    for field in ("total", "good", "bad"):
        query = getattr(sli, field)
        if query is None:
            continue
        path = (*base, field)
        location = doc.location(path)
        try:
            parsed = parse_log_query(query)
        except LogQLError as exc:
            sink.error(
                "OBSC336",
                f"logs SLI `{field}` is not a LogQL log query: {exc} (column {exc.column} "
                "of the query)",
                location,
                spec_path(doc, path),
                hint="write a stream selector and a pipeline, e.g. "
                '{service_name="checkout"} |= "payment" | json | status >= 500',
            )
            continue
        if not any(
            label in SERVICE_LABELS and op == "=" and value == service
            for label, op, value in parsed.matchers
        ):
            sink.warning(
                "OBSC337",
                f"logs SLI `{field}` does not select service {service!r}'s streams: no "
                f'service_name="{service}" matcher, so it counts every matching line',
                location,
                spec_path(doc, path),
                hint=f'add service_name="{service}" to the stream selector',
            )
