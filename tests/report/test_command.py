"""`obsc report` end to end: the page, its determinism, hostile values, and --against."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import ObscRunner
from tests.report.conftest import git, set_value

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_report_of_the_example_estate(obsc: ObscRunner, estate_repo: Path) -> None:
    out = estate_repo / "report.html"
    run = obsc("--repo", estate_repo, "report", "--no-policies", "--out", out)
    assert run.code == 0, run.err
    page = out.read_text(encoding="utf-8")
    assert "Observability report: shop" in page
    assert "14.4x (1.44% errors over 1h and 5m)" in page  # checkout/availability pages
    assert "payments-pager" in page and "platform-maintenance" in page
    assert "a database has no HTTP requests" in page  # orders-db's waiver reason
    assert "rendered files were not made from these specs" not in page  # rendered/ is current
    # nothing to fetch: every link is to an anchor of the page, no src= at all
    assert re.findall(r'(?:src|href|action)="(?!#)', page) == []


def test_same_input_same_bytes(obsc: ObscRunner, estate_repo: Path) -> None:
    first, second = estate_repo / "a.html", estate_repo / "b.html"
    assert obsc("--repo", estate_repo, "report", "--no-policies", "--out", first).code == 0
    assert obsc("--repo", estate_repo, "report", "--no-policies", "--out", second).code == 0
    assert first.read_bytes() == second.read_bytes()


def test_spec_values_are_escaped(obsc: ObscRunner, estate_repo: Path) -> None:
    orders = estate_repo / "specs/services/platform/orders-db.yaml"
    set_value(orders, "reason: a database has no HTTP requests;", f"reason: '{HOSTILE}' #")
    run = obsc("--repo", estate_repo, "report", "--no-policies", "--env", "prod", "--out", "-")
    assert run.code == 0, run.err
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x" in run.out
    assert HOSTILE not in run.out and "<img" not in run.out


def test_unknown_environment_is_a_usage_error(obsc: ObscRunner, estate_repo: Path) -> None:
    run = obsc("--repo", estate_repo, "report", "--env", "prd", "--out", "-")
    assert run.code == 2
    assert "unknown environment 'prd'" in run.err and "prod" in run.err


def make_pull_request(repo: Path) -> None:
    """A PR-style change: an objective lowered, a service removed, a route moved."""
    set_value(
        repo / "specs/services/payments/checkout.yaml", "objective: 99.9\n", "objective: 99.5\n"
    )
    git(repo, "rm", "-q", "specs/services/catalog/reviews.yaml")
    set_value(repo / "specs/project.yaml", "receiver: catalog-chat\n", "receiver: catalog-pager\n")


def test_against_a_ref_shows_the_change(obsc: ObscRunner, estate_repo: Path) -> None:
    make_pull_request(estate_repo)
    assert obsc("--repo", estate_repo, "-q", "render", "--no-policies").code == 0
    run = obsc(
        "--repo", estate_repo, "report", "--no-policies", "--env", "prod",
        "--against", "HEAD", "--out", "-",
    )  # fmt: skip
    assert run.code == 0, run.err
    page = run.out
    assert "Changes against HEAD" in page
    assert "Services removed: <strong>reviews</strong>" in page
    assert "checkout/availability: changed" in page
    assert "1.44% errors (14.4x)" in page and "7.2% errors (14.4x)" in page  # before, after
    assert "route.routes[3].receiver: catalog-chat → catalog-pager" in page
    assert "reviews/availability: removed" in page


def test_a_large_estate_is_folded_with_one_chart_per_profile(
    obsc: ObscRunner, tmp_path: Path
) -> None:
    from bench.generate import generate

    repo = tmp_path / "large"
    generate(repo, services=60)
    run = obsc("--repo", repo, "report", "--env", "prod", "--out", "-")
    assert run.code == 0, run.err
    page = run.out
    profiles = re.findall(r'<article class="card" id="(profile-prod-[^"]+)">', page)
    assert 1 < len(profiles) <= 12  # objectives x windows, not 120 SLOs
    assert page.count("<svg") == len(profiles)  # nothing rendered: no route tree, no pipelines
    assert '<details class="team" open' not in page and '<details class="team">' in page
    linked = set(re.findall(r'<a href="#(profile-prod-[^"]+)">', page))
    assert linked == set(profiles)  # every SLO row links to its profile's chart
    assert "No rendered Alertmanager configuration for prod" in page


SNAPSHOT = """apiVersion: obsc.dev/v1
kind: Snapshot
metadata: {name: checkout}
spec:
  framework: flask
  language: python
  confidence: 0.87
  evidence: [requirements.txt names flask]
"""


def test_overview_says_what_detection_decided(obsc: ObscRunner, estate_repo: Path) -> None:
    set_value(estate_repo / "specs/services/payments/checkout.yaml", "  framework: flask\n", "")
    (estate_repo / "snapshots").mkdir()
    (estate_repo / "snapshots/checkout.yaml").write_text(SNAPSHOT)
    run = obsc("--repo", estate_repo, "report", "--no-policies", "--env", "prod", "--out", "-")
    assert run.code == 0, run.err
    row = re.search(r'<tr data-text="checkout payments">.*?</tr>', run.out, re.S)
    assert row is not None
    assert "detection snapshot (detection confidence 0.87)" in row.group(0)
    other = re.search(r'<tr data-text="refunds payments">.*?</tr>', run.out, re.S)
    assert other is not None and "hand-written spec" in other.group(0)


def test_the_page_does_not_depend_on_where_the_repo_is(
    obsc: ObscRunner, estate_repo: Path, tmp_path: Path
) -> None:
    moved = tmp_path / "elsewhere" / "estate"
    shutil.copytree(estate_repo, moved)
    pages = []
    for repo in (estate_repo, moved):
        run = obsc("--repo", repo, "report", "--no-policies", "--out", "-")
        assert run.code == 0, run.err
        pages.append(run.out)
    assert pages[0] == pages[1]
    assert "rendered files read from <code>rendered</code>" in pages[0]
