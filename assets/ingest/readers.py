"""Turn one delivery (CSV or XLSX) into a DuckDB view `src` of text columns.

Every reader gives the same shape, so one validation SQL per source serves every format:
`src(file_ord, row_number, <contract columns as VARCHAR>)`, where `row_number` is the 1-based
data row (the header is not counted). Values stay text here: parsing and the reasons a row
is rejected live in the validate_*.sql files, in one place.

Each reader materialises the file once, into TEMP TABLE src_loaded, and `src` is a view over
it: the validation then scans a table on all threads, not the file.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa

from assets.database import fetch_one
from assets.ingest.files import FileRejected, RawFile, map_header, read_csv_header
from assets.ingest.sources import SourceSpec

REJECTS_TABLE = "csv_rejects"
REJECT_SCANS_TABLE = "csv_reject_scans"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def prepare_csv(raw: RawFile, spec: SourceSpec, build_dir: Path) -> Path:
    """Map the CSV header; return the path DuckDB should read (UTF-8).

    A Windows-1252 file is transcoded into the build folder, streamed, because DuckDB reads
    Latin-1 but not the 0x80–0x9F range where Windows-1252 differs (€, ’, –, …).
    """
    map_header(raw, read_csv_header(raw), spec)
    if raw.encoding != "windows-1252":
        return raw.path
    target = build_dir / "transcoded" / f"{raw.sha256}.csv"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        with (
            raw.path.open("r", encoding="cp1252", newline="") as src,
            partial.open("w", encoding="utf-8", newline="") as dst,
        ):
            shutil.copyfileobj(src, dst, 1 << 20)
        partial.replace(target)
    return target


def load_csv(con: duckdb.DuckDBPyConnection, raw: RawFile, spec: SourceSpec, path: Path) -> None:
    """Read a CSV delivery into src_loaded; malformed lines go to the rejects table.

    Rows are numbered by position: DuckDB reads the file on all threads and keeps its order
    (preserve_insertion_order), so a row's rowid + 1 is its data row. Numbering with
    row_number() OVER () on the scan instead would read the whole file on one thread.
    Lines DuckDB could not parse are not in the table (see loader._add_malformed_lines).
    """
    n = len(raw.header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {REJECT_SCANS_TABLE}")
    reader = (
        f"read_csv({_sql_str(str(path))}, header = false, skip = 1, "
        f"delim = {_sql_str(raw.delimiter or ';')}, quote = '\"', escape = '\"', "
        f"columns = {columns}, auto_detect = false, store_rejects = true, "
        f"rejects_table = '{REJECTS_TABLE}', rejects_scan = '{REJECT_SCANS_TABLE}')"
    )
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE src_loaded AS SELECT {raw.file_ord} AS file_ord, "
            f"{_select_list(raw, spec, 'c{}')} FROM {reader}"
        )
    except duckdb.Error as exc:
        raise unparsable(exc) from None
    con.execute(
        "CREATE OR REPLACE TEMP VIEW src AS "
        "SELECT file_ord, rowid + 1 AS row_number, * EXCLUDE (file_ord) FROM src_loaded"
    )


def unparsable(exc: duckdb.Error) -> FileRejected:
    """A file DuckDB could not read as a table: rejected whole, with its first error line."""
    text = str(exc).strip()
    first_line = text.splitlines()[0] if text else type(exc).__name__
    return FileRejected(
        "file_unreadable", f"the file could not be parsed as a table ({first_line})"
    )


def malformed_lines(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str]]:
    """Lines the CSV parser could not split into the header's columns: (line, text, why)."""
    exists = fetch_one(
        con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [REJECTS_TABLE]
    )
    if not exists or not exists[0]:
        return []
    rows = con.execute(
        f"""SELECT line, any_value(csv_line), string_agg(DISTINCT error_type, ', ')
            FROM {REJECTS_TABLE} GROUP BY line ORDER BY line"""
    ).fetchall()
    return [(int(line), text or "", why or "") for line, text, why in rows]


def xlsx_view(con: duckdb.DuckDBPyConnection, raw: RawFile, spec: SourceSpec) -> None:
    """Create TEMP VIEW src over the first sheet of an XLSX delivery (headers in row 1).

    `row_number` is the Excel row minus one, so row 5 in Excel is data row 4, and rows that
    are entirely empty (common at the end of a sheet) are skipped.
    """
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(raw.path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise FileRejected("file_unreadable", f"not a readable xlsx workbook ({exc})") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None or all(_cell_text(c) is None for c in header_cells):
            raise FileRejected("file_empty", "the first sheet has no header row")
        try:
            map_header(raw, [_cell_text(c) or "" for c in header_cells], spec)
        except FileRejected as rejection:
            rejection.rows = sum(
                1 for cells in rows if any(_cell_text(c) is not None for c in cells)
            )
            raise
        wanted = {name: raw.positions[name] for name in raw.mapping}
        data: dict[str, list[str | None]] = {name: [] for name in spec.raw_names}
        numbers: list[int] = []
        for excel_row, cells in enumerate(rows, start=2):
            texts = [_cell_text(c) for c in cells]
            if all(t is None for t in texts):
                continue
            numbers.append(excel_row - 1)
            for name in spec.raw_names:
                pos = wanted.get(name)
                data[name].append(texts[pos] if pos is not None and pos < len(texts) else None)
    finally:
        workbook.close()
    table = pa.table(
        {
            "file_ord": pa.array([raw.file_ord] * len(numbers), pa.int32()),
            "row_number": pa.array(numbers, pa.int64()),
            **{name: pa.array(values, pa.string()) for name, values in data.items()},
        }
    )
    register_rows(con, table)


def register_rows(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """Load an Arrow table of (file_ord, row_number, contract columns) as src_loaded/src."""
    con.register("src_rows", table)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE src_loaded AS SELECT * FROM src_rows")
    finally:
        con.unregister("src_rows")
    con.execute("CREATE OR REPLACE TEMP VIEW src AS SELECT * FROM src_loaded")


def _select_list(raw: RawFile, spec: SourceSpec, pattern: str) -> str:
    parts = []
    for name in spec.raw_names:
        pos = raw.positions.get(name)
        expr = pattern.format(pos) if pos is not None else "NULL::VARCHAR"
        parts.append(f"{expr} AS {name}")
    return ", ".join(parts)


def _cell_text(value: object) -> str | None:
    """An XLSX cell as the text a CSV export would have held."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


def set_header_variables(con: duckdb.DuckDBPyConnection, raw: RawFile, spec: SourceSpec) -> None:
    """Expose the file's original header names to SQL, for messages and `quarantine.raw`.

    A column the file lacks gets NULL, so it is left out of `raw`.
    """
    for name in spec.raw_names:
        original = raw.mapping.get(name)
        value = _sql_str(original) if original is not None else "NULL::VARCHAR"
        con.execute(f"SET VARIABLE h_{name} = {value}")
