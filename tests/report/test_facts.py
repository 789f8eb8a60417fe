"""The report's facts: budgets, routing, coverage and pipelines, from model and rendered files."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from compiler.pipeline import load_estate
from compiler.report.pipelines import signal_pipelines
from compiler.report.policies import policy_facts
from compiler.report.redaction import coverage
from compiler.report.rendered import ALERTMANAGER, COLLECTOR, open_tree
from compiler.report.routing import parse_matchers, route_for, routing
from compiler.report.slos import duration, environment_slos
from tests.report.conftest import set_value


def test_budget_and_window_pairs_of_a_30_day_999_slo(estate_repo: Path) -> None:
    model = load_estate(estate_repo).resolved.environments["prod"]
    slo = next(s for s in environment_slos(model) if s.key == "checkout/availability")
    assert slo.budget == Decimal("0.001")
    assert round(slo.outage_minutes, 1) == 43.2
    page = slo.pairs[0]
    assert (page.severity, page.long, page.short) == ("page", "1h", "5m")
    assert page.factor == Decimal("14.4")
    assert page.threshold == Decimal("0.0144")
    assert duration(page.exhaust_seconds) == "2d 2h"
    assert [str(p.factor) for p in slo.pairs] == ["14.4", "6", "3", "1"]


def test_28_day_window_scales_the_factors(estate_repo: Path) -> None:
    model = load_estate(estate_repo).resolved.environments["prod"]
    slo = next(s for s in environment_slos(model) if s.key == "checkout/payments-succeed")
    assert [str(p.factor) for p in slo.pairs] == ["13.44", "5.6", "2.8", "0.933"]


def test_pages_and_tickets_reach_the_team_receivers(estate_repo: Path) -> None:
    model = load_estate(estate_repo).resolved.environments["prod"]
    config = open_tree(estate_repo / "rendered").document("prod", ALERTMANAGER)
    assert config is not None
    facts = routing(config, ["catalog", "payments", "platform"])
    reach = {(r.team, r.severity): r for r in facts.reach}
    assert reach["payments", "page"].receiver == "payments-pager"
    assert reach["payments", "ticket"].receiver == "payments-chat"
    assert reach["catalog", "ticket"].active == ("working-hours",)
    assert reach["platform", "page"].mute == ("platform-maintenance",)
    assert facts.root.receiver == model.alerting.default_receiver
    assert route_for(facts.root, {"team": "nobody", "severity": "page"}) == [facts.root]
    assert dict(facts.time_intervals)["working-hours"] == (
        "monday:friday 09:00-17:30 (Europe/Berlin)"
    )
    assert any(
        "orders-db" in str(i.source) and "checkout" in str(i.target) for i in facts.inhibitions
    )


def test_matchers_old_and_new_forms() -> None:
    route = {
        "matchers": ['severity="page"', 'team=~"pay.*"', 'env!="dev"'],
        "match": {"tier": "1"},
    }
    matchers = parse_matchers(route)
    labels = {"severity": "page", "team": "payments", "env": "prod", "tier": "1"}
    assert all(m.matches(labels) for m in matchers)
    assert not all(m.matches({**labels, "team": "xpay"}) for m in matchers)  # anchored
    assert str(matchers[0]) == 'env!="dev"'


def test_coverage_flags_application_services_without_a_policy(estate_repo: Path) -> None:
    environments = load_estate(estate_repo).resolved.environments
    dev, prod = coverage(environments["dev"]), coverage(environments["prod"])
    assert "credit_card" in dev.patterns and "order_token" in dev.patterns
    unprotected = {r.service for r in dev.unprotected}
    assert "product-api" in unprotected  # dev names no default policy
    assert "orders-db" not in unprotected  # infrastructure is not flagged
    assert prod.unprotected == ()  # prod defaults to pii-standard
    checkout = next(r for r in prod.rows if r.service == "checkout")
    assert "credit_card" in checkout.covered and "payment.card.cvv" in checkout.dropped


def test_pipelines_per_signal_from_the_rendered_config(estate_repo: Path) -> None:
    config = open_tree(estate_repo / "rendered").document("prod", COLLECTOR)
    assert config is not None
    groups = {g.signal: g for g in signal_pipelines(config)}
    assert list(groups) == ["traces", "metrics", "logs"]
    ingest = next(p for p in groups["logs"].pipelines if p.name == "logs/ingest")
    assert "otlp" in ingest.receivers and ingest.processors[0] == "memory_limiter"
    assert any(n in groups["logs"].connectors for n in ingest.exporters)


def test_policies_pass_fail_and_waived_per_environment(
    estate_repo: Path, real_tool: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))
    orders = estate_repo / "specs/services/platform/orders-db.yaml"
    waiver = "    - rule: tier1-own-page-alert-runbook\n      reason: the framework's alerts\n"
    set_value(orders, "  waivers:\n", "  waivers:\n" + waiver)
    estate = load_estate(estate_repo)
    facts = policy_facts(estate_repo, estate, ["dev", "prod"], check=True)
    assert facts.checked and facts.violations == ()
    assert facts.status("tier1-availability-slo", "prod") == "waived"
    assert facts.status("prod-sampling-cap", "prod") == "waived"  # backoffice samples 50%
    assert facts.status("prod-sampling-cap", "dev") == "pass"
    assert facts.status("tier1-runbook", "dev") == "pass"
    used = {(w.service, w.environment, w.rule) for w in facts.waivers if w.used}
    assert ("orders-db", "prod", "tier1-availability-slo") in used
    # one violation: the rule fails in both environments, and which waivers applied is unknown
    set_value(orders, "runbook: https://runbooks.example.com/orders-db", "runbook: null")
    failing = policy_facts(estate_repo, load_estate(estate_repo), ["dev", "prod"], check=True)
    assert failing.status("tier1-runbook", "prod") == "fail"
    assert failing.status("tier1-runbook", "dev") == "fail"
    assert all(w.used is None for w in failing.waivers)


def test_policies_not_checked_say_so(estate_repo: Path) -> None:
    facts = policy_facts(estate_repo, load_estate(estate_repo), ["prod"], check=False)
    assert not facts.checked and "not checked" in facts.note
    assert facts.status("tier1-runbook", "prod") == "not checked"
    assert {r.name for r in facts.rules} >= {"tier1-runbook", "prod-sampling-cap"}


def test_svg_text_and_titles_are_escaped() -> None:
    from compiler.report.svg import figure, label

    drawn = str(figure(10, 10, 'a <b> & "c"', [label(0, 0, "<script>x</script>", class_='"q')]))
    assert "<title>a &lt;b&gt; &amp; &#34;c&#34;</title>" in drawn
    assert "&lt;script&gt;x&lt;/script&gt;" in drawn and "<script>" not in drawn
    assert 'class="&#34;q"' in drawn


def test_an_environment_new_in_the_change_has_everything_added(estate_repo: Path) -> None:
    from compiler.report.changes import _environment_changes

    prod = load_estate(estate_repo).resolved.environments["prod"]
    new = _environment_changes([], prod, (None,))
    assert set(new.services_added) == {s.name for s in prod.services}
    assert {m.kind for m in new.slos} == {"added"}
    unknown = _environment_changes([], prod, None)  # the old specs did not load
    assert unknown.services_added == () and unknown.slos == ()
