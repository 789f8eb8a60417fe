"""The collector's health: no export failures, no refused data, no full queues.

Read from the collector's own metrics: through Prometheus (increases over `--since`;
the compose stack scrapes the collector as job `otel-collector`), or straight from its
/metrics (`--collector-metrics`), where the counters are totals since it started.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from compiler.verify.durations import format_duration
from compiler.verify.http import Client
from compiler.verify.promql import instant_query
from compiler.verify.results import Check, Verdict, failed, fixed, passed, skipped
from compiler.verify.scope import Scope, component_subject, not_configured, on_component

SUBJECT = component_subject("collector")
# Counter families (without the `_total` suffix some versions add) and the label naming
# the pipeline component, with what a non-zero value means.
PROBLEMS = (
    ("otelcol_exporter_send_failed_", "exporter", "failed to export"),
    ("otelcol_exporter_enqueue_failed_", "exporter", "dropped on a full sending queue"),
    ("otelcol_receiver_refused_", "receiver", "refused"),
    ("otelcol_processor_refused_", "processor", "refused"),
)
TEXT_FORMAT = "text/plain;version=0.0.4"  # Prometheus' text format, not OpenMetrics or protobuf
_LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


def checks(scope: Scope) -> list[Check]:
    """The checks: exports."""
    direct = scope.clients.get("collector_metrics")
    if direct is not None:
        return [Check(SUBJECT, "exports", direct.base_url, lambda: _from_own_metrics(direct))]
    if "prometheus" not in scope.clients:
        return [fixed(SUBJECT, "exports", "", skipped(not_configured("collector_metrics")))]
    scraped = scope.expected.collector_scraped
    return [
        on_component(
            scope,
            "prometheus",
            SUBJECT,
            "exports",
            lambda c: _from_prometheus(c, scope.since, scraped),
        )
    ]


def _from_prometheus(client: Client, since: float, scraped: bool) -> Verdict:
    present = instant_query(client, 'count({__name__=~"otelcol_.+"})')
    if not present:
        why = "no otelcol_* series in Prometheus"
        if scraped:
            return failed(f"{why}: the collector's own metrics (job otel-collector) do not arrive")
        return skipped(
            f"{why} (this environment's Prometheus does not scrape the collector); "
            "pass --collector-metrics URL to read them from the collector"
        )
    window = format_duration(since)
    found: list[str] = []
    for family, label, meaning in PROBLEMS:
        # One counter at a time: increase() drops the name, so over a regex of names (refused
        # log records, spans, metric points) it would return one label set several times,
        # which Prometheus refuses ("vector cannot contain metrics with the same labelset").
        names = instant_query(client, f'group by (__name__) ({{__name__=~"{family}.+"}})')
        for name in sorted({labels.get("__name__", "") for labels, _ in names} - {""}):
            query = f"sum by ({label}) (increase({name}[{window}])) > 0"
            found.extend(
                f"{labels.get(label, '?')} {meaning} {value:g} items"
                for labels, value in instant_query(client, query)
            )
    if found:
        return failed(f"in the last {window}: " + "; ".join(sorted(found)))
    return passed(f"no export failures or refused data in the last {window}")


def _from_own_metrics(client: Client) -> Verdict:
    totals: dict[str, float] = {}
    text = client.get("/metrics", accept=TEXT_FORMAT).text
    for name, labels, value in parse_exposition(text.splitlines()):
        for family, label, meaning in PROBLEMS:
            if name.startswith(family) and value > 0:
                key = f"{labels.get(label, '?')} {meaning}"
                totals[key] = totals.get(key, 0.0) + value
    if totals:
        shown = "; ".join(f"{key} {value:g} items" for key, value in sorted(totals.items()))
        return failed(f"since the collector started: {shown}")
    return passed("no export failures or refused data since the collector started")


def parse_exposition(lines: Iterable[str]) -> Iterable[tuple[str, dict[str, str], float]]:
    """(name, labels, value) of each sample line of Prometheus' text format."""
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "{" in line:
            name, rest = line.split("{", 1)
            label_text, _, after = rest.rpartition("}")
        else:
            name, _, after = line.partition(" ")
            label_text = ""
        fields = after.split()
        if not fields:
            continue
        try:
            value = float(fields[0])
        except ValueError:
            continue
        yield name.strip(), dict(_LABEL.findall(label_text)), value
