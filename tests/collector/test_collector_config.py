"""The collector target's config: accepted by the real collector, and built as intended."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.model import EnvironmentModel
from targets.collector import collector_config, platform_of
from targets.collector.components import COMPONENTS
from targets.collector.pipelines import groups
from targets.collector.settings import CollectorSettings, parse_settings
from tests.conftest import ROOT

RENDERED = ROOT / "rendered"
CONFIGS = sorted(RENDERED.glob("*/collector/config.yaml"))
MANIFEST = ROOT / "scripts" / "otelcol-builder.yaml"


def _load(path: Path) -> dict[str, object]:
    data = YAML(typ="safe").load(path.read_text())
    assert isinstance(data, dict)
    return data


def _validate(binary: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """`otelcol validate`: every component built, configured and wired, none started."""
    return subprocess.run(
        [str(binary), "validate", f"--config=file:{config}"],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.parent.parent.name)
def test_real_collector_validates_rendered_config(
    config: Path, real_tool: Callable[[str], Path]
) -> None:
    result = _validate(real_tool("otelcol-obsc"), config)
    assert result.returncode == 0, result.stderr
    # Deprecated component names only warn; an obsolete name is a defect here.
    assert "deprecated" not in result.stderr.lower(), result.stderr


def test_example_estate_renders_a_collector_per_environment() -> None:
    assert [p.parent.parent.name for p in CONFIGS] == ["dev", "prod"]


def test_builder_manifest_builds_exactly_the_component_table() -> None:
    manifest = YAML(typ="safe").load(MANIFEST.read_text())
    for section, table in COMPONENTS.items():
        built = {entry["gomod"].split()[0] for entry in manifest[section]}
        assert built == set(table.values()), section


def test_every_rendered_component_is_in_the_component_table() -> None:
    for path in CONFIGS:
        config = _load(path)
        for section, table in COMPONENTS.items():
            for component_id in config.get(section) or {}:  # type: ignore[attr-defined]
                assert component_id.split("/", 1)[0] in table, (path, component_id)


def test_built_collector_knows_the_component_table(real_tool: Callable[[str], Path]) -> None:
    binary = real_tool("otelcol-obsc")
    listed = YAML(typ="safe").load(
        subprocess.run(
            [str(binary), "components"], capture_output=True, text=True, check=True
        ).stdout
    )
    for section, table in COMPONENTS.items():
        assert {c["name"] for c in listed[section]} == set(table), section


def _model(example_models: dict[str, EnvironmentModel], env: str) -> EnvironmentModel:
    return example_models[env]


@pytest.fixture(scope="module")
def example_models() -> dict[str, EnvironmentModel]:
    from compiler.pipeline import validate

    estate, _ = validate(ROOT, False)
    return dict(estate.resolved.environments)


def test_memory_limiter_comes_first_and_every_signal_reaches_a_backend(
    example_models: dict[str, EnvironmentModel],
) -> None:
    for model in example_models.values():
        config = collector_config(model, CollectorSettings())
        pipelines = config["service"]["pipelines"]  # type: ignore[index]
        for name, pipeline in pipelines.items():
            if name.endswith("/ingest"):
                assert pipeline["processors"][0] == "memory_limiter"
        for signal, exporter in (
            ("logs", "otlp_http/loki"),
            ("metrics", "prometheus_remote_write"),
            ("traces", "otlp_grpc/tempo"),
        ):
            exits = [
                p
                for n, p in pipelines.items()
                if n.startswith(signal + "/") and exporter in p["exporters"]
            ]
            assert exits, f"{model.environment}: no {signal} pipeline exports to {exporter}"


def test_groups_partition_the_services(example_models: dict[str, EnvironmentModel]) -> None:
    """Each declared service is in exactly one group per signal; the rest go to one group."""
    for model in example_models.values():
        for traces in (False, True):
            found = groups(model, traces)
            members = [m for g in found for m in g.members]
            assert sorted(members) == sorted(s.name for s in model.services)
            assert sum(g.unlisted for g in found) == 1
            for g in found:
                for name in g.members:
                    service = model.service(name)
                    assert service is not None
                    assert g.policies == ((service.redaction,) if service.redaction else ())
                    if traces:
                        assert g.sampling == service.sampling


def test_sampling_ratios_come_from_the_model(example_models: dict[str, EnvironmentModel]) -> None:
    model = example_models["prod"]
    config = collector_config(model, CollectorSettings())
    samplers = {
        k: v
        for k, v in config["processors"].items()  # type: ignore[attr-defined]
        if k.startswith("probabilistic_sampler/")
    }
    ratios = {round(s.sampling * 100, 6) for s in model.services if s.sampling < 1}
    assert {v["sampling_percentage"] for v in samplers.values()} == ratios


def test_platform_follows_the_deployment_targets(
    example_models: dict[str, EnvironmentModel],
) -> None:
    assert platform_of(example_models["dev"], CollectorSettings()) == "compose"
    model = example_models["prod"]  # deployed with helm and gitops
    assert platform_of(model, CollectorSettings()) == "kubernetes"
    assert platform_of(model, parse_settings({"platform": "compose"})) == "compose"
    k8s = collector_config(model, CollectorSettings())
    assert "prometheus" not in k8s["receivers"]  # type: ignore[operator]  # PodMonitors scrape
    assert "k8s_attributes" in k8s["processors"]  # type: ignore[operator]
    assert k8s["receivers"]["file_log/containers"]["include"] == ["/var/log/pods/*/*/*.log"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"exporters": "s3:bucket"}, "expected file:DIR"),
        ({"platform": "nomad"}, "expected compose or kubernetes"),
        ({"healthPort": "70000"}, "expected a port"),
        ({"colour": "blue"}, "unknown setting collector.colour"),
    ],
)
def test_bad_settings_are_rejected(values: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_settings(values)


def test_real_collector_validates_the_kubernetes_variant(
    example_models: dict[str, EnvironmentModel], real_tool: Callable[[str], Path], tmp_path: Path
) -> None:
    """The Kubernetes variant (prod, deployed with helm) passes the real collector's validate."""
    binary = real_tool("otelcol-obsc")
    from targets.collector import render_collector

    config = tmp_path / "config.yaml"
    config.write_bytes(
        render_collector(example_models["prod"], parse_settings({"platform": "kubernetes"}))[
            "config.yaml"
        ]
    )
    result = _validate(binary, config)
    assert result.returncode == 0, result.stderr
