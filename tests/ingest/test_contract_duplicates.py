"""Data contract §2 "Duplicate keys", §2.3 yearly deliveries, §2.7 delivery order.

- The same key twice in one file: both rows go to quarantine (duplicate_key).
- The same key in two files: the file whose name sorts last (Unicode code points, extension
  included) wins; the older row is superseded, recorded, never dropped.
- A yearly and a monthly delivery of the same area, year and category: the later file wins
  the whole area × year × category (assets/ingest/sql/crime_granularity.sql).
"""

from __future__ import annotations

import pytest

MONTHLY = "omrade_id;manad;brottskategori;antal\n"
YEARLY = "omrade_id;ar;brottskategori;antal\n"

# Code-point order of these names: B.csv < b.csv < b_2.csv < brott.csv < dup.csv
# < l_yearly.csv < m_monthly.csv < n_yearly.csv < z.csv < å.csv
FILES = {
    "brott/B.csv": MONTHLY + "A1;2021-01;Misshandel;1\nA3;2021-01;Misshandel;9\n",
    "brott/b.csv": MONTHLY + "A1;2021-01;Misshandel;2\nA2;2021-01;Stöld;3\n",
    "brott/b_2.csv": MONTHLY + "A2;2021-01;Stöld;4\n",
    "brott/dup.csv": MONTHLY
    + "A1;2021-02;Stöld;12,0\nA2;2021-02;Stöld;1\nA1;2021-02;Stöld;5\nA3;2021-02;Stöld;1\n",
    "brott/l_yearly.csv": YEARLY + "A2;2020;Stöld;50\nA2;2019;Stöld;8\n",
    "brott/m_monthly.csv": MONTHLY
    + "A1;2020-01;Misshandel;1\nA1;2020-02;Misshandel;2\nA1;2020-03;Misshandel;3\n"
    + "A2;2020-01;Stöld;5\n",
    "brott/n_yearly.csv": YEARLY + "A1;2020;Misshandel;10\nA3;2020;Stöld;7\nA1;tjugo;Stöld;1\n",
    "brott/z.csv": MONTHLY + "A2;2021-03;Misshandel;1\n",
    "brott/å.csv": MONTHLY + "A2;2021-03;Misshandel;2\n",
}


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("duplicates")
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


def test_delivery_order_is_code_point_order_of_names(run):
    order = [r["file"] for r in run.load_log("brott")]
    assert order == [
        "B.csv",
        "b.csv",
        "b_2.csv",
        "brott.csv",
        "dup.csv",
        "l_yearly.csv",
        "m_monthly.csv",
        "n_yearly.csv",
        "z.csv",
        "å.csv",
    ]


def test_duplicate_key_within_a_file_quarantines_both_rows(run):
    rows = run.quarantine("brott", "dup.csv")
    assert [(q["row_number"], q["reason"], q["column_name"]) for q in rows] == [
        (1, "duplicate_key", None),
        (3, "duplicate_key", None),
    ]
    assert all("appears 2 times in this file, in rows 1, 3" in q["detail"] for q in rows)
    # raw holds what the data owner wrote, not the parsed value.
    assert rows[0]["raw_json"] == {
        "omrade_id": "A1",
        "manad": "2021-02",
        "brottskategori": "Stöld",
        "antal": "12,0",
    }
    assert rows[1]["raw_json"]["antal"] == "5"
    log = run.log_row("brott", "dup.csv")
    # 2 of 4 quarantined is exactly 50 %: not more than max_quarantine_share, so no block.
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (4, 2, 2)
    assert run.check("staging/crime", "quarantine_share").passed


def test_same_key_in_two_files_the_later_name_wins(run):
    superseded = [
        (s["file"], s["row_number"], s["superseded_by"])
        for s in run.superseded()
        if s["source"] == "brott"
    ]
    assert superseded == [
        ("B.csv", 1, "b.csv"),  # 'B' (U+0042) sorts before 'b' (U+0062)
        ("b.csv", 2, "b_2.csv"),  # '.' (U+002E) sorts before '_' (U+005F)
        ("l_yearly.csv", 1, "m_monthly.csv"),
        ("m_monthly.csv", 1, "n_yearly.csv"),
        ("m_monthly.csv", 2, "n_yearly.csv"),
        ("m_monthly.csv", 3, "n_yearly.csv"),
        ("z.csv", 1, "å.csv"),  # 'z' (U+007A) sorts before 'å' (U+00E5)
    ]
    accepted = {
        (r["area_id"], r["month"], r["crime_category"]): r["crime_count"]
        for r in run.rows(
            "SELECT area_id, strftime(month, '%Y-%m') AS month, crime_category, crime_count "
            "FROM staging.crime WHERE year = 2021"
        )
    }
    assert accepted == {
        ("A1", "2021-01", "Misshandel"): 2,  # from b.csv
        ("A3", "2021-01", "Misshandel"): 9,  # only in B.csv
        ("A2", "2021-01", "Stöld"): 4,  # from b_2.csv
        ("A2", "2021-02", "Stöld"): 1,
        ("A3", "2021-02", "Stöld"): 1,
        ("A2", "2021-03", "Misshandel"): 2,  # from å.csv
    }


def test_superseded_rows_are_counted_in_the_load_log(run):
    counts = {
        r["file"]: (r["rows_read"], r["rows_accepted"], r["rows_quarantined"], r["rows_superseded"])
        for r in run.load_log("brott")
    }
    assert counts == {
        "B.csv": (2, 1, 0, 1),
        "b.csv": (2, 1, 0, 1),
        "b_2.csv": (1, 1, 0, 0),
        "brott.csv": (4, 4, 0, 0),
        "dup.csv": (4, 2, 2, 0),
        "l_yearly.csv": (2, 1, 0, 1),
        "m_monthly.csv": (4, 1, 0, 3),
        "n_yearly.csv": (3, 2, 1, 0),
        "z.csv": (1, 0, 0, 1),
        "å.csv": (1, 1, 0, 0),
    }
    assert "1 file(s) rejected" not in " ".join(run.summaries())
    assert (
        "brott            10 file(s) read, 14 rows accepted, 3 quarantined, 7 superseded"
        in run.summaries()
    )


def test_yearly_delivery(run):
    log = run.log_row("brott", "n_yearly.csv")
    assert (log["delivery"], log["status"]) == ("yearly", "loaded")
    assert run.log_row("brott", "m_monthly.csv")["delivery"] == "monthly"
    rows = run.rows(
        """SELECT c.area_id, c.year, c.month, c.crime_category, c.crime_count, c.is_yearly_delivery
           FROM staging.crime AS c JOIN main.load_log AS l
             ON l.source = 'brott' AND l.file_ord = c.file_ord
           WHERE l.file = 'n_yearly.csv' ORDER BY c.row_number"""
    )
    assert rows == [
        {
            "area_id": "A1",
            "year": 2020,
            "month": None,
            "crime_category": "Misshandel",
            "crime_count": 10,
            "is_yearly_delivery": True,
        },
        {
            "area_id": "A3",
            "year": 2020,
            "month": None,
            "crime_category": "Stöld",
            "crime_count": 7,
            "is_yearly_delivery": True,
        },
    ]
    (q,) = run.quarantine("brott", "n_yearly.csv")
    assert (q["row_number"], q["reason"], q["column_name"]) == (3, "invalid_year", "ar")
    assert q["detail"] == "column 'ar': 'tjugo' is not a year (YYYY)"
    assert q["raw_json"] == {
        "omrade_id": "A1",
        "ar": "tjugo",
        "brottskategori": "Stöld",
        "antal": "1",
    }


def test_monthly_and_yearly_overlap_counts_once(run):
    # A1 2020 Misshandel: the yearly file sorts last and replaces the three months (1+2+3);
    # A2 2020 Stöld: the monthly file sorts last and replaces the yearly 50.
    totals = {
        (r["area_id"], r["crime_category"]): r["n"]
        for r in run.rows(
            "SELECT area_id, crime_category, sum(crime_count)::INTEGER AS n FROM staging.crime "
            "WHERE year = 2020 GROUP BY ALL"
        )
    }
    assert totals == {("A1", "Misshandel"): 10, ("A2", "Stöld"): 5, ("A3", "Stöld"): 7}
