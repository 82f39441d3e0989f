"""The functions work on national-scale arrays (~500k cells) with NULLs in place.

Their speed is measured by `make bench`, not asserted here: test machines are noisy. What is
asserted: NULL lands exactly where an input is missing (or the population is not positive),
and the vectorised results agree, on a random sample of rows, with the documented formulas
computed one row at a time by scipy.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2, poisson

from assets.stats import (
    bh_qvalues_by_group,
    eb_marshall_global,
    eb_marshall_global_by_group,
    funnel_position,
    rate_change_pvalue,
    rate_interval_per_1000,
)

N = 100_000
REFERENCE = 0.01  # per person


def _inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    pop = rng.integers(200, 20_000, N).astype(float)
    pop_prev = pop * rng.uniform(0.95, 1.05, N)
    lam = pop * 10 ** rng.uniform(-4, -1, N)
    k = rng.poisson(lam).astype(float)
    k_prev = rng.poisson(lam).astype(float)
    k_prev[rng.random(N) < 0.1] = np.nan
    k[rng.random(N) < 0.05] = np.nan
    pop[rng.random(N) < 0.02] = np.nan
    pop[rng.random(N) < 0.01] = 0.0
    year = rng.integers(2015, 2025, N)
    sample = rng.choice(N, 3000, replace=False)
    return {"k": k, "k_prev": k_prev, "pop": pop, "pop_prev": pop_prev, "year": year, "at": sample}


def _funnel_code(k: float, mu: float) -> float:
    """statistics.md's funnel position for one row, straight from poisson.ppf."""
    lo_out, lo_in, hi_in, hi_out = (poisson.ppf(q, mu) for q in (0.001, 0.025, 0.975, 0.999))
    if k > hi_out:
        return 2.0
    if k > hi_in:
        return 1.0
    if k < lo_out:
        return -2.0
    if k < lo_in:
        return -1.0
    return 0.0


def test_null_handling_at_scale() -> None:
    x = _inputs()
    k, k_prev, pop, pop_prev, year = x["k"], x["k_prev"], x["pop"], x["pop_prev"], x["year"]
    valid = ~np.isnan(k) & (pop > 0)
    assert 0 < (~valid).sum() < N // 5  # the NULLs are exercised

    p = rate_change_pvalue(k, k_prev, pop, pop_prev)
    q = bh_qvalues_by_group(p, year)
    # A missing population makes it a test of equal counts (change.py), not a NULL.
    assert np.array_equal(np.isnan(p), np.isnan(k) | np.isnan(k_prev))
    assert np.array_equal(np.isnan(q), np.isnan(p))

    position = funnel_position(k, pop, REFERENCE)
    assert np.array_equal(np.isnan(position), ~valid), "funnel: NULL iff an input is"
    assert set(np.unique(position[valid])) <= {-2.0, -1.0, 0.0, 1.0, 2.0}
    at = x["at"][valid[x["at"]]]
    expected = [_funnel_code(k[i], pop[i] * REFERENCE) for i in at]
    np.testing.assert_array_equal(position[at], expected)
    assert len(set(expected)) == 5, "the sample should reach every funnel code"

    low, high = rate_interval_per_1000(k, pop)
    assert np.array_equal(np.isnan(low), ~valid), "interval: NULL iff an input is"
    assert np.array_equal(np.isnan(high), ~valid)
    ka, na = k[at], pop[at]
    garwood_low = np.where(ka > 0, chi2.ppf(0.025, 2 * ka) / 2, 0.0)
    np.testing.assert_allclose(low[at], garwood_low / na * 1000, rtol=1e-12)
    np.testing.assert_allclose(high[at], chi2.ppf(0.975, 2 * ka + 2) / 2 / na * 1000, rtol=1e-12)

    smoothed = eb_marshall_global_by_group(k, pop, year)
    assert np.array_equal(np.isnan(smoothed), ~valid), "smoothed: NULL iff an input is"
    for y in np.unique(year):
        rows = np.flatnonzero((year == y) & valid)
        alone = eb_marshall_global(k[rows], pop[rows])
        np.testing.assert_allclose(smoothed[rows], alone, rtol=1e-12)
        # Shrinkage pulls each rate towards its year's mean, never past it.
        mean = k[rows].sum() / pop[rows].sum()
        rate = k[rows] / pop[rows]
        tol = 1e-12
        assert np.all(smoothed[rows] >= np.minimum(rate, mean) - tol)
        assert np.all(smoothed[rows] <= np.maximum(rate, mean) + tol)
