"""The funnel's reference rate and its overdispersion (Spiegelhalter 2005, PHE).

docs/statistics.md, "Comparison with the whole". For one theme and year, over the I areas
with population n_i > 0 (areas without a population, and 'okant', are not in the input or
are dropped here)::

    θ   = Σ O_i / Σ n_i                          (reference rate, per person)
    z_i = (O_i − n_i θ) / sqrt(n_i θ)
    z_w = z_i clipped at numpy.percentile(z, [10, 90])   (linear interpolation)
    φ   = mean(z_w²)
    τ²  = 0                                      if I·φ ≤ I − 1
        = (I·φ − (I − 1)) / (Σ w_i − Σ w_i² / Σ w_i),  w_i = n_i / θ,   otherwise

θ is NULL (NaN) when no area has a population; φ and τ² are NaN when θ is NaN or 0 or
I < 3. The limits built on τ² are in :func:`assets.stats.funnel.funnel_limits`.

Reference: Spiegelhalter DJ (2005), "Funnel plots for comparing institutional
performance", Statistics in Medicine 24:1185–1202, §3.2 (multiplicative / additive
random-effects); Public Health England, "Technical guide: funnel plots for indicators"
(2018). The tests recompute every step by hand, per group, in a plain loop.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from ._arrays import as_float_arrays, check_counts

__all__ = ["MIN_AREAS", "overdispersion", "overdispersion_by_group"]

#: Fewer areas than this give no overdispersion estimate (φ, τ² NULL; exact limits).
MIN_AREAS = 3


def overdispersion(
    count: Any, population: Any, theta: float | None = None
) -> tuple[int, float, float, float]:
    """``(I, θ, φ, τ²)`` of one funnel (one theme and year), as in the module docstring.

    With ``theta`` given, that reference is used instead of Σ O_i / Σ n_i of these areas
    (the public tables estimate φ and τ² from the areas whose count is shown, around the
    published reference of all areas).

    Parameters
    ----------
    count : array-like
        Observed events O_i per area. An area whose count is missing is left out.
    population : array-like
        Population n_i per area. Areas with a missing or non-positive population are
        left out (they are not in the reference).

    Returns
    -------
    I (the number of areas used), θ per person (NaN with no area), φ and τ² (NaN when
    θ is NaN or 0, or I < 3).
    """
    k, n = as_float_arrays(count, population)
    check_counts(k)
    use = (n > 0) & ~np.isnan(k)
    k, n = k[use], n[use]
    areas = int(k.size)
    if areas == 0:
        return 0, np.nan, np.nan, np.nan
    theta = float(k.sum() / n.sum()) if theta is None else float(theta)
    if np.isnan(theta):
        return areas, theta, np.nan, np.nan
    if areas < MIN_AREAS or theta == 0:
        return areas, theta, np.nan, np.nan
    expected = n * theta
    z = (k - expected) / np.sqrt(expected)
    low, high = np.percentile(z, [10, 90])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    if areas * phi <= areas - 1:
        return areas, theta, phi, 0.0
    w = n / theta
    tau2 = (areas * phi - (areas - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return areas, theta, phi, float(tau2)


def overdispersion_by_group(count: Any, population: Any, groups: Any) -> pd.DataFrame:
    """:func:`overdispersion` for every group (e.g. theme × year), one row per group.

    ``groups`` holds one hashable label per element (e.g. integer codes from
    ``DataFrame.groupby(...).ngroup()``). Returns a DataFrame indexed by the sorted group
    labels with columns ``areas`` (int), ``reference_rate`` (per person), ``phi``,
    ``tau2``. A group whose areas all lack a population has ``areas`` 0 and NaN elsewhere.
    """
    k, n = as_float_arrays(count, population)
    labels = np.asarray(groups)
    if labels.shape != k.shape:
        raise ValueError("groups must be aligned with count and population")
    codes, uniques = pd.factorize(labels, sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    rows = [overdispersion(k[order[a:b]], n[order[a:b]]) for a, b in pairwise(bounds)]
    out = pd.DataFrame(rows, columns=["areas", "reference_rate", "phi", "tau2"], index=uniques)
    out["areas"] = out["areas"].astype("int64")
    return out
