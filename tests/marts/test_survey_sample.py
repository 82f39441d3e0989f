"""main.area_survey_year on the shipped sample, recomputed with statsmodels row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import fdrcorrection
from statsmodels.stats.proportion import proportion_confint, proportions_ztest


def _mart(marts) -> pd.DataFrame:
    return marts.execute("SELECT * FROM main.area_survey_year").df()


def test_sample_has_survey_years_only(marts):
    years = sorted(marts.execute("SELECT DISTINCT year FROM main.area_survey_year").fetchall())
    assert [y for (y,) in years] == [2019, 2021, 2023, 2025]


def test_wilson_and_changes_match_statsmodels(marts):
    df = _mart(marts)
    x = df["share_pct"] / 100 * df["respondents"]
    low, high = proportion_confint(x, df["respondents"], alpha=0.05, method="wilson")
    np.testing.assert_allclose(df["ci_low"], low * 100, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(df["ci_high"], high * 100, rtol=1e-9, atol=1e-9)
    prev = df.merge(
        df,
        left_on=["area_id", "question", "sex", "prev_survey_year"],
        right_on=["area_id", "question", "sex", "year"],
        suffixes=("", "_p"),
    )
    assert len(prev) == len(df) * 3 // 4  # every survey but the first has a previous one
    for row in prev.itertuples():
        counts = [row.share_pct_p / 100 * row.respondents_p, row.share_pct / 100 * row.respondents]
        _, p = proportions_ztest(counts, [row.respondents_p, row.respondents])
        assert abs(row.p_value - p) < 1e-9, row
    for _, year in df[df["p_value"].notna()].groupby("year"):
        _, q = fdrcorrection(year["p_value"].to_numpy())
        np.testing.assert_allclose(year["q_value"], q, rtol=1e-12)
