"""Data contract §2 and §2.7, values: counts (decimal comma, fractions, negatives, text,
suppressed cells), months, empty keys, unknown areas and categories, the reserved `okant`, and
optional sources that were not delivered.
"""

from __future__ import annotations

import pytest

HEADER = "omrade_id;manad;brottskategori;antal\n"

COUNTS = HEADER + (
    "A1;2022-01;Misshandel;12,0\n"  # 1: a whole number with a decimal comma
    "A2;2022-01;Misshandel;12.0\n"  # 2: ... and with a decimal point
    "A3;2022-01;Misshandel;2,5\n"  # 3: a fraction
    "A1;2022-02;Misshandel;-1\n"  # 4: negative
    "A2;2022-02;Misshandel;tre\n"  # 5: text
    "A3;2022-02;Misshandel;..\n"  # 6: suppressed at source
    "A1;2022-03;Misshandel;.\n"  # 7: suppressed at source
    "A2;2022-03;Misshandel;\n"  # 8: empty cell: not available
    "A3;2022-03;Misshandel;0\n"  # 9: a real zero
)
MONTHS = HEADER + (
    "A1;2022-05;Stöld;1\n"  # 1: YYYY-MM
    "A1;202206;Stöld;2\n"  # 2: YYYYMM
    "A1;2022-07-01;Stöld;3\n"  # 3: YYYY-MM-01
    "A1;2022-13;Stöld;4\n"  # 4: no month 13
    "A1;2022-08-15;Stöld;5\n"  # 5: a day other than 01
    "A1;2022-09;Stöld;6\n"  # 6
)
PLACES = HEADER + (
    "X9;2022-01;Stöld;1\n"  # 1: unknown area
    "okant;2022-01;Stöld;2\n"  # 2: place unknown: accepted
    "A1;2022-01;Rattfylleri;3\n"  # 3: unknown category
    ";2022-01;Stöld;4\n"  # 4: empty key
    "A2;2022-01;Stöld;5\n"  # 5
    "A3;2022-01;Stöld;6\n"  # 6
    "okant;2022-02;Misshandel;7\n"  # 7
)


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("values")
    raw = write_raw(
        root / "raw",
        base_files(
            **{"brott/counts.csv": COUNTS, "brott/months.csv": MONTHS, "brott/places.csv": PLACES}
        ),
    )
    (raw / "orosanmalningar").mkdir()  # delivered as an empty folder
    build = build_raw(raw, root / "marts", publish=False)
    assert not build.errors(), build.errors()
    return build


def _staged(run, file: str) -> list[tuple]:
    return run.con.execute(
        """SELECT c.row_number, c.area_id, strftime(c.month, '%Y-%m'), c.crime_category,
                  c.crime_count
           FROM staging.crime AS c JOIN main.load_log AS l
             ON l.source = 'brott' AND l.file_ord = c.file_ord
           WHERE l.file = ? ORDER BY c.row_number""",
        [file],
    ).fetchall()


def _reasons(run, file: str) -> list[tuple]:
    return [(q["row_number"], q["reason"], q["column_name"]) for q in run.quarantine("brott", file)]


def test_nothing_blocks_and_every_file_is_accounted_for(run, assert_accounting):
    # The ingest part of the build job (publish=False): no blocking check failed.
    assert run.result.success
    assert not [
        e
        for e in run.result.get_asset_check_evaluations()
        if not e.passed and e.severity.value == "ERROR"
    ]
    assert_accounting(run)


def test_decimal_comma_whole_numbers_and_suppressed_cells(run):
    assert _staged(run, "counts.csv") == [
        (1, "A1", "2022-01", "Misshandel", 12),
        (2, "A2", "2022-01", "Misshandel", 12),
        (6, "A3", "2022-02", "Misshandel", None),
        (7, "A1", "2022-03", "Misshandel", None),
        (8, "A2", "2022-03", "Misshandel", None),
        (9, "A3", "2022-03", "Misshandel", 0),
    ]
    log = run.log_row("brott", "counts.csv")
    assert (
        log["rows_read"],
        log["rows_accepted"],
        log["rows_quarantined"],
        log["rows_superseded"],
        log["rows_suppressed_at_source"],
    ) == (9, 6, 3, 0, 3)
    # Suppressed cells are never 0: exactly one accepted zero, the one the file holds.
    assert run.scalar("SELECT count(*) FROM staging.crime WHERE crime_count = 0") == 1


@pytest.mark.parametrize(
    ("row_number", "value"), [(3, "2,5"), (4, "-1"), (5, "tre")], ids=["fraction", "neg", "text"]
)
def test_invalid_count(run, row_number, value):
    (q,) = [q for q in run.quarantine("brott", "counts.csv") if q["row_number"] == row_number]
    assert (q["reason"], q["column_name"]) == ("invalid_count", "antal")
    assert q["detail"] == f"column 'antal': '{value}' is not a whole number >= 0"
    assert q["raw_json"]["antal"] == value
    assert set(q["raw_json"]) == {"omrade_id", "manad", "brottskategori", "antal"}


def test_fraction_keeps_the_original_text_in_raw(run):
    (q,) = [q for q in run.quarantine("brott", "counts.csv") if q["row_number"] == 3]
    assert q["raw_json"] == {
        "omrade_id": "A3",
        "manad": "2022-01",
        "brottskategori": "Misshandel",
        "antal": "2,5",
    }


def test_month_formats(run):
    assert _staged(run, "months.csv") == [
        (1, "A1", "2022-05", "Stöld", 1),
        (2, "A1", "2022-06", "Stöld", 2),
        (3, "A1", "2022-07", "Stöld", 3),
        (6, "A1", "2022-09", "Stöld", 6),
    ]
    assert run.rows(
        "SELECT DISTINCT year, day(month) AS day FROM staging.crime WHERE year = 2022 "
        "AND crime_category = 'Stöld' AND area_id = 'A1' AND crime_count < 7"
    ) == [{"year": 2022, "day": 1}]


def test_invalid_month(run):
    rows = run.quarantine("brott", "months.csv")
    assert [(q["row_number"], q["reason"], q["column_name"]) for q in rows] == [
        (4, "invalid_month", "manad"),
        (5, "invalid_month", "manad"),
    ]
    assert rows[0]["detail"] == (
        "column 'manad': '2022-13' is not a month (YYYY-MM, YYYYMM or YYYY-MM-01)"
    )
    assert rows[0]["raw_json"]["manad"] == "2022-13"
    assert rows[1]["raw_json"]["manad"] == "2022-08-15"
    log = run.log_row("brott", "months.csv")
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (6, 4, 2)


def test_unknown_area_unknown_category_and_empty_key(run):
    rows = {q["row_number"]: q for q in run.quarantine("brott", "places.csv")}
    assert _reasons(run, "places.csv") == [
        (1, "unknown_area", "omrade_id"),
        (3, "unknown_category", "brottskategori"),
        (4, "missing_value", "omrade_id"),
    ]
    assert rows[1]["detail"] == "column 'omrade_id': 'X9' is not a known area (omraden/)"
    assert rows[3]["detail"] == (
        "column 'brottskategori': 'Rattfylleri' is not in referens/brottskategorier.csv"
    )
    assert rows[4]["detail"] == "column 'omrade_id' is empty"
    assert rows[1]["raw_json"]["omrade_id"] == "X9"
    assert rows[3]["raw_json"]["brottskategori"] == "Rattfylleri"


def test_okant_is_accepted_and_counted_in_no_area(run):
    assert _staged(run, "places.csv") == [
        (2, "okant", "2022-01", "Stöld", 2),
        (5, "A2", "2022-01", "Stöld", 5),
        (6, "A3", "2022-01", "Stöld", 6),
        (7, "okant", "2022-02", "Misshandel", 7),
    ]
    assert run.scalar("SELECT count(*) FROM staging.area WHERE area_id = 'okant'") == 0


def test_optional_sources_not_delivered(run):
    for source in ("befolkning", "orosanmalningar", "omradesteam"):
        (log,) = run.load_log(source)
        assert (log["status"], log["file"], log["rows_read"], log["rows_accepted"]) == (
            "not_delivered",
            None,
            0,
            0,
        )
        assert log["notes"] == f"no files in {source}/"
    summaries = run.summaries()
    for source in ("befolkning", "orosanmalningar", "omradesteam"):
        assert f"{source:<16} not delivered" in summaries
    # Not an error: every check on the sources not delivered passed.
    evaluations = run.result.get_asset_check_evaluations()
    on_missing = [
        e
        for e in evaluations
        if e.asset_key.to_user_string() in ("staging/referral", "staging/area_team")
    ]
    # accounting and quarantine_share for each, and their GX suites (6 + 6 expectations).
    assert len(on_missing) == 16
    assert [e.check_name for e in on_missing if not e.passed] == []


def test_quarantine_detail_names_the_column(run):
    for q in run.quarantine("brott"):
        assert f"'{q['column_name']}'" in q["detail"], q


def test_only_the_expected_warnings_fail(run):
    # 3 suppressed cells of 18 crime rows is more than the suite's 10 %, and no population
    # was delivered: two warnings, each reported under its own name, and nothing else.
    failed = {
        (e.asset_key.to_user_string(), e.check_name, e.severity.value)
        for e in run.result.get_asset_check_evaluations()
        if not e.passed
    }
    assert failed == {
        ("staging/crime", "gx_counts_mostly_available", "WARN"),
        ("staging/population", "population_covers_crime_years", "WARN"),
    }
    check = run.check("staging/crime", "gx_counts_mostly_available")
    assert check.metadata["expectation_type"].value == "expect_column_values_to_not_be_null"
    assert check.metadata["unexpected_count"].value == 3
    assert check.metadata["element_count"].value == 18
