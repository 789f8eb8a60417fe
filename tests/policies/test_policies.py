"""The CUE policy check, run by the real cue binary: every default rule, user rules, waivers."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, ObscRunner, tree_bytes

DEFAULT_PACK = ROOT / "compiler" / "policies" / "default"


@pytest.fixture
def repo(tmp_path: Path, real_tool: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the compliant estate with the default policy pack, and cue from the harness."""
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES / "compliant", target)
    shutil.copytree(DEFAULT_PACK, target / "policies")
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_compliant_estate_passes_every_default_rule(obsc: ObscRunner, repo: Path) -> None:
    result = obsc("--repo", repo, "validate")
    assert result.code == 0, result.err
    rules = len(list(DEFAULT_PACK.glob("*.cue")))
    assert f"policies: {rules} rules in {rules} files passed" in result.err


SERVICE = "specs/checkout.yaml"
PROJECT = "specs/project.yaml"

# rule, file to edit, old text, new text, expected "file:line:col" of the diagnostic
VIOLATIONS = [
    ("tier1-availability-slo", SERVICE, "objective: 99.9", "objective: 99.5", f"{SERVICE}:13:3"),
    (
        "tier1-latency-slo",
        SERVICE,
        "sli: {kind: latency, threshold: 250ms}",
        "sli: {kind: ratio, good: 'sum(rate(ok_total[{{window}}]))', "
        "total: 'sum(rate(all_total[{{window}}]))'}",
        f"{SERVICE}:13:3",
    ),
    (
        "tier1-runbook",
        SERVICE,
        "  runbook: https://runbooks.example.com/checkout\n",
        "",
        f"{SERVICE}:4:3",
    ),
    (
        "tier1-pages-a-pager",
        PROJECT,
        "receiver: payments-pager",
        "receiver: payments-chat",
        f"{PROJECT}:27:19",
    ),
    ("pci-redacts-cards", PROJECT, "[email, credit_card]", "[email]", f"{SERVICE}:10:14"),
    (
        "prod-sampling-cap",
        SERVICE,
        "prod: {sampling: 0.1}",
        "prod: {sampling: 0.3}",
        f"{SERVICE}:23:22",
    ),
    (
        "prod-redaction",
        SERVICE,
        'labels: {pci: "true", domain: commerce}\nspec:\n  framework: flask\n'
        "  redaction: pii-strict\n",
        "labels: {domain: commerce}\nspec:\n  framework: flask\n",
        f"{SERVICE}:4:3",
    ),
    (
        "no-high-cardinality-labels",
        SERVICE,
        "domain: commerce}",
        "domain: commerce, user_id: x}",
        f"{SERVICE}:7:43",
    ),
    ("slo-window-range", SERVICE, "window: 28d", "window: 120d", f"{SERVICE}:20:15"),
    (  # a page alert without a runbook of its own (the service's does not count)
        "tier1-own-page-alert-runbook",
        SERVICE,
        "  environments:\n",
        "  alerts:\n"
        "    - {name: queue-backlog, expr: 'queue_depth > 1000', severity: page, summary: Q}\n"
        "  environments:\n",
        f"{SERVICE}:23:8",
    ),
]


@pytest.mark.parametrize(
    ("rule", "file", "old", "new", "where"), VIOLATIONS, ids=[v[0] for v in VIOLATIONS]
)
def test_each_default_rule_catches_its_violation(
    obsc: ObscRunner, repo: Path, rule: str, file: str, old: str, new: str, where: str
) -> None:
    assert obsc("--repo", repo, "render").code == 0
    before = tree_bytes(repo / "rendered")
    _edit(repo / file, old, new)
    result = obsc("--repo", repo, "render")
    assert result.code == 3, result.err
    assert re.search(
        rf"^{re.escape(where)}: error\[OBSC401\]: .*policy {rule}:", result.err, re.M
    ), result.err
    assert f"policies/{rule}.cue:" in result.err
    assert tree_bytes(repo / "rendered") == before
    # every other rule still passes: exactly one rule is named
    assert set(re.findall(r"policy ([a-z0-9-]+):", result.err)) == {rule}


def test_a_violation_found_while_rendering_comes_before_a_render_failure(
    obsc: ObscRunner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cue checks while the render runs; its verdict is reported as when it ran first."""
    from compiler.errors import RenderError
    from compiler.render import engine

    def failing(*args: object, **kwargs: object) -> None:
        raise RenderError("the render failed")

    monkeypatch.setattr(engine, "render_pairs", failing)
    result = obsc("--repo", repo, "render")
    assert result.code != 3 and "the render failed" in result.err, result.err
    _edit(repo / SERVICE, "objective: 99.9", "objective: 99.5")
    result = obsc("--repo", repo, "render")
    assert result.code == 3, result.err
    assert "policy tier1-availability-slo" in result.err
    assert "the render failed" not in result.err
    assert not (repo / "rendered").exists()


def test_violation_in_both_environments_is_reported_once(obsc: ObscRunner, repo: Path) -> None:
    _edit(repo / SERVICE, "objective: 99.9", "objective: 99.5")
    result = obsc("--repo", repo, "validate")
    assert result.code == 3
    assert result.err.count("error[OBSC401]") == 1
    assert "[dev, prod] policy tier1-availability-slo" in result.err


def test_waiver_turns_a_violation_into_a_reported_exception(obsc: ObscRunner, repo: Path) -> None:
    _edit(repo / SERVICE, "prod: {sampling: 0.1}", "prod: {sampling: 0.3}")
    (repo / SERVICE).write_text(
        (repo / SERVICE).read_text()
        + "  waivers:\n    - rule: prod-sampling-cap\n"
        + "      reason: launch week, needs every trace\n"
    )
    result = obsc("--repo", repo, "validate")
    assert result.code == 0, result.err
    assert (
        "waived: checkout: policy prod-sampling-cap (launch week, needs every trace)" in result.err
    )
    assert obsc("--repo", repo, "render").code == 0
    model = (repo / "rendered" / "prod" / "model" / "model.json").read_text()
    assert "launch week, needs every trace" in model  # the waiver shows up in the diff


def test_waiver_for_an_unknown_rule_is_an_error(obsc: ObscRunner, repo: Path) -> None:
    (repo / SERVICE).write_text(
        (repo / SERVICE).read_text()
        + "  waivers:\n    - rule: prod-sampling-caps\n      reason: a typo in the rule name\n"
    )
    result = obsc("--repo", repo, "validate")
    assert result.code == 2
    assert f"{SERVICE}:25:13: error[OBSC402]" in result.err
    assert "did you mean 'prod-sampling-cap'" in result.err


def test_user_written_policy(obsc: ObscRunner, repo: Path) -> None:
    (repo / "policies" / "teams.cue").write_text(
        "package obsc\n\n"
        "// rule: known-teams\n"
        "// why: alerts route by team; an unknown team pages nobody\n"
        'services: [string]: team: "payments" | "catalog"\n'
    )
    assert obsc("--repo", repo, "validate").code == 0
    _edit(repo / SERVICE, "team: payments", "team: billing")
    _edit(repo / PROJECT, "{team: payments, severity: page}", "{team: billing, severity: page}")
    result = obsc("--repo", repo, "validate")
    assert result.code == 3, result.err
    assert f"{SERVICE}:5:3: error[OBSC401]: services.checkout.metadata.team:" in result.err
    assert result.err.count("OBSC401") == 1
    assert "policy known-teams: alerts route by team" in result.err


def test_policy_on_the_stack_points_at_the_projects_pin(obsc: ObscRunner, repo: Path) -> None:
    (repo / "policies" / "retention.cue").write_text(
        "package obsc\n\n"
        "// rule: keep-a-quarter\n"
        "// why: audits look back 90 days\n"
        "stack: prometheus: retention: periodDays: >=90\n"
    )
    result = obsc("--repo", repo, "validate")
    assert result.code == 3, result.err
    # Without a pin the figure is obsc's: the longest SLO window (30d) plus 2d.
    assert "(cue: invalid value 32.0 (out of bound >=90))" in result.err
    project = repo / PROJECT
    project.write_text(project.read_text() + "  stack:\n    prometheus: {retention: 40d}\n")
    line = len(project.read_text().splitlines())
    result = obsc("--repo", repo, "validate")
    assert result.code == 3, result.err
    assert (
        f"{PROJECT}:{line}:29: error[OBSC401]: project.stack.prometheus.retention: [dev, prod] "
        "policy keep-a-quarter: audits look back 90 days"
    ) in result.err
    _edit(project, "retention: 40d", "retention: 90d")
    assert obsc("--repo", repo, "validate").code == 0


def test_policy_syntax_error_is_reported_as_such(obsc: ObscRunner, repo: Path) -> None:
    (repo / "policies" / "broken.cue").write_text(
        "package obsc\n\nservices: [string]: {\n  tier: >=1 &&\n}\n"
    )
    result = obsc("--repo", repo, "validate")
    assert result.code == 2, result.err
    assert "policies/broken.cue:5:1: error[OBSC400]: policy file error" in result.err
    assert "OBSC401" not in result.err


def test_misspelt_field_in_a_policy_is_a_policy_error(obsc: ObscRunner, repo: Path) -> None:
    (repo / "policies" / "typo.cue").write_text(
        "package obsc\n\n// rule: typo\nservices: [string]: samplng: <=0.2\n"
    )
    result = obsc("--repo", repo, "validate")
    assert result.code == 2, result.err
    assert "policies/typo.cue:4:21: error[OBSC400]" in result.err
    assert "field not allowed" in result.err


def test_no_policies_says_so_loudly(obsc: ObscRunner, repo: Path) -> None:
    _edit(repo / SERVICE, "objective: 99.9", "objective: 99.5")
    result = obsc("--repo", repo, "render", "--no-policies")
    assert result.code == 0
    assert "policies were NOT checked (--no-policies)" in result.err


def test_missing_cue_is_an_environment_problem(
    obsc: ObscRunner, repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("OBSC_CUE")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("OBSC_TOOLS_DIR", str(tmp_path / "no-tools"))
    result = obsc("--repo", repo, "validate")
    assert result.code == 4
    assert "cue binary was not found" in result.err
    shutil.rmtree(repo / "policies")
    assert obsc("--repo", repo, "validate").code == 0  # no policies, no cue needed


def test_repo_policies_are_the_default_pack() -> None:
    shipped = {p.name: p.read_bytes() for p in DEFAULT_PACK.glob("*.cue")}
    assert {p.name: p.read_bytes() for p in (ROOT / "policies").glob("*.cue")} == shipped


def test_example_estate_passes_its_own_policies(
    obsc: ObscRunner, real_tool: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """specs/ against policies/ with the real cue (the staleness test of rendered/ skips them)."""
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))
    result = obsc("--repo", ROOT, "validate")
    assert result.code == 0, result.err
    assert f"rules in {len(list((ROOT / 'policies').glob('*.cue')))} files passed" in result.err
