"""The publication: marts, Parquet and public tables swapped in atomically, after every check.

It depends on every mart and public table, so a failed blocking check anywhere upstream
stops it: nothing new is published and the previous version stays in place.
"""

import dagster as dg

from assets.database import WorkDatabase
from assets.marts.assets import PUBLISHED_TABLES, mart_key
from assets.marts.publish import publish_marts
from assets.marts.versions import publication_lock, record_version
from assets.public.assets import PUBLIC_TABLES, public_key
from assets.public.export import export_public
from assets.settings import LagesbildSettings

PUBLICATION_KEY = dg.AssetKey(["publish", "marts"])


@dg.asset(
    key=PUBLICATION_KEY,
    group_name="publish",
    deps=[*(mart_key(t) for t in PUBLISHED_TABLES), *(public_key(t) for t in PUBLIC_TABLES)],
    kinds={"duckdb", "parquet"},
    description="Publishes data/marts/lagesbild.duckdb (schemas main and public), parquet/ and "
    "public/: each built under a temporary name, checked, then renamed over the old version. "
    "A copy is kept in .versions/<run id>/ (the last LAGESBILD_KEEP_VERSIONS are kept).",
)
def published_marts(
    context: dg.AssetExecutionContext, settings: LagesbildSettings, duckdb: WorkDatabase
) -> dg.MaterializeResult:
    # The lock keeps `lagesbild restore` from swapping files in the middle of a publication.
    with duckdb.get_connection() as con, publication_lock(settings.marts_path):
        publication = publish_marts(
            con,
            marts_dir=settings.marts_path,
            run_id=context.run_id,
            tables=PUBLISHED_TABLES,
            extra_schemas=("public",),
        )
        public_dir = export_public(con, settings.marts_path, context.run_id)
        version = record_version(settings.marts_path, context.run_id, settings.keep_versions)
    context.log.info(f"published {publication.database} (version {version.run_id})")
    return dg.MaterializeResult(
        metadata={
            "database": dg.MetadataValue.path(str(publication.database)),
            "parquet": dg.MetadataValue.path(str(publication.parquet_dir)),
            "public": dg.MetadataValue.path(str(public_dir)),
            "tables": dg.MetadataValue.json(publication.tables),
            "version": dg.MetadataValue.text(version.run_id),
            "published_at": dg.MetadataValue.text(version.published_at),
        }
    )
