"""The rendered collector config, run in the real collector, really redacts.

The test renders tests/fixtures/redaction with the exporters swapped for files
(`--set collector.exporters=file:DIR`), runs the collector built by the tool harness on
loopback, sends it OTLP logs, spans and metrics and a container log file carrying the PII
corpus and its benign look-alikes in every place the redaction covers, and reads what the
collector exported:

- recall: no PII value survives anywhere (asserted 100%);
- false positives: look-alikes in text fields must arrive intact (asserted under 1%);
  in attribute values, where cards are masked without the Luhn check, the rate is
  reported, and exactly the by-design masks (card-shaped runs starting 2-6) are allowed;
- routing: a service with a lighter policy keeps what that policy does not mask, and a
  service the estate does not declare gets every policy;
- dropped attributes are gone; every datapoint carries `service`; team and environment
  are resource attributes.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from targets.collector.patterns import CARD_CANDIDATE
from tests.collector.collector_run import (
    Ports,
    attr,
    post_otlp,
    read_lines,
    render_for_run,
    resource,
    running_collector,
    wait_for,
)
from tests.collector.pii_corpus import Sample, benign_samples, embed, pii_samples
from tests.conftest import FIXTURES
from tests.realtools import require_tool

PER_KIND = 12
TEXT_PLACES = (
    "log.body",
    "file.message",
    "log.exception.message",
    "event.exception.message",
    "span.status.message",
)
ATTRIBUTE_PLACES = (
    "log.attributes.note",
    "span.attributes.note",
    "datapoint.attributes.note",
    "file.ctx.detail",
)
NANOS = "1700000000000000000"


Json = Any  # parsed OTLP JSON


@dataclass(frozen=True)
class Exported:
    """What the collector wrote, and what was sent."""

    logs: list[Json]
    traces: list[Json]
    metrics: list[Json]
    corpus: list[tuple[Sample, str]]
    routing_card: str
    collector_log: str

    def strings(self) -> set[str]:
        return {s for doc in (self.logs, self.traces, self.metrics) for s in _strings(doc)}


def _strings(node: Json) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _attributes(node: Json, key: str) -> Iterator[dict[str, Json]]:
    """Every OTLP attribute list under `key` anywhere in the document."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, list):
                yield {a["key"]: a["value"] for a in v}
            else:
                yield from _attributes(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _attributes(item, key)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """Render, run, send the corpus, and return what came out (and what went in)."""
    binary = require_tool("otelcol-obsc")
    base = tmp_path_factory.mktemp("redaction")
    repo = base / "repo"
    shutil.copytree(FIXTURES / "redaction", repo)
    out, logs = base / "exported", base / "logs"
    out.mkdir()
    logs.mkdir()
    log_file = logs / "payments-json.log"
    ports = Ports.pick()
    config = render_for_run(repo, base, ports, out, f"{logs}/*.log")

    rng = random.Random(7)
    pii = pii_samples(seed=1, per_kind=PER_KIND)
    benign = benign_samples(seed=2, per_kind=PER_KIND)
    corpus = [(s, embed(s, rng)) for s in pii + benign]

    records: list[Json] = []
    spans: list[Json] = []
    points: list[Json] = []
    lines: list[str] = []
    for i, (_sample, line) in enumerate(corpus):
        records.append(
            {
                "timeUnixNano": NANOS,
                "body": {"stringValue": line},
                "attributes": [
                    attr("note", line),
                    attr("exception.message", line),
                    attr("user.password", "hunter2"),
                    attr("sample", str(i)),
                ],
            }
        )
        spans.append(
            {
                "traceId": f"{i + 1:032x}",
                "spanId": f"{i + 1:016x}",
                "name": "checkout",
                "kind": 2,
                "startTimeUnixNano": NANOS,
                "endTimeUnixNano": NANOS,
                "attributes": [
                    attr("note", line),
                    attr("user.password", "hunter2"),
                    attr("sample", str(i)),
                ],
                "events": [
                    {
                        "name": "exception",
                        "timeUnixNano": NANOS,
                        "attributes": [attr("exception.message", line)],
                    }
                ],
                "status": {"code": 2, "message": line},
            }
        )
        points.append(
            {
                "asInt": "1",
                "timeUnixNano": NANOS,
                "attributes": [
                    attr("note", line),
                    attr("user.password", "hunter2"),
                    attr("sample", str(i)),
                ],
            }
        )
        app_line = json.dumps({"level": "info", "message": line, "ctx": {"detail": line}})
        lines.append(
            json.dumps(
                {
                    "log": app_line + "\n",
                    "stream": "stdout",
                    "time": "2026-11-23T10:00:00.000000000Z",
                    "attrs": {"com.docker.compose.service": "payments"},
                }
            )
        )
    # Not from the corpus: web's policy lets the card through by design.
    card, email = "4000 0566 5566 5556", "routing.check@example.org"
    routing_line = f"card {card} for {email}"

    with running_collector(binary, config, ports, base / "collector.log"):
        post_otlp(
            ports,
            "logs",
            {
                "resourceLogs": [
                    {"resource": resource("payments"), "scopeLogs": [{"logRecords": records}]},
                    {
                        "resource": resource("web"),
                        "scopeLogs": [
                            {
                                "logRecords": [
                                    {"timeUnixNano": NANOS, "body": {"stringValue": routing_line}}
                                ]
                            }
                        ],
                    },
                    {
                        "resource": resource("ghost"),
                        "scopeLogs": [
                            {
                                "logRecords": [
                                    {"timeUnixNano": NANOS, "body": {"stringValue": routing_line}}
                                ]
                            }
                        ],
                    },
                ]
            },
        )
        post_otlp(
            ports,
            "traces",
            {
                "resourceSpans": [
                    {"resource": resource("payments"), "scopeSpans": [{"spans": spans}]}
                ]
            },
        )
        # admin is a Laravel app: traces only, so the collector derives its HTTP metrics.
        server_span = {
            "traceId": "f" * 32,
            "spanId": "f" * 16,
            "name": "GET /orders",
            "kind": 2,
            "startTimeUnixNano": NANOS,
            "endTimeUnixNano": str(int(NANOS) + 30_000_000),
            "attributes": [{"key": "http.response.status_code", "value": {"intValue": "503"}}],
        }
        post_otlp(
            ports,
            "traces",
            {
                "resourceSpans": [
                    {"resource": resource("admin"), "scopeSpans": [{"spans": [server_span]}]}
                ]
            },
        )
        post_otlp(
            ports,
            "metrics",
            {
                "resourceMetrics": [
                    {
                        "resource": resource("payments"),
                        "scopeMetrics": [
                            {"metrics": [{"name": "pii_probe", "gauge": {"dataPoints": points}}]}
                        ],
                    }
                ]
            },
        )
        # A file that appears after the receiver's first poll is read from its start
        # (`start_at: end` applies to files present at start-up); the poll is every 200ms.
        time.sleep(1.0)
        log_file.write_text("\n".join(lines) + "\n")

        def complete() -> bool:
            logs_out = read_lines(out / "logs.json")
            bodies = [s for s in _strings(logs_out) if s == routing_line or "for <email>" in s]
            file_records = sum(
                1 for a in _attributes(logs_out, "attributes") if "log.file.path" in a
            )
            return (
                len(bodies) >= 2
                and file_records >= len(corpus)
                and len(list(_strings(read_lines(out / "traces.json")))) > len(corpus)
                and len(list(_strings(read_lines(out / "metrics.json")))) > len(corpus)
            )

        wait_for(complete, timeout=60)
        # The span_metrics connector flushes every 15 s.
        wait_for(
            lambda: (
                "http.server.request.duration" in set(_strings(read_lines(out / "metrics.json")))
            ),
            timeout=45,
        )

    return Exported(
        logs=read_lines(out / "logs.json"),
        traces=read_lines(out / "traces.json"),
        metrics=read_lines(out / "metrics.json"),
        corpus=corpus,
        routing_card=card,
        collector_log=(base / "collector.log").read_text(),
    )


def test_no_pii_survives(exported: Exported) -> None:
    strings = exported.strings()
    corpus = exported.corpus
    leaks = []
    checked = 0
    for sample, _line in corpus:
        if sample.kind not in PII_KINDS:
            continue
        checked += 1
        secret = sample.value.split(None, 1)[1] if sample.kind == "bearer_token" else sample.value
        if any(secret in s for s in strings):
            leaks.append(f"{sample.kind}: {sample.value}")
    print(f"\nrecall: {checked - len(leaks)}/{checked} PII samples masked everywhere")
    assert checked > 100
    assert not leaks, "PII survived:\n" + "\n".join(leaks)


PII_KINDS = {
    "credit_card",
    "ssn",
    "email",
    "phone",
    "ipv4",
    "ipv6",
    "jwt",
    "bearer_token",
    "aws_access_key",
    "iban",
    "order_token",
}


def _placements(exported: Exported) -> dict[str, set[str | None]]:
    """The exported strings per place a corpus line was put."""
    logs, traces, metrics = exported.logs, exported.traces, exported.metrics
    places: dict[str, set[str | None]] = {p: set() for p in TEXT_PLACES + ATTRIBUTE_PLACES}
    for attrs in _attributes(logs, "attributes"):
        if "log.file.path" in attrs or "note" not in attrs:
            continue
        places["log.attributes.note"].add(_text(attrs.get("note")))
        places["log.exception.message"].add(_text(attrs.get("exception.message")))
    for record in _records(logs, "resourceLogs", "scopeLogs", "logRecords"):
        body = record.get("body", {})
        if "stringValue" in body:
            places["log.body"].add(body["stringValue"])
        elif "kvlistValue" in body:
            fields = {
                kv["key"]: kv["value"].get("stringValue")
                for kv in body["kvlistValue"].get("values", [])
            }
            places["file.message"].add(fields.get("message"))
            places["file.ctx.detail"].add(fields.get("ctx.detail"))
    for span in _records(traces, "resourceSpans", "scopeSpans", "spans"):
        attrs = {a["key"]: a["value"] for a in span.get("attributes", [])}
        places["span.attributes.note"].add(attrs.get("note", {}).get("stringValue"))
        places["span.status.message"].add(span.get("status", {}).get("message"))
        for event in span.get("events", []):
            ev = {a["key"]: a["value"] for a in event.get("attributes", [])}
            places["event.exception.message"].add(
                ev.get("exception.message", {}).get("stringValue")
            )
    for attrs in _attributes(metrics, "attributes"):
        if "note" in attrs:
            places["datapoint.attributes.note"].add(attrs["note"].get("stringValue"))
    return places


def _text(value: Json) -> str | None:
    return value.get("stringValue") if isinstance(value, dict) else None


def _records(doc: Json, *path: str) -> Iterator[Json]:
    items: list[Json] = doc if isinstance(doc, list) else [doc]
    for key in path:
        items = [child for item in items for child in item.get(key, [])]
    yield from items


def test_look_alikes_survive_in_text_fields(exported: Exported) -> None:
    places = _placements(exported)
    corpus = exported.corpus
    benign = [(s, line) for s, line in corpus if s.kind not in PII_KINDS]
    assert len(benign) > 100
    missing = [
        f"{place}: {s.kind}: {line!r}"
        for s, line in benign
        for place in TEXT_PLACES
        if line not in places[place]
    ]
    total = len(benign) * len(TEXT_PLACES)
    rate = len(missing) / total
    print(f"\ntext fields: {len(missing)}/{total} look-alikes altered ({rate:.2%})")
    assert rate < 0.01, "\n".join(missing[:40])


def test_look_alikes_in_attribute_values(exported: Exported) -> None:
    """Attribute values get cards without Luhn: only card-shaped runs may be masked."""
    places = _placements(exported)
    corpus = exported.corpus
    benign = [(s, line) for s, line in corpus if s.kind not in PII_KINDS]
    card_shaped = re.compile(CARD_CANDIDATE, re.ASCII)
    altered, unexpected = 0, []
    for sample, line in benign:
        for place in ATTRIBUTE_PLACES:
            if line in places[place]:
                continue
            altered += 1
            if not card_shaped.search(line):
                unexpected.append(f"{place}: {sample.kind}: {line!r}")
    total = len(benign) * len(ATTRIBUTE_PLACES)
    print(
        f"\nattribute values: {altered}/{total} look-alikes masked ({altered / total:.2%}), "
        "all card-shaped"
        if not unexpected
        else ""
    )
    assert not unexpected, "\n".join(unexpected[:40])


def test_each_service_gets_its_own_policy(exported: Exported) -> None:
    card = exported.routing_card
    bodies = {}
    for block in exported.logs:
        for rl in block["resourceLogs"]:
            service = {a["key"]: a["value"] for a in rl["resource"]["attributes"]}["service.name"][
                "stringValue"
            ]
            for sl in rl["scopeLogs"]:
                for record in sl["logRecords"]:
                    body = record["body"].get("stringValue", "")
                    if body.startswith("card "):
                        bodies[service] = body
    # web's policy masks e-mail only, with its own replacement; the card stays.
    assert bodies["web"] == f"card {card} for <email>"
    # ghost is not in the estate: every policy applies (fail closed).
    assert bodies["ghost"] == "card [REDACTED] for <email>"


def test_dropped_attributes_and_identity(exported: Exported) -> None:
    strings = exported.strings()
    assert "hunter2" not in strings and "user.password" not in strings
    for attrs in _attributes(exported.metrics, "attributes"):
        if "note" in attrs:
            assert attrs["service"] == {"stringValue": "payments"}
    resources = list(
        _attributes(
            [rl["resource"] for b in exported.metrics for rl in b["resourceMetrics"]],
            "attributes",
        )
    )
    # metadata.team of the fixture; web may also report a failed scrape (`up`) by then.
    teams = {"payments": "payments", "admin": "storefront", "web": "storefront"}
    names = {r["service.name"]["stringValue"] for r in resources}
    assert {"payments", "admin"} <= names <= set(teams)
    for r in resources:
        team = teams[r["service.name"]["stringValue"]]
        assert r["service.namespace"] == {"stringValue": team}
        assert r["deployment.environment.name"] == {"stringValue": "dev"}


def test_no_statement_failed_at_run_time(exported: Exported) -> None:
    """OTTL errors are ignored per record (error_mode: ignore) but logged: there must be none."""
    problems = [
        line
        for line in exported.collector_log.splitlines()
        if ("\twarn\t" in line or "\terror\t" in line) and "Failed to scrape" not in line
    ]
    assert not problems, "\n".join(problems[:10])


def test_http_metrics_are_derived_from_laravel_server_spans(exported: Exported) -> None:
    """The SLI of a `source: spans` framework finds its series (docs/contracts.md)."""
    found = [
        metric
        for doc in exported.metrics
        for rm in doc["resourceMetrics"]
        for sm in rm["scopeMetrics"]
        for metric in sm["metrics"]
        if metric["name"] == "http.server.request.duration"
    ]
    assert found and found[0]["unit"] == "s"
    point = found[0]["histogram"]["dataPoints"][0]
    attrs = {a["key"]: a["value"] for a in point["attributes"]}
    assert attrs["service"] == {"stringValue": "admin"}
    assert attrs["http.response.status_code"] == {"intValue": "503"}
    assert point["count"] == "1"
    # Buckets are the framework database's (laravel: 5 ms ... 10 s).
    assert point["explicitBounds"][:2] == [0.005, 0.01]
