"""Apply the formulas of assets/stats to mart frames (pandas in, pandas out).

The SQL models compute counts and populations; this module adds what needs scipy: exact
intervals, p-values, q-values, funnel positions, smoothed rates and hot spots. Column names
here are the mart's own, so the SQL that joins the result back stays a plain SELECT.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from assets import stats


def rate_columns(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    prev_count: str,
    prev_population: str,
    family: list[str],
    prefix: str,
) -> pd.DataFrame:
    """Rate per 1,000 with its Garwood interval, change from the previous year, p and q.

    `family` names the columns whose cells form one Benjamini–Hochberg family (e.g. the year:
    all areas of the same year). Rows without a previous year get NULL change, p and q.
    """
    out = pd.DataFrame(index=frame.index)
    k = frame[count].to_numpy(dtype=float)
    n = frame[population].to_numpy(dtype=float)
    out[f"{prefix}_per_1000"] = stats.rate_per_1000(k, n)
    low, high = stats.rate_interval_per_1000(k, n)
    out[f"{prefix}_per_1000_ci_low"] = low
    out[f"{prefix}_per_1000_ci_high"] = high
    k_prev = frame[prev_count].to_numpy(dtype=float)
    out[f"{prefix}_change_pct"] = stats.change_pct(k, k_prev)
    p = stats.rate_change_pvalue(k, k_prev, n, frame[prev_population].to_numpy(dtype=float))
    out[f"{prefix}_p_value"] = p
    out[f"{prefix}_q_value"] = stats.bh_qvalues_by_group(p, _group_codes(frame, family))
    return out


def comparison_columns(
    frame: pd.DataFrame,
    *,
    count: str,
    population: str,
    reference_rate: str,
    family: list[str],
    prefix: str,
) -> pd.DataFrame:
    """Funnel limits and position against the whole, and the empirical-Bayes smoothed rate.

    The reference rate is per person (the whole's placed crimes / its population); limits
    and smoothed rates are per 1,000 like every rate in the marts.
    """
    out = pd.DataFrame(index=frame.index)
    k = frame[count].to_numpy(dtype=float)
    n = frame[population].to_numpy(dtype=float)
    ref = frame[reference_rate].to_numpy(dtype=float)
    limits = stats.funnel_limits(n, ref)  # columns in DEFAULT_PROBS order, per 1,000
    for i, column in enumerate(("low_998", "low_95", "high_95", "high_998")):
        out[f"{prefix}_funnel_{column}"] = limits[:, i]
    out[f"{prefix}_funnel_position"] = stats.funnel_position(k, n, ref)
    out[f"{prefix}_smoothed_per_1000"] = (
        stats.eb_marshall_global_by_group(k, n, _group_codes(frame, family)) * 1000
    )
    return out


def _group_codes(frame: pd.DataFrame, family: list[str]) -> np.ndarray:
    """One integer per family (e.g. per year), vectorised: no per-row string keys."""
    return frame.groupby(family, sort=False, dropna=False).ngroup().to_numpy()


def hotspot_columns(
    frame: pd.DataFrame,
    weights,
    *,
    rate: str,
    family: list[str],
    permutations: int,
    prefix: str,
) -> pd.DataFrame:
    """Local Getis-Ord Gi* per family (e.g. per year), with a permutation p-value.

    Empty (all NULL) when there is no geometry.
    """
    out = pd.DataFrame(
        {
            f"{prefix}_gi_z": np.nan,
            f"{prefix}_gi_p": np.nan,
            f"{prefix}_hotspot": pd.Series([None] * len(frame), dtype="object"),
        },
        index=frame.index,
    )
    if weights is None or frame.empty:
        return out
    parts = [part for _, part in frame.groupby(family, sort=True)]

    def gi_star(part: pd.DataFrame) -> pd.DataFrame:
        return stats.getis_ord_gi_star(
            part[rate].to_numpy(dtype=float),
            weights,
            list(part["area_id"]),
            permutations=permutations,
        )

    # Families are independent and numpy releases the GIL in the permutation arithmetic,
    # so threads use every core; results come back in family order.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(gi_star, parts))
    for part, result in zip(parts, results, strict=True):
        out.loc[part.index, f"{prefix}_gi_z"] = result["z"].to_numpy()
        out.loc[part.index, f"{prefix}_gi_p"] = result["p_sim"].to_numpy()
        out.loc[part.index, f"{prefix}_hotspot"] = result["class"].astype(object).to_numpy()
    return out
