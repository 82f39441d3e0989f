"""Data contract §2, general rules for files: encoding, delimiter, line ends, XLSX, and files
rejected whole (file_unreadable, file_empty), with the exact quarantine and load_log rows.

One fixture folder, built once: the base folder plus one brott/ delivery per case.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

EN_DASH_CATEGORY = "Misshandel av barn 0–17 år"
HEADER = "omrade_id;manad;brottskategori;antal"


def _xlsx_bytes() -> bytes:
    """First sheet: headers in row 1, an Excel date in manad, numbers as numeric cells, a blank
    row in the middle and styled empty rows at the end. A second sheet that must be ignored."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Brott"
    ws.append(["Område_ID", "Månad", "Brottskategori", "Antal"])
    ws.append(["A1", dt.datetime(2023, 5, 1), "Misshandel", 3])  # data row 1
    ws.append(["A2", "2023-05", "Stöld", 4.0])  # row 2: 4.0 is 4
    ws.append(["A3", dt.datetime(2023, 5, 1), "Misshandel", 2.5])  # row 3: a fraction
    ws.append([None, None, None, None])  # Excel row 5: blank, skipped
    ws.append(["A3", 202306, "Stöld", 12.0])  # Excel row 6: data row 5, YYYYMM as a number
    for row in range(7, 12):  # trailing rows that hold only formatting or blanks
        ws.cell(row=row, column=1, value="  ")
        ws.cell(row=row, column=4).number_format = "0.00"
    other = wb.create_sheet("Anteckningar")
    other.append(["inte", "en", "tabell"])
    other.append(["A1", "2023-07", "Okänd kategori", "x"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


FILES = {
    # UTF-8 without BOM, ';', LF.
    "brott/a_utf8.csv": f"{HEADER}\nA1;2023-01;{EN_DASH_CATEGORY};3\nA2;2023-01;Stöld;1\n",
    # UTF-8 with BOM, ',', CRLF, a quoted field holding a comma and a quoted decimal comma.
    "brott/b_bom_comma.csv": (
        "\ufeffomrade_id,manad,brottskategori,antal\r\n"
        'A1,2023-02,"Narkotikabrott, innehav",7\r\n'
        'A2,2023-02,Stöld,"2,0"\r\n'
    ).encode("utf-8"),
    # Windows-1252: the en dash is byte 0x96 (0x80-0x9F, where cp1252 differs from Latin-1).
    "brott/c_cp1252.csv": (
        f"{HEADER}\r\nA3;2023-03;{EN_DASH_CATEGORY};4\r\nA2;2023-03;Stöld;5\r\n"
    ).encode("cp1252"),
    # Neither UTF-8 nor Windows-1252: 0x81 and 0x8D are undefined in cp1252.
    "brott/d_neither.csv": f"{HEADER}\nA1;2023-04;Misshandel\x81\x8d;1\n".encode("latin-1"),
    # Binary (NUL bytes).
    "brott/e_binary.csv": b"\x00\x01\x02\x03PK\x03\x04\x00\x00\xff\xfe" * 20,
    # 0 bytes.
    "brott/f_empty.csv": b"",
    # A header and no data rows.
    "brott/g_header_only.csv": f"{HEADER}\n",
    # UTF-16 is not allowed: it has NUL bytes.
    "brott/h_utf16.csv": f"{HEADER}\nA1;2023-08;Stöld;1\n".encode("utf-16"),
    # An .xlsx that is not a workbook.
    "brott/i_broken.xlsx": b"this is not a zip file",
    "brott/j_data.xlsx": _xlsx_bytes(),
    # Lines with too many or too few fields: quarantined; the other rows keep their numbers.
    "brott/k_ragged.csv": f"{HEADER}\n"
    "A1;2022-01;Stöld;1\nA2;2022-01;Stöld;2\nA3;2022-01;Stöld;3;extra\nA1;2022-02;Stöld;4\n"
    "A2;2022-02\nA3;2022-02;Stöld;6\nA1;2022-03;Stöld;7\n",
}


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("files")
    build = build_raw(write_raw(root / "raw", base_files(**FILES)), root / "marts", publish=False)
    assert not build.errors(), build.errors()
    return build


def _crime(run, file: str) -> list[tuple]:
    return run.con.execute(
        """SELECT c.area_id, strftime(c.month, '%Y-%m'), c.crime_category, c.theme, c.crime_count
           FROM staging.crime AS c JOIN main.load_log AS l
             ON l.source = 'brott' AND l.file_ord = c.file_ord
           WHERE l.file = ? ORDER BY c.row_number""",
        [file],
    ).fetchall()


def test_nothing_blocks_and_every_file_is_accounted_for(run, assert_accounting):
    # The ingest part of the build job (publish=False): no blocking check failed.
    # Files rejected whole never block a run on their own (§2.7).
    assert run.result.success
    assert not [
        e
        for e in run.result.get_asset_check_evaluations()
        if not e.passed and e.severity.value == "ERROR"
    ]
    assert_accounting(run)


def test_utf8_without_bom(run):
    log = run.log_row("brott", "a_utf8.csv")
    assert (log["encoding"], log["delimiter"], log["status"]) == ("utf-8", ";", "loaded")
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (2, 2, 0)
    assert _crime(run, "a_utf8.csv") == [
        ("A1", "2023-01", EN_DASH_CATEGORY, "barn och unga", 3),
        ("A2", "2023-01", "Stöld", "egendomsbrott", 1),
    ]


def test_utf8_with_bom_comma_delimiter_crlf_and_quoted_comma(run):
    log = run.log_row("brott", "b_bom_comma.csv")
    assert (log["encoding"], log["delimiter"], log["status"]) == ("utf-8-sig", ",", "loaded")
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (2, 2, 0)
    # The BOM is not part of the first header name: omrade_id was found.
    assert "omrade_id=omrade_id" in log["columns_used"]
    assert _crime(run, "b_bom_comma.csv") == [
        ("A1", "2023-02", "Narkotikabrott, innehav", "narkotika", 7),
        ("A2", "2023-02", "Stöld", "egendomsbrott", 2),
    ]


def test_windows_1252_with_byte_in_0x80_0x9f(run):
    log = run.log_row("brott", "c_cp1252.csv")
    assert (log["encoding"], log["delimiter"], log["status"]) == ("windows-1252", ";", "loaded")
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (2, 2, 0)
    # The en dash (0x96) decoded correctly, so the category matches the reference list.
    assert _crime(run, "c_cp1252.csv") == [
        ("A3", "2023-03", EN_DASH_CATEGORY, "barn och unga", 4),
        ("A2", "2023-03", "Stöld", "egendomsbrott", 5),
    ]


@pytest.mark.parametrize(
    ("file", "reason", "detail_part"),
    [
        ("d_neither.csv", "file_unreadable", "neither UTF-8 nor Windows-1252 (byte 0x81)"),
        ("e_binary.csv", "file_unreadable", "NUL bytes"),
        ("h_utf16.csv", "file_unreadable", "NUL bytes"),
        ("i_broken.xlsx", "file_unreadable", "not a readable xlsx workbook"),
        ("f_empty.csv", "file_empty", "0 bytes"),
        ("g_header_only.csv", "file_empty", "no data rows"),
    ],
)
def test_file_rejected_whole(run, file, reason, detail_part):
    rows = run.quarantine("brott", file)
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row["reason"], row["row_number"], row["column_name"], row["raw"]) == (
        reason,
        None,
        None,
        None,
    )
    assert detail_part in row["detail"]
    log = run.log_row("brott", file)
    assert log["status"] == "rejected"
    assert (
        log["rows_read"],
        log["rows_accepted"],
        log["rows_quarantined"],
        log["rows_superseded"],
    ) == (0, 0, 0, 0)
    assert log["notes"].startswith(f"rejected: {reason}: ")
    assert log["sha256"] is not None and len(log["sha256"]) == 64


def test_encoding_is_null_for_files_without_text_encoding(run):
    logs = {r["file"]: r["encoding"] for r in run.load_log("brott")}
    assert logs["d_neither.csv"] is None
    assert logs["e_binary.csv"] is None
    assert logs["j_data.xlsx"] is None


def test_xlsx_first_sheet_headers_row_1_dates_and_numbers(run):
    log = run.log_row("brott", "j_data.xlsx")
    assert (log["status"], log["file_format"], log["delivery"]) == ("loaded", "xlsx", "monthly")
    # Four data rows: the blank row in the middle and the empty trailing rows are not data.
    assert (
        log["rows_read"],
        log["rows_accepted"],
        log["rows_quarantined"],
        log["rows_superseded"],
    ) == (4, 3, 1, 0)
    assert _crime(run, "j_data.xlsx") == [
        ("A1", "2023-05", "Misshandel", "våld i offentlig miljö", 3),
        ("A2", "2023-05", "Stöld", "egendomsbrott", 4),
        ("A3", "2023-06", "Stöld", "egendomsbrott", 12),
    ]
    # Row numbers follow the sheet: Excel row 6 is data row 5 (the blank row 5 is skipped).
    rows = run.rows(
        """SELECT c.row_number FROM staging.crime AS c JOIN main.load_log AS l
           ON l.source = 'brott' AND l.file_ord = c.file_ord
           WHERE l.file = 'j_data.xlsx' ORDER BY 1"""
    )
    assert [r["row_number"] for r in rows] == [1, 2, 5]
    # The second sheet was not read: its unknown category is nowhere in quarantine.
    assert [q["reason"] for q in run.quarantine("brott", "j_data.xlsx")] == ["invalid_count"]


def test_xlsx_fraction_in_a_numeric_cell_is_invalid_count(run):
    (row,) = run.quarantine("brott", "j_data.xlsx")
    assert (row["reason"], row["row_number"], row["column_name"]) == ("invalid_count", 3, "Antal")
    assert "'Antal'" in row["detail"] and "2.5" in row["detail"]
    assert row["raw_json"] == {
        "Område_ID": "A3",
        "Månad": "2023-05-01",
        "Brottskategori": "Misshandel",
        "Antal": "2.5",
    }


def test_brott_summary_counts_every_file(run):
    brott = [s for s in run.summaries() if s.startswith("brott ")]
    # 12 files: the base brott.csv and the eleven above; six of them rejected whole.
    assert brott == [
        "brott            12 file(s) read, 18 rows accepted, 3 quarantined, 0 superseded "
        "(6 file(s) rejected whole)"
    ]


def test_lines_with_the_wrong_number_of_fields(run):
    rows = run.quarantine("brott", "k_ragged.csv")
    assert [(q["row_number"], q["reason"], q["column_name"], q["raw"]) for q in rows] == [
        (3, "malformed_row", None, "A3;2022-01;Stöld;3;extra"),
        (5, "malformed_row", None, "A2;2022-02"),
    ]
    assert rows[0]["detail"] == (
        "the line has the wrong number of fields for the header (4 columns): too many columns"
    )
    log = run.log_row("brott", "k_ragged.csv")
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (7, 5, 2)
    staged = run.rows(
        """SELECT c.row_number, c.crime_count FROM staging.crime AS c JOIN main.load_log AS l
           ON l.source = 'brott' AND l.file_ord = c.file_ord
           WHERE l.file = 'k_ragged.csv' ORDER BY 1"""
    )
    assert [(r["row_number"], r["crime_count"]) for r in staged] == [
        (1, 1),
        (2, 2),
        (4, 4),
        (6, 6),
        (7, 7),
    ]


def test_the_raw_folder_is_not_modified(run):
    # Every file's sha256, size and mtime, and every folder, before and after the build.
    assert len(run.raw_before) == 18
    assert run.raw_after == run.raw_before
