"""Derived values follow their counts (statistics.md, Disclosure control, point 3).

A rate, interval, change, p-value, smoothed rate or chart point computed from a suppressed count
would let anyone recompute the count (the population is public), so it is suppressed as well.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

FLAG_SUFFIX = "_suppressed"


def flag_column(column: str) -> str:
    """Name of the boolean flag that marks ``column`` as suppressed."""
    return f"{column}{FLAG_SUFFIX}"


def derived_mask(
    df: pd.DataFrame,
    *,
    count: str,
    dependents: Sequence[str],
    flag: str | None = None,
) -> pd.DataFrame:
    """Null the ``dependents`` of a suppressed count and flag them.

    ``flag`` (default ``<count>_suppressed``) is the boolean column saying the count is
    suppressed. For every dependent column ``d`` the result has ``d`` set to missing where the
    flag is true, and ``d_suppressed`` = flag OR an already existing ``d_suppressed`` (a column may
    depend on several counts: call this once per count). Returns a copy.
    """
    flag = flag or flag_column(count)
    if flag not in df.columns:
        raise KeyError(f"no suppression flag column {flag!r} for {count!r}")
    out = df.copy()
    mask = out[flag].fillna(False).astype(bool)
    for col in dependents:
        dep_flag = flag_column(col)
        previous = out[dep_flag].fillna(False).astype(bool) if dep_flag in out else False
        out[dep_flag] = mask | previous
        out[col] = out[col].where(~out[dep_flag])
    return out


def change_suppressed(
    df: pd.DataFrame,
    *,
    flag: str,
    by: Sequence[str],
    year: str = "year",
) -> pd.Series:
    """Flag for a year-over-year change: true if this year's or the previous year's count is.

    ``df`` has one row per ``by`` x ``year`` and the count's boolean ``flag``. The previous year is
    ``year - 1`` of the same ``by`` key; when it is absent only this year's flag counts (the change
    is then NULL anyway). Returns a boolean Series aligned with ``df``.
    """
    return window_suppressed(df, flag=flag, by=by, years=2, year=year)


def window_suppressed(
    df: pd.DataFrame,
    *,
    flag: str,
    by: Sequence[str],
    years: int,
    year: str = "year",
) -> pd.Series:
    """Flag for a value computed from the counts of ``years`` years ending at the row's year.

    True when the count of any year ``year - years + 1`` … ``year`` of the same ``by`` key is
    flagged (a five-year trend is fitted to five counts, and one hidden count among four shown
    ones and the slope is one equation away). Years absent from ``df`` count as not flagged.
    """
    keys = [*by, year]
    own = df[flag].fillna(False).astype(bool).to_numpy()
    out = own.copy()
    current = df[keys].copy()
    for back in range(1, years):
        earlier = df[keys].copy()
        earlier[year] = earlier[year] + back
        earlier["_flag"] = own
        merged = current.merge(earlier, on=keys, how="left", validate="one_to_one")
        out |= merged["_flag"].fillna(False).astype(bool).to_numpy()
    return pd.Series(out, index=df.index, name=flag)


def any_suppressed(*flags: pd.Series) -> pd.Series:
    """Element-wise OR of suppression flags (a value computed from several counts)."""
    if not flags:
        raise ValueError("give at least one flag")
    out = flags[0].fillna(False).astype(bool)
    for f in flags[1:]:
        out = out | f.fillna(False).astype(bool)
    return out
