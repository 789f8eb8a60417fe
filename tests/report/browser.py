"""Open a report in Debian's headless Chromium through Playwright, and watch what it does.

Playwright drives /usr/bin/chromium (never a browser of its own: `playwright install` is
not used), with a fresh, empty profile and every background service switched off, so the
only requests the browser makes are the page's own.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.realtools import missing_tool, require_chromium

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Dialog, Error, FloatRect, Page, Request

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SECTIONS = ("changes", "overview", "slos", "routing", "redaction", "pipelines", "policies")


@dataclass
class Visit:
    """What the browser saw while it had the page open."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def screenshot(self, section: str, path: Path, height: int = 640) -> None:
        """A PNG of the top of one section (at most `height` CSS pixels of it)."""
        box = self.page.locator(f"#{section}").bounding_box()
        assert box is not None, f"section {section} is not on the page"
        clip: FloatRect = {
            "x": box["x"],
            "y": box["y"],
            "width": box["width"],
            "height": min(box["height"], height),
        }
        self.page.screenshot(path=str(path), clip=clip, full_page=True)

    def console(self, message: ConsoleMessage) -> None:
        """Keep console errors."""
        if message.type == "error":
            self.console_errors.append(message.text)

    def page_error(self, error: Error) -> None:
        """Keep uncaught script errors."""
        self.page_errors.append(str(error))

    def request(self, request: Request) -> None:
        """Keep every URL the page asks for."""
        self.requests.append(request.url)

    def dialog(self, dialog: Dialog) -> None:
        """Keep (and dismiss) any alert(): a spec value that ran as script would open one."""
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@contextmanager
def opened(report: Path, width: int = 960) -> Iterator[Visit]:
    """`report` open in Chromium; every console error, request and dialog recorded."""
    chromium = require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("the playwright package is not installed (pip install -e '.[dev]')")
    with tempfile.TemporaryDirectory(prefix="obsc-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(chromium),
            args=list(FLAGS),
            headless=True,
            viewport={"width": width, "height": 900},
            device_scale_factor=1,
        )
        try:
            page = context.new_page()
            visit = Visit(page)
            page.on("console", visit.console)
            page.on("pageerror", visit.page_error)
            page.on("request", visit.request)
            page.on("dialog", visit.dialog)
            page.goto(report.resolve().as_uri(), wait_until="load")
            yield visit
        finally:
            context.close()


def only_the_page(visit: Visit, report: Path) -> None:
    """Fail unless the page fetched nothing but itself and logged no error."""
    assert visit.requests == [report.resolve().as_uri()]
    assert visit.console_errors == [] and visit.page_errors == [] and visit.dialogs == []
