"""`obsc import`: the specs it writes, the report for each construct, its exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import FIXTURES, ObscRunner
from tests.realtools import Tool

IMPORT = FIXTURES / "import"


def _run(obsc: ObscRunner, out: Path, fmt: str, *paths: Path) -> tuple[int, dict[str, Any]]:
    result = obsc("--output", "json", "import", fmt, *paths, "--out", out)
    report: dict[str, Any] = json.loads(result.out) if result.out else {}
    return result.code, report


def _lines(report: dict[str, Any], status: str) -> list[str]:
    return [
        f"{Path(f['file']).name}:{f['line']}:{f['column']} {f['subject']}: {f['detail']}"
        for f in report["report"]
        if f["status"] == status
    ]


def _spec(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(path.read_text())
    return loaded


def test_sloth_events_spec(obsc: ObscRunner, tmp_path: Path) -> None:
    code, report = _run(obsc, tmp_path, "sloth", IMPORT / "sloth/getting-started.yml")
    assert code == 0
    spec = _spec(tmp_path / "myservice.yaml")
    assert spec["metadata"] == {
        "name": "myservice",
        "team": "myteam",
        "tier": 2,
        "labels": {"repo": "myorg/myservice"},
    }
    (slo,) = spec["spec"]["slos"]
    # job="myservice" selects by the user's scrape job; obsc's stack labels by service
    total = 'sum(rate(http_request_duration_seconds_count{service="myservice"}[{{window}}]))'
    error = (
        'sum(rate(http_request_duration_seconds_count{service="myservice",code=~"(5..|429)"}'
        "[{{window}}]))"
    )
    assert slo["sli"] == {"kind": "ratio", "good": f"({total}) - ({error})", "total": total}
    assert (slo["name"], slo["objective"], slo["window"]) == ("requests-availability", 99.9, "30d")
    assert _lines(report, "approximated") == [
        'getting-started.yml:9:5 myservice/requests-availability: job="myservice" selects by '
        "the scrape job, which obsc's stack sets differently: written as "
        'service="myservice", the label every series of the service carries',
        "getting-started.yml:17:7 myservice/requests-availability: obsc names its alerts "
        "<Service><Slo>ErrorBudgetBurn and labels them service, team, slo and severity "
        "(page|ticket); not carried over: alert name MyServiceHighErrorRate, labels, "
        "annotations, page alert labels, ticket alert labels",
    ]


def test_sloth_plugin_sli_is_skipped_with_its_id(obsc: ObscRunner, tmp_path: Path) -> None:
    code, report = _run(obsc, tmp_path, "sloth", IMPORT / "sloth/plugin-getting-started.yml")
    assert code == 6
    assert report["ok"] is False
    assert _lines(report, "skipped") == [
        "plugin-getting-started.yml:14:9 myservice/requests-availability: plugin SLI "
        "'getting_started_availability': its queries come from Go code in Sloth, not the spec"
    ]
    assert list(tmp_path.iterdir()) == []


def test_sloth_raw_sli_is_approximated(obsc: ObscRunner, tmp_path: Path) -> None:
    code, report = _run(obsc, tmp_path, "sloth", IMPORT / "sloth/raw-home-wifi.yml")
    assert code == 0
    assert any("raw SLI" in line for line in _lines(report, "approximated"))
    sli = _spec(tmp_path / "home-wifi.yaml")["spec"]["slos"][0]["sli"]
    assert sli["good"].startswith("1 - (1 - (") and sli["total"].startswith("0 * (1 - (")


def test_openslo_report_for_each_construct(obsc: ObscRunner, tmp_path: Path) -> None:
    code, report = _run(obsc, tmp_path, "openslo", IMPORT / "openslo-v1", IMPORT / "openslo")
    assert code == 6
    assert _lines(report, "skipped") == [
        "getting-started.yaml:64:7 myservice/monthly-availability: calendar window: obsc's "
        "windows are rolling",
        "occurences-slo.yaml:15:7 web-shop/search-slo: thresholdMetric: obsc's latency SLIs "
        "come from a framework's duration histogram, not from a query",
        "ratio-timeslices.yaml:2:1 web-shop/main-page: budgetingMethod RatioTimeslices: obsc "
        "counts events",
    ]
    assert _lines(report, "approximated") == [
        'getting-started.yaml:33:7 myservice/requests-availability: job="myservice" selects by '
        "the scrape job, which obsc's stack sets differently: written as "
        'service="myservice", the label every series of the service carries',
        "getting-started.yaml:38:1 AlertPolicy fast-burn: obsc pages at 14.4x/6x and tickets "
        "at 3x/1x burn over its own window pairs",
    ]
    (slo,) = _spec(tmp_path / "myservice.yaml")["spec"]["slos"]
    assert (slo["objective"], slo["window"]) == (99.9, "30d")
    assert slo["sli"]["good"].startswith("(sum(rate(http_request_duration_seconds_count{service=")


def test_openslo_other_data_source_is_skipped(obsc: ObscRunner, tmp_path: Path) -> None:
    source = (IMPORT / "openslo-v1/getting-started.yaml").read_text()
    datadog = tmp_path / "datadog.yaml"
    datadog.write_text(source.replace("type: Prometheus", "type: Datadog"))
    code, report = _run(obsc, tmp_path / "out", "openslo", datadog)
    assert code == 6
    assert "data source Datadog: obsc reads PromQL" in " ".join(_lines(report, "skipped"))


def test_pyrra_ratio_latency_and_bool_gauge(obsc: ObscRunner, tmp_path: Path) -> None:
    code, report = _run(obsc, tmp_path, "pyrra", IMPORT / "pyrra")
    assert code == 0
    http = _spec(tmp_path / "prometheus-api-query.yaml")["spec"]["slos"][0]
    assert (http["objective"], http["window"]) == (99.0, "7d")
    total = 'sum(rate(prometheus_http_requests_total{handler=~"/api.*"}[{{window}}]))'
    assert http["sli"]["total"] == total
    latency = _spec(tmp_path / "caddy-response-latency.yaml")["spec"]["slos"][0]["sli"]
    assert latency["good"].startswith("sum(rate(caddy_http_response_duration_seconds_bucket{")
    probe = _spec(tmp_path / "prometheus-blackbox-probe-success.yaml")["spec"]["slos"][0]["sli"]
    assert probe == {
        "kind": "ratio",
        "good": "sum(sum_over_time(probe_success[{{window}}]))",
        "total": "sum(count_over_time(probe_success[{{window}}]))",
    }
    assert any("grouping by handler" in line for line in _lines(report, "approximated"))


def test_pyrra_unknown_indicator_is_skipped(obsc: ObscRunner, tmp_path: Path) -> None:
    native = tmp_path / "native.yaml"
    native.write_text(
        (IMPORT / "pyrra/caddy-response-latency.yaml")
        .read_text()
        .replace("    latency:\n", "    latencyNative:\n")
    )
    code, report = _run(obsc, tmp_path / "out", "pyrra", native)
    assert code == 6
    assert _lines(report, "skipped") == [
        "native.yaml:9:5 caddy-response-latency/caddy-response-latency: indicator "
        "latencyNative: obsc reads ratio, latency and bool_gauge"
    ]


def test_malformed_input_exits_2_with_its_position(obsc: ObscRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (IMPORT / "sloth/getting-started.yml").read_text()
    broken.write_text(text.replace("    objective: 99.9\n", "    objective: high\n"))
    result = obsc("import", "sloth", broken, "--out", tmp_path / "out")
    assert result.code == 2
    assert f"{broken}:10:16: error[OBSC600]: slos.0.objective: expected a number, not 'high'" in (
        result.err
    )
    broken.write_text("slos: [\n")
    assert obsc("import", "sloth", broken, "--out", tmp_path / "out").code == 2
    assert not (tmp_path / "out").exists()


def test_reimport_keeps_an_edited_spec(obsc: ObscRunner, tmp_path: Path) -> None:
    example = IMPORT / "sloth/getting-started.yml"
    assert _run(obsc, tmp_path, "sloth", example)[0] == 0
    spec = tmp_path / "myservice.yaml"
    spec.write_text(spec.read_text().replace("team: myteam", "team: payments"))
    edited = spec.read_bytes()
    code, report = _run(obsc, tmp_path, "sloth", example)
    assert code == 0
    assert [s["status"] for s in report["specs"]] == ["kept"]
    assert spec.read_bytes() == edited


def test_imported_specs_validate_and_render(
    obsc: ObscRunner, tmp_path: Path, real_tool: Tool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every importable example becomes specs obsc validates and renders rules from."""
    repo = tmp_path / "repo"
    assert obsc("init", repo, "--obsc-from", "git+https://git.example.com/o@v1").code == 0
    (repo / "specs/services/example-api.yaml").unlink()
    for fmt, paths in (
        ("sloth", [IMPORT / "sloth/getting-started.yml", IMPORT / "sloth/raw-home-wifi.yml"]),
        ("openslo", [IMPORT / "openslo-v1"]),
        ("pyrra", [IMPORT / "pyrra"]),
    ):
        assert obsc("--repo", repo, "import", fmt, *paths).code in (0, 6)
    validate = obsc("--repo", repo, "validate", "--no-policies")
    assert validate.code == 0, validate.err
    out = tmp_path / "out"
    assert obsc("--repo", repo, "render", "--no-policies", "--out", out).code == 0
    rules = sorted((out / "prod/alerts/rules").glob("*.rules.yaml"))
    done = subprocess.run(
        [str(real_tool("promtool")), "check", "rules", *map(str, rules)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
