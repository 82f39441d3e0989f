"""The published statistics equal the formulas of statistics.md, recomputed independently.

Each check recomputes a column from the published counts and populations with scipy or
statsmodels directly (not through assets.stats), on the sample and on a small folder built
for the edge cases: a zero count, an area without population, a missing previous year, a
'..' cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest, chi2, norm, poisson
from statsmodels.stats.multitest import multipletests

from tests.marts.conftest import run_build

TOL = 1e-9


def garwood(k: float) -> tuple[float, float]:
    low = 0.0 if k == 0 else chi2.ppf(0.025, 2 * k) / 2
    return low, chi2.ppf(0.975, 2 * k + 2) / 2


def test_rates_and_garwood_intervals(marts) -> None:
    frame = marts.execute(
        "SELECT crime_count, population, crimes_per_1000, crimes_per_1000_ci_low, "
        "crimes_per_1000_ci_high FROM main.area_theme_year WHERE population IS NOT NULL"
    ).df()
    assert (frame["crime_count"] == 0).any(), "the sample should have zero cells"
    for row in frame.itertuples():
        low, high = garwood(row.crime_count)
        scale = 1000 / row.population
        assert row.crimes_per_1000 == pytest.approx(row.crime_count * scale, abs=TOL)
        assert row.crimes_per_1000_ci_low == pytest.approx(low * scale, abs=TOL)
        assert row.crimes_per_1000_ci_high == pytest.approx(high * scale, abs=TOL)


@pytest.mark.parametrize("table", ["area_year", "area_theme_year"])
def test_p_values_are_scipys_binomtest_and_q_values_are_bh_per_year(marts, table) -> None:
    frame = marts.execute(
        f"""SELECT t.*, lag(t.population) OVER (PARTITION BY t.area_id
                {", t.theme" if table == "area_theme_year" else ""} ORDER BY t.year) AS pop_prev
            FROM main.{table} AS t"""
    ).df()
    tested = frame[frame["crime_count_prev_year"].notna()]
    assert len(tested) > 50
    for row in tested.itertuples():
        n = int(row.crime_count + row.crime_count_prev_year)
        e_now, e_prev = row.population, row.pop_prev
        if not (e_now > 0 and e_prev > 0):
            e_now = e_prev = 1
        expected = (
            1.0 if n == 0 else binomtest(int(row.crime_count), n, e_now / (e_now + e_prev)).pvalue
        )
        assert row.p_value == pytest.approx(expected, abs=TOL)
    for _, year in tested.groupby("year"):
        q = multipletests(year["p_value"], method="fdr_bh")[1]
        np.testing.assert_allclose(year["q_value"], q, atol=TOL)
    first = frame[frame["year"] == frame["year"].min()]
    assert first[["crime_count_prev_year", "change_pct", "p_value", "q_value"]].isna().all().all()


def spiegelhalter(counts: np.ndarray, populations: np.ndarray) -> tuple[int, float, float, float]:
    """(I, θ, φ, τ²) of one funnel by the recipe of statistics.md, written out here."""
    use = populations > 0
    o, n = counts[use], populations[use]
    if not use.any():
        return 0, np.nan, np.nan, np.nan
    theta = o.sum() / n.sum()
    if use.sum() < 3 or theta == 0:
        return int(use.sum()), theta, np.nan, np.nan
    z = (o - n * theta) / np.sqrt(n * theta)
    low, high = np.percentile(z, [10, 90])
    phi = np.mean(np.clip(z, low, high) ** 2)
    i = len(z)
    if i * phi <= i - 1:
        return i, theta, phi, 0.0
    w = n / theta
    return i, theta, phi, (i * phi - (i - 1)) / (w.sum() - (w**2).sum() / w.sum())


def expected_limits(n: pd.Series, theta: pd.Series, tau2: pd.Series) -> dict[str, np.ndarray]:
    """Adjusted limits where τ² > 0 (floored at 0), exact Poisson limits elsewhere."""
    out = {}
    for prob, column, sign in (
        (0.001, "funnel_low_998", -1),
        (0.025, "funnel_low_95", -1),
        (0.975, "funnel_high_95", 1),
        (0.999, "funnel_high_998", 1),
    ):
        z = norm.ppf(max(prob, 1 - prob))
        adjusted = np.maximum(1000 * (theta + sign * z * np.sqrt(theta / n + tau2)), 0)
        exact = poisson.ppf(prob, n * theta) / n * 1000
        out[column] = np.where(tau2 > 0, adjusted, exact)
    return out


@pytest.mark.parametrize("table", ["area_year", "area_theme_year"])
def test_dispersion_funnel_limits_and_positions(marts, table) -> None:
    theme = "theme" if table == "area_theme_year" else "'alla brott' AS theme"
    frame = marts.execute(
        f"SELECT {theme}, year, crime_count, population, funnel_low_998, funnel_low_95, "
        f"funnel_high_95, funnel_high_998, funnel_position FROM main.{table}"
    ).df()
    dispersion = marts.execute("SELECT * FROM main.theme_year_dispersion").df()
    checked = 0
    for (theme_name, year), cells in frame.groupby(["theme", "year"]):
        areas, theta, phi, tau2 = spiegelhalter(
            cells["crime_count"].to_numpy(float), cells["population"].to_numpy(float)
        )
        published = dispersion[(dispersion["theme"] == theme_name) & (dispersion["year"] == year)]
        assert len(published) == 1
        row = published.iloc[0]
        assert row["areas"] == areas
        assert row["reference_per_1000"] == pytest.approx(theta * 1000, rel=1e-12)
        for got, want in ((row["phi"], phi), (row["tau2"], tau2)):
            assert (pd.isna(got) and np.isnan(want)) or got == pytest.approx(want, rel=1e-9)
        placed = cells[cells["population"] > 0]
        n = placed["population"].to_numpy(float)
        limits = expected_limits(n, theta, np.nan_to_num(tau2))
        for column, want in limits.items():
            np.testing.assert_allclose(placed[column], want, rtol=1e-12, atol=TOL, err_msg=column)
        rate = placed["crime_count"] / n * 1000
        position = np.select(
            [
                rate > limits["funnel_high_998"],
                rate > limits["funnel_high_95"],
                rate < limits["funnel_low_998"],
                rate < limits["funnel_low_95"],
            ],
            [2, 1, -2, -1],
            0,
        )
        assert (placed["funnel_position"].to_numpy() == position).all(), (theme_name, year)
        checked += tau2 > 0
    assert checked > 5, "the sample should be overdispersed in most funnels"


def test_the_reference_rate_is_published_once(marts) -> None:
    """municipality_(theme_)year.reference_rate_per_1000 is the dispersion table's θ."""
    joined = marts.execute(
        """SELECT d.reference_per_1000, coalesce(t.reference_rate_per_1000,
                  y.reference_rate_per_1000) AS published
           FROM main.theme_year_dispersion AS d
           LEFT JOIN main.municipality_theme_year AS t USING (theme, year)
           LEFT JOIN main.municipality_year AS y
             ON d.theme = 'alla brott' AND y.year = d.year"""
    ).df()
    assert joined["published"].notna().all()
    np.testing.assert_allclose(joined["published"], joined["reference_per_1000"], rtol=1e-12)


def test_empirical_bayes_is_marshalls_global_method(marts) -> None:
    frame = marts.execute(
        "SELECT year, crime_count, population, smoothed_per_1000 FROM main.area_year "
        "WHERE population > 0"
    ).df()
    for _, year in frame.groupby("year"):
        k, n = year["crime_count"].to_numpy(float), year["population"].to_numpy(float)
        m = k.sum() / n.sum()
        s2 = (n * (k / n - m) ** 2).sum() / n.sum()
        a = max(s2 - m / n.mean(), 0.0)
        w = a / (a + m / n)
        expected = (w * k / n + (1 - w) * m) * 1000
        np.testing.assert_allclose(year["smoothed_per_1000"], expected, atol=TOL)


EDGE_AREAS = "omrade_id;omrade_namn\nA;Alfa\nB;Beta\nC;Gamma\nD;Delta\nE;Epsilon\n"
EDGE_REFERENS = "brottskategori;tema;signalbrott\nStöld;egendomsbrott;nej\n"
EDGE_POPULATION = (
    "omrade_id;ar;aldersgrupp;kon;antal\n"
    "A;2022;totalt;totalt;1000\nA;2023;totalt;totalt;1100\n"  # A: both years
    "B;2023;totalt;totalt;500\n"  # B: no population before 2023
    "C;2022;totalt;totalt;300\n"  # C: 2023 must use 2022's population
    "E;2023;totalt;totalt;0\n"  # E: a population of 0 (e.g. an industrial area)
)  # D: no population at all
EDGE_CRIME = (
    "omrade_id;manad;brottskategori;antal\n"
    "A;2022-06;Stöld;10\nA;2023-06;Stöld;15\n"  # A: a change with populations both years
    "B;2022-06;Stöld;4\nB;2023-06;Stöld;..\nB;2023-07;Stöld;6\n"  # B: no 2022 population; a '..'
    "C;2022-03;Stöld;3\nC;2023-03;Stöld;9\n"
    "D;2023-12;Stöld;5\n"  # D: nothing in 2022
    "E;2023-02;Stöld;8\n"  # E: crimes but no residents
    "okant;2023-04;Stöld;7\n"  # crimes placed in no area
)


@pytest.fixture(scope="module")
def edge_marts(tmp_path_factory):
    raw = tmp_path_factory.mktemp("edge_raw")
    for folder, name, text in (
        ("omraden", "areas.csv", EDGE_AREAS),
        ("referens", "brottskategorier.csv", EDGE_REFERENS),
        ("befolkning", "pop.csv", EDGE_POPULATION),
        ("brott", "brott.csv", EDGE_CRIME),
    ):
        (raw / folder).mkdir()
        (raw / folder / name).write_text(text, encoding="utf-8")
    build = run_build(raw, tmp_path_factory.mktemp("edge") / "marts")
    assert build.result.success
    from assets.database import connect

    con = connect(build.db, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def edge(edge_marts) -> pd.DataFrame:
    return (
        edge_marts.execute("SELECT * FROM main.area_year ORDER BY area_id, year")
        .df()
        .set_index(["area_id", "year"])
    )


def test_edge_reference_rate_leaves_out_okant_and_areas_without_people(edge_marts) -> None:
    dispersion = (
        edge_marts.execute("SELECT * FROM main.theme_year_dispersion")
        .df()
        .set_index(["theme", "year"])
    )
    # 2022: only A and C have a population (B none yet, D none, E not before 2023).
    y22 = dispersion.loc[("alla brott", 2022)]
    assert y22["areas"] == 2
    assert y22["reference_per_1000"] == pytest.approx((10 + 3) / (1000 + 300) * 1000, rel=1e-12)
    # Fewer than 3 areas: no overdispersion estimate, and the exact limits are used.
    assert pd.isna(y22["phi"]) and pd.isna(y22["tau2"])
    a22 = edge_marts.execute(
        "SELECT funnel_high_998 FROM main.area_year WHERE area_id = 'A' AND year = 2022"
    ).fetchone()[0]
    assert a22 == pytest.approx(poisson.ppf(0.999, 1000 * 13 / 1300) / 1000 * 1000, abs=TOL)
    # 2023: A, B and C (C on 2022's population); D (none), E (0) and 'okant' left out.
    y23 = dispersion.loc[("egendomsbrott", 2023)]
    assert y23["areas"] == 3
    theta = (15 + 6 + 9) / (1100 + 500 + 300)
    assert y23["reference_per_1000"] == pytest.approx(theta * 1000, rel=1e-12)
    assert dispersion.loc[("alla brott", 2023), "reference_per_1000"] == pytest.approx(
        theta * 1000, rel=1e-12
    )
    published = edge_marts.execute(
        "SELECT reference_rate_per_1000 FROM main.municipality_year WHERE year = 2023"
    ).fetchone()[0]
    assert published == pytest.approx(theta * 1000, rel=1e-12)
    # E has no rate and so no funnel position.
    e23 = edge_marts.execute(
        "SELECT funnel_position, funnel_high_998 FROM main.area_year "
        "WHERE area_id = 'E' AND year = 2023"
    ).fetchone()
    assert e23 == (None, None)


def test_edge_trend_needs_three_years(edge_marts) -> None:
    trend = edge_marts.execute("SELECT * FROM main.area_theme_trend").df()
    # Dense: (5 areas + kommun) × (1 theme + alla brott) × 2 complete years.
    assert len(trend) == 6 * 2 * 2
    assert set(trend["area_id"]) == {"A", "B", "C", "D", "E", "kommun"}
    assert set(trend["theme"]) == {"egendomsbrott", "alla brott"}
    # Two years at most: no trend anywhere, never a 0.
    columns = ["first_year", "trend_pct_per_year", "trend_ci_low", "trend_ci_high", "scale"]
    assert trend[[*columns, "p_value", "q_value"]].isna().all().all()
    # A has a population delivered in both years; C only in 2022 (2023 is carried forward).
    used = trend.set_index(["area_id", "theme", "last_year"])["years_used"]
    assert used[("A", "alla brott", 2023)] == 2 and used[("C", "alla brott", 2023)] == 1
    # kommun: 2022 lacks B's, D's and E's population, 2023 D's: no year counts.
    assert used[("kommun", "alla brott", 2023)] == 0


def test_edge_cases(edge: pd.DataFrame) -> None:
    # A zero count is 0, not NULL.
    assert edge.loc[("D", 2022), "crime_count"] == 0
    # No population at all: the rate is NULL, never 0; the test falls back on equal counts.
    assert edge.xs("D", level="area_id")["crimes_per_1000"].isna().all()
    assert edge.loc[("D", 2023), "p_value"] == pytest.approx(binomtest(5, 5, 0.5).pvalue, abs=TOL)
    # No population yet: NULL population, year and rate.
    b22 = edge.loc[("B", 2022)]
    assert pd.isna(b22["population"]) and pd.isna(b22["population_year"])
    assert pd.isna(b22["crimes_per_1000"])
    # Population missing for a year: the latest earlier year is used, and recorded.
    c23 = edge.loc[("C", 2023)]
    assert c23["population"] == 300 and c23["population_year"] == 2022
    assert c23["crimes_per_1000"] == pytest.approx(9 / 300 * 1000, abs=TOL)
    assert edge.loc[("A", 2023), "population_year"] == 2023
    # A '..' cell is left out of the sum and counted, never taken as 0.
    b23 = edge.loc[("B", 2023)]
    assert b23["crime_count"] == 6 and b23["missing_cells"] == 1
    # B lacks a 2022 population: the exact test uses E = 1 for both years (equal counts).
    assert b23["p_value"] == pytest.approx(binomtest(6, 10, 0.5).pvalue, abs=TOL)
    # A has both populations: exposure-weighted.
    a23 = edge.loc[("A", 2023)]
    assert a23["p_value"] == pytest.approx(binomtest(15, 25, 1100 / 2100).pvalue, abs=TOL)
    assert a23["change_pct"] == pytest.approx(50.0, abs=TOL)
    # A previous year of 0 gives no change in per cent (it would divide by zero).
    assert pd.isna(edge.loc[("D", 2023), "change_pct"])
    # The first year has no previous year: change, p and q are NULL.
    assert edge.xs(2022, level="year")[["change_pct", "p_value", "q_value"]].isna().all().all()
    # q-values: BH over the areas of 2023.
    p = edge.xs(2023, level="year")["p_value"]
    np.testing.assert_allclose(
        edge.xs(2023, level="year")["q_value"], multipletests(p, method="fdr_bh")[1], atol=TOL
    )
