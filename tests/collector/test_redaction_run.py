"""The rendered collector config, run in the real collector, really redacts, everywhere.

The test renders tests/fixtures/redaction with the exporters swapped for files
(`--set collector.exporters=file:DIR`), runs the collector built by the tool harness on
loopback, and sends it the PII corpus and its benign look-alikes in every place a value can
carry text in OTLP and in container logs (PLACES): log bodies, severity text and event
names, log, span, span-event, datapoint, resource and scope attributes, list and nested-map
attribute values, span names and status messages, span-event names, metric descriptions,
integer attributes and the message and nested fields of a JSON container log line. Then it
reads what the collector exported and gates, per place:

- recall: no PII value survives (100%);
- false positives: at most 1% of the look-alikes are altered;

and checks that a service gets its own policy, that an undeclared service gets every
policy combined into one pass (a lighter policy's phone pattern does not eat a card's last
groups before the stricter card pattern sees it), that resource attributes on the
allow-list stay, and that dropped attributes are gone.

test_a_failing_statement_fails_closed runs a second collector whose redaction has one
statement that fails for one record: the batch is refused whole (nothing of it exported,
partly redacted or not) and counted in the collector's own metrics.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from targets.collector.redaction import MARKER
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
# Shapes the corpus does not hold: a credential after a tab, which a map's JSON (what the
# first look and the triggers search) writes as `\t`.
PII_EXTRAS = (Sample("bearer_token", "Bearer\tq7Zx9LmNp2Rt5Vw8Yb3Kd6"),)
NANOS = "1700000000000000000"
INT64_MAX = 2**63 - 1
# Places a corpus line is put, and the kinds of value each holds.
PLACES = (
    "log.body",
    "log.severity_text",
    "log.event_name",
    "log.attributes.note",
    "log.attributes.exception.message",
    "log.attributes.list",
    "log.attributes.nested",
    "log.resource.note",
    "log.scope.note",
    "file.message",
    "file.ctx.detail",
    "span.name",
    "span.status.message",
    "span.attributes.note",
    "span.attributes.list",
    "span.resource.note",
    "event.name",
    "event.exception.message",
    "metric.description",
    "datapoint.attributes.note",
    "datapoint.scope.note",
)
# Places holding a number: card numbers and card-shaped look-alikes as integer attributes.
INT_PLACES = ("log.attributes.num", "span.attributes.num")
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
POD_IP = "10.1.2.3"  # k8s.pod.ip is on the allow-list: kept, though ipv4 would match it

Json = Any  # parsed OTLP JSON


def _kv(key: str, value: Json) -> dict[str, Json]:
    return {"key": key, "value": value}


def _int(number: int) -> dict[str, str]:
    return {"intValue": str(number)}


def _number(sample: Sample) -> int | None:
    """A card number or card-shaped look-alike as an integer attribute value, if it fits."""
    if sample.kind not in ("credit_card", "digit_run"):
        return None
    digits = re.sub("[ -]", "", sample.value)
    return int(digits) if int(digits) <= INT64_MAX else None


def _resource(i: int, line: str, service: str = "payments") -> dict[str, Json]:
    res: dict[str, Json] = resource(service)
    res["attributes"] += [attr("k8s.pod.ip", POD_IP), attr("note", line), attr("sample", str(i))]
    return res


def _scope(i: int, line: str) -> dict[str, Json]:
    return {"name": "corpus", "attributes": [attr("note", line), attr("sample", str(i))]}


def _shaped(i: int, line: str, number: int | None) -> list[dict[str, Json]]:
    """Attributes every record and span carries: a list, a nested map, maybe a number."""
    out = [
        attr("note", line),
        attr("user.password", "hunter2"),
        attr("sample", str(i)),
        _kv("list", {"arrayValue": {"values": [{"stringValue": "GET"}, {"stringValue": line}]}}),
        _kv("nested", {"kvlistValue": {"values": [_kv("inner", {"stringValue": line})]}}),
    ]
    if number is not None:
        out.append(_kv("num", _int(number)))
    return out


def _logs(corpus: list[tuple[Sample, str]]) -> dict[str, Json]:
    entries = []
    for i, (sample, line) in enumerate(corpus):
        record = {
            "timeUnixNano": NANOS,
            "severityText": line,
            "eventName": line,
            "body": {"stringValue": line},
            "attributes": [*_shaped(i, line, _number(sample)), attr("exception.message", line)],
        }
        entries.append(
            {
                "resource": _resource(i, line),
                "scopeLogs": [{"scope": _scope(i, line), "logRecords": [record]}],
            }
        )
    return {"resourceLogs": entries}


def _traces(corpus: list[tuple[Sample, str]]) -> dict[str, Json]:
    entries = []
    for i, (sample, line) in enumerate(corpus):
        span = {
            "traceId": f"{i + 1:032x}",
            "spanId": f"{i + 1:016x}",
            "name": line,
            "kind": 2,
            "startTimeUnixNano": NANOS,
            "endTimeUnixNano": NANOS,
            "attributes": _shaped(i, line, _number(sample)),
            "events": [
                {
                    "name": line,
                    "timeUnixNano": NANOS,
                    "attributes": [attr("exception.message", line)],
                }
            ],
            "status": {"code": 2, "message": line},
        }
        entries.append(
            {
                "resource": _resource(i, line),
                "scopeSpans": [{"scope": _scope(i, line), "spans": [span]}],
            }
        )
    return {"resourceSpans": entries}


def _metrics(corpus: list[tuple[Sample, str]]) -> dict[str, Json]:
    entries = []
    for i, (_sample, line) in enumerate(corpus):
        point = {
            "asInt": "1",
            "timeUnixNano": NANOS,
            "attributes": [
                attr("note", line),
                attr("user.password", "hunter2"),
                attr("sample", str(i)),
            ],
        }
        metric = {"name": f"pii_probe_{i}", "description": line, "gauge": {"dataPoints": [point]}}
        entries.append(
            {
                "resource": _resource(i, line),
                "scopeMetrics": [{"scope": _scope(i, line), "metrics": [metric]}],
            }
        )
    return {"resourceMetrics": entries}


def _file_lines(corpus: list[tuple[Sample, str]]) -> list[str]:
    lines = []
    for i, (_sample, line) in enumerate(corpus):
        app = {"level": "info", "message": line, "ctx": {"detail": line}, "sample": str(i)}
        lines.append(
            json.dumps(
                {
                    "log": json.dumps(app) + "\n",
                    "stream": "stdout",
                    "time": "2026-11-23T10:00:00.000000000Z",
                    "attrs": {"com.docker.compose.service": "payments"},
                }
            )
        )
    return lines


# --- what came out ---------------------------------------------------------------------


def _attrs(node: Json) -> dict[str, Json]:
    return {a["key"]: a["value"] for a in node.get("attributes", [])}


def _text(value: Json) -> str | None:
    """A string attribute value, or a number's decimal text (stringified or not)."""
    if not isinstance(value, dict):
        return None
    if "stringValue" in value:
        return str(value["stringValue"])
    if "intValue" in value:
        return str(value["intValue"])
    return None


def _list_item(attrs: dict[str, Json], key: str, index: int) -> str | None:
    """Item `index` of a list attribute, whether it arrived as a list or flattened."""
    if f"{key}.{index}" in attrs:
        return _text(attrs[f"{key}.{index}"])
    values = attrs.get(key, {}).get("arrayValue", {}).get("values", [])
    return _text(values[index]) if len(values) > index else None


def _nested(attrs: dict[str, Json], key: str, inner: str) -> str | None:
    """A nested map's value, whether it arrived nested or flattened."""
    if f"{key}.{inner}" in attrs:
        return _text(attrs[f"{key}.{inner}"])
    values = attrs.get(key, {}).get("kvlistValue", {}).get("values", [])
    return next((_text(kv["value"]) for kv in values if kv["key"] == inner), None)


Found = dict[tuple[str, int], str | None]


def _index(attrs: dict[str, Json]) -> int | None:
    text = _text(attrs.get("sample"))
    return int(text) if text is not None and text.isdigit() else None


def _from_logs(docs: list[Json], found: Found) -> None:
    for doc in docs:
        for rl in doc.get("resourceLogs", []):
            res = _attrs(rl["resource"])
            for sl in rl.get("scopeLogs", []):
                for record in sl.get("logRecords", []):
                    attrs = _attrs(record)
                    body = record.get("body", {})
                    if "log.file.path" in attrs:
                        fields = {
                            kv["key"]: kv["value"]
                            for kv in body.get("kvlistValue", {}).get("values", [])
                        }
                        i = _index(fields)
                        if i is not None:
                            found["file.message", i] = _text(fields.get("message"))
                            found["file.ctx.detail", i] = _text(fields.get("ctx.detail"))
                        continue
                    i = _index(attrs)
                    if i is None:
                        continue
                    found["log.body", i] = body.get("stringValue")
                    found["log.severity_text", i] = record.get("severityText")
                    found["log.event_name", i] = record.get("eventName")
                    found["log.attributes.note", i] = _text(attrs.get("note"))
                    found["log.attributes.exception.message", i] = _text(
                        attrs.get("exception.message")
                    )
                    found["log.attributes.list", i] = _list_item(attrs, "list", 1)
                    found["log.attributes.nested", i] = _nested(attrs, "nested", "inner")
                    found["log.attributes.num", i] = _text(attrs.get("num"))
                    found["log.resource.note", i] = _text(res.get("note"))
                    found["log.scope.note", i] = _text(_attrs(sl.get("scope", {})).get("note"))
                    found["log.resource.k8s.pod.ip", i] = _text(res.get("k8s.pod.ip"))


def _from_traces(docs: list[Json], found: Found) -> None:
    for doc in docs:
        for rs in doc.get("resourceSpans", []):
            res = _attrs(rs["resource"])
            for ss in rs.get("scopeSpans", []):
                for span in ss.get("spans", []):
                    attrs = _attrs(span)
                    i = _index(attrs)
                    if i is None:
                        continue
                    found["span.name", i] = span.get("name")
                    found["span.status.message", i] = span.get("status", {}).get("message")
                    found["span.attributes.note", i] = _text(attrs.get("note"))
                    found["span.attributes.list", i] = _list_item(attrs, "list", 1)
                    found["span.attributes.num", i] = _text(attrs.get("num"))
                    found["span.resource.note", i] = _text(res.get("note"))
                    for event in span.get("events", []):
                        found["event.name", i] = event.get("name")
                        found["event.exception.message", i] = _text(
                            _attrs(event).get("exception.message")
                        )


def _from_metrics(docs: list[Json], found: Found) -> None:
    for doc in docs:
        for rm in doc.get("resourceMetrics", []):
            for sm in rm.get("scopeMetrics", []):
                scope = _attrs(sm.get("scope", {}))
                for metric in sm.get("metrics", []):
                    for point in metric.get("gauge", {}).get("dataPoints", []):
                        attrs = _attrs(point)
                        i = _index(attrs)
                        if i is None:
                            continue
                        found["metric.description", i] = metric.get("description")
                        found["datapoint.attributes.note", i] = _text(attrs.get("note"))
                        found["datapoint.scope.note", i] = _text(scope.get("note"))


@dataclass(frozen=True)
class Exported:
    """What the collector wrote, and what was sent."""

    logs: list[Json]
    traces: list[Json]
    metrics: list[Json]
    corpus: list[tuple[Sample, str]]
    routing_card: str
    collector_log: str

    def found(self) -> Found:
        """The value that came out of each place, per corpus line."""
        found: Found = {}
        _from_logs(self.logs, found)
        _from_traces(self.traces, found)
        _from_metrics(self.metrics, found)
        return found


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


def _render(base: Path, ports: Ports, out: Path, logs: Path) -> Path:
    repo = base / "repo"
    shutil.copytree(FIXTURES / "redaction", repo)
    return render_for_run(repo, base, ports, out, f"{logs}/*.log")


def _service_logs(service: str, body: str) -> dict[str, Json]:
    return {
        "resource": resource(service),
        "scopeLogs": [{"logRecords": [{"timeUnixNano": NANOS, "body": {"stringValue": body}}]}],
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """Render, run, send the corpus, and return what came out (and what went in)."""
    binary = require_tool("otelcol-obsc")
    base = tmp_path_factory.mktemp("redaction")
    out, logs = base / "exported", base / "logs"
    out.mkdir()
    logs.mkdir()
    ports = Ports.pick()
    config = _render(base, ports, out, logs)

    rng = random.Random(7)
    pii = pii_samples(seed=1, per_kind=PER_KIND) + list(PII_EXTRAS)
    benign = benign_samples(seed=2, per_kind=PER_KIND)
    corpus = [(s, embed(s, rng)) for s in pii + benign]
    # Not from the corpus: web's policy has no card pattern (see test_policies_combine).
    card, email = "4000 0566 5566 5556", "routing.check@example.org"
    routing_line = f"card {card} for {email}"

    with running_collector(binary, config, ports, base / "collector.log"):
        post_otlp(ports, "logs", _logs(corpus))
        post_otlp(
            ports,
            "logs",
            {"resourceLogs": [_service_logs(s, routing_line) for s in ("web", "ghost")]},
        )
        post_otlp(ports, "traces", _traces(corpus))
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
        post_otlp(ports, "metrics", _metrics(corpus))
        # A file that appears after the receiver's first poll is read from its start
        # (`start_at: end` applies to files present at start-up); the poll is every 200ms.
        time.sleep(1.0)
        (logs / "payments-json.log").write_text("\n".join(_file_lines(corpus)) + "\n")

        def complete() -> bool:
            current = Exported(
                read_lines(out / "logs.json"),
                read_lines(out / "traces.json"),
                read_lines(out / "metrics.json"),
                corpus,
                card,
                "",
            )
            counts = Counter(place for place, _ in current.found())
            routed = sum(1 for s in _strings(current.logs) if s.startswith("card "))
            return routed >= 2 and all(counts[place] >= len(corpus) for place in PLACES)

        wait_for(complete, timeout=90)
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


def _secret(sample: Sample) -> list[str]:
    """What must not survive of a PII value: itself, and a card's digits."""
    if sample.kind == "bearer_token":
        return [sample.value.split(None, 1)[1]]
    if sample.kind == "credit_card":
        return [sample.value, re.sub("[ -]", "", sample.value)]
    return [sample.value]


def _per_place(
    exported: Exported, places: tuple[str, ...], changed: Callable[[Sample, str, str | None], bool]
) -> tuple[dict[str, list[str]], dict[str, int]]:
    found = exported.found()
    bad: dict[str, list[str]] = {p: [] for p in places}
    total = dict.fromkeys(places, 0)
    for i, (sample, line) in enumerate(exported.corpus):
        for place in places:
            if (place, i) not in found:
                continue
            total[place] += 1
            if changed(sample, line, found[place, i]):
                bad[place].append(f"{sample.kind}: {line!r} -> {found[place, i]!r}")
    return bad, total


def test_no_pii_survives_in_any_place(exported: Exported) -> None:
    def leaked(sample: Sample, _line: str, out: str | None) -> bool:
        return sample.kind in PII_KINDS and any(s in (out or "") for s in _secret(sample))

    leaks, total = _per_place(exported, PLACES, leaked)
    pii = sum(1 for s, _ in exported.corpus if s.kind in PII_KINDS)
    for place in PLACES:
        print(f"\n{place}: {pii - len(leaks[place])}/{pii} PII values masked", end="")
        assert total[place] == len(exported.corpus), f"{place}: not every line came out"
    assert not [v for v in leaks.values() if v], {p: v[:5] for p, v in leaks.items() if v}


def test_look_alikes_survive_in_every_place(exported: Exported) -> None:
    def altered(sample: Sample, line: str, out: str | None) -> bool:
        return sample.kind not in PII_KINDS and out != line

    wrong, _ = _per_place(exported, PLACES, altered)
    benign = sum(1 for s, _ in exported.corpus if s.kind not in PII_KINDS)
    for place in PLACES:
        rate = len(wrong[place]) / benign
        print(f"\n{place}: {len(wrong[place])}/{benign} look-alikes altered ({rate:.2%})", end="")
    assert all(len(w) / benign <= 0.01 for w in wrong.values()), {
        p: w[:5] for p, w in wrong.items() if w
    }


def test_integer_attributes_shaped_like_cards(exported: Exported) -> None:
    """Card numbers sent as integers are masked; card-shaped look-alikes keep their digits."""
    found = exported.found()
    checked = 0
    for i, (sample, _line) in enumerate(exported.corpus):
        number = _number(sample)
        if number is None:
            continue
        for place in INT_PLACES:
            checked += 1
            out = found.get((place, i))
            if sample.kind == "credit_card":
                assert out is not None and str(number) not in out, (place, sample, out)
            else:
                assert out == str(number), (place, sample, out)
    assert checked > 20


def test_allow_listed_resource_attributes_stay(exported: Exported) -> None:
    found = exported.found()
    ips = {v for (place, _), v in found.items() if place == "log.resource.k8s.pod.ip"}
    assert ips == {POD_IP}


def test_each_service_gets_its_own_policy_and_policies_combine(exported: Exported) -> None:
    card = exported.routing_card
    bodies = {}
    for block in exported.logs:
        for rl in block["resourceLogs"]:
            service = _attrs(rl["resource"])["service.name"]["stringValue"]
            for sl in rl["scopeLogs"]:
                for record in sl["logRecords"]:
                    body = record["body"].get("stringValue", "")
                    if body.startswith("card "):
                        bodies[service] = body
    # web's policy (email, phone; replacement <email>) has no card pattern: its phone
    # pattern takes the card's last three groups, as that policy asks.
    assert card.split()[0] == "4000"
    assert bodies["web"] == "card 4000 <email> for <email>"
    # ghost is not in the estate: both policies apply, combined into one pass where the
    # card pattern runs before the phone pattern, so no part of the card is left; their
    # replacement texts differ, so the default one is used.
    assert bodies["ghost"] == "card [REDACTED] for [REDACTED]"


def test_dropped_attributes_and_identity(exported: Exported) -> None:
    strings = set(_strings(exported.logs)) | set(_strings(exported.traces))
    strings |= set(_strings(exported.metrics))
    assert "hunter2" not in strings and "user.password" not in strings
    assert MARKER not in strings  # the first look's mark never leaves the processor
    for doc in exported.metrics:
        for rm in doc["resourceMetrics"]:
            res = _attrs(rm["resource"])
            team = {"payments": "payments", "admin": "storefront", "web": "storefront"}
            assert res["service.namespace"] == {
                "stringValue": team[_text(res["service.name"]) or ""]
            }
            assert res["deployment.environment.name"] == {"stringValue": "dev"}
            for sm in rm["scopeMetrics"]:
                for metric in sm["metrics"]:
                    for kind in ("gauge", "sum", "histogram"):
                        for point in metric.get(kind, {}).get("dataPoints", []):
                            assert _attrs(point)["service"] == res["service.name"]


def test_no_statement_failed_at_run_time(exported: Exported) -> None:
    """A failing statement refuses its batch (error_mode: propagate): there must be none."""
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
    attrs = _attrs(point)
    assert attrs["service"] == {"stringValue": "admin"}
    assert attrs["http.response.status_code"] == {"intValue": "503"}
    assert point["count"] == "1"
    # Buckets are the framework database's (laravel: 5 ms ... 10 s).
    assert point["explicitBounds"][:2] == [0.005, 0.01]


# --- fail closed -----------------------------------------------------------------------

BOOM = 'set(cache["boom"], ParseJSON("1")) where IsMatch(log.body, "boom")'


def _break_one_statement(config: Path) -> None:
    """Insert a statement that fails at run time for records whose body says `boom`."""
    doc = YAML(typ="safe").load(config.read_text())
    groups = doc["processors"]["transform/redact-pii-all"]["log_statements"]
    gated = next(g for g in groups if g["context"] == "log" and "conditions" in g)
    gated["statements"].insert(3, BOOM.replace("$", "$$"))
    with config.open("w") as stream:
        YAML(typ="safe").dump(doc, stream)


def _metric_sum(text: str, name: str, **labels: str) -> float:
    """The sum of a counter's series (exposed with or without the `_total` suffix)."""
    total = 0.0
    for line in text.splitlines():
        if not (line.startswith(name + "{") or line.startswith(name + "_total{")):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_a_failing_statement_fails_closed(tmp_path: Path) -> None:
    binary = require_tool("otelcol-obsc")
    out, logs = tmp_path / "exported", tmp_path / "logs"
    out.mkdir()
    logs.mkdir()
    ports = Ports.pick()
    config = _render(tmp_path, ports, out, logs)
    _break_one_statement(config)
    poisoned: dict[str, Json] = {
        "resourceLogs": [
            {
                "resource": resource("payments"),
                "scopeLogs": [
                    {
                        "logRecords": [
                            {"timeUnixNano": NANOS, "body": {"stringValue": body}}
                            for body in (
                                "boom for jane@example.com card 4111 1111 1111 1111",
                                "first mate@example.com of the poisoned batch",
                            )
                        ]
                    }
                ],
            }
        ]
    }
    with running_collector(binary, config, ports, tmp_path / "collector.log"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            post_otlp(ports, "logs", poisoned)
        assert refused.value.code >= 400
        post_otlp(
            ports,
            "logs",
            {"resourceLogs": [_service_logs("payments", "later li@example.com")]},
        )
        wait_for(lambda: bool(read_lines(out / "logs.json")))
        url = f"http://127.0.0.1:{ports.telemetry}/metrics"
        with urllib.request.urlopen(url, timeout=10) as response:
            telemetry = response.read().decode()
    strings = list(_strings(read_lines(out / "logs.json")))
    assert "later [REDACTED]" in strings
    # Nothing of the refused batch came out, redacted or not.
    assert not [s for s in strings if "boom" in s or "poisoned" in s], strings
    processor = "transform/redact-pii-all"
    incoming = _metric_sum(
        telemetry, "otelcol_processor_incoming_items", processor=processor, otel_signal="logs"
    )
    outgoing = _metric_sum(
        telemetry, "otelcol_processor_outgoing_items", processor=processor, otel_signal="logs"
    )
    assert incoming - outgoing == 2, [
        line for line in telemetry.splitlines() if "processor" in line or "refused" in line
    ]
    # The receiver counts the batch as not accepted: refused, or failed (the receiverhelper
    # feature gate that tells downstream refusals from failures decides which).
    lost = sum(
        _metric_sum(telemetry, f"otelcol_receiver_{kind}_log_records", receiver="otlp")
        for kind in ("refused", "failed")
    )
    assert lost == 2, [line for line in telemetry.splitlines() if "receiver_" in line]
