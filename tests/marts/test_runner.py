"""runner.drop_table: a model that became a view must replace the table an older run left."""

from __future__ import annotations

from pathlib import Path

from assets.database import connect
from assets.marts.runner import drop_table


def _relations(con) -> set[tuple[str, str]]:
    tables = con.execute("SELECT 'table', table_name FROM duckdb_tables()").fetchall()
    views = con.execute("SELECT 'view', view_name FROM duckdb_views() WHERE NOT internal")
    return set(tables) | set(views.fetchall())


def test_drop_table_removes_a_table_and_leaves_views_and_absent_names_alone(
    tmp_path: Path,
) -> None:
    con = connect(tmp_path / "work.duckdb")
    try:
        con.execute("CREATE TABLE main.crime_month AS SELECT 1 AS crime_count")
        con.execute("CREATE VIEW main.crime_view AS SELECT 2 AS crime_count")
        drop_table(con, "main.crime_month")
        drop_table(con, "main.crime_view")  # a view: not a table, kept
        drop_table(con, "main.never_built")  # absent: nothing to do
        assert _relations(con) == {("view", "crime_view")}
        # The model's own SQL can now create the view under the old table's name.
        con.execute("CREATE OR REPLACE VIEW main.crime_month AS SELECT 3 AS crime_count")
        assert con.execute("SELECT crime_count FROM main.crime_month").fetchall() == [(3,)]
    finally:
        con.close()
