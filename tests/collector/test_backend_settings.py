"""`--set collector.*` for a run on loopback: backend addresses, scrape targets and interval."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.errors import UsageError
from compiler.model import EnvironmentModel
from compiler.pipeline import load_estate
from targets.collector import TARGET
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def dev() -> EnvironmentModel:
    return load_estate(ROOT).resolved.environments["dev"]


def _config(model: EnvironmentModel, **values: str) -> dict[str, Any]:
    assert TARGET.configure is not None
    files = TARGET.configure(values)(model)
    loaded: dict[str, Any] = YAML(typ="safe").load(files["config.yaml"])
    return loaded


def test_defaults_name_the_compose_services(dev: EnvironmentModel) -> None:
    exporters = _config(dev)["exporters"]
    assert exporters["prometheus_remote_write"]["endpoint"] == "http://prometheus:9090/api/v1/write"
    assert exporters["otlp_http/loki"]["endpoint"] == "http://loki:3100/otlp"
    assert exporters["otlp_grpc/tempo"]["endpoint"] == "tempo:4317"
    assert TARGET.render(dev) == TARGET.configure({})(dev)  # type: ignore[misc]


def test_backends_move_to_the_given_addresses(dev: EnvironmentModel) -> None:
    exporters = _config(
        dev,
        prometheusUrl="http://127.0.0.1:19090/",
        lokiUrl="http://127.0.0.1:13100",
        tempoEndpoint="127.0.0.1:14317",
    )["exporters"]
    assert exporters["prometheus_remote_write"]["endpoint"] == (
        "http://127.0.0.1:19090/api/v1/write"
    )
    assert exporters["otlp_http/loki"]["endpoint"] == "http://127.0.0.1:13100/otlp"
    assert exporters["otlp_grpc/tempo"]["endpoint"] == "127.0.0.1:14317"
    assert exporters["otlp_grpc/tempo"]["tls"] == {"insecure": True}


def test_scrape_targets_keep_only_the_listed_services(dev: EnvironmentModel) -> None:
    jobs = _config(dev)["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert len(jobs) > 2 and {j["scrape_interval"] for j in jobs} == {"15s"}
    checkout = next(j for j in jobs if j["job_name"] == "checkout")

    scraped = _config(
        dev, scrapeTargets="checkout=127.0.0.1:15000,search=127.0.0.1:18000", scrapeInterval="2s"
    )["receivers"]["prometheus"]["config"]["scrape_configs"]
    assert [j["job_name"] for j in scraped] == ["checkout", "search"]
    assert scraped[0] == {
        **checkout,
        "scrape_interval": "2s",
        "static_configs": [{"targets": ["127.0.0.1:15000"], "labels": {"service": "checkout"}}],
    }


def test_a_scrape_target_for_an_unscraped_service_is_a_usage_error(
    dev: EnvironmentModel,
) -> None:
    with pytest.raises(UsageError, match=r"checkuot: no such service scraped in environment 'dev'"):
        _config(dev, scrapeTargets="checkuot=127.0.0.1:1")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("prometheusUrl", "127.0.0.1:9090", "collector.prometheusUrl: expected an http"),
        ("lokiUrl", "loki", "collector.lokiUrl: expected an http"),
        ("tempoEndpoint", "http://tempo:4317", "collector.tempoEndpoint: expected HOST:PORT"),
        ("scrapeTargets", "checkout", "expected SERVICE=HOST:PORT"),
        ("scrapeTargets", "a=h:1,a=h:2", "service 'a' is given twice"),
        ("scrapeInterval", "fast", "collector.scrapeInterval: expected a duration"),
    ],
)
def test_bad_values_are_rejected(key: str, value: str, message: str) -> None:
    assert TARGET.configure is not None
    with pytest.raises(ValueError, match=message):
        TARGET.configure({key: value})
