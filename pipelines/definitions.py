"""The Dagster Definitions that `dagster dev -w workspace.yaml` and the CLI load."""

import os

import dagster as dg

from assets.registry import ALL_ASSETS, ALL_CHECKS
from assets.settings import LagesbildSettings
from pipelines.alerts import alert_on_failure
from pipelines.jobs import build_job, lagesbild_job, report_job
from pipelines.resources import build_resources, env_name, settings_from_env
from pipelines.schedules import DEFAULT_CRON, yearly_schedule
from pipelines.sensors import raw_folder_sensor, report_after_build


def build_definitions(settings: LagesbildSettings, *, cron: str = DEFAULT_CRON) -> dg.Definitions:
    """Everything, wired to one settings object. The CLI calls this with its own flags."""
    return dg.Definitions(
        assets=list(ALL_ASSETS),
        asset_checks=list(ALL_CHECKS),
        jobs=[build_job, report_job, lagesbild_job],
        schedules=[yearly_schedule(cron)],
        sensors=[raw_folder_sensor, report_after_build, alert_on_failure],
        resources=build_resources(settings),
        # One process runs the steps in order: DuckDB allows one writer per file, and a
        # subprocess per step would cost more than most steps take.
        executor=dg.in_process_executor,
    )


defs = build_definitions(
    settings_from_env(), cron=os.environ.get(env_name("schedule_cron"), DEFAULT_CRON)
)
