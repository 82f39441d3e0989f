"""Funnel plot limits and positions (docs/statistics.md, "Comparison with the whole")."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special
from scipy.stats import poisson

from assets.stats import funnel_limits, funnel_position

PROBS = (0.001, 0.025, 0.975, 0.999)


def _expected_limits(n: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """poisson.ppf(q, n*r) / n * 1000, one scipy call per limit."""
    r = np.broadcast_to(r, n.shape)
    return np.stack([poisson.ppf(q, n * r) / n * 1000 for q in PROBS], axis=-1)


def test_limits_by_hand() -> None:
    # n = 1000, r = 0.002 per person -> mu = 2.
    # Poisson(2) cdf: 0.1353, 0.4060, 0.6767, 0.8571, 0.9473, 0.9834, 0.9955, 0.9989, 0.9998
    # so ppf(0.001)=0, ppf(0.025)=0, ppf(0.975)=5, ppf(0.999)=8; per 1,000 of 1000 people.
    got = funnel_limits(1000, 0.002)
    np.testing.assert_array_equal(got, [0.0, 0.0, 5.0, 8.0])


def test_limits_match_scipy_random() -> None:
    rng = np.random.default_rng(17)
    n = rng.integers(1, 60_000, 20_000).astype(float)
    r = 10.0 ** rng.uniform(-5, -0.5, 20_000)
    np.testing.assert_array_equal(funnel_limits(n, r), _expected_limits(n, r))


def test_limits_scalar_reference_rate_and_shape() -> None:
    n = np.array([10.0, 100.0, 1000.0, 10_000.0])
    got = funnel_limits(n, 0.03)
    assert got.shape == (4, 4)
    np.testing.assert_array_equal(got, _expected_limits(n, 0.03))
    # The funnel narrows: the 99.9 % limit falls towards the reference rate (30 per 1,000).
    assert np.all(np.diff(got[:, 3]) < 0)
    assert got[-1, 0] < 30 < got[-1, 3]


def test_limits_at_adversarial_near_ties() -> None:
    # mu chosen so that pdtr(j, mu) == q: the quantile sits exactly on an
    # integer, where scipy's root finder decides which side it lands.
    j = np.arange(0, 3000, dtype=float)
    for q in PROBS:
        mu = special.pdtri(j, q)
        mu = np.r_[mu, np.nextafter(mu, 0), np.nextafter(mu, np.inf)]
        mu = mu[mu > 0]
        # n = 1 so that n * r is exactly the adversarial mu.
        got = funnel_limits(1.0, mu, probs=(q,))[:, 0]
        expected = poisson.ppf(q, mu)
        np.testing.assert_array_equal(got, expected * 1000)
        # The set really contains cases where scipy's answer is not the
        # textbook "smallest k with cdf(k) >= q", i.e. it tests the fallback.
        assert np.any(special.pdtr(expected, mu) < q)


def test_limits_null_population_and_rate() -> None:
    got = funnel_limits([np.nan, 0, -3, 500, 500], [0.01, 0.01, 0.01, np.nan, 0.0])
    assert np.isnan(got[:4]).all()
    # A zero reference rate is a valid (degenerate) funnel: all limits 0.
    np.testing.assert_array_equal(got[4], [0, 0, 0, 0])


def test_limits_reject_bad_probs() -> None:
    with pytest.raises(ValueError):
        funnel_limits(100, 0.01, probs=(0.0, 0.5))


def _expected_position(k: float, n: float, r: float) -> float:
    """The rule written out on rates per 1,000, limit by limit."""
    if not (n > 0) or np.isnan(k) or np.isnan(r):
        return np.nan
    rate = k / n * 1000
    lim = {q: poisson.ppf(q, n * r) / n * 1000 for q in PROBS}
    if rate > lim[0.999]:
        return 2
    if rate > lim[0.975]:
        return 1
    if rate < lim[0.001]:
        return -2
    if rate < lim[0.025]:
        return -1
    return 0


def test_position_by_hand() -> None:
    # mu = 2 for n = 1000, r = 0.002: upper limits are 5 (97.5 %) and 8 (99.9 %).
    got = funnel_position([5, 6, 8, 9, 0], 1000, 0.002)
    np.testing.assert_array_equal(got, [0, 1, 1, 2, 0])  # "above" is strict
    # mu = 100: lower limits ppf(0.001)=71, ppf(0.025)=81.
    assert poisson.ppf(0.001, 100) == 71 and poisson.ppf(0.025, 100) == 81
    got = funnel_position([70, 71, 80, 81], 10_000, 0.01)
    np.testing.assert_array_equal(got, [-2, -1, -1, 0])


def test_position_random_against_rule() -> None:
    rng = np.random.default_rng(23)
    m = 1500
    n = rng.integers(1, 20_000, m).astype(float)
    r = 10.0 ** rng.uniform(-4, -1, m)
    # Draw counts around and beyond the funnel so all five codes occur.
    k = rng.poisson(n * r * rng.choice([0.3, 0.7, 1.0, 1.4, 2.5], m)).astype(float)
    n[:20] = np.nan
    k[20:40] = np.nan
    got = funnel_position(k, n, r)
    expected = [_expected_position(*t) for t in zip(k, n, r, strict=True)]
    np.testing.assert_array_equal(got, expected)
    assert set(np.unique(got[~np.isnan(got)])) == {-2, -1, 0, 1, 2}


def test_position_null_cases() -> None:
    got = funnel_position([3, np.nan, 3, 3], [np.nan, 100, 0, 100], [0.01, 0.01, 0.01, np.nan])
    assert np.isnan(got).all()
