"""Every chart fed a '..': it is never read as a number, and a category axis keeps its categories.

The SIG chart once put its '..' mark at x = "2022" on a category axis of years; plotly read the
label as a position, so the axis ran to 2 035 and every bar was squashed at the left edge.
"""

from __future__ import annotations

import json

from assets.report.figures import (
    Series,
    bar_chart,
    grouped_bar_chart,
    monthly_chart,
    rate_bars,
    season_chart,
    trend_chart,
)
from assets.report.tables import Table

YEARS = ["2019", "2020", "2021", "2022", "2023"]
HIDDEN = [False, False, False, True, False]
VALUES = [12, 15, 9, "..", 11]


def _figure(chart) -> dict:
    return json.loads(chart.figure) if isinstance(chart.figure, str) else chart.figure


def _numbers(fig: dict) -> list[object]:
    out: list[object] = []
    for trace in fig.get("data", []):
        for axis in ("x", "y"):
            out.extend(v for v in trace.get(axis) or [] if not isinstance(v, str))
    return out


def _assert_marks_within(fig: dict, n: int) -> None:
    """Every '..' mark on the category (x) axis stands at a bar's position, 0..n-1."""
    marks = [a for a in fig["layout"].get("annotations", []) if a.get("text") == ".."]
    assert marks, "the hidden value has no '..' mark"
    for mark in marks:
        assert isinstance(mark["x"], int) and 0 <= mark["x"] < n, mark


def test_grouped_bars_keep_a_category_axis_of_years() -> None:
    chart = grouped_bar_chart(
        "sig",
        x=YEARS,
        groups=[("13–17 år", VALUES, HIDDEN), ("18–25 år", [5, 6, 7, 8, 9], [False] * 5)],
        kind="referral",
        label="l",
        caption="c",
        table_caption="t",
        axis_title="a",
        row_header="År",
    )
    fig = _figure(chart)
    assert fig["layout"]["xaxis"]["type"] == "category"
    _assert_marks_within(fig, len(YEARS))
    assert ".." not in _numbers(fig)
    assert all(v is None or isinstance(v, float | int) for v in fig["data"][0]["y"])


def test_bars_vertical_and_horizontal() -> None:
    for horizontal in (False, True):
        chart = bar_chart(
            "b",
            categories=YEARS,
            values=VALUES,
            suppressed=HIDDEN,
            kind="crime",
            label="l",
            caption="c",
            table_caption="t",
            value_header="v",
            axis_title="a",
            row_header="r",
            horizontal=horizontal,
        )
        fig = _figure(chart)
        values = fig["data"][0]["x" if horizontal else "y"]
        assert values[3] is None and values[0] == 12
        if not horizontal:
            _assert_marks_within(fig, len(YEARS))


def test_season_trend_monthly_and_rate_charts_read_dots_as_gaps() -> None:
    season = season_chart(
        "s",
        year=2025,
        values=[*VALUES, *([3] * 7)],
        suppressed=[*HIDDEN, *([False] * 7)],
        average=None,
        label="l",
        caption="c",
        table_caption="t",
    )
    fig = _figure(season)
    assert fig["data"][0]["y"][3] is None
    _assert_marks_within(fig, 12)
    trend = trend_chart(
        "t",
        years=[int(y) for y in YEARS],
        series=[Series("a", VALUES, suppressed=HIDDEN)],  # type: ignore[arg-type]
        label="l",
        caption="c",
        table_caption="t",
    )
    assert _figure(trend)["data"][0]["y"][3] is None
    monthly = monthly_chart(
        "m",
        months=["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"],
        series=[("narkotika", VALUES, HIDDEN)],
        label="l",
        caption="c",
        table_caption="t",
    )
    assert ".." not in _numbers(_figure(monthly))
    bars = rate_bars(
        "r",
        names=["Centrum", "Hamnen", "Nyhem", "Solhem", "Tallåsen"],
        rates=VALUES,
        lows=VALUES,
        highs=VALUES,
        suppressed=HIDDEN,
        label="l",
        caption="c",
        table=Table(caption="t", columns=["v"], row_header="r"),
    )
    assert _figure(bars)["data"][0]["x"][3] is None
