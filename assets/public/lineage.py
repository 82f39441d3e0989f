"""What every published number is made of: the one model that public tables and the report share.

statistics.md, disclosure rule 3: a value computed from a hidden count is hidden too, wherever it
appears. Each column of each public table is declared here as one of

* a **key** or **plain** value (names, years, populations, categories that no count decides),
* a **count** (a cell of the suppression problem, see :mod:`assets.public.build`), or
* a **derived** value, with the counts it is computed from (:class:`Derived`):
  the row's own count(s), the same count a year earlier (a change or a test between two years),
  the same count in each year of the five-year trend's window, and the *reference*: the
  crimes of all areas with a population in the row's year and theme, which the reference
  rate, the funnel limits and everything compared with them are made of.

:func:`protect` hides every derived value whose inputs include a hidden cell and rounds what it
publishes to the precision the report prints (precise values invert: a smoothed rate or a q-value
to twelve digits gives hidden counts back). A public table with a column this module does not
classify is refused: a new column cannot reach the public files by forgetting to declare it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.disclosure import change_suppressed, flag_column, window_suppressed


@dataclass(frozen=True)
class Derived:
    """A published value and the counts it is computed from."""

    own: tuple[str, ...] = ()  # count columns of the same row
    previous: tuple[str, ...] = ()  # the same count columns, same key, the year before
    window: tuple[str, ...] = ()  # the same count columns in every year of the trend window
    reference: bool = False  # the reference count of the row's year and theme
    precision: str | None = None  # "rate", "pct", "q", "ratio", "mean" or None (as computed)


RATE = Derived(own=("crime_count",), precision="rate")
CHANGE = Derived(own=("crime_count",), previous=("crime_count",), precision="pct")
TEST = Derived(own=("crime_count",), previous=("crime_count",), precision="q")
SIGNIFICANT = Derived(own=("crime_count",), previous=("crime_count",))
VERSUS_REFERENCE = Derived(own=("crime_count",), reference=True)
LIMIT = Derived(reference=True, precision="rate")
#: Years of the five-year trend's window (statistics.md: last_year − 4 … last_year).
TREND_YEARS = 5
TREND = Derived(window=("crime_count",), precision="pct")

#: The column that carries the reference cell's flag in a frame (set by the builder).
REFERENCE_FLAG = "_reference_suppressed"

#: The crime columns area_year (all crimes) and area_theme_year (one theme) share.
CRIME_DERIVED: Mapping[str, Derived] = {
    "crimes_per_1000": RATE,
    "crimes_per_1000_ci_low": RATE,
    "crimes_per_1000_ci_high": RATE,
    "change_pct": CHANGE,
    "q_value": TEST,
    "is_significant": SIGNIFICANT,
    "funnel_position": VERSUS_REFERENCE,
    # Estimated from the shown areas around the reference (assets.public.build).
    "funnel_tau2": Derived(reference=True),
    "reference_per_1000": Derived(reference=True, precision="rate"),
    # Recomputed from the shown areas only (assets.public.build): its own count is enough.
    "smoothed_per_1000": RATE,
    "hotspot": Derived(own=("crime_count",)),
    # Fitted to the counts of every year of the window: one hidden count among them and the
    # slope, its interval and its test are a few equations away from it.
    "trend_pct_per_year": TREND,
    "trend_ci_low": TREND,
    "trend_ci_high": TREND,
    "trend_q_value": Derived(window=("crime_count",), precision="q"),
}

#: Derived columns of each public table of counts.
DERIVED: Mapping[str, Mapping[str, Derived]] = {
    "area_year": {
        **CRIME_DERIVED,
        "referrals_per_1000_0_17": Derived(own=("referral_count",), precision="rate"),
        "referral_change_pct": Derived(
            own=("referral_count",), previous=("referral_count",), precision="pct"
        ),
        "referral_q_value": Derived(
            own=("referral_count",), previous=("referral_count",), precision="q"
        ),
    },
    "area_theme_year": {
        **CRIME_DERIVED,
        "funnel_low_998": LIMIT,
        "funnel_low_95": LIMIT,
        "funnel_high_95": LIMIT,
        "funnel_high_998": LIMIT,
    },
    "municipality_category_year": {"crimes_per_1000": RATE, "change_pct": CHANGE},
    # Survey shares (statistics.md, disclosure rule 5): share_pct is hidden below the minimum
    # number of respondents (respondents are published). The helper flags are set by
    # assets.public.survey: the previous survey year's share, and the municipality's reference.
    "area_survey_year": {
        "ci_low": Derived(own=("share_pct",), precision="share"),
        "ci_high": Derived(own=("share_pct",), precision="share"),
        "change_pp": Derived(own=("share_pct", "_prev_share_pct"), precision="share"),
        "p_value": Derived(own=("share_pct", "_prev_share_pct"), precision="q"),
        "q_value": Derived(own=("share_pct", "_prev_share_pct"), precision="q"),
        "kommun_share_pct": Derived(own=("_kommun_share_pct",), precision="share"),
        "kommun_p_value": Derived(own=("share_pct", "_kommun_share_pct"), precision="q"),
        "kommun_q_value": Derived(own=("share_pct", "_kommun_share_pct"), precision="q"),
    },
    "priority": {
        # Recomputed from published inputs only (assets.public.priority).
        "crimes_per_1000": RATE,
        "reference_rate_per_1000": Derived(reference=True, precision="rate"),
        "rate_ratio": Derived(own=("crime_count",), reference=True, precision="ratio"),
        # The reference count over the number of areas with a population (plain).
        "mean_area_count": Derived(reference=True, precision="mean"),
        "volume_ratio": Derived(own=("crime_count",), reference=True, precision="ratio"),
        "trend_pct_per_year": TREND,
        "trend_q_value": Derived(window=("crime_count",), precision="q"),
        "funnel_position": VERSUS_REFERENCE,
        "volume_points": VERSUS_REFERENCE,
        "trend_points": Derived(own=("crime_count",), window=("crime_count",)),
        "deviation_points": VERSUS_REFERENCE,
        "signal_points": Derived(own=("crime_count",)),
        "people_points": Derived(own=("referral_count",)),
        # The score adds the points that could be assessed; it needs the row's own count.
        "score": Derived(own=("crime_count",)),
    },
}

#: Key and plain columns: not decided by any count about people.
PLAIN: Mapping[str, frozenset[str]] = {
    "area_year": frozenset(
        {
            "area_id",
            "area_name",
            "year",
            "is_complete_year",
            "population",
            "referral_rate_basis",
            "trend_first_year",  # decided by the populations delivered, not by counts
        }
    ),
    "area_theme_year": frozenset(
        {"area_id", "area_name", "year", "theme", "is_complete_year", "population"}
        | {"trend_first_year"}
    ),
    "area_month": frozenset({"area_id", "area_name", "year", "month"}),
    "municipality_theme_month": frozenset({"year", "theme", "month"}),
    "municipality_category_year": frozenset(
        {"year", "theme", "crime_category", "is_signal_crime", "is_complete_year", "population"}
    ),
    "area_referral_year": frozenset({"area_id", "area_name", "year", "type", "source"}),
    "referral_year": frozenset({"year", "type", "age_group", "age_min", "age_max", "sex"}),
    "priority": frozenset(
        {"area_id", "area_name", "year", "theme", "is_prioritised", "team_assessment"}
    ),
    "area_survey_year": frozenset(
        {
            "area_id",
            "area_name",
            "year",
            "question",
            "question_text",
            "high_share_is_worse",
            "sex",
            "respondents",
            "ci_source",
            "prev_survey_year",
        }
    ),
}

#: Public tables with no count about people at all: published as their SQL makes them.
PLAIN_TABLES = (
    "area",
    "area_geometry",
    "theme",
    "priority_rule",
    "area_team",
    "data_quality",
    "quarantine_summary",
    "coverage",
)


def check_classified(table: str, columns: list[str], counts: tuple[str, ...]) -> None:
    """Refuse a public table with a column that is neither plain, a count nor derived."""
    if table in PLAIN_TABLES:
        return
    known = set(PLAIN.get(table, ())) | set(counts) | set(DERIVED.get(table, {}))
    unknown = [
        c for c in columns if c not in known and not c.endswith("_suppressed") and c[0] != "_"
    ]
    if unknown:
        raise ValueError(
            f"public.{table}: column(s) {unknown} are not declared in assets/public/lineage.py; "
            "say what each is computed from before it is published"
        )


def protect(
    table: str, frame: pd.DataFrame, counts: tuple[str, ...], entity: list[str]
) -> pd.DataFrame:
    """Hide every derived value of ``table`` whose inputs include a hidden count, then round.

    ``frame`` already holds each count's ``<count>_suppressed`` flag (and, where a column
    depends on the reference, :data:`REFERENCE_FLAG`); ``entity`` are the key columns that,
    with ``year``, identify a row (to find the year before).
    """
    check_classified(table, list(frame.columns), counts)
    out = frame.copy()
    previous: dict[str, pd.Series] = {}
    window: dict[str, pd.Series] = {}
    for column, spec in DERIVED.get(table, {}).items():
        if column not in out.columns:
            continue
        hidden = pd.Series(False, index=out.index)
        for count in spec.own:
            hidden |= _flag(out, count)
        for count in spec.previous:
            if count not in previous:
                previous[count] = change_suppressed(out, flag=flag_column(count), by=entity)
            hidden |= previous[count]
        for count in spec.window:
            if count not in window:
                window[count] = window_suppressed(
                    out, flag=flag_column(count), by=entity, years=TREND_YEARS
                )
            hidden |= window[count]
        if spec.reference:
            hidden |= _flag_column(out, REFERENCE_FLAG)
        out[flag_column(column)] = hidden.to_numpy()
        out[column] = _round(out[column], spec.precision).where(~hidden)
    return out.drop(columns=[REFERENCE_FLAG], errors="ignore")


def _flag(frame: pd.DataFrame, count: str) -> pd.Series:
    return _flag_column(frame, flag_column(count))


def _flag_column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        # Refuse rather than leak: a derived column whose input has no flag cannot be checked.
        raise KeyError(f"no suppression flag {name!r} in this public table")
    return frame[name].fillna(False).astype(bool)


def round_rate(values: pd.Series) -> pd.Series:
    """A rate per 1,000 as the report prints it: 2 decimals below 1, 1 below 1,000, else 0."""
    x = pd.to_numeric(values, errors="coerce").astype(float)
    size = x.abs()
    out = np.where(size < 1, x.round(2), np.where(size < 1000, x.round(1), x.round(0)))
    return pd.Series(out, index=values.index).where(x.notna())


def _round(values: pd.Series, precision: str | None) -> pd.Series:
    if precision is None or not pd.api.types.is_numeric_dtype(values.dtype):
        return values
    if precision == "rate":
        return round_rate(values)
    if precision == "pct":
        return values.astype(float).round(0)
    if precision == "share":
        return values.astype(float).round(1)
    if precision == "q":
        return values.astype(float).round(3)
    if precision == "ratio":
        return values.astype(float).round(2)
    if precision == "mean":
        return values.astype(float).round(1)
    raise ValueError(f"unknown precision {precision!r}")
