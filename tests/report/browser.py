"""Opening a report in Debian's Chromium, headless, from file:// (shared by the browser tests).

Install the browser with `make chromium` (the `make test` target does it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assets.report.pdf import CHROMIUM_ARGS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The same flags the pipeline prints its PDF with (one list, in assets/report/pdf.py).
ARGS = list(CHROMIUM_ARGS)


def launch() -> Iterator:
    """A Chromium browser for the length of a fixture (yields it, closes it after)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Opened:
    def __init__(self, page, errors, requests):
        self.page = page
        self.errors = errors
        self.requests = requests


def open_report(browser, path: Path, width: int, height: int) -> Opened:
    """The report at `path` in a new page, once its charts are drawn; no network allowed."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function(
        "document.documentElement.getAttribute('data-charts') === 'ready'", timeout=180_000
    )
    return Opened(page, errors, requests)
