"""The jobs: build the marts, render a year's report, or both."""

import dagster as dg

from assets.partitions import YEARLY

REPORT_GROUP = "report"

#: Runs that write the working database queue behind each other (see dagster.yaml):
#: DuckDB allows one writer per file.
WORK_DB_TAG = {"lagesbild/work_db": "write"}

build_job = dg.define_asset_job(
    "build",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(REPORT_GROUP),
    description="Ingest the raw folder, validate it, build and publish the marts and the "
    "public tables. Blocking checks stop the run before anything is published.",
    tags=WORK_DB_TAG,
)

report_job = dg.define_asset_job(
    "report",
    selection=dg.AssetSelection.groups(REPORT_GROUP),
    partitions_def=YEARLY,
    description="Render the yearly lägesbild from the published marts.",
)

lagesbild_job = dg.define_asset_job(
    "lagesbild",
    selection=dg.AssetSelection.all(),
    partitions_def=YEARLY,
    description="The whole pipeline for one report year: build, publish and render.",
    tags=WORK_DB_TAG,
)
