"""Run the SQL models of assets/marts/sql and document the tables they build.

One model per file. A model that needs statistics reads a frame registered under the name
`stats_<table>` (see statistics.py); the runner registers it before running the model.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import yaml

from assets.database import fetch_one

SQL_DIR = Path(__file__).parent / "sql"
DOCS_FILE = Path(__file__).parent / "docs.yml"


def run_model(
    con: duckdb.DuckDBPyConnection, name: str, *, stats: pd.DataFrame | None = None
) -> None:
    """Run sql/<name>.sql; `stats` is visible to it as the relation stats_<name>."""
    if stats is not None:
        con.register(f"stats_{name}", stats)
    try:
        con.execute((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))
    finally:
        if stats is not None:
            con.unregister(f"stats_{name}")


def drop_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """DROP TABLE `schema.table` if it is a table (DROP TABLE IF EXISTS fails on a view)."""
    schema, table = name.split(".")
    found = fetch_one(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?",
        [schema, table],
    )
    if found and found[0]:
        con.execute(f"DROP TABLE {schema}.{table}")


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """A query as a pandas frame (small, aggregated tables only: never a raw-row table)."""
    return con.execute(sql).df()


@cache
def docs() -> dict[str, dict]:
    """Table and column descriptions, as researchers read them in COMMENTs and docs/marts.md."""
    return yaml.safe_load(DOCS_FILE.read_text(encoding="utf-8"))


def finalize_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Make main.<table> ready for researchers: plain integer types, and its COMMENTs.

    DuckDB sums BIGINT into HUGEINT (128-bit), which R and pandas read poorly; counts fit
    in BIGINT, so they are stored as BIGINT.
    """
    for (column,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND table_name = ? AND data_type = 'HUGEINT'",
        [table],
    ).fetchall():
        con.execute(f"ALTER TABLE main.{table} ALTER COLUMN {column} TYPE BIGINT")
    apply_docs(con, table)


def apply_docs(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """COMMENT ON the table and each documented column of main.<table>."""
    entry = docs().get(table)
    if entry is None:
        return
    con.execute(f"COMMENT ON TABLE main.{table} IS {_literal(entry['description'])}")
    existing = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND table_name = ?",
            [table],
        ).fetchall()
    }
    for column, text in (entry.get("columns") or {}).items():
        if column in existing:
            con.execute(f"COMMENT ON COLUMN main.{table}.{column} IS {_literal(text)}")


def table_metadata(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, object]:
    """What the Dagster UI shows for a mart: its row count and documented columns."""
    rows = con.execute(f"SELECT count(*) FROM main.{table}").fetchall()[0][0]
    columns = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return {
        "dagster/row_count": int(rows),
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name, type=str(kind), description=comment or None)
                for name, kind, comment in columns
            ]
        ),
        "table": f"main.{table}",
    }


def _literal(text: str) -> str:
    return "'" + " ".join(str(text).split()).replace("'", "''") + "'"
