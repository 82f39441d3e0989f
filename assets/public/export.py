"""data/marts/public/: the public tables as CSV (UTF-8, `;`) and Parquet, swapped in atomically.

CSV shows `..` for a suppressed value and uses a decimal comma (Swedish spreadsheets read it
directly); Parquet has NULL plus a boolean `<column>_suppressed` for every column that can be
suppressed. Totals are the rows labelled `Totalt`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from assets.disclosure import FLAG_SUFFIX, SUPPRESSED_LEGEND, SUPPRESSED_MARK, flag_column
from assets.marts.publish import swap_directory

README = f"""Lägesbild: publika tabeller
===========================

Tabellerna är desamma som i rapporten. Små tal är dolda enligt röjandeskyddet:

  {SUPPRESSED_MARK}      {SUPPRESSED_LEGEND}.
         Brott 1–2 och orosanmälningar/ärenden till SIG 1–4 döljs, och fler värden
         döljs vid behov så att ett dolt värde inte kan räknas fram ur summorna.
  (tomt) Uppgift saknas (lämnades inte, eller '..' redan hos den som lämnade data).
  Totalt Summarader och summakolumner. okant = Okänt område (brott som inte kunde
         knytas till ett område; de räknas i kommunens total men i inget område).

area_team: en iakttagelse från områdesteamet visas bara om den har godkänts för
publicering (publiceras = ja). Annars är texten tom och observation_withheld är true.

CSV: UTF-8, semikolon som avgränsare, decimalkomma.
Parquet: samma tabeller; ett dolt värde är NULL och kolumnen <namn>_suppressed är true.
"""


def export_public(con: duckdb.DuckDBPyConnection, marts_dir: Path, run_id: str) -> Path:
    """Write every public.* table into a new folder and swap it in as marts_dir/public.

    DuckDB writes both formats itself: formatting millions of cells in Python would cost
    minutes at national scale.
    """
    target = marts_dir / f".public-{run_id}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'public' ORDER BY table_name"
        ).fetchall()
    ]
    for table in tables:
        parquet = _sql_path(target / f"{table}.parquet")
        con.execute(f"COPY public.{table} TO '{parquet}' (FORMAT parquet, COMPRESSION zstd)")
        csv = _sql_path(target / f"{table}.csv")
        con.execute(
            f"COPY (SELECT {csv_columns(con, table)} FROM public.{table}) TO '{csv}' "
            "(FORMAT csv, HEADER, DELIMITER ';', NULLSTR '')"
        )
    (target / "LASMIG.txt").write_text(README, encoding="utf-8")
    swap_directory(marts_dir / "public", target)
    return marts_dir / "public"


def csv_columns(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The SELECT list that shows a public table as its CSV does.

    `..` where a value is suppressed, a decimal comma and six significant digits (enough for
    any rate, and a q-value of 1e-07 stays 1e-07 rather than 0), and no flag columns.
    """
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
        "current_database() AND schema_name = 'public' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    names = {name for name, _ in columns}
    parts = []
    for name, kind in columns:
        if name.endswith(FLAG_SUFFIX):
            continue
        if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
            text = f"replace(printf('%.6g', {name}), '.', ',')"
        else:
            text = f"CAST({name} AS VARCHAR)"
        flag = flag_column(name)
        if flag in names:
            text = f"CASE WHEN {flag} THEN '{SUPPRESSED_MARK}' ELSE {text} END"
        parts.append(f"{text} AS {name}")
    return ", ".join(parts)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
