"""How a CSV delivery's rows are numbered: a quarantine row names the data row it came from.

DuckDB reads a large file on several threads. The rows keep the file's order only because
every connection sets preserve_insertion_order; the reader then numbers a row by its
position in the loaded table. The file here is large enough (about 20 MB) that DuckDB splits
it between threads: without the setting, most rows get another row's number.
"""

from __future__ import annotations

from pathlib import Path

from assets.database import connect
from assets.ingest import readers
from assets.ingest.files import RawFile, inspect_bytes
from assets.ingest.sources import CRIME

ROWS = 800_000


def test_row_numbers_follow_the_file_when_read_on_several_threads(tmp_path: Path) -> None:
    path = tmp_path / "brott_stor.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("omrade_id;manad;brottskategori;antal\n")
        # Each line carries its own data-row number in `antal`.
        out.writelines(f"A{n % 997};2023-01;Stöld;{n}\n" for n in range(1, ROWS + 1))
    raw = RawFile(source="brott", path=path, file_ord=3)
    inspect_bytes(raw)
    con = connect(tmp_path / "work.duckdb")
    try:
        con.execute("SET threads = 4")
        readers.load_csv(con, raw, CRIME, readers.prepare_csv(raw, CRIME, tmp_path))
        rows, misnumbered, first, last = con.execute(
            """SELECT count(*), count(*) FILTER (WHERE antal::BIGINT <> row_number),
                      min(row_number), max(row_number)
               FROM src WHERE file_ord = 3"""
        ).fetchall()[0]
    finally:
        con.close()
    assert (rows, misnumbered, first, last) == (ROWS, 0, 1, ROWS)
