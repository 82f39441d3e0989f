"""Atomic publishing, researcher access and lineage of the published marts."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from assets.database import connect
from assets.marts.publish import publish_marts
from tests.marts.conftest import REPO, SAMPLE_RAW

TABLES = ("first_half", "second_half")


def make_work_db(path: Path, version: int, rows: int) -> None:
    """A working database whose tables all say which version they are, and how big."""
    con = connect(path)
    for table in TABLES:
        con.execute(
            f"CREATE OR REPLACE TABLE main.{table} AS SELECT {version} AS version, i AS n "
            f"FROM range({rows * version}) t(i)"
        )
        con.execute(f"COMMENT ON TABLE main.{table} IS 'version {version}'")
    con.close()


def publish(work: Path, marts: Path, run_id: str) -> None:
    con = connect(work)
    try:
        publish_marts(con, marts_dir=marts, run_id=run_id, tables=TABLES)
    finally:
        con.close()


def published_version(marts: Path) -> int:
    """The version of a complete, consistent publication; fails on anything else."""
    con = duckdb.connect(str(marts / "lagesbild.duckdb"), read_only=True)
    try:
        versions = set()
        for table in TABLES:
            version, rows = con.execute(
                f"SELECT any_value(version), count(*) FROM main.{table}"
            ).fetchall()[0]
            assert rows == ROWS * version, f"{table} is incomplete: {rows} rows"
            versions.add(version)
    finally:
        con.close()
    assert len(versions) == 1, f"tables from different runs: {versions}"
    (version,) = versions
    with duckdb.connect() as files:
        parquet = {
            table: files.execute(
                "SELECT any_value(version), count(*) FROM read_parquet(?)",
                [str(marts / "parquet" / f"{table}.parquet")],
            ).fetchall()[0]
            for table in TABLES
        }
    parquet_versions = {v for v, _ in parquet.values()}
    assert len(parquet_versions) == 1, f"parquet files from different runs: {parquet}"
    assert all(n == ROWS * v for v, n in parquet.values()), f"truncated parquet: {parquet}"
    return version


ROWS = 200_000


def test_a_reader_keeps_a_consistent_old_view_while_a_new_version_is_published(tmp_path) -> None:
    marts = tmp_path / "marts"
    make_work_db(tmp_path / "w1.duckdb", 1, ROWS)
    make_work_db(tmp_path / "w2.duckdb", 2, ROWS)
    publish(tmp_path / "w1.duckdb", marts, "run-1")
    reader = duckdb.connect(str(marts / "lagesbild.duckdb"), read_only=True)
    try:
        assert reader.execute("SELECT count(*) FROM first_half").fetchall() == [(ROWS,)]
        publish(tmp_path / "w2.duckdb", marts, "run-2")
        # The old connection still sees the complete old version, in every table.
        for table in TABLES:
            assert reader.execute(
                f"SELECT any_value(version), count(*) FROM {table}"
            ).fetchall() == [(1, ROWS)]
        # A new connection sees the new one. (It must be another process: within one process
        # DuckDB hands out the instance that already has the old file open.)
        seen = subprocess.run(
            [
                sys.executable,
                "-c",
                "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
                "print(c.execute('SELECT any_value(version), count(*) "
                "FROM second_half').fetchall())",
                str(marts / "lagesbild.duckdb"),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert seen == f"[(2, {2 * ROWS})]"
    finally:
        reader.close()
    assert published_version(marts) == 2
    leftovers = [p.name for p in marts.iterdir() if p.name.endswith((".tmp", ".wal"))]
    assert leftovers == []


def test_a_failed_publication_leaves_the_previous_one_in_place(tmp_path, monkeypatch) -> None:
    marts = tmp_path / "marts"
    make_work_db(tmp_path / "w1.duckdb", 1, 1000)
    make_work_db(tmp_path / "w2.duckdb", 2, 1000)
    global ROWS
    monkeypatch.setattr(sys.modules[__name__], "ROWS", 1000)
    publish(tmp_path / "w1.duckdb", marts, "run-1")

    import assets.marts.publish as publishing

    def broken_check(path, expected):
        raise RuntimeError("the check of the new file failed")

    monkeypatch.setattr(publishing, "_verify", broken_check)
    with pytest.raises(RuntimeError):
        publish(tmp_path / "w2.duckdb", marts, "run-2")
    assert published_version(marts) == 1


KILLER = textwrap.dedent(
    """
    import os
    import sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from tests.marts.test_publication import publish
    tmp = Path({tmp!r})
    for i in range(1000):
        version = 1 + i % 2
        # Run ids are unique, as Dagster's are: a later killer must not reuse a live one.
        publish(tmp / f"w{{version}}.duckdb", tmp / "marts", f"loop-{{os.getpid()}}-{{i}}")
        print("published", version, flush=True)
    """
)


def test_a_killed_publication_leaves_a_complete_version(tmp_path) -> None:
    """Kill a publishing process at random moments: every time, a whole version is there."""
    marts = tmp_path / "marts"
    for version in (1, 2):
        make_work_db(tmp_path / f"w{version}.duckdb", version, ROWS)
    publish(tmp_path / "w1.duckdb", marts, "first")
    script = tmp_path / "killer.py"
    script.write_text(KILLER.format(repo=str(REPO), tmp=str(tmp_path)), encoding="utf-8")
    rng = random.Random(20231)
    seen = set()
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(1.0, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.add(published_version(marts))
    assert seen <= {1, 2}
    # The next publication cleans up what the killed runs left behind.
    publish(tmp_path / "w2.duckdb", marts, "after")
    assert published_version(marts) == 2
    assert not [p for p in marts.iterdir() if ".tmp" in p.name]
    assert sorted(p.name for p in marts.iterdir() if p.name.startswith(".parquet-")) == [
        ".parquet-after"
    ]


def test_every_published_table_and_column_is_documented(marts) -> None:
    undocumented_tables = marts.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name IN ('main', 'public') "
        "AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert undocumented_tables == []
    undocumented = marts.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name IN ('main', 'public') "
        "AND NOT internal AND (comment IS NULL OR comment = '')"
    ).fetchall()
    assert undocumented == []


def test_the_contracts_tables_and_columns_are_published(marts) -> None:
    required = {
        "area": "area_id area_name municipality has_area_team area_km2",
        "crime_month": "area_id month crime_category theme crime_count",
        "area_year": "area_id year crime_count population crimes_per_1000 referral_count "
        "referrals_per_1000_0_17 sig_referral_count crime_count_prev_year change_pct p_value "
        "q_value is_complete_year",
        "area_theme_year": "area_id year theme crime_count crimes_per_1000",
        "referral_month": "area_id month type source age_group sex referral_count",
        "area_team_report": "area_id period theme assessment observations is_published",
        "quarantine": "source file row_number reason detail raw",
        "load_log": "run_id source file sha256 encoding rows_read rows_accepted rows_quarantined "
        "rows_superseded rows_suppressed_at_source rows_screened rows_text_truncated loaded_at",
    }
    for table, columns in required.items():
        present = {
            r[0]
            for r in marts.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                "AND table_name = ?",
                [table],
            ).fetchall()
        }
        assert set(columns.split()) <= present, f"{table} lacks {set(columns.split()) - present}"


def test_the_published_file_is_readable_by_duckdb_1(marts) -> None:
    """The working database uses DuckDB 2.0's storage; the published file must not."""
    published = marts.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() "
        "WHERE database_name = current_database()"
    ).fetchall()[0][0]
    assert published == "v1.0.0+"


def test_parquet_exports_match_the_database(sample_build, marts) -> None:
    parquet = sample_build.settings.marts_path / "parquet"
    tables = [
        r[0]
        for r in marts.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
        ).fetchall()
    ]
    assert sorted(p.stem for p in parquet.glob("*.parquet")) == sorted(tables)
    for table in ("area_year", "crime_month", "quarantine"):
        in_db = marts.execute(f"SELECT count(*) FROM main.{table}").fetchall()[0][0]
        with duckdb.connect() as files:
            in_file = files.execute(
                "SELECT count(*) FROM read_parquet(?)", [str(parquet / f"{table}.parquet")]
            ).fetchall()[0][0]
        assert in_db == in_file


def test_lineage_names_every_source_file_with_its_sha256(marts) -> None:
    run_ids = {
        r[0]
        for r in marts.execute(
            "SELECT run_id FROM main.load_log UNION SELECT run_id FROM main.run_info "
            "UNION SELECT run_id FROM main.lineage"
        ).fetchall()
    }
    assert len(run_ids) == 1
    rows = marts.execute(
        "SELECT DISTINCT source, file, sha256 FROM main.lineage WHERE table_name = 'area_year'"
    ).fetchall()
    assert {source for source, _, _ in rows} >= {"omraden", "brott", "befolkning"}
    for source, file, sha in rows:
        path = SAMPLE_RAW / source / file
        if path.exists():  # the shipped default reference lists live in the package
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_duckdb_1x_clients_can_read_the_published_file(sample_build, tmp_path) -> None:
    """Researchers with an older DuckDB (R, older Python installs) can open the file."""
    venv = tmp_path / "duckdb1"
    uv = Path(sys.executable).with_name("uv")
    subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [
            str(uv),
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            "duckdb==1.1.3",
        ],
        check=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    out = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print(duckdb.__version__, "
            "c.execute('SELECT count(*) FROM area_year').fetchall()[0][0])",
            str(sample_build.db),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    version, rows = out.stdout.split()
    assert version == "1.1.3" and int(rows) > 0


def test_the_data_dictionary_in_docs_is_up_to_date(sample_build, tmp_path) -> None:
    from assets.marts.docs_writer import write_marts_doc

    fresh = tmp_path / "marts.md"
    write_marts_doc(sample_build.db, fresh)
    committed = REPO / "docs" / "marts.md"
    assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "docs/marts.md is stale: run `make docs` (or `lagesbild docs`) and commit it"
    )
