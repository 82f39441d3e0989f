"""The bare-DuckDB lower bound: ``area_year`` from a raw folder in plain SQL.

    python -m bench.baseline --raw-dir D --out-db FILE [--threads N] [--memory-limit 4GB]

It reads the same files as the pipeline and applies the same rules to the rows that
decide ``area_year`` (docs: data-contract.md §2–§3), written independently of the pipeline's
code so that comparing the two results means something:

* areas: the features' properties of the GeoJSON files in ``omraden/`` (DuckDB's JSON
  reader, no spatial extension) or CSV area lists; blank ids and the reserved ``okant``
  are not areas;
* crime categories: ``referens/brottskategorier.csv`` (or the project's default list),
  matched with header-style folding (case, outer spaces, å/ä/ö); a key listed twice is
  quarantined like any duplicate key;
* crime rows (``brott/``, monthly deliveries): a row is accepted when its area is known (or
  ``okant``), its month parses (``YYYY-MM``, ``YYYYMM``, ``YYYY-MM-01``), its category is
  listed and its count is a whole number ≥ 0 (``12,0`` is 12) or not available (``..``,
  ``.``, empty: NULL, never 0);
* duplicate keys (area, month, category): the same key twice in one file drops every row of
  it; across files, the file whose name sorts last wins (code-point order);
* ``area_year``: every area × every year from the first to the last year with crime data
  (dense, 0 without crimes), ``okant`` left out, NULL counts left out of the sum, the last
  year partial unless the data reach its December; population = the ``totalt``/``totalt``
  row (else women + men, else the age bands), for a year without one the latest earlier
  year's; ``crimes_per_1000 = crime_count / population * 1000``.

What it leaves out, because the benchmark data never has it and it would only slow the
lower bound: Windows-1252 transcoding, XLSX, yearly (``ar``) crime deliveries, and the
overlapping-age-band rule for population bands (the ``totalt`` row wins anyway). It is a
benchmark baseline for generated folders, not a second pipeline.

Everything is set-based SQL: no Python loop touches a row. It is written to be as fast as
plain DuckDB allows, so that it is a fair lower bound: one streamed pass over the CSV files
with exact-text lookups in small tables, the full parsing rules only for the few distinct
texts that pass leaves open, one packed BIGINT key per row, and repeated keys found by
sorting rather than by hashing 28 million distinct keys.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import unicodedata
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CATEGORIES = REPO / "assets" / "ingest" / "defaults" / "brottskategorier.csv"

#: Contract column (folded) -> accepted header names (folded), per source.
CRIME_COLUMNS = {
    "omrade_id": ("omrade_id", "area_id"),
    "manad": ("manad", "month"),
    "brottskategori": ("brottskategori", "crime_category"),
    "antal": ("antal", "count"),
}
POPULATION_COLUMNS = {
    "omrade_id": ("omrade_id", "area_id"),
    "ar": ("ar", "year"),
    "aldersgrupp": ("aldersgrupp", "age_group"),
    "kon": ("kon", "sex"),
    "antal": ("antal", "population", "count"),
}
CATEGORY_COLUMNS = {
    "brottskategori": ("brottskategori", "crime_category", "category"),
    "tema": ("tema", "theme"),
}
AREA_COLUMNS = {"omrade_id": ("omrade_id", "area_id")}

# The contract's parsing rules, as macros (data-contract.md §2, "General rules").
MACROS = r"""
CREATE OR REPLACE TEMP MACRO b_fold(s) AS strip_accents(lower(trim(s)));
CREATE OR REPLACE TEMP MACRO b_blank(s) AS (s IS NULL OR trim(s) = '');
CREATE OR REPLACE TEMP MACRO b_not_available(s) AS (s IS NULL OR trim(s) IN ('', '.', '..'));
CREATE OR REPLACE TEMP MACRO b_number(s) AS
    TRY_CAST(replace(replace(replace(trim(s), ' ', ''), chr(160), ''), ',', '.') AS DOUBLE);
CREATE OR REPLACE TEMP MACRO b_whole(d) AS
    coalesce(isfinite(d) AND d >= 0 AND d = floor(d) AND d < 1e15, false);
-- A count is fine when not available at source or a whole number >= 0. The plain number
-- ('12') is the common case: DuckDB's own DOUBLE cast gives the same value as the full
-- rule, so the replace() chain runs only on the rest ('12,0', '1 200', '..', text).
CREATE OR REPLACE TEMP MACRO b_count_ok(s, d) AS
    CASE WHEN d IS NOT NULL THEN b_whole(d)
         ELSE b_not_available(s) OR b_whole(b_number(s)) END;
CREATE OR REPLACE TEMP MACRO b_count(s, d) AS
    CASE WHEN d IS NOT NULL THEN d::BIGINT
         WHEN b_not_available(s) THEN NULL
         ELSE b_number(s)::BIGINT END;
-- A month as year * 12 + (month - 1); NULL when unparseable.
CREATE OR REPLACE TEMP MACRO b_month_date(s) AS (
    CASE
        WHEN length(s) = 7 AND s[5] = '-' THEN TRY_CAST(s || '-01' AS DATE)
        WHEN length(trim(s)) = 7 AND substr(trim(s), 5, 1) = '-'
            THEN try_strptime(trim(s) || '-01', '%Y-%m-%d')::DATE
        WHEN length(trim(s)) = 6 AND regexp_full_match(trim(s), '[0-9]{6}')
            THEN try_strptime(trim(s) || '01', '%Y%m%d')::DATE
        WHEN length(trim(s)) = 10 AND substr(trim(s), 9, 2) = '01'
            THEN try_strptime(trim(s), '%Y-%m-%d')::DATE
    END
);
-- Every 'YYYY-MM' text from 1900 to 2100 with its month index (year * 12 + month - 1):
-- the common case as a lookup.
CREATE OR REPLACE TEMP TABLE month_lookup AS
    SELECT strftime(d, '%Y-%m') AS text, (year(d) * 12 + month(d) - 1)::INTEGER AS month_idx
    FROM range(DATE '1900-01-01', DATE '2101-01-01', INTERVAL 1 MONTH) AS t(d);
CREATE OR REPLACE TEMP MACRO b_year(s) AS
    CASE WHEN b_whole(b_number(s)) AND b_number(s) BETWEEN 1900 AND 2100
         THEN b_number(s)::INTEGER END;
CREATE OR REPLACE TEMP MACRO b_sex(s) AS (
    CASE b_fold(s)
        WHEN 'kvinnor' THEN 'kvinnor' WHEN 'kvinna' THEN 'kvinnor' WHEN 'k' THEN 'kvinnor'
        WHEN 'flickor' THEN 'kvinnor' WHEN 'flicka' THEN 'kvinnor'
        WHEN 'women' THEN 'kvinnor' WHEN 'female' THEN 'kvinnor' WHEN 'f' THEN 'kvinnor'
        WHEN 'man' THEN 'man' WHEN 'm' THEN 'man' WHEN 'pojkar' THEN 'man'
        WHEN 'pojke' THEN 'man' WHEN 'men' THEN 'man' WHEN 'male' THEN 'man'
        WHEN 'totalt' THEN 'totalt' WHEN 'total' THEN 'totalt' WHEN 't' THEN 'totalt'
        WHEN 'samtliga' THEN 'totalt' WHEN 'alla' THEN 'totalt' WHEN 'bada' THEN 'totalt'
    END
);
CREATE OR REPLACE TEMP MACRO b_age_text(s) AS
    regexp_replace(replace(replace(b_fold(s), '–', '-'), ' ', ''), '(ar)$', '');
CREATE OR REPLACE TEMP MACRO b_age(s) AS (
    CASE
        WHEN b_age_text(s) IN ('totalt', 'total', 'alla', 'samtliga') THEN 'totalt'
        WHEN regexp_full_match(b_age_text(s), '[0-9]{1,3}-[0-9]{1,3}')
             AND TRY_CAST(split_part(b_age_text(s), '-', 1) AS INTEGER)
                 <= TRY_CAST(split_part(b_age_text(s), '-', 2) AS INTEGER)
            THEN 'band'
        WHEN regexp_full_match(b_age_text(s), '[0-9]{1,3}\+') THEN 'band'
    END
);
CREATE OR REPLACE TEMP MACRO b_age_key(s) AS (
    CASE WHEN b_age(s) = 'totalt' THEN 'totalt'
         WHEN b_age_text(s) LIKE '%+'
             THEN TRY_CAST(rtrim(b_age_text(s), '+') AS INTEGER)::VARCHAR || '+'
         ELSE TRY_CAST(split_part(b_age_text(s), '-', 1) AS INTEGER)::VARCHAR || '-'
              || TRY_CAST(split_part(b_age_text(s), '-', 2) AS INTEGER)::VARCHAR END
);
CREATE OR REPLACE TEMP MACRO b_unplaced(s) AS (b_fold(s) IN ('okant', 'okand'));
"""


class BaselineError(Exception):
    """The raw folder is not something the baseline reads."""


def fold_header(text: str) -> str:
    """Header folding as in the contract: case, outer spaces, accents; inner blanks → _."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join(plain.replace("-", " ").split())


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _files(folder: Path, exts: tuple[str, ...]) -> list[Path]:
    """Deliveries in code-point order of their names; hidden and lock files skipped."""
    if not folder.is_dir():
        return []
    return [
        p
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in exts
    ]


def _csv_select(path: Path, wanted: dict[str, tuple[str, ...]], file_ord: int) -> str | None:
    """A SELECT over one CSV delivery with the contract's columns as text, or None.

    The header is read here (delimiter and column positions); a file without a required
    column is rejected whole by the pipeline, so it contributes no rows here either.
    """
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        header_line = fh.readline()
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    folded = [fold_header(h) for h in header]
    positions: dict[str, int] = {}
    for name, aliases in wanted.items():
        for i, h in enumerate(folded):
            if h in aliases:
                positions[name] = i
                break
        else:
            return None
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    reader = (
        f"read_csv({_sql_str(str(path))}, header = false, skip = 1, "
        f"delim = {_sql_str(delimiter)}, quote = '\"', escape = '\"', columns = {columns}, "
        f"auto_detect = false, ignore_errors = true)"
    )
    select = ", ".join(f"c{positions[name]} AS {name}" for name in wanted)
    return f"SELECT {file_ord} AS file_ord, {select} FROM {reader}"


def _union(selects: list[str | None], wanted: dict[str, tuple[str, ...]]) -> str:
    parts = [s for s in selects if s is not None]
    if not parts:
        empty = ", ".join(f"NULL::VARCHAR AS {name}" for name in wanted)
        return f"SELECT NULL::INTEGER AS file_ord, {empty} WHERE false"
    return "\nUNION ALL\n".join(parts)


def load_areas(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """TEMP TABLE area(area_id, area_idx) from the omraden/ deliveries (GeoJSON or CSV)."""
    parts = []
    for file_ord, path in enumerate(
        _files(raw_dir / "omraden", (".geojson", ".json", ".csv")), start=1
    ):
        if path.suffix.lower() == ".csv":
            select = _csv_select(path, AREA_COLUMNS, file_ord)
            if select is not None:
                parts.append(select)
            continue
        # The FeatureCollection is one JSON object: format 'unstructured' (with 'auto',
        # DuckDB 2.0 silently returns no rows for it). The id property is found with the
        # same header folding as a CSV column.
        parts.append(
            f"""SELECT {file_ord} AS file_ord,
                       json_extract_string(f, '$.properties."' || k || '"') AS omrade_id
                FROM (
                    SELECT f, list_filter(
                        json_keys(f -> '$.properties'),
                        lambda k: regexp_replace(strip_accents(lower(trim(k))), '[\\s-]+', '_', 'g')
                             IN ('omrade_id', 'area_id'))[1] AS k
                    FROM (SELECT unnest(features) AS f
                          FROM read_json({_sql_str(str(path))}, format = 'unstructured',
                                         columns = {{'features': 'JSON[]'}},
                                         maximum_object_size = 1073741824))
                )"""
        )
    if not parts:
        raise BaselineError(f"no area file in {raw_dir / 'omraden'}")
    # An id seen twice rejects the file that brings it (in name order); the rest stay.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE area AS
            WITH rows AS (
                SELECT file_ord, trim(omrade_id) AS area_id FROM ({" UNION ALL ".join(parts)})
                WHERE NOT b_blank(omrade_id) AND NOT b_unplaced(omrade_id)
            ),
            first_seen AS (SELECT area_id, min(file_ord) AS first_ord FROM rows GROUP BY ALL),
            rejected AS (
                SELECT DISTINCT r.file_ord FROM rows AS r JOIN first_seen AS s USING (area_id)
                WHERE r.file_ord > s.first_ord
                UNION
                SELECT file_ord FROM rows GROUP BY file_ord, area_id HAVING count(*) > 1
            )
            SELECT area_id, (row_number() OVER (ORDER BY area_id) - 1)::INTEGER AS area_idx
            FROM rows WHERE file_ord NOT IN (SELECT file_ord FROM rejected)"""
    )
    # Exact texts for the crime rows' first pass: the ids, and the reserved 'okant' (-1).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE area_lookup AS
           SELECT area_id AS text, area_idx FROM area
           UNION ALL SELECT 'okant', -1 UNION ALL SELECT 'okand', -1"""
    )


def load_categories(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """TEMP TABLE category(category_key, name, category_idx): listed keys seen once."""
    own = [
        p for p in _files(raw_dir / "referens", (".csv",)) if p.stem.lower() == "brottskategorier"
    ]
    path = own[0] if own else DEFAULT_CATEGORIES
    if not path.is_file():
        raise BaselineError("no referens/brottskategorier.csv and no default list")
    select = _csv_select(path, CATEGORY_COLUMNS, 1)
    if select is None:
        raise BaselineError(f"{path} lacks a required column")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE category AS
            WITH rows AS (
                SELECT b_fold(brottskategori) AS category_key, trim(brottskategori) AS name
                FROM ({select})
                WHERE NOT b_blank(brottskategori) AND NOT b_blank(tema)
            )
            SELECT category_key, any_value(name) AS name,
                   (row_number() OVER (ORDER BY category_key) - 1)::INTEGER AS category_idx
            FROM rows GROUP BY category_key HAVING count(*) = 1"""
    )
    n = con.execute("SELECT count(*) FROM category").fetchone()[0]
    if n >= 4096:  # the packed crime key has 12 bits for the category
        raise BaselineError(f"{n} crime categories: the baseline handles at most 4,095")


def load_crime(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> int:
    """TEMP TABLE crime_year(area_idx, year, crime_count, missing_cells, months): accepted rows
    after duplicate keys and supersession, summed per area and year (area_idx -1 = okant)."""
    files = _files(raw_dir / "brott", (".csv",))
    if not files:
        raise BaselineError(f"no crime file in {raw_dir / 'brott'}")
    union = _union(
        [_csv_select(p, CRIME_COLUMNS, i) for i, p in enumerate(files, start=1)], CRIME_COLUMNS
    )
    # Pass 1, streamed over the files: exact-text lookups against small tables (areas,
    # months, categories) and DuckDB's own number cast settle nearly every row: they get
    # their key, one BIGINT (area, month, category), and their count. A row with a text a
    # lookup misses, or a count that is not a plain number ('..', '12,0', 'fem'), keeps its
    # raw values for pass 2, which applies the full rules (trim, accent folding, other
    # month formats, decimal comma) once per distinct text: the costly string functions
    # never run on millions of rows. A plain number that is negative or a fraction is
    # rejected right here.
    key = "(({a}::BIGINT + 1) << 32) | ({m}::BIGINT << 12) | {c}::BIGINT"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE crime_rows AS
            WITH src AS ({union}),
            looked_up AS (
                SELECT s.*, {key.format(a="a.area_idx", m="m.month_idx", c="c.category_idx")}
                           AS k_found,
                       TRY_CAST(s.antal AS DOUBLE) AS d
                FROM src AS s
                LEFT JOIN area_lookup AS a ON a.text = s.omrade_id
                LEFT JOIN month_lookup AS m ON m.text = s.manad
                LEFT JOIN category AS c ON c.name = s.brottskategori
            )
            SELECT
                file_ord::USMALLINT AS file_ord,
                CASE WHEN d IS NOT NULL AND b_whole(d) THEN k_found END AS k,
                CASE WHEN d IS NOT NULL AND b_whole(d) THEN d::BIGINT END AS crime_count,
                CASE WHEN k_found IS NULL AND (d IS NULL OR b_whole(d)) OR d IS NULL
                     THEN {{'area': omrade_id, 'month': manad, 'category': brottskategori,
                            'count': antal}} END AS pending
            FROM looked_up"""
    )
    # Pass 2: the distinct texts pass 1 could not settle, judged by the full rules.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE pending AS
           SELECT file_ord, pending.area, pending.month, pending.category, pending.count
           FROM crime_rows WHERE pending IS NOT NULL"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE area_miss AS
           SELECT t.text, coalesce(a.area_idx, CASE WHEN b_unplaced(t.text) THEN -1 END)
                      AS area_idx
           FROM (SELECT DISTINCT area AS text FROM pending WHERE area IS NOT NULL) AS t
           LEFT JOIN area AS a ON a.area_id = trim(t.text)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE month_miss AS
           SELECT text, date_diff('month', DATE '0000-01-01', b_month_date(text)) AS month_idx
           FROM (SELECT DISTINCT month AS text FROM pending WHERE month IS NOT NULL)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE category_miss AS
           SELECT t.text, c.category_idx
           FROM (SELECT DISTINCT category AS text FROM pending WHERE category IS NOT NULL) AS t
           LEFT JOIN category AS c ON c.category_key = b_fold(t.text)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE count_miss AS
           SELECT text, b_count_ok(text, NULL::DOUBLE) AS ok, b_count(text, NULL::DOUBLE) AS value
           FROM (SELECT DISTINCT count AS text FROM pending WHERE count IS NOT NULL)"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE pending_keyed AS
            SELECT p.file_ord,
                   {key.format(a="am.area_idx", m="mm.month_idx", c="cm.category_idx")} AS k,
                   CASE WHEN p.count IS NULL THEN NULL ELSE nm.value END AS crime_count
            FROM pending AS p
            JOIN area_miss AS am ON am.text = p.area
            JOIN month_miss AS mm ON mm.text = p.month
            JOIN category_miss AS cm ON cm.text = p.category
            LEFT JOIN count_miss AS nm ON nm.text = p.count
            WHERE am.area_idx IS NOT NULL AND mm.month_idx IS NOT NULL
              AND cm.category_idx IS NOT NULL AND (p.count IS NULL OR nm.ok)"""
    )
    # Every accepted row, before duplicate keys and supersession.
    con.execute(
        """CREATE OR REPLACE TEMP VIEW crime_keyed AS
           SELECT file_ord, k, crime_count FROM crime_rows WHERE k IS NOT NULL
           UNION ALL
           SELECT file_ord, k, crime_count FROM pending_keyed"""
    )
    # Keys that repeat (the same key twice in a file, or in several files) are the few:
    # found by sorting the keys (cheaper than hashing millions of distinct keys).
    con.execute(
        """CREATE OR REPLACE TEMP TABLE repeated AS
           SELECT DISTINCT k FROM (SELECT k, lag(k) OVER (ORDER BY k) AS prev FROM crime_keyed)
           WHERE k = prev"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE resolved AS
           WITH per_file AS (
               SELECT c.k, c.file_ord, count(*) AS n, any_value(c.crime_count) AS crime_count
               FROM crime_keyed AS c SEMI JOIN repeated AS r USING (k)
               GROUP BY ALL
           )
           -- within a file: a repeated key drops all its rows; across files: the last wins
           SELECT k, arg_max_null(crime_count, file_ord) AS crime_count
           FROM per_file WHERE n = 1 GROUP BY k"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE crime_year AS
           WITH accepted AS (
               SELECT k, crime_count FROM crime_keyed ANTI JOIN repeated USING (k)
               UNION ALL
               SELECT k, crime_count FROM resolved
           )
           SELECT (k >> 32)::INTEGER - 1 AS area_idx,
                  ((k >> 12) & 1048575) // 12 AS year,
                  sum(crime_count) AS crime_count,
                  count(*) FILTER (WHERE crime_count IS NULL) AS missing_cells,
                  max(((k >> 12) & 1048575) % 12 + 1) AS last_month
           FROM accepted GROUP BY ALL"""
    )
    return len(files)


def load_population(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """TEMP TABLE population_year(area_id, year, population): one figure per delivered year."""
    files = _files(raw_dir / "befolkning", (".csv",))
    union = _union(
        [_csv_select(p, POPULATION_COLUMNS, i) for i, p in enumerate(files, start=1)],
        POPULATION_COLUMNS,
    )
    # Few distinct texts per column: parse each distinct value once, then join.
    con.execute(f"CREATE OR REPLACE TEMP TABLE population_src AS {union}")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE population_values AS
           SELECT 'ar' AS col, v AS raw, b_year(v)::VARCHAR AS value
           FROM (SELECT DISTINCT ar AS v FROM population_src)
           UNION ALL
           SELECT 'aldersgrupp', v, CASE WHEN b_age(v) IS NOT NULL THEN b_age_key(v) END
           FROM (SELECT DISTINCT aldersgrupp AS v FROM population_src)
           UNION ALL
           SELECT 'kon', v, b_sex(v) FROM (SELECT DISTINCT kon AS v FROM population_src)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE population_rows AS
           WITH typed AS (
               SELECT s.file_ord, coalesce(a.area_id, a2.area_id) AS area_id,
                      y.value::INTEGER AS year, g.value AS age_group, x.value AS sex,
                      s.antal, TRY_CAST(s.antal AS DOUBLE) AS d
               FROM population_src AS s
               LEFT JOIN area AS a ON a.area_id = s.omrade_id
               LEFT JOIN area AS a2
                      ON a2.area_id = CASE WHEN a.area_id IS NULL THEN trim(s.omrade_id) END
               JOIN population_values AS y ON y.col = 'ar' AND y.raw = s.ar
               JOIN population_values AS g ON g.col = 'aldersgrupp' AND g.raw = s.aldersgrupp
               JOIN population_values AS x ON x.col = 'kon' AND x.raw = s.kon
           )
           SELECT file_ord, area_id, year, age_group, sex, b_count(antal, d) AS population
           FROM typed
           WHERE area_id IS NOT NULL AND year IS NOT NULL AND age_group IS NOT NULL
             AND sex IS NOT NULL AND b_count_ok(antal, d)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE population_year AS
           WITH per_file AS (
               SELECT area_id, year, age_group, sex, file_ord, count(*) AS n,
                      any_value(population) AS population
               FROM population_rows GROUP BY ALL
           ),
           accepted AS (
               SELECT area_id, year, age_group, sex,
                      arg_max_null(population, file_ord) AS population
               FROM per_file WHERE n = 1 GROUP BY ALL
           ),
           totals AS (
               SELECT area_id, year,
                      max(population) FILTER (age_group = 'totalt' AND sex = 'totalt') AS t_all,
                      sum(population) FILTER (age_group = 'totalt' AND sex <> 'totalt') AS t_sexes,
                      count(DISTINCT sex) FILTER (age_group = 'totalt' AND sex <> 'totalt')
                          AS n_sexes,
                      sum(population) FILTER (age_group <> 'totalt' AND sex = 'totalt') AS b_all,
                      sum(population) FILTER (age_group <> 'totalt' AND sex <> 'totalt') AS b_sexes
               FROM accepted WHERE population IS NOT NULL GROUP BY ALL
           )
           SELECT area_id, year,
                  coalesce(t_all, CASE WHEN n_sexes = 2 THEN t_sexes END, b_all, b_sexes)
                      AS population
           FROM totals"""
    )


def build_area_year(con: duckdb.DuckDBPyConnection) -> None:
    """TEMP TABLE area_year: dense area × year, counts, population (with fallback), rate."""
    con.execute(
        """CREATE OR REPLACE TEMP TABLE calendar AS
           WITH bounds AS (
               SELECT min(year) AS first_year, max(year) AS last_year,
                      max(year * 100 + last_month) AS last_ym
               FROM crime_year
           )
           SELECT y.year::INTEGER AS year,
                  y.year < b.last_ym // 100 OR b.last_ym % 100 = 12 AS is_complete_year
           FROM bounds AS b, range(b.first_year, b.last_year + 1) AS y(year)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE area_year AS
           SELECT a.area_id, c.year, c.is_complete_year,
                  coalesce(y.crime_count, 0)::BIGINT AS crime_count,
                  coalesce(y.missing_cells, 0)::BIGINT AS missing_cells,
                  p.population::BIGINT AS population,
                  p.year::INTEGER AS population_year,
                  CASE WHEN p.population > 0
                       THEN coalesce(y.crime_count, 0) / p.population * 1000 END
                      AS crimes_per_1000
           FROM area AS a
           CROSS JOIN calendar AS c
           LEFT JOIN crime_year AS y ON y.area_idx = a.area_idx AND y.year = c.year
           ASOF LEFT JOIN population_year AS p ON p.area_id = a.area_id AND c.year >= p.year
           ORDER BY a.area_id, c.year"""
    )


def compute(
    raw_dir: Path,
    out_db: Path | None = None,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> dict[str, object]:
    """Compute area_year from ``raw_dir``; write it to ``out_db`` (table area_year)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
    con.execute("SET preserve_insertion_order = false")
    # The CSV scans have no row estimate, and DuckDB would then build the join hash table on
    # the millions of raw rows and probe it with the few thousand areas: slower and several
    # GB more memory. The lookups are always the small side here.
    con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    con.execute(MACROS)

    def step(name, fn, *args):
        t0 = time.perf_counter()
        result = fn(*args)
        timings[name] = round(time.perf_counter() - t0, 3)
        return result

    step("areas", load_areas, con, raw_dir)
    step("categories", load_categories, con, raw_dir)
    n_files = step("crime", load_crime, con, raw_dir)
    step("population", load_population, con, raw_dir)
    step("area_year", build_area_year, con)
    rows = con.execute("SELECT count(*), sum(crime_count) FROM area_year").fetchone()
    if out_db is not None:
        t0 = time.perf_counter()
        out_db = Path(out_db)
        out_db.parent.mkdir(parents=True, exist_ok=True)
        out_db.unlink(missing_ok=True)
        con.execute(f"ATTACH {_sql_str(str(out_db))} AS out")
        con.execute("CREATE TABLE out.area_year AS SELECT * FROM area_year")
        con.execute("DETACH out")
        timings["write"] = round(time.perf_counter() - t0, 3)
    con.close()
    return {
        "area_year_rows": int(rows[0]),
        "crime_total": int(rows[1] or 0),
        "crime_files": n_files,
        "seconds": round(time.perf_counter() - started, 3),
        "steps_s": timings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.baseline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--out-db", type=Path, help="DuckDB file to write area_year into")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 4GB")
    args = parser.parse_args(argv)
    try:
        info = compute(
            args.raw_dir, args.out_db, threads=args.threads, memory_limit=args.memory_limit
        )
    except BaselineError as exc:
        print(f"bench.baseline: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
