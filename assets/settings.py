"""The one configuration resource: paths, thresholds and years.

Every asset, check, sensor and schedule reads its settings from here. The values are
filled in by `pipelines.resources` (from environment variables or CLI flags); no module
under `assets/` reads the environment itself.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

#: Sources the contract requires: a run without accepted rows in them is blocked.
REQUIRED_SOURCES = ("omraden", "brott")


class LagesbildSettings(dg.ConfigurableResource):
    """Where data is read and written, and the thresholds of the rules."""

    raw_dir: str = Field(description="Raw drop folder (read-only for the pipeline).")
    marts_dir: str = Field(description="Folder of the published marts database and exports.")
    reports_dir: str = Field(description="Folder of the rendered HTML reports.")

    max_quarantine_share: float = Field(
        default=0.5,
        description="A read file with a larger share of quarantined rows blocks the run.",
    )
    population_band_tolerance: float = Field(
        default=0.02,
        description=(
            "Relative tolerance between the sum of age bands and a 'totalt' population row "
            "(SCB perturbs cells). A larger gap is a warning, not a block."
        ),
    )
    crime_suppress_below: int = Field(
        default=3, description="Published crime counts 1..N-1 are suppressed."
    )
    referral_suppress_below: int = Field(
        default=5, description="Published referral counts 1..N-1 are suppressed (children)."
    )
    pct_min_count: int = Field(
        default=10,
        description="The report shows a change in percent only when both years' counts are at "
        "least this; otherwise it writes the two counts.",
    )
    survey_min_respondents: int = Field(
        default=30,
        description="Survey shares from fewer respondents are not published (för få svar).",
    )
    hotspot_permutations: int = Field(
        default=999, description="Permutations behind each Getis-Ord Gi* p-value."
    )
    observation_max_chars: int = Field(
        default=2000, description="Area-team free text is cut to this length."
    )
    quarantine_sample_size: int = Field(
        default=5, description="Offending rows shown in a check's metadata."
    )
    keep_versions: int = Field(
        default=5,
        ge=0,
        description="Earlier publications kept in <marts>/.versions/ besides the current one, "
        "each restorable with `lagesbild restore <run id>`.",
    )
    chromium_path: str = Field(
        default="",
        description="The Chromium that prints the report as PDF; empty: `chromium` on the "
        "PATH, else /usr/bin/chromium. Where it is missing the run still writes the HTML, "
        "says so in one warning line and writes no PDF.",
    )
    open_data_url: str = Field(
        default="",
        description="Web address where the public tables (the marts folder's public/) are "
        "published; the report links each CSV and Parquet file there. Empty: links relative "
        "to the report's folder.",
    )
    next_report: str = Field(
        default="",
        description="When the next lägesbild is expected, as the report writes it (e.g. "
        "'mars 2027'). Empty: February two years after the report year, when the yearly "
        "schedule (15 February) renders the next year's report.",
    )
    duckdb_memory_limit: str = Field(
        default="2GB",
        description="Memory DuckDB may use for the working database before it spills to "
        "disk (e.g. '2GB'); keeps a national-scale run within 4 GB.",
    )

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def marts_path(self) -> Path:
        return Path(self.marts_dir)

    @property
    def reports_path(self) -> Path:
        return Path(self.reports_dir)

    @property
    def published_db_path(self) -> Path:
        return self.marts_path / "lagesbild.duckdb"

    @property
    def build_dir(self) -> Path:
        """Scratch space for the run: the working database and temporary files.

        It lives inside the marts folder so that publishing is a rename on one file system.
        """
        return self.marts_path / ".build"

    @property
    def work_db_path(self) -> Path:
        return self.build_dir / "work.duckdb"
