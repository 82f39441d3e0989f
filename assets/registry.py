"""Every asset and check of the project, for the Definitions in pipelines/.

Kept apart from assets/__init__.py so that importing assets.stats or assets.disclosure
never loads Dagster.
"""

from assets.checks.ingest_checks import INGEST_CHECKS
from assets.checks.mart_checks import MART_CHECKS
from assets.ingest.assets import INGEST_ASSETS
from assets.marts.assets import MART_ASSETS
from assets.public.assets import PUBLIC_ASSETS
from assets.publication import published_marts
from assets.report.assets import REPORT_ASSETS

ALL_ASSETS = (*INGEST_ASSETS, *MART_ASSETS, *PUBLIC_ASSETS, published_marts, *REPORT_ASSETS)
ALL_CHECKS = (*INGEST_CHECKS, *MART_CHECKS)
