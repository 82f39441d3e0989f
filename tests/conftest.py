"""Shared fixtures: write a raw folder, run the build job on it, read what it produced.

Each fixture hands out a function (session-scoped, so module-scoped fixtures can use them):

    write_raw(root, {"brott/a.csv": "omrade_id;manad;...\\n", ...})  -> root
    base_files(**{"brott/brott.csv": None, ...})  -> the minimal valid folder's files
    run = build_raw(raw_dir, marts_dir)           -> BuildRun (result, con to the work db)
    assert_accounting(run)                        -> the accounting rule, for every file

A build is expensive (Great Expectations starts, the marts are built), so test modules build
each fixture folder once, in a module-scoped fixture, and assert many things on the result.
Every build checks on its own that the raw folder is byte-for-byte untouched and that the
accounting rule holds for every file (data-contract §1 and §2, "Accounting rule").
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

#: The per-source staging tables; each has ingest.<t>_load_log, _quarantine and _superseded.
SOURCE_TABLES = (
    "theme",
    "crime_category",
    "survey_question",
    "area",
    "population",
    "crime",
    "referral",
    "area_team",
    "survey",
)

# A minimal valid base: three areas, a reference list and a few crimes (a December, so the
# data hold one complete year). Categories use characters that differ between encodings.
BASE_AREAS = (
    "omrade_id;omrade_namn;kommun;omradesteam\n"
    "A1;Norr;Älvstad;ja\nA2;Söder;Älvstad;nej\nA3;Öster;Älvstad;ja\n"
)
BASE_CATEGORIES = (
    "brottskategori;tema;signalbrott\n"
    "Misshandel;våld i offentlig miljö;ja\n"
    "Misshandel av barn 0–17 år;barn och unga;nej\n"
    "Narkotikabrott, innehav;narkotika;nej\n"
    "Stöld;egendomsbrott;nej\n"
)
BASE_THEMES = (
    "tema;beskrivning\n"
    "våld i offentlig miljö;Våld på allmän plats\n"
    "barn och unga;Brott mot barn och unga\n"
    "narkotika;Narkotikabrott\n"
    "egendomsbrott;Stölder\n"
    "trygghet;Upplevd trygghet\n"
)
BASE_CRIME = (
    "omrade_id;manad;brottskategori;antal\n"
    "A1;2023-11;Misshandel;4\n"
    "A2;2023-11;Stöld;6\n"
    "A3;2023-12;Misshandel;2\n"
    "A1;2023-12;Stöld;5\n"
)


def _base_files(**overrides: str | bytes | None) -> dict[str, str | bytes]:
    """The base folder's files; an override replaces a file, None leaves it out."""
    files: dict[str, str | bytes | None] = {
        "omraden/omraden.csv": BASE_AREAS,
        "referens/brottskategorier.csv": BASE_CATEGORIES,
        "referens/teman.csv": BASE_THEMES,
        "brott/brott.csv": BASE_CRIME,
    }
    files.update(overrides)
    return {k: v for k, v in files.items() if v is not None}


def _write_raw(root: Path, files: Mapping[str, bytes | str]) -> Path:
    """Write files (relative path -> bytes, or text written as UTF-8 bytes unchanged)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def folder_snapshot(root: Path) -> dict[str, tuple[str, int, int] | str]:
    """Every file (sha256, size, mtime_ns) and every folder under root."""
    state: dict[str, tuple[str, int, int] | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            state[rel] = "dir"
        else:
            st = path.stat()
            state[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns)
    return state


@dataclass
class BuildRun:
    """A finished build: the Dagster result and a read-only connection to its work db."""

    result: Any
    con: duckdb.DuckDBPyConnection
    raw_dir: Path
    marts_dir: Path
    raw_before: dict = field(default_factory=dict)
    raw_after: dict = field(default_factory=dict)
    instance: Any = None

    def __iter__(self):  # run, con = build_raw(...)
        return iter((self.result, self.con))

    @property
    def published(self) -> Path:
        return self.marts_dir / "lagesbild.duckdb"

    def rows(self, sql: str, params: list | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def scalar(self, sql: str, params: list | None = None) -> Any:
        return self.con.execute(sql, params or []).fetchone()[0]

    def has_table(self, schema: str, table: str) -> bool:
        return bool(
            self.scalar(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
                [schema, table],
            )
        )

    def _union(self, suffix: str) -> str:
        parts = [
            f"SELECT * FROM ingest.{t}_{suffix}"
            for t in SOURCE_TABLES
            if self.has_table("ingest", f"{t}_{suffix}")
        ]
        return " UNION ALL BY NAME ".join(parts)

    def load_log(self, source: str | None = None, file: str | None = None) -> list[dict]:
        """main.load_log (or, in a run stopped before it, the per-source tables)."""
        table = (
            "main.load_log"
            if self.has_table("main", "load_log")
            else f"({self._union('load_log')})"
        )
        sql = f"SELECT * FROM {table} WHERE true"
        params: list = []
        if source is not None:
            sql, params = sql + " AND source = ?", [*params, source]
        if file is not None:
            sql, params = sql + " AND file = ?", [*params, file]
        return self.rows(sql + " ORDER BY source, file_ord", params)

    def log_row(self, source: str, file: str) -> dict:
        rows = self.load_log(source, file)
        assert len(rows) == 1, f"expected one load_log row for {source}/{file}, got {rows}"
        return rows[0]

    def quarantine(self, source: str | None = None, file: str | None = None) -> list[dict]:
        """main.quarantine (or the per-source tables), with `raw` parsed from JSON."""
        table = (
            "main.quarantine"
            if self.has_table("main", "quarantine")
            else f"({self._union('quarantine')})"
        )
        sql = f"SELECT * FROM {table} WHERE true"
        params: list = []
        if source is not None:
            sql, params = sql + " AND source = ?", [*params, source]
        if file is not None:
            sql, params = sql + " AND file = ?", [*params, file]
        rows = self.rows(sql + " ORDER BY source, file, row_number NULLS FIRST", params)
        for row in rows:
            try:
                row["raw_json"] = json.loads(row["raw"]) if row["raw"] is not None else None
            except json.JSONDecodeError:  # a malformed CSV line is kept as its text
                row["raw_json"] = None
        return rows

    def superseded(self) -> list[dict]:
        return self.rows(
            f"SELECT * FROM ({self._union('superseded')}) ORDER BY source, file, row_number"
        )

    def check(self, asset: str, name: str):
        """The evaluation of check `name` on asset key 'staging/crime' etc.; None if not run."""
        found = [
            e
            for e in self.result.get_asset_check_evaluations()
            if e.asset_key.to_user_string() == asset and e.check_name == name
        ]
        assert len(found) <= 1
        return found[0] if found else None

    def event_log_text(self) -> str:
        """Everything Dagster recorded for the run: log messages, events and their metadata."""
        return "\n".join(
            f"{entry.user_message}\n{entry.dagster_event!r}"
            for entry in self.instance.all_logs(self.result.run_id)
        )

    def errors(self) -> list[str]:
        """Step failures that are not blocking checks (bugs); [] in a clean run."""
        return _step_errors(self.result)

    def summaries(self) -> list[str]:
        """The run summary lines (one per source), as the CLI prints them."""
        return [
            str(e.materialization.metadata["summary"].value)
            for e in self.result.all_events
            if e.event_type_value == "ASSET_MATERIALIZATION"
            and "summary" in e.materialization.metadata
        ]

    def find_text(self, needles: list[str], con: duckdb.DuckDBPyConnection | None = None):
        """Values of any text column of any table (work db, or `con`) holding a needle."""
        return _text_containing(con or self.con, needles)

    def failed_checks(self) -> set[tuple[str, str]]:
        return {
            (e.asset_key.to_user_string(), e.check_name)
            for e in self.result.get_asset_check_evaluations()
            if not e.passed
        }


def _assert_accounting(run: BuildRun) -> None:
    """Accounting rule (§2) for every file of the run, checked against the tables themselves.

    accepted + quarantined + superseded = rows read; accepted = the file's rows in staging;
    quarantined = its quarantine rows (a file rejected whole: exactly one, with row_number
    NULL); superseded = its rows in ingest.<t>_superseded.
    """
    checked = 0
    for table in SOURCE_TABLES:
        if not run.has_table("ingest", f"{table}_load_log"):
            continue
        logs = run.rows(
            f"SELECT * FROM ingest.{table}_load_log WHERE status <> 'not_delivered' "
            "ORDER BY file_ord"
        )
        for log in logs:
            where = f"{log['source']}/{log['file']}"
            assert (
                log["rows_accepted"] + log["rows_quarantined"] + log["rows_superseded"]
                == log["rows_read"]
            ), f"{where}: accounting rule broken: {log}"
            staged = run.scalar(
                f"SELECT count(*) FROM staging.{table} WHERE file_ord = ?", [log["file_ord"]]
            )
            quarantined = run.rows(
                f"SELECT row_number FROM ingest.{table}_quarantine WHERE file = ?", [log["file"]]
            )
            superseded = run.scalar(
                f"SELECT count(*) FROM ingest.{table}_superseded WHERE file = ?", [log["file"]]
            )
            if log["status"] == "rejected":
                assert (staged, superseded, log["rows_accepted"]) == (0, 0, 0), where
                assert [q["row_number"] for q in quarantined] == [None], where
                assert log["rows_quarantined"] == log["rows_read"], where
            else:
                assert staged == log["rows_accepted"], f"{where}: {staged} staged vs {log}"
                assert len(quarantined) == log["rows_quarantined"], f"{where}: {quarantined}"
                assert None not in [q["row_number"] for q in quarantined], where
                assert superseded == log["rows_superseded"], where
            checked += 1
    assert checked > 0, "no file was loaded at all"


def _execute_build(settings, publish: bool, instance) -> Any:
    from assets.ingest.assets import INGEST_ASSETS
    from pipelines.definitions import build_definitions

    job = build_definitions(settings).resolve_job_def("build")
    selection = None if publish else [key for asset in INGEST_ASSETS for key in asset.keys]
    return job.execute_in_process(
        instance=instance,
        asset_selection=selection,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )


@pytest.fixture(scope="session")
def build_raw() -> Iterator[Callable[..., BuildRun]]:
    """Run the `build` job on a raw folder; returns a BuildRun. Connections close at the end.

    publish=False runs only the job's ingest assets and their checks (quarantine and
    load_log included), not the marts and the publication: a third of the time, for tests
    of ingest rules. Other keyword arguments are settings overrides (max_quarantine_share=0.3).
    """
    from pipelines.resources import settings_from_env

    opened: list[duckdb.DuckDBPyConnection] = []

    def run(raw_dir: Path, marts_dir: Path, *, publish: bool = True, **overrides: Any) -> BuildRun:
        before = folder_snapshot(raw_dir)
        settings = settings_from_env(
            {
                "raw_dir": str(raw_dir),
                "marts_dir": str(marts_dir),
                "reports_dir": str(marts_dir.parent / f"{marts_dir.name}_reports"),
                **overrides,
            },
            environ={},
        )
        import dagster as dg  # here, not at the top: tests that never build don't pay for it

        instance = dg.DagsterInstance.ephemeral()
        result = _execute_build(settings, publish, instance)
        after = folder_snapshot(raw_dir)
        con = duckdb.connect(str(settings.work_db_path), read_only=True)
        opened.append(con)
        build = BuildRun(result, con, raw_dir, marts_dir, before, after, instance)
        # The pipeline never modifies, moves or deletes anything under the raw folder (§1).
        assert after == before, "the build changed the raw folder"
        _assert_accounting(build)
        return build

    yield run
    for con in opened:
        con.close()


def _step_errors(result) -> list[str]:
    """Step failures other than blocking checks: these are bugs, shown when a test fails."""
    errors = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            if "DagsterAssetCheckFailedError" not in (error.cls_name or ""):
                errors.append(f"{event.step_key}: {error.to_string()[-3000:]}")
    return errors


def _text_containing(con: duckdb.DuckDBPyConnection, needles: list[str]) -> list[str]:
    """Every (table.column: value) of any text column (VARCHAR, JSON, lists and structs of
    them) of any table or view that contains a needle. One query per table."""
    columns = con.execute(
        """SELECT schema_name, table_name, list(column_name ORDER BY column_index)
           FROM duckdb_columns()
           WHERE NOT internal AND (data_type LIKE '%VARCHAR%' OR data_type = 'JSON')
           GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    assert columns, "no text columns to scan"
    hits = []
    for schema, table, names in columns:
        texts = [f'"{name}"::VARCHAR' for name in names]
        where = " OR ".join(f"contains({t}, ?)" for t in texts for _ in needles)
        rows = con.execute(
            f'SELECT {", ".join(texts)} FROM "{schema}"."{table}" WHERE {where}',
            [n for _ in texts for n in needles],
        ).fetchall()
        for row in rows:
            hits.extend(
                f"{schema}.{table}.{name}: {value!r}"
                for name, value in zip(names, row, strict=True)
                if value is not None and any(n in value for n in needles)
            )
    return hits


@pytest.fixture(scope="session")
def write_raw() -> Callable[[Path, Mapping[str, bytes | str]], Path]:
    return _write_raw


@pytest.fixture(scope="session")
def base_files() -> Callable[..., dict[str, str | bytes]]:
    return _base_files


@pytest.fixture(scope="session")
def assert_accounting() -> Callable[[BuildRun], None]:
    return _assert_accounting


@pytest.fixture(scope="session")
def snapshot_folder() -> Callable[[Path], dict]:
    """folder_snapshot: {relative path: (sha256, size, mtime_ns) or 'dir'} of a folder."""
    return folder_snapshot


# -- leaving the test process ---------------------------------------------------------------

_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Exit without the interpreter's teardown, as the CLI does (pipelines/cli.py).

    Great Expectations' DuckDB datasource leaves native objects alive until shutdown, and
    DuckDB's bindings then print pages of harmless 'leaked instance' lines after the test
    summary. Everything is reported and flushed by now; keep pytest's exit status.
    """
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_EXIT_STATUS[-1] if _EXIT_STATUS else 0)
