"""orosanmalningar/: orosanmälningar and SIG referrals (data-contract §2.4)."""

from __future__ import annotations

from assets.ingest.loader import RowLoader, screen_table_text
from assets.ingest.sources import REFERRAL


class ReferralLoader(RowLoader):
    """RowLoader for orosanmalningar/; lists reporters grouped as 'ovriga' in the load log."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, spec=REFERRAL, **kwargs)

    def after_outputs(self) -> None:
        # The reporter is free text when it is not one of the contract's categories.
        screen_table_text(self.con, "staging.referral", ("source_text",))
        rows = self.con.execute(
            """SELECT file_ord, string_agg(DISTINCT source_text, ', ' ORDER BY source_text)
               FROM staging.referral
               WHERE source = 'ovriga' AND source_text <> 'ovriga'
               GROUP BY file_ord"""
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        for file_ord, texts in rows:
            by_ord[file_ord].raw.notes.append(f"reporters grouped as 'ovriga': {texts}")
