"""The prioritisation score (assets/stats/priority.py) against the rules written out by hand.

Each test builds a handful of area × theme cells whose points a council member could work out
from the scoring table (statistics.md, Prioritisation; issue "Numbers a council can trust"):
volume counts volume, deviation counts once, development is the five-year trend, no tie is
broken by a percentage, a residual theme is never ranked, and a team's concern gives no points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assets.stats.priority import INPUT_COLUMNS, MAX_SCORE, RULES, priority_scores


def cell(area: str, theme: str = "narkotika", **values: object) -> dict:
    """One input row: an unremarkable cell unless ``values`` say otherwise."""
    row: dict[str, object] = {
        "area_id": area,
        "year": 2025,
        "theme": theme,
        "is_prioritised": True,
        "crime_count": 20.0,
        "mean_area_count": 20.0,
        "crimes_per_1000": 10.0,
        "reference_rate_per_1000": 10.0,
        "trend_pct_per_year": 0.0,
        "trend_q_value": 0.9,
        "funnel_position": 0.0,
        "signal_crime_count": 0.0,
        "signal_per_1000": 0.0,
        "signal_reference_per_1000": 1.0,
        "referral_funnel_position": 0.0,
    }
    row.update(values)
    return row


def score(*cells: dict) -> pd.DataFrame:
    return priority_scores(pd.DataFrame(list(cells))).set_index("area_id")


def test_volume_is_the_count_against_an_average_area_not_a_rate() -> None:
    """216 crimes in a large area are more than 22 in a small one, whatever the rates: the
    issue's case where 'omfattning' scored a ratio and 22 crimes outscored 216."""
    out = score(
        cell(
            "BIG",
            crime_count=216.0,
            mean_area_count=70.0,
            crimes_per_1000=61.8,
            reference_rate_per_1000=34.2,
        ),
        cell(
            "SMALL",
            crime_count=22.0,
            mean_area_count=70.0,
            crimes_per_1000=90.0,
            reference_rate_per_1000=34.2,
        ),
        cell("SOME", crime_count=90.0, mean_area_count=70.0),  # 1.29 × average: 1 point
    )
    assert out.loc["BIG", "volume_points"] == 2  # 216 / 70 = 3.1 ≥ 2
    assert out.loc["SMALL", "volume_points"] == 0  # 22 / 70 = 0.31
    assert out.loc["SOME", "volume_points"] == 1
    assert out.loc["BIG", "volume_ratio"] == pytest.approx(216 / 70)
    # The rate ratio is context only: 2.6 for SMALL, and it gives nothing.
    assert out.loc["SMALL", "rate_ratio"] == pytest.approx(90.0 / 34.2)
    assert out.loc["SMALL", "score"] == 0


def test_volume_needs_at_least_ten_crimes() -> None:
    out = score(
        cell("NINE", crime_count=9.0, mean_area_count=1.5),
        cell("TEN", crime_count=10.0, mean_area_count=1.5),
    )
    assert out.loc["NINE", "volume_points"] == 0
    assert out.loc["TEN", "volume_points"] == 2


def test_development_is_the_five_year_trend_only() -> None:
    """A significant rising trend gives 2 points; a large trend that is not significant, or a
    significant fall, gives none. One year's percentage is not an input at all."""
    assert "change_pct" not in INPUT_COLUMNS and "q_value" not in INPUT_COLUMNS
    out = score(
        cell("RISING", trend_pct_per_year=51.0, trend_q_value=0.0004),
        cell("NOISY", trend_pct_per_year=80.0, trend_q_value=0.2),
        cell("FALLING", trend_pct_per_year=-15.0, trend_q_value=0.001),
        cell("UNKNOWN", trend_pct_per_year=np.nan, trend_q_value=np.nan),
    )
    assert out["trend_points"].to_dict() == {"RISING": 2, "NOISY": 0, "FALLING": 0, "UNKNOWN": 0}


def test_deviation_counts_once() -> None:
    """Far above the reference, with few crimes: only the funnel gives points for it."""
    out = score(
        cell(
            "HIGH",
            crime_count=12.0,
            mean_area_count=30.0,
            crimes_per_1000=40.0,
            funnel_position=2.0,
        )
    )
    assert out.loc["HIGH", "deviation_points"] == 2
    assert out.loc["HIGH", "volume_points"] == 0
    assert out.loc["HIGH", "score"] == 2


def test_ties_are_broken_by_deviation_then_count_never_by_a_percentage() -> None:
    """Same score: the one further above the reference first, then the larger count; a
    percentage change cannot reorder them (it is not an input)."""
    same = {"crime_count": 40.0, "mean_area_count": 10.0}  # volume 2 each
    out = score(
        cell("A_SMALL", **{**same, "crime_count": 30.0}, funnel_position=1.0, change_pct=250.0),
        cell("B_LARGE", **same, funnel_position=1.0, change_pct=-5.0),
        cell("C_FAR", **{**same, "crime_count": 25.0}, funnel_position=2.0, trend_q_value=0.9),
        cell("D_TEAM", **same, funnel_position=1.0, team_assessment=5.0),
    )
    # C_FAR has one more deviation point; the others tie on 3 points.
    assert out["score"].to_dict() == {"A_SMALL": 3, "B_LARGE": 3, "C_FAR": 4, "D_TEAM": 3}
    order = out.sort_values("rank").index.tolist()
    assert order == ["C_FAR", "B_LARGE", "D_TEAM", "A_SMALL"]


def test_team_concern_gives_no_points() -> None:
    """An area team's 5 of 5 does not raise an area above an identical one without a team."""
    assert "team_assessment" not in INPUT_COLUMNS
    assert all("bedömning" not in r.condition.lower() for r in RULES)
    out = score(
        cell("TEAM", team_assessment=5.0, funnel_position=1.0),
        cell("NO_TEAM", team_assessment=np.nan, funnel_position=1.0),
    )
    assert out.loc["TEAM", "score"] == out.loc["NO_TEAM", "score"] == 1
    # Equal on everything: area id decides, not the team.
    assert out.loc["NO_TEAM", "rank"] == 1


def test_a_residual_theme_is_scored_but_never_ranked() -> None:
    out = priority_scores(
        pd.DataFrame(
            [
                cell(
                    "A",
                    theme="övrigt",
                    is_prioritised=False,
                    crime_count=200.0,
                    funnel_position=2.0,
                ),
                cell("A", theme="narkotika", funnel_position=1.0),
            ]
        )
    ).set_index("theme")
    assert out.loc["övrigt", "score"] == 4
    assert pd.isna(out.loc["övrigt", "rank"])
    assert out.loc["narkotika", "rank"] == 1


def test_children_points_come_from_the_referrals_above_the_funnel() -> None:
    out = priority_scores(
        pd.DataFrame(
            [
                cell("A", theme="barn och unga", referral_funnel_position=1.0),
                cell("A", theme="narkotika", referral_funnel_position=1.0),
            ]
        )
    ).set_index("theme")
    assert out.loc["barn och unga", "people_points"] == 1
    assert out.loc["narkotika", "people_points"] == 0


def test_the_table_and_the_maximum_agree() -> None:
    best: dict[str, int] = {}
    for rule in RULES:
        best[rule.criterion] = max(best.get(rule.criterion, 0), rule.points)
    assert sum(best.values()) == MAX_SCORE == 8
    assert set(best) == {"volume", "trend", "deviation", "signal", "people"}
