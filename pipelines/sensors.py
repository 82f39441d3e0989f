"""Sensors: a new or changed file in the raw folder starts a build; a build starts a report."""

import hashlib
import json

import dagster as dg

from assets.ingest.files import folder_state
from assets.marts.publish import latest_complete_year
from assets.settings import LagesbildSettings
from pipelines.jobs import build_job, report_job


@dg.sensor(
    job=build_job,
    minimum_interval_seconds=60,
    description="Starts a build when a file in the raw folder is added, changed (by content "
    "hash) or removed. The cursor holds each file's size, mtime and sha256.",
)
def raw_folder_sensor(
    context: dg.SensorEvaluationContext, settings: LagesbildSettings
) -> dg.SensorResult | dg.SkipReason:
    previous = json.loads(context.cursor) if context.cursor else {}
    state = folder_state(settings.raw_path, previous)
    if not state:
        return dg.SkipReason(f"the raw folder {settings.raw_dir} is missing or empty")
    fingerprint = {path: entry[2] for path, entry in state.items()}
    if fingerprint == {path: entry[2] for path, entry in previous.items()}:
        return dg.SkipReason("no new or changed files")
    changed = sorted(
        path
        for path in fingerprint.keys() | previous.keys()
        if fingerprint.get(path) != (previous.get(path) or [None, None, None])[2]
    )
    run_key = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=run_key,
                tags={"lagesbild/changed_files": ", ".join(changed)[:200]},
            )
        ],
        cursor=json.dumps(state),
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[build_job],
    request_job=report_job,
    description="After a successful build, renders the report for the latest complete year "
    "in the newly published marts.",
)
def report_after_build(
    context: dg.RunStatusSensorContext, settings: LagesbildSettings
) -> dg.RunRequest | dg.SkipReason:
    year = latest_complete_year(settings.published_db_path)
    if year is None:
        return dg.SkipReason("the published marts hold no complete year")
    return dg.RunRequest(run_key=f"{context.dagster_run.run_id}-{year}", partition_key=str(year))
