"""Input coercion shared by the stats modules.

Every public function in :mod:`assets.stats` accepts numpy arrays, pandas Series
(including nullable ``Int64``/``Float64`` columns straight from DuckDB), plain
sequences or scalars. They are all turned into float64 numpy arrays here, with
every flavour of missing value (``None``, ``pd.NA``, ``NaN``) mapped to ``NaN``,
which is how this package spells SQL NULL.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


def as_float(x: Any) -> FloatArray:
    """Return ``x`` as a float64 ndarray with missing values as NaN.

    pandas objects go through ``to_numpy(na_value=nan)`` because a nullable
    integer column cannot be cast with ``np.asarray(..., float)`` when it holds
    ``pd.NA``. The result never aliases a pandas object, so callers may write
    into it.
    """
    if isinstance(x, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return np.array(x.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    try:
        return np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        # e.g. a list holding pd.NA: let pandas sort out the missing markers.
        return pd.Series(x, dtype="Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def as_float_arrays(*xs: Any) -> list[FloatArray]:
    """Coerce several inputs with :func:`as_float` and broadcast them together."""
    return [np.array(a) for a in np.broadcast_arrays(*(as_float(x) for x in xs))]


def check_counts(count: FloatArray, name: str = "count", *, integer: bool = False) -> None:
    """Raise ``ValueError`` if a non-missing count is negative (or non-integer).

    A negative or fractional count is an upstream bug, not a missing value, so
    it must not be silently turned into NULL.
    """
    valid = ~np.isnan(count)
    if np.any(count[valid] < 0):
        raise ValueError(f"{name} must be >= 0 where not missing")
    if integer and np.any(np.floor(count[valid]) != count[valid]):
        raise ValueError(f"{name} must hold whole numbers where not missing")
