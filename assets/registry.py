"""Every asset and check of the project, for the Definitions in pipelines/.

Kept apart from assets/__init__.py so that importing assets.stats or assets.disclosure
never loads Dagster.
"""

from assets.checks.ingest_checks import INGEST_CHECKS
from assets.checks.mart_checks import MART_CHECKS
from assets.ingest.assets import INGEST_ASSETS
from assets.marts.assets import MART_ASSETS, publication_asset

ALL_ASSETS = (*INGEST_ASSETS, *MART_ASSETS, publication_asset())
ALL_CHECKS = (*INGEST_CHECKS, *MART_CHECKS)
