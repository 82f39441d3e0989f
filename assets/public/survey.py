"""public.area_survey_year: survey shares under disclosure rule 5 (statistics.md).

A share from fewer than `survey_min` respondents is not published (`..`, "för få svar"), nor its
interval, a change or test that uses it, or a comparison with it. The respondents are published.
The municipality's reference is hidden when the kommun row is, or, without a kommun row, when any
area in the weighted mean is hidden (the mean beside the published shares and respondents would
give the hidden share back).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.public.lineage import protect

ENTITY = ["area_id", "question", "sex"]


def public_survey(frame: pd.DataFrame, survey_min: int) -> pd.DataFrame:
    """Flag, hide and round; `frame` is assets/public/sql/area_survey_year.sql's result."""
    out = frame.reset_index(drop=True)
    hidden = ~(pd.to_numeric(out["respondents"], errors="coerce") >= survey_min).to_numpy()
    # Secondary: with respondents published, totalt and one sex give the other sex's share
    # back, so when kvinnor or man is hidden, both sexes are hidden (totalt may stay).
    by_sex = out["sex"].isin(["kvinnor", "man"]).to_numpy()
    cell = out["area_id"] + "|" + out["year"].astype(str) + "|" + out["question"]
    sex_hidden = pd.Series(hidden & by_sex).groupby(cell.to_numpy()).transform("any").to_numpy()
    hidden = hidden | (by_sex & sex_hidden)
    out["share_pct_suppressed"] = hidden
    # The previous survey year is the row named by prev_survey_year, not year - 1.
    flags = out[[*ENTITY, "year"]].assign(_prev_hidden=hidden)
    prev = out[[*ENTITY, "prev_survey_year"]].merge(
        flags.rename(columns={"year": "prev_survey_year"}),
        how="left",
        on=[*ENTITY, "prev_survey_year"],
    )
    out["_prev_share_pct_suppressed"] = prev["_prev_hidden"].fillna(False).astype(bool).to_numpy()
    out["_kommun_share_pct_suppressed"] = _reference_hidden(out, hidden)
    out["share_pct"] = out["share_pct"].astype(float).round(1).where(~hidden)
    protected = protect("area_survey_year", out, ("share_pct",), ENTITY)
    helpers = [c for c in protected.columns if c.startswith("_")]
    return protected.drop(columns=helpers)


def _reference_hidden(frame: pd.DataFrame, hidden: np.ndarray) -> np.ndarray:
    keys = ["year", "question", "sex"]
    flags = frame[keys].assign(
        _hidden=hidden,
        _is_kommun=(frame["area_id"] == "kommun").to_numpy(),
    )
    kommun = flags[flags["_is_kommun"]].groupby(keys)["_hidden"].any().rename("_kommun_hidden")
    areas = flags[~flags["_is_kommun"]].groupby(keys)["_hidden"].any().rename("_areas_hidden")
    merged = frame[keys].merge(kommun, how="left", on=keys).merge(areas, how="left", on=keys)
    has_kommun = merged["_kommun_hidden"].notna()
    return np.where(
        has_kommun,
        merged["_kommun_hidden"].fillna(False).astype(bool),
        merged["_areas_hidden"].fillna(False).astype(bool),
    )
