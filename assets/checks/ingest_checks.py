"""Data-quality checks on the staged sources, as Dagster asset checks.

Per source, one multi-asset check runs
  - the contract's rules in SQL: the accounting rule, the share quarantined per file, and
    that a required source has accepted rows (all blocking, data-contract §2.7);
  - the source's Great Expectations suite (suites/<source>.yml) in DuckDB.
Population also gets cross-source checks against the crime years.

Blocking checks stop everything downstream: nothing new is published and the CLI exits 1.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import dagster as dg
import duckdb

from assets.checks.gx_adapter import Suite, load_suite, run_suites
from assets.database import WorkDatabase, fetch_one
from assets.ingest.assets import staging_key
from assets.ingest.screening import screen_text
from assets.settings import REQUIRED_SOURCES, LagesbildSettings


@dataclass(frozen=True)
class SourceChecks:
    """Which staging asset and tables a source's checks look at."""

    source: str
    asset: str
    tables: tuple[str, ...]

    @property
    def required(self) -> bool:
        return self.source in REQUIRED_SOURCES


SOURCES = (
    SourceChecks("referens", "reference_lists", ("theme", "crime_category", "survey_question")),
    SourceChecks("omraden", "area", ("area",)),
    SourceChecks("befolkning", "population", ("population",)),
    SourceChecks("brott", "crime", ("crime",)),
    SourceChecks("orosanmalningar", "referral", ("referral",)),
    SourceChecks("omradesteam", "area_team", ("area_team",)),
    SourceChecks("trygghet", "survey", ("survey",)),
)

ERROR = dg.AssetCheckSeverity.ERROR
WARN = dg.AssetCheckSeverity.WARN


def accounting_problems(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Files whose load-log counts don't add up, or don't match the tables themselves.

    accepted + quarantined + superseded must equal the rows read, and each count must be
    what staging, quarantine and superseded actually hold for that file.
    """
    rows = con.execute(
        f"""WITH staged AS (SELECT file_ord, count(*) AS n FROM staging.{table} GROUP BY ALL),
                 quarantined AS (
                     SELECT file, count(*) AS n, count(*) FILTER (WHERE row_number IS NULL) AS whole
                     FROM ingest.{table}_quarantine GROUP BY ALL),
                 superseded AS (
                     SELECT file, count(*) AS n FROM ingest.{table}_superseded GROUP BY ALL)
            SELECT l.file, l.status, l.rows_read, l.rows_accepted, l.rows_quarantined,
                   l.rows_superseded, coalesce(s.n, 0), coalesce(q.n, 0), coalesce(q.whole, 0),
                   coalesce(x.n, 0)
            FROM ingest.{table}_load_log AS l
            LEFT JOIN staged AS s USING (file_ord)
            LEFT JOIN quarantined AS q USING (file)
            LEFT JOIN superseded AS x USING (file)
            WHERE l.status <> 'not_delivered'
            ORDER BY l.file_ord"""
    ).fetchall()
    problems = []
    for (
        file,
        status,
        read,
        accepted,
        quarantined,
        superseded,
        staged,
        q_rows,
        q_whole,
        x_rows,
    ) in rows:
        if accepted + quarantined + superseded != read:
            problems.append(
                f"{file}: accepted {accepted} + quarantined {quarantined} + superseded "
                f"{superseded} != rows read {read}"
            )
        if status == "rejected":
            if (staged, q_rows, q_whole) != (0, 1, 1):
                problems.append(
                    f"{file}: rejected whole but has {staged} staged and {q_rows} quarantine rows"
                )
            continue
        for label, logged, actual in (
            ("accepted", accepted, staged),
            ("quarantined", quarantined, q_rows),
            ("superseded", superseded, x_rows),
        ):
            if logged != actual:
                problems.append(f"{file}: load log says {logged} {label}, the table holds {actual}")
    return problems


def quarantine_share_problems(
    con: duckdb.DuckDBPyConnection, table: str, max_share: float
) -> list[str]:
    """Read files with more than `max_share` of their rows quarantined: a changed format."""
    rows = con.execute(
        f"""SELECT file, rows_quarantined, rows_read FROM ingest.{table}_load_log
            WHERE status = 'loaded' AND rows_read > 0
              AND rows_quarantined::DOUBLE / rows_read > ?
            ORDER BY file_ord""",
        [max_share],
    ).fetchall()
    return [
        f"{file}: {q} of {n} rows quarantined ({q / n:.0%} > {max_share:.0%})"
        for file, q, n in rows
    ]


def _offending_sample(con: duckdb.DuckDBPyConnection, table: str, size: int) -> list[str]:
    rows = con.execute(
        f"""SELECT file, row_number, reason, detail FROM ingest.{table}_quarantine
            ORDER BY file, row_number NULLS FIRST LIMIT ?""",
        [size],
    ).fetchall()
    return [
        screen_text(f"{file} row {row if row is not None else '-'}: {reason}: {detail}")[0]
        for file, row, reason, detail in rows
    ]


def _rule_specs(src: SourceChecks, suite: Suite) -> list[dg.AssetCheckSpec]:
    key = staging_key(src.asset)
    specs = [
        dg.AssetCheckSpec(
            "accounting",
            asset=key,
            blocking=True,
            description="For every file: accepted + quarantined + superseded = rows read, and "
            "each count matches the staging, quarantine and superseded tables.",
        ),
        dg.AssetCheckSpec(
            "quarantine_share",
            asset=key,
            blocking=True,
            description="No read file has more than max_quarantine_share of its rows "
            "quarantined (a sign of a changed format, not of scattered errors).",
        ),
    ]
    if src.required:
        specs.append(
            dg.AssetCheckSpec(
                "has_accepted_rows",
                asset=key,
                blocking=True,
                description=f"{src.source}/ is required: the run needs accepted rows from it.",
            )
        )
    specs.extend(
        dg.AssetCheckSpec(f"gx_{e.name}", asset=key, blocking=e.blocking, description=e.description)
        for e in suite.expectations
    )
    return specs


SUITES = {src.source: load_suite(src.source) for src in SOURCES}


def _checks_step(name: str, sources: tuple[SourceChecks, ...]) -> dg.AssetChecksDefinition:
    """One step with the rules and GX suites of several sources, so GX starts once.

    There are two such steps: the sources others depend on (areas, reference lists) must
    pass their blocking checks before those others load.
    """

    @dg.multi_asset_check(
        specs=[spec for src in sources for spec in _rule_specs(src, SUITES[src.source])],
        name=name,
        description="The contract's rules and the Great Expectations suites of "
        + ", ".join(f"{src.source}/" for src in sources)
        + ", run in DuckDB on the staged tables.",
    )
    def _checks(settings: LagesbildSettings, duckdb: WorkDatabase) -> Iterator[dg.AssetCheckResult]:
        with duckdb.get_connection() as con:
            for src in sources:
                yield from _rule_results(con, src, staging_key(src.asset), settings)
            suites = [_materialize_relations(con, SUITES[src.source]) for src in sources]
            # GX opens the file itself, read-only: resolve the run's value sets first and
            # close this connection, since DuckDB allows one configuration per open file.
            queries = {
                kwarg["$query"]: [r[0] for r in con.execute(kwarg["$query"]).fetchall()]
                for suite in suites
                for e in suite.expectations
                for kwarg in e.kwargs.values()
                if isinstance(kwarg, dict) and "$query" in kwarg
            }
        outcomes = run_suites(
            Path(duckdb.database),
            suites,
            queries.__getitem__,
            sample_size=settings.quarantine_sample_size,
        )
        for src in sources:
            for outcome in outcomes[src.source]:
                e = outcome.expectation
                yield dg.AssetCheckResult(
                    asset_key=staging_key(src.asset),
                    check_name=f"gx_{e.name}",
                    passed=outcome.success,
                    severity=ERROR if e.blocking else WARN,
                    description=e.description,
                    metadata=outcome.metadata,
                )

    return _checks


#: Areas and reference lists first: every other source is validated against them.
foundation_checks = _checks_step("foundation_checks", SOURCES[:2])
source_checks = _checks_step("source_checks", SOURCES[2:])


def _materialize_relations(con: duckdb.DuckDBPyConnection, suite: Suite) -> Suite:
    """Compute each derived relation of a suite once, into the schema `checks`.

    GX runs several queries per expectation (counts, unexpected values, samples); on a
    relation that groups millions of rows, each would repeat the work. The relations are
    small (distinct ids, repeated keys), so GX then validates a small table.
    """
    con.execute("CREATE SCHEMA IF NOT EXISTS checks")
    expectations = []
    for e in suite.expectations:
        if e.relation:
            table = f"checks.{suite.source}_{e.name}"
            con.execute(f"CREATE OR REPLACE TABLE {table} AS {e.relation}")
            e = replace(e, relation=f"SELECT * FROM {table}")
        expectations.append(e)
    return replace(suite, expectations=tuple(expectations))


def _rule_results(
    con: duckdb.DuckDBPyConnection,
    src: SourceChecks,
    key: dg.AssetKey,
    settings: LagesbildSettings,
) -> Iterator[dg.AssetCheckResult]:
    accounting = [p for t in src.tables for p in accounting_problems(con, t)]
    yield dg.AssetCheckResult(
        asset_key=key,
        check_name="accounting",
        passed=not accounting,
        severity=ERROR,
        metadata={"problems": [screen_text(p)[0] for p in accounting]} if accounting else {},
    )
    shares = [
        p
        for t in src.tables
        for p in quarantine_share_problems(con, t, settings.max_quarantine_share)
    ]
    metadata: dict[str, object] = {"max_quarantine_share": settings.max_quarantine_share}
    if shares:
        metadata["files"] = [screen_text(p)[0] for p in shares]
        metadata["sample_rows"] = [
            row
            for t in src.tables
            for row in _offending_sample(con, t, settings.quarantine_sample_size)
        ]
    yield dg.AssetCheckResult(
        asset_key=key,
        check_name="quarantine_share",
        passed=not shares,
        severity=ERROR,
        metadata=metadata,
    )
    if src.required:
        accepted = sum(fetch_one(con, f"SELECT count(*) FROM staging.{t}")[0] for t in src.tables)
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name="has_accepted_rows",
            passed=accepted > 0,
            severity=ERROR,
            metadata={"rows_accepted": accepted},
            description=None if accepted else f"no accepted rows in {src.source}/",
        )


# -- population against the crime years --------------------------------------------------------

POPULATION_KEY = staging_key("population")


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "population_usable",
            asset=POPULATION_KEY,
            blocking=True,
            additional_deps=[staging_key("crime")],
            description="If befolkning/ was delivered, it gives a positive population for at "
            "least one known area: otherwise every rate would be wrong, not just missing.",
        ),
        dg.AssetCheckSpec(
            "population_covers_crime_years",
            asset=POPULATION_KEY,
            blocking=False,
            additional_deps=[staging_key("crime")],
            description="Every year with crime data has population for that year. Missing "
            "years use the latest earlier year; years before any population have no rates.",
        ),
        dg.AssetCheckSpec(
            "bands_match_total",
            asset=POPULATION_KEY,
            blocking=False,
            description="Where age bands and a 'totalt' row both exist, they agree within "
            "population_band_tolerance (SCB perturbs cells slightly).",
        ),
    ],
    name="population_cross_checks",
)
def population_cross_checks(
    settings: LagesbildSettings, duckdb: WorkDatabase
) -> Iterator[dg.AssetCheckResult]:
    with duckdb.get_connection() as con:
        delivered, usable = fetch_one(
            con,
            """SELECT count(*), count(*) FILTER (WHERE area_id <> 'okant' AND population > 0)
               FROM staging.population""",
        )
        yield dg.AssetCheckResult(
            asset_key=POPULATION_KEY,
            check_name="population_usable",
            passed=delivered == 0 or usable > 0,
            severity=ERROR,
            metadata={"rows": delivered, "rows_with_positive_population": usable},
        )
        gaps = con.execute(
            # The current, partial year never has its 31 December population yet, so it
            # only counts when it has no population to fall back on at all (no rates).
            """SELECT c.year, max(p.year) AS fallback
               FROM (SELECT year, count(month) = 0 OR count(DISTINCT month(month)) = 12
                            AS is_complete
                     FROM staging.crime GROUP BY year) AS c
               LEFT JOIN (SELECT DISTINCT year FROM staging.population) AS p ON p.year <= c.year
               GROUP BY c.year, c.is_complete
               HAVING max(p.year) IS NULL OR (c.is_complete AND max(p.year) <> c.year)
               ORDER BY c.year"""
        ).fetchall()
        yield dg.AssetCheckResult(
            asset_key=POPULATION_KEY,
            check_name="population_covers_crime_years",
            passed=not gaps,
            severity=WARN,
            metadata={
                "years_without_population": [
                    f"{y}: " + (f"uses {f}" if f is not None else "no rates (no earlier year)")
                    for y, f in gaps
                ]
            },
        )
        mismatches = con.execute(
            """WITH totals AS (
                   SELECT area_id, year, sex, population AS total FROM staging.population
                   WHERE age_group = 'totalt' AND population > 0),
               bands AS (
                   SELECT area_id, year, sex, sum(population) AS banded FROM staging.population
                   WHERE age_group <> 'totalt' GROUP BY ALL)
               SELECT area_id, year, sex, total, banded
               FROM totals JOIN bands USING (area_id, year, sex)
               WHERE abs(banded - total) > ? * total
               ORDER BY abs(banded - total)::DOUBLE / total DESC""",
            [settings.population_band_tolerance],
        ).fetchall()
        yield dg.AssetCheckResult(
            asset_key=POPULATION_KEY,
            check_name="bands_match_total",
            passed=not mismatches,
            severity=WARN,
            metadata={
                "mismatches": len(mismatches),
                "tolerance": settings.population_band_tolerance,
                "sample": [
                    f"{a} {y} {s}: bands {b} vs totalt {t}"
                    for a, y, s, t, b in mismatches[: settings.quarantine_sample_size]
                ],
            },
        )


INGEST_CHECKS = (foundation_checks, source_checks, population_cross_checks)
