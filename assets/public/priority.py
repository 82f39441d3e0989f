"""public.priority: the prioritisation computed again from what is published.

The mart's score uses exact counts, and a score, its points or its rank computed from a hidden
count would hint at it (the rank of a hidden row between two rows of count 4 with the same score
is 4). Here every input that is hidden in the public tables is left out *before* scoring: a
criterion whose input is hidden gives no points and its points are hidden (``..``), and the score
adds the points that could be assessed. A row whose own count is hidden has no score. The rank is
not published: the report orders by the published score, and the table by its keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.disclosure import flag_column
from assets.public.lineage import REFERENCE_FLAG, protect, round_rate
from assets.stats.priority import priority_scores

KEYS = ["area_id", "year", "theme"]
#: Published columns of public.priority, in order.
COLUMNS = [
    "area_id",
    "area_name",
    "year",
    "theme",
    "is_prioritised",
    "score",
    "volume_points",
    "trend_points",
    "deviation_points",
    "signal_points",
    "people_points",
    "crime_count",
    "mean_area_count",
    "volume_ratio",
    "crimes_per_1000",
    "reference_rate_per_1000",
    "rate_ratio",
    "trend_pct_per_year",
    "trend_q_value",
    "funnel_position",
    "team_assessment",
]
#: Published columns of area_theme_year the score reads (already hidden and rounded there).
FROM_AREA_THEMES = ("crime_count", "crimes_per_1000", "trend_pct_per_year", "trend_q_value")


def public_priority(
    inputs: pd.DataFrame,
    area_themes: pd.DataFrame,
    area_years: pd.DataFrame,
    reference: dict[tuple[int, str], bool],
) -> pd.DataFrame:
    """Score the published values of ``area_themes`` (protected) as the mart scores exact ones.

    ``inputs`` are the mart's priority inputs (one row per area × theme × complete year);
    ``area_themes`` and ``area_years`` are the public tables after protection, whose values and
    ``_suppressed`` flags are what this table may use.
    """
    shown = area_themes[
        [*KEYS, *FROM_AREA_THEMES]
        + [flag_column(c) for c in (*FROM_AREA_THEMES, "funnel_position")]
    ]
    referral = area_years[["area_id", "year", flag_column("referral_count")]]
    frame = (
        inputs.drop(columns=["crime_count", "crimes_per_1000"])
        .merge(shown, on=KEYS, how="left", validate="one_to_one")
        .merge(referral, on=["area_id", "year"], how="left", validate="many_to_one")
    )
    for column in [c for c in frame.columns if c.endswith("_suppressed")]:
        frame[column] = frame[column].fillna(False).astype(bool)
    frame[REFERENCE_FLAG] = [
        reference.get((int(y), str(t)), False)
        for y, t in zip(frame["year"], frame["theme"], strict=True)
    ]
    own = frame[flag_column("crime_count")].to_numpy()
    # Inputs as published: a hidden one is unknown, and its criterion gives no points.
    masked = frame.copy()
    masked["reference_rate_per_1000"] = round_rate(masked["reference_rate_per_1000"])
    masked.loc[own, ["signal_crime_count", "signal_per_1000"]] = np.nan
    masked.loc[
        frame[REFERENCE_FLAG], ["reference_rate_per_1000", "mean_area_count", "funnel_position"]
    ] = np.nan
    masked.loc[frame[flag_column("funnel_position")], "funnel_position"] = np.nan
    masked.loc[frame[flag_column("referral_count")], "referral_funnel_position"] = np.nan
    # mean_area_count is the reference cell over the number of areas: published to one decimal.
    masked["mean_area_count"] = masked["mean_area_count"].round(1)
    scores = priority_scores(masked).drop(columns="rank")
    out = frame.drop(columns=["signal_crime_count", "signal_per_1000", "referral_funnel_position"])
    out = out.drop(columns=["signal_reference_per_1000"]).merge(
        scores, on=KEYS, how="left", validate="one_to_one"
    )
    out = protect(
        "priority",
        out[[*COLUMNS, *[c for c in out.columns if c.endswith("_suppressed")]]],
        ("crime_count",),
        ["area_id", "theme"],
    )
    # The referral flag only served people_points; it has no column of its own here.
    out = out.drop(columns=[flag_column("referral_count")])
    return out.sort_values(KEYS, kind="mergesort").reset_index(drop=True)
