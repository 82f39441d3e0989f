"""area_year recomputed by hand, with plain pandas, straight from the raw files.

This is a second, independent reading of data-contract.md: it shares no code with the pipeline
(no import from assets.ingest or assets.marts). Every row of the published area_year must
match it: counts exactly, rates and statistics to 1e-9.
"""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

from tests.marts.conftest import SAMPLE_RAW

ALIASES = {
    "area_id": "omrade_id",
    "month": "manad",
    "year": "ar",
    "crime_category": "brottskategori",
    "count": "antal",
    "population": "antal",
    "age_group": "aldersgrupp",
    "sex": "kon",
    "type": "typ",
    "source": "kalla",
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text).strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def read_table(path: Path) -> pd.DataFrame:
    """A delivery as text columns named by the contract's (folded) Swedish names."""
    if path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=object)
        frame = frame.map(
            lambda v: (
                ""
                if pd.isna(v)
                else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
            )
        )
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        header = text.splitlines()[0]
        sep = ";" if header.count(";") >= header.count(",") else ","
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    names = {c: ALIASES.get(fold(c), fold(c)) for c in frame.columns}
    return frame.rename(columns=names)


INVALID = -1.0  # a sentinel, not None: pandas would turn None into NaN ("not available")


def whole_count(value: str) -> float:
    """NaN for '..'/'.'/empty; INVALID for anything but a whole number >= 0."""
    value = value.strip()
    if value in ("", ".", ".."):
        return np.nan
    try:
        number = float(value.replace(" ", "").replace(",", "."))
    except ValueError:
        return INVALID
    return number if number >= 0 and number == int(number) else INVALID


def month_start(value: str) -> pd.Timestamp | None:
    value = value.strip()
    for fmt in ("%Y-%m", "%Y%m", "%Y-%m-%d"):
        try:
            stamp = pd.to_datetime(value, format=fmt)
        except ValueError:
            continue
        if fmt == "%Y-%m-%d" and stamp.day != 1:
            return None
        return stamp
    return None


def deliveries(folder: str) -> list[Path]:
    return sorted((SAMPLE_RAW / folder).iterdir(), key=lambda p: p.name)


def resolve_duplicates(rows: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Drop keys repeated within a file; then the file that sorts last wins."""
    rows = rows.reset_index(drop=True)
    rows = rows[~rows.duplicated(subset=[*key, "file_ord"], keep=False)]
    last = rows.groupby(key, dropna=False)["file_ord"].transform("max")
    return rows[rows["file_ord"] == last]


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    features = json.loads(next((SAMPLE_RAW / "omraden").glob("*.geojson")).read_text())["features"]
    areas = sorted(str(f["properties"]["omrade_id"]).strip() for f in features)
    known = set(areas) | {"okant"}
    categories = {
        fold(c)
        for c in read_table(SAMPLE_RAW / "referens" / "brottskategorier.csv")["brottskategori"]
    }

    crime_parts = []
    for order, path in enumerate(deliveries("brott")):
        t = read_table(path)
        t["file_ord"] = order
        t["area_id"] = t["omrade_id"].str.strip()
        t["month"] = t["manad"].map(month_start)
        t["count"] = t["antal"].map(whole_count)
        t["category"] = t["brottskategori"].map(fold)
        ok = (
            t["month"].notna()
            & (t["count"] != INVALID)
            & t["area_id"].isin(known)
            & t["category"].isin(categories)
        )
        crime_parts.append(t[ok])
    crime = resolve_duplicates(pd.concat(crime_parts), ["area_id", "month", "category"])
    crime = crime.assign(year=crime["month"].dt.year, count=crime["count"].astype(float))

    pop_parts = []
    for order, path in enumerate(deliveries("befolkning")):
        t = read_table(path)
        t["file_ord"] = order
        t["area_id"] = t["omrade_id"].str.strip()
        t["year"] = t["ar"].astype(int)
        t["count"] = t["antal"].map(whole_count).astype(float)
        pop_parts.append(t)
    pop = resolve_duplicates(pd.concat(pop_parts), ["area_id", "year", "aldersgrupp", "kon"])
    totals = pop[(pop["aldersgrupp"].map(fold) == "totalt") & (pop["kon"].map(fold) == "totalt")]
    totals = totals.set_index(["area_id", "year"])["count"]

    ref_parts = []
    for order, path in enumerate(deliveries("orosanmalningar")):
        t = read_table(path)
        t["file_ord"] = order
        t["area_id"] = t["omrade_id"].str.strip()
        t["month"] = t["manad"].map(month_start)
        t["count"] = t["antal"].map(whole_count)
        t["type"] = t.get("typ", pd.Series("", index=t.index)).map(fold).replace("", "orosanmalan")
        ok = t["month"].notna() & (t["count"] != INVALID) & t["area_id"].isin(known)
        ref_parts.append(t[ok])
    ref = resolve_duplicates(
        pd.concat(ref_parts), ["area_id", "month", "type", "kalla", "aldersgrupp", "kon"]
    )
    ref = ref.assign(year=ref["month"].dt.year, count=ref["count"].astype(float))
    bounds = ref["aldersgrupp"].str.split("-", expand=True).astype(float)
    ref["is_child"] = (ref["type"] == "orosanmalan") & (bounds[0] >= 0) & (bounds[1] <= 17)

    years = range(int(crime["year"].min()), int(crime["year"].max()) + 1)
    last_month = crime["month"].max()
    rows = []
    for area in areas:
        for year in years:
            in_area = crime[(crime["area_id"] == area) & (crime["year"] == year)]
            known_years = [y for (a, y) in totals.index if a == area and y <= year]
            population = totals[(area, max(known_years))] if known_years else np.nan
            r = ref[(ref["area_id"] == area) & (ref["year"] == year)]
            rows.append(
                {
                    "area_id": area,
                    "year": year,
                    "is_complete_year": year < last_month.year or last_month.month == 12,
                    "crime_count": in_area["count"].sum(min_count=0),
                    "missing_cells": int(in_area["count"].isna().sum()),
                    "population": population,
                    "referral_count": r.loc[r["is_child"], "count"].sum(),
                    "sig_referral_count": r.loc[r["type"] == "sig", "count"].sum(),
                }
            )
    frame = pd.DataFrame(rows)
    frame["crimes_per_1000"] = frame["crime_count"] / frame["population"] * 1000
    by_area = frame.groupby("area_id")
    frame["crime_count_prev_year"] = (
        by_area["crime_count"].shift(1).where(frame["is_complete_year"])
    )
    prev_pop = by_area["population"].shift(1)
    frame["change_pct"] = np.where(
        frame["crime_count_prev_year"] > 0,
        (frame["crime_count"] - frame["crime_count_prev_year"])
        / frame["crime_count_prev_year"]
        * 100,
        np.nan,
    )
    p_values = []
    for row, e_prev in zip(frame.itertuples(), prev_pop, strict=True):
        if np.isnan(row.crime_count_prev_year):
            p_values.append(np.nan)
            continue
        n = int(row.crime_count + row.crime_count_prev_year)
        e_now, e_before = row.population, e_prev
        if not (e_now > 0 and e_before > 0):
            e_now = e_before = 1.0
        p_values.append(
            1.0 if n == 0 else binomtest(int(row.crime_count), n, e_now / (e_now + e_before)).pvalue
        )
    frame["p_value"] = p_values
    frame["q_value"] = np.nan
    for _, part in frame[frame["p_value"].notna()].groupby("year"):
        frame.loc[part.index, "q_value"] = multipletests(part["p_value"], method="fdr_bh")[1]
    return frame


def test_area_year_matches_an_independent_reading_of_the_raw_files(marts, expected) -> None:
    published = marts.execute("SELECT * FROM main.area_year ORDER BY area_id, year").df()
    assert len(published) == len(expected)
    merged = expected.merge(published, on=["area_id", "year"], suffixes=("_hand", ""))
    assert len(merged) == len(expected), "area × year grids differ"
    for column in (
        "crime_count",
        "missing_cells",
        "referral_count",
        "sig_referral_count",
        "is_complete_year",
    ):
        mismatch = merged[merged[f"{column}_hand"].astype(float) != merged[column].astype(float)]
        assert mismatch.empty, (
            f"{column} differs:\n{mismatch[['area_id', 'year', column + '_hand', column]]}"
        )
    for column in (
        "population",
        "crimes_per_1000",
        "crime_count_prev_year",
        "change_pct",
        "p_value",
        "q_value",
    ):
        hand = merged[f"{column}_hand"].astype(float).to_numpy()
        pipe = merged[column].astype(float).to_numpy()
        assert np.array_equal(np.isnan(hand), np.isnan(pipe)), f"{column}: NULLs differ"
        ok = ~np.isnan(hand)
        np.testing.assert_allclose(pipe[ok], hand[ok], rtol=0, atol=1e-9, err_msg=column)


def test_the_sample_exercises_the_hard_cases(expected) -> None:
    # The comparison above means something only if the sample has these cases in it.
    assert expected["missing_cells"].sum() > 0, "no '..' cells"
    assert (~expected["is_complete_year"]).any(), "no partial year"
    assert expected["p_value"].notna().sum() > 100
    assert (expected["q_value"] < 0.05).any(), "no significant change to compare"
