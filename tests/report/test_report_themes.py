"""Every theme has its section, ordered by the prioritisation, with its crime categories
(issue 13, point 3): read from the sample report's HTML and compared with the public tables
it was rendered from.
"""

from __future__ import annotations

import re

from assets.report.data import FINDING_MIN_SCORE, MAX_FINDINGS
from assets.report.text import capitalise

SUPPRESSED = ".."


def _h2_titles(report) -> list[str]:
    return [el.text().strip() for el in report.tree.find_all("h2")]


def expected_order(report) -> list[str]:
    """Key findings' themes (the priority table's order), then by municipal count, residual last."""
    year = report.year
    themes = report.public("SELECT theme, is_prioritised FROM public.theme ORDER BY sort_order")
    prioritised = [t["theme"] for t in themes if t["is_prioritised"] is not False]
    residual = [t["theme"] for t in themes if t["is_prioritised"] is False]
    top = report.public(
        "SELECT theme FROM public.priority WHERE year = ? AND score >= ? "
        "AND NOT coalesce(score_suppressed, false) AND coalesce(is_prioritised, true) "
        "ORDER BY score DESC NULLS LAST, funnel_position DESC NULLS LAST, "
        "crime_count DESC NULLS LAST, area_id, theme LIMIT ?",
        [year, FINDING_MIN_SCORE, MAX_FINDINGS],
    )
    first: list[str] = []
    for r in top:
        if r["theme"] in prioritised and r["theme"] not in first:
            first.append(r["theme"])
    counts = {
        r["theme"]: r["crime_count"] or 0
        for r in report.public(
            "SELECT theme, crime_count FROM public.area_theme_year "
            "WHERE year = ? AND area_id = 'Totalt'",
            [year],
        )
    }
    rest = sorted(
        (t for t in prioritised if t not in first),
        key=lambda t: (-counts.get(t, 0), prioritised.index(t)),
    )
    return [*first, *rest, *residual]


def test_every_theme_has_a_section_in_the_order_of_the_prioritisation(report) -> None:
    titles = _h2_titles(report)
    start = titles.index("Teman i kommunen") + 1
    # Trygghet (the survey, issue 14) follows the crime themes.
    end = titles.index("Trygghet") if "Trygghet" in titles else titles.index("Områden")
    order = expected_order(report)
    assert len(order) == 8, "the sample's reference list has eight themes"
    assert titles[start:end] == [capitalise(t) for t in order]
    # The sample's key findings put other themes than the three main ones first.
    assert order[0] not in {
        "organiserad brottslighet",
        "mäns våld mot kvinnor och våld i nära relationer",
        "barn och unga",
    }
    assert order[-1] == "övrigt"


def _number(text: str) -> float:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text).replace("−", "-").replace(",", ".")
    return float(cleaned.rstrip("%"))


def _table(report, caption: str):
    for table in report.tree.find_all("table"):
        cap = table.find("caption")
        if cap is not None and cap.text().strip() == caption:
            return table
    return None


def _rows(table) -> dict[str, list[str]]:
    out = {}
    for tr in table.find_all("tr"):
        header = tr.find("th", scope="row")
        if header is None:
            continue
        out[header.text().strip()] = [td.text().strip() for td in tr.find_all("td")]
    return out


def test_a_category_table_shows_the_public_numbers(report) -> None:
    year = report.year
    public = report.public(
        "SELECT * FROM public.municipality_category_year WHERE year IN (?, ?)", [year, year - 1]
    )
    now = {(r["theme"], r["crime_category"]): r for r in public if r["year"] == year}
    before = {(r["theme"], r["crime_category"]): r for r in public if r["year"] == year - 1}
    themes = sorted({theme for theme, _ in now})
    checked = arrows = 0
    for theme in themes:
        table = _table(report, f"Brottskategorier inom {theme} i hela kommunen {year}")
        assert table is not None, f"no category table for {theme}"
        shown = _rows(table)
        categories = {c for t, c in now if t == theme}
        assert set(shown) == (categories - {"Totalt"}) | {"Hela temat"}, theme
        for category in categories:
            r = now[(theme, category)]
            count, rate, change = shown["Hela temat" if category == "Totalt" else category]
            if r["crime_count_suppressed"]:
                assert (count, rate, change) == (SUPPRESSED,) * 3, (theme, category)
                continue
            assert _number(count) == r["crime_count"], (theme, category)
            assert _number(rate) == r["crimes_per_1000"], (theme, category)
            if "→" in change:
                a, b = (_number(x) for x in change.split("→"))
                assert (a, b) == (before[(theme, category)]["crime_count"], r["crime_count"])
                arrows += 1
            elif r["change_pct"] is not None:
                assert _number(change) == r["change_pct"], (theme, category, change)
            checked += 1
    assert checked >= 30 and arrows >= 1
