"""Data contract §2.5 `publiceras` (alias `publish`): only reviewed area-team observations
reach the public report and `public/`.

`publiceras` is an optional ja/nej column, default nej. Screening finds numbers, not names or
descriptions, so an observation is published only where a person marked it `ja`; the marts
keep every (screened) observation, and the report says how many were not published. The
column follows the contract's general rules: headers folded and aliased, values folded like
the other ja/nej columns, an empty cell or a missing column meaning the default (nej). A
value that is neither ja nor nej is read as nej as well, as the project does for the other
ja/nej columns (omraden.omradesteam, signalbrott): the row keeps its assessment and the load
log counts the unreadable values.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

# The base folder (tests/conftest.py) has areas A1 Norr (team), A2 Söder, A3 Öster (team)
# and crimes up to December 2023, so the report is for 2023.
TEAM_A = (
    "omrade_id;period;tema;bedomning;observationer; Publish \n"  # the English alias, padded
    "A1;2023-VT;narkotika;3;Publicerad iakttagelse ett om torget.;ja\n"  # 1
    "A1;2023-HT;narkotika;4;Hemlig iakttagelse två om en familj.;nej\n"  # 2
    "A1;2023-VT;trygghet;2;Ogranskad iakttagelse tre om en granne.;\n"  # 3: empty -> nej
    "A1;2023-HT;trygghet;2;Publicerad iakttagelse fyra om belysningen.; JA \n"  # 4: folded
    "A3;2023-VT;narkotika;3;Hemlig iakttagelse fem om en butik.;kanske\n"  # 5: unreadable
    "A3;2023-HT;narkotika;3;;ja\n"  # 6: nothing to publish
    "A3;2023-VT;trygghet;9;Hemlig iakttagelse sju i karantän.;ja\n"  # 7: invalid_assessment
    "A3;2022-HT;trygghet;2;Hemlig iakttagelse åtta från året före.;Nej\n"  # 8
)
# A delivery without the column (as every delivery before the column existed): nej.
TEAM_B = (
    "area_id;period;theme;assessment;observations\n"
    "A1;2023-Q4;egendomsbrott;2;Hemlig iakttagelse nio utan kolumnen.\n"
)
PUBLISHED = [
    "Publicerad iakttagelse ett om torget.",
    "Publicerad iakttagelse fyra om belysningen.",
]
WITHHELD = [
    "Hemlig iakttagelse två om en familj.",
    "Ogranskad iakttagelse tre om en granne.",
    "Hemlig iakttagelse fem om en butik.",
    "Hemlig iakttagelse åtta från året före.",
    "Hemlig iakttagelse nio utan kolumnen.",
]
QUARANTINED_TEXT = "Hemlig iakttagelse sju i karantän."


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("publish")
    files = {"omradesteam/team_a.csv": TEAM_A, "omradesteam/team_b.csv": TEAM_B}
    build = build_raw(write_raw(root / "raw", base_files(**files)), root / "marts")
    assert not build.errors(), build.errors()
    assert build.result.success
    return build


@pytest.fixture(scope="module")
def published(run):
    from assets.database import connect  # the project's settings: the report opens it too

    con = connect(run.published, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def report_html(run, tmp_path_factory) -> str:
    from assets.report.render import render_report

    result = render_report(run.published, tmp_path_factory.mktemp("publish_report"), 2023)
    return result.path.read_text(encoding="utf-8")


def _by_text(con, sql: str) -> dict[str, dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    out = {}
    for values in cur.fetchall():
        r = dict(zip(names, values, strict=True))
        out[f"{r['area_id']} {r['period']} {r['theme']}"] = r
    return out


def test_alias_empty_cell_missing_column_and_folding(run, assert_accounting):
    assert_accounting(run)
    flags = {
        (r["file_ord"], r["row_number"]): r["is_published"]
        for r in run.rows("SELECT file_ord, row_number, is_published FROM staging.area_team")
    }
    a = run.log_row("omradesteam", "team_a.csv")["file_ord"]
    b = run.log_row("omradesteam", "team_b.csv")["file_ord"]
    assert flags == {
        (a, 1): True,
        (a, 2): False,
        (a, 3): False,  # empty cell: the default, nej
        (a, 4): True,  # ' JA ': folded like the other ja/nej columns
        (a, 5): False,  # 'kanske': unreadable, read as nej
        (a, 6): True,
        (a, 8): False,
        (b, 1): False,  # the file has no publiceras column
    }
    assert "publiceras=Publish" in run.log_row("omradesteam", "team_a.csv")["columns_used"]
    check = run.check("staging/area_team", "gx_publish_flag_set")
    assert check is not None and check.passed


def test_an_unreadable_value_keeps_the_row_and_is_noted_in_the_load_log(run):
    log = run.log_row("omradesteam", "team_a.csv")
    assert (log["rows_read"], log["rows_accepted"], log["rows_quarantined"]) == (8, 7, 1)
    assert log["notes"] == (
        "1 unreadable Publish value(s) (not ja/nej): treated as nej, "
        "the observation is not published"
    )
    # Only the bad assessment is quarantined; the publish flag never costs a row.
    assert [(q["row_number"], q["reason"]) for q in run.quarantine("omradesteam")] == [
        (7, "invalid_assessment")
    ]
    (row,) = run.rows(
        "SELECT assessment, observations, is_published FROM staging.area_team "
        "WHERE area_id = 'A3' AND period = '2023-VT' AND theme = 'narkotika'"
    )
    assert row == {
        "assessment": 3,
        "observations": "Hemlig iakttagelse fem om en butik.",
        "is_published": False,
    }
    assert run.log_row("omradesteam", "team_b.csv")["notes"] is None


def test_the_mart_keeps_every_observation_with_its_flag(published):
    rows = _by_text(
        published, "SELECT area_id, period, theme, observations, is_published FROM area_team_report"
    )
    assert {r["observations"]: r["is_published"] for r in rows.values()} == {
        **dict.fromkeys(PUBLISHED, True),
        **dict.fromkeys(WITHHELD, False),
        None: True,  # A3 2023-HT narkotika: flagged ja, nothing written
    }
    comment = published.execute(
        "SELECT comment FROM duckdb_columns() WHERE schema_name = 'main' "
        "AND table_name = 'area_team_report' AND column_name = 'is_published'"
    ).fetchone()[0]
    assert comment and "publiceras" in comment


def test_public_area_team_has_only_published_text_and_every_assessment(published):
    rows = _by_text(
        published,
        "SELECT area_id, period, theme, assessment, observations, observation_withheld "
        "FROM public.area_team",
    )
    assert {
        k: (r["assessment"], r["observations"], r["observation_withheld"]) for k, r in rows.items()
    } == {
        "A1 2023-VT narkotika": (3, PUBLISHED[0], False),
        "A1 2023-HT narkotika": (4, None, True),
        "A1 2023-VT trygghet": (2, None, True),
        "A1 2023-HT trygghet": (2, PUBLISHED[1], False),
        "A1 2023-Q4 egendomsbrott": (2, None, True),
        "A3 2023-VT narkotika": (3, None, True),
        "A3 2023-HT narkotika": (3, None, False),  # nothing was written: nothing held back
        "A3 2022-HT trygghet": (2, None, True),
    }


def test_public_files_hold_no_withheld_observation(run):
    folder = run.marts_dir / "public"
    csv_text = (folder / "area_team.csv").read_text(encoding="utf-8")
    for text in PUBLISHED:
        assert text in csv_text
    parquet = pq.read_table(folder / "area_team.parquet").to_pylist()
    assert sorted(r["observations"] for r in parquet if r["observations"]) == sorted(PUBLISHED)
    assert sum(bool(r["observation_withheld"]) for r in parquet) == len(WITHHELD)
    scanned = 0
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            content = path.read_text(encoding="utf-8")
        elif path.suffix == ".parquet":
            content = repr(pq.read_table(path).to_pylist())
        else:
            continue
        scanned += 1
        leaked = [t for t in [*WITHHELD, QUARANTINED_TEXT] if t in content]
        assert leaked == [], path.name
    assert scanned > 5


def test_report_prints_published_observations_only(report_html):
    for text in PUBLISHED:
        assert text in report_html
    leaked = [t for t in [*WITHHELD, QUARANTINED_TEXT] if t in report_html]
    assert leaked == []


def test_report_says_how_many_observations_were_held_back_per_area(report_html, run):
    from tests.report.html_tree import parse

    tree = parse(report_html)

    def team_text(area_id: str) -> str:
        section = tree.find("section", id=f"omrade-{area_id.lower()}-team")
        assert section is not None, area_id
        return " ".join(section.text(visible=True).split())

    # A1 in 2023: rows 2 (nej), 3 (empty) and team_b's row (no column); A3: row 5 only,
    # since its row 8 is from 2022.
    assert (
        "3 iakttagelser från områdesteamet 2023 har inte godkänts för publicering och "
        "visas inte." in team_text("A1")
    )
    assert (
        "1 iakttagelse från områdesteamet 2023 har inte godkänts för publicering och "
        "visas inte." in team_text("A3")
    )
    assert "iakttagelser från områdesteamet" not in team_text("A3")
    # The data-quality appendix states the rule and the year's totals.
    quality = " ".join(tree.find("section", id="datakvalitet").text(visible=True).split())
    assert "publiceras = ja" in quality
    assert "För 2023 visas 2 iakttagelser och 4 visas inte." in quality
    assert (
        "kolumnen Publish är varken ja eller nej på 1 rad: iakttagelsen publiceras inte" in quality
    )
