"""assets/stats/survey.py and the mart's survey statistics against statsmodels.

Wilson against proportion_confint(method="wilson"), the pooled test against
proportions_ztest, BH against fdrcorrection, and the own-interval test by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.multitest import fdrcorrection
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from assets.marts.survey import survey_year_stats
from assets.stats.survey import own_interval_pvalue, pooled_pvalue, wilson_interval

# Shares as whole counts of respondents, so statsmodels sees the same x and n.
CASES = [(60, 240), (13, 150), (150, 600), (0, 45), (45, 45), (7, 29)]


def test_wilson_matches_statsmodels():
    x = np.array([c[0] for c in CASES], dtype=float)
    n = np.array([c[1] for c in CASES], dtype=float)
    low, high = wilson_interval(x / n * 100, n)
    ref_low, ref_high = proportion_confint(x, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low * 100, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(high, ref_high * 100, rtol=1e-12, atol=1e-12)


def test_wilson_is_null_without_respondents():
    low, high = wilson_interval([20.0, np.nan], [0, 100])
    assert np.isnan(low).all() and np.isnan(high).all()


@pytest.mark.parametrize(("a", "b"), [((60, 240), (90, 260)), ((13, 150), (20, 160))])
def test_pooled_test_matches_statsmodels(a, b):
    got = pooled_pvalue(a[0] / a[1] * 100, a[1], b[0] / b[1] * 100, b[1])
    _, expected = proportions_ztest([a[0], b[0]], [a[1], b[1]])
    assert float(got) == pytest.approx(expected, rel=1e-10)


def test_own_interval_test_by_hand():
    # 30 % (24–36) one year, 22 % (17–27) the next: se = width / (2 * 1.96 * 100).
    se1, se2 = 12 / 392, 10 / 392
    expected = 2 * norm.sf(0.08 / np.hypot(se1, se2))
    assert float(own_interval_pvalue(30, 24, 36, 22, 17, 27)) == pytest.approx(expected, rel=1e-12)
    assert float(own_interval_pvalue(30, 30, 30, 22, 22, 22)) == 1.0  # se = 0 gives 1


def _rows() -> pd.DataFrame:
    rows = [
        ("A1", 2021, "otrygg_kvall", "totalt", 240, 25.0, None, None),
        ("A1", 2023, "otrygg_kvall", "totalt", 260, 34.615384615384615, None, None),
        ("A2", 2021, "otrygg_kvall", "totalt", 150, 10.0, None, None),
        ("A2", 2023, "otrygg_kvall", "totalt", 160, 12.5, None, None),
        ("kommun", 2021, "otrygg_kvall", "totalt", 2000, 20.0, 18.0, 22.0),
        ("kommun", 2023, "otrygg_kvall", "totalt", 2100, 23.0, 21.0, 25.0),
        ("A1", 2025, "otrygg_kvall", "totalt", 250, 26.0, None, None),
        ("A2", 2025, "otrygg_kvall", "totalt", 170, 11.0, None, None),
    ]
    cols = ["area_id", "year", "question", "sex", "respondents", "share_pct"]
    return pd.DataFrame(rows, columns=[*cols, "ci_low_pct", "ci_high_pct"])


def test_mart_change_q_and_comparison():
    out = survey_year_stats(_rows()).set_index(["area_id", "year"])
    a1 = out.loc[("A1", 2023)]
    assert a1["prev_survey_year"] == 2021
    assert a1["change_pp"] == pytest.approx(9.615384615384615)
    _, p_a1 = proportions_ztest([60, 90], [240, 260])
    assert a1["p_value"] == pytest.approx(p_a1, rel=1e-9)
    assert out.loc[("kommun", 2023), "ci_source"] == "survey"
    assert out.loc[("A1", 2023), "ci_source"] == "wilson"
    # BH per year (2023 with kommun, 2025 without): each year is its own family.
    for year in (2023, 2025):
        family = out.xs(year, level="year")
        _, q = fdrcorrection(family["p_value"].to_numpy())
        np.testing.assert_allclose(family["q_value"], q, rtol=1e-12)
    assert out.xs(2021, level="year")["p_value"].isna().all()
    # Comparison: the kommun row is the reference, tested pooled; NULL on kommun rows.
    assert a1["kommun_share_pct"] == 23.0
    _, p_k = proportions_ztest([90, 0.23 * 2100], [260, 2100])
    assert a1["kommun_p_value"] == pytest.approx(p_k, rel=1e-9)
    assert np.isnan(out.loc[("kommun", 2023), "kommun_p_value"])


def test_without_a_kommun_row_the_weighted_mean_is_the_reference():
    rows = _rows()
    out = survey_year_stats(rows[rows["area_id"] != "kommun"]).set_index(["area_id", "year"])
    expected = (25.0 * 240 + 10.0 * 150) / (240 + 150)
    assert out.loc[("A2", 2021), "kommun_share_pct"] == pytest.approx(expected)
