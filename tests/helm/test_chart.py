"""The helm target's chart, without the real tools: layout, version, values and packaging."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from targets.helm.chart import chart_version
from targets.helm.files import CHUNK_BYTES, chunk_rule_file, split_groups
from tests.kube import objects

SEMVER = re.compile(r"^0\.1\.0\+[0-9a-f]{12}$")
yaml = YAML(typ="safe")


def _chart(rendered_estates: dict[str, Path], env: str = "prod") -> Path:
    return rendered_estates["example"] / env / "helm" / "obs-stack"


def test_chart_version_is_a_digest_of_the_chart_and_app_version_the_collector(
    rendered_estates: dict[str, Path],
) -> None:
    chart = _chart(rendered_estates)
    meta = yaml.load((chart / "Chart.yaml").read_text())
    assert SEMVER.match(meta["version"]), meta["version"]
    assert meta["appVersion"] == "0.159.0"
    files = {
        p.relative_to(chart).as_posix(): p.read_bytes()
        for p in chart.rglob("*")
        if p.is_file() and p.name != "Chart.yaml"
    }
    assert meta["version"] == chart_version(files)
    changed = dict(files, **{"files/collector/config.yaml": b"receivers: {}\n"})
    assert chart_version(changed) != meta["version"]


def _tree(root: Path) -> dict[Path, bytes]:
    """Every file under `root` (directories may have dots too: `obsc.stack/`)."""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_chart_ships_the_consumed_files_unchanged(rendered_estates: dict[str, Path]) -> None:
    env = rendered_estates["example"] / "prod"
    files = _chart(rendered_estates) / "files"
    assert (files / "collector/config.yaml").read_bytes() == (
        env / "collector/config.yaml"
    ).read_bytes()
    assert (files / "alerts/alertmanager.yaml").read_bytes() == (
        env / "alerts/alertmanager.yaml"
    ).read_bytes()
    assert (files / "grafana/datasources.yaml").read_bytes() == (
        env / "grafana/provisioning/datasources/datasources.yaml"
    ).read_bytes()
    for source in ("alerts/rules", "alerts/loki", "grafana/dashboards"):
        assert _tree(files / source) == _tree(env / source), source
    assert not (files / "alerts/tests").exists()  # promtool unit tests are not deployed


def test_values_validate_against_the_chart_schema(rendered_estates: dict[str, Path]) -> None:
    flux = sorted(rendered_estates["flux"].glob("*/helm/obs-stack"))
    for chart in [*flux, _chart(rendered_estates)]:
        schema = json.loads((chart / "values.schema.json").read_text())
        jsonschema.Draft7Validator.check_schema(schema)
        jsonschema.validate(yaml.load((chart / "values.yaml").read_text()), schema)


def test_values_carry_the_retention_the_users_backends_need(
    rendered_estates: dict[str, Path],
) -> None:
    """The figures of the compose stack, for the Prometheus and Loki the chart does not run."""
    backends = yaml.load((_chart(rendered_estates) / "values.yaml").read_text())["backends"]
    assert backends["prometheus"]["retention"] == {
        "period": "32d",
        "minimum": "32d",
        "requiredBy": "the 30d window of SLO accounts/availability, plus a 2d margin",
    }
    assert backends["loki"]["retention"] == {
        "period": "30d",
        "minimum": "1d",
        "requiredBy": "Loki's compactor applies retention per 24h index table",
    }
    assert backends["tempo"] == {"externalName": ""}


def test_the_schema_refuses_a_retention_that_is_not_a_duration(
    rendered_estates: dict[str, Path],
) -> None:
    chart = _chart(rendered_estates)
    schema = json.loads((chart / "values.schema.json").read_text())
    values = yaml.load((chart / "values.yaml").read_text())
    values["backends"]["prometheus"]["retention"]["period"] = "a month"
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(values))
    assert [list(e.absolute_path) for e in errors] == [
        ["backends", "prometheus", "retention", "period"]
    ]


def test_pod_monitors_cover_exactly_the_services_prometheus_scrapes(
    rendered_estates: dict[str, Path],
) -> None:
    values = yaml.load((_chart(rendered_estates) / "values.yaml").read_text())
    scraped = {
        s["name"]: (s["selector"], s["port"], s["path"]) for s in values["podMonitors"]["services"]
    }
    # OTLP pushers (auth, edge-gateway, storefront) and span-derived metrics (backoffice)
    # are not scraped; infrastructure is scraped through its exporter.
    assert not {"auth", "edge-gateway", "storefront", "backoffice"} & set(scraped)
    assert scraped["orders-db"] == ("orders-db-exporter", 9187, "/metrics")
    assert scraped["payment-gateway"] == ("payment-gateway", 8080, "/actuator/prometheus")
    assert len(scraped) == 12


def test_instrumentation_leaves_agent_loading_to_the_operator(
    rendered_estates: dict[str, Path],
) -> None:
    values = yaml.load((_chart(rendered_estates) / "values.yaml").read_text())
    languages = values["instrumentation"]["languages"]
    assert sorted(languages) == ["dotnet", "go", "java", "nodejs", "python"]
    names = {e["name"] for lang in languages.values() for e in lang["env"]}
    assert names and all(n.startswith("OTEL_") for n in names)
    assert "OTEL_DOTNET_AUTO_HOME" not in names
    assert {lang: s["port"] for lang, s in languages.items()} == {
        "dotnet": 4318,
        "go": 4318,
        "java": 4317,
        "nodejs": 4317,
        "python": 4318,
    }


def test_alertmanager_config_holds_references_not_credentials(
    rendered_estates: dict[str, Path],
) -> None:
    chart = _chart(rendered_estates)
    values = yaml.load((chart / "values.yaml").read_text())
    assert values["alertmanager"]["secretRefs"] == ["alertmanager-secrets"]
    config = (chart / "files/alerts/alertmanager.yaml").read_text()
    assert "/etc/alertmanager/secrets/alertmanager-secrets/" in config
    for field in ("api_url", "routing_key", "service_key", "auth_password"):
        assert not re.search(rf"^\s*{field}:", config, re.M), field


def test_small_rule_files_are_kept_whole_and_large_ones_cut_between_groups() -> None:
    small = b"groups:\n- name: a\n  rules: []\n"
    assert chunk_rule_file(small) == [small]
    groups = [
        f"- name: g{i}\n  rules:\n  - record: r\n    expr: '{'1' * 1000}'\n" for i in range(2000)
    ]
    big = ("groups:\n" + "".join(groups)).encode()
    chunks = chunk_rule_file(big)
    assert len(chunks) > 1
    assert all(len(c) <= CHUNK_BYTES and c.startswith(b"groups:\n") for c in chunks)
    assert b"".join(g for c in chunks for g in split_groups(c)) == big[len(b"groups:\n") :]
    for chunk in chunks:
        assert objects(chunk.decode())[0]["groups"]  # each part is a rule file itself


def test_a_single_oversized_group_gets_a_part_of_its_own() -> None:
    huge = "- name: huge\n  rules:\n" + "".join(
        f"  - record: r{i}\n    expr: '1'\n" for i in range(30000)
    )
    content = ("groups:\n- name: a\n  rules: []\n" + huge + "- name: b\n  rules: []\n").encode()
    chunks = chunk_rule_file(content)
    assert [len(split_groups(c)) for c in chunks] == [1, 1, 1]
