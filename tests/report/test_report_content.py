"""What the report says and how it is built: sections, key findings, tables, charts, language.

Everything is read from the HTML the sample's report renders (tests/report/conftest.py) and
compared with the published public tables it was rendered from.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest

from assets.disclosure import SUPPRESSED_LEGEND
from assets.report.text import fold
from tests.report.conftest import visible_text

REQUIRED_HEADINGS = (
    "Sammanfattning",
    "Viktigaste iakttagelser",
    "Så läser du rapporten",
    "Karta",
    "Teman i kommunen",
    "Organiserad brottslighet",
    "Mäns våld mot kvinnor och våld i nära relationer",
    "Barn och unga",
    "Orosanmälningar",
    "Ärenden till SIG (sociala insatsgrupper)",
    "Områden",
    "Bilaga: Trattdiagram – områdena jämförda med kommunen",
    "Bilaga: Mönster över året",
    "Underlag till åtgärdsplan",
    "Datakällor och begränsningar",
    "Begränsningar",
    "Bilaga: Datakvalitet",
    "Bilaga: Metod",
    "Prioritering: poängsättning",
)
#: English words that must not appear in the visible text (UI labels, plotly defaults, NaN).
ENGLISH = (
    "Total",
    "Area",
    "Areas",
    "Theme",
    "Rate",
    "Count",
    "Change",
    "Year",
    "Month",
    "Source",
    "Download",
    "Zoom",
    "trace",
    "undefined",
    "NaN",
    "None",
    "null",
    "True",
    "False",
    "suppressed",
    "quarantine",
    "hotspot",
    "smoothed",
    "Unknown",
    "Not available",
)


def _headings(tree):
    return [
        (int(el.tag[1]), el.text().strip()) for el in tree.iter() if re.fullmatch(r"h[1-6]", el.tag)
    ]


def test_the_document_is_swedish_and_self_contained(report):
    html = report.tree.find("html")
    assert html.attrs.get("lang") == "sv"
    assert report.tree.find("meta", charset="utf-8") is not None
    # plotly.js embedded exactly once, no external script, stylesheet, font or image.
    assert report.html.count("plotly.js (basic - minified)") == 1
    for el in report.tree.iter():
        for attr in ("src", "href", "data", "action", "poster"):
            value = el.attrs.get(attr, "")
            assert not re.match(r"\s*(https?:)?//", value), f"external reference {el.tag} {value}"
    assert report.tree.find("link") is None
    assert "@import" not in report.html and "@font-face" not in report.html
    # Plotly's figures (the JSON the report embeds) reference no URL.
    for script in report.tree.find_all("script", type="application/json"):
        assert "http" not in script.text(), script.attrs.get("id")
    assert report.path.stat().st_size < 3_000_000


def test_every_required_section_is_there_in_heading_order(report):
    headings = _headings(report.tree)
    titles = [t for _, t in headings]
    for required in REQUIRED_HEADINGS:
        assert required in titles, f"missing section {required!r}"
    levels = [level for level, _ in headings]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    # Every section is labelled by its own heading.
    for section in report.tree.find_all("section"):
        label = section.attrs.get("aria-labelledby")
        heading = report.tree.find(id=label)
        assert heading is not None and re.fullmatch(r"h[2-6]", heading.tag)
        assert heading.parent is section


def test_ids_are_unique_and_the_table_of_contents_points_at_them(report):
    ids = [el.attrs["id"] for el in report.tree.iter() if "id" in el.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    nav = report.tree.find("nav")
    links = nav.find_all("a")
    assert len(links) >= 14
    for a in links:
        assert a.attrs["href"].startswith("#")
        assert a.attrs["href"][1:] in ids
    for a in report.tree.find_all("a"):
        href = a.attrs.get("href", "")
        if href.startswith("#"):
            assert href[1:] in ids, f"broken link {href}"


def _top_findings(report):
    rows = report.public(
        "SELECT area_id, theme, score FROM public.priority WHERE year = ? "
        "AND is_prioritised AND NOT coalesce(score_suppressed, false) AND score >= 3 "
        "ORDER BY score DESC, funnel_position DESC NULLS LAST, crime_count DESC NULLS LAST, "
        "area_id, theme LIMIT 7",
        [report.year],
    )
    return [(r["area_id"], r["theme"]) for r in rows]


def test_key_findings_are_the_top_priority_rows(report):
    section = report.tree.find(id="viktigaste-iakttagelser")
    findings = section.find_all("div", class_="finding")
    shown = [(f.attrs["data-area"], f.attrs["data-theme"]) for f in findings]
    # The summary holds five to seven findings in all: the top priority rows, in order, and
    # the children's and the teams' findings (assets/report/summary.py).
    expected = _top_findings(report)[: len(shown)]
    assert expected, "the sample should have findings"
    assert len(shown) >= 3 and shown == expected
    assert 5 <= len(section.find("ol").find_all("li")) <= 7
    names = {r["area_id"]: r["area_name"] for r in report.public("SELECT * FROM public.area")}
    for finding, (area_id, theme) in zip(findings, expected, strict=True):
        text = finding.text()
        assert names[area_id] in text and theme in text
        # Evidence and uncertainty in the same finding: the trend, then the year's change.
        assert "per 1 000 invånare" in text.replace("\u00a0", " ")
        assert "Sedan " in text or "Utvecklingen över fem år" in text
        assert "statistiskt säkerställd" in text or "för små" in text
        assert "konfidensintervall" in text


def test_key_finding_counts_are_the_published_counts(report):
    section = report.tree.find(id="viktigaste-iakttagelser")
    for finding in section.find_all("div", class_="finding"):
        count = finding.find("span", data_n="c").text()
        row = report.public(
            "SELECT crime_count, crime_count_suppressed FROM public.priority "
            "WHERE year = ? AND area_id = ? AND theme = ?",
            [report.year, finding.attrs["data-area"], finding.attrs["data-theme"]],
        )[0]
        expected = (
            ".."
            if row["crime_count_suppressed"]
            else f"{row['crime_count']:,}".replace(",", "\u00a0")
        )
        assert count == expected


def test_every_table_has_a_caption_and_scoped_headers(report):
    tables = report.tree.find_all("table")
    assert len(tables) > 30
    for table in tables:
        caption = table.find("caption")
        assert caption is not None and caption.text().strip(), table.attrs.get("id")
        thead = table.find("thead")
        assert thead is not None
        for th in thead.find_all("th"):
            assert th.attrs.get("scope") == "col"
        for tr in table.find_all("tr"):
            if tr.parent.tag in ("tbody", "tfoot"):
                first = next(c for c in tr.children if not isinstance(c, str))
                assert first.tag == "th" and first.attrs.get("scope") == "row"


def test_every_chart_has_a_text_alternative(report):
    charts = report.tree.find_all("div", data_chart="true")
    assert len(charts) >= 40
    for chart in charts:
        figure = chart.parent
        assert figure.tag == "figure"
        caption = figure.find("figcaption")
        assert caption is not None and re.search(r"\d", caption.text()), chart.attrs["id"]
        assert chart.attrs.get("role") == "img" and chart.attrs.get("aria-label")
        details = figure.find("details")
        if details is not None:
            assert details.find("table") is not None
        else:
            # A chart without a data table must carry its numbers in the caption.
            assert len(re.findall(r"\d", caption.text())) >= 4
        data = report.tree.find("script", id=chart.attrs["id"] + "-data")
        spec = json.loads(data.text())
        assert spec["data"], chart.attrs["id"]
        for trace in spec["data"]:
            assert trace.get("type", "scatter") in ("scatter", "bar")
        assert spec["layout"]["separators"] == ", "


def test_suppressed_values_have_the_legend(report):
    """The legend is said once, in "Så läser du rapporten"; every table with a `..` links
    back to it (issue 13: the `..` legend was printed 65 times)."""
    text = visible_text(report.tree)
    anchor = report.tree.find(id="teckenforklaring")
    assert anchor is not None and SUPPRESSED_LEGEND in anchor.parent.text()
    assert text.count(SUPPRESSED_LEGEND) <= 2  # there, and in the map's own key
    for block in report.tree.find_all("div", class_="table-block"):
        cells = [td.text() for td in block.find_all("td")]
        if ".." in cells:
            legend = block.find("p", class_="table-legend")
            link = legend.find("a", class_="sup-legend") if legend is not None else None
            assert link is not None and link.attrs["href"] == "#teckenforklaring"
            assert ".. visas inte" in link.text()


SWEDISH_NUMBER = re.compile(
    r"(?:[+\u2212]?\d{1,3}(?:\u00a0\d{3})*(?:,\d+)?(?:\u00a0%)?"
    r"|(?:19|20)\d\d|\d+(?:,\d+)?–\d+(?:,\d+)?|\.\.|–|<\u00a00,001|\d av 5"
    # A change on small counts, as the two counts (issue 12, point 7).
    r"|\d{1,3}(?:\u00a0\d{3})*\u00a0→\u00a0\d{1,3}(?:\u00a0\d{3})*)"
)


def test_numbers_are_in_swedish_format(report):
    checked = 0
    for td in report.tree.find_all("td"):
        if "t" in td.attrs.get("class", "").split():
            continue
        text = td.text().strip()
        assert SWEDISH_NUMBER.fullmatch(text), f"not a Swedish number: {text!r}"
        checked += 1
    assert checked > 500
    text = visible_text(report.tree)
    # No decimal point in a number (dates are ISO with '-', file names have no digits.digits).
    assert not re.search(r"(?<![\w.])\d+\.\d+(?![\w.])", text.replace("2023:196", "")), re.findall(
        r"(?<![\w.])\d+\.\d+(?![\w.])", text
    )[:5]
    assert re.search(r"\d\u00a0\d{3}", text), "thousands are grouped with a space"
    assert "januari" in text and "december" in text


def test_no_english_labels_leak(report):
    body = report.tree.find("body")
    parts = []
    for el in body.iter():
        if el.tag in ("script", "style") or any(
            a.attrs.get("lang") == "en" for a in [el, *el.ancestors()]
        ):
            continue
        parts.extend(c for c in el.children if isinstance(c, str))
    text = " ".join(parts)
    for word in ENGLISH:
        assert not re.search(rf"\b{word}\b", text), f"English word {word!r} in the report"
    # Theme labels come from the reference list, in Swedish.
    for row in report.public("SELECT theme FROM public.theme"):
        assert row["theme"] in text or row["theme"].capitalize() in text


def test_tone_avoids_labels_for_areas(report):
    text = visible_text(report.tree).lower()
    for word in (
        "problemområde",
        "farligt",
        "farliga",
        "värst",
        "utsatt område",
        "utsatta områden",
    ):
        assert word not in text, word
    # The caveats the domain brief asks for are stated.
    assert "anmälda brott är inte alla brott" in text
    assert "inte brottsoffrens kön" in text
    assert "verksamhetens aktivitet, inte" in text
    assert "orsaksanalys" in text


def test_every_area_has_a_section_with_its_parts(report):
    areas = report.public("SELECT area_id, area_name, has_area_team, has_geometry FROM public.area")
    assert len(areas) <= 60
    for area in areas:
        sid = "omrade-" + re.sub(r"[^a-z0-9]+", "-", area["area_id"].lower()).strip("-")
        section = report.tree.find("section", id=sid)
        assert section is not None, area
        assert section.find("h3").text() == area["area_name"]
        text = section.text(visible=True).replace("\u00a0", " ")
        assert "per 1 000 invånare" in text and "konfidensintervall" in text
        assert "hela kommunen" in text.lower()
        assert "statistiskt säkerställd" in text
        chart_ids = [c.attrs["id"] for c in section.find_all("div", data_chart="true")]
        assert f"{sid}-trend" in chart_ids and f"{sid}-season" in chart_ids
        assert f"{sid}-referrals" in chart_ids
        team = section.find("section", id=f"{sid}-team")
        assert team is not None
        if not area["has_area_team"]:
            assert "inget områdesteam" in team.text()
        else:
            assert team.find("table") is not None


def test_the_table_of_all_areas_is_sortable_and_searchable(report):
    table = report.tree.find("table", id="alla-omraden")
    assert table.attrs.get("data-sortable") == "true"
    assert report.tree.find("input", data_filter="alla-omraden") is not None
    rows = table.find("tbody").find_all("tr")
    n_areas = len(report.public("SELECT * FROM public.area"))
    assert len(rows) == n_areas
    foot = [tr.find("th").text() for tr in table.find("tfoot").find_all("tr")]
    assert foot == ["Okänt område", "Hela kommunen"]


def test_the_map_draws_every_area_with_geometry(report):
    svg = report.tree.find("svg", id="map-svg")
    with_geometry = {
        r["area_id"] for r in report.public("SELECT area_id FROM public.area_geometry")
    }
    paths = svg.find_all("path")
    assert {p.attrs["data-id"] for p in paths} == with_geometry
    assert len(paths) == len(with_geometry)
    assert all(p.find("title") is not None for p in paths)
    assert "okant" not in {p.attrs["data-id"] for p in paths}
    select = report.tree.find("select", id="map-layer")
    options = select.find_all("option")
    assert len(options) >= 2
    # 18 areas: too few for Gi*, so no switch for a cluster layer (the notes say why).
    assert report.tree.find("input", id="map-hotspots") is None
    assert "Utjämnad nivå" in visible_text(report.tree) or "utjämnad nivå" in visible_text(
        report.tree
    )


def test_sources_and_quality_sections_use_the_load_log(report):
    quality = report.tree.find("section", id="datakvalitet")
    files = [
        tr.find("th").text()
        for tr in quality.find("table", id="inlasning").find("tbody").find_all("tr")
    ]
    expected = report.public(
        "SELECT file FROM public.data_quality WHERE first_year IS NULL OR first_year <= ?",
        [report.year],
    )
    assert sorted(files) == sorted(r["file"] for r in expected)
    later = report.public(
        "SELECT file FROM public.data_quality WHERE first_year > ?", [report.year]
    )
    assert later, "the sample has a later (partial) year"
    for r in later:
        assert r["file"] not in files
    reasons = report.public(
        "SELECT DISTINCT reason FROM public.quarantine_summary WHERE first_year <= ?", [report.year]
    )
    text = quality.text()
    for r in reasons:
        assert r["reason"] not in text, "reason codes are translated"
    method = report.tree.find("section", id="metod")
    rules = report.public("SELECT * FROM public.priority_rule")
    assert len(method.find("table", id="poangtabell").find("tbody").find_all("tr")) == len(rules)


def test_action_plan_basis_lists_the_prioritised_problems(report):
    section = report.tree.find("section", id="atgardsplan")
    table = section.find("table", id="atgardsplan-tabell")
    rows = table.find("tbody").find_all("tr")
    assert 1 <= len(rows) <= 15
    first = _top_findings(report)[0]
    names = {r["area_id"]: r["area_name"] for r in report.public("SELECT * FROM public.area")}
    assert rows[0].find("th").text() == names[first[0]]
    assert "inte planen" in section.text()


@pytest.mark.parametrize(
    "theme_key", ["organiserad-brottslighet", "vald-i-nara-relationer", "barn-och-unga"]
)
def test_main_theme_sections_show_trend_season_and_comparison(report, theme_key):
    section = report.tree.find("section", id=theme_key)
    charts = [c.attrs["id"] for c in section.find_all("div", data_chart="true")]
    assert any(c.endswith("-trend") for c in charts)
    assert any(c.endswith("-season") for c in charts)
    assert "över kommunens nivå" in section.text()
    # The comparison is the theme's funnel plot: the section links to it, and the link lands
    # on a section that holds a chart (a wrong or stale anchor is a dead link in the report).
    links = [
        a.attrs["href"]
        for a in section.find_all("a")
        if a.attrs.get("href", "").startswith("#tratt-")
    ]
    assert links, f"section {theme_key} has no link to its funnel plot"
    for href in links:
        target = report.tree.find("section", id=href.removeprefix("#"))
        assert target is not None, f"{theme_key}: {href} points to no section"
        assert target.find("div", data_chart="true") is not None, f"{href} holds no chart"


def test_main_themes_are_found_by_name_in_the_reference_list(report):
    themes = [fold(r["theme"]) for r in report.public("SELECT theme FROM public.theme")]
    assert "organiserad brottslighet" in themes
    text = report.tree.find("section", id="organiserad-brottslighet").text()
    assert "finns inte i den levererade referenslistan" not in text
