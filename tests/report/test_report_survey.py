"""The Trygghet section (issue 14): survey shares beside crime, read from the rendered HTML.

The sample's report is compared with public.area_survey_year, the table it is rendered from;
two small raw folders show a hidden share ('..', "för få svar") in text, tables and the chart,
and a folder without trygghet/ giving a sentence, not an error and never a zero.
"""

from __future__ import annotations

import json
import re

import pytest

from assets.report.text import NBSP, fmt_dec
from tests.report.conftest import render

MAIN = "otrygg_kvall"


def _section(rendered, sid: str = "trygghet"):
    section = rendered.tree.find("section", id=sid)
    assert section is not None, f"no section {sid!r}"
    return section


def visible_text(element) -> str:
    return element.text(visible=True)


def _table_rows(table) -> dict[str, list[str]]:
    """Row header -> the row's cell texts (body and foot)."""
    out = {}
    for tr in table.find_all("tr"):
        header = tr.find("th", scope="row")
        if header is not None:
            out[header.text().strip()] = [td.text().strip() for td in tr.find_all("td")]
    return out


def _table(section, caption_start: str):
    for table in section.find_all("table"):
        caption = table.find("caption")
        if caption is not None and caption.text().startswith(caption_start):
            return table
    raise AssertionError(f"no table whose caption starts {caption_start!r}")


def _chart(section, chart_id: str) -> dict:
    div = section.find("div", id=chart_id)
    assert div is not None, chart_id
    script = section.find("script", id=f"{chart_id}-data")
    assert script is not None, f"no data for {chart_id}"
    return json.loads(script.text())


# --- the sample -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def latest(report) -> int:
    return report.public(
        "SELECT max(year) AS y FROM public.area_survey_year WHERE year <= ?", [report.year]
    )[0]["y"]


@pytest.fixture(scope="module")
def published(report, latest) -> dict[str, dict]:
    rows = report.public(
        "SELECT * FROM public.area_survey_year WHERE year = ? AND question = ? AND sex = 'totalt'",
        [latest, MAIN],
    )
    return {r["area_name"]: r for r in rows}


def test_the_section_is_in_the_table_of_contents(report):
    section = _section(report)
    assert section.find("h2").text() == "Trygghet"
    assert report.tree.find("a", href="#trygghet") is not None


def test_area_shares_match_the_public_table(report, latest, published):
    """Each area's share, interval and respondents as public.area_survey_year has them."""
    # The per-question tables are an appendix (issue 13: the main text stays short).
    section = _section(report, "trygghet-tabeller")
    text = published["Hela kommunen"]["question_text"]
    table = _table(section, f"{text}: andel av de svarande per område {latest}")
    shown = _table_rows(table)
    assert set(shown) == set(published), "every area and the municipality have a row"
    checked = 0
    for name, r in published.items():
        respondents, share, interval, *_ = shown[name]
        assert respondents.replace(NBSP, "") == str(r["respondents"]), name
        if r["share_pct_suppressed"]:
            assert share == ".." and interval == "..", name
            continue
        assert share == fmt_dec(r["share_pct"], 1), name
        assert interval == f"{fmt_dec(r['ci_low'], 1)}–{fmt_dec(r['ci_high'], 1)}", name
        checked += 1
    assert checked >= 15


def test_the_municipal_share_leads_with_its_interval(report, latest, published):
    whole = published["Hela kommunen"]
    facts = visible_text(_section(report, "trygghet-viktigast")).replace(NBSP, " ")
    assert (
        f"{fmt_dec(whole['share_pct'], 1)} % av de svarande i hela kommunen {latest} "
        f"(95 % konfidensintervall {fmt_dec(whole['ci_low'], 1)}–{fmt_dec(whole['ci_high'], 1)})"
    ) in facts
    # Women and men side by side, each with its interval.
    assert "Bland kvinnor" in facts and "bland män" in facts


def test_higher_and_lower_follow_the_published_q_values(report, published):
    """An area is named higher or lower than the municipality exactly when q < 0.05."""
    facts = visible_text(_section(report, "trygghet-viktigast")).replace(NBSP, " ")
    named = re.search(r"är andelen (.*?) \(q-värde under 0,05\)", facts)
    assert named, facts
    sentence = named.group(1)
    for name, r in published.items():
        if name == "Hela kommunen" or r["share_pct_suppressed"]:
            continue
        significant = r["kommun_q_value"] is not None and r["kommun_q_value"] < 0.05
        assert (name in sentence) == significant, (name, r["kommun_q_value"])


def test_a_hidden_share_reads_too_few_answers(report, published):
    hidden = [n for n, r in published.items() if r["share_pct_suppressed"]]
    assert hidden, "the sample has an area with fewer than 30 respondents"
    section = _section(report)
    text = visible_text(section)
    for name in hidden:
        assert f"{name} ({published[name]['respondents']} svarande)" in text
    assert "För få svar för att visa andelen" in text
    # The area's own section says it too, and shows no share.
    area = published[hidden[0]]["area_id"].lower()
    own = visible_text(_section(report, f"omrade-{area}-trygghet"))
    assert "för få svar" in own and "%" not in own


def test_the_crime_chart_draws_only_published_shares(report, latest, published):
    """Points are the areas with a shown share, at their published share and crime rate."""
    section = _section(report, "trygghet-brott")
    figure = _chart(section, "trygghet-brott-diagram")
    [points] = [t for t in figure["data"] if t.get("name") == "Område"]
    drawn = dict(zip(points["text"], points["y"], strict=True))
    expected = {
        n: r["share_pct"]
        for n, r in published.items()
        if n != "Hela kommunen" and not r["share_pct_suppressed"]
    }
    assert drawn == pytest.approx(expected)
    assert all(isinstance(v, int | float) for v in points["x"] + points["y"])
    rates = {
        r["area_name"]: r["crimes_per_1000"]
        for r in report.public(
            "SELECT area_name, crimes_per_1000 FROM public.area_year WHERE year = ?", [latest]
        )
    }
    assert dict(zip(points["text"], points["x"], strict=True)) == pytest.approx(
        {n: rates[n] for n in drawn}
    )


def test_the_mismatch_sentence_names_areas_by_the_published_tests(report, latest, published):
    positions = {
        r["area_name"]: r["funnel_position"]
        for r in report.public(
            "SELECT area_name, funnel_position FROM public.area_year WHERE year = ?", [latest]
        )
    }
    text = visible_text(_section(report, "trygghet-brott")).replace(NBSP, " ")
    for name, r in published.items():
        if name == "Hela kommunen" or r["share_pct_suppressed"] or r["kommun_q_value"] is None:
            continue
        higher = r["kommun_q_value"] < 0.05 and r["share_pct"] > r["kommun_share_pct"]
        lower = r["kommun_q_value"] < 0.05 and r["share_pct"] < r["kommun_share_pct"]
        mismatch = (higher and positions[name] <= 0) or (lower and positions[name] >= 1)
        first = text.split("Där skulle")[0]
        assert (name in first) == mismatch, (name, higher, lower, positions[name])
    assert "inte de människor som bor i områdena" in text or "I inget område" in text


def test_every_area_section_has_its_survey_figures(report, latest):
    areas = report.public("SELECT area_id, area_name FROM public.area")
    for area in areas:
        section = _section(report, f"omrade-{area['area_id'].lower()}-trygghet")
        assert f"Ur trygghetsmätningen {latest}" in section.text()


# --- small raw folders ------------------------------------------------------------------

SURVEY = "omrade_id;ar;fraga;kon;antal_svarande;andel\n" + (
    "A1;2021;otrygg_kvall;totalt;200;30\n"
    "A1;2023;otrygg_kvall;totalt;220;22\n"
    "A2;2023;otrygg_kvall;totalt;29;25\n"  # too few: hidden
    "A3;2023;otrygg_kvall;totalt;150;35\n"
    "kommun;2023;otrygg_kvall;totalt;1200;24\n"
)


@pytest.fixture(scope="module")
def small(build_raw, write_raw, base_files, tmp_path_factory):
    """The base folder (2023 complete) with and without a survey, each rendered for 2023."""
    out = {}
    for name, extra in (("with", {"trygghet/matning.csv": SURVEY}), ("without", {})):
        root = tmp_path_factory.mktemp(f"report_survey_{name}")
        raw = write_raw(root / "raw", base_files(**extra))
        build = build_raw(raw, root / "marts")
        assert build.result.success, build.errors()
        out[name] = render(build.published, root / "reports", 2023)
    return out


def test_without_a_survey_the_section_says_so(small):
    section = _section(small["without"])
    text = visible_text(section)
    assert "Ingen trygghetsmätning har lämnats in för åren till och med 2023" in text
    assert "trygghet/" in text and "NTU" in text
    # No figures at all: no table, no chart, no number but the year.
    assert section.find("table") is None and section.find("div", data_chart="true") is None
    assert re.findall(r"\d+", text) == ["2023"]
    assert small["without"].tree.find("section", id="omrade-a1-trygghet") is None


def test_a_hidden_share_is_dots_everywhere(small):
    rendered = small["with"]
    section = _section(rendered)
    table = _table(
        _section(rendered, "trygghet-tabeller"),
        "Känner sig otrygg utomhus ensam sent på kvällen i sitt bostadsområde: andel av de "
        "svarande per område 2023",
    )
    shown = _table_rows(table)
    assert shown["Söder"][:3] == ["29", "..", ".."]
    # Wilson's interval for 22 % of 220: statsmodels' proportion_confint(48.4, 220,
    # method="wilson") = (0.1703, 0.2793).
    assert shown["Norr"][:3] == ["220", "22,0", "17,0–27,9"]
    # −8 percentage points since 2021, not significant with these respondents.
    assert shown["Norr"][5] == "\u22128,0"
    assert "för få svar" in visible_text(table.parent.parent)  # the legend below the table
    text = visible_text(section)
    assert "Söder (29 svarande)" in text and "25" not in text.split("Söder (29")[1][:40]
    # Not drawn: the base folder has no population, so no crime rates and no crime chart;
    # the municipality's chart draws the kommun rows only, and no chart carries Söder's 25.
    assert section.find("div", id="trygghet-brott-diagram") is None
    for div in section.find_all("div", data_chart="true"):
        for trace in _chart(section, div.attrs["id"])["data"]:
            assert 25 not in (trace.get("y") or []), div.attrs["id"]
    own = visible_text(_section(rendered, "omrade-a2-trygghet"))
    assert "för få svar (29 svarande)" in own and "25" not in own
