"""The SVG map (assets/report/mapsvg.py): one path per area with geometry, drawn offline."""

from __future__ import annotations

import json

from assets.report.mapsvg import MapLayer, build_map, classify
from tests.report.html_tree import parse


def _square(x: float, y: float, size: float = 0.01) -> str:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _model(values, hot=None):
    areas = [("A", "Norr"), ("B", "Söder"), ("C", "Öster"), ("D", "Väster")]
    geometries = {"A": _square(16.0, 60.0), "B": _square(16.01, 60.0), "C": _square(16.0, 60.01)}
    layers = [
        MapLayer("Totalt-2025", "Alla brott 2025", values, hot or {}, reference=5.0),
        MapLayer(
            "x-2025",
            "Tema 2025",
            {"A": (1.0, False), "B": (9.0, False), "C": (5.0, False)},
            reference=5.0,
        ),
    ]
    return build_map(
        areas=areas, geometries=geometries, layers=layers, title="Karta", description="d"
    )


def test_one_path_per_area_with_geometry_and_a_title_with_its_value():
    model = _model({"A": (10.0, False), "B": (None, True), "C": (None, False), "D": (3.0, False)})
    svg = parse(str(model.svg))
    paths = svg.find_all("path")
    assert [p.attrs["data-id"] for p in paths] == ["A", "B", "C"]
    titles = [p.find("title").text() for p in paths]
    assert titles[0].startswith("Norr: 10,0 per")
    assert titles[1] == "Söder: .. (visas inte)"
    assert titles[2] == "Öster: uppgift saknas"
    assert model.missing_geometry == ["Väster"]
    classes = [p.attrs["class"] for p in paths]
    assert classes[1] == "qs" and classes[2] == "qn" and classes[0].startswith("q")
    # Nothing but the SVG namespace: no external reference.
    assert "http" not in str(model.svg).replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_layers_carry_classes_values_and_hotspots_for_the_selector():
    model = _model(
        {"A": (10.0, False), "B": (2.0, False), "C": (6.0, False)}, hot={"A": "hot", "C": "cold"}
    )
    data = json.loads(str(model.layers_json))
    assert data["ids"] == ["A", "B", "C"]
    assert [layer["k"] for layer in data["layers"]] == ["Totalt-2025", "x-2025"]
    first = data["layers"][0]
    assert first["h"] == "h-c"
    assert first["v"] == ["10,0", "2,0", "6,0"]
    # Higher values get darker (higher) classes.
    assert int(first["b"][0]) > int(first["b"][2]) > int(first["b"][1])
    assert model.hot_count == 1 and model.cold_count == 1


def test_no_geometry_gives_no_map():
    layer = MapLayer("k", "l", {"A": (1.0, False)})
    assert (
        build_map(areas=[("A", "Norr")], geometries={}, layers=[layer], title="t", description="d")
        is None
    )


def test_classes_are_relative_to_the_reference_and_ignore_missing_values():
    """Norrbacka's 45,2 and Stensätra's 7,3 against a reference of 8,1 (issue 12): the first is
    at least twice the level, the second near it; quantiles over 18 areas put them together."""
    codes, legend = classify([45.2, None, 7.3, 3.0, 12.0], reference=8.1)
    assert codes[1] is None
    assert codes[0] == "6" and codes[2] == "3" and codes[3] == "0" and codes[4] == "4"
    assert [label for _, label in legend] == [
        "under halva kommunens nivå (under 4,0)",
        "nära kommunens nivå (±25 %) (6,5–10,1)",
        "25–100 % över kommunens nivå (10,1–16,2)",
        "minst dubbelt så hög som kommunens nivå (16,2 och mer)",
    ]


def test_a_layer_with_nothing_to_tell_apart_is_not_a_one_class_scale():
    """The organised-crime layer once had one class, '0,68–0,68': now it says so instead."""
    codes, legend = classify([0.68, 0.68, None, 0.69], reference=0.7)
    assert codes == ["f", "f", None, "f"]
    assert legend == [
        (
            "qf",
            "alla visade områden: nära kommunens nivå (±25 %) (0,70); "
            "utjämningen lämnar inga skillnader att visa",
        )
    ]


def test_no_reference_no_classes():
    assert classify([1.0, 2.0], reference=None) == ([None, None], [])


def test_a_theme_without_crimes_is_zero_not_missing():
    """London 2020 has no organised crime at all: a rate of 0 everywhere is a value, drawn as
    one neutral colour with a sentence, not "uppgift saknas" for 4,835 areas and no legend."""
    codes, legend = classify([0.0, None, 0.0], reference=0.0)
    assert codes == ["f", None, "f"]
    assert legend == [("qf", "inga anmälda brott: 0 per 1 000 i alla visade områden")]


def test_a_report_without_geometry_says_so_with_a_working_link(sample_db, report_year, tmp_path):
    """Areas delivered as a table: no map, a plain note, and its link is a link (not text)."""
    import shutil

    import duckdb

    from tests.report.conftest import render, visible_text

    db = tmp_path / "lagesbild.duckdb"
    shutil.copy(sample_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM public.area_geometry")
    rendered = render(db, tmp_path / "reports", report_year)
    section = rendered.tree.find("section", id="karta")
    assert section is not None
    assert section.find("svg") is None
    text = visible_text(rendered.tree)
    assert "Karta saknas" in text
    assert "<a" not in text and "&lt;" not in text
    links = [a.attrs.get("href") for a in section.find_all("a")]
    assert "#alla-omraden" in links
