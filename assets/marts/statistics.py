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
    tau2: str | None = None,
) -> pd.DataFrame:
    """Funnel limits and position against the whole, and the empirical-Bayes smoothed rate.

    The reference rate is per person (placed crimes over the population of the areas that
    have one); limits and smoothed rates are per 1,000 like every rate in the marts. With a
    `tau2` column (the family's overdispersion, see `dispersion`), the limits allow for the
    areas' natural variation where τ² > 0 and are the exact Poisson limits elsewhere.
    """
    out = pd.DataFrame(index=frame.index)
    k = frame[count].to_numpy(dtype=float)
    n = frame[population].to_numpy(dtype=float)
    ref = frame[reference_rate].to_numpy(dtype=float)
    t2 = None if tau2 is None else frame[tau2].to_numpy(dtype=float)
    limits = stats.funnel_limits(n, ref, tau2=t2)  # columns in DEFAULT_PROBS order, per 1,000
    for i, column in enumerate(("low_998", "low_95", "high_95", "high_998")):
        out[f"{prefix}_funnel_{column}"] = limits[:, i]
    out[f"{prefix}_funnel_position"] = stats.funnel_position(k, n, ref, tau2=t2)
    out[f"{prefix}_smoothed_per_1000"] = (
        stats.eb_marshall_global_by_group(k, n, _group_codes(frame, family)) * 1000
    )
    return out


def dispersion(
    frame: pd.DataFrame, *, count: str, population: str, family: list[str]
) -> pd.DataFrame:
    """The funnel's reference rate θ and overdispersion φ, τ² per family (e.g. theme × year).

    One row per family with its key columns, `areas` (I: areas with population > 0),
    `reference_rate` (per person, NULL without such an area), `phi` and `tau2`.
    """
    codes = _group_codes(frame, family)
    per_family = stats.overdispersion_by_group(
        frame[count].to_numpy(dtype=float), frame[population].to_numpy(dtype=float), codes
    )
    keys = frame[family].groupby(codes, sort=True).first()
    return pd.concat([keys, per_family], axis=1).reset_index(drop=True)


def _group_codes(frame: pd.DataFrame, family: list[str]) -> np.ndarray:
    """One integer per family (e.g. per year), vectorised: no per-row string keys."""
    return frame.groupby(family, sort=False, dropna=False).ngroup().to_numpy()


def hotspot_columns(
    frame: pd.DataFrame,
    weights,
    *,
    rate: str,
    smoothed: str,
    reference: str,
    family: list[str],
    permutations: int,
    prefix: str,
) -> pd.DataFrame:
    """Local Getis-Ord Gi* per family (one map: e.g. a theme and year), and the map's clusters.

    statistics.md, "Hot spots": Gi* on `rate` with a permutation p-value (`gi_p`); the
    p-values of one map are one Benjamini–Hochberg family (`gi_q`). The class is

    * 'hot' where q < 0.05, z > 0 and the area's own `smoothed` rate (per 1,000) is above
      the family's `reference` (per 1,000); 'cold' likewise with z < 0 and below;
    * 'none' otherwise (including islands);
    * 'too_few_areas' for every area with a rate when fewer than
      stats.MIN_HOTSPOT_AREAS areas have geometry: no local clusters are shown then,
      although z, p and q are still published;
    * NULL without geometry or rate. Empty (all NULL) when there is no geometry at all.
    """
    out = pd.DataFrame(
        {
            f"{prefix}_gi_z": np.nan,
            f"{prefix}_gi_p": np.nan,
            f"{prefix}_gi_q": np.nan,
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
    p = out[f"{prefix}_gi_p"].to_numpy(dtype=float)
    q = stats.bh_qvalues_by_group(p, _group_codes(frame, family))
    out[f"{prefix}_gi_q"] = q
    has_value = frame[rate].notna().to_numpy() & frame["area_id"].isin(weights.id_order).to_numpy()
    out[f"{prefix}_hotspot"] = stats.hotspot_class(
        out[f"{prefix}_gi_z"].to_numpy(dtype=float),
        q,
        frame[smoothed].to_numpy(dtype=float),
        frame[reference].to_numpy(dtype=float),
        has_value=has_value,
        areas_with_geometry=len(weights.id_order),
    )
    return out


#: The trend window: the last year and the four before it (statistics.md).
TREND_WINDOW = 5


def trend_frame(series: pd.DataFrame, *, all_crimes: str) -> pd.DataFrame:
    """The five-year trend of every series for every complete year as `last_year`.

    `series` has one row per series (area_id × theme) and year with `is_complete_year`,
    `crime_count` and `population` (the figure delivered for that year, else NULL). The
    window for last year L is the complete years L−4 … L; a year counts where it has a
    population > 0 (assets.stats.trend). Dense: every series × every complete year.

    q-values: Benjamini–Hochberg per last_year in three families: the areas' `all_crimes`
    rows, the areas' theme rows, and the 'kommun' rows (themes and all crimes together).
    """
    columns = [
        "area_id", "theme", "last_year", "first_year", "years_used", "trend_pct_per_year",
        "trend_ci_low", "trend_ci_high", "scale", "p_value", "q_value",
    ]  # fmt: skip
    complete = np.sort(series.loc[series["is_complete_year"], "year"].unique())
    if series.empty or not complete.size:
        return pd.DataFrame(columns=columns)
    counts = series.pivot(index=["area_id", "theme"], columns="year", values="crime_count")
    population = series.pivot(index=["area_id", "theme"], columns="year", values="population")
    complete_set = set(complete.tolist())
    # Columns for every year from L−4 to the last complete year; a year outside the
    # calendar or not complete is all NaN, so it never counts.
    years = np.arange(complete.min() - (TREND_WINDOW - 1), complete.max() + 1)
    keep = [y in complete_set for y in years]
    k = counts.reindex(columns=years).to_numpy(dtype=float)
    n = population.reindex(columns=years).to_numpy(dtype=float)
    k[:, ~np.array(keep)] = np.nan
    n[:, ~np.array(keep)] = np.nan

    n_series, n_last = k.shape[0], complete.size
    start = np.searchsorted(years, complete) - (TREND_WINDOW - 1)
    window = start[:, None] + np.arange(TREND_WINDOW)  # (last years × window) column index
    k_win = k[:, window].reshape(n_series * n_last, TREND_WINDOW)
    n_win = n[:, window].reshape(n_series * n_last, TREND_WINDOW)
    year_win = np.tile(years[window], (n_series, 1)).astype(float)
    fit = stats.poisson_trend(k_win, n_win, year_win)

    keys = counts.index.to_frame(index=False)
    out = pd.DataFrame(
        {
            "area_id": np.repeat(keys["area_id"].to_numpy(), n_last),
            "theme": np.repeat(keys["theme"].to_numpy(), n_last),
            "last_year": np.tile(complete, n_series),
        }
    )
    first = fit["first_index"].to_numpy()
    out["first_year"] = pd.array(
        np.where(first >= 0, year_win[np.arange(len(out)), np.maximum(first, 0)], np.nan),
        dtype="Int64",
    )
    out["years_used"] = fit["years_used"].to_numpy()
    for column in ("trend_pct_per_year", "trend_ci_low", "trend_ci_high", "scale", "p_value"):
        out[column] = fit[column].to_numpy()
    kind = np.where(out["area_id"] == "kommun", 2, np.where(out["theme"] == all_crimes, 0, 1))
    family = pd.DataFrame({"last_year": out["last_year"], "kind": kind})
    out["q_value"] = stats.bh_qvalues_by_group(
        out["p_value"].to_numpy(), _group_codes(family, ["last_year", "kind"])
    )
    return out[columns]
