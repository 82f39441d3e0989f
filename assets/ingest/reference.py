"""referens/: the crime-category and theme lists (data-contract §2.6).

A raw folder's own `referens/brottskategorier.csv`, `referens/teman.csv` and
`referens/trygghetsfragor.csv` (§2.8) replace the
project's shipped defaults, each on its own; the load log says which was used.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from assets.ingest.loader import RowLoader, SourceLoad
from assets.ingest.sources import CRIME_CATEGORIES, SURVEY_QUESTIONS, THEMES, SourceSpec

DEFAULTS_DIR = Path(__file__).parent / "defaults"
#: File stem of each reference list, in load order (themes first: categories point at them).
REFERENCE_LISTS: tuple[tuple[SourceSpec, str], ...] = (
    (THEMES, "teman"),
    (CRIME_CATEGORIES, "brottskategorier"),
    (SURVEY_QUESTIONS, "trygghetsfragor"),
)


def load_reference_lists(
    con: duckdb.DuckDBPyConnection,
    *,
    raw_dir: Path,
    build_dir: Path,
    run_id: str,
    loaded_at: dt.datetime,
) -> SourceLoad:
    """Load the lists into staging.theme, .crime_category and .survey_question; one SourceLoad."""
    folder = raw_dir / "referens"
    combined = SourceLoad(spec=CRIME_CATEGORIES, source="referens")
    known_stems = {stem for _, stem in REFERENCE_LISTS}
    if folder.is_dir():
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if path.is_file() and path.stem.lower() not in known_stems:
                combined.ignored.append(path)
    for spec, stem in REFERENCE_LISTS:
        own = _own_file(folder, stem)
        loader = (ThemeLoader if spec is THEMES else RowLoader)(
            con,
            spec,
            raw_dir=raw_dir,
            build_dir=build_dir,
            run_id=run_id,
            loaded_at=loaded_at,
            source="referens",
        )
        result = loader.run([own or DEFAULTS_DIR / f"{stem}.csv"])
        if own is None:
            con.execute(
                f"""UPDATE ingest.{spec.table}_load_log
                    SET status = 'default', notes = concat_ws('; ',
                        'the project''s default list (no referens/{stem}.csv delivered)', notes)"""
            )
            combined.notes.append(f"{stem}: the project's default list was used")
        else:
            combined.notes.append(f"{stem}: the raw folder's own list was used")
        combined.files.extend(result.files)
    _finish_themes(con, combined)
    return combined


class ThemeLoader(RowLoader):
    """RowLoader for teman.csv: an unreadable prioriteras is read as ja and named in the log."""

    def after_outputs(self) -> None:
        counts = self.con.execute(
            "SELECT file_ord, string_agg(theme, ', ' ORDER BY row_number) FROM staging.theme "
            "WHERE priority_flag_unreadable GROUP BY file_ord"
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        for file_ord, themes in counts:
            raw = by_ord[file_ord].raw
            header = raw.mapping.get("prioriteras", "prioriteras")
            raw.notes.append(
                f"{header} is neither ja nor nej for {themes}: read as ja (the default)"
            )
        self.con.execute("ALTER TABLE staging.theme DROP COLUMN priority_flag_unreadable")


def _own_file(folder: Path, stem: str) -> Path | None:
    if not folder.is_dir():
        return None
    for ext in (".csv", ".xlsx"):
        for path in folder.iterdir():
            if path.is_file() and path.stem.lower() == stem and path.suffix.lower() == ext:
                return path
    return None


def _finish_themes(con: duckdb.DuckDBPyConnection, combined: SourceLoad) -> None:
    """Give themes their order, and add any theme a category names but teman.csv lacks.

    Categories then carry the theme's spelling from teman.csv, so one theme is one string.
    """
    con.execute(
        """CREATE OR REPLACE TABLE staging.theme AS
           SELECT theme, theme_key, description, is_prioritised, true AS is_listed,
                  row_number() OVER (ORDER BY row_number) AS sort_order, file_ord, row_number
           FROM staging.theme"""
    )
    missing = con.execute(
        """SELECT DISTINCT c.theme, c.theme_key FROM staging.crime_category AS c
           ANTI JOIN staging.theme AS t USING (theme_key) ORDER BY 1"""
    ).fetchall()
    if missing:
        con.execute(
            """INSERT INTO staging.theme
               SELECT theme, theme_key, NULL, true, false,
                      (SELECT coalesce(max(sort_order), 0) FROM staging.theme)
                        + row_number() OVER (ORDER BY theme), NULL, NULL
               FROM (SELECT DISTINCT c.theme, c.theme_key FROM staging.crime_category AS c
                     ANTI JOIN staging.theme AS t USING (theme_key))"""
        )
        names = ", ".join(repr(m[0]) for m in missing)
        combined.notes.append(f"themes named by categories but not in teman.csv: {names}")
    con.execute(
        """UPDATE staging.crime_category AS c SET theme = t.theme
           FROM staging.theme AS t WHERE t.theme_key = c.theme_key"""
    )
