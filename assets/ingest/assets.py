"""Dagster assets of the ingest layer: one per raw source, plus quarantine and load_log."""

import datetime as dt
from collections.abc import Callable, Sequence

import dagster as dg

from assets.database import WorkDatabase, fetch_one
from assets.ingest.area_team import AreaTeamLoader
from assets.ingest.areas import AreaLoader
from assets.ingest.crime import CrimeLoader
from assets.ingest.loader import SourceLoad
from assets.ingest.population import PopulationLoader
from assets.ingest.reference import load_reference_lists
from assets.ingest.referrals import ReferralLoader
from assets.ingest.screening import screen_text
from assets.ingest.survey import SurveyLoader
from assets.settings import LagesbildSettings

GROUP = "ingest"

#: Staging tables, and the per-source tables behind quarantine and load_log.
STAGING_TABLES = (
    "theme",
    "crime_category",
    "survey_question",
    "area",
    "population",
    "crime",
    "referral",
    "area_team",
    "survey",
)


def staging_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["staging", name])


def source_metadata(result: SourceLoad) -> dict[str, object]:
    """What the UI shows for a load, and what the CLI prints as the run summary."""
    metadata: dict[str, object] = {
        "source": result.source,
        "summary": result.summary_line(),
        "files_read": len(result.files),
        "rows_accepted": result.total("rows_accepted"),
        "rows_quarantined": result.total("rows_quarantined"),
        "rows_superseded": result.total("rows_superseded"),
        "rows_suppressed_at_source": result.total("rows_suppressed_at_source"),
    }
    if result.files:
        lines = [
            "| file | status | read | accepted | quarantined | superseded | encoding |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for f in result.files:
            lines.append(
                f"| {screen_text(f.raw.name)[0]} | {f.status} | {f.rows_read} | {f.rows_accepted} "
                f"| {f.rows_quarantined} | {f.rows_superseded} "
                f"| {f.raw.encoding or f.raw.file_format} |"
            )
        metadata["files"] = dg.MetadataValue.md("\n".join(lines))
    rejected = [
        f"{screen_text(f.raw.name)[0]}: {f.rejection.reason}: {screen_text(f.rejection.detail)[0]}"
        for f in result.files
        if f.rejection is not None
    ]
    if rejected:
        metadata["files_rejected"] = dg.MetadataValue.md("\n".join(f"- {r}" for r in rejected))
    if result.ignored:
        metadata["files_ignored"] = ", ".join(screen_text(p.name)[0] for p in result.ignored)
    if result.notes:
        metadata["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in result.notes))
    return metadata


def _log(context: dg.AssetExecutionContext, result: SourceLoad) -> None:
    context.log.info(result.summary_line())
    for f in result.files:
        if f.rejection is not None:
            context.log.warning(
                f"{result.source}/{screen_text(f.raw.name)[0]} rejected "
                f"({f.rejection.reason}): {screen_text(f.rejection.detail)[0]}"
            )


def _source_asset(
    name: str,
    loader: Callable[..., object],
    *,
    deps: Sequence[str],
    description: str,
) -> dg.AssetsDefinition:
    """An asset that loads one raw source into staging.<name> (see loader.py)."""

    @dg.asset(
        key=staging_key(name),
        group_name=GROUP,
        deps=[staging_key(d) for d in deps],
        kinds={"duckdb"},
        description=description,
    )
    def _load(
        context: dg.AssetExecutionContext, settings: LagesbildSettings, duckdb: WorkDatabase
    ) -> dg.MaterializeResult:
        with duckdb.get_connection() as con:
            result = loader(
                con,
                raw_dir=settings.raw_path,
                build_dir=settings.build_dir,
                run_id=context.run_id,
                loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                **(
                    {"max_text_chars": settings.observation_max_chars}
                    if name == "area_team"
                    else {}
                ),
            ).run()
        _log(context, result)
        return dg.MaterializeResult(metadata=source_metadata(result))

    return _load


@dg.asset(
    key=staging_key("reference_lists"),
    group_name=GROUP,
    kinds={"duckdb"},
    description="referens/: crime categories → themes and signal crimes, and the theme list "
    "(the raw folder's own lists, or the project's defaults).",
)
def reference_lists(
    context: dg.AssetExecutionContext, settings: LagesbildSettings, duckdb: WorkDatabase
) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        result = load_reference_lists(
            con,
            raw_dir=settings.raw_path,
            build_dir=settings.build_dir,
            run_id=context.run_id,
            loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
    _log(context, result)
    return dg.MaterializeResult(metadata=source_metadata(result))


area = _source_asset(
    "area",
    AreaLoader,
    deps=[],
    description="omraden/: the areas, with geometry reprojected to EPSG:4326 when delivered.",
)
population = _source_asset(
    "population",
    PopulationLoader,
    deps=["area"],
    description="befolkning/: population by area, year, age band and sex.",
)
crime = _source_asset(
    "crime",
    CrimeLoader,
    deps=["area", "reference_lists"],
    description="brott/: reported crimes per area, month (or year) and category, with theme.",
)
referral = _source_asset(
    "referral",
    ReferralLoader,
    deps=["area"],
    description="orosanmalningar/: orosanmälningar and SIG referrals about children and youth.",
)
area_team = _source_asset(
    "area_team",
    AreaTeamLoader,
    deps=["area", "reference_lists"],
    description="omradesteam/: area-team assessments (1–5), free text screened for personal data.",
)

survey = _source_asset(
    "survey",
    SurveyLoader,
    deps=["area", "reference_lists"],
    description="trygghet/: survey shares per area (or kommun), year, question and sex.",
)

SOURCE_ASSETS = (reference_lists, area, population, crime, referral, area_team, survey)


@dg.asset(
    key=dg.AssetKey(["marts", "quarantine"]),
    group_name=GROUP,
    deps=[a.key for a in SOURCE_ASSETS],
    kinds={"duckdb"},
    description="Every rejected row or file, with its reason, the column, a detail message and "
    "the original values (screened for personal data).",
)
def quarantine(duckdb: WorkDatabase) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        _union(con, "main.quarantine", "quarantine")
        counts = con.execute(
            "SELECT reason, count(*) FROM main.quarantine GROUP BY reason ORDER BY 2 DESC"
        ).fetchall()
    return dg.MaterializeResult(
        metadata={
            "rows": sum(n for _, n in counts),
            "by_reason": dg.MetadataValue.json({reason: n for reason, n in counts}),
        }
    )


@dg.asset(
    key=dg.AssetKey(["marts", "load_log"]),
    group_name=GROUP,
    deps=[a.key for a in SOURCE_ASSETS],
    kinds={"duckdb"},
    description="One row per delivered file (or per source not delivered) of this run: sha256, "
    "encoding, and rows read, accepted, quarantined, superseded and suppressed at source.",
)
def load_log(duckdb: WorkDatabase) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        _union(con, "main.load_log", "load_log")
        files = fetch_one(con, "SELECT count(*) FROM main.load_log WHERE file IS NOT NULL")
    return dg.MaterializeResult(metadata={"files": int(files[0])})


def _union(con, target: str, suffix: str) -> None:
    parts = " UNION ALL BY NAME ".join(
        f"SELECT * FROM ingest.{table}_{suffix}" for table in STAGING_TABLES
    )
    con.execute(f"CREATE OR REPLACE TABLE {target} AS {parts}")


INGEST_ASSETS = (*SOURCE_ASSETS, quarantine, load_log)
