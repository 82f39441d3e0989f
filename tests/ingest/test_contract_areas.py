"""Data contract §2.1 omraden/: GeoJSON without CRS (EPSG:4326), GeoJSON with a declared CRS
(reprojected), an invalid polygon (repaired, with a warning), GPKG, CSV without geometry,
header folding of feature properties, area files unioned, and duplicate_area_id rejecting the
file that brings the duplicate (within a file, and across files in name order).
"""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from pyproj import Geod, Transformer

SWEREF_SQUARE = [[319000, 6396000], [320000, 6396000], [320000, 6397000], [319000, 6397000]]
BOW_TIE = [[11.97, 57.70], [11.98, 57.71], [11.98, 57.70], [11.97, 57.71], [11.97, 57.70]]


def _feature(properties: dict, ring: list[list[float]]) -> dict:
    ring = ring if ring[0] == ring[-1] else [*ring, ring[0]]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _geojson(features: list[dict], crs: str | None = None) -> str:
    collection: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(collection, ensure_ascii=False)


def _gpkg(path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "area_id": ["A4"],
            "area_name": ["Väster"],
            "municipality": ["Älvstad"],
            "area_team": ["nej"],
        },
        geometry=[shapely.box(11.90, 57.70, 11.91, 57.71)],
        crs=4326,
    )
    frame.to_file(path, driver="GPKG", engine="pyogrio")


FILES = {
    "omraden/omraden.csv": None,  # the base areas are replaced by the files below
    "omraden/a_nocrs.geojson": _geojson(
        [
            _feature(
                {
                    "Område_ID": "A1",
                    " OMRÅDE_NAMN ": "Norr",
                    "Kommun": "Älvstad",
                    "OmrådesTeam": "ja",
                },
                [[11.95, 57.70], [11.96, 57.70], [11.96, 57.71], [11.95, 57.71]],
            )
        ]
    ),
    "omraden/b_sweref.geojson": _geojson(
        [_feature({"omrade_id": "A2", "omrade_namn": "Söder"}, SWEREF_SQUARE)],
        crs="urn:ogc:def:crs:EPSG::3006",
    ),
    "omraden/c_bowtie.geojson": _geojson(
        [_feature({"area_id": "A3", "area_name": "Öster"}, BOW_TIE)]
    ),
    "omraden/e_no_geometry.csv": (
        "omrade_id;omrade_namn;omradesteam\nA5;Centrum;ja\nA6;Hamnen;nej\n"
    ),
    "omraden/f_dup_within.csv": "omrade_id;omrade_namn\nA7;Berget\nA7;Dalen\n",
    "omraden/g_dup_across.csv": "omrade_id;omrade_namn\nA8;Ängen\nA1;Norr igen\n",
    "omraden/h_broken.geojson": '{"type": "FeatureCollection", "features": [',
}


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("areas")
    raw = write_raw(root / "raw", base_files(**FILES))
    _gpkg(raw / "omraden" / "d_areas.gpkg")
    build = build_raw(raw, root / "marts")
    assert not build.errors(), build.errors()
    return build


def _area(run, area_id: str) -> dict:
    (row,) = run.rows("SELECT * FROM staging.area WHERE area_id = ?", [area_id])
    return row


def test_run_publishes_and_accounts_for_every_file(run, assert_accounting):
    assert run.result.success
    assert run.published.exists()
    assert_accounting(run)


def test_area_files_are_unioned(run):
    assert run.rows(
        "SELECT area_id, area_name, municipality, has_area_team FROM staging.area ORDER BY 1"
    ) == [
        {"area_id": "A1", "area_name": "Norr", "municipality": "Älvstad", "has_area_team": True},
        {"area_id": "A2", "area_name": "Söder", "municipality": None, "has_area_team": None},
        {"area_id": "A3", "area_name": "Öster", "municipality": None, "has_area_team": None},
        {"area_id": "A4", "area_name": "Väster", "municipality": "Älvstad", "has_area_team": False},
        {"area_id": "A5", "area_name": "Centrum", "municipality": None, "has_area_team": True},
        {"area_id": "A6", "area_name": "Hamnen", "municipality": None, "has_area_team": False},
    ]
    assert [r["area_id"] for r in run.rows("SELECT area_id FROM main.area ORDER BY 1")] == [
        "A1",
        "A2",
        "A3",
        "A4",
        "A5",
        "A6",
    ]


def test_geojson_without_crs_is_epsg_4326_and_properties_are_folded(run):
    log = run.log_row("omraden", "a_nocrs.geojson")
    assert (log["status"], log["rows_read"], log["rows_accepted"]) == ("loaded", 1, 1)
    # GDAL reads a GeoJSON without a `crs` member as WGS 84 (RFC 7946): nothing to reproject.
    assert log["notes"] is None
    assert log["columns_used"] == (
        "omrade_id=Område_ID, omrade_namn=OMRÅDE_NAMN, kommun=Kommun, omradesteam=OmrådesTeam"
    )
    geometry = shapely.from_wkb(_area(run, "A1")["geometry_wkb"])
    assert shapely.equals_exact(
        shapely.normalize(geometry),
        shapely.normalize(shapely.box(11.95, 57.70, 11.96, 57.71)),
        tolerance=1e-9,
    )


def test_declared_crs_is_reprojected(run):
    log = run.log_row("omraden", "b_sweref.geojson")
    assert log["status"] == "loaded"
    assert log["notes"] == "reprojected from EPSG:3006 to EPSG:4326"
    area = _area(run, "A2")
    geometry = shapely.from_wkb(area["geometry_wkb"])
    to_wgs84 = Transformer.from_crs(3006, 4326, always_xy=True)
    expected = {tuple(round(v, 9) for v in to_wgs84.transform(x, y)) for x, y in SWEREF_SQUARE}
    actual = {tuple(round(v, 9) for v in xy) for xy in geometry.exterior.coords}
    assert actual == expected
    lon, lat = to_wgs84.transform(319000, 6396000)
    assert 11.5 < lon < 12.5 and 57.5 < lat < 58.0  # near Göteborg, not in the ocean
    # A 1 km × 1 km square in SWEREF 99 TM.
    assert area["area_km2"] == pytest.approx(1.0, abs=0.005)


def test_invalid_polygon_is_repaired_with_a_warning(run):
    log = run.log_row("omraden", "c_bowtie.geojson")
    assert (log["status"], log["rows_accepted"]) == ("loaded", 1)
    assert log["notes"] == "warning: 1 invalid polygon(s) repaired"
    area = _area(run, "A3")
    assert area["geometry_repaired"] is True
    geometry = shapely.from_wkb(area["geometry_wkb"])
    assert geometry.is_valid
    assert geometry.geom_type == "MultiPolygon"
    assert len(geometry.geoms) == 2
    # The two triangles of the bow tie: half of the 0.01° × 0.01° square.
    assert geometry.area == pytest.approx(0.5 * 0.01 * 0.01, rel=1e-6)
    # Its area on the ellipsoid (about 0.33 km²), not the bow tie's 0 of the shoelace formula.
    geodesic_km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(geometry)[0]) / 1e6
    assert area["area_km2"] == pytest.approx(geodesic_km2, rel=1e-3)


def test_gpkg(run):
    log = run.log_row("omraden", "d_areas.gpkg")
    assert (log["status"], log["file_format"], log["rows_read"], log["rows_accepted"]) == (
        "loaded",
        "gpkg",
        1,
        1,
    )
    assert log["notes"] is None
    geometry = shapely.from_wkb(_area(run, "A4")["geometry_wkb"])
    assert shapely.equals_exact(
        shapely.normalize(geometry),
        shapely.normalize(shapely.box(11.90, 57.70, 11.91, 57.71)),
        tolerance=1e-9,
    )


def test_csv_without_geometry(run):
    log = run.log_row("omraden", "e_no_geometry.csv")
    assert (log["status"], log["rows_read"], log["rows_accepted"]) == ("loaded", 2, 2)
    assert log["notes"] == "no geometry: the report shows no map for these areas"
    for area_id in ("A5", "A6"):
        area = _area(run, area_id)
        assert (area["geometry_wkb"], area["area_km2"]) == (None, None)
    published = run.rows("SELECT area_id, area_km2 FROM main.area WHERE area_id IN ('A5', 'A6')")
    assert [r["area_km2"] for r in published] == [None, None]


def test_duplicate_area_id_within_a_file_rejects_it(run):
    (q,) = run.quarantine("omraden", "f_dup_within.csv")
    assert (q["reason"], q["row_number"], q["column_name"], q["raw"]) == (
        "duplicate_area_id",
        None,
        "omrade_id",
        None,
    )
    assert q["detail"] == "area id 'A7' appears 2 times in this file"
    log = run.log_row("omraden", "f_dup_within.csv")
    assert (log["status"], log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (
        "rejected",
        2,
        0,
        2,
    )


def test_duplicate_area_id_across_files_rejects_the_later_file(run):
    (q,) = run.quarantine("omraden", "g_dup_across.csv")
    assert (q["reason"], q["row_number"], q["column_name"]) == (
        "duplicate_area_id",
        None,
        "omrade_id",
    )
    assert q["detail"] == "area id 'A1' was already delivered in 'a_nocrs.geojson'"
    log = run.log_row("omraden", "g_dup_across.csv")
    assert (log["status"], log["rows_read"], log["rows_quarantined"]) == ("rejected", 2, 2)
    # The whole file is rejected, its new area too; the first delivery of A1 stays.
    assert run.scalar("SELECT count(*) FROM staging.area WHERE area_id = 'A8'") == 0
    assert _area(run, "A1")["area_name"] == "Norr"


def test_unreadable_geojson(run):
    (q,) = run.quarantine("omraden", "h_broken.geojson")
    assert (q["reason"], q["row_number"], q["column_name"]) == ("file_unreadable", None, None)
    assert q["detail"].startswith("not a readable geometry file")
    log = run.log_row("omraden", "h_broken.geojson")
    assert (log["status"], log["rows_read"], log["rows_quarantined"]) == ("rejected", 0, 0)


def test_omraden_summary(run):
    assert (
        "omraden          8 file(s) read, 6 rows accepted, 4 quarantined, 0 superseded "
        "(3 file(s) rejected whole)"
    ) in run.summaries()
