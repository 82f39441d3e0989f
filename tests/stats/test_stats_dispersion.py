"""Overdispersion of the funnel (docs/statistics.md, Spiegelhalter 2005 / PHE).

The reference here is Spiegelhalter's recipe written out step by step in plain Python loops
(sorted values and the linear percentile by hand), not assets.stats.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm, poisson

from assets.stats import funnel_limits, funnel_position, overdispersion, overdispersion_by_group

TOL = 1e-12


def _percentile(values: list[float], p: float) -> float:
    """numpy.percentile's default ('linear'): interpolate at position p/100 · (N − 1)."""
    s = sorted(values)
    pos = p / 100 * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def spiegelhalter(counts, populations) -> tuple[int, float, float, float]:
    """(I, θ, φ, τ²) by the recipe, one area at a time."""
    pairs = [(o, n) for o, n in zip(counts, populations, strict=True) if n == n and n > 0]
    if not pairs:
        return 0, math.nan, math.nan, math.nan
    theta = sum(o for o, _ in pairs) / sum(n for _, n in pairs)
    areas = len(pairs)
    if areas < 3 or theta == 0:
        return areas, theta, math.nan, math.nan
    z = [(o - n * theta) / math.sqrt(n * theta) for o, n in pairs]
    low, high = _percentile(z, 10), _percentile(z, 90)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / areas
    if areas * phi <= areas - 1:
        return areas, theta, phi, 0.0
    w = [n / theta for _, n in pairs]
    tau2 = (areas * phi - (areas - 1)) / (sum(w) - sum(v * v for v in w) / sum(w))
    return areas, theta, phi, tau2


def test_small_case_by_hand() -> None:
    # Five areas of 1,000 people: θ = 200 / 5,000 = 0.04, E = 40, sd = sqrt(40).
    counts = [10, 20, 30, 40, 100]
    z = [(o - 40) / math.sqrt(40) for o in counts]
    # Linear percentiles of 5 sorted values: positions 0.4 and 3.6.
    low = z[0] + 0.4 * (z[1] - z[0])
    high = z[3] + 0.6 * (z[4] - z[3])
    phi = sum(min(max(v, low), high) ** 2 for v in z) / 5
    w = 1000 / 0.04  # the same for every area: Σw − Σw²/Σw = 5w − w = 4w
    tau2 = (5 * phi - 4) / (4 * w)
    areas, theta, got_phi, got_tau2 = overdispersion(counts, [1000] * 5)
    assert (areas, theta) == (5, 0.04)
    assert got_phi == pytest.approx(phi, rel=TOL)
    assert got_tau2 == pytest.approx(tau2, rel=TOL)
    # The winsorising matters: without it φ would be the plain mean of z².
    assert got_phi < sum(v * v for v in z) / 5


def test_matches_the_recipe_on_random_funnels() -> None:
    rng = np.random.default_rng(5)
    for _ in range(300):
        m = int(rng.integers(1, 60))
        n = rng.integers(0, 30_000, m).astype(float)
        n[rng.random(m) < 0.1] = np.nan
        theta = 10 ** rng.uniform(-4, -1)
        spread = rng.choice([0.0, 0.1, 0.5])
        k = rng.poisson(np.nan_to_num(n) * theta * rng.lognormal(0, spread + 1e-9, m))
        got = overdispersion(k, n)
        want = spiegelhalter(k.tolist(), n.tolist())
        assert got[0] == want[0]
        np.testing.assert_allclose(got[1:], want[1:], rtol=1e-10, atol=0, equal_nan=True)


def test_areas_without_population_are_left_out_and_null_rules() -> None:
    # Population 0 or missing: not in θ and not counted in I (their crimes neither).
    assert overdispersion([5, 99, 99, 7, 9], [100, 0, np.nan, 200, 300])[:2] == (3, 21 / 600)
    # No area with a population: θ NULL, never 0.
    areas, theta, phi, tau2 = overdispersion([4, 5], [0, np.nan])
    assert areas == 0 and all(math.isnan(v) for v in (theta, phi, tau2))
    # Fewer than 3 areas: θ but no φ, τ².
    areas, theta, phi, tau2 = overdispersion([4, 5], [100, 100])
    assert (areas, theta) == (2, 0.045) and math.isnan(phi) and math.isnan(tau2)
    # θ = 0: φ, τ² NULL.
    areas, theta, phi, tau2 = overdispersion([0, 0, 0], [100, 200, 300])
    assert theta == 0 and math.isnan(phi) and math.isnan(tau2)
    # Counts exactly at their expectation: φ = 0 ≤ (I − 1)/I, so τ² = 0.
    assert overdispersion([1, 2, 3, 4], [100, 200, 300, 400])[2:] == (0.0, 0.0)


def test_by_group_equals_one_group_at_a_time() -> None:
    rng = np.random.default_rng(8)
    groups = rng.choice(["a", "b", "c"], 200)
    n = rng.integers(1, 5000, 200).astype(float)
    k = rng.poisson(n * 0.02 * rng.lognormal(0, 0.4, 200))
    got = overdispersion_by_group(k, n, groups)
    assert list(got.index) == ["a", "b", "c"]
    for g in "abc":
        want = spiegelhalter(k[groups == g].tolist(), n[groups == g].tolist())
        assert got.loc[g, "areas"] == want[0]
        np.testing.assert_allclose(
            got.loc[g, ["reference_rate", "phi", "tau2"]].to_numpy(float), want[1:], rtol=1e-10
        )


# -- limits and positions with τ² --------------------------------------------------------


def _limits_by_hand(n: float, theta: float, tau2: float) -> list[float]:
    """PHE's additive random-effects limits per 1,000, floored at 0 (statistics.md)."""
    out = []
    for sign, q in ((-1, 0.999), (-1, 0.975), (1, 0.975), (1, 0.999)):
        z = norm.ppf(q)
        out.append(max(1000 * (theta + sign * z * math.sqrt(theta / n + tau2)), 0.0))
    return out


def test_adjusted_limits_by_hand() -> None:
    rng = np.random.default_rng(2)
    n = rng.integers(1, 50_000, 500).astype(float)
    theta = 10 ** rng.uniform(-4, -1, 500)
    tau2 = 10 ** rng.uniform(-9, -3, 500)
    got = funnel_limits(n, theta, tau2=tau2)
    want = np.array([_limits_by_hand(*t) for t in zip(n, theta, tau2, strict=True)])
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    assert (got[:, 0] == 0).any(), "some lower limits should be floored at 0"
    # Symmetric around θ where not floored.
    free = got[:, 0] > 0
    np.testing.assert_allclose((got[free, 0] + got[free, 3]) / 2, theta[free] * 1000, rtol=1e-12)


def test_no_overdispersion_keeps_the_exact_poisson_limits() -> None:
    n = np.array([100.0, 1000.0, 10_000.0])
    for tau2 in (0.0, np.nan, None):
        got = funnel_limits(n, 0.03, tau2=tau2)
        want = np.stack(
            [poisson.ppf(q, n * 0.03) / n * 1000 for q in (0.001, 0.025, 0.975, 0.999)], axis=-1
        )
        np.testing.assert_array_equal(got, want)


def test_position_with_tau2_compares_the_rate_with_the_adjusted_limits() -> None:
    rng = np.random.default_rng(4)
    m = 3000
    n = rng.integers(50, 20_000, m).astype(float)
    theta = 0.05
    tau2 = np.where(rng.random(m) < 0.5, 2e-4, 0.0)
    k = rng.poisson(n * theta * rng.lognormal(0, 0.8, m)).astype(float)
    got = funnel_position(k, n, theta, tau2=tau2)
    for i in range(m):
        if tau2[i] > 0:
            lo_out, lo_in, hi_in, hi_out = _limits_by_hand(n[i], theta, tau2[i])
        else:
            lo_out, lo_in, hi_in, hi_out = (
                poisson.ppf(q, n[i] * theta) / n[i] * 1000 for q in (0.001, 0.025, 0.975, 0.999)
            )
        rate = k[i] / n[i] * 1000
        want = (
            2
            if rate > hi_out
            else 1
            if rate > hi_in
            else -2
            if rate < lo_out
            else -1
            if rate < lo_in
            else 0
        )
        assert got[i] == want, i
    adjusted = got[tau2 > 0]
    assert set(np.unique(adjusted)) == {-2, -1, 0, 1, 2}
    # The wider limits flag far fewer areas than the exact ones would.
    exact = funnel_position(k, n, theta)
    assert (np.abs(adjusted) == 2).sum() < (np.abs(exact[tau2 > 0]) == 2).sum() / 3
