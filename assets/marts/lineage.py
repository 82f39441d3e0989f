"""Lineage: which run built the marts, and which source files fed each table."""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version

import duckdb
import pandas as pd

ALL_SOURCES = ("omraden", "referens", "befolkning", "brott", "orosanmalningar", "omradesteam")
_CRIME = ("omraden", "referens", "brott")
_RATES = (*_CRIME, "befolkning", "orosanmalningar")

#: The sources each published table is built from.
TABLE_SOURCES: dict[str, tuple[str, ...]] = {
    "area": ("omraden", "omradesteam"),
    "area_geometry": ("omraden",),
    "theme": ("referens",),
    "crime_category": ("referens",),
    "crime_month": _CRIME,
    "crime_year": _CRIME,
    "area_year": _RATES,
    "area_theme_year": (*_CRIME, "befolkning"),
    "municipality_year": _RATES,
    "municipality_theme_year": (*_CRIME, "befolkning"),
    "area_month": _CRIME,
    "season_profile": _CRIME,
    "municipality_theme_month": _CRIME,
    "referral_month": ("omraden", "orosanmalningar"),
    "area_referral_year": ("omraden", "orosanmalningar"),
    "municipality_referral_year": ("omraden", "orosanmalningar"),
    "area_team_report": ("omraden", "referens", "omradesteam"),
    "priority": ALL_SOURCES,
    "priority_rule": (),
    "quarantine": ALL_SOURCES,
    "load_log": ALL_SOURCES,
}


def code_version() -> str:
    try:
        return version("lagesbild")
    except PackageNotFoundError:
        return "unknown"


def build_lineage(con: duckdb.DuckDBPyConnection, *, run_id: str, raw_dir: str) -> None:
    """main.run_info (one row) and main.lineage (table × source file)."""
    mapping = pd.DataFrame(
        [(table, source) for table, sources in TABLE_SOURCES.items() for source in sources],
        columns=["table_name", "source"],
    )
    con.register("table_sources", mapping)
    try:
        con.execute(
            """CREATE OR REPLACE TABLE main.lineage AS
               SELECT m.table_name, l.source, l.file, l.sha256, l.run_id
               FROM table_sources AS m
               JOIN main.load_log AS l USING (source)
               WHERE l.file IS NOT NULL AND l.status <> 'rejected'
               ORDER BY m.table_name, l.source, l.file_ord"""
        )
    finally:
        con.unregister("table_sources")
    con.execute(
        """CREATE OR REPLACE TABLE main.run_info AS
           SELECT ?::VARCHAR AS run_id, ?::TIMESTAMP AS built_at, ?::VARCHAR AS raw_dir,
                  ?::VARCHAR AS code_version,
                  (SELECT count(*) FROM main.load_log WHERE file IS NOT NULL) AS files""",
        [run_id, dt.datetime.now(dt.UTC).replace(tzinfo=None), raw_dir, code_version()],
    )
