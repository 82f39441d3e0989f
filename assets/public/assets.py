"""Dagster asset of the public (disclosure-controlled) tables."""

from collections.abc import Iterator

import dagster as dg

from assets.database import WorkDatabase, fetch_one
from assets.marts.assets import PUBLISHED_TABLES, mart_key
from assets.public.build import COUNT_TABLES, PLAIN_TABLES, build_public
from assets.settings import LagesbildSettings

GROUP = "public"
PUBLIC_TABLES = (*(t.name for t in COUNT_TABLES), "priority", "area_survey_year", *PLAIN_TABLES)


def public_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["public", table])


@dg.multi_asset(
    name="public_tables",
    specs=[
        dg.AssetSpec(
            public_key(table),
            deps=[mart_key(t) for t in PUBLISHED_TABLES],
            group_name=GROUP,
            kinds={"duckdb"},
            description=f"public.{table}: what the report shows, with small counts suppressed "
            "(statistics.md, disclosure control).",
        )
        for table in PUBLIC_TABLES
    ],
)
def public_tables(
    settings: LagesbildSettings, duckdb: WorkDatabase
) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as con:
        tables = build_public(
            con,
            crime_min=settings.crime_suppress_below,
            referral_min=settings.referral_suppress_below,
            survey_min=settings.survey_min_respondents,
        )
        for table, frame in tables.items():
            flags = [c for c in frame.columns if c.endswith("_suppressed")]
            suppressed = {c: int(frame[c].sum()) for c in flags if not c.startswith("_")}
            rows = fetch_one(con, f"SELECT count(*) FROM public.{table}")[0]
            yield dg.MaterializeResult(
                asset_key=public_key(table),
                metadata={
                    "dagster/row_count": int(rows),
                    "suppressed": dg.MetadataValue.json(suppressed),
                },
            )


PUBLIC_ASSETS = (public_tables,)
