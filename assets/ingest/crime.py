"""brott/: reported crimes, monthly or yearly deliveries (data-contract §2.3)."""

from __future__ import annotations

from assets.ingest.loader import RowLoader, sql_text
from assets.ingest.sources import CRIME


class CrimeLoader(RowLoader):
    """RowLoader for brott/, settling monthly-versus-yearly overlaps between deliveries."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, spec=CRIME, **kwargs)

    def after_dedupe(self) -> None:
        kinds = {f.delivery for f in self.result.files if f.status == "loaded"}
        if {"monthly", "yearly"} <= kinds:
            self.con.execute(sql_text("crime_granularity.sql", checked=self.checked))
