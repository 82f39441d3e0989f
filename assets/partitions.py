"""The yearly partitions of the report: one lägesbild per calendar year."""

import dagster as dg

#: Only complete calendar years are partitions: the current year's partition appears on
#: 1 January of the next year. 2010 is early enough for the DeSO/RegSO era and the real
#: data sets we have tried (London starts in 2011).
YEARLY = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *",
    fmt="%Y",
    start="2010",
    timezone="Europe/Stockholm",
)
