"""Data contract §2.6, teman.csv's optional `prioriteras`: `nej` marks a residual theme.

A residual group (such as "övrigt") is reported but never becomes a key finding. An empty cell
or a file without the column means `ja`; a value that is neither `ja` nor `nej` is read as the
default, and the load log says which theme it was.
"""

from __future__ import annotations

import pytest

from assets.ingest.reference import DEFAULTS_DIR

THEMES = (
    "tema;beskrivning;prioriteras\n"
    "våld i offentlig miljö;Våld på allmän plats;ja\n"
    "barn och unga;Brott mot barn och unga;\n"  # empty: the default, ja
    "narkotika;Narkotikabrott;kanske\n"  # unreadable: read as ja, noted
    "egendomsbrott;Stölder;NEJ\n"  # nej, whatever the case
)


@pytest.fixture(scope="module")
def run(build_raw, write_raw, base_files, tmp_path_factory):
    root = tmp_path_factory.mktemp("reference")
    raw = write_raw(root / "raw", base_files(**{"referens/teman.csv": THEMES}))
    build = build_raw(raw, root / "marts", publish=False)
    assert not build.errors(), build.errors()
    return build


def test_prioriteras_is_read_per_theme(run) -> None:
    flags = dict(run.con.execute("SELECT theme, is_prioritised FROM staging.theme").fetchall())
    assert flags == {
        "våld i offentlig miljö": True,
        "barn och unga": True,
        "narkotika": True,
        "egendomsbrott": False,
    }


def test_an_unreadable_flag_is_named_in_the_load_log(run) -> None:
    notes = " ".join(str(r["notes"] or "") for r in run.load_log("referens"))
    assert "prioriteras is neither ja nor nej for narkotika: read as ja (the default)" in notes
    assert "egendomsbrott" not in notes.split("prioriteras")[1]


def test_the_shipped_list_marks_only_ovrigt_as_residual() -> None:
    rows = (DEFAULTS_DIR / "teman.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "tema;beskrivning;prioriteras"
    residual = [r.split(";")[0] for r in rows[1:] if r.split(";")[2] == "nej"]
    assert residual == ["övrigt"]


def test_a_list_without_the_column_prioritises_every_theme(
    build_raw, write_raw, base_files, tmp_path
) -> None:
    raw = write_raw(tmp_path / "raw", base_files())  # BASE_THEMES has no prioriteras
    build = build_raw(raw, tmp_path / "marts", publish=False)
    assert build.con.execute(
        "SELECT bool_and(is_prioritised), count(*) FROM staging.theme"
    ).fetchone() == (True, 5)
