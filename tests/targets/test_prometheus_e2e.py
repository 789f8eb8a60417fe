"""End to end: a real Prometheus evaluates the rendered SLO rules over backfilled traffic.

The checkout availability SLO of the example estate (99.9%) is fed two hours of exporter
counters, backfilled with `promtool tsdb create-blocks-from openmetrics`; Prometheus runs on
a loopback port with the rendered rule file. At 20x the error budget the page alert fires;
at 0.1x nothing of that SLO is pending or firing once every rule group has run repeatedly.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from compiler.pipeline import load_estate
from targets.alerts import render_alerts
from tests.collector.collector_run import free_ports
from tests.conftest import ROOT
from tests.realtools import Tool
from tests.verify.processes import running_binary

SERVICE, SLO, BUDGET = "checkout", "availability", 0.001
REQUESTS_PER_SECOND = 10.0


def _openmetrics(path: Path, burn: float) -> None:
    """Two hours of checkout request counters up to now, `burn` x budget of them failing.

    With burn 0 there is no error series at all, as an exporter has none before its first
    server error.
    """
    now = int(time.time()) - 5
    bad_rate = REQUESTS_PER_SECOND * BUDGET * burn
    lines = []
    for status, rate in (("200", REQUESTS_PER_SECOND - bad_rate), ("500", bad_rate)):
        if not rate:
            continue
        for step in range(0, 7200 + 1, 15):
            series = f'flask_http_request_total{{service="{SERVICE}",status="{status}"}}'
            lines.append(f"{series} {step * rate:.6f} {now - 7200 + step}")
    path.write_text("\n".join(lines) + "\n# EOF\n")


def _get(port: int, path: str, **params: str) -> Any:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}{query}", timeout=5) as response:
        return json.loads(response.read())


@contextmanager
def _prometheus(real_tool: Tool, workdir: Path, burn: float) -> Iterator[int]:
    rules = render_alerts(load_estate(ROOT).resolved.environments["prod"])
    (workdir / "checkout.rules.yaml").write_bytes(rules[f"rules/{SERVICE}.rules.yaml"])
    (workdir / "prometheus.yml").write_text(
        "global:\n  evaluation_interval: 1s\nrule_files:\n  - checkout.rules.yaml\n"
    )
    _openmetrics(workdir / "data.om", burn)
    subprocess.run(
        [
            str(real_tool("promtool")),
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            str(workdir / "data.om"),
            str(workdir / "tsdb"),
        ],
        check=True,
        capture_output=True,
    )
    (port,) = free_ports(1)
    command = [
        str(real_tool("prometheus")),
        f"--config.file={workdir / 'prometheus.yml'}",
        f"--storage.tsdb.path={workdir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    ready = f"http://127.0.0.1:{port}/-/ready"
    with running_binary(command, workdir / "prometheus.log", ready, limit=30, poll=0.2):
        yield port


def _alerts(port: int) -> list[dict[str, Any]]:
    selector = f'ALERTS{{service="{SERVICE}",slo="{SLO}"}}'
    return list(_get(port, "/api/v1/query", query=selector)["data"]["result"])


def _wait_for_evaluations(port: int, rounds: int) -> None:
    """Wait until every rule group has been evaluated `rounds` times after start."""
    started = time.time()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        groups = _get(port, "/api/v1/rules")["data"]["groups"]
        last = [g.get("lastEvaluation", "") for g in groups]
        if groups and all(stamp and not stamp.startswith("0001") for stamp in last):
            time.sleep(rounds * 1.0)
            return
        time.sleep(0.5)
    raise AssertionError(f"rule groups were not evaluated within 60 s (started {started})")


@pytest.mark.slow
def test_fast_burn_pages(real_tool: Tool, tmp_path: Path) -> None:
    with _prometheus(real_tool, tmp_path, burn=20) as port:
        deadline = time.monotonic() + 60
        firing: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not firing:
            firing = [
                a
                for a in _alerts(port)
                if a["metric"]["severity"] == "page" and a["metric"]["alertstate"] == "firing"
            ]
            time.sleep(0.5)
        assert firing, "the page alert did not fire at 20x the error budget"
        assert firing[0]["metric"]["alertname"] == "CheckoutAvailabilityErrorBudgetBurn"


@pytest.mark.slow
def test_budget_friendly_rate_raises_nothing(real_tool: Tool, tmp_path: Path) -> None:
    with _prometheus(real_tool, tmp_path, burn=0.1) as port:
        _wait_for_evaluations(port, rounds=5)
        ratio = _get(
            port,
            "/api/v1/query",
            query=f'slo:sli_error:ratio_rate1h{{sloth_id="{SERVICE}-{SLO}"}}',
        )["data"]["result"]
        assert ratio, "the SLI was not recorded: the test would prove nothing"
        assert float(ratio[0]["value"][1]) == pytest.approx(BUDGET * 0.1, rel=0.05)
        assert _alerts(port) == []


@pytest.mark.slow
def test_healthy_service_has_an_sli_of_zero(real_tool: Tool, tmp_path: Path) -> None:
    """No server error since the series started: SLI, burn rate and budget are all there."""
    with _prometheus(real_tool, tmp_path, burn=0) as port:
        _wait_for_evaluations(port, rounds=5)
        values = {}
        for record in (
            "slo:sli_error:ratio_rate5m",
            "slo:sli_error:ratio_rate30d",
            "slo:current_burn_rate:ratio",
            "slo:period_error_budget_remaining:ratio",
        ):
            query = f'{record}{{sloth_id="{SERVICE}-{SLO}"}}'
            result = _get(port, "/api/v1/query", query=query)["data"]["result"]
            assert len(result) == 1, f"{record} is absent for a healthy service"
            values[record] = float(result[0]["value"][1])
        assert values == {
            "slo:sli_error:ratio_rate5m": 0.0,
            "slo:sli_error:ratio_rate30d": 0.0,
            "slo:current_burn_rate:ratio": 0.0,
            "slo:period_error_budget_remaining:ratio": 1.0,
        }
        assert _alerts(port) == []
