"""The prioritisation score: Brå's criteria as a documented, deterministic table.

Brå ranks local problems by how common they are, whether they are rising, how far they
deviate from the comparison, whether they are signal crimes, and how many people they
affect (statistics.md, "Prioritisation"). Each criterion gives points by the rules in
`RULES`; the score is their sum, and the report's key findings are the highest scores of a
year. The same `RULES` are published (mart `priority_rule`) and printed in the report's
appendix, so a council member can see why something came first.

Pure function: pandas in, pandas out; no Dagster, no DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Below this many crimes a cell earns no prevalence or signal points: a large ratio on a
#: small count is noise, not a finding (statistics.md: never a rise on a percentage alone).
MIN_COUNT = 5
#: The theme whose cells also count the children's referrals (data-contract §2.6 themes).
CHILDREN_THEME = "barn och unga"
#: q-value below which a change is "statistiskt säkerställd".
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
        "prevalence",
        "Omfattning",
        2,
        f"Minst {MIN_COUNT} brott och minst dubbelt så många per 1 000 invånare som i kommunen",
    ),
    Rule(
        "prevalence",
        "Omfattning",
        1,
        f"Minst {MIN_COUNT} brott och minst 25 % fler per 1 000 invånare än i kommunen",
    ),
    Rule(
        "trend",
        "Utveckling",
        2,
        "Statistiskt säkerställd ökning från föregående år (q-värde under 0,05)",
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
    Rule(
        "people", "Berörda", 1, "Områdesteamets högsta bedömning under året för temat är 4 eller 5"
    ),
)

MAX_SCORE = 2 + 2 + 2 + 1 + 2

INPUT_COLUMNS = (
    "area_id",
    "year",
    "theme",
    "crime_count",
    "crimes_per_1000",
    "reference_rate_per_1000",
    "change_pct",
    "q_value",
    "funnel_position",
    "signal_crime_count",
    "signal_per_1000",
    "signal_reference_per_1000",
    "referral_funnel_position",
    "team_assessment",
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

    `cells` has one row per area × theme × year with INPUT_COLUMNS (NaN where unknown).
    Returns those keys plus the rate ratio, the points per criterion, `score` and `rank`
    (1 = first; ties broken by deviation, then count, then area and theme, so the order is
    the same on every run).
    """
    missing = set(INPUT_COLUMNS) - set(cells.columns)
    if missing:
        raise ValueError(f"priority_scores needs columns {sorted(missing)}")
    c = cells.reset_index(drop=True)
    count = c["crime_count"].to_numpy(dtype=float)
    ratio = _ratio(c["crimes_per_1000"], c["reference_rate_per_1000"])
    big = np.nan_to_num(count) >= MIN_COUNT
    prevalence = np.where(big & (ratio >= 2.0), 2, np.where(big & (ratio >= 1.25), 1, 0))

    q = c["q_value"].to_numpy(dtype=float)
    change = c["change_pct"].to_numpy(dtype=float)
    trend = np.where((q < SIGNIFICANCE) & (change > 0), 2, 0)

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
    team_high = np.nan_to_num(c["team_assessment"].to_numpy(dtype=float)) >= 4
    people = (children & referral_high).astype(int) + team_high.astype(int)

    out = c[["area_id", "year", "theme"]].copy()
    out["rate_ratio"] = ratio
    out["prevalence_points"] = prevalence.astype(int)
    out["trend_points"] = trend.astype(int)
    out["deviation_points"] = deviation.astype(int)
    out["signal_points"] = signal.astype(int)
    out["people_points"] = people.astype(int)
    out["score"] = (
        out["prevalence_points"]
        + out["trend_points"]
        + out["deviation_points"]
        + out["signal_points"]
        + out["people_points"]
    )
    order = out.assign(_position=position, _count=np.nan_to_num(count)).sort_values(
        ["year", "score", "_position", "_count", "area_id", "theme"],
        ascending=[True, False, False, False, True, True],
        kind="mergesort",
    )
    order["rank"] = order.groupby("year").cumcount() + 1
    out["rank"] = order["rank"].reindex(out.index).astype(int)
    return out


def _ratio(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    num = numerator.to_numpy(dtype=float)
    den = denominator.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)
