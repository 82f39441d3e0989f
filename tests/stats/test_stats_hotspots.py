"""Queen contiguity and local Getis-Ord Gi* (docs/statistics.md, hot spots)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from esda import G_Local
from libpysal.weights import w_subset
from shapely.geometry import box

from assets.stats import getis_ord_gi_star, queen_weights


def _grid(side: int) -> tuple[list, list[str]]:
    geoms = [box(i, j, i + 1, j + 1) for i in range(side) for j in range(side)]
    ids = [f"c{i:02d}_{j:02d}" for i in range(side) for j in range(side)]
    return geoms, ids


def _gi_star_by_hand(x: np.ndarray, neighbours: list[list[int]]) -> np.ndarray:
    """Ord & Getis (1995) Gi* z with binary weights that include the area itself."""
    n = x.size
    xbar = x.mean()
    s = np.sqrt((x**2).mean() - xbar**2)
    z = np.empty(n)
    for i, nb in enumerate(neighbours):
        members = [i, *nb]
        wsum = len(members)  # binary weights: sum w = sum w^2 = neighbourhood size
        num = x[members].sum() - xbar * wsum
        den = s * np.sqrt((n * wsum - wsum**2) / (n - 1))
        z[i] = num / den
    return z


def test_queen_weights_on_a_grid() -> None:
    geoms, ids = _grid(3)
    w = queen_weights(geoms, ids)
    assert w.n == 9
    assert w.cardinalities["c01_01"] == 8  # centre touches all (edges and corners)
    assert w.cardinalities["c00_00"] == 3  # corner
    assert w.cardinalities["c00_01"] == 5  # edge
    assert set(w.neighbors["c00_00"]) == {"c00_01", "c01_00", "c01_01"}
    assert list(w.id_order) == ids


def test_queen_weights_skip_missing_geometry() -> None:
    geoms, ids = _grid(3)
    geoms[4] = None
    w = queen_weights(geoms, ids)
    assert "c01_01" not in w.neighbors and w.n == 8


def test_queen_weights_accepts_geoseries() -> None:
    import geopandas as gpd

    geoms, ids = _grid(4)
    w = queen_weights(gpd.GeoSeries(geoms), ids)
    assert w.n == 16 and w.cardinalities["c00_00"] == 3


def test_gi_star_z_matches_textbook_formula_and_esda_pvalues() -> None:
    geoms, ids = _grid(10)
    w = queen_weights(geoms, ids)
    rng = np.random.default_rng(3)
    x = rng.gamma(2.0, 5.0, 100)
    x[:12] += 40  # a hot corner
    res = getis_ord_gi_star(x, w, ids, permutations=199, seed=7)

    pos = {a: i for i, a in enumerate(ids)}
    nbs = [[pos[j] for j in w.neighbors[a]] for a in ids]
    np.testing.assert_allclose(res["z"].to_numpy(), _gi_star_by_hand(x, nbs), rtol=1e-10)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = G_Local(x, w_subset(w, ids), transform="B", star=True, permutations=199, seed=7)
    np.testing.assert_allclose(res["p_sim"].to_numpy(), direct.p_sim, rtol=1e-6)
    assert (res.loc["c00_00", "class"]) == "hot"
    assert set(res["class"]) <= {"hot", "cold", "none"}
    z, p = res["z"].to_numpy(), res["p_sim"].to_numpy()
    np.testing.assert_array_equal(res["class"] == "hot", (z > 0) & (p < 0.05))
    np.testing.assert_array_equal(res["class"] == "cold", (z < 0) & (p < 0.05))


def test_gi_star_drops_nan_and_subsets_weights() -> None:
    geoms, ids = _grid(8)
    w = queen_weights(geoms, ids)
    rng = np.random.default_rng(5)
    x = rng.gamma(2.0, 5.0, 64)
    missing = [3, 20, 41]
    x[missing] = np.nan
    res = getis_ord_gi_star(x, w, ids, permutations=99, seed=1)
    assert res.index.tolist() == ids
    assert res["z"].iloc[missing].isna().all()
    assert res["p_sim"].iloc[missing].isna().all()
    assert res["class"].iloc[missing].isna().all()

    kept = [a for i, a in enumerate(ids) if i not in missing]
    sub = w_subset(w, kept, silence_warnings=True)
    pos = {a: i for i, a in enumerate(kept)}
    nbs = [[pos[j] for j in sub.neighbors[a]] for a in kept]
    xk = x[~np.isnan(x)]
    np.testing.assert_allclose(res["z"].dropna().to_numpy(), _gi_star_by_hand(xk, nbs), rtol=1e-10)


def test_gi_star_islands_do_not_crash() -> None:
    geoms, ids = _grid(5)
    geoms.append(box(100, 100, 101, 101))  # a real island
    ids.append("far")
    w = queen_weights(geoms, ids)
    x = np.arange(26, dtype=float) + 1
    # c00_00's neighbours c00_01, c01_00, c01_01 are all missing: an island after subsetting.
    for a in ("c00_01", "c01_00", "c01_01"):
        x[ids.index(a)] = np.nan
    res = getis_ord_gi_star(x, w, ids, permutations=99)
    for a in ("far", "c00_00"):
        assert bool(res.loc[a, "island"])
        assert np.isnan(res.loc[a, "z"]) and np.isnan(res.loc[a, "p_sim"])
        assert res.loc[a, "class"] == "none"
    assert res["z"].notna().sum() == 26 - 3 - 2


def test_gi_star_deterministic_for_a_seed() -> None:
    geoms, ids = _grid(7)
    w = queen_weights(geoms, ids)
    x = np.random.default_rng(9).gamma(2.0, 5.0, 49)
    a = getis_ord_gi_star(x, w, ids, seed=42, permutations=199)
    b = getis_ord_gi_star(x, w, ids, seed=42, permutations=199)
    pd.testing.assert_frame_equal(a, b)
    # ... and it leaves numpy's global random state alone.
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    getis_ord_gi_star(x, w, ids, seed=42, permutations=19)
    assert np.random.random() == before
    # Weights are reused, not modified.
    assert w.transform.upper() == "O" and w.n == 49


def test_gi_star_degenerate_inputs() -> None:
    geoms, ids = _grid(3)
    w = queen_weights(geoms, ids)
    flat = getis_ord_gi_star(np.full(9, 2.0), w, ids)
    assert flat["z"].isna().all() and (flat["class"] == "none").all()
    with pytest.raises(ValueError):
        getis_ord_gi_star(np.full(9, -1.0), w, ids)
    with pytest.raises(ValueError):
        getis_ord_gi_star(np.ones(8), w, ids)
