"""befolkning/: population by area, year, age band and sex (data-contract §2.2)."""

from __future__ import annotations

from assets.ingest.loader import RowLoader, sql_text
from assets.ingest.sources import POPULATION


class PopulationLoader(RowLoader):
    """RowLoader for befolkning/, adding the overlapping-band rule."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, spec=POPULATION, **kwargs)

    def after_dedupe(self) -> None:
        self.con.execute(sql_text("population_bands.sql", checked=self.checked))
        self.con.execute(
            f"""UPDATE {self.checked} AS c
                SET reason = 'overlapping_band', column_name = NULL, raw = NULL,
                    detail = 'age band ' || c.age_group || ' overlaps another band of the same '
                             || 'area, year and sex; the totalt row is used where it exists'
                FROM overlapping_rows AS o
                WHERE c.file_ord = o.file_ord AND c.row_number = o.row_number"""
        )
