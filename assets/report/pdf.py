"""The report as a PDF for the council's meeting papers: headless Chromium prints the HTML.

Chromium prints the page exactly as a reader's browser would (print stylesheet, charts drawn
by plotly.js, the report's own ``@page`` size, margins, page numbers and running header), so
the PDF needs no second layout. Playwright drives Debian's Chromium (``executable_path``):
Playwright can't download its own browser here, and a distribution package gets security
updates.

Where Chromium (or Playwright) is missing or can't print, the HTML is still the report: the
caller gets a one-line warning instead of an exception, and no PDF is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: Where Debian installs Chromium, used when `chromium` is not on the PATH.
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
#: Headless, no sandbox (the pipeline often runs as a service user or root in a container,
#: where Chromium's sandbox can't start), and nothing that talks to the network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: The charts are drawn by plotly.js after load; the report marks the page when all are.
CHARTS_READY = "document.documentElement.getAttribute('data-charts') === 'ready'"
CHARTS_TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class PdfResult:
    """The written PDF, or why there is none (one line, naming what is missing)."""

    path: Path | None
    seconds: float
    warning: str | None = None


def pdf_path(reports_dir: Path, year: int) -> Path:
    return Path(reports_dir) / f"lagesbild-{year}.pdf"


def find_chromium(setting: str = "") -> Path | None:
    """The Chromium to use: the setting when given (and only it), else PATH, else Debian's."""
    if setting:
        candidate = Path(setting).expanduser()
        return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None
    found = shutil.which("chromium")
    if found:
        return Path(found)
    return DEBIAN_CHROMIUM if DEBIAN_CHROMIUM.is_file() else None


def write_pdf(html: Path, target: Path, chromium: str = "") -> PdfResult:
    """Print ``html`` to ``target`` (A4, the report's print stylesheet), atomically."""
    started = time.perf_counter()
    executable = find_chromium(chromium)
    if executable is None:
        where = chromium or "chromium on the PATH or /usr/bin/chromium"
        return PdfResult(
            None,
            0.0,
            f"chromium not found ({where}): no PDF written, the HTML report is complete "
            "(install it with `make chromium`, or set LAGESBILD_CHROMIUM_PATH)",
        )
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        return PdfResult(
            None, 0.0, "playwright is not installed, so chromium can't print: no PDF written"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(executable), args=list(CHROMIUM_ARGS))
            try:
                _print(browser, html, Path(tmp))
            finally:
                browser.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except PlaywrightError as exc:
        Path(tmp).unlink(missing_ok=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return PdfResult(
            None,
            time.perf_counter() - started,
            f"chromium ({executable}) could not print the report: {first}; no PDF written",
        )
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return PdfResult(target, time.perf_counter() - started)


def _print(browser, html: Path, out: Path) -> None:
    page = browser.new_page()

    # The report loads nothing from the internet; a PDF renderer must not either.
    def route(r) -> None:
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(html.resolve().as_uri())
    page.wait_for_function(CHARTS_READY, timeout=CHARTS_TIMEOUT_MS)
    page.emulate_media(media="print")
    # Chromium's printToPDF does not fire `beforeprint`; the report's handler opens the
    # collapsed parts and fits the charts to the paper's width, as a browser's print would.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.pdf(path=str(out), prefer_css_page_size=True, print_background=True)
