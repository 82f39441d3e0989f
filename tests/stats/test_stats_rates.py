"""Rates per 1,000 and Garwood intervals (docs/statistics.md, "Rates")."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from assets.stats import garwood_interval, rate_interval_per_1000, rate_per_1000


def test_rate_per_1000_by_hand() -> None:
    got = rate_per_1000([12, 0, 5, 3], [3000, 1500, 250, 7])
    np.testing.assert_array_equal(got, [4.0, 0.0, 20.0, 3 / 7 * 1000])


def test_rate_zero_count_is_zero_not_null() -> None:
    assert rate_per_1000(0, 1234)[()] == 0.0


@pytest.mark.parametrize("population", [np.nan, None, 0, -5])
def test_rate_null_population_gives_null(population: float | None) -> None:
    assert np.isnan(rate_per_1000(4, population)[()])


def test_rate_null_count_gives_null() -> None:
    assert np.isnan(rate_per_1000(np.nan, 1000)[()])


def test_rate_accepts_nullable_pandas_columns() -> None:
    count = pd.Series([3, pd.NA, 0, 7], dtype="Int64")
    pop = pd.Series([1000, 2000, pd.NA, 0], dtype="Int64")
    got = rate_per_1000(count, pop)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [3.0, np.nan, np.nan, np.nan])


def test_rate_random_against_formula() -> None:
    rng = np.random.default_rng(101)
    k = rng.integers(0, 500, 2000)
    n = rng.integers(1, 50_000, 2000)
    expected = np.array([ki / ni * 1000 for ki, ni in zip(k.tolist(), n.tolist(), strict=True)])
    np.testing.assert_array_equal(rate_per_1000(k, n), expected)


def test_garwood_closed_forms_for_small_counts() -> None:
    # For 2 degrees of freedom chi2 is exponential: ppf(q, 2)/2 = -ln(1 - q).
    lower, upper = garwood_interval([0, 1])
    assert lower[0] == 0.0  # k = 0: lower bound is 0 by definition
    assert upper[0] == pytest.approx(-math.log(0.025), rel=1e-13)  # 3.6889
    assert lower[1] == pytest.approx(-math.log(0.975), rel=1e-13)  # 0.0253


def test_garwood_known_value() -> None:
    # Garwood (1936) / standard tables: k = 10 -> (4.7954, 18.3904).
    lower, upper = garwood_interval(10)
    assert lower[()] == pytest.approx(4.795389, abs=1e-6)
    assert upper[()] == pytest.approx(18.390356, abs=1e-6)


def test_garwood_matches_chi2_directly() -> None:
    rng = np.random.default_rng(7)
    k = np.r_[0, 1, 2, rng.integers(0, 100_000, 500)]
    lower, upper = garwood_interval(k)
    for ki, lo, hi in zip(k.tolist(), lower, upper, strict=True):
        exp_lo = 0.0 if ki == 0 else chi2.ppf(0.025, 2 * ki) / 2
        exp_hi = chi2.ppf(0.975, 2 * ki + 2) / 2
        assert lo == pytest.approx(exp_lo, rel=1e-12, abs=0)
        assert hi == pytest.approx(exp_hi, rel=1e-12, abs=0)


def test_garwood_other_level() -> None:
    lower, upper = garwood_interval([4], level=0.9)
    assert lower[0] == pytest.approx(chi2.ppf(0.05, 8) / 2, rel=1e-12)
    assert upper[0] == pytest.approx(chi2.ppf(0.95, 10) / 2, rel=1e-12)


def test_garwood_null_and_invalid() -> None:
    lower, upper = garwood_interval([np.nan, 3])
    assert np.isnan(lower[0]) and np.isnan(upper[0])
    assert not np.isnan(lower[1])
    with pytest.raises(ValueError):
        garwood_interval([-1])
    with pytest.raises(ValueError):
        garwood_interval(3, level=1.5)


def test_rate_interval_scaled_like_the_rate() -> None:
    k = np.array([0, 7, 7, 7, np.nan])
    n = np.array([500, 2000, np.nan, 0, 100])
    lower, upper = rate_interval_per_1000(k, n)
    assert lower[0] == 0.0
    assert upper[0] == pytest.approx(-math.log(0.025) / 500 * 1000, rel=1e-13)
    assert lower[1] == pytest.approx(chi2.ppf(0.025, 14) / 2 / 2000 * 1000, rel=1e-13)
    assert upper[1] == pytest.approx(chi2.ppf(0.975, 16) / 2 / 2000 * 1000, rel=1e-13)
    # NaN exactly where the rate is NaN.
    np.testing.assert_array_equal(np.isnan(lower), np.isnan(rate_per_1000(k, n)))
    np.testing.assert_array_equal(np.isnan(upper), np.isnan(rate_per_1000(k, n)))
    # The rate lies inside its interval.
    rate = rate_per_1000(k, n)
    assert lower[1] <= rate[1] <= upper[1]
