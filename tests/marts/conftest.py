"""Fixtures for the marts tests: the sample municipality built once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_RAW = REPO / "data" / "raw"


@dataclass
class Build:
    settings: object
    result: object

    @property
    def db(self) -> Path:
        return self.settings.published_db_path


def run_build(raw_dir: Path, marts_dir: Path, **overrides) -> Build:
    """Run the Dagster `build` job in-process, as the CLI does."""
    import dagster as dg

    from pipelines.definitions import build_definitions
    from pipelines.resources import settings_from_env

    settings = settings_from_env(
        {
            "raw_dir": str(raw_dir),
            "marts_dir": str(marts_dir),
            "reports_dir": str(marts_dir.parent / "reports"),
            **overrides,
        },
        environ={},
    )
    result = (
        build_definitions(settings)
        .resolve_job_def("build")
        .execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
    )
    return Build(settings=settings, result=result)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = run_build(SAMPLE_RAW, tmp_path_factory.mktemp("sample") / "marts")
    assert build.result.success, "the sample build failed"
    return build


@pytest.fixture()
def marts(sample_build: Build):
    """A read-only connection to the published sample marts."""
    from assets.database import connect

    con = connect(sample_build.db, read_only=True)
    yield con
    con.close()
