"""Rates per 1,000 inhabitants and their exact Poisson confidence intervals.

Formulas (docs/statistics.md, "Rates"):

* ``rate = count / population * 1000``
* Garwood interval for the expected count ``k``:
  ``lower = chi2.ppf(α/2, 2k) / 2`` (0 when k = 0),
  ``upper = chi2.ppf(1 - α/2, 2k + 2) / 2``, with ``α = 1 - level``;
  the rate interval is those bounds scaled like the rate.

NULL handling: a missing count, or a population that is missing or ≤ 0, gives
NaN (SQL NULL), never 0. A zero count with a valid population is a real 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import chi2

from ._arrays import FloatArray, as_float, as_float_arrays, check_counts

__all__ = ["garwood_interval", "rate_interval_per_1000", "rate_per_1000"]


def _valid_population(population: FloatArray) -> np.ndarray:
    # NaN > 0 is False, so this also drops missing populations.
    return population > 0


def rate_per_1000(count: Any, population: Any) -> FloatArray:
    """Crimes (or referrals) per 1,000 inhabitants: ``count / population * 1000``.

    Parameters
    ----------
    count : array-like or scalar
        Number of events (crimes, referrals). Missing = NaN/None/pd.NA.
    population : array-like or scalar
        Number of inhabitants in the denominator (persons).

    Returns
    -------
    ndarray of float64, events per 1,000 inhabitants. NaN where the count is
    missing or the population is missing or ≤ 0.
    """
    k, n = as_float_arrays(count, population)
    out = np.full(k.shape, np.nan)
    ok = _valid_population(n) & ~np.isnan(k)
    # Same operation order as the documented formula, so an independent
    # recomputation agrees to the last bit.
    out[ok] = k[ok] / n[ok] * 1000
    return out


def _lower_tail_prob(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    # (1 - 0.95) / 2 is 0.025000000000000022 in binary floating point; rounding to
    # 15 decimals gives exactly the documented chi2.ppf(0.025, ...) for level=0.95
    # (and likewise for other decimal levels such as 0.9 or 0.99).
    return round((1.0 - level) / 2.0, 15)


def garwood_interval(count: Any, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Exact (Garwood) Poisson confidence interval for the expected count.

    ``lower = chi2.ppf((1 - level)/2, 2k) / 2`` (defined as 0 when k = 0) and
    ``upper = chi2.ppf(1 - (1 - level)/2, 2k + 2) / 2``.

    Parameters
    ----------
    count : array-like or scalar
        Observed event count k ≥ 0 (a count, not a rate). Missing → NaN bounds.
    level : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    (lower, upper) : tuple of float64 ndarrays, in the unit of the count
    (expected number of events). NaN where the count is missing.

    Raises
    ------
    ValueError
        If a non-missing count is negative.
    """
    k = as_float(count)
    check_counts(k)
    q_low = _lower_tail_prob(level)
    q_high = 1.0 - q_low
    lower = np.full(k.shape, np.nan)
    upper = np.full(k.shape, np.nan)
    ok = ~np.isnan(k)
    pos = ok & (k > 0)
    # chi2 with 0 degrees of freedom is undefined in scipy (returns NaN); the
    # Garwood lower bound for k = 0 is 0 by definition.
    lower[ok & (k == 0)] = 0.0
    lower[pos] = chi2.ppf(q_low, 2 * k[pos]) / 2
    upper[ok] = chi2.ppf(q_high, 2 * k[ok] + 2) / 2
    return lower, upper


def rate_interval_per_1000(
    count: Any, population: Any, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Garwood interval for a rate per 1,000: the count bounds ``/ population * 1000``.

    Parameters
    ----------
    count, population : array-like or scalar
        As for :func:`rate_per_1000`.
    level : float
        Two-sided confidence level, default 0.95.

    Returns
    -------
    (lower, upper) : float64 ndarrays in events per 1,000 inhabitants. NaN
    exactly where :func:`rate_per_1000` is NaN (missing count, population
    missing or ≤ 0).
    """
    k, n = as_float_arrays(count, population)
    lower, upper = garwood_interval(k, level)
    bad = ~(_valid_population(n) & ~np.isnan(k))
    with np.errstate(divide="ignore", invalid="ignore"):
        # Scaled in the same order as the rate itself (÷ population, × 1000).
        lower = lower / n * 1000
        upper = upper / n * 1000
    lower[bad] = np.nan
    upper[bad] = np.nan
    return lower, upper
