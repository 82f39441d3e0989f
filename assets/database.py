"""The working DuckDB database that a run builds, and how to open it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster_duckdb import DuckDBResource

#: DuckDB 2.0 writes a storage format DuckDB 1.x cannot read unless told otherwise.
#: Researchers open the published file from R and older Python installs, so publish.py
#: writes lagesbild.duckdb in this format.
STORAGE_COMPATIBILITY_VERSION = "v1.0.0"

#: Options for every connection we open. Extensions that download at run time (spatial,
#: excel, encodings) are never used: geometry goes through geopandas, xlsx through openpyxl.
CONNECTION_CONFIG: dict[str, object] = {
    # Only the pipeline reads the working database: it uses the newest storage, which
    # writes large tables about a quarter faster (national crime load 59 s -> 52 s).
    "storage_compatibility_version": "latest",
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    # Row order is how we number data rows: a CSV row is its position in src_loaded.
    "preserve_insertion_order": True,
}

_MACROS_SQL = Path(__file__).parent / "ingest" / "sql" / "macros.sql"


class WorkDatabase(DuckDBResource):
    """`DuckDBResource` for the run's working database, with the project's SQL macros.

    Unlike the stock resource it closes the connection when the block raises, so a
    failed step never leaves a handle that blocks the next connection (GX opens its own).
    """

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        conn = connect(self.database, config=self.connection_config)
        try:
            yield conn
        finally:
            conn.close()


def connect(
    database: str | Path,
    *,
    read_only: bool = False,
    config: dict[str, object] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection with the project's settings and macros loaded."""
    merged = {**CONNECTION_CONFIG, **(config or {})}
    if read_only:
        # A read-only open of an existing file must not carry write-only settings.
        merged.pop("storage_compatibility_version", None)
    conn = duckdb.connect(str(database), read_only=read_only, config=merged)
    conn.execute(_MACROS_SQL.read_text(encoding="utf-8"))
    return conn


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple | None:
    """The first row of a query, with the result drained.

    DuckDB 2.0 keeps a result open until a fetch returns nothing, and an open result blocks
    other work on the connection (e.g. register()); fetchone() alone leaves it open.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None
