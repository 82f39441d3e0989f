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
        direct = G_Local(
            x, w_subset(w, ids), transform="B", star=True, permutations=199, seed=7, n_jobs=1
        )
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


def _esda_gi_star(x: np.ndarray, w, ids: list[str], permutations: int, seed: int):
    """The reference: esda.G_Local on the areas with a value, weights subset to them."""
    kept = [a for a, v in zip(ids, x, strict=True) if not np.isnan(v)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sub = w_subset(w, kept, silence_warnings=True)
        g = G_Local(
            x[~np.isnan(x)],
            sub,
            transform="B",
            star=True,
            permutations=permutations,
            seed=seed,
            keep_simulations=False,
            n_jobs=1,
        )
    return pd.DataFrame({"z": g.Zs, "p_sim": np.asarray(g.p_sim, dtype=float)}, index=kept)


@pytest.mark.parametrize(
    ("values", "permutations", "seed"),
    [
        ("counts", 999, 12345),  # many exact ties between observed and simulated sums
        ("tenths", 199, 7),  # ties that only hold if the sums run in the same order
        ("gamma", 99, 3),
    ],
)
def test_gi_star_equals_esda_bit_for_bit(values: str, permutations: int, seed: int) -> None:
    """Our vectorised conditional permutation gives esda's z and p_sim exactly.

    An irregular map (rectangles of two widths, so areas have 3 to 10
    neighbours), areas in an order unlike the weights', missing values and
    an island.
    """
    rng = np.random.default_rng(seed)
    geoms = [
        box(i * 1.5 if j % 2 else i, j, (i + 1) * 1.5 if j % 2 else i + 1, j + 1)
        for j in range(14)
        for i in range(16)
    ]
    ids = [f"a{k:03d}" for k in range(len(geoms))]
    geoms.append(box(100, 100, 101, 101))
    ids.append("far")
    w = queen_weights(geoms, ids)
    n = len(ids)
    x = {
        "counts": rng.poisson(1.0, n).astype(float),
        "tenths": rng.integers(0, 4, n) * 0.1,
        "gamma": rng.gamma(2.0, 5.0, n),
    }[values]
    x[rng.random(n) < 0.1] = np.nan
    order = rng.permutation(n)
    ids_in_order = [ids[k] for k in order]
    x = x[order]

    ours = getis_ord_gi_star(x, w, ids_in_order, permutations=permutations, seed=seed)
    ref = _esda_gi_star(x, w, ids_in_order, permutations, seed)
    inland = ~ours.loc[ref.index, "island"].to_numpy(dtype=bool)
    assert inland.sum() > 150 and (~inland).sum() >= 1
    np.testing.assert_array_equal(ours.loc[ref.index, "z"].to_numpy()[inland], ref["z"][inland])
    # esda keeps p_sim in float32; ours is the exact (m + 1) / (P + 1).
    np.testing.assert_array_equal(
        ours.loc[ref.index, "p_sim"].to_numpy(dtype=np.float32)[inland],
        ref["p_sim"].to_numpy(dtype=np.float32)[inland],
    )
    assert ours["p_sim"].dropna().mul(permutations + 1).round(9).mod(1).eq(0).all()


# -- the map's class: BH per map, agreement with the smoothed rate, enough areas ---------


def test_hotspot_class_rules_by_hand() -> None:
    from assets.stats import hotspot_class

    z = np.array([2.5, 2.5, 2.5, -2.5, -2.5, -2.5, np.nan, 2.5, 2.5])
    q = np.array([0.01, 0.01, 0.20, 0.01, 0.01, 0.049, np.nan, 0.01, 0.05])
    smoothed = np.array([60.0, 40.0, 60.0, 40.0, 60.0, 40.0, 50.0, np.nan, 60.0])
    has_value = np.array([True] * 8 + [True])
    got = hotspot_class(z, q, smoothed, 50.0, has_value=has_value, areas_with_geometry=30)
    assert list(got) == [
        "hot",  # significant, high z, own rate above the reference
        "none",  # high cluster but the area's own rate is below: never contradict the map
        "none",  # q not below 0.05
        "cold",
        "none",  # low cluster but own rate above
        "cold",  # q = 0.049
        "none",  # an island (z, q NaN)
        "none",  # no smoothed rate
        "none",  # q = 0.05 is not below 0.05
    ]
    # Without a value (no geometry or rate): NULL.
    got = hotspot_class(z, q, smoothed, 50.0, has_value=~has_value, areas_with_geometry=30)
    assert all(v is None for v in got)
    # Fewer than 30 areas with geometry: no local clusters at all.
    got = hotspot_class(z, q, smoothed, 50.0, has_value=has_value, areas_with_geometry=29)
    assert set(got) == {"too_few_areas"}


def test_bh_per_map_is_statsmodels_fdrcorrection() -> None:
    from statsmodels.stats.multitest import fdrcorrection

    from assets.stats import bh_qvalues_by_group

    rng = np.random.default_rng(3)
    p = np.round(rng.uniform(0, 1, 3000) ** 3, 3)  # permutation p-values have ties
    p[rng.random(3000) < 0.05] = np.nan  # islands
    maps = rng.integers(0, 6, 3000)
    got = bh_qvalues_by_group(p, maps)
    for m in range(6):
        sel = (maps == m) & ~np.isnan(p)
        np.testing.assert_allclose(got[sel], fdrcorrection(p[sel])[1], rtol=1e-12)
    assert np.isnan(got[np.isnan(p)]).all()
