"""area_theme_trend equals statistics.md's five-year trend, recomputed with statsmodels.

Each row is refitted from the published yearly counts and populations with
``statsmodels.api.GLM`` (Poisson, log population offset, default fit); q-values with
statsmodels' ``fdrcorrection`` in the three families of the spec.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm
from statsmodels.stats.multitest import fdrcorrection

TOL = 1e-9
ALL = "alla brott"


def series_inputs(con) -> pd.DataFrame:
    """Counts and delivered populations per series and year, from the published marts.

    The themes are those of brottskategorier.csv (main.crime_category), as the spec says.
    """
    areas = con.execute(
        f"""SELECT area_id, theme, year, is_complete_year, crime_count,
                   CASE WHEN population_year = year THEN population END AS population
            FROM main.area_theme_year
            WHERE theme IN (SELECT theme FROM main.crime_category)
            UNION ALL
            SELECT area_id, '{ALL}', year, is_complete_year, crime_count,
                   CASE WHEN population_year = year THEN population END
            FROM main.area_year"""
    ).df()
    # The municipality: every crime (okant included); a population only where every area
    # has one delivered for that year.
    pop = con.execute(
        """SELECT year, CASE WHEN bool_and(population_year IS NOT DISTINCT FROM year)
                             THEN sum(population) END AS population
           FROM main.area_year GROUP BY year"""
    ).df()
    whole = con.execute(
        f"""SELECT 'kommun' AS area_id, theme, year, is_complete_year, crime_count
            FROM main.municipality_theme_year
            WHERE theme IN (SELECT theme FROM main.crime_category)
            UNION ALL
            SELECT 'kommun', '{ALL}', year, is_complete_year, crime_count
            FROM main.municipality_year"""
    ).df()
    return pd.concat([areas, whole.merge(pop, on="year")], ignore_index=True)


def fit(y: np.ndarray, n: np.ndarray, t: np.ndarray) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, sm.add_constant(t), family=sm.families.Poisson(), offset=np.log(n)).fit()
    b, se = res.params[1], res.bse[1]
    scale = max(res.pearson_chi2 / (len(y) - 2), 1.0)
    z = norm.ppf(0.975)
    return {
        "trend_pct_per_year": (math.exp(b) - 1) * 100,
        "trend_ci_low": (math.exp(b - z * se * math.sqrt(scale)) - 1) * 100,
        "trend_ci_high": (math.exp(b + z * se * math.sqrt(scale)) - 1) * 100,
        "scale": scale,
        "p_value": 2 * norm.sf(abs(b) / (se * math.sqrt(scale))),
    }


def expected_trends(inputs: pd.DataFrame) -> pd.DataFrame:
    """The spec, series by series and window by window (plain numpy inside the loop)."""
    complete = sorted(inputs.loc[inputs["is_complete_year"], "year"].unique())
    inputs = inputs.sort_values(["area_id", "theme", "year"])
    keys = inputs[["area_id", "theme"]].to_numpy()
    year = inputs["year"].to_numpy(float)
    count = inputs["crime_count"].to_numpy(float)
    population = inputs["population"].to_numpy(float)
    is_complete = inputs["is_complete_year"].to_numpy(bool)
    bounds = np.flatnonzero((keys[1:] != keys[:-1]).any(axis=1)) + 1
    rows = []
    for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(keys)], strict=True):
        area, theme = keys[start]
        t, y, n, ok = (a[start:stop] for a in (year, count, population, is_complete))
        for last in complete:
            row = {"area_id": area, "theme": theme, "last_year": last, "first_year": None}
            row |= dict.fromkeys(
                ("trend_pct_per_year", "trend_ci_low", "trend_ci_high", "scale", "p_value"),
                np.nan,
            )
            window = ok & (t >= last - 4) & (t <= last) & (n > 0)
            wy = y[window]
            nonzero = np.flatnonzero(wy > 0)
            if (
                len(wy) >= 3
                and nonzero.size
                and not (nonzero.size == 1 and nonzero[0] in (0, len(wy) - 1))
            ):
                row |= fit(wy, n[window], t[window])
                row["first_year"] = int(t[window].min())
            rows.append(row)
    out = pd.DataFrame(rows)
    kind = np.where(out["area_id"] == "kommun", 2, np.where(out["theme"] == ALL, 0, 1))
    out["q_value"] = np.nan
    for _, members in out.groupby([out["last_year"], kind]):
        p = members["p_value"].dropna()
        if len(p):
            out.loc[p.index, "q_value"] = fdrcorrection(p.to_numpy())[1]
    return out


def test_trend_equals_statsmodels_on_the_sample(marts) -> None:
    published = marts.execute("SELECT * FROM main.area_theme_trend").df()
    want = expected_trends(series_inputs(marts))
    merged = want.merge(
        published, on=["area_id", "theme", "last_year"], how="outer", suffixes=("", "_got")
    )
    # Dense: every area and kommun × every theme and alla brott × every complete year.
    assert len(published) == len(want) == len(merged)
    assert merged["trend_pct_per_year"].notna().sum() > 500, "the sample has 7 complete years"
    assert merged["trend_pct_per_year"].isna().sum() > 0, "early years have too short windows"
    for column in (
        "trend_pct_per_year",
        "trend_ci_low",
        "trend_ci_high",
        "scale",
        "p_value",
        "q_value",
    ):
        np.testing.assert_allclose(
            merged[f"{column}_got"], merged[column], rtol=TOL, atol=TOL, err_msg=column
        )
    assert (merged["first_year"].isna() == merged["first_year_got"].isna()).all()
    fitted = merged["first_year"].notna()
    assert (merged.loc[fitted, "first_year"] == merged.loc[fitted, "first_year_got"]).all()
    # Some windows are cut short by the first year of data, and the scale is floored at 1.
    assert (merged.loc[fitted, "last_year"] - merged.loc[fitted, "first_year"] < 4).any()
    assert (merged["scale_got"] == 1).any() and (merged["scale_got"] > 1).any()
