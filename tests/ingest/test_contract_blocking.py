"""Data contract §2.7 "What blocks", §1 (previous marts stay untouched), §2.6 (default
reference lists), and the accounting check itself.

- A read file with more than max_quarantine_share (50 %) of its rows quarantined blocks;
  exactly 50 % does not.
- A required source (brott, omraden) with no accepted rows blocks.
- A blocked run publishes nothing: no lagesbild.duckdb is created, an existing one is untouched.
"""

from __future__ import annotations

import duckdb
import pytest

from assets.checks.ingest_checks import accounting_problems
from assets.ingest.reference import DEFAULTS_DIR as DEFAULTS

HEADER = "omrade_id;manad;brottskategori;antal\n"
# 3 of 5 rows quarantined: 60 % > 50 %.
BAD = HEADER + (
    "A1;2023-01;Misshandel;1\nA2;2023-01;Misshandel;x\nA3;2023-01;Misshandel;-2\n"
    "A1;2023-02;Misshandel;y\nA2;2023-02;Misshandel;2\n"
)
# 2 of 4 rows quarantined: exactly 50 %, not more.
HALF = HEADER + (
    "A1;2023-03;Stöld;1\nA2;2023-03;Stöld;z\nA3;2023-03;Stöld;1\nA1;2023-04;Stöld;-1\n"
)
SENTINEL = b"the previous marts: must stay untouched"


def _snapshot(path):
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.fixture(scope="module")
def share_run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("block_share")
    raw = write_raw(root / "raw", base_files(**{"brott/bad.csv": BAD, "brott/half.csv": HALF}))
    published = root / "marts" / "lagesbild.duckdb"
    published.parent.mkdir(parents=True)
    published.write_bytes(SENTINEL)
    before = _snapshot(published)
    build = build_raw(raw, root / "marts")
    assert not build.errors(), build.errors()
    return build, before


@pytest.fixture(scope="module")
def no_brott_run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("block_no_brott")
    files = base_files(
        **{
            "brott/brott.csv": None,
            "referens/brottskategorier.csv": None,
            "referens/teman.csv": None,
        }
    )
    build = build_raw(write_raw(root / "raw", files), root / "marts")
    assert not build.errors(), build.errors()
    return build


@pytest.fixture(scope="module")
def no_areas_run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("block_no_areas")
    files = base_files(**{"omraden/omraden.csv": b"\x00\x00binary\x00"})
    build = build_raw(write_raw(root / "raw", files), root / "marts")
    assert not build.errors(), build.errors()
    return build


def test_more_than_half_quarantined_blocks(share_run, assert_accounting):
    run, _ = share_run
    assert_accounting(run)
    assert not run.result.success
    check = run.check("staging/crime", "quarantine_share")
    assert not check.passed
    assert check.severity.value == "ERROR"
    assert check.metadata["files"].value == ["bad.csv: 3 of 5 rows quarantined (60% > 50%)"]
    assert run.failed_checks() >= {("staging/crime", "quarantine_share")}
    log = run.log_row("brott", "bad.csv")
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (5, 2, 3)
    # Exactly 50 % is not "more than" the share: half.csv is not named.
    half = run.log_row("brott", "half.csv")
    assert (half["rows_read"], half["rows_quarantined"]) == (4, 2)


def test_blocked_run_leaves_the_previous_marts_untouched(share_run):
    run, before = share_run
    assert _snapshot(run.published) == before
    assert sorted(p.name for p in run.marts_dir.iterdir()) == [".build", "lagesbild.duckdb"]
    # Nothing after the blocking check ran: no mart was built.
    assert not run.has_table("main", "area_year")


def test_required_brott_missing_blocks(no_brott_run, assert_accounting):
    run = no_brott_run
    assert_accounting(run)
    assert not run.result.success
    check = run.check("staging/crime", "has_accepted_rows")
    assert (check.passed, check.severity.value) == (False, "ERROR")
    assert check.metadata["rows_accepted"].value == 0
    (log,) = run.load_log("brott")
    assert (log["status"], log["file"], log["rows_read"]) == ("not_delivered", None, 0)
    assert "brott            not delivered" in run.summaries()
    assert not run.published.exists()
    assert not run.has_table("main", "area_year")


def test_without_referens_the_default_lists_are_used(no_brott_run):
    logs = no_brott_run.load_log("referens")
    assert sorted((r["file"], r["status"]) for r in logs) == [
        ("brottskategorier.csv", "default"),
        ("teman.csv", "default"),
        ("trygghetsfragor.csv", "default"),
    ]
    logs = [r for r in logs if r["file"] == "teman.csv"]
    assert logs[0]["notes"] == "the project's default list (no referens/teman.csv delivered)"
    shipped = (DEFAULTS / "brottskategorier.csv").read_text(encoding="utf-8").splitlines()
    assert no_brott_run.scalar("SELECT count(*) FROM staging.crime_category") == len(shipped) - 1
    assert no_brott_run.check("staging/reference_lists", "accounting").passed


def test_required_omraden_without_accepted_rows_blocks(no_areas_run, assert_accounting):
    run = no_areas_run
    assert_accounting(run)
    assert not run.result.success
    check = run.check("staging/area", "has_accepted_rows")
    assert (check.passed, check.severity.value) == (False, "ERROR")
    (q,) = run.quarantine("omraden")
    assert (q["file"], q["reason"], q["row_number"]) == ("omraden.csv", "file_unreadable", None)
    # Rejected files don't count towards the quarantine share; the block is for no areas.
    assert run.check("staging/area", "quarantine_share").passed
    # The sources that are checked against the areas never loaded.
    assert run.check("staging/crime", "has_accepted_rows") is None
    assert not run.published.exists()


def test_accounting_check_names_a_file_that_does_not_add_up():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA ingest; CREATE SCHEMA staging")
    con.execute("CREATE TABLE staging.crime AS SELECT 1::INTEGER AS file_ord FROM range(3)")
    con.execute(
        "CREATE TABLE ingest.crime_quarantine AS SELECT 'a.csv' AS file, 4::BIGINT AS row_number"
    )
    con.execute(
        "CREATE TABLE ingest.crime_superseded AS "
        "SELECT 'a.csv' AS file, 5::BIGINT AS row_number WHERE false"
    )
    con.execute(
        """CREATE TABLE ingest.crime_load_log AS SELECT 'a.csv' AS file, 1::INTEGER AS file_ord,
           'loaded' AS status, 5 AS rows_read, 3 AS rows_accepted, 1 AS rows_quarantined,
           0 AS rows_superseded"""
    )
    assert accounting_problems(con, "crime") == [
        "a.csv: accepted 3 + quarantined 1 + superseded 0 != rows read 5"
    ]
    con.execute("UPDATE ingest.crime_load_log SET rows_read = 4")
    assert accounting_problems(con, "crime") == []
    con.execute("UPDATE ingest.crime_load_log SET rows_read = 5, rows_superseded = 1")
    assert accounting_problems(con, "crime") == [
        "a.csv: load log says 1 superseded, the table holds 0"
    ]
