"""omradesteam/: area-team reports, with free text screened and cut (data-contract §2.5)."""

from __future__ import annotations

from assets.ingest.loader import RowLoader
from assets.ingest.screening import screen_text
from assets.ingest.sources import AREA_TEAM


class AreaTeamLoader(RowLoader):
    """RowLoader for omradesteam/: personnummer, phone numbers and e-mails never pass."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, spec=AREA_TEAM, **kwargs)

    def after_outputs(self) -> None:
        self._note_unreadable_publish_flags()
        self._screen_observations()

    def _note_unreadable_publish_flags(self) -> None:
        """A publiceras value that is neither ja nor nej is held back, and the load log says so.

        The row keeps its assessment (the flag is about the free text only), as with the
        other ja/nej columns (omraden.omradesteam, signalbrott); not publishing is the safe
        reading of a flag nobody can read.
        """
        counts = self.con.execute(
            """SELECT file_ord, count(*) FROM staging.area_team
               WHERE publish_flag_unreadable GROUP BY file_ord"""
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        for file_ord, n in counts:
            raw = by_ord[file_ord].raw
            header = raw.mapping.get("publiceras", "publiceras")
            raw.notes.append(
                f"{n} unreadable {header} value(s) (not ja/nej): treated as nej, "
                "the observation is not published"
            )
        self.con.execute("ALTER TABLE staging.area_team DROP COLUMN publish_flag_unreadable")

    def _screen_observations(self) -> None:
        rows = self.con.execute(
            "SELECT rowid, file_ord, observations FROM staging.area_team "
            "WHERE observations IS NOT NULL"
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        updates = []
        for rowid, file_ord, text in rows:
            screened, hits = screen_text(text)
            outcome = by_ord[file_ord]
            if hits:
                outcome.rows_screened += 1
            # Screen first, then cut, so a number can't be split at the cut and slip through.
            if len(screened) > self.max_text_chars:
                screened = screened[: self.max_text_chars]
                outcome.rows_text_truncated += 1
            cleaned = screened.strip() or None
            if cleaned != text:
                updates.append((cleaned, rowid))
        if updates:
            self.con.executemany(
                "UPDATE staging.area_team SET observations = ? WHERE rowid = ?", updates
            )
