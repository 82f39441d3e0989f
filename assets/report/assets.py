"""Dagster asset of the yearly lägesbild: ``reports/lagesbild-<year>.html``, a partition a year."""

import dagster as dg

from assets.ingest.texts import read_texts
from assets.partitions import YEARLY
from assets.publication import PUBLICATION_KEY
from assets.report.data import ReportYearError
from assets.report.pdf import pdf_path, write_pdf
from assets.report.render import render_report
from assets.settings import LagesbildSettings

REPORT_KEY = dg.AssetKey(["report", "lagesbild"])


@dg.asset(
    key=REPORT_KEY,
    group_name="report",
    partitions_def=YEARLY,
    deps=[PUBLICATION_KEY],
    kinds={"html", "pdf"},
    description="The yearly lägesbild for the council: a self-contained Swedish HTML report "
    "(reports/lagesbild-<year>.html) rendered from the published, disclosure-controlled "
    "public tables, using only data for years up to the partition's year, and the same "
    "report printed by Chromium as reports/lagesbild-<year>.pdf for the meeting papers.",
)
def report(context: dg.AssetExecutionContext, settings: LagesbildSettings) -> dg.MaterializeResult:
    year = int(context.partition_key)
    database = settings.published_db_path
    if not database.exists():
        raise dg.Failure(
            description=f"Inga publicerade data / no published marts at {database}: "
            "run the build job first."
        )
    # The municipality's own text (raw/texter/*.md), screened; each problem names its file.
    own = read_texts(settings.raw_path)
    warnings = list(own.messages)
    try:
        result = render_report(
            database,
            settings.reports_path,
            year,
            crime_suppress_below=settings.crime_suppress_below,
            referral_suppress_below=settings.referral_suppress_below,
            pct_min_count=settings.pct_min_count,
            own_texts=own.markdown(),
            open_data_url=settings.open_data_url,
            next_report=settings.next_report,
            survey_min_respondents=settings.survey_min_respondents,
        )
    except ReportYearError as exc:
        raise dg.Failure(description=str(exc)) from None
    context.log.info(
        f"wrote {result.path} ({result.size_bytes:,} bytes, {result.charts} charts, "
        f"{result.render_seconds:.1f} s)"
    )
    metadata = {
        "report": dg.MetadataValue.path(str(result.path)),
        "size_bytes": dg.MetadataValue.int(result.size_bytes),
        "render_seconds": dg.MetadataValue.float(round(result.render_seconds, 2)),
        "charts": dg.MetadataValue.int(result.charts),
        "areas_on_map": dg.MetadataValue.int(result.areas_on_map),
    }
    # The PDF is a copy for the meeting papers: without Chromium the HTML is still the report,
    # so a missing browser is a warning (the CLI prints it), never a failed run.
    pdf = write_pdf(result.path, pdf_path(settings.reports_path, year), settings.chromium_path)
    if pdf.path is not None:
        context.log.info(f"wrote {pdf.path} ({pdf.seconds:.1f} s)")
        metadata["pdf"] = dg.MetadataValue.path(str(pdf.path))
        metadata["pdf_seconds"] = dg.MetadataValue.float(round(pdf.seconds, 2))
    else:
        warnings.append(pdf.warning or "no PDF written")
    for line in warnings:
        context.log.warning(line)
    if warnings:
        metadata["warnings"] = dg.MetadataValue.json(warnings)
    return dg.MaterializeResult(metadata=metadata)


REPORT_ASSETS = (report,)
