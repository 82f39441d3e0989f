"""The yearly schedule: the lägesbild for the previous year, once its data is complete."""

import dagster as dg

from pipelines.jobs import lagesbild_job

#: Mid-February by default: the previous year's crime statistics are complete by then.
DEFAULT_CRON = "0 6 15 2 *"


def yearly_schedule(cron: str = DEFAULT_CRON) -> dg.ScheduleDefinition:
    @dg.schedule(
        job=lagesbild_job,
        cron_schedule=cron,
        execution_timezone="Europe/Stockholm",
        description="Build the marts and render the lägesbild of the previous calendar year. "
        "The date is the setting LAGESBILD_SCHEDULE_CRON.",
    )
    def yearly_lagesbild(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        year = context.scheduled_execution_time.year - 1
        return dg.RunRequest(run_key=f"lagesbild-{year}", partition_key=str(year))

    return yearly_lagesbild
