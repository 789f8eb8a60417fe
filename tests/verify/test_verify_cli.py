"""`obsc verify` against loopback fakes of the stack's APIs: each failure it reports."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from tests.collector.collector_run import free_ports
from tests.conftest import ObscRunner, Run
from tests.verify.fakes import FakeServer, Reply, prom_success, serving
from tests.verify.stack import FakeStack

CHECK_KEYS = {"subject", "check", "status", "detail", "endpoint"}


def run_verify(obsc: ObscRunner, repo: Path, *args: str) -> tuple[Run, dict[str, Any]]:
    result = obsc("--repo", repo, "--output", "json", "verify", "--env", "dev", *args)
    assert result.out, result.err
    return result, json.loads(result.out)


def check(data: dict[str, Any], subject: str, name: str) -> dict[str, str]:
    found: list[dict[str, str]] = [
        c for c in data["checks"] if c["subject"] == subject and c["check"] == name
    ]
    assert len(found) == 1, f"{subject} {name}: {found}"
    return found[0]


def test_a_healthy_stack_passes_with_the_json_shape(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    result, data = run_verify(obsc, repo, *stack.flags())
    assert result.code == 0, result.out
    assert set(data) == {"environment", "ok", "exitCode", "durationSeconds", "checks"}
    assert (data["environment"], data["ok"], data["exitCode"]) == ("dev", True, 0)
    assert isinstance(data["durationSeconds"], float)
    assert all(set(c) == CHECK_KEYS for c in data["checks"])
    statuses = {(c["subject"], c["check"]): c["status"] for c in data["checks"]}
    assert statuses == {
        ("component/prometheus", "reachable"): "pass",
        ("component/prometheus", "rules"): "pass",
        ("component/prometheus", "retention"): "pass",
        ("component/alertmanager", "reachable"): "pass",
        ("component/alertmanager", "config"): "pass",
        ("component/loki", "reachable"): "pass",
        ("component/loki", "ruler"): "pass",
        ("component/tempo", "reachable"): "pass",
        ("component/collector", "exports"): "pass",
        ("component/grafana", "reachable"): "pass",
        ("component/grafana", "dashboards"): "pass",
        ("component/grafana", "datasources"): "pass",
        ("service/api", "metrics"): "pass",
        ("service/api", "slo-ratio"): "pass",
        ("service/api", "logs"): "pass",
        ("service/api", "traces"): "pass",
        ("service/db", "metrics"): "pass",
        ("service/db", "slo-ratio"): "skip",
        ("service/db", "logs"): "pass",
        ("service/db", "traces"): "skip",
    }
    assert "infrastructure" in check(data, "service/db", "traces")["detail"]
    assert check(data, "component/prometheus", "reachable")["endpoint"] == stack.url("prometheus")
    ratio = check(data, "service/api", "slo-ratio")["detail"]
    assert "availability 0.001" in ratio and "latency 0.001" in ratio
    # the ratio series were asked for with the label set the rendered rules give them
    queries = [r[2].get("query", "") for r in stack.servers["prometheus"].requests]
    assert (
        'slo:sli_error:ratio_rate5m{service="api", slo="availability", '
        'sloth_id="api-availability"}' in queries
    )


def test_table_output(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    stack.services_with_traces.discard("api")
    result = obsc("--repo", repo, "verify", "--env", "dev", *stack.flags())
    assert result.code == 5
    lines = result.out.splitlines()
    assert lines[0].split() == ["SUBJECT", "CHECK", "STATUS", "DETAIL"]
    row = next(line for line in lines if line.startswith("service/api") and " traces " in line)
    assert row.split()[:3] == ["service/api", "traces", "fail"]
    assert "no traces with service.name='api'" in row
    assert "verify dev: 17 passed, 1 failed, 2 skipped" in result.err
    assert "verification failed" in result.err


def test_unreachable_endpoint_exits_4_and_names_it(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    dead = f"http://127.0.0.1:{free_ports(1)[0]}"
    result, data = run_verify(obsc, repo, *stack.flags("prometheus", "tempo"), "--loki", dead)
    assert result.code == 4 and data["exitCode"] == 4 and data["ok"] is False
    loki = check(data, "component/loki", "reachable")
    assert loki["status"] == "fail"
    assert dead in loki["detail"] and "connection refused" in loki["detail"]
    logs = check(data, "service/api", "logs")
    assert logs["status"] == "skip" and "component/loki reachable" in logs["detail"]
    assert check(data, "service/api", "metrics")["status"] == "pass"


def test_a_timeout_is_unreachable(obsc: ObscRunner, repo: Path) -> None:
    slow = FakeServer({"/api/v1/status/buildinfo": lambda *_: Reply(prom_success({}), delay=2)})
    with serving(slow):
        result, data = run_verify(obsc, repo, "--prometheus", slow.url, "--timeout", "300ms")
    assert result.code == 4
    detail = check(data, "component/prometheus", "reachable")["detail"]
    assert slow.url in detail and "no answer within 0.3 s" in detail


def test_http_401_is_a_failure_naming_the_endpoint(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    locked = FakeServer({"/api/*": lambda *_: Reply({"message": "Unauthorized"}, 401)})
    with serving(locked):
        result, data = run_verify(obsc, repo, *stack.flags("prometheus"), "--grafana", locked.url)
    assert result.code == 5
    grafana = check(data, "component/grafana", "reachable")
    assert grafana["status"] == "fail"
    assert f"{locked.url}/api/health" in grafana["detail"]
    assert "HTTP 401 Unauthorized" in grafana["detail"]
    assert check(data, "component/grafana", "dashboards")["status"] == "skip"


def test_malformed_json_is_named(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    stack.servers["prometheus"].routes["/api/v1/query"] = lambda *_: Reply("<html>oops</html>")
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    metrics = check(data, "service/api", "metrics")
    assert metrics["status"] == "fail"
    assert "malformed answer: expected JSON" in metrics["detail"]
    assert f"{stack.url('prometheus')}/api/v1/query" in metrics["detail"]


def test_a_missing_rule_group_is_named(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    stack.groups = [g for g in stack.groups if g["name"] != "obsc-slo-alerts-api-latency"]
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    rules = check(data, "component/prometheus", "rules")
    assert rules["status"] == "fail"
    assert "1 rendered group(s) not loaded: obsc-slo-alerts-api-latency" in rules["detail"]


def test_an_extra_obsc_group_is_named_others_are_not(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stale = {**stack.groups[0], "name": "obsc-slo-alerts-removed-service"}
    foreign = {**stack.groups[0], "name": "kubernetes-apps"}
    stack.groups = [*stack.groups, stale, foreign]
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    detail = check(data, "component/prometheus", "rules")["detail"]
    assert "loaded but not rendered: obsc-slo-alerts-removed-service" in detail
    assert "kubernetes-apps" not in detail
    stack.groups = [*stack.groups[:-2], foreign]
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 0
    assert (
        "(and 1 group(s) not from obsc)" in check(data, "component/prometheus", "rules")["detail"]
    )


def test_a_rule_count_difference_is_named(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    group = next(g for g in stack.groups if g["name"] == "obsc-service-api")
    group["rules"] = group["rules"][:-1]
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    assert "obsc-service-api has" in check(data, "component/prometheus", "rules")["detail"]


def test_retention_shorter_than_the_longest_window(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stack.retention = "15d"
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    detail = check(data, "component/prometheus", "retention")["detail"]
    assert "retention 15d is shorter than the longest SLO window 30d" in detail
    stack.retention = "0s"  # Prometheus 2.x reports an unset flag as 0s: the 15d default
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert "15d (the default)" in check(data, "component/prometheus", "retention")["detail"]
    stack.retention = "30d"
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert check(data, "component/prometheus", "retention")["status"] == "pass"


def test_a_nan_slo_ratio_fails(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    stack.ratio = "NaN"
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    ratio = check(data, "service/api", "slo-ratio")
    assert ratio["status"] == "fail"
    assert "availability: slo:sli_error:ratio_rate5m is nan" in ratio["detail"]
    assert check(data, "service/api", "metrics")["status"] == "pass"


def test_a_service_without_metrics_fails_naming_it(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stack.services_with_metrics.discard("api")
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    metrics = check(data, "service/api", "metrics")
    assert metrics["status"] == "fail"
    assert "no metrics with service='api' in the last 5m" in metrics["detail"]
    assert (
        "no slo:sli_error:ratio_rate5m series" in check(data, "service/api", "slo-ratio")["detail"]
    )
    assert check(data, "service/db", "metrics")["status"] == "pass"
    # the metrics query leaves out what rules and scrapes add with a service label
    queries = [r[2].get("query", "") for r in stack.servers["prometheus"].requests]
    assert any('__name__!~"slo:.*|ALERTS|' in q for q in queries)


def test_a_stopped_scraped_service_fails_although_pushed_series_linger(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    """Found in the live run: series the SDK pushed stay visible for Prometheus' 5m
    lookback after the app stops; its scrape target's `up == 0` says it is gone."""
    stack.services_down.add("api")  # api still has (pushed) series in services_with_metrics
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    metrics = check(data, "service/api", "metrics")
    assert metrics["status"] == "fail"
    assert "scrape target of service='api' is down (up == 0)" in metrics["detail"]
    assert check(data, "service/db", "metrics")["status"] == "pass"


def test_missing_logs_and_traces_fail_per_service(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stack.services_with_logs.discard("db")
    stack.services_with_traces.clear()
    result, data = run_verify(obsc, repo, *stack.flags("loki", "tempo"), "--since", "2m")
    assert result.code == 5
    logs = check(data, "service/db", "logs")
    assert logs["status"] == "fail"
    assert 'no log lines of {service_name="db"} in Loki in the last 2m' in logs["detail"]
    assert check(data, "service/api", "traces")["status"] == "fail"
    assert check(data, "service/db", "traces")["status"] == "skip"  # not expected
    assert check(data, "service/api", "metrics")["status"] == "skip"  # no Prometheus given


def test_alertmanager_running_another_config_fails(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stack.alertmanager_config = stack.alertmanager_config.replace(
        "receiver: team-pager", "receiver: someone-else", 1
    )
    result, data = run_verify(obsc, repo, *stack.flags("alertmanager"))
    assert result.code == 5
    config = check(data, "component/alertmanager", "config")
    assert config["status"] == "fail"
    assert (
        "route.routes[0].receiver: 'someone-else' running, 'team-pager' rendered"
        in (config["detail"])
    )


def test_collector_export_failures_fail(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    stack.export_failures = [({"exporter": "otlp_http/loki"}, 17)]
    result, data = run_verify(obsc, repo, *stack.flags("prometheus"))
    assert result.code == 5
    exports = check(data, "component/collector", "exports")
    assert exports["status"] == "fail"
    assert "otlp_http/loki failed to export 17 items" in exports["detail"]


def test_collector_health_from_its_own_metrics(obsc: ObscRunner, repo: Path) -> None:
    text = (
        "# HELP otelcol_exporter_send_failed_log_records_total Number of log records ...\n"
        "# TYPE otelcol_exporter_send_failed_log_records_total counter\n"
        'otelcol_exporter_send_failed_log_records_total{exporter="otlp_http/loki",'
        'service_instance_id="x"} 3\n'
        'otelcol_exporter_sent_log_records_total{exporter="otlp_http/loki"} 120\n'
        'otelcol_receiver_refused_spans_total{receiver="otlp",transport="http"} 0\n'
    )
    own = FakeServer({"/metrics": lambda *_: Reply(text)})
    with serving(own):
        result, data = run_verify(obsc, repo, "--collector-metrics", own.url)
    assert result.code == 5
    detail = check(data, "component/collector", "exports")["detail"]
    assert detail == "since the collector started: otlp_http/loki failed to export 3 items"


def test_grafana_missing_dashboard_is_named(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    stack.dashboards.discard("obsc-fw-flask")  # api's, the flask services' dashboard
    result, data = run_verify(obsc, repo, *stack.flags("grafana"))
    assert result.code == 5
    detail = check(data, "component/grafana", "dashboards")["detail"]
    assert "rendered dashboards missing: obsc-fw-flask" in detail
    assert check(data, "component/grafana", "datasources")["status"] == "pass"


def test_wait_succeeds_once_a_delayed_signal_arrives(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stack.services_with_logs.discard("api")
    result, _ = run_verify(obsc, repo, *stack.flags("loki"))
    assert result.code == 5
    timer = threading.Timer(1.0, lambda: stack.services_with_logs.add("api"))
    timer.start()
    try:
        result, data = run_verify(obsc, repo, *stack.flags("loki"), "--wait", "20s")
    finally:
        timer.cancel()
    assert result.code == 0, result.out
    assert 1.0 <= data["durationSeconds"] < 15
    asked = [r for r in stack.servers["loki"].requests if r[1] == "/loki/api/v1/query_range"]
    assert len(asked) >= 4  # two services once, then api again until its logs came


def test_wait_gives_up_when_the_time_is_up(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    stack.services_with_logs.discard("api")
    result, data = run_verify(obsc, repo, *stack.flags("loki"), "--wait", "1s")
    assert result.code == 5
    assert 1.0 <= data["durationSeconds"] < 5


def test_probe_arrives_masked(obsc: ObscRunner, repo: Path, stack: FakeStack) -> None:
    result, data = run_verify(obsc, repo, *stack.flags(), "--probe")
    assert result.code == 0, result.out
    sent = check(data, "probe", "probe-send")
    assert "sent as service 'api'" in sent["detail"] and "planted email" in sent["detail"]
    for name in ("probe-logs", "probe-traces"):
        assert check(data, "probe", name)["status"] == "pass"
        assert "planted email masked" in check(data, "probe", name)["detail"]
    assert check(data, "probe", "probe-metrics")["status"] == "pass"
    (service, line), *_ = stack.probe_lines
    assert service == "api" and "[REDACTED]" in line
    assert all(t.endswith("f" * 14) for t in stack.probe_traces)  # kept by any sampler


def test_probe_arriving_unmasked_fails_at_once(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stack.mask = False
    result, data = run_verify(obsc, repo, *stack.flags(), "--probe")
    assert result.code == 5
    logs = check(data, "probe", "probe-logs")
    assert logs["status"] == "fail"
    assert "planted email value UNMASKED: redaction policy pii-strict" in logs["detail"]
    assert check(data, "probe", "probe-traces")["status"] == "fail"
    assert data["durationSeconds"] < 10  # a leak is final: no waiting for the probe's minute


def test_probe_as_a_chosen_service_without_policy(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    result, data = run_verify(obsc, repo, *stack.flags(), "--probe", "--service", "db")
    assert result.code == 0, result.out
    assert [c["subject"] for c in data["checks"] if c["subject"].startswith("service/")] == [
        "service/db"
    ] * 4
    assert "no PII planted" in check(data, "probe", "probe-logs")["detail"]


def test_a_probe_that_cannot_be_sent_does_not_wait(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    dead = f"http://127.0.0.1:{free_ports(1)[0]}"
    result, data = run_verify(obsc, repo, *stack.flags("loki"), "--probe", "--collector", dead)
    assert result.code == 4
    assert "connection refused" in check(data, "probe", "probe-send")["detail"]
    assert check(data, "probe", "probe-logs")["status"] == "skip"
    assert data["durationSeconds"] < 10


def test_an_answer_of_another_shape_is_a_failure_not_a_traceback(
    obsc: ObscRunner, repo: Path, stack: FakeStack
) -> None:
    stack.servers["alertmanager"].routes["/api/v2/status"] = lambda *_: Reply(
        {"config": "not an object", "versionInfo": {"version": "0.28.1"}}
    )
    result, data = run_verify(obsc, repo, *stack.flags("alertmanager"))
    assert result.code == 5
    config = check(data, "component/alertmanager", "config")
    assert config["status"] == "fail"
    assert config["detail"].startswith(f"{stack.url('alertmanager')}: unexpected answer")
