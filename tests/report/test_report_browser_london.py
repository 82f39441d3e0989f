"""The funnel plots, the map classes and the Gi* cluster layer in Chromium, on real data.

London (../shared/realdata/london: 4,835 LSOAs with geometry) is built once for this module
and its report rendered for 2020, the year whose Gi* finds clusters (for övrigt; the other
layers have none after Benjamini–Hochberg). The sample (18 areas) is the counter-case: too few
areas for Gi*, so no cluster layer and a sentence saying why.

Every expectation is computed here from the published tables (public.*) or the marts (main.*),
not from the report's own code; only the report's number format (`fmt_rate`) and its
documented constants (the class edges, the labelling limit) are borrowed.

esda's G_Local itself is recomputed in tests/marts/test_realdata_statistics.py (same data,
same year, same theme); here the q-values are recomputed from the published p-values with
statsmodels' fdrcorrection, which costs nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.multitest import fdrcorrection

from assets.report.figures import FUNNEL_GROUPS, FUNNEL_LABELLED_POINTS
from assets.report.mapsvg import RELATIVE_COLOURS, RELATIVE_EDGES
from assets.report.text import NBSP, fmt_rate
from assets.report.themes import funnel_id
from tests.marts.conftest import REPO, run_build
from tests.report.browser import launch, open_report
from tests.report.conftest import Rendered, render

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LONDON = REPO.parent / "shared" / "realdata" / "london"
#: Population for 2019–2020 only; 2020 is the year with clusters on the map (övrigt).
LONDON_YEAR = 2020
CLUSTER_LAYER = f"övrigt-{LONDON_YEAR}"
TOTAL = "Totalt"
OUTSIDE = {position: name for position, name, *_ in FUNNEL_GROUPS if position != 0}


#: Developer shortcut: an already published London marts file instead of a fresh build.
DB_ENV = "LAGESBILD_LONDON_TEST_DB"


@pytest.fixture(scope="module")
def london(tmp_path_factory) -> Rendered:
    if os.environ.get(DB_ENV):
        db = Path(os.environ[DB_ENV])
    else:
        if not LONDON.is_dir():
            pytest.skip(f"{LONDON} is not here")
        build = run_build(LONDON, tmp_path_factory.mktemp("london") / "marts")
        assert build.result.success, "the london build failed"
        db = build.db
    return render(db, tmp_path_factory.mktemp("london-report"), LONDON_YEAR)


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture(scope="module")
def london_page(browser, london):
    opened = open_report(browser, Path(london.path), 1280, 900)
    yield opened
    opened.page.close()


@pytest.fixture(scope="module")
def sample_page(browser, report):
    opened = open_report(browser, Path(report.path), 1280, 900)
    yield opened
    opened.page.close()


@pytest.fixture(params=["sample", "london"])
def opened(request) -> tuple[Rendered, object]:
    if request.param == "sample":
        return request.getfixturevalue("report"), request.getfixturevalue("sample_page")
    return request.getfixturevalue("london"), request.getfixturevalue("london_page")


# -- funnel plots ---------------------------------------------------------------------------

#: Per funnel chart: the x-axis as drawn, and every on-plot text label with its trace's name,
#: kept only if the browser lays it out visibly inside the chart.
FUNNELS_JS = """() => Array.from(document.querySelectorAll('[id^="tratt-"][id$="-chart"]'))
  .map(gd => {
    const frame = gd.getBoundingClientRect();
    const labels = Array.from(gd.querySelectorAll('.scatterlayer g.trace .textpoint text'))
        .filter(t => {
            const b = t.getBoundingClientRect(), s = getComputedStyle(t);
            return b.width > 0 && b.height > 0 && s.display !== 'none'
                && s.visibility !== 'hidden' && parseFloat(s.opacity || '1') > 0
                && b.left >= frame.left - 1 && b.right <= frame.right + 1
                && b.top >= frame.top - 1 && b.bottom <= frame.bottom + 1;
        })
        .map(t => [t.closest('g.trace').__data__[0].trace.name, t.textContent]);
    return {id: gd.id, xtype: gd._fullLayout.xaxis.type,
            xtitle: gd._fullLayout.xaxis.title.text, labels: labels,
            hover: gd.querySelectorAll('.hoverlayer *').length};
})"""


def _funnel_points(report: Rendered, theme: str) -> list[dict]:
    """The areas a funnel plots (public tables): a shown rate and a population."""
    table, where = (
        ("public.area_year", "") if theme == TOTAL else ("public.area_theme_year", "AND theme = ?")
    )
    return report.public(
        f"SELECT area_name, funnel_position, funnel_position_suppressed FROM {table} "
        f"WHERE year = ? {where} AND area_id NOT IN ('Totalt', 'okant') "
        "AND crimes_per_1000 IS NOT NULL AND population > 0",
        [report.year] + ([] if theme == TOTAL else [theme]),
    )


def test_funnel_plots_name_the_areas_outside_the_limits_on_one_x_axis(opened) -> None:
    report, page = opened
    funnels = page.page.evaluate(FUNNELS_JS)
    themes = [TOTAL] + [r["theme"] for r in report.public("SELECT theme FROM public.theme")]
    by_id = {funnel_id(t): t for t in themes}
    assert len(funnels) >= 5
    labelled = 0
    for funnel in funnels:
        theme = by_id[funnel["id"].removesuffix("-chart")]
        # One convention for every theme: population on a log axis, said in the title.
        assert (funnel["xtype"], funnel["xtitle"]) == ("log", "Folkmängd (logaritmisk skala)"), (
            funnel["id"]
        )
        assert funnel["hover"] == 0, "nothing is hovered: the labels are drawn without it"
        got: dict[str, list[str]] = {}
        for trace, text in funnel["labels"]:
            got.setdefault(trace, []).append(text)
        want: dict[str, list[str]] = {}
        points = _funnel_points(report, theme)
        for position, trace in OUTSIDE.items():
            names = [
                p["area_name"]
                for p in points
                if not p["funnel_position_suppressed"] and p["funnel_position"] == position
            ]
            # A group small enough to read is named beside its points; a crowd of hundreds
            # is named in the table under the chart instead.
            if names and len(names) <= FUNNEL_LABELLED_POINTS:
                want[trace] = sorted(names)
        assert {k: sorted(v) for k, v in got.items()} == want, funnel["id"]
        labelled += sum(len(v) for v in want.values())
    assert labelled >= (4 if report.year != LONDON_YEAR else 40), "too few labels to test"


# -- map classes ----------------------------------------------------------------------------

MAP_JS = """() => ({
    paths: Array.from(document.querySelectorAll('#map-areas path')).map(
        p => [p.dataset.id, p.getAttribute('class'), p.querySelector('title').textContent]),
    legend: Array.from(document.querySelectorAll('#map-legend li')).map(
        li => [li.querySelector('.sw').className.replace('sw ', ''), li.textContent.trim()]),
    caption: document.getElementById('map-layer-name').parentElement.textContent,
    name: document.getElementById('map-layer-name').textContent,
    status: document.getElementById('map-status').textContent,
})"""


def _layer_rows(report: Rendered, key: str) -> tuple[float | None, dict[str, dict]]:
    """The public rows a map layer shows ('Totalt-2019', 'narkotika-2020') and its reference."""
    subject, year = key.rsplit("-", 1)
    if subject == TOTAL:
        recs = report.public("SELECT * FROM public.area_year WHERE year = ?", [int(year)])
    else:
        recs = report.public(
            "SELECT * FROM public.area_theme_year WHERE year = ? AND theme = ?",
            [int(year), subject],
        )
    total = next(r for r in recs if r["area_id"] == TOTAL)
    reference = (
        total["reference_per_1000"]
        if not total["reference_per_1000_suppressed"]
        else total["crimes_per_1000"]
    )
    return reference, {r["area_id"]: r for r in recs if r["area_id"] not in (TOTAL, "okant")}


def _expected_class(value: float, reference: float) -> int:
    """0..4: how many of the relative edges (0,5 0,8 1,25 2 × reference) the value reaches."""
    return sum(value >= edge * reference for edge in RELATIVE_EDGES)


def _number(text: str) -> float:
    """'1 630,5' (the report's format) -> 1630.5."""
    return float(re.sub(r"\s", "", text).replace(",", "."))


def _rate_text(text: str) -> str | None:
    """'Camden 001A: 87,7 per 1 000 (utjämnad nivå)' -> '87,7'; None for a missing value."""
    m = re.search(r": (.+) per\s1\s000 \(utjämnad nivå\)$", text)
    return m.group(1) if m else None


def test_map_classes_are_relative_to_the_reference_and_agree_with_the_tables(opened) -> None:
    # London has several classes on every layer with crimes; the sample has a flat one.
    london, page = opened[0], opened[1].page
    options = page.evaluate(
        "Array.from(document.querySelectorAll('#map-layer option')).map(o => [o.value, o.text])"
    )
    assert len(options) >= 5
    names = {r["area_id"]: r["area_name"] for r in london.public("SELECT * FROM public.area")}
    # The table of all areas states the same smoothed rate as the report year's map.
    table = page.evaluate(
        """() => {
            const heads = Array.from(document.querySelectorAll('#alla-omraden thead th'))
                .map(th => th.textContent.trim());
            const col = heads.indexOf('Utjämnad nivå (karta)');
            return [col, Array.from(document.querySelectorAll('#alla-omraden tbody tr')).map(
                r => [r.cells[0].textContent.trim(), r.cells[col].textContent.trim()])];
        }"""
    )
    assert table[0] > 0
    table_values = dict(table[1])
    flat_layers = 0
    for value, label in options:
        page.select_option("#map-layer", value)
        state = page.evaluate(MAP_JS)
        assert state["name"] == label
        # The caption, the legend and the tooltips name the rate they show.
        assert "utjämnad nivå, antal per 1 000 invånare" in state["caption"].replace(NBSP, " ")
        reference, recs = _layer_rows(london, value)
        assert reference is not None, value
        want: dict[str, str] = {}
        shown: dict[str, float] = {}
        for area_id, r in recs.items():
            if r["smoothed_per_1000_suppressed"]:
                want[area_id] = "qs"
            elif r["smoothed_per_1000"] is None:
                want[area_id] = "qn"
            else:
                shown[area_id] = float(r["smoothed_per_1000"])
        # A layer the reader can pick shows something (not every area "uppgift saknas").
        assert shown, f"{value}: no area has a value"
        classes = {a: _expected_class(v, reference) for a, v in shown.items()}
        flat = len(set(classes.values())) == 1
        for area_id, k in classes.items():
            want[area_id] = "qf" if flat else f"q{RELATIVE_COLOURS[k]}"
        got = {area_id: cls for area_id, cls, _ in state["paths"]}
        assert got == {a: want[a] for a in got}, value
        assert len(got) == len(names)
        # The tooltip's value is the public table's value, as the report writes numbers.
        for area_id, _, title in state["paths"]:
            assert title.startswith(names[area_id] + ": "), title
            if area_id in shown:
                assert _rate_text(title) == fmt_rate(shown[area_id]), title
                if value == f"{TOTAL}-{london.year}":
                    assert table_values[names[area_id]] == fmt_rate(shown[area_id]), title
        # Never a one-step scale: several classes each saying how far from the reference, or
        # one neutral colour with a sentence that nothing is told apart.
        legend = state["legend"]
        if flat:
            flat_layers += 1
            assert [c for c, _ in legend] == ["qf"], value
            assert "inga skillnader" in legend[0][1] or "inga anmälda brott" in legend[0][1]
            continue
        used = sorted(set(classes.values()))
        assert len(legend) == len(used) >= 2, value
        assert [c for c, _ in legend] == [f"q{RELATIVE_COLOURS[k]}" for k in used]
        for (_, text), k in zip(legend, used, strict=True):
            assert "kommunens nivå" in text, text
            bounds = [RELATIVE_EDGES[k - 1]] if k > 0 else []
            bounds += [RELATIVE_EDGES[k]] if k < len(RELATIVE_EDGES) else []
            for edge in bounds:
                assert fmt_rate(edge * reference) in text, (value, text)
    assert flat_layers < len(options), "every layer is flat: nothing was tested"


# -- the cluster layer ----------------------------------------------------------------------


def _expected_clusters(report: Rendered, theme: str, year: int) -> tuple[set[str], set[str]]:
    """Hot and cold areas from the marts: BH q < 0.05 (recomputed from the published p-values),
    z on the cluster's side, the area's own smoothed rate on the same side of the reference,
    and the public table showing the cluster (not hidden by disclosure control)."""
    marts = report.public(
        "SELECT m.area_id, m.gi_z, m.gi_p, m.gi_q, m.smoothed_per_1000, p.hotspot_suppressed "
        "FROM main.area_theme_year m JOIN public.area_theme_year p USING (area_id, year, theme) "
        "WHERE m.year = ? AND m.theme = ? AND m.area_id NOT IN ('Totalt', 'okant')",
        [year, theme],
    )
    reference = report.public(
        "SELECT reference_per_1000 FROM main.theme_year_dispersion WHERE theme = ? AND year = ?",
        [theme, year],
    )[0]["reference_per_1000"]
    tested = [r for r in marts if r["gi_p"] is not None]
    assert len(tested) >= 30
    q = fdrcorrection(np.array([r["gi_p"] for r in tested]))[1]
    np.testing.assert_allclose([r["gi_q"] for r in tested], q, rtol=1e-9)
    hot, cold = set(), set()
    for r, qv in zip(tested, q, strict=True):
        if qv >= 0.05 or r["hotspot_suppressed"]:
            continue
        if r["gi_z"] > 0 and r["smoothed_per_1000"] > reference:
            hot.add(r["area_id"])
        elif r["gi_z"] < 0 and r["smoothed_per_1000"] < reference:
            cold.add(r["area_id"])
    return hot, cold


def test_the_cluster_layer_outlines_only_bh_significant_areas_that_agree_with_their_colour(
    london, london_page
) -> None:
    page = london_page.page
    notes = page.text_content("#karta")
    assert "Kluster (Gi*) är grupper av grannområden" in notes
    assert "för få områden" not in notes
    assert page.is_visible("#map-hotspots")
    page.select_option("#map-layer", CLUSTER_LAYER)
    assert page.evaluate("document.querySelectorAll('#map-areas path.hot').length") == 0
    page.check("#map-hotspots")
    state = page.evaluate(MAP_JS)
    hot = {a for a, cls, _ in state["paths"] if "hot" in cls.split()}
    cold = {a for a, cls, _ in state["paths"] if "cold" in cls.split()}
    want_hot, want_cold = _expected_clusters(london, "övrigt", LONDON_YEAR)
    assert want_hot and want_cold, "London's övrigt 2020 has clusters of both kinds"
    assert (hot, cold) == (want_hot, want_cold)
    assert state["status"] == (
        f"Kluster av höga nivåer: {len(hot)}, av låga nivåer: {len(cold)} (Övrigt {LONDON_YEAR})."
    )
    assert page.is_visible("li.hot-key")
    # Never against the area's own colour: a hot spot is not drawn in a class below the
    # reference, a cold spot not in one above it (q0/q2 lie below 0,8 ×, q4/q6 above 1,25 ×).
    # The tooltip's rate is on the same side of the reference (as printed, so ties allowed).
    reference, _ = _layer_rows(london, CLUSTER_LAYER)
    printed_reference = _number(fmt_rate(reference))
    for area_id, cls, title in state["paths"]:
        fill, rate = cls.split()[0], _rate_text(title)
        if area_id in hot:
            assert fill not in ("q0", "q2"), title
            assert rate is None or _number(rate) >= printed_reference, title
        if area_id in cold:
            assert fill not in ("q4", "q6"), title
            assert rate is None or _number(rate) <= printed_reference, title
    # Every other layer outlines what its public table says, and that is nothing in London
    # this year except övrigt.
    options = page.evaluate(
        "Array.from(document.querySelectorAll('#map-layer option')).map(o => o.value)"
    )
    for value in options:
        page.select_option("#map-layer", value)
        outlined = page.evaluate(
            """() => Array.from(
                document.querySelectorAll('#map-areas path.hot, #map-areas path.cold'))
                .map(p => [p.dataset.id, p.getAttribute('class').split(' ')[1]])"""
        )
        _, recs = _layer_rows(london, value)
        published = {
            (a, r["hotspot"])
            for a, r in recs.items()
            if not r["hotspot_suppressed"] and r["hotspot"] in ("hot", "cold")
        }
        assert {(a, h) for a, h in outlined} == published, value
        assert bool(published) == (value == CLUSTER_LAYER), value
    page.uncheck("#map-hotspots")
    assert (
        page.evaluate(
            "document.querySelectorAll('#map-areas path.hot, #map-areas path.cold').length"
        )
        == 0
    )
    assert not page.is_visible("li.hot-key")


def test_the_sample_has_no_cluster_layer_and_says_why(report, sample_page) -> None:
    assert report.public("SELECT count(*) AS n FROM public.area")[0]["n"] < 30
    page = sample_page.page
    assert page.query_selector("#map-hotspots") is None, "no switch for a layer that is not there"
    assert page.query_selector("li.hot-key") is None
    assert "för få områden (färre än 30) för att pröva kluster" in page.text_content("#karta")
    data = page.evaluate("JSON.parse(document.getElementById('map-data').textContent)")
    assert all(set(layer["h"]) == {"-"} for layer in data["layers"])
    options = page.evaluate(
        "Array.from(document.querySelectorAll('#map-layer option')).map(o => o.value)"
    )
    for value in options:
        page.select_option("#map-layer", value)
        assert (
            page.evaluate(
                "document.querySelectorAll('#map-areas path.hot, #map-areas path.cold').length"
            )
            == 0
        )
        assert page.text_content("#map-status") == ""
