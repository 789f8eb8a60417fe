"""`--probe`: one tagged log record, span and metric point through the collector.

Each carries a unique probe id and, for a service with a redaction policy, a planted value
of one of the policy's patterns. The probe then polls Loki, Tempo and Prometheus until
each signal arrives, and checks that the planted value arrived masked. The trace id's
low 56 bits are all set, so the collector's consistent-probability sampler keeps the span
at any sampling rate above zero.
"""

from __future__ import annotations

import functools
import json
import secrets
import string
import time
from typing import Any

from compiler.verify.http import Client
from compiler.verify.loki import log_lines, stream_selector
from compiler.verify.promql import instant_query, selector
from compiler.verify.results import Check, Verdict, failed, fixed, passed, skipped
from compiler.verify.scope import Scope, not_configured
from compiler.verify.tempo import find_trace

SUBJECT = "probe"
SEND = (SUBJECT, "probe-send")
PATIENCE = 60.0  # seconds the probe waits for its signals even without --wait
METRIC = "obsc_verify_probe"
ID_ATTRIBUTE = "obsc.probe.id"
PII_ATTRIBUTE = "obsc.probe.pii"
# A value of each plantable pattern that the pattern's regex (docs/redaction.md) matches.
PLANTABLE = (
    ("email", "obsc.probe@example.com"),
    ("ipv4", "192.0.2.44"),
    ("ssn", "123-45-6789"),
    ("phone", "+14155552671"),
    ("credit_card", "4111 1111 1111 1111"),
)


def probe_checks(scope: Scope, chosen: tuple[str, ...]) -> list[Check]:
    """The probe's checks: probe-send, then probe-logs, probe-traces and probe-metrics."""
    collector = scope.clients.get("collector")
    if collector is None:
        return [fixed(SUBJECT, "probe-send", "", skipped(not_configured("collector")))]
    service = _choose(scope, chosen)
    probe = Probe(service, _planted(scope, service))
    checks = [Check(*SEND, collector.url("/v1/"), lambda: probe.send(collector))]
    for component, name, poll in (
        ("loki", "probe-logs", probe.logs),
        ("tempo", "probe-traces", probe.traces),
        ("prometheus", "probe-metrics", probe.metrics),
    ):
        client = scope.clients.get(component)
        if client is None:
            checks.append(fixed(SUBJECT, name, "", skipped(not_configured(component))))
        else:
            run = functools.partial(poll, client)
            checks.append(Check(SUBJECT, name, client.base_url, run, SEND, PATIENCE))
    return checks


class Probe:
    """The probe's identity and what it planted; `sent_at` once the collector took it."""

    def __init__(self, service: str, planted: tuple[str, str, str] | None) -> None:
        self.service = service
        self.planted = planted  # (pattern, value, policy)
        self.id = "probe-" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(16))
        self.trace_id = secrets.token_hex(9) + "ff" * 7
        self.span_id = secrets.token_hex(8)
        self.sent_at: float | None = None

    def send(self, collector: Client) -> Verdict:
        """POST the log record, span and metric point to the collector's OTLP/HTTP."""
        now = time.time()
        for path, document in (
            ("/v1/logs", self._logs(now)),
            ("/v1/traces", self._traces(now)),
            ("/v1/metrics", self._metrics(now)),
        ):
            answer = collector.post_json(path, document)
            rejected = _rejected(answer.body)
            if rejected:
                return failed(f"the collector rejected the probe at {path}: {rejected}")
        self.sent_at = now
        what = f", planted {self.planted[0]}" if self.planted else ""
        return passed(f"sent as service {self.service!r}, id {self.id}{what}")

    def logs(self, loki: Client) -> Verdict:
        """The probe's log line in Loki, with the planted value masked."""
        sent = self.sent_at or time.time()
        query = f'{stream_selector(self.service)} |= "{self.id}"'
        lines = log_lines(loki, query, sent - 300, time.time() + 60, 5)
        if not lines:
            return failed(f"the probe's log line has not arrived in Loki ({query})")
        return self._masked(lines, "log line", "Loki")

    def traces(self, tempo: Client) -> Verdict:
        """The probe's span in Tempo, with the planted value masked."""
        answer = find_trace(tempo, self.trace_id)
        if answer is None:
            return failed(f"trace {self.trace_id} has not arrived in Tempo")
        return self._masked([answer.text], "span", "Tempo")

    def metrics(self, prometheus: Client) -> Verdict:
        """The probe's metric point in Prometheus."""
        query = METRIC + selector({"obsc_probe_id": self.id})
        if instant_query(prometheus, query):
            return passed(f"{query} arrived{self._after()}")
        return failed(f"{query} has not arrived in Prometheus")

    def _masked(self, texts: list[str], what: str, where: str) -> Verdict:
        if self.planted is None:
            return passed(f"the probe's {what} arrived{self._after()} (no PII planted)")
        pattern, value, policy = self.planted
        if any(value in text for text in texts):
            return failed(
                f"the probe's {what} arrived in {where} with the planted {pattern} value "
                f"UNMASKED: redaction policy {policy} is not applied",
                retry=False,
            )
        return passed(f"the probe's {what} arrived{self._after()}, planted {pattern} masked")

    def _after(self) -> str:
        return "" if self.sent_at is None else f" after {time.time() - self.sent_at:.1f} s"

    def _resource(self) -> dict[str, Any]:
        return {"attributes": [_attribute("service.name", self.service)]}

    def _attributes(self) -> list[dict[str, Any]]:
        found = [_attribute(ID_ATTRIBUTE, self.id)]
        if self.planted:
            found.append(_attribute(PII_ATTRIBUTE, self.planted[1]))
        return found

    def _logs(self, now: float) -> dict[str, Any]:
        pii = f": planted {self.planted[0]} {self.planted[1]}" if self.planted else ""
        record = {
            "timeUnixNano": str(int(now * 1e9)),
            "observedTimeUnixNano": str(int(now * 1e9)),
            "severityNumber": 9,
            "severityText": "INFO",
            "body": {"stringValue": f"obsc verify probe {self.id}{pii}"},
            "attributes": self._attributes(),
        }
        scope = {"scope": {"name": "obsc-verify"}, "logRecords": [record]}
        return {"resourceLogs": [{"resource": self._resource(), "scopeLogs": [scope]}]}

    def _traces(self, now: float) -> dict[str, Any]:
        span = {
            "traceId": self.trace_id,
            "spanId": self.span_id,
            "name": "obsc-verify-probe",
            "kind": 1,
            "startTimeUnixNano": str(int((now - 0.01) * 1e9)),
            "endTimeUnixNano": str(int(now * 1e9)),
            "attributes": self._attributes(),
        }
        scope = {"scope": {"name": "obsc-verify"}, "spans": [span]}
        return {"resourceSpans": [{"resource": self._resource(), "scopeSpans": [scope]}]}

    def _metrics(self, now: float) -> dict[str, Any]:
        point = {
            "timeUnixNano": str(int(now * 1e9)),
            "asDouble": 1.0,
            "attributes": [_attribute(ID_ATTRIBUTE, self.id)],
        }
        metric = {"name": METRIC, "gauge": {"dataPoints": [point]}}
        scope = {"scope": {"name": "obsc-verify"}, "metrics": [metric]}
        return {"resourceMetrics": [{"resource": self._resource(), "scopeMetrics": [scope]}]}


def _attribute(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def _rejected(body: bytes) -> str:
    """The collector's partial-success message when it rejected items, else ''."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return ""
    partial = data.get("partialSuccess") if isinstance(data, dict) else None
    if not isinstance(partial, dict):
        return ""
    counts = {k: v for k, v in partial.items() if k.startswith("rejected") and int(v or 0) > 0}
    return f"{counts} {partial.get('errorMessage', '')}".strip() if counts else ""


def _choose(scope: Scope, chosen: tuple[str, ...]) -> str:
    """`--service`'s first, else the first application whose policy has a plantable pattern."""
    if chosen:
        return chosen[0]
    candidates = [s for s in scope.expected.services if _planted(scope, s.name) is not None]
    applications = [s for s in candidates if s.service.category == "application"]
    pick = applications or candidates or list(scope.expected.services)
    return pick[0].name


def _planted(scope: Scope, service: str) -> tuple[str, str, str] | None:
    model = scope.expected.model
    resolved = model.service(service)
    if resolved is None or resolved.redaction is None:
        return None
    policy = next((p for p in model.redaction_policies if p.name == resolved.redaction), None)
    if policy is None:
        return None
    for pattern, value in PLANTABLE:
        if pattern in policy.patterns:
            return pattern, value, policy.name
    return None
