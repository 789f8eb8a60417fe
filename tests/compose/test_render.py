"""The compose target's files, and the names it shares with the targets it packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.model import ComposeModel, EnvironmentModel
from compiler.pipeline import load_estate, render_files
from targets import TARGETS
from targets.alerts.alertmanager import SECRETS_DIR as ALERTS_SECRETS_DIR
from targets.collector import CONFIG_FILE, collector_config
from targets.collector.settings import CollectorSettings
from targets.compose import assemble_compose, names
from targets.grafana.names import DASHBOARDS_MOUNT
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dev() -> EnvironmentModel:
    return load_estate(ROOT).resolved.environments["dev"]


@pytest.fixture(scope="module")
def files(dev: EnvironmentModel) -> dict[str, bytes]:
    rendered = render_files(load_estate(ROOT).resolved, [("dev", "compose")])
    return {path.removeprefix("dev/"): content for path, content in rendered.items()}


def _yaml(content: bytes) -> dict[str, object]:
    data = YAML(typ="safe").load(content)
    assert isinstance(data, dict)
    return data


def test_shared_names_match_the_targets_that_own_them(dev: EnvironmentModel) -> None:
    assert names.DASHBOARDS_MOUNT == DASHBOARDS_MOUNT
    assert names.ALERTMANAGER_SECRETS_MOUNT == ALERTS_SECRETS_DIR
    assert f"collector/{CONFIG_FILE}" == names.COLLECTOR_CONFIG
    collector = collector_config(dev, CollectorSettings())
    exporters = collector["exporters"]
    assert isinstance(exporters, dict)
    assert exporters["otlp_grpc/tempo"]["endpoint"] == f"{names.TEMPO}:4317"
    assert exporters["otlp_http/loki"]["endpoint"] == f"http://{names.LOKI}:{names.LOKI_PORT}/otlp"
    remote_write = f"http://{names.PROMETHEUS}:{names.PROMETHEUS_PORT}/api/v1/write"
    assert exporters["prometheus_remote_write"]["endpoint"] == remote_write


def test_the_target_packages_collector_alerts_and_grafana() -> None:
    target = TARGETS["compose"]
    assert target.consumes == ("collector", "alerts", "grafana")
    assert target.assemble is assemble_compose


def test_renders_the_overlay_and_backend_configs(files: dict[str, bytes]) -> None:
    assert sorted(files) == [
        "compose/loki.yaml",
        "compose/obs-stack.yml",
        "compose/prometheus.yml",
        "compose/tempo.yaml",
    ]


def test_without_a_compose_file_every_application_service_is_addressed(
    dev: EnvironmentModel, files: dict[str, bytes]
) -> None:
    services = _yaml(files["compose/obs-stack.yml"])["services"]
    assert isinstance(services, dict)
    applications = {s.name for s in dev.services if s.category == "application"}
    injected = {name for name, s in services.items() if "logging" in s}
    assert injected == applications
    assert "orders-db" not in services  # infrastructure: no image the overlay could know
    assert services["orders-db-exporter"]["image"].startswith("prometheuscommunity/")
    mount = services["prometheus"]["volumes"][0]
    assert mount["source"] == "./rendered/dev/compose/prometheus.yml"
    assert services["grafana"]["ports"] == [
        {"target": 3000, "published": "3000", "protocol": "tcp"}
    ]


def test_images_are_the_pinned_stack(dev: EnvironmentModel, files: dict[str, bytes]) -> None:
    services = _yaml(files["compose/obs-stack.yml"])["services"]
    assert isinstance(services, dict)
    stack = dev.stack
    assert services["otel-collector"]["image"] == stack.collector.image
    assert services["prometheus"]["image"] == stack.prometheus.image
    assert services["alertmanager"]["image"] == stack.alertmanager.image
    assert services["loki"]["image"] == stack.loki.image
    assert services["tempo"]["image"] == stack.tempo.image
    assert services["grafana"]["image"] == stack.grafana.image


def test_loki_keeps_what_the_log_rules_need(files: dict[str, bytes]) -> None:
    loki = _yaml(files["compose/loki.yaml"])
    assert loki["limits_config"] == {
        "allow_structured_metadata": True,
        "discover_log_levels": True,
        "volume_enabled": True,
        "retention_period": "30d",
    }
    [schema] = loki["schema_config"]["configs"]  # type: ignore[index]
    assert schema["schema"] == "v13" and schema["store"] == "tsdb"


def test_loki_deletes_logs_older_than_its_retention(
    dev: EnvironmentModel, files: dict[str, bytes]
) -> None:
    loki = _yaml(files["compose/loki.yaml"])
    assert loki["limits_config"]["retention_period"] == dev.stack.loki.retention.period  # type: ignore[index]
    assert loki["compactor"] == {
        "working_directory": "/loki/compactor",
        "compaction_interval": "10m",
        "retention_enabled": True,
        "retention_delete_delay": "2h",
        "delete_request_store": "filesystem",
    }


def test_prometheus_keeps_the_longest_slo_window_and_a_margin(
    dev: EnvironmentModel, files: dict[str, bytes]
) -> None:
    services = _yaml(files["compose/obs-stack.yml"])["services"]
    assert isinstance(services, dict)
    # The example estate's longest SLO window is 30d; obsc adds 2d.
    assert dev.stack.prometheus.retention.period == "32d"
    assert "--storage.tsdb.retention.time=32d" in services["prometheus"]["command"]


def test_a_raised_retention_reaches_the_compose_files(dev: EnvironmentModel) -> None:
    stack = dev.stack
    raised = stack.model_copy(
        update={
            "prometheus": stack.prometheus.model_copy(
                update={
                    "retention": stack.prometheus.retention.model_copy(update={"period": "90d"})
                }
            ),
            "loki": stack.loki.model_copy(
                update={"retention": stack.loki.retention.model_copy(update={"period": "7d"})}
            ),
        }
    )
    files = assemble_compose(dev.model_copy(update={"stack": raised}), _consumed())
    services = _yaml(files["obs-stack.yml"])["services"]
    assert isinstance(services, dict)
    assert "--storage.tsdb.retention.time=90d" in services["prometheus"]["command"]
    assert _yaml(files["loki.yaml"])["limits_config"]["retention_period"] == "7d"  # type: ignore[index]


def test_tempo_receives_otlp_and_writes_service_graphs(files: dict[str, bytes]) -> None:
    tempo = _yaml(files["compose/tempo.yaml"])
    protocols = tempo["distributor"]["receivers"]["otlp"]["protocols"]  # type: ignore[index]
    assert protocols == {
        "grpc": {"endpoint": "0.0.0.0:4317"},
        "http": {"endpoint": "0.0.0.0:4318"},
    }
    generator = tempo["metrics_generator"]["storage"]["remote_write"]  # type: ignore[index]
    assert generator[0]["url"] == "http://prometheus:9090/api/v1/write"
    processors = tempo["overrides"]["defaults"]["metrics_generator"]["processors"]  # type: ignore[index]
    assert "service-graphs" in processors


def test_prometheus_scrapes_the_collector(files: dict[str, bytes]) -> None:
    prometheus = _yaml(files["compose/prometheus.yml"])
    targets = [
        t
        for job in prometheus["scrape_configs"]  # type: ignore[attr-defined]
        for group in job["static_configs"]
        for t in group["targets"]
    ]
    assert "otel-collector:8888" in targets


def test_rendering_is_deterministic(dev: EnvironmentModel) -> None:
    resolved = load_estate(ROOT).resolved
    first = render_files(resolved, [("dev", "compose")])
    assert render_files(resolved, [("dev", "compose")]) == first


def test_nothing_to_mount_is_an_error(dev: EnvironmentModel) -> None:
    with pytest.raises(ValueError, match=r"nothing rendered at collector/config\.yaml"):
        assemble_compose(dev, {})


def test_a_user_service_named_like_the_stack_is_refused(dev: EnvironmentModel) -> None:
    clashing = dev.model_copy(
        update={
            "compose": ComposeModel(
                file="docker-compose.yml",
                root=".",
                services=("prometheus", "web"),
                published_ports=(),
                network=None,
                ports=(),
            )
        }
    )
    with pytest.raises(ValueError, match="already has services named prometheus"):
        assemble_compose(clashing, _consumed())


def _consumed() -> dict[str, bytes]:
    """The example dev environment's files of the targets compose packages."""
    pairs = [("dev", t) for t in ("collector", "alerts", "grafana")]
    rendered = render_files(load_estate(ROOT).resolved, pairs)
    return {path.removeprefix("dev/"): content for path, content in rendered.items()}


def test_example_overlay_matches_the_compose_spec_schema(
    files: dict[str, bytes], tmp_path: Path
) -> None:
    overlay = tmp_path / "obs-stack.yml"
    overlay.write_bytes(files["compose/obs-stack.yml"])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(overlay),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("version", "checked"), [("3.5.7", True), ("3.6.0", False)])
def test_loki_is_health_checked_only_where_its_image_can(
    dev: EnvironmentModel, version: str, checked: bool
) -> None:
    loki = dev.stack.loki.model_copy(
        update={"version": version, "image": f"grafana/loki:{version}"}
    )
    model = dev.model_copy(update={"stack": dev.stack.model_copy(update={"loki": loki})})
    services = _yaml(assemble_compose(model, _consumed())["obs-stack.yml"])["services"]
    assert isinstance(services, dict)
    assert ("healthcheck" in services["loki"]) is checked
    assert ("x-obsc-healthcheck" in services["loki"]) is not checked
    condition = "service_healthy" if checked else "service_started"
    assert services["otel-collector"]["depends_on"]["loki"] == {"condition": condition}
    assert services["grafana"]["depends_on"]["loki"] == {"condition": condition}


def test_resolve_reserves_the_stack_service_names() -> None:
    from compiler.resolve.compose import STACK_SERVICES
    from targets.compose.stack import STACK

    assert set(STACK_SERVICES) == set(STACK)
