"""A live end-to-end run: the example estate's dev environment as a real system on loopback.

`obsc render --out DIR --set ...` renders dev once with the loopback settings (every
component on 127.0.0.1 and free ports, every Alertmanager receiver a webhook to this test);
the pinned real programs then run natively from those files: the collector build
`otelcol-obsc`, Prometheus 3.7.3, Alertmanager 0.28.1 and Loki 3.5.7, with a small real
Flask app playing `checkout` (tests/live/app/checkout.py), instrumented the way the
framework database says for flask.

Tempo cannot be built here (github.com/grafana/tempo is AGPL, not to be used on this
workplace): the trace backend is a stand-in, a second `otelcol-obsc` with an OTLP receiver
and the `file` exporter where the rendered collector sends traces. So the run shows spans
leaving the rendered collector over OTLP under the app's service name; the Tempo checks of
`obsc verify` are covered only by tests/verify with a fake Tempo API.

The tests share one running stack and run in order; the last two stop the app, then Loki.
The run has a hard overall limit (RUN_LIMIT) and every wait its own; every process is
stopped at the end, also on failure.

Alert timing: checkout's availability page rule has no `for:`, and burns at 14.4x the
budget over 5m and 1h (0.0144 for a 99.9% SLO). With 2 s scrape and evaluation intervals,
rate() over a 5m or 1h window holding only the last minute of data extrapolates from what
there is, so a burst of 50% errors crosses both windows within a few evaluations; the
payments page route's group_wait (30s, from specs/project.yaml) then delays the webhook.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.resolve.stack import DEFAULT_STACK
from tests.conftest import ROOT
from tests.live.app.pii import CARD, EMAIL, ORDER_TOKEN
from tests.live.processes import Deadline, get_json
from tests.live.stack import ENV, SERVICE, TEAM, LiveStack
from tests.live.traffic import Traffic
from tests.live.webhook import WebhookReceiver
from tests.realtools import PINS, release_version, require_tool

TOOLS = ("otelcol-obsc", "prometheus", "alertmanager", "loki")
RUN_LIMIT = 420.0  # seconds, the whole module; about 3 minutes is usual
PAGE_ALERT = "CheckoutAvailabilityErrorBudgetBurn"
PAGE_RECEIVER = "payments-pager"  # the first route of specs/project.yaml for team=payments pages


class Live:
    """The running stack, the webhook, the traffic, and figures for the report."""

    def __init__(self, stack: LiveStack, webhook: WebhookReceiver, traffic: Traffic) -> None:
        self.stack = stack
        self.webhook = webhook
        self.traffic = traffic
        self.deadline = stack.deadline
        self.figures: dict[str, float] = {}
        self.notes: dict[str, Any] = {}  # what verify reported, for the record

    def query(self, promql: str) -> list[dict[str, Any]]:
        answer = get_json(f"{self.stack.prometheus}/api/v1/query", {"query": promql})
        assert answer["status"] == "success", answer
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def verify(self, *extra: str) -> tuple[int, dict[str, Any], float]:
        """`obsc --output json verify` of dev against this stack: exit code, report, seconds."""
        s = self.stack
        argv = [sys.executable, "-m", "compiler.cli", "--repo", str(ROOT), "--output", "json"]
        argv += ["verify", "--env", ENV, "--rendered", str(s.out), "--service", SERVICE]
        argv += ["--prometheus", s.prometheus, "--alertmanager", s.alertmanager]
        argv += ["--loki", s.loki, "--collector", s.collector, *extra]
        started = time.monotonic()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=150, check=False)
        seconds = time.monotonic() - started
        try:
            report: dict[str, Any] = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"verify printed no JSON:\n{done.stdout}\n{done.stderr}") from None
        assert "Traceback" not in done.stderr, done.stderr
        # A usage error (exit 2, e.g. a stale rendered tree) has no checks: fail at once.
        assert "checks" in report, f"verify exited {done.returncode}: {report.get('error')}"
        return done.returncode, report, seconds


def _rule_errors(base: str) -> list[str]:
    """Rules whose last evaluation failed (Prometheus' or the Loki ruler's rules API): what
    promtool's static checks cannot see, such as duplicate label sets at run time."""
    groups = get_json(base)["data"]["groups"]
    return [
        f"{group['name']}/{rule['name']}: {rule.get('lastError')}"
        for group in groups
        for rule in group["rules"]
        if rule.get("health") == "err"
    ]


def _failures(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in report["checks"] if c["status"] == "fail"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tools = {name: require_tool(name) for name in TOOLS}
    deadline = Deadline(RUN_LIMIT)
    stack = LiveStack(tmp_path_factory.mktemp("live"), tools, deadline)
    with WebhookReceiver() as webhook:
        try:
            stack.render(webhook.url)
            stack.start()
            stack.start_app()
            with Traffic(f"{stack.app}/checkout") as traffic:
                run = Live(stack, webhook, traffic)
                yield run
        finally:
            stack.stop()
    # Figures for the record (shown with `pytest -s`): how long the run and verify took.
    figures = {"live run (s)": deadline.elapsed(), **run.figures}
    record = {"figures": figures, "notes": run.notes}
    (stack.work / "figures.json").write_text(json.dumps(record, indent=1))
    print(f"\nlive run figures: {json.dumps({k: round(v, 1) for k, v in figures.items()})}")
    print(f"live run notes: {json.dumps(run.notes)}")


def test_the_live_run_runs_what_the_example_stack_pins() -> None:
    project = YAML(typ="safe").load((ROOT / "specs" / "project.yaml").read_text())
    pinned = {name: pin["version"] for name, pin in project["spec"]["stack"].items()}
    assert release_version("prometheus") == pinned["prometheus"] == DEFAULT_STACK["prometheus"][1]
    assert release_version("alertmanager") == pinned["alertmanager"]
    assert release_version("loki") == pinned["loki"] == DEFAULT_STACK["loki"][1]
    assert PINS["otelcol-obsc"].removeprefix("v") == pinned["collector"]


@pytest.mark.slow
def test_healthy_traffic_pages_nobody(live: Live) -> None:
    ratio = f'slo:sli_error:ratio_rate5m{{service="{SERVICE}", slo="availability"}}'
    live.deadline.wait_for(
        "checkout's availability 5m error ratio in Prometheus",
        lambda: live.query(ratio),
        limit=90,
    )
    # Several evaluations of every rule group over healthy data, then: nothing pending or
    # firing for checkout, nothing in Alertmanager, nothing at the webhook.
    healthy_until = time.monotonic() + 10
    while time.monotonic() < healthy_until:
        assert live.query(f'ALERTS{{service="{SERVICE}", severity="page"}}') == []
        time.sleep(1)
    assert [float(s["value"][1]) for s in live.query(ratio)] == [0.0]
    assert _rule_errors(f"{live.stack.prometheus}/api/v1/rules") == []
    names = live.query(f'count by (__name__) ({{service="{SERVICE}"}})')
    live.notes["checkout's series in Prometheus"] = sorted(s["metric"]["__name__"] for s in names)
    alerts = get_json(f"{live.stack.alertmanager}/api/v2/alerts")
    assert [a for a in alerts if a["labels"].get("service") == SERVICE] == []
    assert live.webhook.notifications(service=SERVICE) == []
    assert live.traffic.answered.get(200, 0) > 100 and 500 not in live.traffic.answered


@pytest.mark.slow
def test_verify_probe_passes_on_the_healthy_stack(live: Live) -> None:
    code, report, seconds = live.verify("--probe")
    live.figures["verify --probe (healthy)"] = seconds
    assert (code, report["ok"]) == (0, True), json.dumps(_failures(report), indent=1)
    checked = {(c["subject"], c["check"]) for c in report["checks"] if c["status"] == "pass"}
    for signal in ("metrics", "slo-ratio", "logs"):
        assert (f"service/{SERVICE}", signal) in checked
    for probe in ("probe-logs", "probe-metrics"):
        assert ("probe", probe) in checked
    assert ("component/prometheus", "rules") in checked
    assert ("component/alertmanager", "config") in checked
    # No Tempo here (probe-traces is skipped): the probe's span must reach the stand-in.
    send = next(c for c in report["checks"] if c["check"] == "probe-send")
    probe_id = re.search(r"\bid (probe-[a-z]+)", send["detail"])
    assert probe_id, send

    def probe_span() -> dict[str, Any] | None:
        tagged = {"key": "obsc.probe.id", "value": {"stringValue": probe_id[1]}}
        return next((s for s in _spans(live, SERVICE) if tagged in s["attributes"]), None)

    span = live.deadline.wait_for("the probe's span at the trace backend", probe_span, limit=30)
    assert "[REDACTED]" in json.dumps(span["attributes"]), span["attributes"]


@pytest.mark.slow
def test_logs_reach_loki_with_the_pii_masked(live: Live) -> None:
    def lines() -> list[str] | None:
        now = time.time()
        answer = get_json(
            f"{live.stack.loki}/loki/api/v1/query_range",
            {
                "query": f'{{service_name="{SERVICE}"}} |= "payment"',
                "start": str(int((now - 600) * 1e9)),
                "end": str(int(now * 1e9)),
                "limit": "50",
            },
        )
        found = [v[1] for stream in answer["data"]["result"] for v in stream["values"]]
        return found

    found = live.deadline.wait_for("checkout's log lines in Loki", lines, limit=60)
    assert all("[REDACTED]" in line for line in found), found[:3]
    for planted in (EMAIL, CARD, CARD.replace(" ", ""), ORDER_TOKEN):
        assert not [line for line in found if planted in line], planted


def _spans(live: Live, service: str) -> list[dict[str, Any]]:
    """The spans of `service` the trace stand-in received so far."""
    name = {"key": "service.name", "value": {"stringValue": service}}
    return [
        span
        for resource in live.stack.traces()
        if name in resource["resource"]["attributes"]
        for scope in resource["scopeSpans"]
        for span in scope["spans"]
    ]


@pytest.mark.slow
def test_traces_reach_the_trace_backend_under_the_service_name(live: Live) -> None:
    found = live.deadline.wait_for(
        "checkout's spans at the trace backend", lambda: _spans(live, SERVICE), limit=60
    )
    assert any(span["kind"] == 2 and "/checkout" in span["name"] for span in found), found[:2]


@pytest.mark.slow
def test_an_error_burst_pages_the_payments_pager(live: Live) -> None:
    burst = time.monotonic()
    live.traffic.fail_every = 2  # 50% of the requests answer 500
    firing = f'ALERTS{{alertname="{PAGE_ALERT}", severity="page", alertstate="firing"}}'
    live.deadline.wait_for("the page alert firing in Prometheus", lambda: live.query(firing), 90)
    live.figures["burst to firing (s)"] = time.monotonic() - burst
    assert _rule_errors(f"{live.stack.prometheus}/api/v1/rules") == []
    assert _rule_errors(f"{live.stack.loki}/prometheus/api/v1/rules") == []
    pages = live.deadline.wait_for(
        "the page at the webhook",
        lambda: live.webhook.notifications(alertname=PAGE_ALERT, severity="page"),
        limit=90,
        every=1,
    )
    live.figures["burst to webhook (s)"] = time.monotonic() - burst
    receiver, status, labels = pages[0]
    assert (receiver, status) == (PAGE_RECEIVER, "firing")
    assert {k: labels[k] for k in ("service", "team", "slo", "severity")} == {
        "service": SERVICE,
        "team": TEAM,
        "slo": "availability",
        "severity": "page",
    }
    assert all(
        r == PAGE_RECEIVER for r, _, _ in live.webhook.notifications(severity="page", team=TEAM)
    )


@pytest.mark.slow
def test_verify_names_the_missing_signals_of_a_stopped_service(live: Live) -> None:
    live.stack.processes.stop("app")
    stopped = time.monotonic()

    def failing() -> tuple[int, dict[str, Any], float] | None:
        code, report, seconds = live.verify("--since", "10s")
        ours = [f for f in _failures(report) if f["subject"] == f"service/{SERVICE}"]
        return (
            (code, report, seconds) if {"metrics", "logs"} <= {f["check"] for f in ours} else None
        )

    code, report, seconds = live.deadline.wait_for(
        "verify to fail for the stopped checkout", failing, limit=90, every=2
    )
    live.figures["stop app to verify failing (s)"] = time.monotonic() - stopped
    live.figures["verify (stopped app)"] = seconds
    assert code == 5, json.dumps(report, indent=1)
    ours = [f for f in _failures(report) if f["subject"] == f"service/{SERVICE}"]
    live.notes["verify failures for the stopped app"] = ours
    live.notes["after the stop: up"] = live.query(f'up{{service="{SERVICE}"}}')
    live.notes["after the stop: flask_http_request_total"] = live.query(
        f'flask_http_request_total{{service="{SERVICE}"}}'
    )
    # metrics: its scrape target is down (up == 0), although series the SDK pushed linger
    assert {"metrics", "logs"} <= {f["check"] for f in ours}, ours
    metrics = next(f for f in ours if f["check"] == "metrics")
    assert "up == 0" in metrics["detail"], metrics
    assert all(f["detail"] for f in ours)
    components = [f for f in _failures(report) if f["subject"].startswith("component/")]
    assert components == [], components


@pytest.mark.slow
def test_verify_names_a_stopped_loki(live: Live) -> None:
    live.stack.processes.stop("loki")
    code, report, seconds = live.verify()
    live.figures["verify (stopped Loki)"] = seconds
    assert code == 4, json.dumps(report, indent=1)
    loki = [
        c
        for c in report["checks"]
        if c["subject"] == "component/loki" and c["check"] == "reachable"
    ]
    assert [c["status"] for c in loki] == ["fail"], loki
    assert live.stack.loki in loki[0]["endpoint"] or live.stack.loki in loki[0]["detail"]
