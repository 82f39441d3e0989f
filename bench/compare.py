"""The correctness check: the pipeline's published ``area_year`` against the baseline's.

Every row is compared, joined on (area_id, year): counts and population exactly, the rate
within an absolute tolerance (1e-9), NULLs only with NULLs. Columns beyond the five of the
issue (is_complete_year, missing_cells, population_year) are compared too where both sides
have them. Both files are opened read-only.

    python -m bench.compare PIPELINE_DB BASELINE_DB
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

KEY = ("area_id", "year")
EXACT = ("crime_count", "population")
RATE = "crimes_per_1000"
EXTRA_EXACT = ("is_complete_year", "missing_cells", "population_year")
RATE_TOLERANCE = 1e-9


def _columns(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'main' AND table_name = 'area_year'",
        [catalog],
    ).fetchall()
    return {r[0] for r in rows}


def compare_area_year(pipeline_db: Path, baseline_db: Path, *, examples: int = 10) -> dict:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{pipeline_db}' AS p (READ_ONLY)")
        con.execute(f"ATTACH '{baseline_db}' AS b (READ_ONLY)")
        p_cols, b_cols = _columns(con, "p"), _columns(con, "b")
        required = set(KEY) | set(EXACT) | {RATE}
        missing = sorted(required - p_cols)
        if missing:
            return {
                "passed": False,
                "error": f"the pipeline's area_year lacks columns: {', '.join(missing)}",
            }
        extra = [c for c in EXTRA_EXACT if c in p_cols and c in b_cols]
        checks = {
            **{c: f"p.{c} IS DISTINCT FROM b.{c}" for c in (*EXACT, *extra)},
            RATE: (
                f"(p.{RATE} IS NULL) <> (b.{RATE} IS NULL) "
                f"OR abs(p.{RATE} - b.{RATE}) > {RATE_TOLERANCE}"
            ),
        }
        presence = "p.area_id IS NULL OR b.area_id IS NULL"
        any_diff = " OR ".join(f"({c})" for c in [presence, *checks.values()])
        counts_sql = ", ".join(
            [
                "count(*) AS rows_compared",
                "count(*) FILTER (WHERE b.area_id IS NULL) AS only_in_pipeline",
                "count(*) FILTER (WHERE p.area_id IS NULL) AS only_in_baseline",
                *[
                    f"count(*) FILTER (WHERE p.area_id IS NOT NULL AND b.area_id IS NOT NULL "
                    f'AND ({cond})) AS "{col}"'
                    for col, cond in checks.items()
                ],
                f"count(*) FILTER (WHERE {any_diff}) AS rows_mismatched",
                "max(abs(p.crimes_per_1000 - b.crimes_per_1000)) AS max_rate_abs_diff",
            ]
        )
        base = (
            "FROM p.main.area_year AS p FULL OUTER JOIN b.main.area_year AS b "
            "ON p.area_id = b.area_id AND p.year = b.year"
        )
        row = con.execute(f"SELECT {counts_sql} {base}").fetchone()
        names = [d[0] for d in con.description]
        result = dict(zip(names, row, strict=True))
        shown = ", ".join(
            f"p.{c} AS pipeline_{c}, b.{c} AS baseline_{c}" for c in (*EXACT, RATE, *extra)
        )
        sample = con.execute(
            f"SELECT coalesce(p.area_id, b.area_id) AS area_id, coalesce(p.year, b.year) AS year,"
            f" {shown} {base} WHERE {any_diff} ORDER BY 1, 2 LIMIT {int(examples)}"
        ).fetchall()
        sample_names = [d[0] for d in con.description]
        totals = con.execute(
            "SELECT (SELECT sum(crime_count) FROM p.main.area_year), "
            "(SELECT sum(crime_count) FROM b.main.area_year), "
            "(SELECT count(*) FROM p.main.area_year), (SELECT count(*) FROM b.main.area_year)"
        ).fetchone()
    finally:
        con.close()
    mismatched = int(result["rows_mismatched"])
    return {
        "passed": mismatched == 0 and int(result["rows_compared"]) > 0,
        "rows_pipeline": int(totals[2]),
        "rows_baseline": int(totals[3]),
        "crime_total_pipeline": int(totals[0] or 0),
        "crime_total_baseline": int(totals[1] or 0),
        "rows_compared": int(result["rows_compared"]),
        "rows_mismatched": mismatched,
        "only_in_pipeline": int(result["only_in_pipeline"]),
        "only_in_baseline": int(result["only_in_baseline"]),
        "mismatches_by_column": {c: int(result[c]) for c in checks},
        "max_rate_abs_diff": result["max_rate_abs_diff"],
        "rate_tolerance": RATE_TOLERANCE,
        "columns_compared": [*KEY, *EXACT, RATE, *extra],
        "examples": [
            {
                k: (v if not isinstance(v, float) else repr(v))
                for k, v in zip(sample_names, r, strict=True)
            }
            for r in sample
        ],
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bench.compare PIPELINE_DB BASELINE_DB", file=sys.stderr)
        return 2
    result = compare_area_year(Path(args[0]), Path(args[1]))
    print(json.dumps(result, indent=1, default=str))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
