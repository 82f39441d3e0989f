"""The funnel, trend and hot-spot statistics on the two real folders (../shared/realdata).

* sweden: 5,984 DeSO areas without geometry, population for 2022 and 2023 only;
* london: 4,835 LSOAs with geometry, yearly crimes 2011–2021, population for 2019–2020.

Recomputed independently: Spiegelhalter's recipe by hand, statsmodels' GLM, and esda's
G_Local with statsmodels' fdrcorrection for the map's clusters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from esda import G_Local
from libpysal.weights import Queen
from statsmodels.stats.multitest import fdrcorrection

from tests.marts.conftest import REPO, run_build
from tests.marts.test_statistics_in_marts import spiegelhalter
from tests.marts.test_trend_in_marts import expected_trends, series_inputs

REALDATA = REPO.parent / "shared" / "realdata"

pytestmark = pytest.mark.slow


def _build(name: str, tmp_path_factory):
    raw = REALDATA / name
    if not raw.is_dir():
        pytest.skip(f"{raw} is not here")
    build = run_build(raw, tmp_path_factory.mktemp(name) / "marts")
    assert build.result.success, f"the {name} build failed"
    from assets.database import connect

    return connect(build.db, read_only=True)


@pytest.fixture(scope="module")
def sweden(tmp_path_factory):
    con = _build("sweden", tmp_path_factory)
    yield con
    con.close()


@pytest.fixture(scope="module")
def london(tmp_path_factory):
    con = _build("london", tmp_path_factory)
    yield con
    con.close()


def _check_dispersion(con) -> int:
    """θ, φ, τ² of every published funnel against the recipe; returns how many had τ² > 0."""
    dispersion = con.execute("SELECT * FROM main.theme_year_dispersion").df()
    cells = con.execute(
        "SELECT theme, year, crime_count, population FROM main.area_theme_year "
        "UNION ALL SELECT 'alla brott', year, crime_count, population FROM main.area_year"
    ).df()
    overdispersed = 0
    for (theme, year), group in cells.groupby(["theme", "year"]):
        areas, theta, phi, tau2 = spiegelhalter(
            group["crime_count"].to_numpy(float), group["population"].to_numpy(float)
        )
        row = dispersion[(dispersion["theme"] == theme) & (dispersion["year"] == year)].iloc[0]
        assert row["areas"] == areas
        if np.isnan(theta):
            assert pd.isna(row["reference_per_1000"])
        else:
            assert row["reference_per_1000"] == pytest.approx(theta * 1000, rel=1e-12)
        for got, want in ((row["phi"], phi), (row["tau2"], tau2)):
            assert (pd.isna(got) and np.isnan(want)) or got == pytest.approx(want, rel=1e-9)
        overdispersed += bool(tau2 > 0)
    return overdispersed


def test_sweden_dispersion_and_trend(sweden) -> None:
    # 2020–21 have no population: θ NULL (never 0) and no limits.
    dispersion = sweden.execute("SELECT * FROM main.theme_year_dispersion").df()
    early = dispersion[dispersion["year"] < 2022]
    assert (early["areas"] == 0).all() and early["reference_per_1000"].isna().all()
    # Sparse counts (most areas have none of a theme): the winsorised φ stays near 1, so
    # only all crimes in 2022 are overdispersed; elsewhere τ² = 0 or θ = 0 (no φ, τ²).
    assert _check_dispersion(sweden) == 1
    late = dispersion[dispersion["year"] >= 2022]
    assert (late["tau2"] == 0).any() and (
        (late["reference_per_1000"] == 0) & late["phi"].isna()
    ).any()
    # Population only for 2022 and 2023: no window has three years, so no trend at all.
    trend = sweden.execute("SELECT * FROM main.area_theme_trend").df()
    want = expected_trends(series_inputs(sweden))
    # Two themes in brottskategorier.csv and all crimes, for 5,984 areas and kommun, 4 years.
    assert len(trend) == len(want) == 5985 * 3 * 4
    assert trend["trend_pct_per_year"].isna().all() and want["trend_pct_per_year"].isna().all()
    assert trend["years_used"].max() == 2
    # No geometry: no hot spots.
    assert sweden.execute("SELECT count(hotspot) FROM main.area_year").fetchone()[0] == 0


def test_london_dispersion(london) -> None:
    assert _check_dispersion(london) >= 10


@pytest.mark.parametrize(("table", "theme"), [("area_year", None), ("area_theme_year", "övrigt")])
def test_london_hot_spots_are_esda_with_bh(london, table, theme) -> None:
    year = 2020
    where = f"year = {year}" + ("" if theme is None else f" AND theme = '{theme}'")
    published = (
        london.execute(
            f"SELECT area_id, crimes_per_1000, smoothed_per_1000, gi_z, gi_p, gi_q, hotspot "
            f"FROM main.{table} WHERE {where}"
        )
        .df()
        .set_index("area_id")
    )
    reference = london.execute(
        "SELECT reference_per_1000 FROM main.theme_year_dispersion WHERE theme = ? AND year = ?",
        [theme or "alla brott", year],
    ).fetchone()[0]
    geometry = london.execute("SELECT area_id, geometry_wkb FROM main.area_geometry").fetchall()
    ids = [a for a, _ in geometry]
    w = Queen.from_iterable(
        shapely.from_wkb([bytes(g) for _, g in geometry]), ids=ids, id_order=ids
    )
    assert len(ids) >= 30 and published["crimes_per_1000"].notna().all()
    y = published.loc[ids, "crimes_per_1000"].to_numpy(float)
    gi = G_Local(y, w, star=True, transform="B", permutations=999, seed=12345)
    p = np.asarray(gi.p_sim, dtype=float)
    ok = np.isfinite(gi.Zs) & np.array([w.cardinalities[i] > 0 for i in ids])
    np.testing.assert_allclose(published.loc[ids, "gi_z"].to_numpy()[ok], gi.Zs[ok], rtol=1e-9)
    np.testing.assert_allclose(published.loc[ids, "gi_p"].to_numpy()[ok], p[ok], rtol=1e-6)
    q = np.full(len(ids), np.nan)
    q[ok] = fdrcorrection(p[ok])[1]
    np.testing.assert_allclose(published.loc[ids, "gi_q"].to_numpy(), q, rtol=1e-6)

    smoothed = published.loc[ids, "smoothed_per_1000"].to_numpy(float)
    expected = np.full(len(ids), "none", dtype=object)
    significant = q < 0.05
    expected[significant & (gi.Zs > 0) & (smoothed > reference)] = "hot"
    expected[significant & (gi.Zs < 0) & (smoothed < reference)] = "cold"
    assert (published.loc[ids, "hotspot"].to_numpy() == expected).all()
    # BH removes most of the raw p < 0.05 areas.
    assert (published["hotspot"] != "none").sum() < (published["gi_p"] < 0.05).sum() / 3
    if theme == "övrigt":
        assert {"hot", "cold"} <= set(published["hotspot"]), "this map has clusters"
