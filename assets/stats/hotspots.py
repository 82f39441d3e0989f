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
* **class**: ``"hot"`` if z > 0 and p_sim < alpha, ``"cold"`` if z < 0 and
  p_sim < alpha, else ``"none"``.
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

import warnings
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._arrays import as_float

if TYPE_CHECKING:
    from libpysal.weights import W

# esda/libpysal are imported inside the functions: importing esda takes
# seconds, and most users of assets.stats never draw a hot-spot layer.

__all__ = ["getis_ord_gi_star", "queen_weights"]


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

    Uses ``esda.G_Local(y, w, star=True, transform="B", permutations=...,
    seed=seed)`` on the areas with a value (see the module docstring for the
    choices).

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

    neighbors = weights.neighbors
    has_value = ~np.isnan(y_all) & np.array([i in neighbors for i in ids], dtype=bool)
    kept = [i for i, ok in zip(ids, has_value, strict=True) if ok]
    kept_set = set(kept)
    # Subset the weights: a dropped area is nobody's neighbour.
    sub = {i: [j for j in neighbors[i] if j in kept_set and j != i] for i in kept}
    island = np.array([len(sub[i]) == 0 for i in kept], dtype=bool)
    y = y_all[has_value]

    res = _empty_result(ids)
    res.loc[np.asarray(has_value), "class"] = "none"
    res.loc[np.asarray(has_value), "island"] = island
    if y.size < 3 or np.ptp(y) == 0 or island.all():
        return res

    from esda import G_Local
    from libpysal.weights import W

    w = W(sub, id_order=kept, silence_warnings=True)
    # esda seeds numpy's *global* RNG (np.random.seed); restore it afterwards so
    # that calling this function has no effect on anyone else's random numbers.
    rng_state = np.random.get_state()
    with warnings.catch_warnings():
        # esda announces a future change of its default alternative; we rely on
        # the current documented 'directed' p_sim, pinned by the tests.
        warnings.filterwarnings(
            "ignore", message="The alternative hypothesis", category=DeprecationWarning
        )
        # esda rebuilds the weights (adding the self-weight) without libpysal's
        # silence flag; disconnected parts and islands are handled above.
        warnings.filterwarnings("ignore", message="The weights matrix is not fully connected")
        warnings.filterwarnings("ignore", message="There (is|are) .* island")
        try:
            g = G_Local(
                y,
                w,
                transform="B",
                star=True,
                permutations=permutations,
                seed=seed,
                keep_simulations=False,
                n_jobs=1,
            )
        finally:
            np.random.set_state(rng_state)
    z = np.asarray(g.Zs, dtype=np.float64)
    # esda keeps p_sim in float32; (m + 1) / (P + 1) is recovered exactly.
    p_sim = np.rint(np.asarray(g.p_sim, dtype=np.float64) * (permutations + 1)) / (permutations + 1)
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
