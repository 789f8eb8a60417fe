"""OBSC330: a ratio SLI whose selectors do not pick the service's own series; --strict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.spec.ratio_selector import selector_problems
from tests.conftest import ObscRunner, tree_bytes


@pytest.mark.parametrize(
    ("query", "reasons"),
    [
        ('sum(rate(orders_total{service="api"}[{{window}}]))', []),
        ('sum(rate(orders_total{service=~"api|api-canary"}[{{ window }}]))', []),
        ('sum(rate(x_total{service="api"}[{{window}}])) - sum(rate(y{service="api"}[5m]))', []),
        ("vector(1)", []),
        ("sum(rate(orders_total[{{window}}]))", ['has no service="api" matcher']),
        ('sum(rate(orders_total{service="billing"}[{{window}}]))', ['selects service "billing"']),
        ('sum(rate(orders_total{service=~"bill.*"}[{{window}}]))', ["does not match"]),
        ('sum(rate(orders_total{service=~".+"}[{{window}}]))', ["matches every service"]),
        ('sum(rate(orders_total{service!="billing"}[{{window}}]))', ["has no service="]),
        (  # one of two selectors is the service's own
            'sum(rate(ok_total{service="api"}[{{window}}])) / sum(rate(all_total[{{window}}]))',
            ["has no service="],
        ),
        (
            'sum(rate(x{service="api" or service="billing"}[{{window}}]))',
            ['selects service "billing"'],
        ),
        ('sum(rate(x_total[{{window}}])) # service="api" in a comment', ["has no service="]),
        ("sum(rate(x_total[{{window}}]", []),  # not PromQL: OBSC313 says so
    ],
)
def test_selector_problems(query: str, reasons: list[str]) -> None:
    found = [p.reason for p in selector_problems(query, "api")]
    assert len(found) == len(reasons), found
    for reason, expected in zip(found, reasons, strict=True):
        assert expected in reason


def _warnings(obsc: ObscRunner, repo: Path, *args: str) -> list[dict[str, object]]:
    result = obsc("--repo", repo, "--output", "json", "validate", "--no-policies", *args)
    assert result.code == 0, result.err
    diagnostics: list[dict[str, object]] = json.loads(result.out)["diagnostics"]
    return [d for d in diagnostics if d["code"] == "OBSC330"]


def test_warning_points_at_the_query(obsc: ObscRunner, minimal_repo: Path) -> None:
    """The minimal fixture's `orders` SLI sums every service's orders."""
    warnings = _warnings(obsc, minimal_repo)
    assert [(w["line"], w["column"], w["path"]) for w in warnings] == [
        (28, 15, "services.api.slos[2].sli.good"),
        (29, 16, "services.api.slos[2].sli.total"),
    ]
    assert warnings[0]["severity"] == "warning"
    assert 'orders_ok_total has no service="api" matcher' in str(warnings[0]["message"])
    assert 'add service="api" to every series selector' in str(warnings[0]["hint"])


def test_a_query_copied_from_another_service(obsc: ObscRunner, minimal_repo: Path) -> None:
    spec = minimal_repo / "specs/services/api.yaml"
    spec.write_text(
        spec.read_text()
        .replace("orders_ok_total[", 'orders_ok_total{service="api"}[')
        .replace("orders_total[", 'orders_total{service="checkout"}[')
    )
    (warning,) = _warnings(obsc, minimal_repo)
    assert warning["path"] == "services.api.slos[2].sli.total"
    assert 'selects service "checkout", not "api"' in str(warning["message"])


def test_strict_makes_it_an_error_and_renders_nothing(obsc: ObscRunner, minimal_repo: Path) -> None:
    validate = obsc("--repo", minimal_repo, "validate", "--no-policies", "--strict")
    assert validate.code == 2
    assert "specs/services/api.yaml:28:15: error[OBSC330]: services.api.slos[2].sli.good" in (
        validate.err
    )
    assert "--strict: 2 warnings" in validate.err
    render = obsc("--repo", minimal_repo, "render", "--no-policies", "--strict")
    assert render.code == 2
    assert "error[OBSC330]" in render.err
    assert tree_bytes(minimal_repo / "rendered") == {}
    # without --strict the same specs render, and a later --strict still refuses them
    assert obsc("--repo", minimal_repo, "render", "--no-policies").code == 0
    again = obsc("--repo", minimal_repo, "render", "--no-policies", "--strict", "--check")
    assert again.code == 2
    assert "error[OBSC330]" in again.err


def test_the_example_estate_measures_its_own_services(obsc: ObscRunner, example_repo: Path) -> None:
    assert _warnings(obsc, example_repo) == []
