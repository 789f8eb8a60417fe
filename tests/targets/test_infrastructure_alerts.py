"""Alerts a framework gives its services (`Framework.spec.alerts`): databases, caches, proxies.

Each built-in infrastructure framework ships the alerts its exporter's community considers
essential (down, connections near the limit, replication, memory, deadlocks, rejected or
dropped connections). They render as own alerts of every service of that framework, with
their generated promtool tests, under the metric names as they arrive on the environment's
path (the collector renames counters on compose).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.errors import DiagnosticSink
from compiler.frameworks import load_builtin_frameworks
from compiler.pipeline import load_estate
from compiler.spec.own_alerts import SERVICE_ALERT_SUFFIXES, camel, check_framework_alerts
from targets.alerts import render_alerts
from tests.kube import write_tree
from tests.realtools import Tool
from tests.targets.promtool import promtool

INFRASTRUCTURE = {
    "orders-db": "postgres",
    "legacy-db": "mysql",
    "cache": "redis",
    "catalog-db": "mongodb",
    "edge": "nginx",
}
SERVICE = """\
apiVersion: obsc.dev/v1
kind: Service
metadata:
  name: {name}
  team: platform
  tier: 2
spec:
  framework: {framework}
  port: 1234
{extra}"""


def _repo(minimal_repo: Path, extra: dict[str, str] | None = None) -> Path:
    """The minimal estate plus one service per infrastructure framework; prod on Kubernetes."""
    project = minimal_repo / "specs" / "project.yaml"
    text = project.read_text().replace(
        "      targets: [model]\n      sampling: 0.1",
        "      targets: [model, collector, alerts, grafana, helm]\n      sampling: 0.1",
    )
    project.write_text(text)
    for name, framework in INFRASTRUCTURE.items():
        spec = SERVICE.format(name=name, framework=framework, extra=(extra or {}).get(name, ""))
        (minimal_repo / "specs" / "services" / f"{name}.yaml").write_text(spec)
    return minimal_repo


def _rules(files: dict[str, bytes], service: str) -> dict[str, dict[str, object]]:
    groups = YAML(typ="safe").load(files[f"rules/{service}.rules.yaml"])["groups"]
    own = next(g for g in groups if g["name"] == f"obsc-alerts-{service}")["rules"]
    return {rule["alert"]: rule for rule in own}


def test_every_builtin_framework_alert_parses_and_is_testable() -> None:
    sink = DiagnosticSink()
    frameworks = load_builtin_frameworks(sink)
    with_alerts = {p.model.metadata.name for p in frameworks if p.model.spec.alerts}
    assert with_alerts >= {"postgres", "mysql", "redis", "mongodb", "nginx"}
    for parsed in frameworks:
        check_framework_alerts(parsed.model, parsed.document, sink)
        for alert in parsed.model.spec.alerts:
            assert not camel(alert.name).endswith(SERVICE_ALERT_SUFFIXES)
            assert "${service}" in alert.expr, f"{parsed.model.metadata.name}/{alert.name}"
    assert not sink.items, [d.message for d in sink.items]


def test_each_infrastructure_service_gets_down_and_limit_alerts(minimal_repo: Path) -> None:
    files = render_alerts(load_estate(_repo(minimal_repo)).resolved.environments["dev"])
    postgres = _rules(files, "orders-db")
    assert list(postgres) == [
        "OrdersDbDown",
        "OrdersDbConnectionsNearLimit",
        "OrdersDbDeadlocks",
        "OrdersDbReplicationLag",
    ]
    assert postgres["OrdersDbDown"]["expr"] == 'pg_up{service="orders-db"} == 0'
    assert postgres["OrdersDbDown"]["labels"] == {
        "service": "orders-db",
        "severity": "page",
        "team": "platform",
    }
    for service in INFRASTRUCTURE:
        rules = _rules(files, service)
        assert f"{camel(service)}Down" in rules, service
        assert all(f'service="{service}"' in str(r["expr"]) for r in rules.values())


def test_counters_are_named_as_they_arrive_on_each_path(minimal_repo: Path) -> None:
    environments = load_estate(_repo(minimal_repo)).resolved.environments
    compose = _rules(render_alerts(environments["dev"]), "edge")["EdgeDroppedConnections"]
    kubernetes = _rules(render_alerts(environments["prod"]), "edge")["EdgeDroppedConnections"]
    # The collector's remote write appends `_total` to a counter (docs/contracts.md).
    assert "nginx_connections_accepted_total{" in str(compose["expr"])
    assert "nginx_connections_accepted{" in str(kubernetes["expr"])
    deadlocks = _rules(render_alerts(environments["dev"]), "orders-db")["OrdersDbDeadlocks"]
    assert "pg_stat_database_deadlocks_total{" in str(deadlocks["expr"])


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_promtool_proves_every_infrastructure_alert_fires_after_for(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path, environment: str
) -> None:
    files = render_alerts(load_estate(_repo(minimal_repo)).resolved.environments[environment])
    root = tmp_path / "alerts"
    write_tree(files, root)
    for service in INFRASTRUCTURE:
        done = promtool(real_tool, "check", "rules", f"rules/{service}.rules.yaml", cwd=root)
        assert done.returncode == 0, done.stdout + done.stderr
        done = promtool(real_tool, "test", "rules", f"{service}.test.yaml", cwd=root / "tests")
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{camel(service)}Down" in (root / "tests" / f"{service}.test.yaml").read_text()


def test_a_wrong_threshold_fails_the_generated_tests(
    real_tool: Tool, minimal_repo: Path, tmp_path: Path
) -> None:
    files = render_alerts(load_estate(_repo(minimal_repo)).resolved.environments["dev"])
    rules = files["rules/cache.rules.yaml"].decode()
    assert "> 0.9" in rules
    files["rules/cache.rules.yaml"] = rules.replace("> 0.9", "> 0.99").encode()
    root = tmp_path / "alerts"
    write_tree(files, root)
    done = promtool(real_tool, "test", "rules", "cache.test.yaml", cwd=root / "tests")
    assert done.returncode != 0
    assert "CacheConnectionsNearLimit" in done.stdout + done.stderr


def test_a_service_replaces_or_switches_off_its_frameworks_alert(minimal_repo: Path) -> None:
    extra = {
        "cache": """\
  alerts:
    - name: down
      expr: 'redis_up{service="cache"} == 0'
      for: 1m
      severity: ticket
      summary: The session cache is down (sessions fall back to the database)
  environments:
    dev: {alerts: {memory-near-max: {enabled: false}, replica-link-down: {severity: page}}}
"""
    }
    files = render_alerts(load_estate(_repo(minimal_repo, extra)).resolved.environments["dev"])
    rules = _rules(files, "cache")
    assert rules["CacheDown"]["for"] == "1m"
    assert rules["CacheDown"]["labels"]["severity"] == "ticket"  # type: ignore[index]
    assert "CacheMemoryNearMax" not in rules
    assert rules["CacheReplicaLinkDown"]["labels"]["severity"] == "page"  # type: ignore[index]


def test_an_override_must_name_an_alert_the_service_has(minimal_repo: Path) -> None:
    from compiler.errors import SpecError

    extra = {
        "cache": "  environments:\n    dev: {alerts: {memory-near-maximum: {enabled: false}}}\n"
    }
    with pytest.raises(SpecError) as caught:
        load_estate(_repo(minimal_repo, extra))
    messages = [d for d in caught.value.diagnostics if d.code == "OBSC334"]
    assert messages and "memory-near-maximum" in messages[0].message


def test_exporter_arguments_are_resolved_from_the_framework(minimal_repo: Path) -> None:
    """mongodb_exporter serves serverStatus (mongodb_ss_*) only with this collector on."""
    estate = load_estate(_repo(minimal_repo)).resolved.environments["dev"]
    exporters = {s.name: s.exporter for s in estate.services if s.exporter is not None}
    assert exporters["catalog-db"].args == ("--collector.diagnosticdata",)
    assert exporters["orders-db"].args == ()
