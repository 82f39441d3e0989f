"""Survey shares (trygghet): Wilson intervals and two-proportion z-tests.

Formulas (docs/statistics.md, "Survey shares"):

* Wilson 95 % interval with p = share_pct / 100, n = respondents,
  z = ``scipy.stats.norm.ppf(0.975)``: centre = (p + z²/(2n)) / (1 + z²/n),
  half-width = z · sqrt(p(1−p)/n + z²/(4n²)) / (1 + z²/n), both × 100; n = 0
  gives NaN. Equal to ``statsmodels.stats.proportion.proportion_confint(x, n,
  method="wilson")`` (tests/stats/test_survey.py).
* Two-sided two-proportion z-test, pooled: x_i = p_i · n_i,
  p = (x_1 + x_2)/(n_1 + n_2), se = sqrt(p(1−p)(1/n_1 + 1/n_2)),
  z = (p_2 − p_1)/se, p_value = 2 · norm.sf(|z|). Equal to
  ``statsmodels.stats.proportion.proportions_ztest`` on the same counts.
* With the survey's own intervals on both sides: se_i = (ci_high − ci_low) /
  (2 · 1.96 · 100) and z = (p_2 − p_1)/sqrt(se_1² + se_2²).
* se = 0 gives p_value 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import norm

from ._arrays import FloatArray, as_float

__all__ = ["own_interval_pvalue", "pooled_pvalue", "survey_pvalue", "wilson_interval"]

#: z of a two-sided 95 % interval, as statistics.md asks (not the rounded 1.96).
Z95 = float(norm.ppf(0.975))
#: Survey providers compute their own intervals with 1.96.
PROVIDER_Z = 1.96


def wilson_interval(share_pct: Any, respondents: Any) -> tuple[FloatArray, FloatArray]:
    """Wilson 95 % interval in percent; NaN where n is 0 or an input is missing."""
    p = as_float(share_pct) / 100.0
    n = as_float(respondents)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_ok = np.where(n > 0, n, np.nan)
        z2 = Z95 * Z95
        denom = 1.0 + z2 / n_ok
        centre = (p + z2 / (2.0 * n_ok)) / denom
        half = Z95 * np.sqrt(p * (1.0 - p) / n_ok + z2 / (4.0 * n_ok * n_ok)) / denom
    return (centre - half) * 100.0, (centre + half) * 100.0


def _pvalue_from(diff: FloatArray, se: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(diff) / se
        out = 2.0 * norm.sf(z)
    out = np.where(se == 0, 1.0, out)
    return np.where(np.isnan(diff) | np.isnan(se), np.nan, out)


def pooled_pvalue(share1: Any, n1: Any, share2: Any, n2: Any) -> FloatArray:
    """Pooled two-proportion z-test (two-sided); shares in percent. NaN if n is 0/missing."""
    p1, p2 = as_float(share1) / 100.0, as_float(share2) / 100.0
    m1, m2 = as_float(n1), as_float(n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        m1 = np.where(m1 > 0, m1, np.nan)
        m2 = np.where(m2 > 0, m2, np.nan)
        pooled = (p1 * m1 + p2 * m2) / (m1 + m2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / m1 + 1.0 / m2))
    return _pvalue_from(p2 - p1, se)


def own_interval_pvalue(
    share1: Any, low1: Any, high1: Any, share2: Any, low2: Any, high2: Any
) -> FloatArray:
    """z-test from the surveys' own 95 % intervals (percent), se_i = width / (2·1.96·100)."""
    se1 = (as_float(high1) - as_float(low1)) / (2.0 * PROVIDER_Z * 100.0)
    se2 = (as_float(high2) - as_float(low2)) / (2.0 * PROVIDER_Z * 100.0)
    diff = (as_float(share2) - as_float(share1)) / 100.0
    return _pvalue_from(diff, np.sqrt(se1 * se1 + se2 * se2))


def survey_pvalue(
    share1: Any,
    n1: Any,
    low1: Any,
    high1: Any,
    share2: Any,
    n2: Any,
    low2: Any,
    high2: Any,
) -> FloatArray:
    """The own-interval test where both sides carry the survey's interval, else pooled."""
    own = ~np.isnan(as_float(low1)) & ~np.isnan(as_float(low2))
    return np.where(
        own,
        own_interval_pvalue(share1, low1, high1, share2, low2, high2),
        pooled_pvalue(share1, n1, share2, n2),
    )
