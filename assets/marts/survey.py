"""main.area_survey_year's statistics (docs/statistics.md, "Survey shares").

Per area (or kommun), question and sex: the interval (the survey's own, or Wilson's), the
change since the previous survey year with its p-value, and the comparison with the
municipality (the kommun row, or the respondent-weighted mean of the areas). q-values are
Benjamini–Hochberg per year over all rows with a p-value, kommun rows included; the
comparison's q-values form their own family per year, the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.stats import bh_qvalues_by_group
from assets.stats.survey import pooled_pvalue, survey_pvalue, wilson_interval

KEY = ["area_id", "question", "sex"]


def survey_year_stats(rows: pd.DataFrame) -> pd.DataFrame:
    """Add the interval, change and comparison columns to staging.survey's rows."""
    out = rows.sort_values([*KEY, "year"]).reset_index(drop=True)
    own = out["ci_low_pct"].notna() & out["ci_high_pct"].notna()
    low, high = wilson_interval(out["share_pct"], out["respondents"])
    out["ci_source"] = np.where(own, "survey", "wilson")
    out["ci_low"] = np.where(own, out["ci_low_pct"], low)
    out["ci_high"] = np.where(own, out["ci_high_pct"], high)

    prev = out.groupby(KEY, sort=False)[
        ["year", "share_pct", "respondents", "ci_low_pct", "ci_high_pct"]
    ].shift(1)
    out["prev_survey_year"] = prev["year"].astype("Int64")
    out["change_pp"] = out["share_pct"] - prev["share_pct"]
    out["p_value"] = survey_pvalue(
        prev["share_pct"],
        prev["respondents"],
        prev["ci_low_pct"],
        prev["ci_high_pct"],
        out["share_pct"],
        out["respondents"],
        out["ci_low_pct"],
        out["ci_high_pct"],
    )
    out["q_value"] = bh_qvalues_by_group(out["p_value"], out["year"].to_numpy())

    kommun = _kommun_reference(out)
    ref = out[["year", "question", "sex"]].merge(kommun, how="left", on=["year", "question", "sex"])
    out["kommun_share_pct"] = ref["ref_share"].to_numpy()
    is_area = (out["area_id"] != "kommun").to_numpy()
    p = pooled_pvalue(ref["ref_share"], ref["ref_n"], out["share_pct"], out["respondents"])
    out["kommun_p_value"] = np.where(is_area, p, np.nan)
    out["kommun_q_value"] = bh_qvalues_by_group(out["kommun_p_value"], out["year"].to_numpy())
    return out.drop(columns=["ci_low_pct", "ci_high_pct"])


def _kommun_reference(rows: pd.DataFrame) -> pd.DataFrame:
    """Per year, question and sex: the kommun row, else the areas' respondent-weighted mean."""
    keys = ["year", "question", "sex"]
    own = rows[rows["area_id"] == "kommun"][[*keys, "share_pct", "respondents"]]
    own = own.rename(columns={"share_pct": "ref_share", "respondents": "ref_n"})
    areas = rows[(rows["area_id"] != "kommun") & (rows["respondents"] > 0)].copy()
    areas["weighted"] = areas["share_pct"] * areas["respondents"]
    sums = areas.groupby(keys, as_index=False)[["weighted", "respondents"]].sum()
    sums["ref_share"] = sums["weighted"] / sums["respondents"]
    mean = sums.rename(columns={"respondents": "ref_n"})[[*keys, "ref_share", "ref_n"]]
    mean = mean.merge(own[keys], how="left", on=keys, indicator=True)
    mean = mean[mean["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([own, mean], ignore_index=True)
