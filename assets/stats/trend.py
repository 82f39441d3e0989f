"""Five-year trend: a Poisson regression of counts on the year, population as exposure.

docs/statistics.md, "Trend over five years". For one series (an area and theme) over the
years t of its window that count::

    log E[y_t] = a + b · t + log(n_t)              (Poisson GLM, log link, offset)
    scale      = max(Pearson χ² / (T − 2), 1)      (quasi-Poisson, floored at 1)
    trend_pct_per_year = (exp(b) − 1) · 100
    interval   = (exp(b ± z · se · sqrt(scale)) − 1) · 100,   z = norm.ppf(0.975)
    p_value    = 2 · norm.sf(|b| / (se · sqrt(scale)))

with se the model standard error of b (the inverse Fisher information at scale 1), as
``statsmodels.api.GLM(y, [1, t], family=Poisson(), offset=log(n)).fit()`` gives it
(``bse``), and Pearson χ² its ``pearson_chi2``. The tests compare with exactly that call.

Instead of one statsmodels fit per series (~3 ms each, i.e. half an hour for the ~600,000
windows of a national run), every series is fitted at once by the same iteratively
reweighted least squares, written out for the two parameters: each step solves a 2×2
weighted least-squares system per series in closed form, and each series stops where
statsmodels' default fit stops (see :func:`_irls`). Years are centred per series before
the fit; that changes the intercept but neither the steps' fitted values, b nor its
standard error.

A series gives no trend (NaN) when fewer than :data:`MIN_YEARS` years count, when every
count is 0, or when its non-zero counts all lie in its earliest or all in its latest year:
then the likelihood has no maximum (the slope runs off to ±∞).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ._arrays import FloatArray, as_float, check_counts

__all__ = ["MIN_YEARS", "poisson_trend"]

#: A trend needs at least this many years in its window.
MIN_YEARS = 3

# statsmodels' defaults for GLM.fit(): at most 100 steps, stop when the deviance moves
# by at most 1e-8.
_MAX_ITER = 100
_ATOL = 1e-8

_COLUMNS = (
    "slope",
    "slope_se",
    "scale",
    "trend_pct_per_year",
    "trend_ci_low",
    "trend_ci_high",
    "p_value",
    "years_used",
    "first_index",
)


def poisson_trend(count: Any, population: Any, year: Any) -> pd.DataFrame:
    """Fit the trend of every row of a (series × years) panel at once.

    Parameters
    ----------
    count : 2-D array-like (series × years)
        Counts; NaN where the year does not count for the series.
    population : 2-D array-like, same shape
        Exposure n_t (persons); a year counts only where it is > 0 (NaN = no population
        delivered for that year).
    year : 1-D array-like (years) or 2-D like ``count``
        The year of each column (the regressor t).

    Returns
    -------
    DataFrame with one row per series and columns ``slope`` (b), ``slope_se`` (model se,
    scale 1), ``scale``, ``trend_pct_per_year``, ``trend_ci_low``, ``trend_ci_high``,
    ``p_value`` (NaN where there is no trend, see the module docstring), ``years_used``
    (years that count, also where there is no trend) and ``first_index`` (column of the
    earliest year in the fit, −1 where there is no trend).
    """
    y = np.atleast_2d(as_float(count))
    n = np.atleast_2d(as_float(population))
    if y.shape != n.shape:
        raise ValueError("count and population must have the same shape")
    check_counts(y)
    t = np.broadcast_to(as_float(year), y.shape)
    use = ~np.isnan(y) & (n > 0) & ~np.isnan(t)
    years_used = use.sum(axis=1)

    nonzero = use & (y > 0)
    cols = np.arange(y.shape[1])
    first = np.where(use, cols, y.shape[1]).min(axis=1)
    last = np.where(use, cols, -1).max(axis=1)
    nz_first = np.where(nonzero, cols, y.shape[1]).min(axis=1)
    nz_last = np.where(nonzero, cols, -1).max(axis=1)
    has_nonzero = nonzero.any(axis=1)
    fit = (
        (years_used >= MIN_YEARS)
        & has_nonzero
        & ~((nz_first == nz_last) & ((nz_first == first) | (nz_last == last)))
    )

    out = pd.DataFrame({c: np.full(y.shape[0], np.nan) for c in _COLUMNS})
    out["years_used"] = years_used.astype("int64")
    out["first_index"] = np.where(fit, first, -1).astype("int64")
    if not fit.any():
        return out
    slope, se, scale = _irls(y[fit], n[fit], t[fit], use[fit])
    z = float(norm.ppf(0.975))
    half = z * se * np.sqrt(scale)
    rows = np.flatnonzero(fit)
    out.loc[rows, "slope"] = slope
    out.loc[rows, "slope_se"] = se
    out.loc[rows, "scale"] = scale
    out.loc[rows, "trend_pct_per_year"] = (np.exp(slope) - 1) * 100
    out.loc[rows, "trend_ci_low"] = (np.exp(slope - half) - 1) * 100
    out.loc[rows, "trend_ci_high"] = (np.exp(slope + half) - 1) * 100
    out.loc[rows, "p_value"] = 2 * norm.sf(np.abs(slope) / (se * np.sqrt(scale)))
    return out


def _irls(
    y: FloatArray, n: FloatArray, t: FloatArray, use: np.ndarray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Slope, its model se and the floored Pearson scale, for series that have an MLE.

    Follows statsmodels' ``GLM._fit_irls`` with its defaults step by step, so that the
    figures equal what ``GLM(...).fit()`` returns, including where it stops short of the
    exact maximum (a series whose counts fall towards 0 converges slowly):

    * start μ₀ = (y + ȳ) / 2, η₀ = log μ₀;
    * each step is the weighted least-squares fit of the working response
      z = η − offset + (y − μ)/μ with weights μ;
    * a series stops after the first step that changes its deviance
      2 Σ (y log(y/μ) − (y − μ)) by at most 1e-8 (``atol=1e-8``), or after 100 steps;
    * the standard error comes from the weights of that last step (statsmodels takes
      ``normalized_cov_params`` of the last weighted fit), Pearson χ² from the final μ.

    Unused cells get weight 0, so they drop out of every sum.
    """
    # Years along axis 0 (a few rows of many series): each sum over the years is then a
    # handful of vector additions instead of a strided reduction.
    use = np.ascontiguousarray(use.T)
    w_use = use.astype(float)
    y0 = np.where(use, y.T, 0.0)
    offset = np.log(np.where(use, n.T, 1.0))
    k = w_use.sum(axis=0)
    centre = np.where(use, t.T, 0.0).sum(axis=0) / k
    x = np.where(use, t.T - centre, 0.0)
    x2 = x * x

    mu = (y0 + y0.sum(axis=0) / k) / 2 * w_use
    eta = np.where(use, np.log(np.where(use, mu, 1.0)), 0.0)
    ylogy = np.where(y0 > 0, y0 * np.log(np.where(y0 > 0, y0, 1.0)), 0.0)
    dev = _deviance(ylogy, y0, eta, mu)
    slope = np.full(k.size, np.nan)
    se = np.full(k.size, np.nan)
    active = np.arange(k.size)
    for _ in range(_MAX_ITER):
        if not active.size:
            break
        whole = active.size == k.size
        m = mu if whole else mu[:, active]
        e = eta if whole else eta[:, active]
        ua = use if whole else use[:, active]
        xa = x if whole else x[:, active]
        off = offset if whole else offset[:, active]
        ya = y0 if whole else y0[:, active]
        # μ·z with z = η − offset + (y − μ)/μ; unused cells have μ = 0 and drop out.
        mz = m * (e - off) + (ya - m)
        s0, s1, s2 = (
            m.sum(axis=0),
            (m * xa).sum(axis=0),
            (m * (x2 if whole else x2[:, active])).sum(axis=0),
        )
        r0, r1 = mz.sum(axis=0), (mz * xa).sum(axis=0)
        det = s0 * s2 - s1 * s1
        a = (s2 * r0 - s1 * r1) / det
        b = (s0 * r1 - s1 * r0) / det
        e = (a + b * xa + off) * ua
        m = np.exp(e) * ua
        new_dev = _deviance(ylogy if whole else ylogy[:, active], ya, e, m)
        eta[:, active], mu[:, active] = e, m
        slope[active] = b
        se[active] = np.sqrt(s0 / det)
        done = np.abs(new_dev - dev[active]) <= _ATOL
        dev[active] = new_dev
        active = active[~done]
    pearson = np.where(use, (y0 - mu) ** 2 / np.where(use, mu, 1.0), 0.0).sum(axis=0)
    scale = np.maximum(pearson / (k - 2), 1.0)
    return slope, se, scale


def _deviance(ylogy: FloatArray, y: FloatArray, eta: FloatArray, mu: FloatArray) -> FloatArray:
    """Poisson deviance per series (years along axis 0): 2 Σ (y log(y/μ) − (y − μ)).

    With log μ = η this is 2 Σ (y log y − y η − y + μ), y log y = 0 for y = 0 (statsmodels
    clips y/μ at float eps, which gives the same 0). Unused cells have y = 0 and μ = 0 and
    add nothing; no log or division per step.
    """
    return 2 * (ylogy - y * eta - y + mu).sum(axis=0)
