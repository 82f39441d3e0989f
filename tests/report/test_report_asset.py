"""The Dagster asset: one partition a year, written atomically, the path in its metadata."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from tests.report.conftest import EPOCH


def _run_report(marts_dir: Path, reports_dir: Path, year: int):
    from pipelines.definitions import build_definitions
    from pipelines.resources import settings_from_env

    settings = settings_from_env(
        {"raw_dir": "data/raw", "marts_dir": str(marts_dir), "reports_dir": str(reports_dir)},
        environ={},
    )
    job = build_definitions(settings).resolve_job_def("report")
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=str(year),
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )


@pytest.fixture(scope="module")
def marts_copy(sample_db, tmp_path_factory) -> Path:
    """The published database alone, in a marts folder of its own."""
    marts = tmp_path_factory.mktemp("asset") / "marts"
    marts.mkdir()
    shutil.copy(sample_db, marts / "lagesbild.duckdb")
    return marts


def test_the_report_job_writes_the_year_and_reports_its_path(
    marts_copy, report_year, tmp_path, monkeypatch
):
    from assets.report.assets import REPORT_KEY

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reports = tmp_path / "reports"
    result = _run_report(marts_copy, reports, report_year)
    assert result.success
    [materialization] = [
        m for m in result.asset_materializations_for_node("report__lagesbild")
    ] or [None]
    assert materialization is not None and materialization.asset_key == REPORT_KEY
    metadata = materialization.metadata
    path = Path(metadata["report"].value)
    assert path == reports / f"lagesbild-{report_year}.html"
    assert path.exists() and metadata["size_bytes"].value == path.stat().st_size
    assert metadata["render_seconds"].value > 0
    # The PDF for the meeting papers beside it (where Chromium is installed).
    pdf = Path(metadata["pdf"].value)
    assert pdf == path.with_suffix(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"
    # Both written under a temporary name and renamed: nothing else is left in the folder.
    assert sorted(p.name for p in reports.iterdir()) == sorted([path.name, pdf.name])


def test_an_incomplete_year_fails_with_a_clear_message(marts_copy, tmp_path):
    from assets.report.data import complete_years

    years = complete_years(marts_copy / "lagesbild.duckdb")
    # A partition (2010 onwards) with no complete year of data behind it.
    incomplete = max(years[0] - 1, 2010)
    assert incomplete not in years
    result = _run_report(marts_copy, tmp_path / "reports", incomplete)
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    message = failures[0].step_failure_data.error.message
    assert str(incomplete) in message and "complete year" in message
    assert not (tmp_path / "reports" / f"lagesbild-{incomplete}.html").exists()
