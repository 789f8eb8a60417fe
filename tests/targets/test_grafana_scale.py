"""The grafana target on generated estates (bench.generate --heavy): dashboards per framework
and per team, not per service, and every service still reachable on one of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.generate import generate
from compiler.model import EnvironmentModel
from compiler.output.links import service_dashboard_uid
from compiler.pipeline import load_estate
from targets.grafana import render_grafana

pytestmark = pytest.mark.slow  # loads two estates of hundreds of services


def _prod(tmp_path: Path, services: int) -> EnvironmentModel:
    repo = tmp_path / f"estate-{services}"
    generate(repo, services=services, heavy=True)
    return load_estate(repo).resolved.environments["prod"]


@pytest.fixture(scope="module")
def estates(tmp_path_factory: pytest.TempPathFactory) -> dict[int, EnvironmentModel]:
    tmp = tmp_path_factory.mktemp("grafana-scale")
    return {size: _prod(tmp, size) for size in (400, 800)}


def test_the_heavy_estate_has_three_slos_and_every_target(
    estates: dict[int, EnvironmentModel],
) -> None:
    model = estates[400]
    assert {"grafana", "alerts", "helm", "gitops", "instrumentation"} <= set(model.targets)
    for service in model.services:
        assert [slo.sli.kind for slo in service.slos] == ["availability", "latency", "ratio"]


def test_dashboards_do_not_grow_in_number_with_the_services(
    estates: dict[int, EnvironmentModel],
) -> None:
    small, large = (render_grafana(estates[size]) for size in (400, 800))
    assert set(small) == set(large)  # the same frameworks and teams, twice the services
    frameworks = {s.framework for s in estates[800].services}
    teams = {s.team for s in estates[800].services}
    dashboards = [path for path in large if path.endswith(".json")]
    assert len(dashboards) == len(frameworks) + len(teams) + 1  # and the stack's
    # What grows is the service variable's list and the overviews' name matchers.
    per_service = (sum(map(len, large.values())) - sum(map(len, small.values()))) / 400
    assert per_service < 300, per_service


def test_every_generated_service_is_offered_by_its_frameworks_dashboard(
    estates: dict[int, EnvironmentModel],
) -> None:
    model = estates[800]
    boards = {
        board["uid"]: board
        for board in (
            json.loads(content)
            for path, content in render_grafana(model).items()
            if path.endswith(".json")
        )
    }
    for service in model.services:
        board = boards[service_dashboard_uid(service.framework)]
        variable = next(v for v in board["templating"]["list"] if v["name"] == "service")
        assert service.name in variable["query"].split(","), service.name
