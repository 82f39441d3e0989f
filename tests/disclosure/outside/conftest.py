"""Published folders for the outside attacker: the sample, planted raw folders, Sweden."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.marts.conftest import REPO, run_build, sample_build  # noqa: F401  (fixtures)
from tests.report.conftest import report, report_year, sample_db  # noqa: F401  (fixtures)

SWEDEN = REPO.parent / "shared" / "realdata" / "sweden"


@dataclass
class Published:
    """A published folder, its report and the unsuppressed marts (for checking only)."""

    public: Path
    report: Path | None
    db: Path

    def copy(self, into: Path) -> Published:
        """A copy of the published CSVs and report, to undo one protection in."""
        public = into / "public"
        public.mkdir(parents=True)
        for path in self.public.glob("*.csv"):
            shutil.copyfile(path, public / path.name)
        html = None
        if self.report is not None:
            html = into / self.report.name
            shutil.copyfile(self.report, html)
        return Published(public, html, self.db)


def render_report(db: Path, into: Path) -> Path | None:
    from assets.report.data import complete_years
    from tests.report.conftest import render

    years = complete_years(db)
    return render(db, into, years[-1]).path if years else None


@pytest.fixture(scope="session")
def sample_published(sample_build, report) -> Published:  # noqa: F811
    return Published(sample_build.settings.marts_path / "public", report.path, sample_build.db)


@pytest.fixture(scope="session")
def sweden_published(tmp_path_factory) -> Published:
    if not SWEDEN.is_dir():
        pytest.skip(f"no real data at {SWEDEN}")
    marts = tmp_path_factory.mktemp("sweden") / "marts"
    build = run_build(SWEDEN, marts)
    assert build.result.success, "the Sweden build failed"
    html = render_report(build.db, tmp_path_factory.mktemp("sweden_report"))
    return Published(build.settings.marts_path / "public", html, build.db)
