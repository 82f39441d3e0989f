"""Tables as the report renders them: a caption, column headers, row headers and cells.

Every table goes through one template macro, so every table has a ``<caption>``, ``<th
scope>`` headers and, where it shows ``..`` or ``–``, the legend for them. A cell that shows
a count carries ``data-n="c"`` (crimes) or ``data-n="r"`` (referrals): the tests check that
every such cell is 0, at least the threshold, or ``..``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assets.report.text import MISSING, NBSP, PCT_MIN_COUNT, SUPPRESSED, cell, fmt_int

CRIME = "c"
REFERRAL = "r"


@dataclass
class Cell:
    text: str
    #: 'c' for a crime count, 'r' for a referral count, None otherwise.
    n: str | None = None
    #: 'num' (right-aligned), 'txt' (left-aligned, wraps).
    align: str = "num"
    #: Sort key for the sortable table (a number), when it differs from the text.
    sort: float | str | None = None
    #: A link target (``#id``) for a row header.
    href: str | None = None
    #: Language of the text when it is not Swedish (e.g. an untranslated note).
    lang: str | None = None


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    #: Header of the row-header column (the first column).
    row_header: str = ""
    id: str | None = None
    sortable: bool = False
    note: str | None = None
    compact: bool = False
    #: Rows kept below the sortable body (totals), in <tfoot>.
    foot: list[tuple[Cell, list[Cell]]] = field(default_factory=list)

    @property
    def has_suppressed(self) -> bool:
        return any(c.text == SUPPRESSED for _, cells in self.rows + self.foot for c in cells)

    @property
    def has_missing(self) -> bool:
        return any(c.text == MISSING for _, cells in self.rows + self.foot for c in cells)

    def add(self, header: str | Cell, cells: list[Cell]) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{self.caption}: {len(cells)} cells for {len(self.columns)} columns")
        self.rows.append((header if isinstance(header, Cell) else Cell(header, align="txt"), cells))


def count_cell(value: object, suppressed: object, kind: str = CRIME) -> Cell:
    """A count: its number, ``..`` when suppressed, ``–`` when not available."""
    return Cell(cell(value, suppressed, "count"), n=kind)


def value_cell(value: object, suppressed: object = False, kind: str = "rate") -> Cell:
    return Cell(cell(value, suppressed, kind))


def text_cell(text: str) -> Cell:
    return Cell(text, align="txt")


def change_cell(
    record: dict | None,
    previous: dict | None,
    *,
    count: str = "crime_count",
    change: str = "change_pct",
) -> Cell:
    """The change from the year before as a table shows it.

    A percentage only when both years' counts are at least :data:`PCT_MIN_COUNT`; otherwise the
    two counts ("4 → 3"), and a change from 0 as such ("0 → 5"), not as "uppgift saknas"
    (statistics.md: a large percentage on a small count is never called a rise). Both counts
    are shown elsewhere in the report when this is, so the arrow form reveals nothing new.
    """
    if record is None:
        return Cell(MISSING)
    if _flagged(record, change):
        return Cell(SUPPRESSED)
    current = None if _flagged(record, count) else record.get(count)
    before = None if previous is None or _flagged(previous, count) else previous.get(count)
    pct = record.get(change)
    if current is not None and before is not None:
        small = min(float(current), float(before)) < PCT_MIN_COUNT.get()
        if float(before) == 0 or small:
            # Non-breaking spaces: the arrow never starts a line in a narrow column.
            return Cell(f"{fmt_int(before)}{NBSP}→{NBSP}{fmt_int(current)}", sort=pct)
    return Cell(cell(pct, False, "pct"))


def _flagged(record: dict, column: str) -> bool:
    return bool(record.get(f"{column}_suppressed") or False)
