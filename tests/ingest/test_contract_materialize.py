"""The ingest assets and their checks, materialized with `dagster.materialize()` on a
purpose-made folder (no job, no marts): a clean folder passes every check, rule and Great
Expectations suite alike; and max_quarantine_share is a setting that the check honours.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from assets.checks.ingest_checks import INGEST_CHECKS, SUITES
from assets.database import WorkDatabase
from assets.ingest.assets import INGEST_ASSETS
from assets.settings import LagesbildSettings

CLEAN = {
    "befolkning/befolkning.csv": (
        "omrade_id;ar;aldersgrupp;kon;antal\n"
        "A1;2023;0-17;totalt;30\nA1;2023;18+;totalt;70\nA1;2023;totalt;totalt;100\n"
        "A2;2023;totalt;totalt;200\nA3;2023;totalt;totalt;300\n"
    ),
    "orosanmalningar/orosanmalningar.csv": (
        "omrade_id;manad;typ;kalla;aldersgrupp;kon;antal\n"
        "A1;2023-11;orosanmalan;skola;0-12;kvinnor;3\nA3;2023-12;sig;polis;13-17;man;1\n"
    ),
    "omradesteam/omradesteam.csv": (
        "omrade_id;period;tema;bedomning;antal_aktiviteter;observationer\n"
        "A1;2023-HT;trygghet;2;4;Lugnt\nA3;2023-Q4;narkotika;4;1;Mer langning vid skolan\n"
    ),
}
HALF_BAD = (
    "omrade_id;manad;brottskategori;antal\n"
    "A1;2023-01;Stöld;1\nA2;2023-01;Stöld;x\nA3;2023-01;Stöld;1\nA1;2023-02;Stöld;-1\n"
)

# 3 of the 9 accepted crime rows without a place: more than the suite's 20 % (a warning).
UNPLACED = (
    "omrade_id;manad;brottskategori;antal\n"
    "okant;2023-05;Stöld;1\nokant;2023-06;Stöld;2\nokant;2023-07;Stöld;3\n"
)


def _materialize(raw, marts, **settings):
    config = LagesbildSettings(
        raw_dir=str(raw), marts_dir=str(marts), reports_dir=str(marts / "reports"), **settings
    )
    result = dg.materialize(
        [*INGEST_ASSETS, *INGEST_CHECKS],
        resources={
            "settings": config,
            "duckdb": WorkDatabase(database=str(config.work_db_path)),
        },
        raise_on_error=False,
    )
    return result, config


@pytest.fixture(scope="module")
def clean(write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("materialize_clean")
    return _materialize(write_raw(root / "raw", base_files(**CLEAN)), root / "marts")


@pytest.fixture(scope="module")
def strict(write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("materialize_strict")
    files = {"brott/half.csv": HALF_BAD, "brott/okant.csv": UNPLACED}
    raw = write_raw(root / "raw", base_files(**files))
    return _materialize(raw, root / "marts", max_quarantine_share=0.45)


def test_clean_folder_passes_every_check(clean):
    result, _ = clean
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    failed = [(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed]
    assert failed == []
    names = {(e.asset_key.to_user_string(), e.check_name) for e in evaluations}
    for asset in ("staging/area", "staging/crime"):
        rules = {"accounting", "quarantine_share", "has_accepted_rows"}
        assert {(asset, rule) for rule in rules} <= names
    # Every GX expectation of every suite reported (none silently skipped).
    expected_gx = {f"gx_{e.name}" for suite in SUITES.values() for e in suite.expectations}
    assert {n[1] for n in names if n[1].startswith("gx_")} == expected_gx
    # 34 since omradesteam's publish_flag_set (data contract §2.5, publiceras), 7 more for trygghet.
    assert len([n for n in names if n[1].startswith("gx_")]) == 41
    assert ("staging/crime", "gx_category_known") in names


def test_clean_folder_materializes_every_ingest_asset(clean):
    result, config = clean
    materialized = {
        e.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION"
    }
    assert materialized == {
        "staging/reference_lists",
        "staging/area",
        "staging/population",
        "staging/crime",
        "staging/referral",
        "staging/area_team",
        "staging/survey",
        "marts/quarantine",
        "marts/load_log",
    }
    con = duckdb.connect(str(config.work_db_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM main.quarantine").fetchone() == (0,)
        logs = con.execute(
            """SELECT source, file, status, rows_read, rows_accepted FROM main.load_log
               ORDER BY source, file_ord"""
        ).fetchall()
        assert logs == [
            ("befolkning", "befolkning.csv", "loaded", 5, 5),
            ("brott", "brott.csv", "loaded", 4, 4),
            ("omraden", "omraden.csv", "loaded", 3, 3),
            ("omradesteam", "omradesteam.csv", "loaded", 2, 2),
            ("orosanmalningar", "orosanmalningar.csv", "loaded", 2, 2),
            ("referens", "teman.csv", "loaded", 5, 5),
            ("referens", "brottskategorier.csv", "loaded", 4, 4),
            ("referens", "trygghetsfragor.csv", "default", 7, 7),
            ("trygghet", None, "not_delivered", 0, 0),
        ]
    finally:
        con.close()


def test_max_quarantine_share_is_a_setting(strict):
    result, _ = strict
    assert not result.success
    (check,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == "staging/crime" and e.check_name == "quarantine_share"
    ]
    assert not check.passed
    assert check.metadata["max_quarantine_share"].value == 0.45
    assert check.metadata["files"].value == ["half.csv: 2 of 4 rows quarantined (50% > 45%)"]


def test_each_expectation_reports_its_own_result(strict):
    # Great Expectations returns results in its own order, not the suite's: a result
    # reported under the wrong expectation would turn this warning into a blocking
    # failure of another check (e.g. gx_category_known).
    result, _ = strict
    failed = {
        (e.check_name, e.severity.value)
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.asset_key.to_user_string() == "staging/crime"
    }
    assert failed == {("quarantine_share", "ERROR"), ("gx_mostly_placed", "WARN")}
    (placed,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "gx_mostly_placed"
    ]
    assert placed.metadata["expectation_type"].value == "expect_column_values_to_not_be_in_set"
    assert placed.metadata["unexpected_count"].value == 3
    assert placed.metadata["sample_unexpected"].value == ["okant", "okant", "okant"]
