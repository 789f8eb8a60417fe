"""The grafana target on the example estate: the real dashboard linter, the dashboard JSON
model's schema, datasource wiring, parseable PromQL, contract labels, every service reachable
on its framework's dashboard and stable bytes."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import promql_parser
import pytest
from ruamel.yaml import YAML

from compiler.model import EnvironmentModel, ResolvedService
from compiler.output.collector_metrics import COLLECTOR_JOB, used_metric_names
from compiler.output.links import (
    STACK_DASHBOARD_UID,
    STACK_NAME,
    period_suffix,
    service_dashboard_uid,
    service_dashboard_url,
    short_uid,
)
from compiler.pipeline import load_estate
from targets.grafana import DATASOURCES_FILE, PROVIDERS_FILE, render_grafana
from targets.grafana.names import SERVICES_FOLDER
from targets.grafana.service import runbook_pattern
from tests.conftest import ROOT
from tests.kube import write_tree
from tests.realtools import Tool

Json = dict[str, Any]

SCHEMA = Path(__file__).parent / "fixtures" / "grafana" / "dashboard.schema.json"
STACK_FILE = f"dashboards/{STACK_NAME}/stack.json"
SERVICES = f"dashboards/{SERVICES_FOLDER}/"
GRAFANA_MACROS = ("$__rate_interval", "$__interval", "$__range")

# The dashboard linter's configuration (a `.lint` file, written to tmp and passed with --config).
# Each exclusion is a deliberate choice of obsc that a rule does not know about, with its reason;
# none is there just to pass.
LINT_CONFIG = """\
exclusions:
  template-job-rule:
    reason: >-
      obsc selects every series by the `service` label of docs/contracts.md, which the scrape
      jobs and the OTLP path both set; `job` and `instance` differ between those paths and the
      SLO recording rules aggregate them away, so a job variable would select nothing useful.
  template-instance-rule:
    reason: >-
      Same as template-job-rule; a framework's dashboard picks one service with its `service`
      variable and selects by that label.
  target-job-rule:
    reason: >-
      Queries match on `service` (and `slo`), the labels of docs/contracts.md; the stack
      dashboard's on the one job that scrapes the collector, `job="otel-collector"`.
  target-instance-rule:
    reason: >-
      Queries match on `service` (and `slo`), the labels of docs/contracts.md; the stack
      dashboard sums over the collectors or shows each as a series.
  target-promql-rule:
    reason: >-
      The rule parses every table target as PromQL once the first datasource variable is
      Prometheus; the Traces table's target is a Tempo TraceQL search (checked in this file).
    entries:
      - panel: Traces
"""


# Fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def environments() -> dict[str, EnvironmentModel]:
    return dict(load_estate(ROOT).resolved.environments)


@pytest.fixture(scope="module")
def prod(environments: dict[str, EnvironmentModel]) -> EnvironmentModel:
    return environments["prod"]


@pytest.fixture(scope="module")
def dev(environments: dict[str, EnvironmentModel]) -> EnvironmentModel:
    return environments["dev"]


@pytest.fixture(scope="module")
def rendered(prod: EnvironmentModel) -> dict[str, bytes]:
    return render_grafana(prod)


@pytest.fixture(scope="module")
def dashboards(rendered: dict[str, bytes]) -> dict[str, Json]:
    return {
        path: json.loads(content)
        for path, content in rendered.items()
        if path.startswith("dashboards/")
    }


@pytest.fixture(scope="module")
def datasources(rendered: dict[str, bytes]) -> list[Json]:
    doc = YAML(typ="safe").load(rendered[DATASOURCES_FILE].decode())
    assert doc["apiVersion"] == 1
    result: list[Json] = doc["datasources"]
    return result


def _data_panels(dashboard: Json) -> Iterator[Json]:
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            yield panel


def _prometheus_exprs(dashboard: Json) -> Iterator[str]:
    for panel in _data_panels(dashboard):
        for target in panel["targets"]:
            if target["datasource"]["type"] == "prometheus":
                yield target["expr"]


def _parse(expr: str) -> promql_parser.Expr:
    for macro in GRAFANA_MACROS:
        expr = expr.replace(macro, "5m")
    parsed: promql_parser.Expr = promql_parser.parse(expr)
    return parsed


def _selectors(expr: str) -> list[promql_parser.VectorSelector]:
    found: list[promql_parser.VectorSelector] = []

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)

    promql_parser.walk(_parse(expr), visit)
    return found


def _equal_matchers(selector: promql_parser.VectorSelector) -> dict[str, str]:
    return {
        m.name: m.value for m in selector.matchers.matchers if m.op == promql_parser.MatchOp.Equal
    }


def _framework_of(path: str) -> str | None:
    return Path(path).stem if path.startswith(SERVICES) else None


def _variable(dashboard: Json, name: str) -> Json:
    return next(v for v in dashboard["templating"]["list"] if v["name"] == name)


def _services_of(dashboard: Json) -> list[str]:
    """The names the `service` variable offers."""
    variable = _variable(dashboard, "service")
    assert variable["type"] == "custom"
    names: list[str] = variable["query"].split(",")
    return names


def _board_of(service: ResolvedService) -> str:
    return f"{SERVICES}{service.framework}.json"


# Files ----------------------------------------------------------------------------------


def test_files_are_the_contracts_paths(prod: EnvironmentModel, rendered: dict[str, bytes]) -> None:
    teams_with_slos = {s.team for s in prod.services if s.slos}
    expected = {DATASOURCES_FILE, PROVIDERS_FILE}
    expected |= {_board_of(s) for s in prod.services}
    expected |= {f"dashboards/{team}/slo-overview.json" for team in teams_with_slos}
    expected.add(STACK_FILE)
    assert set(rendered) == expected
    # 16 services of 15 frameworks (two django services), 4 teams, the stack
    assert len([p for p in rendered if p.endswith(".json")]) == 20


def test_one_provider_per_team(prod: EnvironmentModel, rendered: dict[str, bytes]) -> None:
    doc = YAML(typ="safe").load(rendered[PROVIDERS_FILE].decode())
    teams = sorted({s.team for s in prod.services if s.slos})
    assert [p["folder"] for p in doc["providers"]] == [*teams, SERVICES_FOLDER, STACK_NAME]
    for provider, team in zip(doc["providers"], [*teams, SERVICES_FOLDER, STACK_NAME], strict=True):
        assert provider["type"] == "file"
        assert provider["disableDeletion"] is True
        assert provider["allowUiUpdates"] is False
        assert provider["options"] == {
            "path": f"/var/lib/grafana/dashboards/{team}",
            "foldersFromFilesStructure": False,
        }
    assert len({p["folderUid"] for p in doc["providers"]}) == len(teams) + 2
    assert len({p["name"] for p in doc["providers"]}) == len(teams) + 2


# The real linter ------------------------------------------------------------------------


def _lint(linter: Path, config: Path, dashboard: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(linter), "lint", "--strict", "--config", str(config), str(dashboard)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_dashboard_linter_strict_passes_every_dashboard(
    real_tool: Tool, rendered: dict[str, bytes], tmp_path: Path
) -> None:
    linter = real_tool("dashboard-linter")
    root = write_tree(rendered, tmp_path)
    config = tmp_path / ".lint"
    config.write_text(LINT_CONFIG, encoding="utf-8")
    files = sorted((root / "dashboards").rglob("*.json"))
    assert len(files) == 20
    failures = []
    for path in files:
        done = _lint(linter, config, path)
        if done.returncode != 0:
            failures.append(f"{path.relative_to(root)}:\n{done.stdout}{done.stderr}")
    assert not failures, "\n".join(failures)


def test_dashboard_linter_catches_a_broken_dashboard(
    real_tool: Tool, dashboards: dict[str, Json], tmp_path: Path
) -> None:
    """The harness can fail: a panel without a unit and with bad PromQL is reported."""
    linter = real_tool("dashboard-linter")
    config = tmp_path / ".lint"
    config.write_text(LINT_CONFIG, encoding="utf-8")
    broken = json.loads(json.dumps(dashboards[f"{SERVICES}flask.json"]))
    panel = next(p for p in _data_panels(broken) if p["title"] == "Request rate")
    panel["fieldConfig"]["defaults"].pop("unit")
    panel["targets"][0]["expr"] = "sum(rate(flask_http_request_total[5m])"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    done = _lint(linter, config, path)
    assert done.returncode != 0
    assert "has no or invalid units defined" in done.stdout
    assert "invalid PromQL query" in done.stdout


# The dashboard JSON model ---------------------------------------------------------------


def test_dashboards_match_the_schema(dashboards: dict[str, Json]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = {
        path: [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errs]
        for path, dashboard in dashboards.items()
        if (errs := list(validator.iter_errors(dashboard)))
    }
    assert errors == {}


def test_panels_have_unique_ids_and_do_not_overlap(dashboards: dict[str, Json]) -> None:
    for path, dashboard in dashboards.items():
        panels = dashboard["panels"]
        assert [p["id"] for p in panels] == list(range(1, len(panels) + 1)), path
        cells: dict[tuple[int, int], int] = {}
        for panel in panels:
            pos = panel["gridPos"]
            assert pos["x"] + pos["w"] <= 24, (path, panel["title"])
            for x in range(pos["x"], pos["x"] + pos["w"]):
                for y in range(pos["y"], pos["y"] + pos["h"]):
                    assert (x, y) not in cells, (path, panel["title"], cells[(x, y)])
                    cells[(x, y)] = panel["id"]
        for panel in _data_panels(dashboard):
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs)), (path, panel["title"])


def test_dashboard_uids_and_titles(prod: EnvironmentModel, dashboards: dict[str, Json]) -> None:
    uids = [d["uid"] for d in dashboards.values()]
    assert len(uids) == len(set(uids))
    for path, dashboard in dashboards.items():
        framework = _framework_of(path)
        if path == STACK_FILE:
            assert dashboard["uid"] == STACK_DASHBOARD_UID
            assert dashboard["title"] == "Observability stack (prod)"
            assert dashboard["tags"] == ["obsc", STACK_NAME]
            continue
        if framework is None:
            team = Path(path).parent.name
            assert dashboard["uid"] == f"obsc-slo-{team}"
            assert dashboard["tags"] == ["obsc", team, "slo"]
            continue
        services = [s for s in prod.services if s.framework == framework]
        assert dashboard["uid"] == f"obsc-fw-{framework}"
        assert dashboard["title"] == f"{framework} services (prod)"
        assert dashboard["tags"] == ["obsc", framework, *sorted({s.team for s in services})]


# Datasources ----------------------------------------------------------------------------


def _datasource_uid_refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "datasourceUid":
                yield item
            else:
                yield from _datasource_uid_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _datasource_uid_refs(item)


def test_datasources_are_wired_to_each_other(
    datasources: list[Json], rendered: dict[str, bytes]
) -> None:
    by_uid = {ds["uid"]: ds for ds in datasources}
    assert {uid: ds["type"] for uid, ds in by_uid.items()} == {
        "prometheus": "prometheus",
        "loki": "loki",
        "tempo": "tempo",
        "alertmanager": "alertmanager",
    }
    assert [ds["uid"] for ds in datasources if ds["isDefault"]] == ["prometheus"]
    for ds in datasources:
        for ref in _datasource_uid_refs(ds["jsonData"]):
            assert ref in by_uid, (ds["name"], ref)
    prometheus, loki, tempo, alertmanager = (by_uid[u] for u in by_uid)
    assert prometheus["jsonData"]["exemplarTraceIdDestinations"][0]["datasourceUid"] == "tempo"
    fields = loki["jsonData"]["derivedFields"]
    assert {(f["matcherType"], f["datasourceUid"]) for f in fields} == {
        ("label", "tempo"),
        ("regex", "tempo"),
    }
    logs = tempo["jsonData"]["tracesToLogsV2"]
    assert logs["tags"] == [{"key": "service.name", "value": "service_name"}]
    assert tempo["jsonData"]["serviceMap"] == {"datasourceUid": "prometheus"}
    assert tempo["jsonData"]["nodeGraph"] == {"enabled": True}
    assert alertmanager["jsonData"]["implementation"] == "prometheus"
    # Grafana expands environment variables in provisioning files: every `$` is escaped.
    text = rendered[DATASOURCES_FILE].decode()
    assert "$" in text
    assert "$" not in text.replace("$$", "")


def test_derived_field_regex_finds_a_trace_id(datasources: list[Json]) -> None:
    loki = next(ds for ds in datasources if ds["uid"] == "loki")
    regex = next(f for f in loki["jsonData"]["derivedFields"] if f["matcherType"] == "regex")
    pattern = re.compile(regex["matcherRegex"])
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    for line in (f"level=info trace_id={trace} msg=ok", f'{{"trace_id": "{trace}", "msg": "ok"}}'):
        match = pattern.search(line)
        assert match is not None and match.group(1) == trace, line


def test_every_dashboard_datasource_resolves(
    datasources: list[Json], dashboards: dict[str, Json]
) -> None:
    types = {ds["uid"]: ds["type"] for ds in datasources}
    builtin = {"-- Grafana --": "grafana"}
    for path, dashboard in dashboards.items():
        every = dashboard["templating"]["list"]
        variables = {v["name"]: v for v in every if v["type"] == "datasource"}
        assert every[: len(variables)] == list(variables.values()), path  # pickers first
        for variable in variables.values():
            assert types[variable["current"]["value"]] == variable["query"], path

        def resolve(ref: Json, where: str, path: str = path, variables: Json = variables) -> None:
            uid = ref["uid"]
            if uid.startswith("${") and uid.endswith("}"):
                variable = variables[uid[2:-1]]
                uid = variable["current"]["value"]
                assert variable["query"] == ref["type"], (path, where)
            assert (types | builtin).get(uid) == ref["type"], (path, where, ref)

        for annotation in dashboard["annotations"]["list"]:
            resolve(annotation["datasource"], "annotation")
        for variable in every:
            if variable["type"] == "query":
                resolve(variable["datasource"], variable["name"])
        for panel in _data_panels(dashboard):
            resolve(panel["datasource"], panel["title"])
            for target in panel["targets"]:
                assert target["datasource"] == panel["datasource"], (path, panel["title"])
        used = {p["datasource"]["uid"][2:-1] for p in _data_panels(dashboard)}
        assert used == set(variables), path


# Queries --------------------------------------------------------------------------------


def test_every_promql_query_parses(dashboards: dict[str, Json], datasources: list[Json]) -> None:
    exprs = [expr for d in dashboards.values() for expr in _prometheus_exprs(d)]
    assert len(exprs) > 200
    for expr in exprs:
        _parse(expr)
    for dashboard in dashboards.values():
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "query":
                query = variable["query"]["query"]
                assert query == variable["definition"]
                inner = re.fullmatch(r"label_values\((.+), slo\)", query)
                assert inner is not None, query
                _parse(inner[1])
    tempo = next(ds for ds in datasources if ds["uid"] == "tempo")
    for query in tempo["jsonData"]["tracesToMetrics"]["queries"]:
        # `$$__tags` is `$__tags` after provisioning, which Grafana expands to the matchers.
        _parse(query["query"].replace("$$__tags", 'service="checkout"'))


def test_dashboards_select_by_the_contract_labels(
    prod: EnvironmentModel, dashboards: dict[str, Json]
) -> None:
    """A framework's dashboard selects `$service` (and `$slo`); an overview table the team's
    services of its framework with SLOs, by name."""
    for path, dashboard in dashboards.items():
        if path == STACK_FILE:
            continue  # the collector's own metrics: test_stack_dashboard_reads_the_collector
        framework = _framework_of(path)
        team = Path(path).parent.name
        for panel in _data_panels(dashboard):
            for target in panel["targets"]:
                if target["datasource"]["type"] != "prometheus":
                    continue
                if framework is None:
                    table = panel["title"].removesuffix(" services")
                    names = sorted(
                        s.name
                        for s in prod.services
                        if s.team == team and s.framework == table and s.slos
                    )
                    expected = {"service": "|".join(names)}
                    op = promql_parser.MatchOp.Re
                else:
                    expected = {"service": "$service"}
                    op = promql_parser.MatchOp.Equal
                for selector in _selectors(target["expr"]):
                    matched = {m.name: m.value for m in selector.matchers.matchers if m.op == op}
                    assert {"service": matched.get("service")} == expected, (path, target)
                    if framework is not None and (selector.name or "").startswith("slo:"):
                        assert _equal_matchers(selector)["slo"] == "$slo", (path, target)


def test_raw_rates_use_the_rate_interval(dashboards: dict[str, Json]) -> None:
    for dashboard in dashboards.values():
        for expr in _prometheus_exprs(dashboard):
            if "rate(" in expr.replace("slo:", ""):
                assert "[$__rate_interval]" in expr, expr


def test_slo_rows_use_the_period_suffix(
    prod: EnvironmentModel, dashboards: dict[str, Json]
) -> None:
    assert period_suffix("28d") == "4w"
    assert period_suffix("30d") == "30d"
    flask = dashboards[f"{SERVICES}flask.json"]  # checkout: a 30d and a 28d SLO
    exprs = set(_prometheus_exprs(flask))
    sel = '{service="$service", slo="$slo"}'
    assert f"1 - (slo:sli_error:ratio_rate30d{sel} or slo:sli_error:ratio_rate4w{sel})" in exprs
    burn = f"slo:sli_error:ratio_rate1h{sel} / on (service, slo) slo:error_budget:ratio{sel}"
    assert burn in exprs
    for path, dashboard in dashboards.items():
        framework = _framework_of(path)
        if framework is None:
            continue
        windows = {
            period_suffix(slo.window)
            for s in prod.services
            if s.framework == framework
            for slo in s.slos
        }
        used = {
            m
            for expr in _prometheus_exprs(dashboard)
            for m in re.findall(r"ratio_rate(\w+)\{", expr)
            if m not in ("5m", "1h", "6h", "1d", "3d") or "SLI" in expr
        }
        sli = [e for e in _prometheus_exprs(dashboard) if e.startswith("1 - ")]
        assert {m for e in sli for m in re.findall(r"ratio_rate(\w+)\{", e)} == windows, path
        assert used >= windows, path


def test_service_dashboard_panels(prod: EnvironmentModel, dashboards: dict[str, Json]) -> None:
    for service in prod.services:
        dashboard = dashboards[_board_of(service)]
        assert service.name in _services_of(dashboard)
        titles = [p["title"] for p in _data_panels(dashboard)]
        if service.category == "infrastructure":
            health = [panel.title for panel in service.health_panels]
            assert health, service.name  # the framework graphs what its alerts watch
            assert titles == [
                "Exporter up",
                "Scrape duration",
                "Samples scraped",
                *health,
                "Alerts",
            ]
            continue
        assert titles[:3] == ["Request rate", "Error ratio", "Latency"], service.name
        assert titles[3:-3] == ["SLI vs objective", "Error budget remaining", "Burn rate"]
        assert titles[-3:] == ["Alerts", "Logs", "Traces"]
        rows = [p for p in dashboard["panels"] if p["type"] == "row"]
        assert [r.get("repeat") for r in rows] == [None, "slo", None, None]
        slo = _variable(dashboard, "slo")
        assert (slo["multi"], slo["includeAll"], slo["refresh"]) == (True, True, 2)
        by_title = {p["title"]: p for p in _data_panels(dashboard)}
        assert by_title["Logs"]["targets"][0]["expr"] == '{service_name="$service"}'
        assert by_title["Traces"]["targets"][0]["query"] == '{resource.service.name="$service"}'
        latency = by_title["Latency"]
        assert latency["fieldConfig"]["defaults"]["unit"] == "s"
        assert [t["legendFormat"] for t in latency["targets"]] == ["p50", "p95", "p99"]


def test_every_service_is_reachable_by_its_url(
    prod: EnvironmentModel, dashboards: dict[str, Json]
) -> None:
    """`/d/<uid>?var-service=<name>` opens a dashboard that offers the service, for each one,
    and each service is offered by exactly one dashboard."""
    by_uid = {d["uid"]: d for d in dashboards.values()}
    offered = [
        name
        for d in dashboards.values()
        if "service" in {v["name"] for v in d["templating"]["list"]}
        for name in _services_of(d)
    ]
    assert sorted(offered) == sorted(s.name for s in prod.services)
    for service in prod.services:
        url = service_dashboard_url(service.name, service.framework, "https://g.example.com")
        path, _, query = url.removeprefix("https://g.example.com").partition("?")
        assert query == f"var-service={service.name}"
        board = by_uid[path.removeprefix("/d/")]
        assert service.name in _services_of(board)
        assert path == f"/d/{service_dashboard_uid(service.framework)}"


def test_runbook_link_follows_the_service_variable(
    prod: EnvironmentModel, dashboards: dict[str, Json]
) -> None:
    checkout = dashboards[f"{SERVICES}flask.json"]
    links = {link["title"]: link for link in checkout["links"]}
    assert links["Runbook of $service"]["url"] == "https://runbooks.example.com/${service}"
    assert links["payments SLO overview"]["url"] == "/d/obsc-slo-payments"
    service = prod.services[0]
    odd = service.model_copy(update={"runbook": "https://wiki.example.com/x"})
    assert runbook_pattern([service, odd.model_copy(update={"name": "x"})]) is None
    assert runbook_pattern([service.model_copy(update={"runbook": None})]) is None
    # Grafana would read `$team` and `[[x]]` as its variables: they reach the link encoded.
    dollar = service.model_copy(update={"runbook": f"https://wiki/$team/[[x]]/{service.name}"})
    assert runbook_pattern([dollar]) == "https://wiki/%24team/%5B%5Bx]]/${service}"


def test_overview_links_every_service_with_slos(
    prod: EnvironmentModel, dashboards: dict[str, Json]
) -> None:
    overview = dashboards["dashboards/payments/slo-overview.json"]
    services = [s for s in prod.services if s.team == "payments" and s.slos]
    tables = list(_data_panels(overview))
    frameworks = sorted({s.framework for s in services})
    assert [t["title"] for t in tables] == [f"{f} services" for f in frameworks]
    for table, framework in zip(tables, frameworks, strict=True):
        assert table["links"][0]["url"] == f"/d/obsc-fw-{framework}"
        assert len(table["targets"]) == 4
        overrides = {o["matcher"]["options"]: o for o in table["fieldConfig"]["overrides"]}
        service_link = overrides["Service"]["properties"][0]["value"][0]["url"]
        assert service_link == f"/d/obsc-fw-{framework}?var-service=${{__value.raw}}"
        slo_link = overrides["SLO"]["properties"][0]["value"][0]["url"]
        assert slo_link == (
            f"/d/obsc-fw-{framework}?var-service=${{__data.fields.service}}"
            "&var-slo=${__value.raw}"
        )
        organize = table["transformations"][1]["options"]
        assert organize["renameByName"]["service"] == "Service"
        assert organize["renameByName"]["slo"] == "SLO"
    flask = next(t for t in tables if t["title"] == "flask services")
    sli = flask["targets"][1]["expr"]  # checkout: a 30d and a 28d SLO side by side
    assert "slo:sli_error:ratio_rate4w" in sli and "slo:sli_error:ratio_rate30d" in sli


# Stable output --------------------------------------------------------------------------


def test_render_is_deterministic(prod: EnvironmentModel, rendered: dict[str, bytes]) -> None:
    again = render_grafana(load_estate(ROOT).resolved.environments["prod"])
    assert again == rendered
    assert list(again) == sorted(again)
    assert render_grafana(prod) == rendered


def test_long_names_get_short_stable_uids(prod: EnvironmentModel) -> None:
    name = "a-very-long-framework-name-that-is-still-a-valid-dns-label"
    uid = service_dashboard_uid(name)
    assert len(uid) <= 40
    assert uid == short_uid(f"obsc-fw-{name}")
    assert uid.startswith("obsc-fw-a-very-long-framewo")
    assert service_dashboard_uid(name + "x") != uid
    assert service_dashboard_uid("flask") == "obsc-fw-flask"

    renamed = prod.services[0].model_copy(update={"framework": name})
    model = prod.model_copy(update={"services": (renamed, *prod.services[1:])})
    files = render_grafana(model)
    dashboard = json.loads(files[f"{SERVICES}{name}.json"])
    assert dashboard["uid"] == uid
    assert render_grafana(model) == files


def test_stack_dashboard_reads_the_collector(dashboards: dict[str, Json]) -> None:
    stack = dashboards[STACK_FILE]
    titles = [p["title"] for p in _data_panels(stack)]
    assert titles == [
        "Log records",
        "Metric points",
        "Spans",
        "Collectors up",
        "Exporter queues",
        "Memory",
        "Dropped",
        "Collector alerts",
    ]
    names = set()
    for expr in _prometheus_exprs(stack):
        for selector in _selectors(expr):
            labels = _equal_matchers(selector)
            if selector.name == "ALERTS":
                assert labels == {"component": "collector"}, expr
                continue
            assert labels == {"job": COLLECTOR_JOB}, expr
            names.add(selector.name)
    # the names tests/collector/test_telemetry_run.py checks against the real collector
    assert names - {"up"} == set(used_metric_names())


def test_stack_dashboard_only_with_the_collector(prod: EnvironmentModel) -> None:
    without = prod.model_copy(
        update={"targets": tuple(t for t in prod.targets if t != "collector")}
    )
    files = render_grafana(without)
    assert STACK_FILE not in files
    doc = YAML(typ="safe").load(files[PROVIDERS_FILE].decode())
    assert STACK_NAME not in [p["folder"] for p in doc["providers"]]


def test_infrastructure_dashboards_graph_what_the_alerts_watch(
    prod: EnvironmentModel, dev: EnvironmentModel, dashboards: dict[str, Json]
) -> None:
    """Each health panel selects the variable's service, with its alert's threshold drawn, and
    a counter under the name it arrives by on the environment's path."""
    orders_db = next(s for s in prod.services if s.name == "orders-db")
    board = dashboards[_board_of(orders_db)]
    by_title = {p["title"]: p for p in _data_panels(board)}
    connections = by_title["Connections against the limit"]
    assert 'pg_stat_activity_count{service="$service"}' in connections["targets"][0]["expr"]
    steps = connections["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps[-1] == {"color": "red", "value": 0.9}
    deadlocks = {p.title: p.expr for p in orders_db.health_panels}["Deadlocks per 10 minutes"]
    dev_db = next(s for s in dev.services if s.name == "orders-db")
    compose = {p.title: p.expr for p in dev_db.health_panels}
    assert "pg_stat_database_deadlocks{" in deadlocks  # prod: Prometheus scrapes the exporter
    assert "pg_stat_database_deadlocks_total{" in compose["Deadlocks per 10 minutes"]
