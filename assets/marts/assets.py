"""Dagster assets of the marts layer, grouped by domain, and the atomic publication.

Each domain is one step (one multi-asset) that shows every table it builds as its own asset
in the UI, with row counts and documented columns.
"""

from collections.abc import Callable, Iterator, Sequence

import dagster as dg
import duckdb

from assets.database import WorkDatabase
from assets.ingest.assets import staging_key
from assets.marts import build
from assets.marts.lineage import build_lineage
from assets.marts.runner import docs, finalize_table, table_metadata
from assets.settings import LagesbildSettings

GROUP = "marts"


def mart_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])


def _domain(
    name: str,
    tables: Sequence[str],
    deps: Sequence[dg.AssetKey],
    builder: Callable[[duckdb.DuckDBPyConnection, LagesbildSettings], Sequence[str]],
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=name,
        specs=[
            dg.AssetSpec(
                mart_key(table),
                deps=deps,
                group_name=GROUP,
                kinds={"duckdb"},
                description=docs()[table]["description"],
            )
            for table in tables
        ],
    )
    def _build(settings: LagesbildSettings, duckdb: WorkDatabase) -> Iterator[dg.MaterializeResult]:
        with duckdb.get_connection() as con:
            built = builder(con, settings)
            for table in built:
                finalize_table(con, table)
                yield dg.MaterializeResult(
                    asset_key=mart_key(table), metadata=table_metadata(con, table)
                )

    return _build


area_marts = _domain(
    "area_marts",
    build.AREA_TABLES,
    [staging_key("area"), staging_key("reference_lists"), staging_key("area_team")],
    lambda con, settings: build.build_area_marts(con, settings.build_dir / "cache"),
)
crime_marts = _domain(
    "crime_marts",
    build.CRIME_TABLES,
    [
        staging_key("crime"),
        staging_key("population"),
        staging_key("referral"),
        mart_key("area"),
        mart_key("area_geometry"),
        mart_key("theme"),
        mart_key("crime_category"),
    ],
    lambda con, settings: build.build_crime_marts(
        con, hotspot_permutations=settings.hotspot_permutations
    ),
)
referral_marts = _domain(
    "referral_marts",
    build.REFERRAL_TABLES,
    [staging_key("referral"), mart_key("area")],
    lambda con, settings: build.build_referral_marts(con),
)
area_team_marts = _domain(
    "area_team_marts",
    build.AREA_TEAM_TABLES,
    [staging_key("area_team"), mart_key("area")],
    lambda con, settings: build.build_area_team_marts(con),
)
survey_marts = _domain(
    "survey_marts",
    build.SURVEY_TABLES,
    [staging_key("survey"), mart_key("area")],
    lambda con, settings: build.build_survey_marts(con),
)
priority_marts = _domain(
    "priority_marts",
    build.PRIORITY_TABLES,
    [
        mart_key("area_theme_year"),
        mart_key("area_year"),
        mart_key("municipality_theme_year"),
        mart_key("area_team_report"),
    ],
    lambda con, settings: build.build_priority_marts(con),
)

DOMAIN_ASSETS = (
    area_marts,
    crime_marts,
    referral_marts,
    area_team_marts,
    survey_marts,
    priority_marts,
)

#: Every table of the published database, in the order researchers meet them in the docs.
PUBLISHED_TABLES: tuple[str, ...] = (
    *build.AREA_TABLES,
    *build.CRIME_TABLES,
    *build.REFERRAL_TABLES,
    *build.AREA_TEAM_TABLES,
    *build.SURVEY_TABLES,
    *build.PRIORITY_TABLES,
    "quarantine",
    "load_log",
    "run_info",
    "lineage",
)


@dg.multi_asset(
    name="lineage_marts",
    specs=[
        dg.AssetSpec(
            mart_key(table),
            deps=[*(mart_key(t) for t in PUBLISHED_TABLES if t not in ("run_info", "lineage"))],
            group_name=GROUP,
            kinds={"duckdb"},
            description=docs()[table]["description"],
        )
        for table in ("run_info", "lineage")
    ],
)
def lineage_marts(
    context: dg.AssetExecutionContext, settings: LagesbildSettings, duckdb: WorkDatabase
) -> Iterator[dg.MaterializeResult]:
    with duckdb.get_connection() as con:
        build_lineage(con, run_id=context.run_id, raw_dir=settings.raw_dir)
        for table in ("quarantine", "load_log", "run_info", "lineage"):
            finalize_table(con, table)
        for table in ("run_info", "lineage"):
            yield dg.MaterializeResult(
                asset_key=mart_key(table), metadata=table_metadata(con, table)
            )


MART_ASSETS = (*DOMAIN_ASSETS, lineage_marts)
