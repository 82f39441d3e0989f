"""Change between years (docs/statistics.md, "Change between years")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

from assets.stats import bh_qvalues, bh_qvalues_by_group, change_pct, rate_change_pvalue

# --------------------------------------------------------------------------- change_pct


def test_change_pct_by_hand() -> None:
    got = change_pct([15, 5, 0, 10], [10, 10, 4, 10])
    np.testing.assert_array_equal(got, [50.0, -50.0, -100.0, 0.0])


@pytest.mark.parametrize(
    ("current", "previous"),
    [(5, 0), (0, 0), (5, np.nan), (np.nan, 5), (5, None)],
)
def test_change_pct_null_cases(current: float, previous: float | None) -> None:
    assert np.isnan(change_pct(current, previous)[()])


def test_change_pct_random_against_formula() -> None:
    rng = np.random.default_rng(11)
    c = rng.integers(0, 300, 1000)
    p = rng.integers(1, 300, 1000)
    expected = [(ci - pi) / pi * 100 for ci, pi in zip(c.tolist(), p.tolist(), strict=True)]
    np.testing.assert_array_equal(change_pct(c, p), expected)


# --------------------------------------------------------------------------- p-value


def _reference_pvalues(k, k_prev, e, e_prev) -> np.ndarray:
    """binomtest in a Python loop, exactly as docs/statistics.md spells it."""
    out = []
    for ki, kpi, ei, epi in zip(k, k_prev, e, e_prev, strict=True):
        n = int(ki) + int(kpi)
        if not (np.isfinite(ei) and np.isfinite(epi) and ei > 0 and epi > 0):
            ei = epi = 1.0
        out.append(1.0 if n == 0 else binomtest(int(ki), n, ei / (ei + epi)).pvalue)
    return np.array(out)


def _cases() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20240601)
    cases = {}
    m = 1000
    e = rng.integers(50, 30_000, m).astype(float)
    cases["small counts, realistic populations"] = (
        rng.integers(0, 80, m),
        rng.integers(0, 80, m),
        e,
        e * rng.uniform(0.8, 1.25, m),
    )
    m = 600
    cases["n up to 10^6"] = (
        rng.integers(0, 500_000, m),
        rng.integers(0, 500_000, m),
        rng.uniform(1, 1e6, m),
        rng.uniform(1, 1e6, m),
    )
    m = 600
    kp = rng.integers(0, 3000, m)
    cases["equal exposures, nearly equal counts"] = (
        np.maximum(kp + rng.integers(-3, 4, m), 0),
        kp,
        np.ones(m),
        np.ones(m),
    )
    m = 600
    cases["p tiny or huge"] = (
        rng.integers(0, 40, m),
        rng.integers(0, 40, m),
        10.0 ** rng.uniform(-9, 9, m),
        10.0 ** rng.uniform(-9, 9, m),
    )
    m = 600
    a, b, t = rng.integers(1, 25, m), rng.integers(1, 25, m), rng.integers(0, 30, m)
    cases["k exactly at n*p"] = (a * t, b * t, a.astype(float), b.astype(float))
    m = 400
    big = rng.integers(1, 1_000_000, m)
    pops = rng.uniform(10, 1e5, (2, m))
    cases["k = 0"] = (np.zeros(m, int), big, pops[0], pops[1])
    cases["k = n"] = (big, np.zeros(m, int), pops[0], pops[1])
    cases["tiny n"] = (
        np.tile([0, 1, 0, 1, 2, 0, 2, 1], 50),
        np.tile([1, 0, 2, 1, 0, 2, 1, 2], 50),
        rng.uniform(1, 100, 400),
        rng.uniform(1, 100, 400),
    )
    return cases


@pytest.mark.parametrize("name", list(_cases()))
def test_pvalue_equals_scipy_binomtest(name: str) -> None:
    k, k_prev, e, e_prev = _cases()[name]
    got = rate_change_pvalue(k, k_prev, e, e_prev)
    expected = _reference_pvalues(k, k_prev, e, e_prev)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_pvalue_n_zero_is_one() -> None:
    np.testing.assert_array_equal(rate_change_pvalue([0, 0], [0, 0], [100, np.nan], [90, 5]), 1)


def test_pvalue_missing_count_is_null() -> None:
    got = rate_change_pvalue([np.nan, 4, 3], [2, np.nan, 3], 100, 100)
    assert np.isnan(got[0]) and np.isnan(got[1])
    assert got[2] == 1.0


@pytest.mark.parametrize("bad", [np.nan, 0.0, -10.0, np.inf])
def test_pvalue_missing_exposure_means_equal_counts(bad: float) -> None:
    # Either year lacking a population => E_y = E_{y-1} = 1.
    expected = binomtest(9, 12, 0.5).pvalue
    assert rate_change_pvalue(9, 3, bad, 5000)[()] == pytest.approx(expected, abs=1e-15)
    assert rate_change_pvalue(9, 3, 5000, bad)[()] == pytest.approx(expected, abs=1e-15)
    assert rate_change_pvalue(9, 3)[()] == pytest.approx(expected, abs=1e-15)


def test_pvalue_by_hand_small_case() -> None:
    # k=3, n=3, p=1/2: P(X=3)+P(X=0) = 2/8.
    assert rate_change_pvalue(3, 0, 1000, 1000)[()] == pytest.approx(0.25, abs=1e-15)
    # k=2, n=4, p=1/2: observed at the mode.
    assert rate_change_pvalue(2, 2)[()] == 1.0


def test_pvalue_pandas_nullable_input() -> None:
    k = pd.Series([5, pd.NA, 0], dtype="Int64")
    kp = pd.Series([1, 3, 0], dtype="Int64")
    pop = pd.Series([1000, 1000, pd.NA], dtype="Int64")
    got = rate_change_pvalue(k, kp, pop, pop)
    assert got[0] == pytest.approx(binomtest(5, 6, 0.5).pvalue, abs=1e-15)
    assert np.isnan(got[1])
    assert got[2] == 1.0


def test_pvalue_rejects_bad_counts() -> None:
    with pytest.raises(ValueError):
        rate_change_pvalue([-1], [2])
    with pytest.raises(ValueError):
        rate_change_pvalue([1.5], [2])


def test_pvalue_duplicate_triples_get_identical_values() -> None:
    k = np.array([4, 7, 4, 7, 4])
    kp = np.array([9, 1, 9, 1, 9])
    got = rate_change_pvalue(k, kp, 120.0, 100.0)
    assert got[0] == got[2] == got[4]
    assert got[1] == got[3]


# --------------------------------------------------------------------------- q-values


def test_bh_by_hand() -> None:
    # m = 4: p*m/rank = 0.04, 0.04, 0.04, 0.8 -> running min from the top.
    got = bh_qvalues([0.01, 0.02, 0.03, 0.8])
    np.testing.assert_allclose(got, [0.04, 0.04, 0.04, 0.8], rtol=1e-15)


def test_bh_matches_statsmodels_and_nan_is_not_in_family() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        m = int(rng.integers(1, 400))
        p = rng.uniform(0, 1, m) ** rng.uniform(0.2, 5)
        p[rng.random(m) < 0.15] = np.nan
        p[rng.random(m) < 0.05] = 1.0
        if m > 4:
            p[1:4] = p[0]  # ties
        valid = ~np.isnan(p)
        expected = np.full(m, np.nan)
        if valid.any():
            expected[valid] = multipletests(p[valid], method="fdr_bh")[1]
        got = bh_qvalues(p)
        np.testing.assert_array_equal(np.isnan(got), ~valid)
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


def test_bh_all_missing() -> None:
    assert np.isnan(bh_qvalues([np.nan, np.nan])).all()
    assert bh_qvalues([]).shape == (0,)


def test_bh_by_group_equals_per_family_statsmodels() -> None:
    rng = np.random.default_rng(5)
    n = 5000
    p = rng.uniform(0, 1, n) ** 2
    p[rng.random(n) < 0.1] = np.nan
    year = rng.choice([2021, 2022, 2023, 2024], n)
    theme = rng.choice(["våld", "stöld", "narkotika"], n)
    got = bh_qvalues_by_group(p, year)
    got2 = bh_qvalues_by_group(p, (year, theme))
    for y in np.unique(year):
        fam = (year == y) & ~np.isnan(p)
        np.testing.assert_allclose(
            got[fam], multipletests(p[fam], method="fdr_bh")[1], rtol=0, atol=1e-15
        )
        for t in np.unique(theme):
            fam2 = fam & (theme == t)
            np.testing.assert_allclose(
                got2[fam2], multipletests(p[fam2], method="fdr_bh")[1], rtol=0, atol=1e-15
            )
    assert np.array_equal(np.isnan(got), np.isnan(p))


def test_bh_by_group_missing_label_raises() -> None:
    with pytest.raises(ValueError):
        bh_qvalues_by_group([0.1, 0.2], [2024, None])
    # ... unless the p-value itself is missing.
    got = bh_qvalues_by_group([0.1, np.nan], [2024, None])
    assert got[0] == pytest.approx(0.1) and np.isnan(got[1])
