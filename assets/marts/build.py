"""Build the marts, one domain at a time: SQL models, with statistics in between.

Each function runs its models in dependency order on the working database and returns the
main.* tables it built. The Dagster assets (assets.py) are thin wrappers around these.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import shapely

from assets.marts.geometry import area_geometry
from assets.marts.runner import drop_table, frame, run_model
from assets.marts.statistics import (
    comparison_columns,
    dispersion,
    hotspot_columns,
    rate_columns,
    trend_frame,
)
from assets.marts.survey import survey_year_stats
from assets.stats import poisson_quantile, queen_weights
from assets.stats.priority import priority_scores, rules_frame

AREA_TABLES = ("theme", "crime_category", "area", "area_geometry")
CRIME_TABLES = (
    "crime_month",
    "crime_year",
    "area_year",
    "area_theme_year",
    "theme_year_dispersion",
    "area_theme_trend",
    "municipality_year",
    "municipality_theme_year",
    "area_month",
    "season_profile",
    "municipality_theme_month",
)
REFERRAL_TABLES = ("referral_month", "area_referral_year", "municipality_referral_year")
AREA_TEAM_TABLES = ("area_team_report",)
PRIORITY_TABLES = ("priority", "priority_rule")
SURVEY_TABLES = ("area_survey_year",)

INTERMEDIATE_MODELS = (
    "int_calendar",
    "int_population_year",
    "int_area_year_grid",
    "int_referral_area_year",
    "int_area_year_base",
    "int_area_theme_year_base",
    "int_municipality_year_base",
    "int_area_month_base",
    "int_trend_input",
)

#: The theme name of all crimes together, in theme_year_dispersion and area_theme_trend.
ALL_CRIMES = "alla brott"


def build_area_marts(con: duckdb.DuckDBPyConnection, cache_dir: Path) -> tuple[str, ...]:
    run_model(con, "reference_lists")
    run_model(con, "area")
    run_model(con, "area_geometry", stats=area_geometry(con, cache_dir))
    return AREA_TABLES


def build_crime_marts(
    con: duckdb.DuckDBPyConnection, *, hotspot_permutations: int
) -> tuple[str, ...]:
    for model in INTERMEDIATE_MODELS:
        run_model(con, model)
    # Working databases built before crime_month became a view hold it as a table.
    drop_table(con, "main.crime_month")
    run_model(con, "crime_month")
    run_model(con, "crime_year")
    weights = _queen_weights(con)

    municipality = frame(con, "SELECT * FROM intermediate.municipality_year_base ORDER BY year")
    run_model(con, "municipality_year", stats=_municipality_year_stats(municipality))

    areas = frame(con, "SELECT * FROM intermediate.area_year_base ORDER BY area_id, year")
    area_dispersion = _dispersion(areas)
    run_model(
        con,
        "area_year",
        stats=_area_year_stats(areas, area_dispersion, weights, hotspot_permutations),
    )

    theme_whole = frame(
        con, "SELECT * FROM intermediate.municipality_theme_year_base ORDER BY year, theme"
    )
    run_model(con, "municipality_theme_year", stats=_municipality_theme_stats(theme_whole))

    themes = frame(
        con, "SELECT * FROM intermediate.area_theme_year_base ORDER BY area_id, year, theme"
    )
    theme_dispersion = _dispersion(themes, family=["year", "theme"])
    run_model(
        con,
        "area_theme_year",
        stats=_area_theme_stats(themes, theme_dispersion, weights, hotspot_permutations),
    )
    run_model(
        con,
        "theme_year_dispersion",
        stats=pd.concat(
            [area_dispersion.assign(theme=ALL_CRIMES), theme_dispersion], ignore_index=True
        ),
    )
    trend_input = frame(con, "SELECT * FROM intermediate.trend_input ORDER BY area_id, theme, year")
    run_model(con, "area_theme_trend", stats=trend_frame(trend_input, all_crimes=ALL_CRIMES))

    months = frame(con, "SELECT area_id, month, expected_count FROM intermediate.area_month_base")
    months["usual_high"] = poisson_quantile(0.975, months["expected_count"])
    run_model(con, "area_month", stats=months[["area_id", "month", "usual_high"]])
    run_model(con, "season_profile")
    run_model(con, "municipality_theme_month")
    return CRIME_TABLES


def build_referral_marts(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    for model in REFERRAL_TABLES:
        run_model(con, model)
    return REFERRAL_TABLES


def build_area_team_marts(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    run_model(con, "area_team_report")
    return AREA_TEAM_TABLES


def build_survey_marts(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    rows = frame(
        con,
        """SELECT area_id, year, question, sex, respondents, share_pct, ci_low_pct, ci_high_pct
           FROM staging.survey ORDER BY area_id, question, sex, year""",
    )
    run_model(con, "area_survey_year", stats=survey_year_stats(rows))
    return SURVEY_TABLES


def build_priority_marts(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    run_model(con, "int_priority_input")
    cells = frame(con, "SELECT * FROM intermediate.priority_input ORDER BY year, area_id, theme")
    run_model(con, "priority", stats=priority_scores(cells))
    run_model(con, "priority_rule", stats=rules_frame())
    return PRIORITY_TABLES


# -- statistics per table --------------------------------------------------------------------


def _crime_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Crimes per 1,000 with intervals, change and q-values; one test family per year."""
    return rate_columns(
        frame,
        count="crime_count",
        population="population",
        prev_count="crime_count_prev_year",
        prev_population="population_prev_year",
        family=["year"],
        prefix="crimes",
    )


def _referral_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Referrals about children per 1,000 children aged 0–17, likewise."""
    return rate_columns(
        frame,
        count="referral_count",
        population="referral_population",
        prev_count="referral_count_prev_year",
        prev_population="referral_population_prev_year",
        family=["year"],
        prefix="referrals",
    )


def _municipality_year_stats(whole: pd.DataFrame) -> pd.DataFrame:
    crimes = _crime_rates(whole)
    referrals = _referral_rates(whole)
    return pd.concat([whole[["year"]], crimes, referrals], axis=1)


def _dispersion(frame: pd.DataFrame, family: list[str] | None = None) -> pd.DataFrame:
    """θ, φ and τ² of the funnel per family (year, or year × theme), over areas with people."""
    return dispersion(
        frame, count="crime_count", population="population", family=family or ["year"]
    )


def _with_dispersion(frame: pd.DataFrame, per_family: pd.DataFrame, family: list[str]):
    """`frame` with its family's reference rate and τ² on every row (index kept)."""
    return frame.merge(
        per_family[[*family, "reference_rate", "tau2"]], on=family, how="left"
    ).set_index(frame.index)


def _area_year_stats(
    areas: pd.DataFrame, per_year: pd.DataFrame, weights, permutations: int
) -> pd.DataFrame:
    crimes = _crime_rates(areas)
    referrals = _referral_rates(areas)
    # The reference for areas: placed crimes over the population of areas that have one.
    with_reference = _with_dispersion(areas, per_year, ["year"])
    with_reference["referral_reference_rate"] = _referral_reference(areas)
    crime_comparison = comparison_columns(
        with_reference,
        count="crime_count",
        population="population",
        reference_rate="reference_rate",
        family=["year"],
        prefix="crimes",
        tau2="tau2",
    )
    referral_comparison = comparison_columns(
        with_reference,
        count="referral_count",
        population="referral_population",
        reference_rate="referral_reference_rate",
        family=["year"],
        prefix="referrals",
    )[["referrals_funnel_position"]]
    rated = pd.concat(
        [
            areas[["area_id", "year"]],
            crimes,
            crime_comparison,
            with_reference["reference_rate"].mul(1000).rename("reference_per_1000"),
        ],
        axis=1,
    )
    hotspots = hotspot_columns(
        rated,
        weights,
        rate="crimes_per_1000",
        smoothed="crimes_smoothed_per_1000",
        reference="reference_per_1000",
        family=["year"],
        permutations=permutations,
        prefix="crimes",
    )
    return pd.concat(
        [
            areas[["area_id", "year"]],
            crimes,
            referrals,
            crime_comparison,
            referral_comparison,
            hotspots,
        ],
        axis=1,
    )


def _referral_reference(areas: pd.DataFrame) -> pd.Series:
    """Per year: the whole's 0–17 referrals per person, over areas with a population."""
    known = areas[areas["referral_population"].notna() & areas["referral_count"].notna()]
    per_year = known.groupby("year")[["referral_count", "referral_population"]].sum()
    rate = per_year["referral_count"] / per_year["referral_population"].where(
        per_year["referral_population"] > 0
    )
    return areas["year"].map(rate)


def _municipality_theme_stats(whole: pd.DataFrame) -> pd.DataFrame:
    crimes = _crime_rates(whole)
    return pd.concat([whole[["year", "theme"]], crimes], axis=1)


def _area_theme_stats(
    themes: pd.DataFrame, per_theme_year: pd.DataFrame, weights, permutations: int
) -> pd.DataFrame:
    crimes = _crime_rates(themes)
    with_reference = _with_dispersion(themes, per_theme_year, ["year", "theme"])
    comparison = comparison_columns(
        with_reference,
        count="crime_count",
        population="population",
        reference_rate="reference_rate",
        family=["year", "theme"],
        prefix="crimes",
        tau2="tau2",
    )
    rated = pd.concat(
        [
            themes[["area_id", "year", "theme"]],
            crimes,
            comparison,
            with_reference["reference_rate"].mul(1000).rename("reference_per_1000"),
        ],
        axis=1,
    )
    hotspots = hotspot_columns(
        rated,
        weights,
        rate="crimes_per_1000",
        smoothed="crimes_smoothed_per_1000",
        reference="reference_per_1000",
        family=["year", "theme"],
        permutations=permutations,
        prefix="crimes",
    )
    return pd.concat([themes[["area_id", "year", "theme"]], crimes, comparison, hotspots], axis=1)


def _queen_weights(con: duckdb.DuckDBPyConnection):
    """Queen contiguity between the delivered polygons, or None without geometry."""
    rows = con.execute(
        "SELECT area_id, geometry_wkb FROM main.area_geometry ORDER BY area_id"
    ).fetchall()
    if len(rows) < 3:
        return None
    return queen_weights(shapely.from_wkb([bytes(w) for _, w in rows]), [a for a, _ in rows])
