"""How suppressed cells look in the public files (statistics.md, Disclosure control, point 5).

Both helpers read the suppression of column ``c`` from the boolean column ``c_suppressed`` in the
same frame (see :func:`assets.disclosure.derived.derived_mask`). A missing flag column is an
error: silently publishing an unflagged column is the failure we must not have.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from assets.disclosure.derived import flag_column

#: The marker shown instead of a suppressed value in HTML and CSV.
SUPPRESSED_MARK = ".."
#: Legend shown with every table that can contain the marker.
SUPPRESSED_LEGEND = "Värdet visas inte (..) för att skydda enskilda"


def _flag(df: pd.DataFrame, column: str) -> pd.Series:
    name = flag_column(column)
    if name not in df.columns:
        raise KeyError(f"column {column!r} has no suppression flag {name!r}")
    return df[name].fillna(False).astype(bool)


def _as_text(values: pd.Series) -> pd.Series:
    """Raw numbers as text, NA as ''.

    Whole numbers print without decimals even in a float column (a count column with NaN is float
    in pandas, and "12.0" would look like a measurement); other floats print as Python does.
    """
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(object).map(lambda v: "" if pd.isna(v) else str(int(v)))
    if pd.api.types.is_float_dtype(values.dtype):
        return values.astype(object).map(_float_text)
    return values.astype(object).map(lambda v: "" if pd.isna(v) else str(v))


def _float_text(v: object) -> str:
    if pd.isna(v):
        return ""
    f = float(v)  # type: ignore[arg-type]
    return str(int(f)) if f.is_integer() else repr(f)


def mark_for_csv(
    df: pd.DataFrame, columns: Sequence[str], *, keep_flags: bool = False
) -> pd.DataFrame:
    """Copy of ``df`` with ``columns`` as text and ``..`` where suppressed.

    A value that is missing but not suppressed (not available at source) becomes an empty string,
    so that a reader (and the outside check) can tell "hidden" from "not available". The
    ``<column>_suppressed`` flags are dropped unless ``keep_flags``. Number formatting (Swedish
    decimal comma etc.) is left to the caller.
    """
    out = df.copy()
    for col in columns:
        flag = _flag(df, col)
        text = _as_text(df[col])
        out[col] = np.where(flag.to_numpy(), SUPPRESSED_MARK, text.to_numpy())
        out[col] = out[col].astype(object)
        if not keep_flags:
            out = out.drop(columns=flag_column(col))
    return out


def parquet_columns(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Copy of ``df`` with ``columns`` NULL where suppressed, plus boolean ``<column>_suppressed``.

    Integer columns become nullable ``Int64`` and float columns ``Float64`` so that Parquet stores a
    real NULL (not NaN, not 0) and integers stay integers.
    """
    out = df.copy()
    for col in columns:
        flag = _flag(df, col)
        values = df[col]
        if pd.api.types.is_integer_dtype(values.dtype):
            values = values.astype("Int64")
        elif pd.api.types.is_float_dtype(values.dtype):
            values = values.astype("Float64")
        out[col] = values.mask(flag)
        out[flag_column(col)] = flag.astype(bool)
    return out
