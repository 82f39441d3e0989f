"""One model of what every published value is made of (assets/public/lineage.py).

Every public table goes through it: a table or a column that the model does not know is refused,
and on the sample the published files follow it from outside (a change beside a hidden previous
year, a comparison beside a hidden reference, a score without rank).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from assets.public.build import COUNT_TABLES
from assets.public.lineage import DERIVED, PLAIN, PLAIN_TABLES, protect
from tests.public.test_public_disclosure import read_public


def test_every_public_table_goes_through_the_model(sample_build) -> None:
    con = duckdb.connect(str(sample_build.db), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'public'"
            ).fetchall()
        }
        declared = (
            {t.name for t in COUNT_TABLES} | {"priority", "area_survey_year"} | set(PLAIN_TABLES)
        )
        assert tables == declared, "a public table is not declared in the lineage model"
        counts = {t.name: {m.value for m in t.measures} for t in COUNT_TABLES}
        counts["priority"] = {"crime_count"}
        counts["area_survey_year"] = {"share_pct"}
        for table in tables - set(PLAIN_TABLES):
            columns = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'public' "
                    "AND table_name = ?",
                    [table],
                ).fetchall()
            ]
            known = PLAIN[table] | counts[table] | set(DERIVED.get(table, {}))
            unknown = [c for c in columns if c not in known and not c.endswith("_suppressed")]
            assert unknown == [], f"public.{table} publishes undeclared columns {unknown}"
            # Every derived value carries its flag, so the CSV export can show '..'.
            for column in DERIVED.get(table, {}):
                if column in columns:
                    assert f"{column}_suppressed" in columns, (table, column)
    finally:
        con.close()


def test_an_undeclared_column_is_refused() -> None:
    frame = pd.DataFrame(
        {
            "area_id": ["A"],
            "year": [2024],
            "crime_count": [1.0],
            "crime_count_suppressed": [True],
            "new_rate": [0.4],
        }
    )
    with pytest.raises(ValueError, match="new_rate"):
        protect("area_year", frame, ("crime_count",), ["area_id"])


def test_a_derived_value_without_its_flag_is_refused() -> None:
    frame = pd.DataFrame({"area_id": ["A"], "year": [2024], "crimes_per_1000": [0.4]})
    with pytest.raises(KeyError, match="crime_count_suppressed"):
        protect("area_year", frame, (), ["area_id"])


def test_a_change_follows_both_years() -> None:
    frame = pd.DataFrame(
        {
            "area_id": ["A", "A", "B", "B"],
            "year": [2023, 2024, 2023, 2024],
            "crime_count": [1.0, 12.0, 10.0, 12.0],
            "crime_count_suppressed": [True, False, False, False],
            "change_pct": [None, 1100.0, None, 20.0],
            "_reference_suppressed": [False] * 4,
        }
    )
    out = protect("area_year", frame, ("crime_count",), ["area_id"])
    assert out["change_pct_suppressed"].tolist() == [True, True, False, False]
    assert pd.isna(out.loc[1, "change_pct"]) and out.loc[3, "change_pct"] == 20


def test_a_category_rate_and_change_follow_its_counts() -> None:
    """municipality_category_year: a rate is hidden with its count, a change when either
    year's count of the same theme and category is (another category's does not matter)."""
    frame = pd.DataFrame(
        {
            "theme": ["narkotika"] * 4,
            "crime_category": ["innehav", "innehav", "overlatelse", "overlatelse"],
            "year": [2024, 2025, 2024, 2025],
            "crime_count": [2.0, 40.0, 30.0, 33.0],
            "crime_count_suppressed": [True, False, False, False],
            "crimes_per_1000": [0.05, 1.08, 0.81, 0.89],
            "change_pct": [None, 1900.0, None, 10.0],
            "_reference_suppressed": [False] * 4,
        }
    )
    out = protect(
        "municipality_category_year", frame, ("crime_count",), ["crime_category", "theme"]
    )
    assert out["crimes_per_1000_suppressed"].tolist() == [True, False, False, False]
    assert out["change_pct_suppressed"].tolist() == [True, True, False, False]
    assert out.loc[3, "change_pct"] == 10 and pd.isna(out.loc[1, "change_pct"])


def test_a_trend_follows_every_year_of_its_window() -> None:
    """A hidden count four years back hides the trend; five years back it is outside the window
    (last_year − 4 … last_year), and another area's hidden count does not matter."""
    years = list(range(2019, 2026))
    hidden_a = [y == 2021 for y in years]  # inside the windows ending 2021…2025
    hidden_b = [y == 2020 for y in years]  # inside the windows ending 2020…2024 only
    frame = pd.DataFrame(
        {
            "area_id": ["A"] * 7 + ["B"] * 7,
            "year": years * 2,
            "crime_count": [10.0] * 14,
            "crime_count_suppressed": hidden_a + hidden_b,
            "trend_pct_per_year": [5.4] * 14,
            "_reference_suppressed": [False] * 14,
        }
    )
    out = protect("area_year", frame, ("crime_count",), ["area_id"])
    keys = zip(out["area_id"], out["year"], strict=True)
    flags = dict(zip(keys, out["trend_pct_per_year_suppressed"], strict=True))
    assert [flags[("A", y)] for y in years] == [False, False, True, True, True, True, True]
    assert [flags[("B", y)] for y in years] == [False, True, True, True, True, True, False]
    assert out.loc[out["trend_pct_per_year_suppressed"], "trend_pct_per_year"].isna().all()
    assert out.loc[~out["trend_pct_per_year_suppressed"], "trend_pct_per_year"].eq(5).all()


def test_priority_follows_the_theme_tables_from_outside(sample_build) -> None:
    """Outside view: a priority row whose previous-year count is '..' shows no trend or trend
    points (last year is in the trend's window); a row whose reference is '..' shows no
    comparison; the order is by keys."""
    folder = sample_build.db.parent / "public"
    themes = read_public(folder, "area_theme_year")
    priority = read_public(folder, "priority")
    assert "rank" not in priority.columns
    keys = priority[["area_id", "year", "theme"]]
    assert keys.equals(keys.sort_values(["area_id", "year", "theme"]).reset_index(drop=True))
    hidden = themes.assign(year=themes["year"].astype(int) + 1)
    hidden = hidden.loc[hidden["crime_count"] == "..", ["area_id", "year", "theme"]]
    p = priority.assign(year=priority["year"].astype(int))
    after_hidden = p.merge(hidden, on=["area_id", "year", "theme"])
    assert len(after_hidden) > 5  # the sample has such rows: the check is not vacuous
    for column in ("trend_pct_per_year", "trend_q_value", "trend_points"):
        assert (after_hidden[column] == "..").all(), column
    # Funnel limits are all hidden or all shown within a theme and year (one reference).
    areas = themes[~themes["area_id"].isin(["Totalt", "okant"])]
    limits = areas.groupby(["year", "theme"])["funnel_high_95"].agg(
        lambda s: (s == "..").all() or not (s == "..").any()
    )
    assert limits.all()
