"""The Dagster Definitions load, as `dagster dev -w workspace.yaml` and the CLI load them."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import dagster as dg

from pipelines.definitions import build_definitions
from pipelines.resources import settings_from_env

REPO = Path(__file__).resolve().parents[1]


def _start_validate() -> tuple[subprocess.Popen, Path]:
    """`dagster definitions validate -w workspace.yaml` from the repo root, DAGSTER_HOME in a
    temporary folder. It takes ~20 s, so it starts when this module is collected and runs
    beside the other tests; test_dagster_definitions_validate waits for it."""
    home = Path(tempfile.mkdtemp(prefix="lagesbild_dagster_home_"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAGESBILD_")}
    env.update(DAGSTER_HOME=str(home), GX_ANALYTICS_ENABLED="false")
    dagster = str(Path(sys.executable).with_name("dagster"))
    # A file, not a pipe: a full pipe would stall the process until the test reads it.
    with (home / "validate.log").open("w") as log:
        process = subprocess.Popen(
            [dagster, "definitions", "validate", "-w", "workspace.yaml"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _cleanup() -> None:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(home, ignore_errors=True)

    atexit.register(_cleanup)
    return process, home


_VALIDATE = _start_validate()

INGEST_ASSETS = {
    "staging/reference_lists",
    "staging/area",
    "staging/population",
    "staging/crime",
    "staging/referral",
    "staging/area_team",
    "marts/quarantine",
    "marts/load_log",
}


def test_module_level_defs_load():
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    for name in ("build", "report", "lagesbild"):
        assert defs.resolve_job_def(name).name == name
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys >= INGEST_ASSETS


def test_build_definitions_wires_one_settings_object(tmp_path):
    settings = settings_from_env(
        {
            "raw_dir": str(tmp_path / "raw"),
            "marts_dir": str(tmp_path / "marts"),
            "reports_dir": str(tmp_path / "reports"),
            "max_quarantine_share": 0.25,
        },
        environ={},
    )
    defs = build_definitions(settings)
    resources = defs.resources
    assert resources["settings"].raw_dir == str(tmp_path / "raw")
    assert resources["settings"].max_quarantine_share == 0.25
    assert resources["duckdb"].database == str(tmp_path / "marts" / ".build" / "work.duckdb")
    # The build job covers every ingest asset; the report job is apart.
    build = defs.resolve_job_def("build")
    built = {k.to_user_string() for k in build.asset_layer.asset_graph.get_all_asset_keys()}
    assert built >= INGEST_ASSETS


def test_contract_checks_are_blocking():
    defs = build_definitions(settings_from_env(environ={}))
    blocking = {
        (spec.asset_key.to_user_string(), spec.name): spec.blocking
        for checks in defs.asset_checks or []
        for spec in checks.check_specs
    }
    for asset in ("staging/area", "staging/crime"):
        for rule in ("accounting", "quarantine_share", "has_accepted_rows"):
            assert blocking[(asset, rule)] is True, (asset, rule)
    for asset in ("staging/population", "staging/referral", "staging/area_team"):
        assert blocking[(asset, "accounting")] is True
        assert blocking[(asset, "quarantine_share")] is True
        # Optional sources: not delivered is not an error.
        assert (asset, "has_accepted_rows") not in blocking


def test_dagster_definitions_validate():
    process, home = _VALIDATE
    process.wait(timeout=300)
    output = (home / "validate.log").read_text(encoding="utf-8", errors="replace")
    assert process.returncode == 0, output
    assert "All code locations passed validation" in output
