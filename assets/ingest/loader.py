"""The row pipeline every tabular source shares.

For each delivery, in code-point order of file names:
  inspect (sha256, encoding) → a `src` view of text columns → validate_<table>.sql appends
  typed rows, each with the first reason it can't be accepted, to staging.<table>_checked.
Then, over all deliveries of the source: duplicate keys within a file (quarantined) and across
files (superseded), source-specific rules, and finally
  staging.<table>              accepted rows, typed (the checked table itself, see
                               _finish_staging)
  ingest.<table>_quarantine    rejected rows and files, with reason, detail and raw values
  ingest.<table>_superseded    rows replaced by a later delivery
  ingest.<table>_load_log      one row per file (or one 'not delivered' row)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from assets.database import fetch_one
from assets.ingest import readers
from assets.ingest.files import FileRejected, RawFile, inspect_bytes, list_deliveries
from assets.ingest.screening import PREFILTER_SQL_REGEX, screen_text
from assets.ingest.sources import SourceSpec

SQL_DIR = Path(__file__).parent / "sql"

#: Columns of every source's load log, in order (see data-contract.md §3, `load_log`).
LOAD_LOG_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("source", pa.string()),
        ("file", pa.string()),
        ("file_ord", pa.int32()),
        ("sha256", pa.string()),
        ("file_size_bytes", pa.int64()),
        ("file_format", pa.string()),
        ("encoding", pa.string()),
        ("delimiter", pa.string()),
        ("delivery", pa.string()),
        ("status", pa.string()),
        ("rows_read", pa.int64()),
        ("rows_accepted", pa.int64()),
        ("rows_quarantined", pa.int64()),
        ("rows_superseded", pa.int64()),
        ("rows_suppressed_at_source", pa.int64()),
        ("rows_screened", pa.int64()),
        ("rows_text_truncated", pa.int64()),
        ("rows_blank_skipped", pa.int64()),
        ("first_year", pa.int32()),
        ("last_year", pa.int32()),
        ("columns_used", pa.string()),
        ("extra_columns", pa.string()),
        ("notes", pa.string()),
        ("loaded_at", pa.timestamp("us")),
    ]
)


#: Columns of the checked table that say why a row was not accepted; not in staging.
CHECK_COLUMNS = ("reason", "column_name", "detail", "raw")


def sql_text(name: str, **placeholders: str) -> str:
    """A SQL file from assets/ingest/sql, with {{placeholders}} filled in.

    Placeholders only ever receive identifiers and expressions built from the source specs,
    never values from the data.
    """
    text = (SQL_DIR / name).read_text(encoding="utf-8")
    for key, value in placeholders.items():
        text = text.replace("{{" + key + "}}", value)
    return text


#: Shared CTE bodies (sql/lookups/<name>.sql) for the validate SQL: {{lookup_<name>}}.
LOOKUPS = {
    f"lookup_{path.stem}": path.read_text(encoding="utf-8").strip()
    for path in sorted((SQL_DIR / "lookups").glob("*.sql"))
}


def raw_json_sql(spec: SourceSpec) -> str:
    """SQL for `quarantine.raw`: the row's original values keyed by the file's own headers."""
    entries = ", ".join(f"{{'k': getvariable('h_{name}'), 'v': {name}}}" for name in spec.raw_names)
    return (
        f"to_json(map_from_entries(list_filter([{entries}], lambda e: e.k IS NOT NULL)))::VARCHAR"
    )


@dataclass
class FileOutcome:
    """What became of one delivery; one load_log row."""

    raw: RawFile
    status: str = "loaded"
    rejection: FileRejected | None = None
    delivery: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_superseded: int = 0
    rows_suppressed_at_source: int = 0
    rows_screened: int = 0
    rows_text_truncated: int = 0
    rows_blank_skipped: int = 0
    first_year: int | None = None
    last_year: int | None = None


@dataclass
class SourceLoad:
    """The outcome of loading one source, for the run summary and Dagster metadata."""

    spec: SourceSpec
    source: str
    files: list[FileOutcome] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> bool:
        return bool(self.files)

    def total(self, attribute: str) -> int:
        return sum(getattr(f, attribute) for f in self.files)

    def summary_line(self) -> str:
        if not self.delivered:
            return f"{self.source:<16} not delivered"
        rejected = sum(1 for f in self.files if f.status == "rejected")
        text = (
            f"{self.source:<16} {len(self.files)} file(s) read, "
            f"{self.total('rows_accepted'):,} rows accepted, "
            f"{self.total('rows_quarantined'):,} quarantined, "
            f"{self.total('rows_superseded'):,} superseded"
        )
        if rejected:
            text += f" ({rejected} file(s) rejected whole)"
        return text


class RowLoader:
    """Loads one source's deliveries into staging; see the module docstring."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: SourceSpec,
        *,
        raw_dir: Path,
        build_dir: Path,
        run_id: str,
        loaded_at: dt.datetime,
        source: str | None = None,
        max_text_chars: int = 2000,
    ) -> None:
        self.con = con
        self.spec = spec
        self.raw_dir = raw_dir
        self.build_dir = build_dir
        self.run_id = run_id
        self.loaded_at = loaded_at
        self.max_text_chars = max_text_chars
        self.result = SourceLoad(spec=spec, source=source or spec.folder)
        self.checked = f"staging.{spec.table}_checked"
        #: Opens the `src` view for a file; areas.py adds a reader for geometry files.
        self.openers: dict[str, Callable[[RawFile], None]] = {
            ".csv": self._open_csv,
            ".xlsx": self._open_xlsx,
        }

    # -- the whole source -------------------------------------------------------------

    def run(self, paths: Iterable[Path] | None = None) -> SourceLoad:
        if paths is None:
            deliveries, ignored = list_deliveries(self.raw_dir, self.spec)
            self.result.ignored = ignored
        else:
            deliveries = list(paths)
        self._create_checked_table()
        for file_ord, path in enumerate(deliveries, start=1):
            self.load_file(RawFile(source=self.result.source, path=path, file_ord=file_ord))
        self._register_files()
        self.con.execute(
            sql_text(
                "dedupe.sql",
                checked=self.checked,
                key=", ".join(self.spec.key),
                key_c=", ".join(f"c.{k}" for k in self.spec.key),
            )
        )
        self.after_dedupe()
        self._mark_duplicates()
        self._fill_missing_raw()
        self._write_outputs()
        self._discard_scratch()
        return self.result

    def _discard_scratch(self) -> None:
        """Drop what holds the raw, unscreened text once the outputs are written.

        The checked-rows table keeps every raw value (free text, `raw` JSON) as delivered,
        and a transcoded Windows-1252 copy is the whole file: neither may outlive the load
        in the working database or the build folder (data-contract §2.7, privacy screening).
        """
        self.con.execute(f"DROP TABLE IF EXISTS {self.checked}")
        self.con.execute("DROP VIEW IF EXISTS src")
        self.con.execute("DROP TABLE IF EXISTS src_loaded")
        for outcome in self.result.files:
            if outcome.raw.encoding == "windows-1252" and outcome.raw.sha256:
                copy = self.build_dir / "transcoded" / f"{outcome.raw.sha256}.csv"
                copy.unlink(missing_ok=True)

    def after_dedupe(self) -> None:
        """Source-specific rules that need every delivery; subclasses override."""

    # -- one file ---------------------------------------------------------------------

    def load_file(self, raw: RawFile) -> None:
        outcome = FileOutcome(raw=raw)
        self.result.files.append(outcome)
        try:
            inspect_bytes(raw)
            opener = self.openers.get(raw.ext)
            if opener is None:
                allowed = ", ".join(sorted(self.openers))
                raise FileRejected(
                    "file_unreadable",
                    f"files of type '{raw.ext or raw.name}' are not read ({allowed})",
                )
            opener(raw)
            outcome.delivery = self.delivery_of(raw)
            self._insert_checked(raw, outcome)
            self.after_file(outcome)
        except FileRejected as rejection:
            self._reject(outcome, rejection)

    def after_file(self, outcome: FileOutcome) -> None:
        """Hook run once a file's rows are checked; may raise FileRejected (areas.py does)."""

    def delivery_of(self, raw: RawFile) -> str | None:
        """'monthly' or 'yearly' for crime deliveries; None for sources without the choice."""
        if "manad" in self.spec.raw_names and "ar" in self.spec.raw_names:
            return "monthly" if "manad" in raw.mapping else "yearly"
        return None

    def _open_csv(self, raw: RawFile) -> None:
        path = readers.prepare_csv(raw, self.spec, self.build_dir)
        readers.load_csv(self.con, raw, self.spec, path)

    def _open_xlsx(self, raw: RawFile) -> None:
        readers.xlsx_view(self.con, raw, self.spec)

    def _insert_checked(self, raw: RawFile, outcome: FileOutcome) -> None:
        readers.set_header_variables(self.con, raw, self.spec)
        self.con.execute(f"SET VARIABLE delivery = '{outcome.delivery or 'none'}'")
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(f"INSERT INTO {self.checked} {self._validate_sql()}")
            if raw.ext == ".csv":
                self._add_malformed_lines(raw)
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self.con.execute("ROLLBACK")
            raise readers.unparsable(exc) from None
        counts = fetch_one(
            self.con,
            f"""SELECT count(*) FILTER (WHERE reason IS DISTINCT FROM 'blank_row'),
                       count(*) FILTER (WHERE reason = 'blank_row')
                FROM {self.checked} WHERE file_ord = ?""",
            [raw.file_ord],
        )
        outcome.rows_read, outcome.rows_blank_skipped = int(counts[0]), int(counts[1])
        if outcome.rows_read == 0:
            self.con.execute(f"DELETE FROM {self.checked} WHERE file_ord = ?", [raw.file_ord])
            raise FileRejected("file_empty", "the file has a header but no data rows")

    def _add_malformed_lines(self, raw: RawFile) -> None:
        """Lines with the wrong number of fields: quarantined, and row numbers kept exact.

        DuckDB numbers only the lines it could parse, so the parsed rows are renumbered to
        skip the line numbers of the malformed ones.
        """
        bad = readers.malformed_lines(self.con)
        if not bad:
            return
        bad_rows = sorted({line - 1 for line, _, _ in bad})
        parsed = fetch_one(
            self.con, f"SELECT count(*) FROM {self.checked} WHERE file_ord = ?", [raw.file_ord]
        )[0]
        total = parsed + len(bad_rows)
        self.con.execute(
            f"""CREATE OR REPLACE TEMP TABLE renumber AS
                SELECT row_number() OVER (ORDER BY n) AS old_number, n AS new_number
                FROM range(1, {total + 1}) t(n)
                WHERE n NOT IN (SELECT unnest(?::BIGINT[]))""",
            [bad_rows],
        )
        self.con.execute(
            f"""UPDATE {self.checked} SET row_number = r.new_number FROM renumber AS r
                WHERE {self.checked}.file_ord = ? AND {self.checked}.row_number = r.old_number""",
            [raw.file_ord],
        )
        for line, text, why in bad:
            self.con.execute(
                f"""INSERT INTO {self.checked} BY NAME
                    SELECT ? AS file_ord, ? AS row_number, 'malformed_row' AS reason,
                           ? AS detail, ? AS raw""",
                [
                    raw.file_ord,
                    line - 1,
                    f"the line has the wrong number of fields for the header "
                    f"({len(raw.header)} columns): {why.lower()}",
                    text,
                ],
            )

    def _reject(self, outcome: FileOutcome, rejection: FileRejected) -> None:
        """A file turned away whole: one quarantine row; its rows count as quarantined."""
        self.con.execute(f"DELETE FROM {self.checked} WHERE file_ord = ?", [outcome.raw.file_ord])
        outcome.status = "rejected"
        outcome.rejection = rejection
        rows = rejection.rows or outcome.rows_read or self._count_rows(outcome.raw)
        outcome.rows_read = rows
        outcome.rows_quarantined = rows
        outcome.rows_accepted = outcome.rows_superseded = 0

    def _count_rows(self, raw: RawFile) -> int:
        """Data rows of a rejected file, where they can be counted at all (else 0)."""
        if raw.ext != ".csv" or raw.encoding is None or raw.delimiter is None:
            return 0
        path = self.build_dir / "transcoded" / f"{raw.sha256}.csv"
        path = path if raw.encoding == "windows-1252" and path.exists() else raw.path
        try:
            row = fetch_one(
                self.con,
                "SELECT count(*) FROM read_csv(?, header = true, delim = ?, all_varchar = true, "
                "null_padding = true, strict_mode = false, ignore_errors = true)",
                [str(path), raw.delimiter],
            )
        except duckdb.Error:
            return 0
        return int(row[0]) if row else 0

    # -- across files -----------------------------------------------------------------

    def _validate_sql(self) -> str:
        return sql_text(self.spec.validate_sql, raw_json=raw_json_sql(self.spec), **LOOKUPS)

    def _create_checked_table(self) -> None:
        """The checked-rows table, typed by the validate SQL run over an empty `src`."""
        self.con.execute("CREATE SCHEMA IF NOT EXISTS ingest")
        self.con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        columns = ", ".join(f"NULL::VARCHAR AS {n}" for n in self.spec.raw_names)
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW src AS SELECT NULL::INTEGER AS file_ord, "
            f"NULL::BIGINT AS row_number, {columns} WHERE false"
        )
        for name in self.spec.raw_names:
            self.con.execute(f"SET VARIABLE h_{name} = NULL::VARCHAR")
        self.con.execute("SET VARIABLE delivery = 'none'")
        self.con.execute(
            f"CREATE OR REPLACE TABLE {self.checked} AS "
            f"SELECT * FROM ({self._validate_sql()}) LIMIT 0"
        )

    def _register_files(self) -> None:
        names = pa.table(
            {
                "file_ord": pa.array([f.raw.file_ord for f in self.result.files], pa.int32()),
                "file": pa.array([screen_text(f.raw.name)[0] for f in self.result.files]),
            }
        )
        self.con.register("source_files_arrow", names)
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE source_files AS SELECT * FROM source_files_arrow"
        )
        self.con.unregister("source_files_arrow")

    def _mark_duplicates(self) -> None:
        names = ", ".join(self.spec.key)
        self.con.execute(
            f"""UPDATE {self.checked} AS c
                SET reason = 'duplicate_key', column_name = NULL, raw = NULL,
                    detail = 'the same key (' || '{names}' || ') appears ' || d.n_in_file
                             || ' times in this file, in rows ' || d.rows_with_key
                FROM duplicate_rows AS d
                WHERE c.file_ord = d.file_ord AND c.row_number = d.row_number"""
        )

    def _fill_missing_raw(self) -> None:
        """Original values for rows quarantined after validation (duplicates, overlaps).

        Only those few rows are read again, from the file itself, so that `quarantine.raw`
        always holds what the data owner wrote (e.g. '12,0', not 12).
        """
        rows = self.con.execute(
            f"""SELECT file_ord, list(row_number) FROM {self.checked}
                WHERE reason IS NOT NULL AND raw IS NULL AND reason <> 'blank_row'
                GROUP BY file_ord"""
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        for file_ord, numbers in rows:
            outcome = by_ord[file_ord]
            self.openers[outcome.raw.ext](outcome.raw)
            readers.set_header_variables(self.con, outcome.raw, self.spec)
            self.con.execute(
                f"""UPDATE {self.checked} AS c SET raw = r.raw
                    FROM (SELECT row_number, {raw_json_sql(self.spec)} AS raw FROM src
                          WHERE row_number IN (SELECT unnest(?::BIGINT[]))) AS r
                    WHERE c.file_ord = ? AND c.row_number = r.row_number""",
                [numbers, file_ord],
            )

    def _write_outputs(self) -> None:
        spec, source = self.spec, self.result.source
        self.con.execute(
            f"""CREATE OR REPLACE TABLE ingest.{spec.table}_superseded AS
                SELECT '{source}' AS source, f.file, s.row_number, w.file AS superseded_by
                FROM superseded_rows AS s
                JOIN source_files AS f USING (file_ord)
                JOIN source_files AS w ON w.file_ord = s.superseded_by_ord"""
        )
        self._count_rows_per_file()
        self._write_quarantine()
        self._finish_staging()
        self.after_outputs()
        self._write_load_log()

    def _finish_staging(self) -> None:
        """Turn the checked table into staging.<table>, in place and in one transaction.

        Quarantined and superseded rows (already written to their own tables) are deleted,
        the columns that explain them, which hold the raw text, are dropped, and the table is
        renamed. Copying the accepted rows into a new table instead would rewrite ~30 million
        rows at national scale. Until the commit, the previous staging table is untouched.
        """
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(f"DELETE FROM {self.checked} WHERE reason IS NOT NULL")
            self.con.execute(
                f"""DELETE FROM {self.checked} AS c USING superseded_rows AS s
                    WHERE c.file_ord = s.file_ord AND c.row_number = s.row_number"""
            )
            for column in CHECK_COLUMNS:
                self.con.execute(f"ALTER TABLE {self.checked} DROP COLUMN {column}")
            self.con.execute(f"DROP TABLE IF EXISTS staging.{self.spec.table}")
            self.con.execute(f"ALTER TABLE {self.checked} RENAME TO {self.spec.table}")
            self.con.execute("COMMIT")
        except duckdb.Error:
            self.con.execute("ROLLBACK")
            raise

    def after_outputs(self) -> None:
        """Hook for work on the finished staging table (e.g. screening free text)."""

    def _count_rows_per_file(self) -> None:
        count_expr = (
            f"count(*) FILTER (WHERE c.reason IS NULL AND s.row_number IS NULL "
            f"AND c.{self._count_column()} IS NULL)"
            if self._count_column()
            else "0"
        )
        year_expr = "c.year" if "year" in self._checked_columns() else "NULL::INTEGER"
        rows = self.con.execute(
            f"""SELECT c.file_ord,
                       count(*) FILTER (WHERE c.reason IS NULL AND s.row_number IS NULL),
                       count(*) FILTER (WHERE c.reason IS NOT NULL AND c.reason <> 'blank_row'),
                       count(*) FILTER (WHERE c.reason IS NULL AND s.row_number IS NOT NULL),
                       {count_expr},
                       min({year_expr}) FILTER (WHERE c.reason IS NULL),
                       max({year_expr}) FILTER (WHERE c.reason IS NULL)
                FROM {self.checked} AS c
                LEFT JOIN superseded_rows AS s USING (file_ord, row_number)
                GROUP BY c.file_ord"""
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        for file_ord, accepted, quarantined, superseded, suppressed, first, last in rows:
            outcome = by_ord[file_ord]
            if outcome.status == "rejected":
                continue
            outcome.rows_accepted = int(accepted)
            outcome.rows_quarantined = int(quarantined)
            outcome.rows_superseded = int(superseded)
            outcome.rows_suppressed_at_source = int(suppressed)
            outcome.first_year, outcome.last_year = first, last

    def _count_column(self) -> str | None:
        """The staging column that holds the source's count, if any."""
        columns = self._checked_columns()
        for name in ("crime_count", "population", "referral_count", "respondents"):
            if name in columns:
                return name
        return None

    def _checked_columns(self) -> list[str]:
        schema, table = self.checked.split(".")
        return [
            r[0]
            for r in self.con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
        ]

    def _write_quarantine(self) -> None:
        source = self.result.source
        quarantine = f"ingest.{self.spec.table}_quarantine"
        self.con.execute(
            f"""CREATE OR REPLACE TABLE {quarantine} AS
                SELECT '{source}' AS source, f.file, c.row_number::BIGINT AS row_number, c.reason,
                       c.column_name, c.detail, c.raw
                FROM {self.checked} AS c JOIN source_files AS f USING (file_ord)
                WHERE c.reason IS NOT NULL AND c.reason <> 'blank_row'
                ORDER BY c.file_ord, c.row_number"""
        )
        for outcome in self.result.files:
            if outcome.rejection is None:
                continue
            self.con.execute(
                f"INSERT INTO {quarantine} VALUES (?, ?, NULL, ?, ?, ?, NULL)",
                [
                    source,
                    screen_text(outcome.raw.name)[0],
                    outcome.rejection.reason,
                    outcome.rejection.column,
                    screen_text(outcome.rejection.detail)[0],
                ],
            )
        screen_table_text(self.con, quarantine, ("detail", "raw"))

    def _write_load_log(self) -> None:
        rows = [self._load_log_row(f) for f in self.result.files]
        if not rows:
            rows = [self._not_delivered_row()]
        table = pa.Table.from_pylist(rows, schema=LOAD_LOG_SCHEMA)
        self.con.register("load_log_arrow", table)
        self.con.execute(
            f"CREATE OR REPLACE TABLE ingest.{self.spec.table}_load_log AS "
            "SELECT * FROM load_log_arrow"
        )
        self.con.unregister("load_log_arrow")

    def _load_log_row(self, f: FileOutcome) -> dict[str, object]:
        raw = f.raw
        notes = list(raw.notes)
        if f.rejection is not None:
            notes.insert(0, f"rejected: {f.rejection.reason}: {f.rejection.detail}")
        return {
            "run_id": self.run_id,
            "source": self.result.source,
            "file": screen_text(raw.name)[0],
            "file_ord": raw.file_ord,
            "sha256": raw.sha256 or None,
            "file_size_bytes": raw.size,
            "file_format": raw.file_format,
            "encoding": raw.encoding,
            "delimiter": raw.delimiter,
            "delivery": f.delivery,
            "status": f.status,
            "rows_read": f.rows_read,
            "rows_accepted": f.rows_accepted,
            "rows_quarantined": f.rows_quarantined,
            "rows_superseded": f.rows_superseded,
            "rows_suppressed_at_source": f.rows_suppressed_at_source,
            "rows_screened": f.rows_screened,
            "rows_text_truncated": f.rows_text_truncated,
            "rows_blank_skipped": f.rows_blank_skipped,
            "first_year": f.first_year,
            "last_year": f.last_year,
            "columns_used": ", ".join(f"{k}={v}" for k, v in raw.mapping.items()) or None,
            "extra_columns": ", ".join(raw.extra_columns) or None,
            "notes": screen_text("; ".join(notes))[0] if notes else None,
            "loaded_at": self.loaded_at,
        }

    def _not_delivered_row(self) -> dict[str, object]:
        row: dict[str, object] = {name: None for name in LOAD_LOG_SCHEMA.names}
        row.update(
            run_id=self.run_id,
            source=self.result.source,
            status="not_delivered",
            notes=f"no files in {self.spec.folder}/",
            loaded_at=self.loaded_at,
        )
        for name in LOAD_LOG_SCHEMA.names:
            if name.startswith("rows_"):
                row[name] = 0
        return row


def screen_table_text(con: duckdb.DuckDBPyConnection, table: str, columns: Iterable[str]) -> int:
    """Replace personnummer, phone numbers and e-mails in text columns of a table.

    A broad regular expression picks candidate rows in SQL; only those go through the exact
    (Luhn-checked) screening in Python. Returns the number of rows changed.
    """
    changed = 0
    for column in columns:
        candidates = con.execute(
            f"SELECT rowid, {column} FROM {table} WHERE regexp_matches({column}, ?)",
            [PREFILTER_SQL_REGEX],
        ).fetchall()
        updates = []
        for rowid, text in candidates:
            screened, hits = screen_text(text)
            if hits:
                updates.append((screened, rowid))
        if updates:
            con.executemany(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", updates)
            changed += len(updates)
    return changed
