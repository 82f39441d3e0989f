"""The functions work on national-scale arrays (~500k cells) with NULLs in place.

Their speed is measured by `make bench`, not asserted here: test machines are noisy.
"""

from __future__ import annotations

import numpy as np

from assets.stats import (
    bh_qvalues_by_group,
    eb_marshall_global_by_group,
    funnel_position,
    rate_change_pvalue,
    rate_interval_per_1000,
)


def test_null_handling_at_scale() -> None:
    rng = np.random.default_rng(0)
    n = 100_000
    pop = rng.integers(200, 20_000, n).astype(float)
    pop_prev = pop * rng.uniform(0.95, 1.05, n)
    lam = pop * 10 ** rng.uniform(-4, -1, n)
    k = rng.poisson(lam).astype(float)
    k_prev = rng.poisson(lam).astype(float)
    k_prev[rng.random(n) < 0.1] = np.nan
    year = rng.integers(2015, 2025, n)

    p = rate_change_pvalue(k, k_prev, pop, pop_prev)
    q = bh_qvalues_by_group(p, year)
    funnel_position(k, pop, 0.01)
    rate_interval_per_1000(k, pop)
    eb_marshall_global_by_group(k, pop, year)

    assert np.isnan(p).sum() == np.isnan(k_prev).sum()
    assert np.array_equal(np.isnan(q), np.isnan(p))
