"""Empirical-Bayes smoothed rates for the map (Marshall's global method).

Formula (Marshall 1991, "Mapping disease and mortality rates using empirical
Bayes estimators", Applied Statistics 40(2)), for areas i with count k_i and
population n_i, raw rate r_i = k_i / n_i::

    m   = Σ k_i / Σ n_i                        (global mean rate)
    s²  = Σ n_i (r_i - m)² / Σ n_i             (population-weighted variance)
    A   = s² - m / n̄,   n̄ = mean of the n_i    (between-area variance estimate)
    A   = max(A, 0)                            (Marshall's clamp)
    w_i = A / (A + m / n_i)
    smoothed_i = w_i r_i + (1 - w_i) m

All rates are **per person**; multiply by 1000 for "per 1,000".

The clamp: A estimates a variance and can come out negative when the areas
vary less than Poisson noise alone would make them. Marshall sets it to 0,
which gives every area the global mean m. ``esda.smoothing.Empirical_Bayes``
does not clamp, so with A < 0 its weights fall outside [0, 1] and its
"smoothed" rates are pushed *away* from the mean (or flip sign); the two agree
exactly whenever A ≥ 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._arrays import FloatArray, as_float_arrays, check_counts

__all__ = ["eb_marshall_global", "eb_marshall_global_by_group"]


def _eb_core(k: FloatArray, n: FloatArray) -> FloatArray:
    """Marshall global EB on already-valid 1-D arrays (n > 0, k not NaN)."""
    if k.size == 0:
        return np.empty(0)
    # Same operation order as esda.smoothing.Empirical_Bayes so the two agree
    # to the last bits when A >= 0.
    k_sum, n_sum = k.sum() * 1.0, n.sum() * 1.0
    m = k_sum / n_sum
    r = k * 1.0 / n
    dev = r - m
    s2 = (n * dev * dev).sum() * 1.0 / n_sum
    a = s2 - m * 1.0 / n.mean()
    a = max(a, 0.0)
    if m == 0.0:
        # Every count is 0: every rate is 0 and 0/0 weights would be NaN.
        return np.zeros(k.shape)
    w = a / (a + m / n)
    return w * r + (1.0 - w) * m


def eb_marshall_global(count: Any, population: Any) -> FloatArray:
    """Marshall's global empirical-Bayes smoothed rate, **per person**.

    Parameters
    ----------
    count : array-like (1-D)
        Event count per area (one theme, one year).
    population : array-like (1-D)
        Population per area (persons).

    Returns
    -------
    ndarray of float64, smoothed rate per person (× 1000 for per 1,000), in
    input order. Areas with a missing count, or a population that is missing
    or ≤ 0, are left out of the global sums and get NaN. If all valid counts
    are 0 the smoothed rates are 0.

    See the module docstring for the formula and the A < 0 clamp.
    """
    k, n = as_float_arrays(count, population)
    check_counts(k)
    out = np.full(k.shape, np.nan)
    ok = (n > 0) & ~np.isnan(k)
    out[ok] = _eb_core(k[ok], n[ok])
    return out


def eb_marshall_global_by_group(count: Any, population: Any, groups: Any) -> FloatArray:
    """:func:`eb_marshall_global` applied separately within each group.

    Parameters
    ----------
    count, population : array-like (1-D)
        As for :func:`eb_marshall_global`.
    groups : array-like (1-D)
        Group label per row, e.g. a ``(theme, year)`` key; pass a tuple of
        arrays for a compound key. Rows with a missing label get NaN.

    Returns
    -------
    ndarray of float64, smoothed rate per person, in the original row order.
    """
    k, n = as_float_arrays(count, population)
    check_counts(k)
    if isinstance(groups, tuple):
        codes = pd.factorize(pd.MultiIndex.from_arrays([np.asarray(g) for g in groups]))[0]
    else:
        codes = pd.factorize(np.asarray(groups))[0]
    codes = np.asarray(codes, dtype=np.int64)
    if codes.shape != k.shape:
        raise ValueError("groups must have the same length as count")
    out = np.full(k.shape, np.nan)
    ok = np.flatnonzero((n > 0) & ~np.isnan(k) & (codes >= 0))
    order = ok[np.argsort(codes[ok], kind="stable")]
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    for rows in np.split(order, bounds):
        if rows.size:
            out[rows] = _eb_core(k[rows], n[rows])
    return out
