"""What an outsider can read: the public CSVs and the report HTML, parsed as published.

Nothing here knows how the project suppresses; it only reads the files. A published number
carries the digits it was printed with, so it is kept as an interval (value ± half a unit of
its last digit); a count is an exact integer; `..` is hidden; an empty field is not available.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pandas as pd

HIDDEN = ".."
_NUMBER = re.compile(r"^-?\d+(?:,\d+)?(?:e[+-]?\d+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float

    @property
    def mid(self) -> float:
        return (self.lo + self.hi) / 2


class Column:
    """How one published numeric column was printed: fixed decimals or significant digits.

    `%.6g` (six significant digits) prints 5.0 as "5" and 1.23456 as "1,23456"; a column
    rounded to one decimal prints "5,0". Which of the two a column uses shows in its values:
    mixed decimal counts with many significant digits mean %g.
    """

    def __init__(self, texts: pd.Series) -> None:
        digits = [_digits(t) for t in texts if isinstance(t, str) and _NUMBER.match(t)]
        most = max((s for s, _ in digits), default=0)
        # %g: the longest values all have the same number of significant digits but
        # different numbers of decimals. Rounding to D decimals: at most D decimals anywhere.
        at_most = {d for s, d in digits if s == most}
        self.significant = most if most >= 5 and len(at_most) > 1 else 0
        self.decimals = max((d for _, d in digits), default=0)

    def interval(self, text: str) -> Interval:
        value = float(text.replace(",", "."))
        if self.significant:
            exponent = math.floor(math.log10(abs(value))) if value else 0
            half = 0.5 * 10.0 ** (exponent - self.significant + 1) if value else 0.0
        else:
            # The value's own decimals, not the column's most: a column may round by size
            # (two decimals below 1, one below 1 000) and the printer drops trailing zeros,
            # so "35,8" may stand for anything from 35,75 to 35,85. Sound either way: a value
            # printed with fewer decimals than it was rounded to only widens the interval.
            half = 0.5 * 10.0 ** -_digits(text)[1]
        # A hair of slack for the binary doubles the printer started from.
        slack = 1e-12 * max(1.0, abs(value))
        return Interval(value - half - slack, value + half + slack)


def _digits(text: str) -> tuple[int, int]:
    mantissa = text.lower().split("e")[0].lstrip("-")
    whole, _, frac = mantissa.partition(",")
    sig = len((whole + frac).lstrip("0")) or 1
    return sig, len(frac)


@dataclass
class Table:
    """One public CSV, all fields as text, with its numeric columns' print formats."""

    name: str
    frame: pd.DataFrame
    formats: dict[str, Column] = field(default_factory=dict)
    columns: dict[str, list] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Plain lists: cell access by position is the attacker's inner loop.
        self.columns = {c: self.frame[c].tolist() for c in self.frame.columns}

    def has(self, *columns: str) -> bool:
        return all(c in self.columns for c in columns)

    def text(self, row: int, column: str) -> str:
        return self.columns[column][row]

    def number(self, row: int, column: str) -> Interval | None:
        """The published number as an interval; None when hidden, empty or not a number."""
        values = self.columns.get(column)
        if values is None:
            return None
        text = values[row]
        if not isinstance(text, str) or not text or not _NUMBER.match(text):
            return None
        if column not in self.formats:
            self.formats[column] = Column(self.frame[column])
        return self.formats[column].interval(text)

    def count(self, row: int, column: str) -> int | None:
        values = self.columns.get(column)
        text = values[row] if values is not None else None
        if isinstance(text, str) and text.isdigit():
            return int(text)
        return None

    def hidden(self, row: int, column: str) -> bool:
        values = self.columns.get(column)
        return values is not None and values[row] == HIDDEN


def read_public(folder: Path) -> dict[str, Table]:
    tables = {}
    for path in sorted(Path(folder).glob("*.csv")):
        frame = pd.read_csv(
            path, sep=";", dtype=str, keep_default_na=False, na_values=[], encoding="utf-8"
        )
        tables[path.stem] = Table(path.stem, frame)
    return tables


# -- the report ------------------------------------------------------------------------------


@dataclass
class Report:
    """The report's visible text, the text of titles and labels, and its embedded JSON."""

    text: str
    labels: list[str]
    data: list[object]


class _Reader(HTMLParser):
    SKIP: ClassVar[set[str]] = {"script", "style", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.labels: list[str] = []
        self.scripts: list[str] = []
        self.stack: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key, value in attrs.items():
            if value and (key.startswith(("aria-", "data-")) or key in ("title", "alt")):
                self.labels.append(value)
        if tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "td", "th"):
            self.parts.append("\n")
        if tag == "script" and attrs.get("type", "").endswith("json"):
            self._script = []
        if tag not in ("br", "img", "meta", "link", "input", "hr", "col", "source", "wbr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append("".join(self._script))
            self._script = None
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
        elif "title" in self.stack[-1:]:
            self.labels.append(data)
        elif not self.SKIP & set(self.stack):
            self.parts.append(data)


def read_report(path: Path) -> Report:
    reader = _Reader()
    reader.feed(Path(path).read_text(encoding="utf-8"))
    data = []
    for script in reader.scripts:
        try:
            data.append(json.loads(script))
        except json.JSONDecodeError:
            continue
    text = "".join(reader.parts).replace("\xa0", " ").replace("\u2212", "-")
    return Report(text=text, labels=reader.labels, data=data)
