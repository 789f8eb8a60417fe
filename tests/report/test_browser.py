"""The report in a real browser: nothing fetched, no errors, the key facts visible.

Screenshots go to the test's temporary directory, or to $OBSC_REPORT_SCREENSHOTS when it
is set (how docs/report/*.png are made: see the README's "Reports").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ObscRunner
from tests.report.browser import SECTIONS, only_the_page, opened
from tests.report.conftest import set_value
from tests.report.test_command import HOSTILE, make_pull_request

pytestmark = pytest.mark.slow


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("OBSC_REPORT_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_example_estate_in_chromium(
    obsc: ObscRunner,
    estate_repo: Path,
    tmp_path: Path,
    real_tool: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OBSC_CUE", str(real_tool("cue")))  # policies are checked
    report = tmp_path / "report.html"
    assert obsc("--repo", estate_repo, "report", "--out", report).code == 0
    with opened(report) as visit:
        only_the_page(visit, report)
        page = visit.page
        checkout = page.locator("article", has_text="checkout / availability").first
        assert "Pages at 14.4x (1.44% errors over 1h and 5m)" in checkout.inner_text()
        title = checkout.locator("svg title").text_content() or ""
        assert title.startswith("Burn-rate thresholds of checkout/availability")
        who = page.locator("#routing table").first
        assert "payments-pager" in who.inner_text()
        waivers = page.locator("#policies table", has_text="Every waiver").inner_text()
        assert "backoffice" in waivers and "keeping half of the traces costs nothing" in waivers
        assert page.locator("#policies td .badge.pass").count() > 0
        flagged = page.locator("#redaction tr.flag").first.inner_text()
        assert "no policy" in flagged
        folder = _shots(tmp_path)
        for section in SECTIONS[1:]:
            visit.screenshot(section, folder / f"{section}.png")
        assert all((folder / f"{s}.png").stat().st_size > 5_000 for s in SECTIONS[1:])


def test_pull_request_change_in_chromium(
    obsc: ObscRunner, estate_repo: Path, tmp_path: Path
) -> None:
    make_pull_request(estate_repo)
    orders = estate_repo / "specs/services/platform/orders-db.yaml"
    set_value(orders, "reason: a database has no HTTP requests;", f"reason: '{HOSTILE}' #")
    assert obsc("--repo", estate_repo, "-q", "render", "--no-policies").code == 0
    report = tmp_path / "pr.html"
    run = obsc(
        "--repo", estate_repo, "report", "--no-policies", "--against", "HEAD", "--out", report
    )
    assert run.code == 0, run.err
    with opened(report) as visit:
        only_the_page(visit, report)  # the hostile waiver reason neither ran nor fetched
        changes = visit.page.locator("#changes")
        text = changes.inner_text()
        assert "Services removed: reviews" in text
        moved = changes.locator("article", has_text="checkout/availability: changed")
        assert "7.2% errors (14.4x)" in (moved.first.locator("svg").text_content() or "")
        assert "route.routes[3].receiver: catalog-chat → catalog-pager" in text
        assert HOSTILE in visit.page.locator("#policies").inner_text()  # shown as text
        visit.screenshot("changes", _shots(tmp_path) / "changes.png")


def test_readable_on_a_phone(obsc: ObscRunner, estate_repo: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    assert obsc("--repo", estate_repo, "report", "--no-policies", "--out", report).code == 0
    with opened(report, width=375) as visit:
        only_the_page(visit, report)
        overflow = visit.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow == 0  # wide tables and diagrams scroll inside their own box
