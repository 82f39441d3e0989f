"""Tables as the report renders them: a caption, column headers, row headers and cells.

Every table goes through one template macro, so every table has a ``<caption>``, ``<th
scope>`` headers and, where it shows ``..`` or ``–``, the legend for them. A cell that shows
a count carries ``data-n="c"`` (crimes) or ``data-n="r"`` (referrals): the tests check that
every such cell is 0, at least the threshold, or ``..``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assets.report.text import MISSING, SUPPRESSED, cell

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
