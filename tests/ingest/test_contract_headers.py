"""Data contract §2, "Headers": case-insensitive, surrounding spaces ignored, å/ä/ö folded,
Swedish names and English aliases; extra columns ignored and listed in the load log; a
missing required column rejects that one file (file_missing_column, naming the column), with
rows_read = its data rows, while the other files still load.
"""

from __future__ import annotations

import io

import openpyxl
import pytest


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FILES = {
    "brott/h1_swedish.csv": (
        "Område_ID;Månad;Brottskategori;Antal;Kommentar;Källa\n"
        "A1;2023-01;Misshandel;1;hej;polisen\n"
        "A2;2023-01;Stöld;2;;\n"
    ),
    "brott/h2_spaces.csv": " OMRÅDE_ID ; MÅNAD ;BROTTSKATEGORI;  ANTAL \nA1;2023-02;Stöld;3\n",
    "brott/h3_english.csv": (
        "area_id,month,crime_category,count,note\nA1,2023-03,Misshandel,4,x\nA3,2023-03,Stöld,5,y\n"
    ),
    "brott/h4_missing_count.csv": (
        "omrade_id;manad;brottskategori;kommentar\nA1;2023-04;Stöld;x\nA2;2023-04;Stöld;y\n"
        "A3;2023-04;Stöld;z\n"
    ),
    "brott/h5_no_month_or_year.csv": "omrade_id;brottskategori;antal\nA1;Stöld;1\nA2;Stöld;2\n",
    "befolkning/pop_english.csv": (
        "area_id,year,age_group,sex,population,source\n"
        "A1,2023,totalt,totalt,100,SCB\nA2,2023,totalt,totalt,200,SCB\n"
    ),
    "befolkning/pop_missing_sex.xlsx": _xlsx(
        [
            ["Område_ID", "År", "Åldersgrupp", "Antal"],
            ["A1", 2022, "totalt", 90],
            ["A2", 2022, "totalt", 190],
            [None, None, None, None],
        ]
    ),
    "orosanmalningar/ref_english.csv": (
        "area_id;month;type;source;age_group;sex;count\nA1;2023-05;sig;polis;13-17;M;6\n"
    ),
    "omradesteam/team_english.csv": (
        "area_id;period;theme;assessment;activities;observations\n"
        "A1;2023-VT;narkotika;3;2;Lugnt i centrum\n"
    ),
}


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("headers")
    build = build_raw(write_raw(root / "raw", base_files(**FILES)), root / "marts", publish=False)
    assert not build.errors(), build.errors()
    return build


def test_nothing_blocks_and_every_file_is_accounted_for(run, assert_accounting):
    # The ingest part of the build job (publish=False): no blocking check failed.
    assert run.result.success
    assert not [
        e
        for e in run.result.get_asset_check_evaluations()
        if not e.passed and e.severity.value == "ERROR"
    ]
    assert_accounting(run)


def test_swedish_headers_with_any_case_and_a_ring_umlaut(run):
    log = run.log_row("brott", "h1_swedish.csv")
    assert (log["status"], log["rows_read"], log["rows_accepted"]) == ("loaded", 2, 2)
    assert log["columns_used"] == (
        "omrade_id=Område_ID, manad=Månad, brottskategori=Brottskategori, antal=Antal"
    )


def test_extra_columns_are_ignored_and_listed(run):
    assert run.log_row("brott", "h1_swedish.csv")["extra_columns"] == "Kommentar, Källa"
    assert run.log_row("brott", "h3_english.csv")["extra_columns"] == "note"
    assert run.log_row("befolkning", "pop_english.csv")["extra_columns"] == "source"
    assert run.log_row("brott", "h2_spaces.csv")["extra_columns"] is None


def test_surrounding_spaces_and_upper_case_are_ignored(run):
    log = run.log_row("brott", "h2_spaces.csv")
    assert (log["status"], log["rows_read"], log["rows_accepted"]) == ("loaded", 1, 1)
    assert log["columns_used"] == (
        "omrade_id=OMRÅDE_ID, manad=MÅNAD, brottskategori=BROTTSKATEGORI, antal=ANTAL"
    )
    assert run.rows(
        """SELECT area_id, month::VARCHAR AS month, crime_category, crime_count
           FROM staging.crime WHERE month = DATE '2023-02-01'"""
    ) == [{"area_id": "A1", "month": "2023-02-01", "crime_category": "Stöld", "crime_count": 3}]


def test_english_aliases(run):
    log = run.log_row("brott", "h3_english.csv")
    assert (log["status"], log["delimiter"], log["rows_accepted"]) == ("loaded", ",", 2)
    assert log["columns_used"] == (
        "omrade_id=area_id, manad=month, brottskategori=crime_category, antal=count"
    )
    assert run.rows(
        """SELECT area_id, year, age_group, sex, population FROM staging.population
           ORDER BY area_id"""
    ) == [
        {"area_id": "A1", "year": 2023, "age_group": "totalt", "sex": "totalt", "population": 100},
        {"area_id": "A2", "year": 2023, "age_group": "totalt", "sex": "totalt", "population": 200},
    ]
    assert run.rows(
        "SELECT area_id, type, source, age_group, sex, referral_count FROM staging.referral"
    ) == [
        {
            "area_id": "A1",
            "type": "sig",
            "source": "polis",
            "age_group": "13-17",
            "sex": "man",
            "referral_count": 6,
        }
    ]
    assert run.rows(
        "SELECT area_id, period, theme, assessment, activities, observations FROM staging.area_team"
    ) == [
        {
            "area_id": "A1",
            "period": "2023-VT",
            "theme": "narkotika",
            "assessment": 3,
            "activities": 2,
            "observations": "Lugnt i centrum",
        }
    ]


@pytest.mark.parametrize(
    ("source", "file", "column", "detail", "rows"),
    [
        (
            "brott",
            "h4_missing_count.csv",
            "antal",
            "required column 'antal' is missing (accepted names: antal / count; "
            "found: omrade_id, manad, brottskategori, kommentar)",
            3,
        ),
        (
            "brott",
            "h5_no_month_or_year.csv",
            "manad",
            "one of the columns 'manad' or 'ar' is required "
            "(found: omrade_id, brottskategori, antal)",
            2,
        ),
        (
            "befolkning",
            "pop_missing_sex.xlsx",
            "kon",
            "required column 'kon' is missing (accepted names: kon / sex; "
            "found: Område_ID, År, Åldersgrupp, Antal)",
            2,
        ),
    ],
)
def test_missing_required_column_rejects_only_that_file(run, source, file, column, detail, rows):
    (row,) = run.quarantine(source, file)
    assert (row["reason"], row["row_number"], row["column_name"], row["raw"]) == (
        "file_missing_column",
        None,
        column,
        None,
    )
    assert row["detail"] == detail
    log = run.log_row(source, file)
    assert (
        log["status"],
        log["rows_read"],
        log["rows_accepted"],
        log["rows_quarantined"],
        log["rows_superseded"],
    ) == ("rejected", rows, 0, rows, 0)
    assert log["notes"] == f"rejected: file_missing_column: {detail}"


def test_other_files_still_load(run):
    loaded = {
        (r["source"], r["file"]): (r["status"], r["rows_accepted"])
        for r in run.load_log()
        if r["source"] in ("brott", "befolkning")
    }
    assert loaded == {
        ("brott", "brott.csv"): ("loaded", 4),
        ("brott", "h1_swedish.csv"): ("loaded", 2),
        ("brott", "h2_spaces.csv"): ("loaded", 1),
        ("brott", "h3_english.csv"): ("loaded", 2),
        ("brott", "h4_missing_count.csv"): ("rejected", 0),
        ("brott", "h5_no_month_or_year.csv"): ("rejected", 0),
        ("befolkning", "pop_english.csv"): ("loaded", 2),
        ("befolkning", "pop_missing_sex.xlsx"): ("rejected", 0),
    }
    assert run.scalar("SELECT count(*) FROM staging.crime") == 9
