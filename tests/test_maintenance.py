"""`lagesbild delete-runs`: finished runs older than N days go, the rest stays."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, datetime, timedelta

import dagster as dg

from pipelines.cli import main
from pipelines.maintenance import delete_old_runs


@dg.asset
def tiny() -> int:
    return 1


def test_only_finished_runs_older_than_the_cutoff_are_deleted() -> None:
    with dg.instance_for_test() as instance:
        finished = [dg.materialize([tiny], instance=instance).run_id for _ in range(2)]
        running = instance.add_run(
            dg.DagsterRun(
                job_name="build", run_id="started-run", status=dg.DagsterRunStatus.STARTED
            )
        ).run_id
        now = datetime.now(UTC)
        assert delete_old_runs(instance, 1, now=now) == []
        assert len(instance.get_run_records()) == 3

        later = now + timedelta(days=8)
        assert sorted(delete_old_runs(instance, 7, now=later)) == sorted(finished)
        assert [r.dagster_run.run_id for r in instance.get_run_records()] == [running]
        assert instance.all_logs(finished[0]) == []


def test_delete_runs_needs_an_instance(monkeypatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["delete-runs", "--older-than-days", "30"]) == 2
    assert "DAGSTER_HOME is not set" in err.getvalue()
