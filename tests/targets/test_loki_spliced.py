"""The Loki rules file spliced from per-service pieces (targets.alerts.LOKI_RULES) is the file
made whole (`render_loki_rules`), byte for byte: with application and infrastructure
services, with logs SLIs after the alert groups, with no service that gets an alert, and
with no service at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.model import EnvironmentModel
from compiler.pipeline import load_estate
from targets.alerts import LOKI_RULES, TARGET
from targets.alerts.loki import covered, render_loki_rules
from tests.conftest import ROOT
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
