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
from scipy.stats import binomtest, chi2, poisson
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


def test_funnel_limits_and_positions(marts) -> None:
    frame = marts.execute(
        """SELECT t.crime_count, t.population, t.funnel_low_998, t.funnel_low_95,
                  t.funnel_high_95, t.funnel_high_998, t.funnel_position,
                  m.reference_rate_per_1000
           FROM main.area_theme_year AS t
           JOIN main.municipality_theme_year AS m USING (year, theme)
           WHERE t.population > 0"""
    ).df()
    mu = frame["population"] * frame["reference_rate_per_1000"] / 1000
    for prob, column in (
        (0.001, "funnel_low_998"),
        (0.025, "funnel_low_95"),
        (0.975, "funnel_high_95"),
        (0.999, "funnel_high_998"),
    ):
        expected = poisson.ppf(prob, mu) / frame["population"] * 1000
        np.testing.assert_allclose(frame[column], expected, atol=TOL, err_msg=column)
    rate = frame["crime_count"] / frame["population"] * 1000
    expected_position = np.select(
        [
            rate > frame["funnel_high_998"],
            rate > frame["funnel_high_95"],
            rate < frame["funnel_low_998"],
            rate < frame["funnel_low_95"],
        ],
        [2, 1, -2, -1],
        0,
    )
    assert (frame["funnel_position"].to_numpy() == expected_position).all()
    assert set(np.unique(expected_position)) >= {-2, 0, 2}, "the sample should span the funnel"


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


EDGE_AREAS = "omrade_id;omrade_namn\nA;Alfa\nB;Beta\nC;Gamma\nD;Delta\n"
EDGE_REFERENS = "brottskategori;tema;signalbrott\nStöld;egendomsbrott;nej\n"
EDGE_POPULATION = (
    "omrade_id;ar;aldersgrupp;kon;antal\n"
    "A;2022;totalt;totalt;1000\nA;2023;totalt;totalt;1100\n"  # A: both years
    "B;2023;totalt;totalt;500\n"  # B: no population before 2023
    "C;2022;totalt;totalt;300\n"  # C: 2023 must use 2022's population
)  # D: no population at all
EDGE_CRIME = (
    "omrade_id;manad;brottskategori;antal\n"
    "A;2022-06;Stöld;10\nA;2023-06;Stöld;15\n"  # A: a change with populations both years
    "B;2022-06;Stöld;4\nB;2023-06;Stöld;..\nB;2023-07;Stöld;6\n"  # B: no 2022 population; a '..'
    "C;2022-03;Stöld;3\nC;2023-03;Stöld;9\n"
    "D;2023-12;Stöld;5\n"  # D: nothing in 2022
)


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
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
    yield (
        con.execute("SELECT * FROM main.area_year ORDER BY area_id, year")
        .df()
        .set_index(["area_id", "year"])
    )
    con.close()


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
