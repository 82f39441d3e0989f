"""The report for year Y changes only when data for years ≤ Y change.

Three builds of one copy of the sample, run side by side in subprocesses (each is a whole
Dagster `build` run): unchanged, with deliveries for later years added, and with a single
2023 count changed. The report for 2024 rendered from each changed copy is compared byte for
byte with the one from the unchanged copy, all with the same produced date.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.marts.conftest import REPO, SAMPLE_RAW
from tests.report.conftest import EPOCH, render

YEAR = 2024

_BUILD = """
import sys
from pathlib import Path
from tests.marts.conftest import run_build
build = run_build(Path(sys.argv[1]), Path(sys.argv[2]))
sys.exit(0 if build.result.success else 1)
"""


def _later_data(raw: Path) -> None:
    """Deliveries for 2026–2027 (crimes, population, referrals, area teams)."""
    crimes = (raw / "brott" / "brott_2026.csv").read_text(encoding="utf-8")
    (raw / "brott" / "brott_2027.csv").write_text(
        crimes.replace(";2026-", ";2027-"), encoding="utf-8"
    )
    population = (raw / "befolkning" / "befolkning_2025.csv").read_text(encoding="utf-8")
    (raw / "befolkning" / "befolkning_2026.csv").write_text(
        population.replace(";2025;", ";2026;"), encoding="utf-8"
    )
    referrals = (raw / "orosanmalningar" / "orosanmalningar_2026.csv").read_text(encoding="utf-8")
    (raw / "orosanmalningar" / "orosanmalningar_2027.csv").write_text(
        referrals.replace(";2026-", ";2027-"), encoding="utf-8"
    )
    teams = (raw / "omradesteam" / "omradesteam_2026.csv").read_text(encoding="utf-8")
    (raw / "omradesteam" / "omradesteam_2027.csv").write_text(
        teams.replace(";2026-VT;", ";2027-VT;"), encoding="utf-8"
    )


def _changed_2023(raw: Path) -> None:
    """One count of 2023 changed (the first data row gets 9 more crimes)."""
    path = raw / "brott" / "brott_2023.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].rstrip("\r\n").split(";")
    assert fields[1].startswith("2023-")
    fields[-1] = str(int(fields[-1]) + 9)
    lines[1] = ";".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def _unchanged(raw: Path) -> None:
    pass


def _built_from(db: Path, raw: Path) -> bool:
    """Whether the published marts were built from exactly these raw files (by sha256)."""
    from assets.database import connect

    con = connect(db, read_only=True)
    try:
        logged = {
            (s, f): h
            for s, f, h in con.execute(
                "SELECT source, file, sha256 FROM main.load_log WHERE sha256 IS NOT NULL"
            ).fetchall()
        }
    finally:
        con.close()
    files = {
        (p.parent.name, p.name): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in raw.glob("*/*")
        if p.is_file()
    }
    return files == logged


@pytest.fixture(scope="module")
def variants(sample_db, tmp_path_factory) -> dict[str, Path]:
    """The published marts of the sample and of two changed copies, built in parallel.

    All start from one copy of the sample; the session's sample build is the base when it
    was built from the same files (else the copy is built too), so a change to data/raw
    while the tests run cannot make them differ.
    """
    root = tmp_path_factory.mktemp("isolation")
    sample = root / "sample"
    shutil.copytree(SAMPLE_RAW, sample)
    changes = [("later", _later_data), ("changed", _changed_2023)]
    reuse = _built_from(sample_db, sample)
    if not reuse:
        changes.insert(0, ("base", _unchanged))
    jobs = {}
    for name, change in changes:
        raw = root / name / "raw"
        shutil.copytree(sample, raw)
        change(raw)
        marts = root / name / "marts"
        log = (root / f"{name}.log").open("w")
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
        env.pop("DAGSTER_HOME", None)
        jobs[name] = (
            subprocess.Popen(
                [sys.executable, "-c", _BUILD, str(raw), str(marts)],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            ),
            marts,
            root / f"{name}.log",
        )
    out = {}
    for name, (process, marts, log) in jobs.items():
        code = process.wait(timeout=900)
        assert code == 0, f"the {name} build failed:\n{log.read_text()[-3000:]}"
        out[name] = marts / "lagesbild.duckdb"
    if reuse:
        out["base"] = sample_db
    return out


@pytest.fixture(scope="module")
def base_report(variants, tmp_path_factory):
    # Where the public files are published is a setting; a fixed one keeps the links equal
    # (by default they point at each build's own marts folder, which differs here).
    return render(variants["base"], tmp_path_factory.mktemp("base"), YEAR, open_data_url=URL)


URL = "https://kommun.example/lagesbild/data/"


def test_later_data_leave_the_report_byte_identical(base_report, variants, tmp_path):
    from assets.report.data import complete_years

    later = render(variants["later"], tmp_path, YEAR, open_data_url=URL)
    # The later build really has more: another complete year.
    assert max(complete_years(variants["later"])) > max(complete_years(base_report.db))
    a, b = later.path.read_bytes(), base_report.path.read_bytes()
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
    where = (
        ""
        if at is None
        else f" at byte {at}: {a[at - 150 : at + 80]!r} vs {b[at - 150 : at + 80]!r}"
    )
    assert a == b, f"the report changed{where}"


def test_a_changed_earlier_count_changes_the_report(base_report, variants, tmp_path):
    changed = render(variants["changed"], tmp_path, YEAR, open_data_url=URL)
    assert changed.path.read_bytes() != base_report.path.read_bytes()


def test_the_produced_date_comes_from_source_date_epoch(sample_db, tmp_path, monkeypatch):
    from assets.report.render import produced_date, render_report

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert produced_date().isoformat() == "2026-01-01"
    first = render_report(sample_db, tmp_path / "a", YEAR).path.read_bytes()
    second = render_report(sample_db, tmp_path / "b", YEAR).path.read_bytes()
    assert first == second
    assert b"<dd>2026-01-01</dd>" in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400 * 40))
    assert render_report(sample_db, tmp_path / "c", YEAR).path.read_bytes() != first
