"""Checks on the marts before they are published: the numbers must add up.

All are blocking: a mart whose totals don't reconcile with the accepted rows would publish
wrong numbers, so nothing is published (the CLI exits 1) and the previous version stays.
"""

from collections.abc import Iterator

import dagster as dg

from assets.database import WorkDatabase, fetch_one
from assets.marts.assets import mart_key

AREA_YEAR = mart_key("area_year")
MUNICIPALITY_YEAR = mart_key("municipality_year")


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "dense_grid",
            asset=AREA_YEAR,
            blocking=True,
            description="One row for every known area × every year from the first to the last "
            "year with crime data.",
        ),
        dg.AssetCheckSpec(
            "totals_reconcile",
            asset=MUNICIPALITY_YEAR,
            blocking=True,
            additional_deps=[AREA_YEAR],
            description="Per year: the areas' crimes plus the unplaced ('okant') equal the "
            "whole's count, which equals the sum of the accepted crime rows.",
        ),
        dg.AssetCheckSpec(
            "themes_reconcile",
            asset=mart_key("area_theme_year"),
            blocking=True,
            additional_deps=[AREA_YEAR],
            description="Per area and year: the themes' crimes add up to area_year's count.",
        ),
    ],
    name="mart_checks",
)
def mart_checks(duckdb: WorkDatabase) -> Iterator[dg.AssetCheckResult]:
    with duckdb.get_connection() as con:
        rows, areas, years = fetch_one(
            con,
            """SELECT (SELECT count(*) FROM main.area_year),
                      (SELECT count(*) FROM main.area),
                      (SELECT count(*) FROM intermediate.calendar)""",
        )
        yield dg.AssetCheckResult(
            asset_key=AREA_YEAR,
            check_name="dense_grid",
            passed=rows == areas * years,
            metadata={"rows": rows, "areas": areas, "years": years},
        )
        mismatched = con.execute(
            """WITH accepted AS (
                        SELECT year, sum(crime_count) AS n FROM staging.crime GROUP BY year),
                    placed AS (SELECT year, sum(crime_count) AS n FROM main.area_year GROUP BY year)
               SELECT m.year, m.crime_count, p.n + m.unplaced_crime_count, coalesce(a.n, 0)
               FROM main.municipality_year AS m
               JOIN placed AS p USING (year)
               LEFT JOIN accepted AS a USING (year)
               WHERE m.crime_count <> p.n + m.unplaced_crime_count
                  OR m.crime_count <> coalesce(a.n, 0)
               ORDER BY m.year"""
        ).fetchall()
        yield dg.AssetCheckResult(
            asset_key=MUNICIPALITY_YEAR,
            check_name="totals_reconcile",
            passed=not mismatched,
            metadata={
                "mismatches": [
                    f"{y}: whole {w}, areas + unplaced {a}, accepted rows {r}"
                    for y, w, a, r in mismatched
                ]
            },
        )
        themes = con.execute(
            """SELECT t.area_id, t.year, sum(t.crime_count), any_value(a.crime_count)
               FROM main.area_theme_year AS t JOIN main.area_year AS a USING (area_id, year)
               GROUP BY t.area_id, t.year
               HAVING sum(t.crime_count) <> any_value(a.crime_count)
               ORDER BY 1, 2 LIMIT 10"""
        ).fetchall()
        yield dg.AssetCheckResult(
            asset_key=mart_key("area_theme_year"),
            check_name="themes_reconcile",
            passed=not themes,
            metadata={"mismatches": [f"{a} {y}: themes {t}, total {n}" for a, y, t, n in themes]},
        )


MART_CHECKS = (mart_checks,)
