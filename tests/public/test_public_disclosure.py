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
from tests.public.planted import ONLY_HERE

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


def category_cell(k: pd.DataFrame) -> pd.Series:
    """A crime category of the whole municipality; its `Totalt` row is the theme's count."""
    own = "k|" + _joined(k, [k["year"], T, k["theme"], k["crime_category"]])
    return own.where(k["crime_category"] != T, crime_cell(k))


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
        "municipality_category_year",
        "crime_count",
        "crime",
        ["crime_category"],
        ["year", "theme"],
        category_cell,
    ),
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


def test_planted_small_counts_are_protected(planted) -> None:
    """Every table with a `Totalt` group has a planted small count that only its own group
    protects (tests/public/planted.py), so dropping any one table's group rule from the
    secondary suppression leaves a count alone in its row, and the attacker pins it."""
    tables = {table for table, *_ in PUBLISHED}
    assert set(ONLY_HERE) == tables, "a table with groups has no planted case of its own"
    for table in sorted(tables):
        frame = read_public(planted, table)
        counts = [value for t, value, *_ in PUBLISHED if t == table]
        hidden = sum(int((frame[c] == "..").sum()) for c in counts)
        assert hidden >= 1, f"the planted {table} hides nothing: {ONLY_HERE[table]}"
    cells, _ = published_cells(planted)
    assert cells["suppressed"].sum() >= 20
    pinned = pinned_cells(planted)
    assert pinned.empty, f"recovered from the planted tables: {list(pinned['cell_id'])}"


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
