"""Five-year Poisson trend (docs/statistics.md, "Trend over five years").

The reference is statsmodels' GLM itself: Poisson family, log population as offset, the
default fit, its ``bse`` and ``pearson_chi2``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.stats import norm

from assets.stats import poisson_trend

YEARS = np.arange(2019, 2024, dtype=float)


def statsmodels_trend(y: np.ndarray, n: np.ndarray, t: np.ndarray) -> dict[str, float]:
    """The spec's formulas on statsmodels' fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, sm.add_constant(t), family=sm.families.Poisson(), offset=np.log(n)).fit()
    b, se = fit.params[1], fit.bse[1]
    scale = max(fit.pearson_chi2 / (len(y) - 2), 1.0)
    z = norm.ppf(0.975)
    return {
        "slope": b,
        "slope_se": se,
        "scale": scale,
        "trend_pct_per_year": (math.exp(b) - 1) * 100,
        "trend_ci_low": (math.exp(b - z * se * math.sqrt(scale)) - 1) * 100,
        "trend_ci_high": (math.exp(b + z * se * math.sqrt(scale)) - 1) * 100,
        "p_value": 2 * norm.sf(abs(b) / (se * math.sqrt(scale))),
    }


def test_matches_statsmodels_on_random_series() -> None:
    rng = np.random.default_rng(11)
    s = 1500
    n = rng.integers(5, 30_000, (s, 5)).astype(float)
    rate = 10 ** rng.uniform(-4.5, -1, s)[:, None] * np.exp(
        rng.normal(0, 0.4, (s, 1)) * np.arange(5)
    )
    # Extra-Poisson noise so that the scale is above 1 in part of the series.
    y = rng.poisson(n * rate * rng.lognormal(0, 0.3, (s, 5))).astype(float)
    n[rng.random((s, 5)) < 0.15] = np.nan  # years without a population delivered
    got = poisson_trend(y, n, YEARS)
    fitted = got["slope"].notna().to_numpy()
    assert fitted.sum() > 1200 and (got.loc[fitted, "scale"] > 1).sum() > 200
    for i in np.flatnonzero(fitted):
        use = ~np.isnan(n[i])
        want = statsmodels_trend(y[i, use], n[i, use], YEARS[use])
        for column, value in want.items():
            assert got.loc[i, column] == pytest.approx(value, rel=1e-9, abs=1e-9), (i, column)
        assert got.loc[i, "years_used"] == use.sum()
        assert YEARS[got.loc[i, "first_index"]] == YEARS[use].min()


def test_slow_convergence_stops_where_statsmodels_stops() -> None:
    # Counts falling to 0 make the fit converge slowly: statsmodels' default stops before
    # the exact maximum, and the published figure must be statsmodels' (statistics.md).
    y = np.array([[40.0, 9.0, 1.0, 0.0, 0.0]])
    n = np.full((1, 5), 1000.0)
    got = poisson_trend(y, n, YEARS)
    want = statsmodels_trend(y[0], n[0], YEARS)
    assert got.loc[0, "trend_pct_per_year"] == pytest.approx(want["trend_pct_per_year"], rel=1e-9)
    assert got.loc[0, "slope_se"] == pytest.approx(want["slope_se"], rel=1e-9)


def test_doubling_by_hand() -> None:
    # 10, 20, 40 with a constant population: b = log 2 exactly, every residual 0.
    got = poisson_trend([[10, 20, 40]], [[500, 500, 500]], [2021, 2022, 2023])
    assert got.loc[0, "trend_pct_per_year"] == pytest.approx(100.0, rel=1e-9)
    assert got.loc[0, "scale"] == 1.0  # Pearson χ² = 0, floored at 1
    # At the maximum, the information matrix in centred years (−1, 0, 1) with μ = 10, 20,
    # 40 is [[70, 30], [30, 50]]; se is the root of its inverse's (1, 1) entry. statsmodels
    # (and so the published figure) takes it from the weights of its last IRLS step, a hair
    # before the maximum: equal to 1e-5 here, and to statsmodels' own bse to 1e-9.
    se = math.sqrt(70 / (70 * 50 - 30**2))
    assert got.loc[0, "slope_se"] == pytest.approx(se, rel=1e-5)
    want = statsmodels_trend(np.array([10.0, 20, 40]), np.full(3, 500.0), np.array([1.0, 2, 3]))
    assert got.loc[0, "slope_se"] == pytest.approx(want["slope_se"], rel=1e-9)
    se = got.loc[0, "slope_se"]
    z = norm.ppf(0.975)
    assert got.loc[0, "trend_ci_low"] == pytest.approx((2 * math.exp(-z * se) - 1) * 100)


def test_population_as_exposure() -> None:
    # Counts double while the population doubles: the rate is flat, the trend 0 %.
    got = poisson_trend([[10, 20, 40, 80]], [[100, 200, 400, 800]], [2020, 2021, 2022, 2023])
    assert got.loc[0, "trend_pct_per_year"] == pytest.approx(0.0, abs=1e-9)
    assert got.loc[0, "p_value"] == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(
    ("counts", "population", "fitted", "years_used"),
    [
        # Fewer than three years with a population delivered: no trend.
        ([5, 6, 7, 8, 9], [np.nan, np.nan, np.nan, 100, 100], False, 2),
        # Three remain: a trend.
        ([5, 6, 7, 8, 9], [np.nan, np.nan, 100, 100, 100], True, 3),
        # All counts 0.
        ([0, 0, 0, 0, 0], [100] * 5, False, 5),
        # Non-zero counts only in the earliest year.
        ([4, 0, 0, 0, 0], [100] * 5, False, 5),
        # ... only in the latest year.
        ([0, 0, 0, 0, 4], [100] * 5, False, 5),
        # ... only in the earliest year that counts (the first has no population).
        ([9, 4, 0, 0, 0], [np.nan, 100, 100, 100, 100], False, 4),
        # ... only in the latest year that counts (the last has no population).
        ([0, 0, 0, 4, 9], [100, 100, 100, 100, np.nan], False, 4),
        # Only in a middle year: the maximum exists (slope 0 by symmetry).
        ([0, 0, 4, 0, 0], [100] * 5, True, 5),
        # In the earliest and the latest year: a slope can be estimated.
        ([3, 0, 0, 0, 3], [100] * 5, True, 5),
        # A population of 0 does not count as a population.
        ([5, 6, 7, 8, 9], [0, 0, 0, 100, 100], False, 2),
    ],
)
def test_null_rules(counts, population, fitted, years_used) -> None:
    got = poisson_trend([counts], [population], YEARS)
    assert got.loc[0, "years_used"] == years_used
    columns = ["trend_pct_per_year", "trend_ci_low", "trend_ci_high", "scale", "p_value"]
    assert got.loc[0, columns].notna().all() if fitted else got.loc[0, columns].isna().all()
    assert (got.loc[0, "first_index"] >= 0) == fitted


def test_middle_year_only_has_a_flat_trend() -> None:
    got = poisson_trend([[0, 0, 4, 0, 0]], [[100] * 5], YEARS)
    want = statsmodels_trend(np.array([0, 0, 4, 0, 0.0]), np.full(5, 100.0), YEARS)
    assert got.loc[0, "trend_pct_per_year"] == pytest.approx(0.0, abs=1e-9)
    assert got.loc[0, "scale"] == pytest.approx(want["scale"], rel=1e-9)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        poisson_trend([[1, 2, 3]], [[1, 2]], [1, 2, 3])
    with pytest.raises(ValueError):
        poisson_trend([[1, -2, 3]], [[1, 2, 3]], [1, 2, 3])
