"""Run and step timings from a finished run's Dagster instance (the start-up split).

The harness gives every ``lagesbild run`` its own DAGSTER_HOME. Dagster's default storage
there is SQLite: ``history/runs.db`` (one row per run, start and end as epoch seconds) and
``history/runs/<run_id>.db`` (the event log; timestamps are naive UTC). They are read with
the standard library's sqlite3, so the harness never imports Dagster itself. If the layout
is not what is expected (e.g. another storage is configured), the timings are simply absent.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

STEP_END = ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED")


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def run_timings(dagster_home: Path) -> list[dict[str, object]]:
    """Every run in the instance, oldest first: job, status, start/end and its steps."""
    runs_db = dagster_home / "history" / "runs.db"
    if not runs_db.is_file():
        return []
    with sqlite3.connect(f"file:{runs_db}?mode=ro", uri=True) as con:
        runs = con.execute(
            "SELECT run_id, pipeline_name, status, partition, start_time, end_time "
            "FROM runs ORDER BY id"
        ).fetchall()
    out = []
    for run_id, job, status, partition, start, end in runs:
        out.append(
            {
                "run_id": run_id,
                "job": job,
                "status": status,
                "partition": partition,
                "start": start,
                "end": end,
                "duration_s": round(end - start, 3) if start and end else None,
                "steps": _steps(dagster_home / "history" / "runs" / f"{run_id}.db", start),
            }
        )
    return out


def _steps(event_db: Path, run_start: float | None) -> list[dict[str, object]]:
    if not event_db.is_file():
        return []
    with sqlite3.connect(f"file:{event_db}?mode=ro", uri=True) as con:
        rows = con.execute(
            "SELECT dagster_event_type, step_key, timestamp FROM event_logs "
            "WHERE dagster_event_type IN ('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE', "
            "'STEP_SKIPPED') ORDER BY id"
        ).fetchall()
    started: dict[str, float] = {}
    steps = []
    for kind, key, stamp in rows:
        at = _epoch(stamp)
        if kind == "STEP_START":
            started[key] = at
        elif kind in STEP_END and key in started:
            steps.append(
                {
                    "step": key,
                    "status": kind.removeprefix("STEP_").lower(),
                    "offset_s": round(started[key] - run_start, 3) if run_start else None,
                    "duration_s": round(at - started[key], 3),
                }
            )
    return steps


def split(runs: list[dict[str, object]], started_at: float, ended_at: float) -> dict[str, object]:
    """Where a ``lagesbild run`` process spent its wall time.

    ``startup_s``: process start → first Dagster run starts (interpreter, imports, Definitions,
    instance); ``runs_s``: inside Dagster runs (sum of run durations); ``between_s``: between
    runs (CLI work such as finding the report year); ``teardown_s``: last run end → exit.
    """
    timed = [r for r in runs if r.get("start") and r.get("end")]
    if not timed:
        return {"available": False}
    first = min(float(r["start"]) for r in timed)  # type: ignore[arg-type]
    last = max(float(r["end"]) for r in timed)  # type: ignore[arg-type]
    inside = sum(float(r["end"]) - float(r["start"]) for r in timed)  # type: ignore[arg-type]
    steps_total = sum(
        float(s["duration_s"])  # type: ignore[arg-type]
        for r in timed
        for s in r["steps"]  # type: ignore[union-attr]
    )
    return {
        "available": True,
        "startup_s": round(first - started_at, 3),
        "runs_s": round(inside, 3),
        "steps_s": round(steps_total, 3),
        "dagster_overhead_in_runs_s": round(inside - steps_total, 3),
        "between_s": round((last - first) - inside, 3),
        "teardown_s": round(ended_at - last, 3),
        "jobs": [str(r["job"]) for r in timed],
    }


def top_steps(runs: list[dict[str, object]], n: int = 5) -> list[tuple[str, float]]:
    steps = [
        (f"{r['job']}/{s['step']}", float(s["duration_s"]))  # type: ignore[arg-type]
        for r in runs
        for s in r.get("steps", [])  # type: ignore[union-attr]
    ]
    return sorted(steps, key=lambda x: -x[1])[:n]
