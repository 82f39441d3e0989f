"""The report in a real browser: Debian's Chromium, headless, opened from file://.

Install the browser with `make chromium` (the `make test` target does it). Screenshots at
375 and 1280 px are saved to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.browser import launch, open_report

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    yield from launch()


def _open(browser, report, width: int, height: int):
    return open_report(browser, Path(report.path), width, height)


@pytest.fixture(scope="module")
def desktop(browser, report):
    opened = _open(browser, report, 1280, 900)
    yield opened
    opened.page.close()


def test_loads_without_errors_or_network(desktop, report):
    assert desktop.errors == []
    assert desktop.requests, "the route handler saw the page load"
    outside = [u for u in desktop.requests if not u.startswith("file://")]
    assert outside == []
    assert desktop.page.evaluate("document.documentElement.lang") == "sv"


def test_every_chart_renders(desktop):
    result = desktop.page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]')).map(
            c => [c.id, c.querySelectorAll('svg.main-svg').length,
                  c.getBoundingClientRect().height])"""
    )
    assert len(result) >= 40
    for chart_id, svgs, height in result:
        assert svgs >= 1, f"chart {chart_id} did not render"
        assert height > 100, chart_id
    # Swedish number format on the axes (decimal comma, no decimal point).
    ticks = desktop.page.evaluate(
        "Array.from(document.querySelectorAll('.ytick text')).map(t => t.textContent)"
    )
    assert any("," in t for t in ticks)
    assert not any("." in t for t in ticks)


def test_the_map_shows_each_area_and_the_selector_changes_it(desktop, report):
    with_geometry = {
        r["area_id"] for r in report.public("SELECT area_id FROM public.area_geometry")
    }
    page = desktop.page
    ids = page.evaluate(
        "Array.from(document.querySelectorAll('#map-areas path')).map(p => p.dataset.id)"
    )
    assert sorted(ids) == sorted(with_geometry)
    boxes = page.evaluate(
        """Array.from(document.querySelectorAll('#map-areas path')).map(
            p => { const b = p.getBoundingClientRect(); return b.width * b.height; })"""
    )
    assert all(area > 0 for area in boxes)

    def state():
        return page.evaluate(
            """[Array.from(document.querySelectorAll('#map-areas path'))
                    .map(p => p.getAttribute('class')),
                Array.from(document.querySelectorAll('#map-areas path title'))
                    .map(t => t.textContent),
                document.getElementById('map-layer-name').textContent]"""
        )

    before = state()
    options = page.evaluate(
        "Array.from(document.querySelectorAll('#map-layer option')).map(o => o.value)"
    )
    changed = False
    for value in options[1:]:
        page.select_option("#map-layer", value)
        after = state()
        assert after[2] != before[2]
        if after[0] != before[0] and after[1] != before[1]:
            changed = True
            break
    assert changed, "no other layer changed the fills"
    # The cluster layer (too few areas here) is tested on London in
    # test_report_browser_london.py.


def test_table_of_contents_links_scroll_to_their_sections(desktop):
    page = desktop.page
    hrefs = page.evaluate(
        "Array.from(document.querySelectorAll('nav.toc a')).map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) >= 14
    # The contents follow the summary, collapsed (issue 13: the point on the first screen);
    # a reader opens them by their summary line.
    assert not page.evaluate("document.querySelector('nav.toc details').open")
    page.click("nav.toc summary")
    assert page.evaluate("document.querySelector('nav.toc details').open")
    for href in hrefs:
        assert page.evaluate(f"document.getElementById({href[1:]!r}) !== null"), href
        page.click(f"nav.toc a[href='{href}']")
        page.wait_for_function(
            f"Math.abs(document.getElementById({href[1:]!r}).getBoundingClientRect().top) < 3"
            " || (window.innerHeight + window.scrollY >= document.body.scrollHeight - 2)",
            timeout=5_000,
        )
        assert page.evaluate("location.hash") == href


def test_the_area_table_sorts_and_filters(desktop, report):
    page = desktop.page
    rows = "Array.from(document.querySelectorAll('#alla-omraden tbody tr'))"
    page.click("#alla-omraden thead button:text-is('Anmälda brott')")
    values = page.evaluate(f"{rows}.map(r => r.cells[2].textContent.replace(/\\s/g, ''))")
    numbers = [int(v) for v in values if v.isdigit()]
    assert numbers == sorted(numbers) and len(numbers) >= 10
    page.click("#alla-omraden thead button:text-is('Anmälda brott')")
    values = page.evaluate(f"{rows}.map(r => r.cells[2].textContent.replace(/\\s/g, ''))")
    numbers = [int(v) for v in values if v.isdigit()]
    assert numbers == sorted(numbers, reverse=True)
    name = report.public("SELECT area_name FROM public.area ORDER BY area_id LIMIT 1")[0][
        "area_name"
    ]
    page.fill("#alla-omraden-search", name)
    visible = page.evaluate(
        f"{rows}.filter(r => !r.hidden).map(r => r.cells[0].textContent.trim())"
    )
    assert visible == [name]
    assert "Visar 1 av" in page.text_content("#alla-omraden-status")
    page.fill("#alla-omraden-search", "")
    assert page.evaluate(f"{rows}.filter(r => !r.hidden).length") == len(values)


def test_print_layout_hides_controls_and_shows_the_numbers(desktop):
    page = desktop.page
    page.emulate_media(media="print")
    try:
        assert (
            page.evaluate("getComputedStyle(document.querySelector('.map-controls')).display")
            == "none"
        )
        assert (
            page.evaluate(
                "getComputedStyle(document.querySelector('section.appendix > h2')).breakBefore"
            )
            == "page"
        )
        # Print opens every collapsed part, and closes again only those it opened (a reader
        # may have opened the contents before printing).
        opened_before = page.evaluate("document.querySelectorAll('details[open]').length")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == 0
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.evaluate("document.querySelectorAll('details[open]').length") == opened_before
    finally:
        page.emulate_media(media="screen")


@pytest.mark.parametrize(("width", "height"), [(375, 812), (1280, 900)])
def test_screenshots_and_no_horizontal_scroll(browser, report, artifacts, width, height):
    opened = _open(browser, report, width, height)
    page = opened.page
    try:
        assert opened.errors == []
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll_width <= width + 1, (
            f"the page scrolls sideways at {width} px ({scroll_width})"
        )
        path = artifacts / f"lagesbild-{report.year}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        # The top of the page as a reader first sees it.
        page.screenshot(path=str(artifacts / f"lagesbild-{report.year}-{width}-top.png"))
    finally:
        page.close()


@pytest.mark.parametrize(
    ("width", "height", "limit"), [(1280, 800, 800), (768, 1024, 1024), (375, 812, 1218)]
)
def test_the_first_key_finding_is_on_the_first_screen(browser, report, width, height, limit):
    """Issue 13: title, date and the key findings come first. The first finding starts above
    800 px at 1280×800 and above 1,218 px (one and a half screens) at 375×812."""
    opened = _open(browser, report, width, height)
    try:
        top = opened.page.evaluate(
            "document.querySelector('#viktigaste-iakttagelser ol > li')"
            ".getBoundingClientRect().top + window.scrollY"
        )
        assert top < limit, f"the first key finding starts at {top:.0f} px at {width} px"
    finally:
        opened.page.close()


VIEWPORTS = [(375, 812), (768, 1024), (1280, 900)]


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_wide_content_scrolls_in_its_own_box_with_a_cue(browser, report, width, height):
    """Issue 13, phone: nothing reaches past the viewport's right edge except inside a scroll
    container that says so ("Svep i sidled →" and a shadow), and a table that scrolls keeps
    its first column in view (position: sticky), so no column is cut without a way to it."""
    opened = _open(browser, report, width, height)
    try:
        page = opened.page
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        outside = page.evaluate(
            """(w) => Array.from(document.querySelectorAll('main *'))
                .filter(e => { const b = e.getBoundingClientRect();
                               return b.width > 0 && b.right > w + 1; })
                .filter(e => !e.closest('.scroll'))
                .map(e => e.tagName + ' in ' + (e.closest('[id]') || {id: '?'}).id + ': '
                     + (e.textContent || '').slice(0, 40))""",
            width,
        )
        assert outside == [], f"past the right edge at {width} px: {outside[:5]}"
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll('.table-block')).map(b => {
                const s = b.querySelector('.scroll');
                const cue = b.querySelector('.scroll-cue');
                const th = b.querySelector('tbody th[scope=row]');
                return [s.scrollWidth > s.clientWidth + 1, b.classList.contains('overflows'),
                        cue ? cue.getBoundingClientRect().height > 0 : false,
                        th ? getComputedStyle(th).position : 'none'];
            })"""
        )
        wide = [b for b in boxes if b[0]]
        assert all(b[1] and b[2] for b in wide), "a wide table without its cue"
        assert all(b[3] == "sticky" for b in wide if b[3] != "none")
        if width == 375:
            assert wide, "at 375 px the all-areas table is wider than the screen"
        assert not any(b[2] for b in boxes if not b[0]), "a cue on a table that fits"
    finally:
        opened.page.close()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
def test_map_values_are_reached_by_keyboard_and_tap(browser, report, width, height):
    """Hover titles are not enough on a phone: every area of the map takes keyboard focus, and
    focusing or tapping it shows its value below the map."""
    opened = _open(browser, report, width, height)
    try:
        page = opened.page
        paths = page.evaluate(
            "Array.from(document.querySelectorAll('#map-areas path'))"
            ".map(p => [p.getAttribute('tabindex'), p.getAttribute('aria-label')])"
        )
        assert paths and all(t == "0" and label for t, label in paths)
        page.focus("#map-areas path:nth-child(2)")
        label = page.evaluate("document.querySelector('#map-areas path:nth-child(2)').ariaLabel")
        assert page.text_content("#map-value") == label
        assert "per 1\u00a0000" in label or "uppgift saknas" in label or ".." in label
        page.click("#map-areas path:nth-child(3)", force=True)
        label = page.evaluate("document.querySelector('#map-areas path:nth-child(3)').ariaLabel")
        assert page.text_content("#map-value") == label
    finally:
        opened.page.close()
