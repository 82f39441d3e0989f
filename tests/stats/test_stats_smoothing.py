"""Marshall global empirical-Bayes rates (docs/statistics.md, smoothed rates for the map)."""

from __future__ import annotations

import numpy as np
import pytest
from esda.smoothing import Empirical_Bayes

from assets.stats import eb_marshall_global, eb_marshall_global_by_group


def _between_area_variance(k: np.ndarray, n: np.ndarray) -> float:
    """Marshall's A before the clamp, written out independently."""
    m = k.sum() / n.sum()
    r = k / n
    return float(np.sum(n * (r - m) ** 2) / n.sum() - m / n.mean())


def test_by_hand_three_areas() -> None:
    k = np.array([2.0, 30.0, 8.0])
    n = np.array([100.0, 1000.0, 900.0])
    m = 40 / 2000  # 0.02
    r = k / n  # 0.02, 0.03, 0.00888...
    s2 = (100 * (r[0] - m) ** 2 + 1000 * (r[1] - m) ** 2 + 900 * (r[2] - m) ** 2) / 2000
    a = s2 - m / (2000 / 3)
    assert a > 0
    w = a / (a + m / n)
    np.testing.assert_allclose(eb_marshall_global(k, n), w * r + (1 - w) * m, rtol=1e-14)


def test_matches_esda_when_a_is_nonnegative() -> None:
    rng = np.random.default_rng(31)
    checked = 0
    for _ in range(50):
        m = int(rng.integers(5, 400))
        n = rng.integers(30, 20_000, m).astype(float)
        # Overdispersed rates so that the between-area variance A is positive.
        rate = rng.gamma(2.0, 0.01, m)
        k = rng.poisson(n * rate).astype(float)
        if _between_area_variance(k, n) < 0:
            continue
        checked += 1
        expected = Empirical_Bayes(k, n).r.ravel()
        np.testing.assert_allclose(eb_marshall_global(k, n), expected, rtol=0, atol=1e-12)
    assert checked > 40


def test_negative_a_is_clamped_to_global_mean() -> None:
    # Identical rates: s2 = 0, so A = -m / mean(n) < 0 and every area gets m
    # (Marshall 1991). esda does not clamp and gives weights outside [0, 1].
    k = np.array([1.0, 2.0, 3.0, 4.0])
    n = np.array([100.0, 200.0, 300.0, 400.0])
    assert _between_area_variance(k, n) < 0
    got = eb_marshall_global(k, n)
    np.testing.assert_allclose(got, 10 / 1000, rtol=1e-15)
    # Documented difference: esda's unclamped result is not the mean here.
    k2 = np.array([1.0, 3.0, 2.0, 4.0])  # rates vary, but less than Poisson noise
    assert _between_area_variance(k2, n) < 0
    np.testing.assert_allclose(eb_marshall_global(k2, n), 10 / 1000, rtol=1e-15)
    assert not np.allclose(Empirical_Bayes(k2, n).r.ravel(), 10 / 1000)


def test_null_and_zero_population_are_left_out() -> None:
    rng = np.random.default_rng(37)
    n = rng.integers(100, 5000, 60).astype(float)
    k = rng.poisson(n * rng.gamma(2.0, 0.01, 60)).astype(float)
    n[3] = np.nan
    n[7] = 0
    k[11] = np.nan
    got = eb_marshall_global(k, n)
    bad = np.zeros(60, bool)
    bad[[3, 7, 11]] = True
    assert np.isnan(got[bad]).all()
    valid = ~bad
    assert _between_area_variance(k[valid], n[valid]) >= 0
    np.testing.assert_allclose(
        got[valid], Empirical_Bayes(k[valid], n[valid]).r.ravel(), rtol=0, atol=1e-12
    )


def test_zero_count_area_is_shrunk_not_zero() -> None:
    k = np.array([0.0, 50.0, 10.0, 80.0])
    n = np.array([40.0, 2000.0, 1500.0, 1800.0])
    got = eb_marshall_global(k, n)
    assert 0 < got[0] < k.sum() / n.sum()


def test_all_zero_counts() -> None:
    np.testing.assert_array_equal(eb_marshall_global([0, 0, 0], [10, 20, 30]), 0.0)


def test_a_lone_area_keeps_its_rate_while_a_group_of_three_is_shrunk() -> None:
    """One area alone (A < 0, clamped) keeps its own rate; the three areas of another group,
    in the same call, are pulled towards *their* mean by Marshall's weights. A single area
    alone cannot tell shrinkage from none (its mean is its rate), the group of three can,
    and the lone area's 0.05 differs from the pooled mean, so mixing the groups shows too."""
    assert eb_marshall_global([4], [200])[0] == pytest.approx(0.02, rel=1e-15)
    k = np.array([10.0, 4.0, 30.0, 8.0])
    n = np.array([200.0, 100.0, 1000.0, 900.0])
    got = eb_marshall_global_by_group(k, n, np.array(["lone", "g", "g", "g"]))
    assert got[0] == pytest.approx(0.05, rel=1e-15)
    # Group g by hand, as in test_by_hand_three_areas.
    m = 42 / 2000
    r = k[1:] / n[1:]
    s2 = np.sum(n[1:] * (r - m) ** 2) / 2000
    a = s2 - m / (2000 / 3)
    assert a > 0
    w = a / (a + m / n[1:])
    expected = w * r + (1 - w) * m
    np.testing.assert_allclose(got[1:], expected, rtol=1e-14)
    assert np.all(np.abs(expected - r) > 1e-4), "the case must shrink every area visibly"


def test_by_group_equals_per_group_calls_to_esda() -> None:
    rng = np.random.default_rng(41)
    size = 900
    n = rng.integers(100, 8000, size).astype(float)
    k = rng.poisson(n * rng.gamma(2.0, 0.01, size)).astype(float)
    theme = rng.choice(["a", "b", "c"], size)
    year = rng.choice([2023, 2024], size)
    n[::97] = np.nan
    got = eb_marshall_global_by_group(k, n, (theme, year))
    for t in "abc":
        for y in (2023, 2024):
            g = (theme == t) & (year == y) & ~np.isnan(n)
            assert _between_area_variance(k[g], n[g]) >= 0
            np.testing.assert_allclose(
                got[g], Empirical_Bayes(k[g], n[g]).r.ravel(), rtol=0, atol=1e-12
            )
    assert np.isnan(got[::97]).all()
