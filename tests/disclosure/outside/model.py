"""The attacker's model: every published count is a *quantity* that may appear in several
tables; hidden quantities are unknowns (whole numbers, at least 1 since 0 is shown), and
what the outputs say about them becomes linear constraints or bounds.

A quantity is named by what it counts, the way a reader of the tables' documentation would:
    ("c", year, area, theme, month)               crimes, "Totalt" for a margin
    ("r", year, type, area, source, age, sex)      referrals (orosanmälan, sig)
    ("r017", year, area)                           orosanmälningar about children 0–17
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .published import Table

Key = tuple
#: The primary thresholds: a hidden count must keep at least this many possible values.
THRESHOLD = {"crime": 3, "referral": 5}

#: Count columns per table: (column, kind).
COUNTS: dict[str, tuple[tuple[str, str], ...]] = {
    "area_year": (
        ("crime_count", "crime"),
        ("referral_count", "referral"),
        ("sig_referral_count", "referral"),
    ),
    "area_theme_year": (("crime_count", "crime"),),
    "area_month": (("crime_count", "crime"),),
    "municipality_theme_month": (("crime_count", "crime"),),
    "area_referral_year": (("referral_count", "referral"),),
    "referral_year": (("referral_count", "referral"),),
    "priority": (("crime_count", "crime"),),
}
TOTAL = "Totalt"


def _get(table: Table, row: int, column: str, default: str = TOTAL) -> str:
    return str(table.columns[column][row]) if column in table.columns else default


def quantity(table: Table, row: int, column: str) -> Key | None:
    """The quantity a published count cell shows (None for a column we do not model)."""
    name, g = table.name, (lambda c: _get(table, row, c))
    year = g("year")
    if name in ("area_year",):
        if column == "crime_count":
            return ("c", year, g("area_id"), TOTAL, TOTAL)
        if column == "sig_referral_count":
            return ("r", year, "sig", g("area_id"), TOTAL, TOTAL, TOTAL)
        if column == "referral_count":
            return ("r017", year, g("area_id"))
    if name in ("area_theme_year", "priority"):
        return ("c", year, g("area_id"), g("theme"), TOTAL)
    if name == "area_month":
        return ("c", year, g("area_id"), TOTAL, g("month"))
    if name == "municipality_theme_month":
        return ("c", year, TOTAL, g("theme"), g("month"))
    if name == "area_referral_year":
        return ("r", year, g("type"), g("area_id"), g("source"), TOTAL, TOTAL)
    if name == "referral_year":
        return ("r", year, g("type"), TOTAL, TOTAL, g("age_group"), g("sex"))
    return None


def kind_of(key: Key) -> str:
    return "crime" if key[0] == "c" else "referral"


def describe(key: Key) -> str:
    if key[0] == "c":
        _, year, area, theme, month = key
        parts = [f"crimes {year}", f"area {area}", f"theme {theme}"]
        if month != TOTAL:
            parts.append(f"month {month}")
        return ", ".join(parts)
    if key[0] == "r":
        _, year, kind, area, source, age, sex = key
        return f"referrals {kind} {year}, area {area}, source {source}, age {age}, sex {sex}"
    return f"orosanmälningar 0–17 {key[1]}, area {key[2]}"


@dataclass
class Cell:
    """A published count cell: where it is printed."""

    table: str
    row: int
    column: str
    keys: dict[str, str]

    def __str__(self) -> str:
        keys = ", ".join(f"{k}={v}" for k, v in self.keys.items())
        return f"{self.table}[{keys}].{self.column}"


@dataclass
class Constraint:
    """lo <= sum(coef * quantity) <= hi, where known quantities are already numbers."""

    terms: dict[Key, float]
    lo: float
    hi: float
    route: str
    text: str


@dataclass
class Model:
    known: dict[Key, int] = field(default_factory=dict)
    hidden: dict[Key, list[Cell]] = field(default_factory=dict)
    shown_at: dict[Key, list[Cell]] = field(default_factory=dict)
    constraints: list[Constraint] = field(default_factory=list)
    #: direct bounds from inverting one published value: key -> [(lo, hi, route, text)]
    bounds: dict[Key, list[tuple[float, float, str, str]]] = field(default_factory=dict)

    def value(self, key: Key) -> int | None:
        return self.known.get(key)

    def add(
        self,
        pairs: list[tuple[float, Key | float]],
        lo: float,
        hi: float,
        route: str,
        text: str,
    ) -> None:
        """Add lo <= Σ coef·x <= hi; known quantities and constants move to the bounds."""
        terms: dict[Key, float] = {}
        shift = 0.0
        for coef, item in pairs:
            if isinstance(item, tuple):
                if item in self.known:
                    shift += coef * self.known[item]
                elif item in self.hidden:
                    terms[item] = terms.get(item, 0.0) + coef
                else:
                    return  # a quantity nobody published (not available): no equation
            else:
                shift += coef * item
        terms = {k: c for k, c in terms.items() if c != 0}
        if not terms:
            return
        self.constraints.append(Constraint(terms, lo - shift, hi - shift, route, text))

    def bound(self, key: Key, lo: float, hi: float, route: str, text: str) -> None:
        if key in self.hidden:
            self.bounds.setdefault(key, []).append((lo, hi, route, text))


def label(model: Model, key: Key) -> str:
    """A quantity as printed in an explanation: its value if shown, else its name."""
    if key in model.known:
        return str(model.known[key])
    return "x[" + " ".join(str(k) for k in key[1:] if k != TOTAL) + "]"
