"""`obsc diff`: semantic, identity-keyed, with exit codes and a PR comment that fits."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from compiler.cli.diff_cmd import diff_command
from compiler.cli.main import cli
from compiler.gitops.diff import SECRETS_NOTE, Change, DiffResult, compare_file
from compiler.gitops.diff_format import GITHUB_LIMIT, as_markdown
from tests.conftest import ObscRunner

if "diff" not in cli.commands:  # main.py registers it; keep the tests independent of that
    cli.add_command(diff_command)


def _set_objective(repo: Path, service_file: str, old: str, new: str) -> None:
    spec = next((repo / "specs").rglob(service_file))
    text = spec.read_text()
    assert f"objective: {old}\n" in text
    spec.write_text(text.replace(f"objective: {old}\n", f"objective: {new}\n", 1))


def _yaml(doc: Any) -> bytes:
    import io

    out = io.StringIO()
    dumper = YAML(typ="safe", pure=True)
    dumper.default_flow_style = False
    dumper.width = 1 << 20  # no folding: long PromQL stays on one line
    dumper.dump(doc, out)
    return out.getvalue().encode()


def _reorder_rows(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in reverse order, panels reversed inside each row; every panel keeps its row."""
    blocks: list[list[dict[str, Any]]] = []
    for panel in panels:
        if panel["type"] == "row" or not blocks:
            blocks.append([])
        blocks[-1].append(panel)
    assert len(blocks) > 2
    return [p for block in reversed(blocks) for p in [block[0], *reversed(block[1:])]]


def test_no_changes_exit_0(obsc: ObscRunner, example_repo: Path) -> None:
    run = obsc("--repo", example_repo, "diff")
    assert run.code == 0, run.err
    assert "no changes" in run.out
    assert SECRETS_NOTE in run.out


def test_objective_change_reads_as_threshold_lines(obsc: ObscRunner, example_repo: Path) -> None:
    _set_objective(example_repo, "checkout.yaml", "99.9", "99.95")
    run = obsc("--repo", example_repo, "diff", "--env", "prod")
    assert run.code == 1, run.err
    lines = run.out.splitlines()
    assert any(
        "rule CheckoutAvailabilityErrorBudgetBurn (page): expr: 0.0144 → 0.0072, 0.006 → 0.003"
        in line
        for line in lines
    )
    assert any("service checkout: slo availability: objective: 99.9 → 99.95" in x for x in lines)
    assert not any(line.startswith("dev/") for line in lines)  # --env prod only
    # Nothing unrelated: only checkout's files, and only the availability SLO inside them.
    # (The flask dashboard reads the objective from the rules: it does not change.)
    files = [x.strip() for x in lines if x.startswith("  ") and not x.startswith("    ")]
    assert set(files) == {
        "rules/checkout.rules.yaml",
        "tests/checkout.test.yaml",
        "model.json",
        # prod's helm chart packages the rule file; its version follows its content
        "obs-stack/files/alerts/rules/checkout.rules.yaml",
        "obs-stack/Chart.yaml",
    }
    changes = [x.strip() for x in lines if x.startswith("    ")]
    assert changes and all("latency" not in c and "payments-succeed" not in c for c in changes)


def test_json_format_records(obsc: ObscRunner, example_repo: Path) -> None:
    _set_objective(example_repo, "checkout.yaml", "99.9", "99.95")
    run = obsc("--repo", example_repo, "diff", "--format", "json", "--target", "model")
    assert run.code == 1, run.err
    records = json.loads(run.out)
    assert {(r["env"], r["target"], r["file"]) for r in records} == {
        ("dev", "model", "model.json"),
        ("prod", "model", "model.json"),
    }
    assert all(r["kind"] == "changed" and r["old"] == 99.9 and r["new"] == 99.95 for r in records)


def test_reordered_rendered_file_is_not_a_change(obsc: ObscRunner, example_repo: Path) -> None:
    rules = example_repo / "rendered/prod/alerts/rules/checkout.rules.yaml"
    doc = YAML(typ="safe").load(rules.read_text())
    doc["groups"].reverse()
    for group in doc["groups"]:
        group["rules"].reverse()
        for rule in group["rules"]:
            rule.update(dict(reversed(list(rule.items()))))
    rules.write_bytes(_yaml(doc))
    board = example_repo / "rendered/prod/grafana/dashboards/obsc.services/flask.json"
    dash = json.loads(board.read_text())
    dash["panels"] = _reorder_rows(dash["panels"])
    dash["templating"]["list"].reverse()
    board.write_text(json.dumps(dict(sorted(dash.items(), reverse=True)), indent=4))
    run = obsc("--repo", example_repo, "diff")
    assert run.code == 0, run.out + run.err


def test_route_order_is_a_change(obsc: ObscRunner, example_repo: Path) -> None:
    config = example_repo / "rendered/prod/alerts/alertmanager.yaml"
    doc = YAML(typ="safe").load(config.read_text())
    doc["route"]["routes"].reverse()
    config.write_bytes(_yaml(doc))
    assert obsc("--repo", example_repo, "diff").code == 1


def test_added_panel_is_one_line() -> None:
    old = {"uid": "x", "panels": [{"id": 1, "title": "Rate", "type": "timeseries"}]}
    new = {"uid": "x", "panels": [*old["panels"], {"id": 2, "title": "Errors", "type": "stat"}]}
    changes = compare_file("d.json", json.dumps(old).encode(), json.dumps(new).encode())
    assert [c.summary for c in changes] == ["panel Errors: added"]


def test_removed_rule_is_one_line() -> None:
    rule = {"alert": "A", "expr": "up == 0", "labels": {"severity": "page"}}
    other = {"alert": "A", "expr": "up == 0", "labels": {"severity": "ticket"}}
    old = {"groups": [{"name": "g", "rules": [rule, other]}]}
    new = {"groups": [{"name": "g", "rules": [other]}]}
    changes = compare_file("r.yaml", _yaml(old), _yaml(new))
    assert [c.summary for c in changes] == ["group g: rule A (page): removed"]


def test_renamed_row_keeps_its_identity_by_id() -> None:
    def board(title: str) -> bytes:
        panels = [
            {"id": 1, "type": "row", "title": title},
            {"id": 2, "type": "stat", "title": "Budget"},
            {"id": 3, "type": "row", "title": "Other"},
            {"id": 4, "type": "stat", "title": "Budget"},
        ]
        return json.dumps({"panels": panels}).encode()

    changes = compare_file("d.json", board("SLO 99.9%"), board("SLO 99.95%"))
    assert [c.summary for c in changes] == ["row SLO 99.9%: title: SLO 99.9% → SLO 99.95%"]


def test_non_structured_files_compare_bytes() -> None:
    assert [c.summary for c in compare_file("a.txt", b"a", b"b")] == [
        "changed (compared byte for byte)"
    ]


def test_unknown_env_is_a_usage_error(obsc: ObscRunner, example_repo: Path) -> None:
    run = obsc("--repo", example_repo, "diff", "--env", "prd")
    assert run.code == 2
    assert "did you mean 'prod'" in run.err


def test_against_git_ref(obsc: ObscRunner, example_repo: Path) -> None:
    git = pytest.importorskip("git")
    repo = git.Repo.init(example_repo)
    repo.index.add(["rendered"])
    repo.index.commit("render", author=git.Actor("t", "t@example.com"))
    _set_objective(example_repo, "checkout.yaml", "99.9", "99.95")
    assert obsc("--repo", example_repo, "render", "--no-policies").code == 0
    # On disk is up to date now; against HEAD the objective change shows.
    assert obsc("--repo", example_repo, "diff").code == 0
    run = obsc("--repo", example_repo, "diff", "--against", "HEAD")
    assert run.code == 1, run.err
    assert "objective: 99.9 → 99.95" in run.out
    assert "rendered/ at HEAD" in run.out
    bad = obsc("--repo", example_repo, "diff", "--against", "no-such-ref")
    assert bad.code == 2
    assert "unknown git ref" in bad.err


def test_kubernetes_stream_is_keyed_by_kind_and_name() -> None:
    a = "kind: ConfigMap\nmetadata: {name: a, namespace: obs}\ndata: {x: '1'}\n"
    b = "kind: Service\nmetadata: {name: b}\nspec: {port: 80}\n"
    b2 = b.replace("80", "81")
    assert compare_file("k.yaml", f"{a}---\n{b}".encode(), f"{b}---\n{a}".encode()) == []
    changes = compare_file("k.yaml", f"{a}---\n{b}".encode(), f"{b2}---\n{a}".encode())
    assert [c.summary for c in changes] == ["Service b: spec.port: 80 → 81"]


def test_markdown_budget_keeps_the_table_and_cuts_sections() -> None:
    changes = [
        Change("prod", "alerts", f"rules/s{i}.rules.yaml", "changed", "p", 1, 2, "x" * 300)
        for i in range(100)
    ]
    text = as_markdown(DiffResult(changes, "rendered/ on disk", 3), limit=8_000)
    assert len(text) < 8_000
    assert "| prod | alerts | 100 | 0 | 0 | 100 |" in text
    assert SECRETS_NOTE in text
    shown = text.count("<details>")
    assert 0 < shown < 100
    assert f"… {100 - shown} more files not shown; run `obsc diff` locally" in text


@pytest.mark.slow
def test_markdown_is_truncated_to_a_github_comment(obsc: ObscRunner, tmp_path: Path) -> None:
    from bench.generate import generate

    repo = tmp_path / "big"
    generate(repo, services=1000)
    assert obsc("--repo", repo, "render", "--no-policies").code == 0
    for spec in (repo / "specs").rglob("*.yaml"):
        text = spec.read_text()
        spec.write_text(re.sub(r"objective: 99\n", "objective: 99.5\n", text))
    run = obsc("--repo", repo, "diff", "--format", "markdown")
    assert run.code == 1, run.err
    assert len(run.out) < GITHUB_LIMIT
    assert "| environment | target |" in run.out
    # an objective lives in the alerts target's rules and tests; dashboards read it from
    # the recording rules (one dashboard per framework), so no grafana file changes
    assert "| prod | alerts |" in run.out and "| dev | alerts |" in run.out
    assert "| grafana |" not in run.out
    assert re.search(r"… \d+ more files not shown; run `obsc diff` locally", run.out)
    assert run.out.count("<details>") == run.out.count("</details>") > 0
