"""Disclosure control seen from outside: only the files in data/marts/public/ are read.

The attacker treats every published table as linear equations (each `Totalt` row or column
is the sum of its parts, and a number that appears in two tables is one unknown) and asks a
linear program for the smallest and largest value each suppressed cell can take. Nothing
may be pinned to a single value.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assets.disclosure import find_pinned, groups_from_margins
from tests.marts.conftest import run_build

T = "Totalt"
THRESHOLD = {"crime": 3, "referral": 5}


def read_public(folder: Path, table: str) -> pd.DataFrame:
    """A public CSV as the outside world reads it: '..' is hidden, empty is not available."""
    return pd.read_csv(folder / f"{table}.csv", sep=";", dtype=str, keep_default_na=False)


def number(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.str.replace(",", ".").replace({"..": None, "": None}))


def crime_cell(k: pd.DataFrame) -> pd.Series:
    """A crime count is known by year, area, theme and month; a missing column is 'Totalt'."""
    parts = [k["year"], k.get("area_id", T), k.get("theme", T), k.get("month", T)]
    return "c|" + _joined(k, parts)


def referral_cell(k: pd.DataFrame) -> pd.Series:
    """A referral count is known by year, type, area, reporter, age band and sex."""
    parts = [
        k["year"],
        k.get("type", "sig"),
        k.get("area_id", T),
        k.get("source", T),
        k.get("age_group", T),
        k.get("sex", T),
    ]
    return "r|" + _joined(k, parts)


def _joined(k: pd.DataFrame, parts: list) -> pd.Series:
    columns = [pd.Series(p, index=k.index) for p in parts]
    return pd.concat(columns, axis=1).agg("|".join, axis=1)


def child_cell(k: pd.DataFrame) -> pd.Series:
    """area_year's 0–17 orosanmälningar: a number of its own (all ages are elsewhere)."""
    return "r017|" + k["year"] + "|" + k["area_id"]


#: (table, count column, kind, margins, other keys, how a cell is identified)
PUBLISHED = (
    ("area_year", "crime_count", "crime", ["area_id"], ["year"], crime_cell),
    ("area_year", "sig_referral_count", "referral", ["area_id"], ["year"], referral_cell),
    ("area_year", "referral_count", "referral", ["area_id"], ["year"], child_cell),
    ("area_theme_year", "crime_count", "crime", ["area_id", "theme"], ["year"], crime_cell),
    ("area_month", "crime_count", "crime", ["area_id", "month"], ["year"], crime_cell),
    ("municipality_theme_month", "crime_count", "crime", ["theme", "month"], ["year"], crime_cell),
    (
        "area_referral_year",
        "referral_count",
        "referral",
        ["area_id", "source"],
        ["year", "type"],
        referral_cell,
    ),
    (
        "referral_year",
        "referral_count",
        "referral",
        ["age_group", "sex"],
        ["year", "type"],
        referral_cell,
    ),
)


def published_cells(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells keyed by what they count, as anyone reading the tables would link them."""
    all_cells, all_groups = [], []
    for table, value, kind, margins, by, identify in PUBLISHED:
        frame = read_public(folder, table)
        keys = frame[[*by, *margins]].astype(str)
        cells = pd.DataFrame(
            {
                "cell_id": identify(keys),
                "value": number(frame[value]),
                "suppressed": frame[value] == "..",
                "kind": kind,
            }
        )
        all_cells.append(cells)
        all_groups.append(
            groups_from_margins(
                keys.assign(cell_id=cells["cell_id"]), margins, by=by, name=f"{table}.{value}"
            )
        )
    cells = pd.concat(all_cells, ignore_index=True)
    groups = pd.concat(all_groups, ignore_index=True)
    # One number shown in two tables is one unknown; if one copy hid it and another showed
    # it, that alone would disclose it.
    both = cells.groupby("cell_id")["suppressed"].nunique()
    mixed = list(both[both > 1].index[:5])
    assert not mixed, f"shown in one table, hidden in another: {mixed}"
    return cells.drop_duplicates("cell_id", ignore_index=True), groups


def pinned_cells(folder: Path) -> pd.DataFrame:
    cells, groups = published_cells(folder)
    year = cells["cell_id"].str.split("|").str[1]
    found = []
    for y in sorted(year.unique()):
        part = cells[year == y]
        found.append(find_pinned(part, groups[groups["cell_id"].isin(part["cell_id"])]))
    return pd.concat(found, ignore_index=True)


def test_no_suppressed_cell_of_the_sample_can_be_recovered(sample_build) -> None:
    folder = sample_build.settings.marts_path / "public"
    cells, _ = published_cells(folder)
    assert cells["suppressed"].sum() > 100, "the sample should exercise suppression"
    assert pinned_cells(folder).empty


def test_no_published_count_is_small(sample_build) -> None:
    """Counts 1–2 (crimes) and 1–4 (referrals) never appear in the public files."""
    cells, _ = published_cells(sample_build.settings.marts_path / "public")
    shown = cells[~cells["suppressed"] & cells["value"].notna()]
    small = shown[(shown["value"] >= 1) & (shown["value"] < shown["kind"].map(THRESHOLD))]
    assert small.empty, small.head()
    hidden = cells[cells["suppressed"]]
    assert hidden["value"].isna().all()


PLANTED_AREAS = "omrade_id;omrade_namn\n" + "".join(f"P{i};Plats {i}\n" for i in range(1, 6))
PLANTED_REFERENS = (
    "brottskategori;tema;signalbrott\nStöld;egendomsbrott;nej\nKlotter;skadegörelse;ja\n"
    "Hot;våld i offentlig miljö;nej\n"
)


def planted_crime() -> str:
    """Mostly 1s and 2s, a few larger counts: the hardest case for secondary suppression."""
    lines = ["omrade_id;manad;brottskategori;antal"]
    pattern = [1, 2, 7, 1, 0, 12, 2, 1, 5, 2, 1, 30, 2, 4, 1]
    i = 0
    for area in range(1, 6):
        for month in ("2023-01", "2023-05", "2023-09"):
            for category in ("Stöld", "Klotter", "Hot"):
                count = pattern[i % len(pattern)]
                i += 1
                if count:
                    lines.append(f"P{area};{month};{category};{count}")
    return "\n".join(lines) + "\n"


def planted_referrals() -> str:
    lines = ["omrade_id;manad;typ;kalla;aldersgrupp;kon;antal"]
    counts = [1, 3, 6, 2, 9, 4, 1, 14, 2, 5]
    i = 0
    for area in range(1, 6):
        for source in ("polis", "skola", "socialtjanst"):
            for sex in ("K", "M"):
                lines.append(
                    f"P{area};2023-04;orosanmalan;{source};13-17;{sex};{counts[i % len(counts)]}"
                )
                i += 1
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("planted_raw")
    for folder, name, text in (
        ("omraden", "areas.csv", PLANTED_AREAS),
        ("referens", "brottskategorier.csv", PLANTED_REFERENS),
        ("brott", "brott.csv", planted_crime()),
        ("orosanmalningar", "oro.csv", planted_referrals()),
        (
            "befolkning",
            "pop.csv",
            "omrade_id;ar;aldersgrupp;kon;antal\n"
            + "".join(f"P{i};2023;totalt;totalt;{400 * i}\n" for i in range(1, 6)),
        ),
    ):
        (raw / folder).mkdir()
        (raw / folder / name).write_text(text, encoding="utf-8")
    build = run_build(raw, tmp_path_factory.mktemp("planted") / "marts")
    assert build.result.success
    return build.settings.marts_path / "public"


def test_planted_small_counts_are_protected(planted) -> None:
    cells, _ = published_cells(planted)
    assert cells["suppressed"].sum() >= 10
    assert pinned_cells(planted).empty


def test_the_attacker_pins_a_cell_when_its_partner_is_revealed(sample_build, tmp_path) -> None:
    """Show the attacker can fail: in an area's row with a published total and exactly two
    hidden themes, reveal one; the other is then the only unknown of the row's equation."""
    import duckdb

    public = sample_build.settings.marts_path / "public"
    weak = tmp_path / "weak"
    weak.mkdir()
    for csv in public.glob("*.csv"):
        weak.joinpath(csv.name).write_bytes(csv.read_bytes())
    frame = read_public(weak, "area_theme_year")
    parts = frame[(frame["theme"] != T) & ~frame["area_id"].isin([T, "okant"])]
    hidden = parts[parts["crime_count"] == ".."].groupby(["year", "area_id"])
    pairs = [(key, rows) for key, rows in hidden if len(rows) == 2]
    assert pairs, "the sample should have a row with exactly two hidden themes"
    (year, area), rows = pairs[0]
    revealed, other = rows.index
    con = duckdb.connect(str(sample_build.db), read_only=True)
    true = con.execute(
        "SELECT crime_count FROM main.area_theme_year WHERE year = ? AND area_id = ? AND theme = ?",
        [int(year), area, frame.loc[revealed, "theme"]],
    ).fetchall()[0][0]
    con.close()
    frame.loc[revealed, "crime_count"] = str(true)
    frame.to_csv(weak / "area_theme_year.csv", sep=";", index=False)
    pinned = pinned_cells(weak)
    assert f"c|{year}|{area}|{frame.loc[other, 'theme']}|Totalt" in set(pinned["cell_id"])


def test_one_number_shown_in_two_tables_must_have_one_value() -> None:
    """A cell id names one number across tables: two values under one id stop the build."""
    import numpy as np

    from assets.public.build import _check_one_value_per_cell

    ids = np.array(["c|2025|A|Totalt|Totalt", "c|2025|B|Totalt|Totalt"], dtype=object)
    rows = np.array([0, 1, 0, 1])  # both cells shown twice
    first = np.array([0, 1])
    _check_one_value_per_cell(ids, rows, np.array([4.0, np.nan, 4.0, np.nan]), first)
    with pytest.raises(ValueError, match=r"different values in two tables.*c\|2025\|B"):
        _check_one_value_per_cell(ids, rows, np.array([4.0, 7.0, 4.0, 8.0]), first)
