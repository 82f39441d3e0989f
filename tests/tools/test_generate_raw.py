"""Tests for tools/generate_raw.py: the shipped sample and the benchmark-scale generator.

The planted faults are counted back from the written files with rules taken from the data
contract, independently of the generator, and compared with its manifest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import shapely
from openpyxl import load_workbook
from shapely.geometry import shape

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # tools/ is not an installed package
    sys.path.insert(0, str(REPO))

from tools.generate_raw import generate  # noqa: E402

THEMES = {
    "organiserad brottslighet",
    "mäns våld mot kvinnor och våld i nära relationer",
    "barn och unga",
    "våld i offentlig miljö",
    "egendomsbrott",
    "narkotika",
    "skadegörelse",
    "övrigt",
}
CRIME_KEY = ("omrade_id", "manad", "brottskategori")
REFERRAL_KEY = ("omrade_id", "manad", "typ", "kalla", "aldersgrupp", "kon")
ALIASES = {
    "area_id": "omrade_id",
    "month": "manad",
    "crime_category": "brottskategori",
    "count": "antal",
}
SCALE = {"n_areas": 200, "n_years": 3, "n_categories": 40, "bad_share": 0.01}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sample") / "raw"
    return out, generate(out, sample=True)


@pytest.fixture(scope="module")
def scale(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("scale") / "raw"
    return out, generate(out, **SCALE)


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _features(root: Path) -> list[dict]:
    (path,) = (root / "omraden").glob("*.geojson")
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _fold(name: str) -> str:
    name = name.strip().lower().translate(str.maketrans("åäö", "aao"))
    return ALIASES.get(name, name)


def _read_delivery(path: Path) -> list[dict[str, str]]:
    """A minimal reader for the contract's CSV dialects (encoding, BOM, delimiter, aliases)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [_fold(h) for h in next(reader)]
    return [dict(zip(header, row, strict=True)) for row in reader]


def _known(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    ids = [f["properties"]["omrade_id"] for f in _features(root)]
    con.register("areas_arrow", pa.table({"id": ids}))
    con.execute("CREATE TABLE areas AS SELECT * FROM areas_arrow").fetchall()
    con.execute(
        f"CREATE TABLE cats AS SELECT brottskategori AS name FROM read_csv("
        f"'{root}/referens/brottskategorier.csv', delim=';', header=true)"
    ).fetchall()


def _classify(con: duckdb.DuckDBPyConnection, table: str, key: Sequence[str]) -> dict:
    """Count rows per outcome with the contract's rules; each planted row has one fault."""
    keys = ", ".join(key)
    category = (
        "WHEN brottskategori NOT IN (SELECT name FROM cats) THEN 'unknown_category'"
        if "brottskategori" in key
        else ""
    )
    rows = con.execute(f"""
        WITH x AS (
            SELECT *, count(*) OVER (PARTITION BY filename, {keys}) AS n_key FROM {table})
        SELECT CASE
            WHEN omrade_id IS NULL OR omrade_id = '' THEN 'missing_value'
            WHEN n_key > 1 THEN 'duplicate_key'
            WHEN NOT regexp_full_match(manad, '\\d{{4}}-?(0[1-9]|1[0-2])') THEN 'invalid_month'
            WHEN omrade_id <> 'okant' AND omrade_id NOT IN (SELECT id FROM areas)
                THEN 'unknown_area'
            {category}
            WHEN antal = '..' THEN 'suppressed'
            WHEN regexp_full_match(antal, '\\d+,0') THEN 'whole_decimal'
            WHEN NOT regexp_full_match(antal, '\\d+') THEN 'invalid_count'
            ELSE 'ok' END AS outcome, count(*)
        FROM x GROUP BY ALL""").fetchall()
    return dict(rows)


def _superseded(con: duckdb.DuckDBPyConnection, table: str, key: Sequence[str]) -> int:
    """Rows of older files whose key is re-delivered by a file that sorts later."""
    on = " AND ".join(f"a.{k} = b.{k}" for k in key)
    return con.execute(f"""
        SELECT count(*) FROM {table} a WHERE EXISTS (
            SELECT 1 FROM {table} b WHERE {on} AND b.filename > a.filename)""").fetchall()[0][0]


def _expected(manifest: dict, source: str) -> dict[str, int]:
    planted = dict(manifest["quarantine_planted"].get(source, {}))
    for extra, name in (
        ("suppressed_at_source", "suppressed"),
        ("whole_decimal_counts", "whole_decimal"),
    ):
        if manifest[extra].get(source):
            planted[name] = manifest[extra][source]
    return planted


# ---- the shipped sample -------------------------------------------------------------------


def test_sample_is_byte_identical_across_runs(sample, tmp_path):
    root, _ = sample
    again = tmp_path / "again"
    generate(again, sample=True)
    first, second = _hashes(root), _hashes(again)
    assert first == second
    assert len(first) > 30


def test_sample_has_the_promised_size(sample):
    root, manifest = sample
    assert len(_features(root)) == 18
    cats = _read_delivery(root / "referens" / "brottskategorier.csv")
    assert len(cats) >= 24
    assert len(manifest["full_years"]) >= 6
    assert manifest["first_month"] == "2019-01" and manifest["last_month"] == "2026-09"
    years = {p.stem.split("_")[1] for p in (root / "brott").glob("brott_*.csv")}
    assert years == {str(y) for y in range(2019, 2027)}
    themes = {r["tema"] for r in _read_delivery(root / "referens" / "teman.csv")}
    assert themes == THEMES
    assert {c["tema"] for c in cats} <= themes
    assert {c["signalbrott"] for c in cats} == {"ja", "nej"}
    teams = [f for f in _features(root) if f["properties"]["omradesteam"] == "ja"]
    assert len(teams) == 3


def test_sample_geometry_tiles_the_town(sample):
    root, manifest = sample
    text = next((root / "omraden").glob("*.geojson")).read_text(encoding="utf-8")
    assert json.loads(text)["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::3006"
    feats = _features(root)
    geoms = [shape(f["geometry"]) for f in feats]
    ids = [f["properties"]["omrade_id"] for f in feats]
    invalid = [i for i, g in zip(ids, geoms, strict=True) if not g.is_valid]
    assert invalid == manifest["invalid_polygons"] and len(invalid) == 1
    bad = geoms[ids.index(invalid[0])]
    repaired = shapely.make_valid(bad)
    assert repaired.is_valid
    assert abs(repaired.area - abs(bad.area)) < 1e-4 * abs(bad.area)
    fixed = [shapely.make_valid(g) for g in geoms]
    x, y = shapely.centroid(shapely.union_all(fixed)).coords[0]
    assert 540_000 < x < 580_000 and 6_630_000 < y < 6_670_000  # SWEREF 99 TM, not degrees
    for a, b in itertools.combinations(range(len(fixed)), 2):
        assert fixed[a].intersection(fixed[b]).area < 0.5, (ids[a], ids[b])
    # Queen contiguity as libpysal sees it: neighbours share at least one vertex.
    vertices = [{tuple(c) for c in shapely.get_coordinates(g).tolist()} for g in geoms]
    for i, own in enumerate(vertices):
        assert any(own & other for j, other in enumerate(vertices) if j != i), ids[i]
    names = [f["properties"]["omrade_namn"] for f in feats]
    assert len(set(names)) == 18 and "Centrum" in names
    assert all(re.fullmatch(r"ALV\d{2}", i) for i in ids)


def test_sample_special_files_have_their_encodings(sample):
    root, _ = sample
    cp1252 = (root / "brott" / "brott_2020.csv").read_bytes()
    assert cp1252.startswith("Område_ID;Månad;Brottskategori;Antal\r\n".encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    lines = cp1252.decode("cp1252").split("\r\n")
    assert all(re.fullmatch(r"\d{6}", line.split(";")[1]) for line in lines[1:] if line)
    assert cp1252.count(b"\n") == cp1252.count(b"\r\n")
    bom = (root / "brott" / "brott_2021.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfarea_id,month,crime_category,count\n")
    plain = (root / "brott" / "brott_2019.csv").read_bytes()
    assert plain.startswith(b"omrade_id;manad;brottskategori;antal\n")
    xlsx = sorted((root / "befolkning").glob("*.xlsx"))
    assert xlsx and sorted((root / "befolkning").glob("*.csv"))
    sheet = load_workbook(xlsx[0], read_only=True).worksheets[0]
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    assert [_fold(h) for h in header] == ["omrade_id", "ar", "aldersgrupp", "kon", "antal"]


def test_sample_planted_rows_count_back(sample):
    root, manifest = sample
    con = duckdb.connect()
    _known(con, root)
    for source, key in (("brott", CRIME_KEY), ("orosanmalningar", REFERRAL_KEY)):
        rows = []
        for path in sorted((root / source).glob("*.csv")):
            for row in _read_delivery(path):
                rows.append({**{k: row[k] or None for k in (*key, "antal")}, "filename": path.name})
        con.register(f"{source}_arrow", pa.Table.from_pylist(rows))
        con.execute(f"CREATE TABLE {source} AS SELECT * FROM {source}_arrow").fetchall()
        found = _classify(con, source, key)
        found.pop("ok")
        assert found == _expected(manifest, source), source
        assert _superseded(con, source, key) == manifest["superseded"].get(source, 0)
    planted = sum(manifest["quarantine_planted_total"].values())
    assert 3 <= planted <= 6
    assert manifest["superseded"] == {"brott": 20}
    assert manifest["suppressed_at_source"]["brott"] >= 3
    okant = con.execute("SELECT avg((omrade_id = 'okant')::int) FROM brott").fetchall()[0][0]
    assert 0.01 < okant < 0.08
    zeros = con.execute("SELECT count(*) FROM brott WHERE antal = '0'").fetchall()[0][0]
    assert zeros > 0
    kalla = {r[0] for r in con.execute("SELECT DISTINCT kalla FROM orosanmalningar").fetchall()}
    assert "fritidsgård" in kalla


def test_sample_correction_sorts_last_and_changes_counts(sample):
    root, _ = sample
    files = sorted(p.name for p in (root / "brott").iterdir())
    fix = "brott_2024_rattelse.csv"
    assert files.index(fix) == files.index("brott_2024.csv") + 1
    old = {
        tuple(r[k] for k in CRIME_KEY): r["antal"]
        for r in _read_delivery(root / "brott" / "brott_2024.csv")
    }
    new = _read_delivery(root / "brott" / fix)
    assert len(new) == 20
    assert all(old[tuple(r[k] for k in CRIME_KEY)] != r["antal"] for r in new)


def test_sample_population_is_perturbed_from_2025(sample):
    root, _ = sample
    for path in sorted((root / "befolkning").glob("*.csv")):
        sums: dict[str, int] = {}
        totals: dict[str, int] = {}
        for r in _read_delivery(path):
            target = totals if r["kon"] == "totalt" else sums
            target[r["omrade_id"]] = target.get(r["omrade_id"], 0) + int(r["antal"])
        differ = sum(sums[a] != totals[a] for a in totals)
        assert (differ > 0) == (path.stem.endswith(("2025", "2026"))), path.name
        assert min(totals.values()) >= 250 and max(totals.values()) <= 4500


def test_sample_team_reports_are_short_and_clean(sample):
    root, _ = sample
    rows = [r for p in sorted((root / "omradesteam").glob("*.csv")) for r in _read_delivery(p)]
    assert {r["period"][-2:] for r in rows} == {"VT", "HT"}
    assert {int(r["bedomning"]) for r in rows} <= {1, 2, 3, 4, 5}
    assert {r["tema"] for r in rows} <= THEMES
    for r in rows:
        text = r["observationer"]
        assert 0 < len(text) <= 2000
        assert "@" not in text and not re.search(r"\d", text)
    # publiceras (§2.5): most observations reviewed (ja), the one about recruitment to
    # criminal networks never, and a few cells left empty (not yet reviewed: nej).
    flags = {r["publiceras"] for r in rows}
    assert flags == {"ja", "nej", ""}
    recruitment = [r for r in rows if "rekryteras till kriminella nätverk" in r["observationer"]]
    assert recruitment and {r["publiceras"] for r in recruitment} == {"nej"}
    assert sum(r["publiceras"] == "ja" for r in rows) > len(rows) / 2


# ---- benchmark scale --------------------------------------------------------------------------


def test_scale_counts_match_the_manifest(scale):
    root, manifest = scale
    con = duckdb.connect()
    _known(con, root)
    for source, key in (("brott", CRIME_KEY), ("orosanmalningar", REFERRAL_KEY)):
        con.execute(f"""CREATE TABLE {source} AS SELECT * REPLACE (parse_filename(filename)
            AS filename) FROM read_csv('{root}/{source}/*.csv', delim=';', header=true,
            all_varchar=true, filename=true)""").fetchall()
        per_file = dict(
            con.execute(f"SELECT filename, count(*) FROM {source} GROUP BY ALL").fetchall()
        )
        assert per_file == {
            name.split("/")[1]: entry["rows"]
            for name, entry in manifest["files"].items()
            if name.startswith(source + "/")
        }
        found = _classify(con, source, key)
        found.pop("ok")
        assert found == _expected(manifest, source), source
        assert _superseded(con, source, key) == manifest["superseded"].get(source, 0)
    reasons = set(manifest["quarantine_planted"]["brott"])
    assert reasons == {
        "invalid_count",
        "invalid_month",
        "missing_value",
        "unknown_area",
        "unknown_category",
        "duplicate_key",
    }
    assert manifest["superseded"]["brott"] >= 20


def test_scale_areas_look_like_deso(scale):
    root, manifest = scale
    text = next((root / "omraden").glob("*.geojson")).read_text(encoding="utf-8")
    assert '"crs"' not in text[:200]  # no crs member: EPSG:4326
    feats = _features(root)
    assert len(feats) == SCALE["n_areas"]
    assert all(re.fullmatch(r"\d{4}[ABC]\d{4}", f["properties"]["omrade_id"]) for f in feats)
    assert all(f["properties"]["kommun"].endswith(" kommun") for f in feats)
    x, y = shape(feats[0]["geometry"]).representative_point().coords[0]
    assert 10 < x < 25 and 55 < y < 70
    cats = _read_delivery(root / "referens" / "brottskategorier.csv")
    assert len(cats) == 40 and len({c["brottskategori"] for c in cats}) == 40
    assert manifest["rows"]["brott"] > 0.8 * 201 * 45 * 40  # near-full cube, 45 months


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate(tmp_path, n_areas=20, n_years=1, n_categories=8)
    generate(tmp_path, n_areas=20, n_years=1, n_categories=8, force=True)
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert (tmp_path / "brott" / "brott_2025.csv").exists()


def test_sample_refuses_other_sizes(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, sample=True, n_areas=40)
