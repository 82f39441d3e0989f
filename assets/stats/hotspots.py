"""Hot spots on the map: local Getis-Ord Gi* with queen contiguity (PySAL).

docs/statistics.md ("Comparison with the whole"): where geometry exists, local
Getis-Ord Gi* on the rates, queen contiguity, permutation p-value; shown only
as an optional map layer.

Choices made here:

* **Binary weights with the area itself included** (``esda.G_Local(star=True,
  transform="B")``): each area's neighbourhood is itself plus every area
  sharing an edge or a corner, all with weight 1. With binary weights esda's
  analytical ``Zs`` is the textbook Gi* z-score of Ord & Getis (1995) (the
  one ArcGIS "Hot Spot Analysis" reports). With row-standardised weights
  ("R") esda's ``Zs`` ignores the neighbourhood size and is not a proper z.
  The permutation p-value is the same for "B" and "R" (each row is only
  rescaled).
* **p_sim** is esda's folded one-sided pseudo p-value ``(m + 1) / (P + 1)``,
  where m counts the permutations at least as extreme as the observed value
  in the observed direction. Returned as exact float64 (esda stores it as
  float32).
* **class** (of :func:`getis_ord_gi_star`): ``"hot"`` if z > 0 and p_sim < alpha,
  ``"cold"`` if z < 0 and p_sim < alpha, else ``"none"``: the raw per-area test. The
  map's class is :func:`hotspot_class`: Benjamini–Hochberg over one map's p-values,
  agreement with the area's own smoothed rate, and at least 30 areas with geometry.
* **Missing values** (NaN rate, or an id with no geometry in the weights) are
  dropped before the computation: the weights are subset to the remaining
  areas, so a dropped area is nobody's neighbour. Those areas get NaN z/p_sim
  and a missing class.
* **Islands** (no neighbours, possibly only after the subsetting) still count
  in the global mean and variance, but their own Gi* would only be their own
  value, and esda's conditional permutation then counts every draw as a tie
  (p_sim = 1/(P+1)). So an island gets NaN z/p_sim, class ``"none"`` and
  ``island = True``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from ._arrays import as_float

if TYPE_CHECKING:
    from libpysal.weights import W

# libpysal is imported inside queen_weights: importing it takes a second, and
# most users of assets.stats never draw a hot-spot layer. esda is only the
# reference the tests compare with (see _gi_star_binary).

__all__ = ["MIN_HOTSPOT_AREAS", "getis_ord_gi_star", "hotspot_class", "queen_weights"]

#: With fewer areas with geometry than this, no local cluster is shown (statistics.md).
MIN_HOTSPOT_AREAS = 30


def queen_weights(geometries: Any, ids: Sequence[Hashable]) -> W:
    """Queen contiguity weights (libpysal ``W``) for a set of area polygons.

    Build this once per geometry vintage and reuse it for every theme and year.

    Parameters
    ----------
    geometries : sequence of shapely (Multi)Polygons, or a GeoSeries
        One geometry per area, aligned with ``ids``. ``None`` or empty
        geometries are left out of the weights (their areas then get NaN in
        :func:`getis_ord_gi_star`).
    ids : sequence of hashable
        Area identifiers (unique), aligned with ``geometries``.

    Returns
    -------
    libpysal.weights.W with binary weights (1 = shares at least one vertex),
    ``id_order`` following ``ids``. Areas without neighbours are islands.
    """
    from libpysal.weights import Queen

    geoms = list(geometries)
    ids = list(ids)
    if len(geoms) != len(ids):
        raise ValueError("geometries and ids must have the same length")
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be unique")
    keep = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    if not keep:
        raise ValueError("no non-empty geometry to build weights from")
    kept_ids = [ids[i] for i in keep]
    return Queen.from_iterable(
        [geoms[i] for i in keep], ids=kept_ids, id_order=kept_ids, silence_warnings=True
    )


def _empty_result(ids: list[Hashable]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "z": np.full(n, np.nan),
            "p_sim": np.full(n, np.nan),
            "class": pd.array([None] * n, dtype="string"),
            "island": pd.array([None] * n, dtype="boolean"),
        },
        index=pd.Index(ids, name="id"),
    )


def getis_ord_gi_star(
    values: Any,
    weights: W,
    ids: Sequence[Hashable],
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Local Getis-Ord Gi* with a permutation pseudo p-value, per area.

    Gives exactly what ``esda.G_Local(y, w, star=True, transform="B",
    permutations=..., seed=seed)`` gives on the areas with a value (see the
    module docstring for the choices, and :func:`_gi_star_binary` for why it
    does not call esda).

    Parameters
    ----------
    values : array-like (1-D)
        The variable, aligned with ``ids``, typically a rate per 1,000 (Gi* is
        scale-free, so the unit does not matter). Must be ≥ 0; NaN = missing.
    weights : libpysal.weights.W
        Contiguity weights from :func:`queen_weights` (not modified).
    ids : sequence of hashable
        Area identifiers for ``values``, as used in ``weights``.
    permutations : int
        Number of conditional permutations (999 gives p_sim ≥ 0.001).
    seed : int
        Seed for esda's permutations: same inputs + same seed ⇒ same output.
    alpha : float
        Threshold on p_sim for the hot/cold class.

    Returns
    -------
    pandas.DataFrame indexed by ``ids`` (input order) with columns

    * ``z`` (float64): Gi* z-score (esda ``Zs``), NaN for missing/islands;
    * ``p_sim`` (float64): permutation pseudo p-value, NaN likewise;
    * ``class`` (string): ``"hot"``, ``"cold"``, ``"none"``; missing (NA)
      where the area had no value or no geometry;
    * ``island`` (boolean): area had a value but no neighbour with a value;
      NA where the area had no value.

    If fewer than 3 areas have values, or all the values are equal (Gi* is
    then undefined), every area with a value gets NaN z/p_sim and ``"none"``.
    """
    if permutations < 1:
        raise ValueError("permutations must be >= 1 (p_sim needs them)")
    ids = list(ids)
    y_all = as_float(values)
    if y_all.shape != (len(ids),):
        raise ValueError("values must be 1-D and aligned with ids")
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be unique")
    if np.any(y_all[~np.isnan(y_all)] < 0):
        raise ValueError("Gi* needs non-negative values (rates)")

    id_position = {i: k for k, i in enumerate(weights.id_order)}
    has_value = ~np.isnan(y_all) & np.array([i in id_position for i in ids], dtype=bool)
    kept = [i for i, ok in zip(ids, has_value, strict=True) if ok]
    # Subset the weights: a dropped area is nobody's neighbour.
    others = _neighbours_among(weights, [id_position[i] for i in kept])
    island = np.diff(others.indptr) == 0
    y = y_all[has_value]

    res = _empty_result(ids)
    res.loc[np.asarray(has_value), "class"] = "none"
    res.loc[np.asarray(has_value), "island"] = island
    if y.size < 3 or np.ptp(y) == 0 or island.all():
        return res

    z, p_sim = _gi_star_binary(y, others, permutations, seed)
    z[island] = np.nan
    p_sim[island] = np.nan

    cls = np.full(y.size, "none", dtype=object)
    sig = p_sim < alpha  # NaN compares False
    cls[sig & (z > 0)] = "hot"
    cls[sig & (z < 0)] = "cold"

    pos = np.flatnonzero(has_value)
    res.iloc[pos, res.columns.get_loc("z")] = z
    res.iloc[pos, res.columns.get_loc("p_sim")] = p_sim
    res.iloc[pos, res.columns.get_loc("class")] = cls
    return res


def hotspot_class(
    z: Any,
    q: Any,
    smoothed: Any,
    reference: Any,
    *,
    has_value: Any,
    areas_with_geometry: int,
    alpha: float = 0.05,
) -> npt.NDArray[np.object_]:
    """The map's cluster class per area (docs/statistics.md, "Hot spots").

    * ``"hot"``: ``q < alpha`` and ``z > 0`` and ``smoothed > reference``;
    * ``"cold"``: ``q < alpha`` and ``z < 0`` and ``smoothed < reference``;
    * ``"none"``: otherwise (also islands, whose z and q are NaN, and areas whose smoothed
      rate or the reference is missing), so the layer never contradicts the area's colour;
    * ``"too_few_areas"`` for every area with a value when ``areas_with_geometry`` is below
      :data:`MIN_HOTSPOT_AREAS`: then no local cluster is shown at all;
    * ``None`` where ``has_value`` is False (no geometry or no rate).

    ``q`` is the Benjamini–Hochberg q-value of the permutation p-values of one map
    (:func:`assets.stats.change.bh_qvalues_by_group` with the map as family);
    ``smoothed`` and ``reference`` are in the same unit (per 1,000).
    """
    z, q, smoothed, reference = (as_float(v) for v in (z, q, smoothed, reference))
    has_value = np.asarray(has_value, dtype=bool)
    out = np.full(z.shape, None, dtype=object)
    if areas_with_geometry < MIN_HOTSPOT_AREAS:
        out[has_value] = "too_few_areas"
        return out
    out[has_value] = "none"
    significant = has_value & (q < alpha)  # NaN compares False
    out[significant & (z > 0) & (smoothed > reference)] = "hot"
    out[significant & (z < 0) & (smoothed < reference)] = "cold"
    return out


def _neighbours_among(weights: W, positions: list[int]) -> sparse.csr_matrix:
    """Binary neighbour matrix of the areas at ``positions`` (in ``weights.id_order``).

    Rows and columns follow ``positions``; no self-loops; column indices sorted
    (canonical CSR, as libpysal builds ``W.sparse``), so that sums over a row
    run in the same order as esda's.
    """
    full = weights.sparse.tocsr()
    sub = full[positions][:, positions].tocsr()
    sub.setdiag(0)
    sub.eliminate_zeros()
    sub.data[:] = 1.0
    sub.sort_indices()
    return sub


# Elements of one (areas x permutations x neighbours) block of draws: ~32 MB.
_DRAW_BLOCK = 4_000_000


def _gi_star_binary(
    y: npt.NDArray[np.float64], others: sparse.csr_matrix, permutations: int, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Gi* z-score and directed permutation p-value, binary weights with self-weight 1.

    The same numbers, bit for bit, as ``esda.G_Local(y, w, star=True,
    transform="B", permutations=P, seed=seed, n_jobs=1).Zs`` / ``.p_sim``
    (tests/stats pin that on data with ties). esda runs its conditional
    permutation one area at a time, which is fast with numba and about 1 s per
    6,000 areas without; a national run computes ~100 such families. Here the
    areas with the same number of neighbours are done together in numpy.

    * the statistic and the analytical moments follow esda's ``G_Local.calc``
      operation by operation;
    * the draws follow esda's ``crand``: one table of ``P`` draws of
      ``max_card`` positions from the ``n - 1`` other areas (legacy
      ``RandomState(seed).choice(n - 1, max_card, replace=False)`` per
      permutation), shared by every area; area i takes the first ``card_i``
      of each draw and maps position p to area ``p + (p >= i)``;
    * each simulated statistic is a BLAS matrix-vector product as in esda
      (numpy's matmul over a stack calls the same kernel per area), so ties
      with the observed value are decided exactly as there.
    """
    n = y.size
    with_self = others + sparse.identity(n, format="csr")
    with_self.sort_indices()
    total = y.sum()
    statistic = (with_self @ y) / total

    mean = total / n
    variance = (y**2).sum() / n - mean**2
    cardinality = np.asarray(with_self.sum(axis=1)).squeeze()
    expected = cardinality / n
    expected_variance = cardinality * (n - cardinality)
    expected_variance /= n - 1
    expected_variance *= 1 / n**2
    expected_variance *= variance / (mean**2)
    z = (statistic - expected) / np.sqrt(expected_variance)

    neighbours = np.diff(others.indptr)
    draws = _permuted_positions(n, int(neighbours.max()), permutations, seed)
    larger = np.zeros(n, dtype=np.int64)
    for card in np.unique(neighbours[neighbours > 0]):
        areas = np.flatnonzero(neighbours == card)
        positions = draws[:, :card]
        below, above = y[positions], y[positions + 1]
        per_block = max(1, _DRAW_BLOCK // (permutations * card))
        weights = np.ones((min(per_block, areas.size), card, 1))
        for start in range(0, areas.size, per_block):
            block = areas[start : start + per_block]
            drawn = np.where(positions >= block[:, None, None], above, below)
            sums = np.matmul(drawn, weights[: block.size])[..., 0]
            simulated = (sums + 1.0 * y[block, None]) / total
            larger[block] = (simulated >= statistic[block, None]).sum(axis=1)
    # esda's "directed" alternative: the tail the observed value lies in.
    low = (permutations - larger) < larger
    larger[low] = permutations - larger[low]
    return z, (larger + 1.0) / (permutations + 1.0)


@lru_cache(maxsize=8)
def _permuted_positions(
    n: int, max_card: int, permutations: int, seed: int
) -> npt.NDArray[np.int64]:
    """esda's ``vec_permutations`` without touching numpy's global random state."""
    rng = np.random.RandomState(seed)
    out = np.empty((permutations, max_card), dtype=np.int64)
    for k in range(permutations):
        out[k] = rng.choice(n - 1, size=max_card, replace=False)
    out.setflags(write=False)
    return out
