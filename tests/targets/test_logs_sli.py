"""Log-based SLIs (`sli: {kind: logs}`): LogQL checked at validate time, Loki recording rules
checked by lokitool, the SLO rules by promtool, and the whole path shown on real log lines:
lines pushed to a real Loki, counted by its ruler, remote-written to a real Prometheus, and
evaluated there into the SLO's error ratio.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.errors import SpecError
from compiler.output.canonical import dump_yaml
from compiler.pipeline import load_estate
from compiler.spec.logql import LogQLError, parse_log_query
from targets.alerts import render_alerts
from targets.compose.backends import loki_config
from targets.compose.settings import loki_overrides, parse_settings
from tests.collector.collector_run import free_ports
from tests.kube import write_tree
from tests.live.processes import Deadline, Processes, get_json, post_json
from tests.realtools import Tool
from tests.targets.promtool import promtool

TOTAL = '{service_name="api"} | json | event="callback"'
BAD = '{service_name="api"} | json | event="callback" | level="error"'
SLO = f"""\
    - name: callbacks
      objective: 99
      window: 7d
      sli:
        kind: logs
        total: '{TOTAL}'
        bad: '{BAD}'
"""


def _repo(minimal_repo: Path, slo: str = SLO) -> Path:
    service = minimal_repo / "specs" / "services" / "api.yaml"
    service.write_text(service.read_text().replace("  environments:\n", slo + "  environments:\n"))
    return minimal_repo


@pytest.mark.parametrize(
    "query",
    [
        '{service_name="api"}',
        '{service_name="api", level!="debug"} |= "callback" != "health" |~ `5\\d\\d`',
        '{service_name="api"} | json | status >= 500 and method="POST"',
        '{service_name="api"} | logfmt | duration > 250ms or status=~"5.."',
        '{service_name="api"} | json event="evt", code | line_format "{{.event}}" | keep event',
        '{service_name="api"} | pattern "<ip> - <_>" | ip != "10.0.0.1"',
    ],
)
def test_log_queries_loki_accepts_parse(query: str) -> None:
    assert parse_log_query(query).matchers[0] == ("service_name", "=", "api")


@pytest.mark.parametrize(
    ("query", "column", "says"),
    [
        ('sum(count_over_time({service_name="api"}[5m]))', 1, "metric query"),
        ('service_name="api"', 1, "stream selector"),
        ('{service_name="api"', 20, "ends"),
        ('{service_name=="api"}', 14, "matcher operator"),
        ('{service_name="api"} |= error', 25, "quoted string"),
        ('{service_name="api"} | status >= ', 34, "ends"),
        ('{service_name="api"} | json |', 30, "ends after"),
        ("{}", 1, "at least one matcher"),
    ],
)
def test_a_bad_log_query_is_named_at_its_column(query: str, column: int, says: str) -> None:
    with pytest.raises(LogQLError) as caught:
        parse_log_query(query)
    assert caught.value.column == column, str(caught.value)
    assert says in str(caught.value)


def test_validate_reports_a_bad_query_at_its_line(minimal_repo: Path) -> None:
    repo = _repo(minimal_repo, SLO.replace('| level="error"', '| level=="error" |'))
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    found = [d for d in caught.value.diagnostics if d.code == "OBSC336"]
    assert len(found) == 1 and "`bad`" in found[0].message
    lines = (repo / "specs" / "services" / "api.yaml").read_text().splitlines()
    assert lines[found[0].location.line - 1].strip().startswith("bad:")


def test_a_query_of_another_service_is_a_warning(minimal_repo: Path) -> None:
    repo = _repo(
        minimal_repo,
        SLO.replace(
            'service_name="api"} | json | event="callback"\'',
            'app="shop"} | json | event="callback"\'',
        ),
    )
    estate = load_estate(repo)
    codes = [d.code for d in estate.warnings if d.code == "OBSC337"]
    assert codes == ["OBSC337"]


def test_good_and_bad_together_are_refused(minimal_repo: Path) -> None:
    repo = _repo(minimal_repo, SLO + f"        good: '{TOTAL}'\n")
    with pytest.raises(SpecError) as caught:
        load_estate(repo)
    assert any("either `good` or `bad`" in d.message for d in caught.value.diagnostics)


def test_loki_records_each_minutes_counts_and_prometheus_reads_them(minimal_repo: Path) -> None:
    model = load_estate(_repo(minimal_repo)).resolved.environments["prod"]
    files = render_alerts(model)
    groups = YAML(typ="safe").load(files["loki/rules.yaml"])["groups"]
    counts = next(g for g in groups if g["name"] == "obsc-slo-logs-api")
    assert counts["interval"] == "1m"
    assert [r["labels"]["events"] for r in counts["rules"]] == ["total", "bad"]
    assert counts["rules"][1]["expr"] == f"sum(count_over_time({BAD} [1m])) or vector(0)"
    rules = files["rules/api.rules.yaml"].decode()
    assert 'slo:log_events:count1m{service="api", slo="callbacks", events="bad"}[5m]' in rules


def test_lokitool_and_promtool_accept_the_rules_and_tests(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    files = render_alerts(load_estate(_repo(minimal_repo)).resolved.environments["prod"])
    root = tmp_path / "alerts"
    write_tree(files, root)
    done = subprocess.run(
        [str(real_tool("lokitool")), "rules", "check", "--strict", str(root / "loki/rules.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = promtool(real_tool, "test", "rules", "api.test.yaml", cwd=root / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "api callbacks:" in (root / "tests" / "api.test.yaml").read_text()


def _push(loki: str, lines: list[dict[str, str]]) -> None:
    start = time.time_ns()
    values = [[str(start + i), json.dumps(line)] for i, line in enumerate(lines)]
    body = {"streams": [{"stream": {"service_name": "api"}, "values": values}]}
    post_json(f"{loki}/loki/api/v1/push", body)


def _value(prometheus: str, query: str) -> float | None:
    result: list[dict[str, Any]] = get_json(f"{prometheus}/api/v1/query", {"query": query})["data"][
        "result"
    ]
    return float(result[0]["value"][1]) if result else None


@pytest.mark.slow
def test_real_log_lines_become_the_slos_error_ratio_in_prometheus(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    """20 of 100 callback lines are errors: the SLI Prometheus evaluates is 0.2.

    The Loki group's 1m interval becomes 5s so the test takes seconds: each sample still
    counts the last minute's lines, and the SLI is a ratio of means over the same samples.
    """
    model = load_estate(_repo(minimal_repo)).resolved.environments["prod"]
    files = render_alerts(model)
    rules_dir = tmp_path / "loki-rules" / "fake"  # the tenant of a Loki without auth
    rules_dir.mkdir(parents=True)
    loki_rules = files["loki/rules.yaml"].decode().replace("interval: '1m'", "interval: '5s'")
    loki_rules = loki_rules.replace("interval: 1m", "interval: 5s")
    (rules_dir / "rules.yaml").write_text(loki_rules)
    (tmp_path / "api.rules.yaml").write_bytes(files["rules/api.rules.yaml"])

    loki_port, grpc_port, prom_port = free_ports(3)
    prometheus = f"http://127.0.0.1:{prom_port}"
    loki = f"http://127.0.0.1:{loki_port}"
    settings = parse_settings(
        {
            "loki": f"127.0.0.1:{loki_port}",
            "lokiGrpc": f"127.0.0.1:{grpc_port}",
            "lokiDir": str(tmp_path / "loki"),
            "lokiRulesDir": str(tmp_path / "loki-rules"),
            "prometheus": f"127.0.0.1:{prom_port}",
            "alertmanager": "127.0.0.1:1",
        }
    )
    config = loki_overrides(loki_config("24h", records=True), settings)
    (tmp_path / "loki.yaml").write_bytes(dump_yaml(config))
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 5s, evaluation_interval: 5s}\n"
        f"rule_files: [{tmp_path / 'api.rules.yaml'}]\n"
    )
    (tmp_path / "logs").mkdir()
    run = Processes(tmp_path / "logs")
    deadline = Deadline(180)
    try:
        run.start(
            "prometheus",
            [
                str(real_tool("prometheus")),
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'prom'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
                "--web.enable-remote-write-receiver",
            ],
        )
        run.start("loki", [str(real_tool("loki")), f"-config.file={tmp_path / 'loki.yaml'}"])
        run.wait_ready("prometheus", f"{prometheus}/-/ready", deadline, 60)
        run.wait_ready("loki", f"{loki}/ready", deadline, 90)
        lines = [{"event": "callback", "level": "info"}] * 80
        lines += [{"event": "callback", "level": "error"}] * 20
        lines += [{"event": "health", "level": "error"}] * 50  # not a callback: not counted
        _push(loki, [{**line, "n": str(i)} for i, line in enumerate(lines)])
        ratio = 'slo:sli_error:ratio_rate5m{service="api", slo="callbacks"}'
        value = deadline.wait_for(
            "the SLI's error ratio in Prometheus",
            lambda: (v := _value(prometheus, ratio)) is not None and v > 0 and v,
            limit=150,
            every=2,
        )
        assert abs(value - 0.2) < 0.01, value
        recorded = _value(prometheus, 'max_over_time(slo:log_events:count1m{events="total"}[5m])')
        assert recorded == 100
    finally:
        run.stop_all()
