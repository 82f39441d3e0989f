"""Dagster asset of the yearly lägesbild: ``reports/lagesbild-<year>.html``, a partition a year."""

import dagster as dg

from assets.partitions import YEARLY
from assets.publication import PUBLICATION_KEY
from assets.report.data import ReportYearError
from assets.report.render import render_report
from assets.settings import LagesbildSettings

REPORT_KEY = dg.AssetKey(["report", "lagesbild"])


@dg.asset(
    key=REPORT_KEY,
    group_name="report",
    partitions_def=YEARLY,
    deps=[PUBLICATION_KEY],
    kinds={"html"},
    description="The yearly lägesbild for the council: a self-contained Swedish HTML report "
    "(reports/lagesbild-<year>.html) rendered from the published, disclosure-controlled "
    "public tables, using only data for years up to the partition's year.",
)
def report(context: dg.AssetExecutionContext, settings: LagesbildSettings) -> dg.MaterializeResult:
    year = int(context.partition_key)
    database = settings.published_db_path
    if not database.exists():
        raise dg.Failure(
            description=f"Inga publicerade data / no published marts at {database}: "
            "run the build job first."
        )
    try:
        result = render_report(
            database,
            settings.reports_path,
            year,
            crime_suppress_below=settings.crime_suppress_below,
            referral_suppress_below=settings.referral_suppress_below,
            pct_min_count=settings.pct_min_count,
            survey_min_respondents=settings.survey_min_respondents,
        )
    except ReportYearError as exc:
        raise dg.Failure(description=str(exc)) from None
    context.log.info(
        f"wrote {result.path} ({result.size_bytes:,} bytes, {result.charts} charts, "
        f"{result.render_seconds:.1f} s)"
    )
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(result.path)),
            "size_bytes": dg.MetadataValue.int(result.size_bytes),
            "render_seconds": dg.MetadataValue.float(round(result.render_seconds, 2)),
            "charts": dg.MetadataValue.int(result.charts),
            "areas_on_map": dg.MetadataValue.int(result.areas_on_map),
        }
    )


REPORT_ASSETS = (report,)
