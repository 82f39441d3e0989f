"""Derived values, marking for CSV/Parquet, and building groups from published tables."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.disclosure import (
    SUPPRESSED_LEGEND,
    any_suppressed,
    change_suppressed,
    derived_mask,
    find_pinned,
    groups_from_margins,
    mark_for_csv,
    parquet_columns,
    published_view,
    suppress,
)


@pytest.fixture
def area_year() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": ["A", "A", "B", "B"],
            "year": [2023, 2024, 2023, 2024],
            "crime_count": [5, 2, 1, 7],
            "crime_count_suppressed": [False, True, True, False],
            "crimes_per_1000": [2.5, 1.0, 0.4, 2.8],
            "change_pct": [np.nan, -60.0, np.nan, 600.0],
        }
    )


def test_derived_mask_nulls_dependents(area_year: pd.DataFrame) -> None:
    out = derived_mask(area_year, count="crime_count", dependents=["crimes_per_1000"])
    assert out["crimes_per_1000_suppressed"].tolist() == [False, True, True, False]
    assert out["crimes_per_1000"].isna().tolist() == [False, True, True, False]
    assert area_year["crimes_per_1000"].notna().all()  # input untouched


def test_change_is_suppressed_if_either_year_is(area_year: pd.DataFrame) -> None:
    flag = change_suppressed(area_year, flag="crime_count_suppressed", by=["area_id"])
    # A 2024 (own), B 2023 (own), B 2024 (previous year suppressed).
    assert flag.tolist() == [False, True, True, True]
    out = derived_mask(
        area_year.assign(chg=flag), count="crime_count", flag="chg", dependents=["change_pct"]
    )
    assert out["change_pct"].isna().tolist() == [True, True, True, True]
    assert out["change_pct_suppressed"].tolist() == [False, True, True, True]


def test_flags_accumulate_over_several_counts() -> None:
    df = pd.DataFrame(
        {
            "a_suppressed": [True, False, False],
            "b_suppressed": [False, True, False],
            "ratio": [1.0, 2.0, 3.0],
        }
    )
    out = derived_mask(df, count="a", dependents=["ratio"])
    out = derived_mask(out, count="b", dependents=["ratio"])
    assert out["ratio_suppressed"].tolist() == [True, True, False]
    assert any_suppressed(df["a_suppressed"], df["b_suppressed"]).tolist() == [True, True, False]


def test_mark_for_csv(area_year: pd.DataFrame) -> None:
    df = area_year.assign(population=[2000, 2000, np.nan, 2500])
    df["population_suppressed"] = False
    out = mark_for_csv(df, ["crime_count", "population"])
    assert out["crime_count"].tolist() == ["5", "..", "..", "7"]
    # Not available (NaN, not suppressed) is empty, not "..": the two must stay apart.
    assert out["population"].tolist() == ["2000", "2000", "", "2500"]
    assert "crime_count_suppressed" not in out.columns
    with pytest.raises(KeyError):
        mark_for_csv(df, ["crimes_per_1000"])  # no flag column: refuse rather than leak
    assert SUPPRESSED_LEGEND == "Värdet visas inte (..) för att skydda enskilda"


def test_parquet_columns_roundtrip(area_year: pd.DataFrame) -> None:
    df = derived_mask(area_year, count="crime_count", dependents=["crimes_per_1000"])
    out = parquet_columns(df, ["crime_count", "crimes_per_1000"])
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(out, preserve_index=False), buf)
    table = pq.read_table(io.BytesIO(buf.getvalue()))
    assert table.schema.field("crime_count").type == pa.int64()
    assert table.column("crime_count").to_pylist() == [5, None, None, 7]
    assert table.column("crimes_per_1000").to_pylist() == [2.5, None, None, 2.8]
    assert table.column("crime_count_suppressed").to_pylist() == [False, True, True, False]


def test_groups_from_margins_and_the_attacker_on_a_public_csv() -> None:
    """The outside check's path: suppress, write the CSV, read it back, rebuild, attack."""
    frame = pd.DataFrame(
        [
            (a, t, v)
            for a, row in {"A": [1, 4, 6], "B": [3, 5, 2], "C": [7, 8, 9]}.items()
            for t, v in zip(["x", "y", "z"], row, strict=True)
        ],
        columns=["area", "theme", "crime_count"],
    )
    area_tot = frame.groupby("area", as_index=False)["crime_count"].sum().assign(theme="Totalt")
    theme_tot = frame.groupby("theme", as_index=False)["crime_count"].sum().assign(area="Totalt")
    grand = pd.DataFrame(
        {"area": ["Totalt"], "theme": ["Totalt"], "crime_count": [frame["crime_count"].sum()]}
    )
    table = pd.concat([frame, area_tot, theme_tot, grand], ignore_index=True)
    table["cell_id"] = "aty|" + table["area"] + "|" + table["theme"]
    groups = groups_from_margins(table, ["area", "theme"], name="aty")
    assert groups["group_id"].nunique() == 8  # 4 rows (incl. Totalt) + 4 columns
    cells = table[["cell_id", "crime_count"]].rename(columns={"crime_count": "value"})
    res = suppress(cells.assign(kind="crime"), groups)

    table["crime_count_suppressed"] = (
        res.set_index("cell_id").loc[table["cell_id"], "suppressed"].to_numpy()
    )
    csv = mark_for_csv(table.drop(columns="cell_id"), ["crime_count"]).to_csv(sep=";", index=False)
    public = pd.read_csv(io.StringIO(csv), sep=";", dtype=str, keep_default_na=False)
    assert (public["crime_count"] == "..").sum() == res["suppressed"].sum()

    # Rebuild cells and groups from the public file alone.
    public["cell_id"] = public["area"] + "|" + public["theme"]
    view = pd.DataFrame(
        {
            "cell_id": public["cell_id"],
            "suppressed": public["crime_count"] == "..",
            "value": pd.to_numeric(public["crime_count"].replace({"..": None, "": None})),
        }
    )
    rebuilt = groups_from_margins(public, ["area", "theme"], name="csv")
    assert find_pinned(view, rebuilt).empty
    # Same verdict as on the internal ids.
    assert find_pinned(published_view(cells, res), groups).empty
