"""Data contract §2.4 orosanmalningar/ and §2.5 omradesteam/, and the privacy screening of
§2.5/§2.7: unknown themes, assessments outside 1–5, free-text reporters grouped as `ovriga`,
personnummer / samordningsnummer (Luhn-valid), phone numbers and e-mail addresses replaced by
`[borttaget]` in every output (staging, quarantine.raw, the load log, Dagster's events), and
free text cut at 2,000 characters.

Privacy rule of the project: no real-looking personnummer is written literally in this file.
They are built at test time (`make_pnr` computes the Luhn digit). Phone numbers are in the
ranges reserved for fiction (070-174 06 xx, 08-465 004 xx), e-mail uses example.se.
"""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pytest

REPLACEMENT = "[borttaget]"


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def make_pnr(d: date, serial: int, *, sep: str = "-", century: bool = False, coord=False) -> str:
    """A Luhn-valid personnummer (or samordningsnummer: day + 60) for date d."""
    day = d.day + 60 if coord else d.day
    six = f"{d.year % 100:02d}{d.month:02d}{day:02d}"
    nine = f"{six}{serial:03d}"
    prefix = f"{d.year // 100}" if century else ""
    return f"{prefix}{six}{sep}{nine[6:]}{luhn_digit(nine)}"


PNR = make_pnr(date(1985, 3, 14), 123)
PNR_CENTURY = make_pnr(date(1979, 11, 2), 456, sep="", century=True)
SAMORDNING = make_pnr(date(1990, 7, 9), 789, coord=True)
PNR_IN_NAME = make_pnr(date(1968, 5, 21), 321, sep="")
PHONE = "070-174 06 12"
PHONE_2 = "08-465 004 12"
PHONE_3 = "070-174 06 13"
PHONE_4 = "070-174 06 14"
EMAIL = "kontakt@example.se"
NEEDLES = [PNR, PNR_CENTURY, SAMORDNING, PNR_IN_NAME, PHONE, PHONE_2, PHONE_3, PHONE_4, EMAIL]
# The digits alone, too: a pnr must not survive with its separator dropped.
NEEDLES += [n.replace("-", "").replace(" ", "") for n in NEEDLES if n != EMAIL]

SENTENCE = "Många ungdomar samlas vid torget på kvällarna och stämningen är lugn. "
LONG_TEXT = (SENTENCE * 40)[:2500]
EXACT_TEXT = (SENTENCE * 40)[:1999] + "."

TEAM = "omrade_id;period;tema;bedomning;antal_aktiviteter;observationer\n" + (
    f"A1;2023-VT;narkotika;3;2;Samtal med förälder, pnr {PNR} nämndes\n"  # 1
    f"A2;2023-Q1;trygghet;4;;Ring {PHONE} om det brinner\n"  # 2
    f"A3;2023-05;egendomsbrott;2;1;Mejla {EMAIL} eller {PNR_CENTURY}\n"  # 3
    "A1;2023-HT;okänt tema;3;;ok\n"  # 4: unknown theme
    "A2;2023-HT;narkotika;0;;x\n"  # 5: assessment 0
    "A3;2023-HT;narkotika;6;;x\n"  # 6: assessment 6
    "A1;2023-Q2;narkotika;2,5;;x\n"  # 7: assessment 2.5
    f"A2;2023-VT;narkotika;5;;{LONG_TEXT}\n"  # 8: cut to 2,000
    f"A3;2023-VT;narkotika;1;;{EXACT_TEXT}\n"  # 9: exactly 2,000: kept whole
    f"A1;2023-Q4;trygghet;9;3;Ny kontakt: {SAMORDNING}, ring {PHONE_2}\n"  # 10: quarantined
    "A2;2023-Q2;trygghet;1;;\n"  # 11
    "A3;2023-Q2;trygghet;1;;\n"  # 12
)
# A file whose name holds a personnummer.
TEAM_NAMED = "omrade_id;period;tema;bedomning\nA1;2024-VT;narkotika;2\n"
# Windows-1252 (transcoded in the build folder to be read): the copy must not outlive the load.
TEAM_1252 = (
    "omrade_id;period;tema;bedomning;observationer\r\n"
    f"A2;2024-HT;trygghet;3;Möte – ring {PHONE_4}\r\n"
).encode("cp1252")
REFERRALS = "omrade_id;manad;typ;kalla;aldersgrupp;kon;antal\n" + (
    "A1;2023-01;;polis;0-12;K;3\n"  # 1: typ empty -> orosanmalan
    "A1;2023-01;sig;Polis;13-17;M;2\n"  # 2
    "A2;2023-01;;Fritidsgården;13-17;K;4\n"  # 3: free text -> ovriga
    "A2;2023-01;;Hälso- och sjukvård;0-12;M;5\n"  # 4
    "A3;2023-01;;Grannen;0-12;T;1\n"  # 5: free text -> ovriga
    "A3;2023-01;;skola;0-12;T;..\n"  # 6: suppressed at source
    "A3;2023-02;;skola;0-12;T;2,5\n"  # 7: a fraction
    f"A1;2023-03;;Mamma {PHONE_3};0-12;K;1\n"  # 8: a phone number in the reporter
)


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("free_text")
    files = {
        "omradesteam/team.csv": TEAM,
        f"omradesteam/{PNR_IN_NAME}_team.csv": TEAM_NAMED,
        "omradesteam/team_1252.csv": TEAM_1252,
        "orosanmalningar/ref.csv": REFERRALS,
    }
    build = build_raw(write_raw(root / "raw", base_files(**files)), root / "marts")
    assert not build.errors(), build.errors()
    return build


def test_run_publishes_and_accounts_for_every_file(run, assert_accounting):
    assert run.result.success
    assert run.published.exists()
    assert_accounting(run)


def test_unknown_theme_and_invalid_assessment(run):
    rows = run.quarantine("omradesteam", "team.csv")
    assert [(q["row_number"], q["reason"], q["column_name"]) for q in rows] == [
        (4, "unknown_theme", "tema"),
        (5, "invalid_assessment", "bedomning"),
        (6, "invalid_assessment", "bedomning"),
        (7, "invalid_assessment", "bedomning"),
        (10, "invalid_assessment", "bedomning"),
    ]
    assert rows[0]["detail"] == "column 'tema': 'okänt tema' is not in referens/teman.csv"
    assert rows[1]["detail"] == "column 'bedomning': '0' is not an integer 1-5"
    assert rows[3]["detail"] == "column 'bedomning': '2,5' is not an integer 1-5"
    assert [q["raw_json"]["bedomning"] for q in rows[1:4]] == ["0", "6", "2,5"]


def test_area_team_rows_and_periods(run):
    staged = run.rows(
        """SELECT row_number, area_id, period, period_kind, theme, assessment, activities
           FROM staging.area_team WHERE year = 2023 ORDER BY row_number"""
    )
    assert [tuple(r.values()) for r in staged] == [
        (1, "A1", "2023-VT", "term", "narkotika", 3, 2),
        (2, "A2", "2023-Q1", "quarter", "trygghet", 4, None),
        (3, "A3", "2023-05", "month", "egendomsbrott", 2, 1),
        (8, "A2", "2023-VT", "term", "narkotika", 5, None),
        (9, "A3", "2023-VT", "term", "narkotika", 1, None),
        (11, "A2", "2023-Q2", "quarter", "trygghet", 1, None),
        (12, "A3", "2023-Q2", "quarter", "trygghet", 1, None),
    ]


def test_personal_data_is_replaced_in_staging(run):
    observations = {
        r["row_number"]: r["observations"]
        for r in run.rows(
            "SELECT row_number, observations FROM staging.area_team WHERE file_ord = ?",
            [run.log_row("omradesteam", "team.csv")["file_ord"]],
        )
    }
    assert observations[1] == f"Samtal med förälder, pnr {REPLACEMENT} nämndes"
    assert observations[2] == f"Ring {REPLACEMENT} om det brinner"
    assert observations[3] == f"Mejla {REPLACEMENT} eller {REPLACEMENT}"
    log = run.log_row("omradesteam", "team.csv")
    assert (
        log["rows_read"],
        log["rows_accepted"],
        log["rows_quarantined"],
        log["rows_screened"],
        log["rows_text_truncated"],
    ) == (12, 7, 5, 3, 1)


def test_personal_data_is_replaced_in_quarantine_raw(run):
    (q,) = [q for q in run.quarantine("omradesteam", "team.csv") if q["row_number"] == 10]
    assert q["raw_json"] == {
        "omrade_id": "A1",
        "period": "2023-Q4",
        "tema": "trygghet",
        "bedomning": "9",
        "antal_aktiviteter": "3",
        "observationer": f"Ny kontakt: {REPLACEMENT}, ring {REPLACEMENT}",
    }


def test_a_file_name_with_a_pnr_is_screened_in_the_load_log_and_quarantine(run):
    files = [r["file"] for r in run.load_log("omradesteam")]
    assert files == [f"{REPLACEMENT}_team.csv", "team.csv", "team_1252.csv"]
    assert run.log_row("omradesteam", f"{REPLACEMENT}_team.csv")["rows_accepted"] == 1
    assert "omradesteam      3 file(s) read" in " ".join(run.summaries())


def test_windows_1252_free_text_is_screened(run):
    log = run.log_row("omradesteam", "team_1252.csv")
    assert (log["encoding"], log["rows_accepted"], log["rows_screened"]) == ("windows-1252", 1, 1)
    assert run.rows("SELECT observations FROM staging.area_team WHERE period = '2024-HT'") == [
        {"observations": f"Möte – ring {REPLACEMENT}"}
    ]


def test_text_longer_than_2000_characters_is_cut(run):
    texts = {
        r["row_number"]: r["observations"]
        for r in run.rows(
            "SELECT row_number, observations FROM staging.area_team WHERE file_ord = ?",
            [run.log_row("omradesteam", "team.csv")["file_ord"]],
        )
    }
    assert texts[8] == LONG_TEXT[:2000].strip()
    assert len(LONG_TEXT[:2000]) == 2000 and len(texts[8]) <= 2000
    assert texts[9] == EXACT_TEXT and len(EXACT_TEXT) == 2000


def test_personal_data_appears_nowhere_in_the_work_or_published_database(run):
    assert run.find_text(NEEDLES) == []
    published = duckdb.connect(str(run.published), read_only=True)
    try:
        assert run.find_text(NEEDLES, published) == []
        # The screened text did reach the published area-team mart.
        assert run.find_text([REPLACEMENT], published) != []
    finally:
        published.close()


def test_personal_data_is_in_no_file_of_the_marts_folder(run):
    # Exports, reports and the build folder's scratch files (e.g. a transcoded copy of a
    # Windows-1252 delivery); DuckDB files are scanned by column above.
    needles = [n.encode(enc) for n in NEEDLES for enc in ("utf-8", "cp1252")]
    scanned = 0
    for path in sorted(run.marts_dir.rglob("*")):
        if not path.is_file() or path.suffix in (".duckdb", ".wal"):
            continue
        content = path.read_bytes()
        assert [n for n in needles if n in content] == [], path
        scanned += 1
    assert scanned > 0


def test_personal_data_appears_nowhere_in_dagster_events(run):
    text = run.event_log_text()
    assert "[borttaget]_team.csv" in text  # the screened file name was logged
    assert [n for n in NEEDLES if n in text] == []


def test_referral_reporters_and_types(run):
    rows = run.rows(
        """SELECT row_number, area_id, type, source, source_text, age_group, sex, referral_count
           FROM staging.referral ORDER BY row_number"""
    )
    assert [tuple(r.values()) for r in rows] == [
        (1, "A1", "orosanmalan", "polis", "polis", "0-12", "kvinnor", 3),
        (2, "A1", "sig", "polis", "polis", "13-17", "man", 2),
        (3, "A2", "orosanmalan", "ovriga", "fritidsgarden", "13-17", "kvinnor", 4),
        (4, "A2", "orosanmalan", "halso- och sjukvard", "halso- och sjukvard", "0-12", "man", 5),
        (5, "A3", "orosanmalan", "ovriga", "grannen", "0-12", "totalt", 1),
        (6, "A3", "orosanmalan", "skola", "skola", "0-12", "totalt", None),
        (8, "A1", "orosanmalan", "ovriga", f"mamma {REPLACEMENT}", "0-12", "kvinnor", 1),
    ]
    log = run.log_row("orosanmalningar", "ref.csv")
    assert (
        log["rows_read"],
        log["rows_accepted"],
        log["rows_quarantined"],
        log["rows_suppressed_at_source"],
        log["rows_screened"],
    ) == (8, 7, 1, 1, 1)
    assert log["notes"] == (
        f"reporters grouped as 'ovriga': fritidsgarden, grannen, mamma {REPLACEMENT}"
    )
    (q,) = run.quarantine("orosanmalningar", "ref.csv")
    assert (q["row_number"], q["reason"], q["column_name"]) == (7, "invalid_count", "antal")
    assert q["raw_json"]["antal"] == "2,5"


def test_published_load_log_and_quarantine_have_the_contract_columns(run):
    published = duckdb.connect(str(run.published), read_only=True)
    try:

        def columns(table: str) -> set[str]:
            return {
                r[0]
                for r in published.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                    "AND table_name = ?",
                    [table],
                ).fetchall()
            }

        assert columns("load_log") >= {
            "run_id",
            "source",
            "file",
            "sha256",
            "encoding",
            "rows_read",
            "rows_accepted",
            "rows_quarantined",
            "rows_superseded",
            "rows_suppressed_at_source",
            "rows_screened",
            "rows_text_truncated",
            "loaded_at",
        }
        assert columns("quarantine") >= {"source", "file", "row_number", "reason", "detail", "raw"}
        run_id, sha256, loaded_at = published.execute(
            "SELECT run_id, sha256, loaded_at FROM main.load_log WHERE file = 'team.csv'"
        ).fetchone()
    finally:
        published.close()
    assert run_id == run.result.run_id
    assert sha256 == hashlib.sha256(TEAM.encode("utf-8")).hexdigest()
    assert loaded_at is not None
