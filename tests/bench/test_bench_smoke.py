"""`make bench-smoke`: the benchmark harness end to end at 1/100 of national scale.

It proves that the benchmark itself works (data generation and caching, the bare-DuckDB
baseline, `lagesbild run` as a measured subprocess, the JSON results and the row-by-row
correctness check). It never asserts timings: only that the numbers are there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30 * 60,
    )
    results = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    return proc, results


def _explain(proc: subprocess.CompletedProcess) -> str:
    return f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"


@pytest.mark.slow
def test_smoke_exits_zero_and_writes_json(smoke) -> None:
    proc, results = smoke
    assert proc.returncode == 0, _explain(proc)
    assert results, "no JSON results written\n" + _explain(proc)
    assert results["schema_version"] == 1
    assert results["kind"] == "smoke"
    assert results["ok"] is True
    assert results["problems"] == []
    # the one-line summary is printed and stored
    assert results["summary"].startswith("bench ")
    assert results["summary"] in proc.stdout


@pytest.mark.slow
def test_smoke_structure_and_numbers(smoke) -> None:
    _, results = smoke
    machine = results["machine"]
    assert machine["nproc"] >= 1 and machine["ram_bytes"] > 0
    assert machine["versions"]["duckdb"]

    assert [s["label"] for s in results["scales"]] == ["1/100"]
    scale = results["scales"][0]
    assert scale["dataset"]["crime_rows"] > 0
    assert scale["dataset"]["params"]["n_areas"] == 60
    for kind in ("baseline", "pipeline"):
        block = scale[kind]
        assert block["runs"] == 1 and block["runs_ok"] == 1
        assert block["wall_s"]["min"] > 0 and block["wall_s"]["median"] > 0
        assert block["peak_rss_bytes"]["max"] > 0
        (repeat,) = block["repeats"]
        assert repeat["peak_rss_bytes"] >= repeat["peak_rss_tree_bytes"] > 0
        assert repeat["cpu_s"] >= 0
    assert isinstance(scale["ratio_wall_median"], float) and scale["ratio_wall_median"] > 0

    pipeline = scale["pipeline"]["repeats"][0]
    assert pipeline["published"] is True
    # The whole run: marts published and the report for the latest complete year written.
    assert pipeline["report_stage"] == "present"
    assert pipeline["status"] == "complete"
    assert pipeline["report_files"] and pipeline["report_files"][0].startswith("lagesbild-")
    assert pipeline["runs"] and pipeline["runs"][0]["job"] == "build"

    growth = results["growth"]["rows"]
    assert len(growth) == 1 and growth[0]["pipeline_s_per_mrow"] > 0
    assert results["targets"]["peak_rss"]["value_bytes"] > 0
    assert set(results["targets"]) >= {"ratio_wall", "peak_rss", "growth"}


@pytest.mark.slow
def test_smoke_correctness_check_passed(smoke) -> None:
    _, results = smoke
    correctness = results["correctness"]
    assert correctness["passed"] is True, correctness
    assert correctness["scale"] == "1/100"
    assert correctness["rows_compared"] == correctness["rows_baseline"] > 0
    assert correctness["rows_mismatched"] == 0
    assert {"crime_count", "population", "crimes_per_1000"} <= set(
        correctness["mismatches_by_column"]
    )
