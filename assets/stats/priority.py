"""The prioritisation score: Brå's criteria as a documented, deterministic table.

Brå ranks local problems by how common they are, whether they are rising, how far they
deviate from the comparison, whether they are signal crimes, and how many people they
affect (statistics.md, "Prioritisation"). Each criterion gives points by the rules in
`RULES`; the score is their sum, and the report's key findings are the highest scores of a
year among the themes that may be prioritised. The same `RULES` are published (mart
`priority_rule`) and printed in the report's appendix, so a council member can see why
something came first. Each criterion measures one thing, once:

* volume is the number of crimes against an average area's (not a rate: 216 crimes are more
  of a problem than 22, whatever the populations);
* deviation is the funnel position with the overdispersion-adjusted limits (the rate ratio is
  not scored again);
* development is the five-year trend with its q-value, never one year's percentage;
* an area team's concern gives no points: not every area has a team, and teams' scales are
  not comparable, so it would rank areas on something the report says must not be compared.
  It is shown beside the finding instead;
* a residual theme (``is_prioritised`` false, teman.csv ``prioriteras = nej``) is scored for
  the record but never ranked.

Ties are broken by the funnel position, then the count, then area and theme: never by a
percentage, which is largest on the smallest counts.

Pure function: pandas in, pandas out; no Dagster, no DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Below this many crimes a cell earns no volume or signal points: a large ratio on a small
#: count is noise, not a finding (statistics.md: never a rise on a percentage alone).
MIN_COUNT = 10
#: The theme whose cells also count the children's referrals (data-contract §2.6 themes).
CHILDREN_THEME = "barn och unga"
#: q-value below which a trend is "statistiskt säkerställd".
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class Rule:
    criterion: str
    label: str
    points: int
    condition: str


#: The scoring table. Within a criterion, the first rule that holds gives the points.
RULES: tuple[Rule, ...] = (
    Rule(
        "volume",
        "Omfattning",
        2,
        f"Minst {MIN_COUNT} brott och minst dubbelt så många brott som ett genomsnittligt "
        "område i kommunen (samma tema och år)",
    ),
    Rule(
        "volume",
        "Omfattning",
        1,
        f"Minst {MIN_COUNT} brott och minst 25 % fler brott än ett genomsnittligt område",
    ),
    Rule(
        "trend",
        "Utveckling",
        2,
        "Ökande femårstrend som är statistiskt säkerställd (q-värde under 0,05)",
    ),
    Rule(
        "deviation",
        "Avvikelse",
        2,
        "Över den övre 99,8-procentsgränsen i trattdiagrammet (tydligt över kommunens nivå)",
    ),
    Rule("deviation", "Avvikelse", 1, "Över den övre 95-procentsgränsen i trattdiagrammet"),
    Rule(
        "signal",
        "Signalbrott",
        1,
        "Minst 3 signalbrott och minst 25 % fler signalbrott per 1 000 invånare än i kommunen",
    ),
    Rule(
        "people",
        "Berörda",
        1,
        "Tema barn och unga: orosanmälningar per 1 000 barn över trattdiagrammets 95-procentsgräns",
    ),
)

MAX_SCORE = 2 + 2 + 2 + 1 + 1

INPUT_COLUMNS = (
    "area_id",
    "year",
    "theme",
    "is_prioritised",
    "crime_count",
    "mean_area_count",
    "crimes_per_1000",
    "reference_rate_per_1000",
    "trend_pct_per_year",
    "trend_q_value",
    "funnel_position",
    "signal_crime_count",
    "signal_per_1000",
    "signal_reference_per_1000",
    "referral_funnel_position",
)


def rules_frame() -> pd.DataFrame:
    """The scoring table as a frame, in order, for publishing."""
    return pd.DataFrame(
        [
            {
                "rule_order": i,
                "criterion": r.criterion,
                "label": r.label,
                "points": r.points,
                "condition": r.condition,
            }
            for i, r in enumerate(RULES, start=1)
        ]
    )


def priority_scores(cells: pd.DataFrame) -> pd.DataFrame:
    """Points per criterion, the score and the rank within each year.

    `cells` has one row per area × theme × year with INPUT_COLUMNS (NaN where unknown;
    `mean_area_count` is the theme's crimes in the areas with a population over the number of
    those areas). Returns those keys plus the rate ratio (context, not scored), the volume
    ratio, the points per criterion, `score` and `rank` (1 = first among the themes that may
    be prioritised; NULL for residual themes). Ties are broken by deviation, then count, then
    area and theme, so the order is the same on every run.
    """
    missing = set(INPUT_COLUMNS) - set(cells.columns)
    if missing:
        raise ValueError(f"priority_scores needs columns {sorted(missing)}")
    c = cells.reset_index(drop=True)
    count = c["crime_count"].to_numpy(dtype=float)
    big = np.nan_to_num(count) >= MIN_COUNT
    volume_ratio = _ratio(c["crime_count"], c["mean_area_count"])
    volume = np.where(big & (volume_ratio >= 2.0), 2, np.where(big & (volume_ratio >= 1.25), 1, 0))

    q = c["trend_q_value"].to_numpy(dtype=float)
    slope = c["trend_pct_per_year"].to_numpy(dtype=float)
    trend = np.where((q < SIGNIFICANCE) & (slope > 0), 2, 0)

    position = np.nan_to_num(c["funnel_position"].to_numpy(dtype=float))
    deviation = np.where(position >= 2, 2, np.where(position >= 1, 1, 0))

    signal_ratio = _ratio(c["signal_per_1000"], c["signal_reference_per_1000"])
    signal = np.where(
        (np.nan_to_num(c["signal_crime_count"].to_numpy(dtype=float)) >= 3)
        & (signal_ratio >= 1.25),
        1,
        0,
    )

    children = (c["theme"].str.strip().str.lower() == CHILDREN_THEME).to_numpy()
    referral_high = np.nan_to_num(c["referral_funnel_position"].to_numpy(dtype=float)) >= 1
    people = (children & referral_high).astype(int)

    out = c[["area_id", "year", "theme"]].copy()
    out["rate_ratio"] = _ratio(c["crimes_per_1000"], c["reference_rate_per_1000"])
    out["volume_ratio"] = volume_ratio
    out["volume_points"] = volume.astype(int)
    out["trend_points"] = trend.astype(int)
    out["deviation_points"] = deviation.astype(int)
    out["signal_points"] = signal.astype(int)
    out["people_points"] = people.astype(int)
    out["score"] = (
        out["volume_points"]
        + out["trend_points"]
        + out["deviation_points"]
        + out["signal_points"]
        + out["people_points"]
    )
    ranked = c["is_prioritised"].fillna(True).astype(bool).to_numpy()
    order = out.assign(_position=position, _count=np.nan_to_num(count))[ranked].sort_values(
        ["year", "score", "_position", "_count", "area_id", "theme"],
        ascending=[True, False, False, False, True, True],
        kind="mergesort",
    )
    order["rank"] = order.groupby("year").cumcount() + 1
    out["rank"] = order["rank"].reindex(out.index).astype("Int64")
    return out


def _ratio(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    num = numerator.to_numpy(dtype=float)
    den = denominator.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)
