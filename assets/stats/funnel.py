"""Funnel plot control limits and each area's position relative to them.

Formula (docs/statistics.md, "Comparison with the whole"): for an area with
population ``n`` and the municipality's reference rate ``r`` (events per
person), the control limit at probability ``q`` is::

    scipy.stats.poisson.ppf(q, n * r) / n        (events per person)

reported here **per 1,000 inhabitants** (× 1000), the unit of
:func:`assets.stats.rates.rate_per_1000`. The default probabilities give the
95 % limits (0.025/0.975, about 2 sd) and the 99.8 % limits (0.001/0.999,
about 3 sd).

Units, once more, because they are easy to mix up:

* ``reference_rate`` is **per person** (e.g. 0.042, not 42 per 1,000);
* ``population`` is in persons;
* the returned limits are **per 1,000 inhabitants**.

**Overdispersion** (Spiegelhalter 2005, PHE's funnel-plot guidance; statistics.md): where a
between-area variance ``τ² > 0`` is given (see :mod:`.dispersion`), the limits are instead
the normal ones of the additive random-effects model::

    1000 · (r ± z · sqrt(r / n + τ²)),  z = norm.ppf(0.975) or norm.ppf(0.999),

floored at 0 (the lower limits use ``−norm.ppf(1 − q)`` so that the pair is exactly
symmetric). Where τ² is 0 or NULL (no overdispersion, or too few areas to estimate it),
the exact Poisson limits above are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import special
from scipy.stats import norm, poisson

from ._arrays import FloatArray, as_float_arrays, check_counts

__all__ = ["DEFAULT_PROBS", "funnel_limits", "funnel_position", "poisson_quantile"]

DEFAULT_PROBS: tuple[float, ...] = (0.001, 0.025, 0.975, 0.999)

# Up to this many ±1 correction steps from the Cornish–Fisher start before the
# remaining elements are handed to scipy (never reached in practice: the start
# is within a couple of units).
_MAX_STEPS = 64


def _poisson_ppf(q: float, mu: FloatArray) -> FloatArray:
    """``scipy.stats.poisson.ppf(q, mu)`` for a scalar ``q`` in (0, 1), fast.

    scipy computes ``vals = ceil(pdtrik(q, mu))`` (a root finder, ~2 µs per
    element, i.e. ~4 s for the four limits of 500k cells), then returns
    ``vals - 1`` if ``pdtr(vals - 1, mu) >= q`` else ``vals``.

    Here the smallest ``k`` with ``pdtr(k, mu) >= q`` is found by stepping from
    a Cornish–Fisher start using ``pdtr`` only. That equals scipy's answer
    except when the continuous root ``x*`` of ``gammaincc(x + 1, mu) = q`` lies
    within pdtrik's tolerance just above the integer ``k - 1``: then scipy may
    return ``k - 1``. Those near-ties (and ``mu`` that is 0, negative or not
    finite) are detected and sent to scipy itself, so the result is identical
    to ``poisson.ppf`` element by element.
    """
    out = np.full(mu.shape, np.nan)
    fast = np.isfinite(mu) & (mu > 0)
    slow = np.flatnonzero(~fast & ~np.isnan(mu))

    idx_fast = np.flatnonzero(fast)
    m = mu[idx_fast]
    z = special.ndtri(q)
    k = np.floor(m + z * np.sqrt(m) + (z * z - 1.0) / 6.0)
    k = np.maximum(k, 0.0)

    # Step up while F(k) < q.
    act = np.arange(m.size)
    for _ in range(_MAX_STEPS):
        if not act.size:
            break
        need = special.pdtr(k[act], m[act]) < q
        act = act[need]
        k[act] += 1
    stuck = act
    # Step down while F(k - 1) >= q.
    act = np.flatnonzero(k > 0)
    for _ in range(_MAX_STEPS):
        if not act.size:
            break
        need = special.pdtr(k[act] - 1, m[act]) >= q
        act = act[need]
        k[act] -= 1
        act = act[k[act] > 0]
    stuck = np.union1d(stuck, act)

    # Near-ties where scipy's root finder can land on the other side of k - 1.
    # pdtrik stops at a relative tolerance of ~1e-10 in x; this window is 100x wider.
    pos = np.flatnonzero(k > 0)
    eps = 1e-6 + 1e-8 * k[pos]
    near = special.gammaincc(k[pos] + eps, m[pos]) >= q
    recheck = np.union1d(stuck, pos[near])

    out[idx_fast] = k
    redo = np.concatenate([slow, idx_fast[recheck]]).astype(np.int64)
    if redo.size:
        out[redo] = poisson.ppf(q, mu[redo])
    return out


def _normal_quantile(q: float) -> float:
    """norm.ppf(q), with the lower tail as −norm.ppf(1 − q) (statistics.md writes θ ± z)."""
    return float(norm.ppf(q)) if q >= 0.5 else -float(norm.ppf(1.0 - q))


def _adjusted(n: FloatArray, r: FloatArray, tau2: FloatArray, q: float) -> FloatArray:
    """1000 · max(r + z_q · sqrt(r / n + τ²), 0), the overdispersed limit."""
    return np.maximum(1000 * (r + _normal_quantile(q) * np.sqrt(r / n + tau2)), 0.0)


def funnel_limits(
    population: Any,
    reference_rate: Any,
    probs: Sequence[float] = DEFAULT_PROBS,
    tau2: Any = None,
) -> FloatArray:
    """Funnel-plot control limits per 1,000 inhabitants.

    ``limit[i, j] = poisson.ppf(probs[j], population[i] * reference_rate[i])
    / population[i] * 1000``, or, where ``tau2[i] > 0``, the overdispersed limit
    ``max(1000 · (r + norm.ppf(q) · sqrt(r / n + τ²)), 0)`` (module docstring).

    Parameters
    ----------
    population : array-like or scalar
        Area population (persons), the funnel's x-axis.
    reference_rate : array-like or scalar
        Reference rate **per person** (the whole municipality's count divided
        by its population), broadcast against ``population``.
    probs : sequence of float in (0, 1)
        Poisson quantiles to compute, default ``(0.001, 0.025, 0.975, 0.999)``.
    tau2 : array-like or scalar, optional
        Between-area variance τ² (per person squared) of the funnel, broadcast like
        ``reference_rate``. NaN, 0 or None gives the exact Poisson limits.

    Returns
    -------
    ndarray of float64 with shape ``population.shape + (len(probs),)``: one
    column per probability, in **events per 1,000 inhabitants**. NaN where the
    population is missing or ≤ 0, or the reference rate is missing.
    """
    n, r, t = as_float_arrays(population, reference_rate, np.nan if tau2 is None else tau2)
    probs = tuple(float(q) for q in probs)
    if any(not 0 < q < 1 for q in probs):
        raise ValueError("probs must lie strictly between 0 and 1")
    out = np.full((*n.shape, len(probs)), np.nan)
    ok = (n > 0) & ~np.isnan(r)
    exact = ok & ~(t > 0)
    over = ok & (t > 0)
    mu = n[exact] * r[exact]
    for j, q in enumerate(probs):
        out[exact, j] = _poisson_ppf(q, mu) / n[exact] * 1000
        out[over, j] = _adjusted(n[over], r[over], t[over], q)
    return out


def funnel_position(
    count: Any,
    population: Any,
    reference_rate: Any,
    inner: tuple[float, float] = (0.025, 0.975),
    outer: tuple[float, float] = (0.001, 0.999),
    tau2: Any = None,
) -> FloatArray:
    """Where an area lies on the funnel plot, as a code.

    ======  ===============================================================
    code    meaning ("above" and "below" are strict)
    ======  ===============================================================
    +2      rate above the upper outer limit (99.9 %)
    +1      rate above the upper inner limit (97.5 %), not above 99.9 %
     0      within the inner limits
    −1      rate below the lower inner limit (2.5 %), not below 0.1 %
    −2      rate below the lower outer limit (0.1 %)
    NaN     count, population (missing or ≤ 0) or reference rate missing
    ======  ===============================================================

    Parameters
    ----------
    count : array-like or scalar
        Observed events in the area.
    population : array-like or scalar
        Area population (persons).
    reference_rate : array-like or scalar
        Reference rate **per person**, as in :func:`funnel_limits`.
    inner, outer : (lower, upper) probabilities
        The 95 % and 99.8 % limits by default.
    tau2 : array-like or scalar, optional
        Between-area variance, as in :func:`funnel_limits`: where it is > 0 the
        overdispersed limits are used.

    Returns
    -------
    ndarray of float64 holding -2, -1, 0, 1, 2 or NaN (a float array so that
    NaN can stand for NULL; cast with ``pd.array(x, dtype="Int8")`` if an
    integer column is wanted).

    Notes
    -----
    ``count / n > ppf(q, μ) / n`` is evaluated as ``count > ppf(q, μ)``: for
    n > 0 the two are the same comparison, and comparing whole numbers avoids
    any rounding in the divisions. The limits are the ones
    :func:`funnel_limits` returns (same ppf), so position and plot agree. With
    overdispersion (τ² > 0) the rate per 1,000 (``count / n * 1000``, as
    :func:`assets.stats.rates.rate_per_1000` computes it) is compared with the
    limits per 1,000 that :func:`funnel_limits` returns, so again they agree.
    """
    k, n, r, t = as_float_arrays(
        count, population, reference_rate, np.nan if tau2 is None else tau2
    )
    check_counts(k)
    out = np.full(k.shape, np.nan)
    ok = (n > 0) & ~np.isnan(r) & ~np.isnan(k)
    probs = (outer[0], inner[0], inner[1], outer[1])

    exact = ok & ~(t > 0)
    mu = n[exact] * r[exact]
    out[exact] = _classify(k[exact], *(_poisson_ppf(q, mu) for q in probs))

    over = ok & (t > 0)
    rate = k[over] / n[over] * 1000
    out[over] = _classify(rate, *(_adjusted(n[over], r[over], t[over], q) for q in probs))
    return out


def _classify(
    x: FloatArray, lo_out: FloatArray, lo_in: FloatArray, hi_in: FloatArray, hi_out: FloatArray
) -> FloatArray:
    """−2…+2 from a value and its four limits ("above" and "below" are strict)."""
    pos = np.zeros(x.shape)
    pos[x > hi_in] = 1
    pos[x > hi_out] = 2
    pos[x < lo_in] = -1
    pos[x < lo_out] = -2
    return pos


def poisson_quantile(prob: float, mu: Any) -> FloatArray:
    """``scipy.stats.poisson.ppf(prob, mu)``, element by element, fast (see _poisson_ppf).

    NaN where ``mu`` is missing. Used for the "usual range" of a monthly count.
    """
    (m,) = as_float_arrays(mu)
    return _poisson_ppf(float(prob), m)
