"""The Loki rules file spliced from per-service pieces (targets.alerts.LOKI_RULES) is the file
made whole (`render_loki_rules`), byte for byte: with application and infrastructure
services, with logs SLIs after the alert groups, with no service that gets an alert, and
with no service at all; after one service changed, only its piece is made again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.generate import generate
from compiler.model import EnvironmentModel, ResolvedService
from compiler.pipeline import load_estate
from compiler.render.contract import JSONValue
from targets import TARGETS
from targets.alerts import LOKI_RULES, TARGET
from targets.alerts.loki import covered, loki_piece, render_loki_rules
from tests.conftest import ROOT, ObscRunner
from tests.targets.test_logs_sli import _repo


def _spliced(model: EnvironmentModel) -> bytes:
    return LOKI_RULES.render(model)["loki/rules.yaml"]


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_the_example_estates_file(environment: str) -> None:
    model = load_estate(ROOT).resolved.environments[environment]
    assert any(covered(s) for s in model.services)
    assert any(not covered(s) for s in model.services)
    assert _spliced(model) == render_loki_rules(model)
    assert TARGET.render(model)["loki/rules.yaml"] == render_loki_rules(model)


def test_logs_slis_follow_the_alert_groups(minimal_repo: Path) -> None:
    model = load_estate(_repo(minimal_repo)).resolved.environments["prod"]
    whole = render_loki_rules(model)
    assert b"obsc-slo-logs-api" in whole and b"obsc-logs-api" in whole
    assert _spliced(model) == whole


def test_no_service_with_an_alert_and_no_service() -> None:
    model = load_estate(ROOT).resolved.environments["prod"]
    infrastructure = tuple(s for s in model.services if not covered(s))
    assert infrastructure
    for services in (infrastructure, ()):
        only = model.model_copy(update={"services": services})
        assert _spliced(only) == render_loki_rules(only) == b"groups: []\n"


@pytest.fixture
def loki_pieces(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The services whose Loki piece is made (not cut from the file on disk), by name."""
    monkeypatch.setenv("OBSC_JOBS", "1")  # in this process, where the counting happens
    made: list[str] = []

    def counting(context: JSONValue, service: ResolvedService) -> bytes:
        made.append(service.name)
        return loki_piece(context, service)  # type: ignore[arg-type]

    replaced = dataclasses.replace(LOKI_RULES, piece=counting)
    monkeypatch.setitem(TARGETS, "alerts", dataclasses.replace(TARGET, spliced=replaced))
    yield made


def test_after_one_change_only_that_services_piece_is_made(
    obsc: ObscRunner, tmp_path: Path, loki_pieces: list[str]
) -> None:
    repo = tmp_path / "estate"
    generate(repo, services=12)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    assert len(loki_pieces) == 12 * 2  # every service, dev and prod
    rules = sorted((repo / "rendered").glob("*/alerts/loki/rules.yaml"))
    spec = sorted((repo / "specs" / "services").rglob("*.yaml"))[0]
    spec.write_text(spec.read_text().replace("svc-00000", "svc-renamed"))
    loki_pieces.clear()
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    assert sorted(loki_pieces) == ["svc-renamed", "svc-renamed"]
    for path in rules:
        model = load_estate(repo).resolved.environments[path.parent.parent.parent.name]
        assert path.read_bytes() == render_loki_rules(model)
