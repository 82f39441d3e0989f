"""Run history housekeeping: Dagster keeps every run until it is deleted.

On the server the history lives in PostgreSQL and grows by a few runs a day (a build per
delivery, a report after each). `lagesbild delete-runs --older-than-days N` deletes finished
runs created more than N days ago with their event logs; running or queued runs are kept.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

FINISHED = [
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
]


def delete_old_runs(
    instance: dg.DagsterInstance, older_than_days: int, *, now: datetime | None = None
) -> list[str]:
    """Delete finished runs created before now - older_than_days; returns their ids."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=FINISHED, created_before=cutoff)
    )
    deleted = []
    for record in records:
        instance.delete_run(record.dagster_run.run_id)
        deleted.append(record.dagster_run.run_id)
    return deleted
