"""Data contract §2.8 trygghet/: survey shares per area (or kommun), year, question and sex,
every quarantine reason, supersession by a later file, a raw folder's own question list, and a
raw folder without trygghet/ (the source is optional).
"""

from __future__ import annotations

import pytest

# Two files: the later one (sorts last) supersedes the earlier on the same key.
SURVEY_2021 = "omrade_id,ar,fraga,antal_svarande,andel\n" + (
    "A1,2021,otrygg_kvall,200,30\n"  # 1: superseded by 2023-rattelse.csv row 1
    "A2,2021,otrygg_kvall,180,20\n"  # 2
)
SURVEY = "Område_ID;År;Fråga;Kön;Antal svarande;Andel;KI_lag;KI_hog\n" + (
    "A1;2021;otrygg_kvall;;210;31,5;;\n"  # 1: supersedes; empty kon = totalt
    "A1;2023;otrygg_kvall;kvinnor;120;35,0;27,1;43,6\n"  # 2: the survey's own interval
    "A1;2023;otrygg_kvall;man;100;18;;\n"  # 3
    "kommun;2023;otrygg_kvall;totalt;1500;22,4;;\n"  # 4: the municipality's own estimate
    "A3;2023;otrygg_kvall;totalt;12;25;;\n"  # 5: few respondents: accepted here
    ";2023;otrygg_kvall;totalt;100;20;;\n"  # 6: missing_value omrade_id
    "A2;2023;otrygg_kvall;totalt;100;;;\n"  # 7: missing_value andel
    "X9;2023;otrygg_kvall;totalt;100;20;;\n"  # 8: unknown_area
    "A2;20x3;otrygg_kvall;totalt;100;20;;\n"  # 9: invalid_year
    "A2;2023;kanner_sig_trygg;totalt;100;20;;\n"  # 10: unknown_question
    "A2;2023;oro_misshandel;totalt;100;101;;\n"  # 11: invalid_share (above 100)
    "A2;2023;problem_narkotika;totalt;100;mycket;;\n"  # 12: invalid_share (text)
    "A2;2023;utsatt_brott;totalt;-3;20;;\n"  # 13: invalid_count
    "A2;2023;avstatt_aktivitet;totalt;12,5;20;;\n"  # 14: invalid_count (fraction)
    "A2;2023;problem_skadegorelse;totalt;100;20;25;30\n"  # 15: invalid_interval lag > andel
    "A2;2023;problem_ungdomsgrupper;totalt;100;20;10;\n"  # 16: invalid_interval, one limit
    "A3;2023;oro_misshandel;totalt;100;20;;\n"  # 17: duplicate_key with 18
    "A3;2023;oro_misshandel;totalt;100;21;;\n"  # 18
)


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("survey")
    raw = write_raw(
        root / "raw",
        base_files(
            **{
                "trygghet/2021-matning.csv": SURVEY_2021,
                "trygghet/2023-rattelse.csv": SURVEY.encode("cp1252"),
            }
        ),
    )
    # 13 of 18 rows are bad on purpose: allow that, and only ingest (publish=False).
    build = build_raw(raw, root / "marts", publish=False, max_quarantine_share=0.9)
    assert not build.errors(), build.errors()
    return build


def test_every_row_is_accounted_for(run, assert_accounting):
    assert run.result.success
    assert_accounting(run)
    first = run.log_row("trygghet", "2021-matning.csv")
    second = run.log_row("trygghet", "2023-rattelse.csv")
    counts = ("rows_read", "rows_accepted", "rows_quarantined", "rows_superseded")
    assert tuple(first[c] for c in counts) == (2, 1, 0, 1)
    assert tuple(second[c] for c in counts) == (18, 5, 13, 0)


def test_quarantine_reasons_are_exact(run):
    rows = run.quarantine("trygghet", "2023-rattelse.csv")
    assert [(q["row_number"], q["reason"], q["column_name"]) for q in rows] == [
        (6, "missing_value", "Område_ID"),
        (7, "missing_value", "Andel"),
        (8, "unknown_area", "Område_ID"),
        (9, "invalid_year", "År"),
        (10, "unknown_question", "Fråga"),
        (11, "invalid_share", "Andel"),
        (12, "invalid_share", "Andel"),
        (13, "invalid_count", "Antal svarande"),
        (14, "invalid_count", "Antal svarande"),
        (15, "invalid_interval", "KI_lag"),
        (16, "invalid_interval", "KI_hog"),
        (17, "duplicate_key", None),
        (18, "duplicate_key", None),
    ]
    # The detail names the empty limit in a sentence a coordinator can act on.
    one_limit = next(q for q in rows if q["row_number"] == 16)
    assert one_limit["detail"] == "column 'KI_hog': empty while the other interval limit is given"


def test_accepted_rows_are_typed(run):
    staged = {
        (r["area_id"], r["year"], r["question"], r["sex"]): (
            r["respondents"],
            r["share_pct"],
            r["ci_low_pct"],
            r["ci_high_pct"],
        )
        for r in run.rows("SELECT * FROM staging.survey")
    }
    assert staged == {
        ("A1", 2021, "otrygg_kvall", "totalt"): (210, 31.5, None, None),
        ("A2", 2021, "otrygg_kvall", "totalt"): (180, 20.0, None, None),
        ("A1", 2023, "otrygg_kvall", "kvinnor"): (120, 35.0, 27.1, 43.6),
        ("A1", 2023, "otrygg_kvall", "man"): (100, 18.0, None, None),
        ("kommun", 2023, "otrygg_kvall", "totalt"): (1500, 22.4, None, None),
        ("A3", 2023, "otrygg_kvall", "totalt"): (12, 25.0, None, None),
    }


def test_the_later_file_supersedes(run):
    rows = [r for r in run.superseded() if r["source"] == "trygghet"]
    assert [(r["file"], r["row_number"]) for r in rows] == [("2021-matning.csv", 1)]


def test_default_questions_are_loaded(run):
    questions = run.rows(
        "SELECT question, high_share_is_worse FROM staging.survey_question ORDER BY question"
    )
    assert [q["question"] for q in questions] == [
        "avstatt_aktivitet",
        "oro_misshandel",
        "otrygg_kvall",
        "problem_narkotika",
        "problem_skadegorelse",
        "problem_ungdomsgrupper",
        "utsatt_brott",
    ]
    assert all(q["high_share_is_worse"] for q in questions)
    assert run.log_row("referens", "trygghetsfragor.csv")["status"] == "default"


@pytest.fixture(scope="module")
def own_list_run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("survey_own_list")
    files = base_files(
        **{
            "referens/trygghetsfragor.csv": "fraga;text;hog_andel_ar\n"
            "trygg_dag;Känner sig trygg dagtid;bättre\n"
            "otrygg;Känner sig otrygg;ingen aning\n",  # invalid direction
            "trygghet/egen.csv": "omrade_id;ar;fraga;antal_svarande;andel\n"
            "A1;2024;trygg_dag;300;80\n"
            "A1;2024;otrygg_kvall;300;20\n",  # a default question, not in this list
        }
    )
    build = build_raw(write_raw(root / "raw", files), root / "marts", publish=False)
    assert not build.errors(), build.errors()
    return build


def test_an_own_question_list_replaces_the_defaults(own_list_run):
    questions = own_list_run.rows(
        "SELECT question, question_text, high_share_is_worse FROM staging.survey_question"
    )
    assert questions == [
        {
            "question": "trygg_dag",
            "question_text": "Känner sig trygg dagtid",
            "high_share_is_worse": False,
        }
    ]
    reasons = [(q["row_number"], q["reason"]) for q in own_list_run.quarantine("referens")]
    assert reasons == [(2, "invalid_direction")]
    survey = own_list_run.quarantine("trygghet", "egen.csv")
    assert [(q["row_number"], q["reason"]) for q in survey] == [(2, "unknown_question")]


def test_without_trygghet_the_run_is_as_before(build_raw, write_raw, base_files, tmp_path):
    build = build_raw(write_raw(tmp_path / "raw", base_files()), tmp_path / "marts")
    assert build.result.success
    assert build.scalar("SELECT count(*) FROM staging.survey") == 0
    log = build.load_log("trygghet")
    assert [(r["file"], r["status"]) for r in log] == [(None, "not_delivered")]


def test_an_xlsx_with_english_headers_and_number_cells(build_raw, write_raw, base_files, tmp_path):
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    for row in [
        ["Area_ID", "Year", "Question", "Sex", "Respondents", "Share", "CI_low", "CI_high", "x"],
        ["A1", 2024, "otrygg_kvall", "women", 300, 27.5, 22.6, 32.9, "extra"],
        ["A2", 2024, "otrygg_kvall", None, 250, 12, None, None, None],
    ]:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    raw = write_raw(tmp_path / "raw", base_files(**{"trygghet/enkat.xlsx": buffer.getvalue()}))
    build = build_raw(raw, tmp_path / "marts", publish=False)
    assert build.result.success
    staged = build.rows(
        "SELECT area_id, sex, respondents, share_pct, ci_low_pct FROM staging.survey"
    )
    assert sorted(tuple(r.values()) for r in staged) == [
        ("A1", "kvinnor", 300, 27.5, 22.6),
        ("A2", "totalt", 250, 12.0, None),
    ]
    assert build.log_row("trygghet", "enkat.xlsx")["rows_accepted"] == 2
