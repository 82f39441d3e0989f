"""No small value in the published outputs: crimes 1–2 and referrals 1–4 are never shown.

The report renders only the public (disclosure-controlled) tables. These tests check what
reached the HTML: every count it shows (table cells and counts in sentences carry
``data-n``), every count a chart draws (traces with ``meta.n``), the visible text, and the
public CSV files next to the marts.
"""

from __future__ import annotations

import csv
import json
import re

from assets.report.text import NBSP
from tests.report.conftest import visible_text

CRIME_MIN, REFERRAL_MIN = 3, 5
THRESHOLD = {"c": CRIME_MIN, "r": REFERRAL_MIN}


def _number(text: str) -> int | None:
    text = text.strip().replace(NBSP, "").replace(" ", "")
    return int(text) if re.fullmatch(r"\d+", text) else None


def _allowed(value: int, kind: str) -> bool:
    return value == 0 or value >= THRESHOLD[kind]


def test_every_count_shown_is_zero_at_least_the_threshold_or_suppressed(report):
    marked = [el for el in report.tree.iter() if "data-n" in el.attrs]
    assert len(marked) > 300
    kinds = set()
    for el in marked:
        kind = el.attrs["data-n"]
        kinds.add(kind)
        text = el.text().strip()
        if text in ("..", "–"):
            continue
        value = _number(text)
        assert value is not None, f"count cell with text {text!r}"
        assert _allowed(value, kind), f"small {kind} count {value} shown"
    assert kinds == {"c", "r"}


def test_chart_counts_are_never_small(report):
    checked = 0
    for script in report.tree.find_all("script", type="application/json"):
        if script.attrs.get("id") == "map-data":
            continue
        spec = json.loads(script.text())
        for trace in spec["data"]:
            kind = (trace.get("meta") or {}).get("n")
            if not kind:
                continue
            values = trace["x"] if trace.get("orientation") == "h" else trace["y"]
            for v in values:
                checked += 1
                assert v is None or _allowed(int(v), kind), f"{script.attrs['id']}: {v}"
                assert v is None or float(v) == int(v)
    assert checked > 500


def test_visible_counts_in_running_text_are_never_small(report):
    text = visible_text(report.tree).replace(NBSP, " ")
    patterns = {
        "c": r"(\d[\d ]*) (?:anmälda )?brott\b",
        "r": r"(\d[\d ]*) (?:orosanmälningar|orosanmälan|ärenden)\b",
    }
    found = 0
    for kind, pattern in patterns.items():
        for match in re.finditer(pattern, text):
            value = int(match.group(1).replace(" ", ""))
            found += 1
            assert _allowed(value, kind), f"small count in text: {match.group(0)!r}"
    assert found > 10


def test_the_area_table_shows_exactly_the_published_cells(report):
    """Each count in the table of all areas is the public cell, '..' where suppressed."""
    published = {
        r["area_name"]: r
        for r in report.public("SELECT * FROM public.area_year WHERE year = ?", [report.year])
    }
    table = report.tree.find("table", id="alla-omraden")
    headers = [th.text() for th in table.find("thead").find_all("th")]
    crime_col = headers.index("Anmälda brott")
    referral_col = headers.index("Orosanmälningar")
    rows = table.find("tbody").find_all("tr") + table.find("tfoot").find_all("tr")
    assert len(rows) >= 19
    for tr in rows:
        cells = [c for c in tr.children if not isinstance(c, str)]
        name = cells[0].text()
        row = published["Hela kommunen" if name == "Hela kommunen" else name]
        for col, column in ((crime_col, "crime_count"), (referral_col, "referral_count")):
            text = cells[col].text()
            if row[f"{column}_suppressed"]:
                assert text == "..", (name, column, text)
            elif row[column] is None:
                assert text == "–", (name, column, text)
            else:
                assert _number(text) == row[column], (name, column, text)


def test_suppressed_cells_of_the_public_tables_are_shown_as_marks(report):
    """Where a public cell is suppressed, the report never prints a number for it."""
    suppressed = report.public(
        "SELECT area_name, month FROM public.area_month WHERE year = ? AND crime_count_suppressed",
        [report.year],
    )
    assert suppressed, "the sample has suppressed monthly cells"
    months = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ]
    checked = 0
    for cell in suppressed:
        if cell["month"] not in {f"{m:02d}" for m in range(1, 13)}:
            continue
        caption = f"Anmälda brott per månad i {cell['area_name']}"
        table = next(
            (t for t in report.tree.find_all("table") if t.find("caption").text() == caption), None
        )
        if table is None:
            continue
        month = months[int(cell["month"]) - 1]
        tr = next(tr for tr in table.find("tbody").find_all("tr") if tr.find("th").text() == month)
        assert tr.find("td").text() == ".."
        checked += 1
    assert checked > 0


def test_public_csv_files_hold_no_small_counts(report):
    public_dir = report.marts_dir / "public"
    files = sorted(public_dir.glob("*.csv"))
    assert files, f"no public CSV files in {public_dir}"
    columns = {"crime_count": "c", "referral_count": "r", "sig_referral_count": "r"}
    checked = 0
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                for column, kind in columns.items():
                    value = (row.get(column) or "").strip()
                    if value in ("", ".."):
                        continue
                    checked += 1
                    assert _allowed(int(value), kind), f"{path.name}: {column}={value}"
    assert checked > 1000
