"""Kept versions of the published marts: `lagesbild versions` and `lagesbild restore`.

A publication is published here the way assets/publication.py does it (publish_marts, a
public/ folder swapped in, record_version under the lock), on small made-up tables.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from assets.database import connect
from assets.marts.publish import publish_marts, swap_directory
from assets.marts.versions import (
    current_run_id,
    list_versions,
    publication_lock,
    record_version,
)
from pipelines.cli import main
from pipelines.resources import settings_from_env
from tests.marts.conftest import REPO

TABLES = ("area_year", "crime_month")


def publish(tmp: Path, marts: Path, run_id: str, version: int, keep: int = 5) -> None:
    """Publish a version whose every value says which version it is."""
    work = tmp / f"work-{run_id}.duckdb"
    con = connect(work)
    try:
        for table in TABLES:
            con.execute(
                f"CREATE TABLE main.{table} AS SELECT {version} AS version, i AS n, "
                f"'område {version}-' || i AS label FROM range({10 + version}) t(i)"
            )
        with publication_lock(marts):
            publish_marts(con, marts_dir=marts, run_id=run_id, tables=TABLES)
            public = marts / f".public-{run_id}"
            public.mkdir()
            (public / "brott.csv").write_text(f"version;antal\n{version};{version * 7}\n")
            swap_directory(marts / "public", public)
            record_version(marts, run_id, keep)
    finally:
        con.close()


def snapshot(marts: Path) -> dict[str, object]:
    """What a reader sees: every row of every table, and the bytes of every exported file."""
    con = duckdb.connect(str(marts / "lagesbild.duckdb"), read_only=True)
    try:
        seen: dict[str, object] = {
            table: con.execute(f"SELECT * FROM main.{table} ORDER BY n").fetchall()
            for table in TABLES
        }
    finally:
        con.close()
    for folder in ("parquet", "public"):
        for path in sorted((marts / folder).iterdir()):
            seen[f"{folder}/{path.name}"] = path.read_bytes()
    return seen


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_restore_brings_back_the_first_version_exactly(tmp_path) -> None:
    marts = tmp_path / "marts"
    publish(tmp_path, marts, "run-aaa", 1)
    first = snapshot(marts)
    publish(tmp_path, marts, "run-bbb", 2)
    second = snapshot(marts)
    assert first["area_year"] != second["area_year"]

    code, out, _ = cli("versions", "--marts-dir", str(marts))
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["run-bbb", "run-aaa"]
    assert lines[0].endswith("  current") and not lines[1].endswith("current")

    code, out, err = cli("restore", "run-aaa", "--marts-dir", str(marts))
    assert (code, err) == (0, "")
    assert "restored version run-aaa" in out
    assert snapshot(marts) == first
    assert current_run_id(marts) == "run-aaa"
    code, out, _ = cli("versions", "--marts-dir", str(marts))
    assert [line.split()[0] for line in out.splitlines()] == ["run-bbb", "run-aaa"]
    assert out.splitlines()[1].endswith("  current")

    # The newer version is still kept and can be put back in turn.
    assert cli("restore", "run-bbb", "--marts-dir", str(marts))[0] == 0
    assert snapshot(marts) == second


def test_versions_lines_carry_an_iso_publication_time(tmp_path) -> None:
    from datetime import datetime

    marts = tmp_path / "marts"
    publish(tmp_path, marts, "run-aaa", 1)
    code, out, _ = cli("versions", "--marts-dir", str(marts))
    run_id, published_at, mark = out.split()
    assert (code, run_id, mark) == (0, "run-aaa", "current")
    assert datetime.fromisoformat(published_at).tzinfo is not None


def test_unknown_run_id_exits_2_and_changes_nothing(tmp_path) -> None:
    marts = tmp_path / "marts"
    publish(tmp_path, marts, "run-aaa", 1)
    before = snapshot(marts)
    for run_id in ("run-zzz", "../marts", ".versions"):
        code, out, err = cli("restore", run_id, "--marts-dir", str(marts))
        assert code == 2, run_id
        assert out == ""
        assert f"no kept version with run id '{run_id}'" in err
    assert snapshot(marts) == before


def test_versions_with_none_kept_prints_nothing_and_exits_0(tmp_path) -> None:
    assert cli("versions", "--marts-dir", str(tmp_path / "empty")) == (0, "", "")


def test_only_the_current_and_the_last_n_versions_are_kept(tmp_path) -> None:
    marts = tmp_path / "marts"
    for version in range(1, 6):
        publish(tmp_path, marts, f"run-{version}", version, keep=2)
    assert [v.run_id for v in list_versions(marts)] == ["run-5", "run-4", "run-3"]
    assert sorted(p.name for p in (marts / ".versions").iterdir() if p.is_dir()) == [
        "run-3",
        "run-4",
        "run-5",
    ]
    # After a restore of an older one, the current version is never pruned.
    cli("restore", "run-3", "--marts-dir", str(marts))
    publish(tmp_path, marts, "run-6", 6, keep=0)
    assert [v.run_id for v in list_versions(marts)] == ["run-6"]


def test_keep_versions_is_read_from_the_environment() -> None:
    assert settings_from_env(environ={}).keep_versions == 5
    assert settings_from_env(environ={"LAGESBILD_KEEP_VERSIONS": "2"}).keep_versions == 2


KILLED_RESTORE = textwrap.dedent(
    """
    import os, shutil, signal, sys
    from pathlib import Path
    from assets.marts import versions

    real_copytree = shutil.copytree

    def copy_then_die(src, dst, *args, **kwargs):
        # The database is staged and half of the folders copied: die like `kill -9`.
        real_copytree(src, dst, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    versions.shutil.copytree = copy_then_die
    versions.restore_version(Path(sys.argv[1]), sys.argv[2])
    """
)


def test_a_restore_killed_midway_leaves_the_current_version_intact(tmp_path) -> None:
    marts = tmp_path / "marts"
    publish(tmp_path, marts, "run-aaa", 1)
    first = snapshot(marts)
    publish(tmp_path, marts, "run-bbb", 2)
    second = snapshot(marts)

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RESTORE, str(marts), "run-aaa"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert snapshot(marts) == second
    assert current_run_id(marts) == "run-bbb"
    assert list(marts.glob(".parquet-restore-*")), "the kill came before the staging"

    # The lock died with the process: the next restore runs and sweeps the leftovers.
    assert cli("restore", "run-aaa", "--marts-dir", str(marts))[0] == 0
    assert snapshot(marts) == first
    assert not list(marts.glob(".lagesbild.duckdb.*.tmp*"))


def test_a_publication_without_a_public_folder_is_still_kept(tmp_path) -> None:
    marts = tmp_path / "marts"
    work = tmp_path / "work.duckdb"
    con = connect(work)
    for table in TABLES:
        con.execute(f"CREATE TABLE main.{table} AS SELECT 1 AS version, 0 AS n, 'x' AS label")
    with publication_lock(marts):
        publish_marts(con, marts_dir=marts, run_id="run-aaa", tables=TABLES)
        record_version(marts, "run-aaa", 5)
    con.close()
    assert not (marts / ".versions" / "run-aaa" / "public").exists()
    assert cli("restore", "run-aaa", "--marts-dir", str(marts))[0] == 0
