"""orosanmalningar/: orosanmälningar and SIG referrals (data-contract §2.4)."""

from __future__ import annotations

from assets.ingest.loader import RowLoader
from assets.ingest.screening import PREFILTER_SQL_REGEX, screen_text
from assets.ingest.sources import REFERRAL


class ReferralLoader(RowLoader):
    """RowLoader for orosanmalningar/; lists reporters grouped as 'ovriga' in the load log."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, spec=REFERRAL, **kwargs)

    def after_outputs(self) -> None:
        # The reporter is free text when it is not one of the contract's categories: screen
        # it, and count the rows changed per file (load_log.rows_screened, data-contract §2.7).
        candidates = self.con.execute(
            "SELECT rowid, file_ord, source_text FROM staging.referral "
            "WHERE regexp_matches(source_text, ?)",
            [PREFILTER_SQL_REGEX],
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        updates = []
        for rowid, file_ord, text in candidates:
            screened, hits = screen_text(text)
            if hits:
                updates.append((screened, rowid))
                by_ord[file_ord].rows_screened += 1
        if updates:
            self.con.executemany(
                "UPDATE staging.referral SET source_text = ? WHERE rowid = ?", updates
            )
        rows = self.con.execute(
            """SELECT file_ord, string_agg(DISTINCT source_text, ', ' ORDER BY source_text)
               FROM staging.referral
               WHERE source = 'ovriga' AND source_text <> 'ovriga'
               GROUP BY file_ord"""
        ).fetchall()
        for file_ord, texts in rows:
            by_ord[file_ord].raw.notes.append(f"reporters grouped as 'ovriga': {texts}")
