"""`lagesbild run` (pipelines.cli.main): exit codes and the run summary (data-contract §1).

  0  success; one summary line per source (files read, rows accepted, quarantined, superseded)
  1  stopped on a blocking data-quality check; stdout names the check; nothing published
  2  usage error, or a raw folder that is missing or unreadable (one line on stderr)

The report stage of `lagesbild run` is built elsewhere: the success case asserts on the build
part (the published marts and the summary lines), not on the final "Report:" line.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main

SOURCES = (
    "omraden",
    "referens",
    "brott",
    "befolkning",
    "orosanmalningar",
    "omradesteam",
    "trygghet",
)


def _main(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _run_args(root: Path, raw: Path, *extra: str) -> list[str]:
    return [
        "run",
        "--raw-dir",
        str(raw),
        "--marts-dir",
        str(root / "marts"),
        "--reports-dir",
        str(root / "reports"),
        *extra,
    ]


@pytest.fixture(autouse=True, scope="module")
def _ephemeral_instance():
    """The CLI uses $DAGSTER_HOME's instance when set; the tests use an ephemeral one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DAGSTER_HOME", raising=False)
        yield


@pytest.fixture(scope="module")
def good_with_one_bad_file(write_raw, base_files, snapshot_folder, tmp_path_factory):
    root = tmp_path_factory.mktemp("cli_ok")
    raw = write_raw(root / "raw", base_files(**{"brott/bad.csv": b"\x00\x01binary\x00" * 8}))
    before = snapshot_folder(raw)
    code, out, err = _main(_run_args(root, raw))
    # The pipeline never modifies, moves or deletes anything under the raw folder.
    assert snapshot_folder(raw) == before
    return root, code, out, err


@pytest.fixture(scope="module")
def blocked(write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("cli_blocked")
    crime = (
        "omrade_id;manad;brottskategori;antal\n"
        "A1;2023-11;Misshandel;1\nA2;2023-11;Misshandel;x\nA3;2023-11;Misshandel;-2\n"
        "A1;2023-12;Misshandel;y\nA2;2023-12;Misshandel;2\n"
    )
    raw = write_raw(root / "raw", base_files(**{"brott/brott.csv": crime}))
    code, out, err = _main(_run_args(root, raw))
    return root, code, out, err


def test_missing_raw_folder_exits_2(tmp_path):
    missing = tmp_path / "finns_inte"
    code, out, err = _main(_run_args(tmp_path, missing))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert str(missing) in lines[0]
    assert not (tmp_path / "marts").exists()


def test_nonexistent_absolute_raw_folder_exits_2():
    code, _, err = _main(["run", "--raw-dir", "/nonexistent"])
    assert code == 2
    assert len(err.splitlines()) == 1 and "/nonexistent" in err


def test_raw_folder_that_is_a_file_exits_2(tmp_path):
    a_file = tmp_path / "raw.csv"
    a_file.write_text("omrade_id;manad\n", encoding="utf-8")
    code, out, err = _main(_run_args(tmp_path, a_file))
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and str(a_file) in err


def test_implausible_year_exits_2_before_building(write_raw, base_files, tmp_path):
    raw = write_raw(tmp_path / "raw", base_files())
    code, _, err = _main(_run_args(tmp_path, raw, "--year", "1800"))
    assert code == 2
    assert len(err.splitlines()) == 1 and "1800" in err
    assert not (tmp_path / "marts" / ".build" / "work.duckdb").exists()
    assert not (tmp_path / "marts" / "lagesbild.duckdb").exists()


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--year", "nittonhundra"])
    assert exit_info.value.code == 2
    assert "--year" in capsys.readouterr().err


def test_one_bad_file_still_loads_the_good_files(good_with_one_bad_file):
    root, code, out, err = good_with_one_bad_file
    assert code == 0, f"stdout:\n{out}\nstderr:\n{err}"
    published = root / "marts" / "lagesbild.duckdb"
    assert published.exists()
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute(
            "SELECT source, file, row_number, reason FROM main.quarantine"
        ).fetchall() == [("brott", "bad.csv", None, "file_unreadable")]
        assert con.execute(
            "SELECT file, status, rows_read, rows_accepted FROM main.load_log "
            "WHERE source = 'brott' ORDER BY file_ord"
        ).fetchall() == [("bad.csv", "rejected", 0, 0), ("brott.csv", "loaded", 4, 4)]
    finally:
        con.close()


def test_summary_has_one_line_per_source(good_with_one_bad_file):
    _, code, out, _ = good_with_one_bad_file
    assert code == 0
    lines = [line.strip() for line in out.splitlines()]
    per_source = {s: [line for line in lines if line.split(" ")[0] == s] for s in SOURCES}
    assert {s: len(found) for s, found in per_source.items()} == dict.fromkeys(SOURCES, 1)
    assert per_source["brott"] == [
        "brott            2 file(s) read, 4 rows accepted, 0 quarantined, 0 superseded "
        "(1 file(s) rejected whole)"
    ]
    assert per_source["omraden"] == [
        "omraden          1 file(s) read, 3 rows accepted, 0 quarantined, 0 superseded"
    ]
    for source in ("befolkning", "orosanmalningar", "omradesteam", "trygghet"):
        assert per_source[source] == [f"{source:<16} not delivered"]
    assert f"lagesbild: published {root_published(good_with_one_bad_file)}" in out


def root_published(fixture) -> Path:
    return fixture[0] / "marts" / "lagesbild.duckdb"


def test_blocking_check_exits_1_and_names_the_check(blocked):
    root, code, out, err = blocked
    assert code == 1, f"stdout:\n{out}\nstderr:\n{err}"
    assert "stopped on a blocking data-quality check; nothing new was published" in out
    assert (
        "  staging/crime quarantine_share: brott.csv: 3 of 5 rows quarantined (60% > 50%)"
        in out.splitlines()
    )
    assert "brott            1 file(s) read, 2 rows accepted, 3 quarantined, 0 superseded" in out
    assert not (root / "marts" / "lagesbild.duckdb").exists()
    assert "Report:" not in out
