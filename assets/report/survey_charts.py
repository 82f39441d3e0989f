"""The Trygghet section's two charts: survey shares over time, and crime beside insecurity.

Built like :mod:`assets.report.figures` (Plotly JSON drawn by the report's own embedded
plotly.js, a caption and a table of every value drawn). A share that is not published
(för få svar) is never drawn: a gap in a line, a point left out, ``..`` in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from markupsafe import Markup

from assets.report.figures import (
    Chart,
    Series,
    _error,
    _figure,
    _interval,
    _layout,
    line_trace,
    to_json,
)
from assets.report.tables import Cell, Table
from assets.report.text import NBSP, SUPPRESSED, fmt_dec, fmt_rate

#: Up to this many areas get their name beside their point (more would overlap).
LABELLED_POINTS = 40
SHARE_AXIS = "Andel av de svarande (%)"


def share(value: object, suppressed: bool = False) -> str:
    """A survey share as the report prints it: ``24,3`` (one decimal), ``..`` when hidden."""
    if suppressed:
        return SUPPRESSED
    return fmt_dec(value, 1)


def share_interval(low: object, high: object, suppressed: bool = False) -> str:
    """A share's interval with one decimal, as :func:`share` prints the share."""
    return _interval(low, high, suppressed, lambda v: fmt_dec(v, 1))


def share_trend_chart(
    chart_id: str,
    *,
    years: list[int],
    series: list[Series],
    label: str,
    caption: Markup | str,
    table_caption: str,
) -> Chart:
    """Shares per survey year (one line per series) with 95 % intervals as error bars."""
    x = [str(y) for y in years]
    fig = _figure(
        _layout(
            xaxis={"type": "category", "title": {"text": "År"}},
            yaxis={"title": {"text": SHARE_AXIS}},
            showlegend=len(series) > 1,
        )
    )
    columns = []
    for s in series:
        fig.add_trace(line_trace(s, x, "%"))
        columns += [f"{s.name} (%)", f"{s.name}: 95\u00a0% intervall"]
    table = Table(caption=table_caption, columns=columns, row_header="År", compact=True)
    for i, year in enumerate(years):
        cells: list[Cell] = []
        for s in series:
            hidden = bool(s.suppressed[i]) if s.suppressed else False
            low, high = (s.low or [None] * len(years))[i], (s.high or [None] * len(years))[i]
            cells += [Cell(share(s.values[i], hidden)), Cell(share_interval(low, high, hidden))]
        table.add(str(year), cells)
    return Chart(chart_id, to_json(fig), label, caption, table)


@dataclass
class CrimeSurveyPoint:
    """One area: its crime rate (per 1,000) and survey share, each with its interval."""

    name: str
    rate: float
    rate_low: float | None
    rate_high: float | None
    share: float
    share_low: float | None
    share_high: float | None


def crime_survey_chart(
    chart_id: str,
    *,
    points: list[CrimeSurveyPoint],
    reference_rate: float | None,
    municipal_share: float | None,
    label: str,
    caption: Markup | str,
    table: Table,
    share_axis: str,
) -> Chart:
    """Each area's crime rate (x) against its survey share (y), both intervals as error bars,
    with the municipality's level of each as a line. Only published values are drawn."""
    fig = _figure(
        _layout(
            xaxis={
                "title": {"text": "Anmälda brott per 1\u00a0000 invånare"},
                "rangemode": "tozero",
            },
            yaxis={"title": {"text": share_axis}},
            height=440,
            legend={"y": 1.02, "yanchor": "bottom"},
            margin={"t": 12, "b": 48},
        )
    )
    xs = [p.rate for p in points]
    ys = [p.share for p in points]
    if reference_rate is not None and points:
        top = max([*(p.share_high or p.share for p in points), municipal_share or 0]) * 1.05
        fig.add_trace(
            go.Scatter(
                x=[reference_rate, reference_rate],
                y=[0, round(top, 1)],
                mode="lines",
                name=f"Kommunens nivå av anmälda brott ({fmt_rate(reference_rate)})",
                line={"color": "#444", "width": 1.2, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    if municipal_share is not None and points:
        right = max(p.rate_high or p.rate for p in points) * 1.05
        fig.add_trace(
            go.Scatter(
                x=[0, round(right, 1)],
                y=[municipal_share, municipal_share],
                mode="lines",
                name=f"Hela kommunen i mätningen ({fmt_dec(municipal_share, 1)}{NBSP}%)",
                line={"color": "#000", "width": 1.5},
                hoverinfo="skip",
            )
        )
    labelled = len(points) <= LABELLED_POINTS
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text" if labelled else "markers",
            text=[p.name for p in points],
            textposition="top center",
            textfont={"size": 11, "color": "#222"},
            cliponaxis=False,
            name="Område",
            marker={"color": "#0072B2", "size": 8, "line": {"color": "#222", "width": 0.6}},
            error_x=_error(xs, [p.rate_low for p in points], [p.rate_high for p in points]),
            error_y=_error(ys, [p.share_low for p in points], [p.share_high for p in points]),
            hovertemplate=(
                f"%{{text}}<br>%{{x:,.1f}} brott per 1{NBSP}000<br>"
                f"%{{y:,.1f}}{NBSP}%<extra></extra>"
            ),
        )
    )
    return Chart(chart_id, to_json(fig), label, caption, table, height=440)
