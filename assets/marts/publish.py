"""Atomic publishing of the marts: a reader sees the complete old or the complete new version.

The database is copied table by table into a temporary file in the marts folder, closed,
checked, and only then renamed over lagesbild.duckdb (os.replace is atomic on one file
system). A reader who has the old file open keeps reading the old file. The Parquet and
public folders are written as new directories and swapped in by replacing a symlink, which
is also a single atomic rename. A failed or killed run leaves every previous version intact.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.database import STORAGE_COMPATIBILITY_VERSION, connect, fetch_one

DB_NAME = "lagesbild.duckdb"


@dataclass(frozen=True)
class Publication:
    database: Path
    tables: dict[str, int]
    parquet_dir: Path


def publish_marts(
    con: duckdb.DuckDBPyConnection,
    *,
    marts_dir: Path,
    run_id: str,
    tables: tuple[str, ...],
    extra_schemas: tuple[str, ...] = (),
) -> Publication:
    """Publish main.<tables> (and whole extra schemas) from the working database `con`."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(marts_dir)
    tmp = marts_dir / f".{DB_NAME}.{run_id}.tmp"
    tmp.unlink(missing_ok=True)
    con.execute(
        f"ATTACH '{_sql_path(tmp)}' AS pub (STORAGE_VERSION '{STORAGE_COMPATIBILITY_VERSION}')"
    )
    parquet_dir = marts_dir / f".parquet-{run_id}"
    live = marts_dir / "parquet"
    if live.is_symlink() and live.resolve() == parquet_dir.resolve():
        # Clearing it would empty the folder readers use now: a run id is published once.
        raise ValueError(f"run {run_id} is already the published version")
    shutil.rmtree(parquet_dir, ignore_errors=True)
    parquet_dir.mkdir()
    try:
        expected = {}
        for table in tables:
            # main.<table> may be a view (crime_month): it is computed once, here.
            con.execute(f"CREATE TABLE pub.main.{table} AS SELECT * FROM main.{table}")
            _copy_comments(con, "main", table)
            expected[table] = fetch_one(con, f"SELECT count(*) FROM pub.main.{table}")[0]
            con.execute(
                f"COPY (SELECT * FROM pub.main.{table}) "
                f"TO '{_sql_path(parquet_dir / f'{table}.parquet')}' "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
        for schema in extra_schemas:
            con.execute(f"CREATE SCHEMA pub.{schema}")
            for (table,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = ? ORDER BY table_name",
                [schema],
            ).fetchall():
                con.execute(f"CREATE TABLE pub.{schema}.{table} AS SELECT * FROM {schema}.{table}")
                _copy_comments(con, schema, table)
    finally:
        con.execute("DETACH pub")
    _verify(tmp, expected)

    target = marts_dir / DB_NAME
    os.replace(tmp, target)
    swap_directory(marts_dir / "parquet", parquet_dir)
    return Publication(database=target, tables=expected, parquet_dir=marts_dir / "parquet")


def swap_directory(link: Path, new_dir: Path) -> None:
    """Point `link` at `new_dir` in one atomic rename, then remove superseded versions.

    `link` is a symlink to a hidden versioned directory beside it. Readers that resolved the
    old version keep their open files (on POSIX a removed file lives until it is closed).
    """
    if link.exists() and not link.is_symlink():
        # A real directory from an earlier layout: move it aside once.
        link.rename(link.with_name(f".{link.name}-legacy"))
    staged = link.with_name(f".{link.name}.link-tmp")
    staged.unlink(missing_ok=True)
    staged.symlink_to(new_dir.name)
    os.replace(staged, link)
    for old in link.parent.glob(f".{link.name}-*"):
        if old.is_dir() and old.name != new_dir.name:
            shutil.rmtree(old, ignore_errors=True)


def latest_complete_year(database: Path) -> int | None:
    """The latest complete calendar year in a published marts file, or None."""
    if not database.exists():
        return None
    con = connect(database, read_only=True)
    try:
        row = fetch_one(con, "SELECT max(year) FROM main.municipality_year WHERE is_complete_year")
    finally:
        con.close()
    return int(row[0]) if row and row[0] is not None else None


def published_years(database: Path) -> list[int]:
    """The complete years a published marts file can report on."""
    if not database.exists():
        return []
    con = connect(database, read_only=True)
    try:
        rows = con.execute(
            "SELECT year FROM main.municipality_year WHERE is_complete_year ORDER BY year"
        ).fetchall()
    finally:
        con.close()
    return [int(r[0]) for r in rows]


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    row = fetch_one(
        con,
        "SELECT comment FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? "
        "UNION ALL SELECT comment FROM duckdb_views() WHERE database_name = current_database() "
        "AND schema_name = ? AND view_name = ?",
        [schema, table, schema, table],
    )
    if row and row[0]:
        con.execute(f"COMMENT ON TABLE pub.{schema}.{table} IS {_literal(row[0])}")
    for column, comment in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, table],
    ).fetchall():
        con.execute(f"COMMENT ON COLUMN pub.{schema}.{table}.{column} IS {_literal(comment)}")


def _verify(path: Path, expected: dict[str, int]) -> None:
    """Open the new file on its own and check it holds every table with every row."""
    check = connect(path, read_only=True)
    try:
        for table, rows in expected.items():
            got = fetch_one(check, f"SELECT count(*) FROM main.{table}")[0]
            if got != rows:
                raise RuntimeError(
                    f"publishing {table}: {got} rows in the new file, expected {rows}"
                )
    finally:
        check.close()


def remove_leftovers(marts_dir: Path) -> None:
    """Temporary files of runs that were killed before they could rename them."""
    for leftover in marts_dir.glob(f".{DB_NAME}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
