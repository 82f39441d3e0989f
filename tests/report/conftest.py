"""Fixtures for the report tests: the sample municipality's report, rendered once per session.

The sample is built once per session by ``tests.marts.conftest.sample_build`` (shared with the
marts and public tests); the report for its latest complete year is rendered from the
published marts with a fixed produced date, so it is reproducible.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.marts.conftest import REPO, SAMPLE_RAW, Build, run_build, sample_build  # noqa: F401
from tests.report.html_tree import Element, parse

#: 2026-01-01T00:00:00Z: the produced date of every report rendered by the tests.
EPOCH = "1767225600"
PRODUCED = date(2026, 1, 1)
ARTIFACTS = REPO / "test-artifacts"


@dataclass
class Rendered:
    year: int
    path: Path
    html: str
    tree: Element
    db: Path
    marts_dir: Path
    seconds: float

    def public(self, sql: str, params: list | None = None) -> list[dict]:
        from assets.database import connect

        con = connect(self.db, read_only=True)
        try:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()


def render(db: Path, reports_dir: Path, year: int) -> Rendered:
    from assets.ingest.texts import read_texts
    from assets.report.render import render_report

    # The sample's own texts (data/raw/texter), as the pipeline passes them.
    own = read_texts(SAMPLE_RAW).markdown()
    result = render_report(db, reports_dir, year, produced=PRODUCED, own_texts=own)
    html = result.path.read_text(encoding="utf-8")
    return Rendered(
        year=year,
        path=result.path,
        html=html,
        tree=parse(html),
        db=db,
        marts_dir=db.parent,
        seconds=result.render_seconds,
    )


#: Developer shortcut: point the report tests at an already published sample marts file
#: (e.g. from `python /tmp/smoke2.py data/raw /tmp/m`) instead of building one.
DB_ENV = "LAGESBILD_REPORT_TEST_DB"


@pytest.fixture(scope="session")
def sample_db(request) -> Path:
    if os.environ.get(DB_ENV):
        return Path(os.environ[DB_ENV])
    return request.getfixturevalue("sample_build").db


@pytest.fixture(scope="session")
def report_year(sample_db: Path) -> int:
    from assets.report.data import complete_years

    return complete_years(sample_db)[-1]


@pytest.fixture(scope="session")
def report(sample_db: Path, report_year: int, tmp_path_factory) -> Rendered:
    """The sample's report for its latest complete year."""
    return render(sample_db, tmp_path_factory.mktemp("reports"), report_year)


@pytest.fixture(scope="session")
def source_date_epoch():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield EPOCH


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def visible_text(tree: Element) -> str:
    body = tree.find("body")
    assert body is not None
    return body.text(visible=True)


__all__ = ["EPOCH", "PRODUCED", "Rendered", "os", "render", "run_build", "visible_text"]
