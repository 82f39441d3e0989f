"""The report's charts: Plotly figures (scatter and bar traces only) and their text alternatives.

Each function returns a :class:`Chart`: the figure as JSON for ``Plotly.newPlot`` (drawn by
the report's own script from the embedded plotly.js, see ``vendor/``), a sentence with its
key numbers and a table of every value it draws. A suppressed value is never drawn: it is a
gap in a line, a missing bar marked ``..``, or a point left out, and the table shows ``..``.
Traces that draw counts carry ``meta.n`` ('c' crimes, 'r' referrals) for the tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from markupsafe import Markup
from plotly.utils import PlotlyJSONEncoder

from assets.report.tables import CRIME, Cell, Table, count_cell, text_cell
from assets.report.text import (
    MISSING,
    SHORT_MONTHS,
    SUPPRESSED,
    cell,
    count_noun,
    fmt_int,
    fmt_rate,
    month_name,
)
from assets.stats import funnel_limits

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
#: Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
MUNICIPALITY_COLOR = "#555555"
GRID = "#dddddd"

#: Season markers (domain.md §4.7): Valborg (30 April), end of school year, Lucia/Christmas.
SEASON_MARKS = {4: ("Valborg", 1.0), 6: ("Skolavslutning", 1.09), 12: ("Lucia, jul", 1.0)}


@dataclass
class Chart:
    id: str
    figure: str
    label: str
    caption: Markup | str
    table: Table | None = None
    note: str | None = None
    height: int = 320


@dataclass
class Series:
    name: str
    values: list[float | None]
    low: list[float | None] | None = None
    high: list[float | None] | None = None
    color: str = PALETTE[0]
    dash: str = "solid"
    #: Per point: whether the value is suppressed (shown as a gap and ``..``).
    suppressed: list[bool] | None = None


def _clean(values: Sequence[object]) -> list[float | None]:
    out: list[float | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        try:
            f = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out.append(None)
            continue
        out.append(None if math.isnan(f) else f)
    return out


def _log_ticks(values: Sequence[float]) -> dict:
    """Ticks 1-2-5 on a log axis, written out in Swedish ("2 000"), not Plotly's bare digits."""
    lo, hi = min(values) * 0.8, max(values) * 1.05
    ticks = [
        m * 10**e
        for e in range(math.floor(math.log10(max(lo, 1.0))), math.ceil(math.log10(hi)) + 1)
        for m in (1, 2, 5)
        if lo <= m * 10**e <= hi
    ]
    return {"tickvals": ticks, "ticktext": [fmt_int(t) for t in ticks]}


def _layout(**overrides: object) -> dict:
    layout: dict = {
        "separators": ", ",
        "font": {"family": FONT, "size": 13, "color": "#1a1a1a"},
        "margin": {"l": 56, "r": 12, "t": 28, "b": 48},
        "height": 320,
        "autosize": True,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "dragmode": False,
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": -0.18, "yanchor": "top"},
        "xaxis": {
            "fixedrange": True,
            "gridcolor": GRID,
            "linecolor": "#888",
            "automargin": True,
            "exponentformat": "none",
        },
        "yaxis": {
            "fixedrange": True,
            "gridcolor": GRID,
            "linecolor": "#888",
            "rangemode": "tozero",
            "automargin": True,
            "zerolinecolor": "#888",
            "exponentformat": "none",
        },
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


class _Figure:
    """Traces and layout collected first, validated once as a ``go.Figure`` (faster than
    adding traces to a figure one by one)."""

    def __init__(self, layout: dict) -> None:
        self.layout = layout
        self.traces: list = []

    def add_trace(self, trace) -> None:
        self.traces.append(trace)

    def update_layout(self, **changes: object) -> None:
        self.layout.update(changes)

    def figure(self) -> go.Figure:
        return go.Figure(data=self.traces, layout={**self.layout, "template": "none"})


def to_json(fig: _Figure | go.Figure) -> str:
    """The figure as compact JSON that is safe inside a ``<script>`` element."""
    if isinstance(fig, _Figure):
        fig = fig.figure()
    spec = fig.to_plotly_json()
    spec.get("layout", {}).pop("template", None)
    text = json.dumps(spec, cls=PlotlyJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _figure(layout: dict) -> _Figure:
    return _Figure(layout)


def _error(values, low, high) -> dict | None:
    if low is None or high is None:
        return None
    plus, minus = [], []
    for v, lo, hi in zip(values, _clean(low), _clean(high), strict=True):
        plus.append(None if v is None or hi is None else max(hi - v, 0))
        minus.append(None if v is None or lo is None else max(v - lo, 0))
    return {
        "type": "data",
        "array": plus,
        "arrayminus": minus,
        "visible": True,
        "thickness": 1.2,
        "width": 3,
    }


# --- charts ------------------------------------------------------------------------------


def trend_chart(
    chart_id: str,
    *,
    years: list[int],
    series: list[Series],
    label: str,
    caption: Markup | str,
    table_caption: str,
    unit: str = "Antal per 1\u00a0000 invånare",
    counts: list[tuple[str, list[object], list[bool], str]] | None = None,
) -> Chart:
    """Rates per year (one line per series) with 95 % intervals as error bars.

    ``counts`` adds count columns to the table: (header, values, suppressed flags, kind).
    """
    x = [str(y) for y in years]
    fig = _figure(
        _layout(
            xaxis={"type": "category"},
            yaxis={"title": {"text": unit}},
            showlegend=len(series) > 1,
            margin={"b": 36 if len(series) == 1 else 48},
        )
    )
    for s in series:
        fig.add_trace(line_trace(s, x, "per 1\u00a0000"))
    columns = []
    for s in series:
        columns.append(f"{s.name}: antal per 1\u00a0000")
        if s.low is not None:
            columns.append(f"{s.name}: 95\u00a0% konfidensintervall")
    for header, *_ in counts or []:
        columns.insert(0, header)
    table = Table(caption=table_caption, columns=columns, row_header="År", compact=True)
    for i, year in enumerate(years):
        cells: list[Cell] = []
        for _header, values, flags, kind in counts or []:
            cells.append(count_cell(values[i], flags[i], kind))
        for s in series:
            sup = bool(s.suppressed[i]) if s.suppressed else False
            cells.append(Cell(cell(s.values[i], sup, "rate")))
            if s.low is not None and s.high is not None:
                cells.append(Cell(_interval(s.low[i], s.high[i], sup)))
        table.add(str(year), cells)
    return Chart(chart_id, to_json(fig), label, caption, table)


def line_trace(s: Series, x: list[str], unit: str) -> go.Scatter:
    """One series as a line with markers and its intervals as error bars; a gap where a value
    is missing or suppressed (``unit`` follows the value on hover)."""
    values = _clean(s.values)
    return go.Scatter(
        x=x,
        y=values,
        name=s.name,
        mode="lines+markers",
        line={"color": s.color, "dash": s.dash, "width": 2.5},
        marker={"size": 7, "color": s.color},
        error_y=_error(values, s.low, s.high),
        connectgaps=False,
        hovertemplate=f"{s.name}<br>%{{x}}: %{{y:,.1f}} {unit}<extra></extra>",
    )


def _interval(
    low: object, high: object, suppressed: bool, fmt: Callable[[float], str] = fmt_rate
) -> str:
    """An interval as a table shows it: ``30,8–54,2``, ``..`` when hidden, ``–`` when missing."""
    if suppressed:
        return SUPPRESSED
    lo, hi = _clean([low, high])
    if lo is None or hi is None:
        return MISSING
    return f"{fmt(lo)}–{fmt(hi)}"


def season_chart(
    chart_id: str,
    *,
    year: int,
    values: list[object],
    suppressed: list[bool],
    average: list[float | None] | None,
    label: str,
    caption: Markup | str,
    table_caption: str,
    kind: str = CRIME,
    average_label: str = "",
    average_suppressed: list[bool] | None = None,
) -> Chart:
    """Crimes per month of the report year (bars), with the average of three years (line).

    A month whose average rests on a suppressed count (``average_suppressed``) has no point
    on the line and '..' in the table.
    """
    if average is not None and average_suppressed is not None:
        average = [None if f else a for a, f in zip(average, average_suppressed, strict=True)]
    x = list(SHORT_MONTHS)
    y = _clean(values)
    fig = _figure(
        _layout(
            xaxis={"type": "category"},
            yaxis={"title": {"text": "Anmälda brott"}},
            bargap=0.25,
            margin={"t": 44},
        )
    )
    fig.add_trace(
        go.Bar(
            x=x,
            y=y,
            name=f"{year}",
            marker={"color": PALETTE[0]},
            meta={"n": kind},
            hovertemplate=f"%{{x}} {year}: %{{y:,.0f}} brott<extra></extra>",
        )
    )
    has_average = average is not None and any(v is not None for v in average)
    fig.update_layout(showlegend=has_average)
    if has_average:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_clean(average),
                name=average_label,
                mode="lines+markers",
                line={"color": PALETTE[1], "width": 2.5},
                marker={"symbol": "diamond", "size": 7, "color": PALETTE[1]},
                connectgaps=False,
                hovertemplate=f"%{{x}}, {average_label}: %{{y:,.1f}}<extra></extra>",
            )
        )
    annotations = [_suppressed_mark(i) for i, s in enumerate(suppressed) if s]
    for month, (text, y_mark) in SEASON_MARKS.items():
        annotations.append(
            {
                "x": x[month - 1],
                "y": y_mark,
                "yref": "paper",
                "yanchor": "bottom",
                "text": text,
                "showarrow": False,
                "font": {"size": 11, "color": "#444"},
            }
        )
    fig.update_layout(annotations=annotations)
    columns = [f"Anmälda brott {year}"]
    if average is not None:
        columns.append(average_label)
    table = Table(caption=table_caption, columns=columns, row_header="Månad", compact=True)
    for i in range(12):
        cells = [count_cell(values[i], suppressed[i], kind)]
        if average is not None:
            hidden = bool(average_suppressed and average_suppressed[i])
            cells.append(Cell(SUPPRESSED if hidden else cell(average[i], False, "dec")))
        table.add(month_name(i + 1), cells)
    return Chart(chart_id, to_json(fig), label, caption, table)


def _suppressed_mark(x: str | int) -> dict:
    """A '..' at the foot of a hidden bar.

    On a category axis pass the bar's position, not its label: plotly reads a label that looks
    like a number ("2022") as a position, and the axis then runs to 2 022 categories.
    """
    return {
        "x": x,
        "y": 0,
        "yanchor": "bottom",
        "text": SUPPRESSED,
        "showarrow": False,
        "font": {"size": 13, "color": "#000"},
    }


def bar_chart(
    chart_id: str,
    *,
    categories: list[str],
    values: list[object],
    suppressed: list[bool],
    kind: str,
    label: str,
    caption: Markup | str,
    table_caption: str,
    value_header: str,
    axis_title: str,
    row_header: str,
    color: str = PALETTE[0],
    horizontal: bool = False,
) -> Chart:
    """Counts per category (e.g. referrals by who made them); suppressed bars marked ``..``."""
    y = _clean(values)
    if horizontal:
        layout = _layout(
            xaxis={"title": {"text": axis_title}},
            yaxis={"type": "category", "autorange": "reversed", "rangemode": "normal"},
            showlegend=False,
            height=max(220, 34 * len(categories) + 80),
            margin={"l": 8},
        )
    else:
        layout = _layout(
            xaxis={"type": "category"},
            yaxis={"title": {"text": axis_title}},
            showlegend=False,
        )
    fig = _figure(layout)
    trace = go.Bar(
        x=y if horizontal else categories,
        y=categories if horizontal else y,
        orientation="h" if horizontal else "v",
        marker={"color": color},
        meta={"n": kind},
        hovertemplate=("%{y}: %{x:,.0f}" if horizontal else "%{x}: %{y:,.0f}") + "<extra></extra>",
    )
    fig.add_trace(trace)
    marks = []
    for i, s in enumerate(suppressed):
        if s:
            mark = _suppressed_mark(i)
            if horizontal:
                mark = {**mark, "x": 0, "y": categories[i], "xanchor": "left", "yanchor": "middle"}
            marks.append(mark)
    fig.update_layout(annotations=marks)
    table = Table(
        caption=table_caption, columns=[value_header], row_header=row_header, compact=True
    )
    for category, value, sup in zip(categories, values, suppressed, strict=True):
        table.add(category, [count_cell(value, sup, kind)])
    chart = Chart(chart_id, to_json(fig), label, caption, table)
    chart.height = layout["height"]
    return chart


def grouped_bar_chart(
    chart_id: str,
    *,
    x: list[str],
    groups: list[tuple[str, list[object], list[bool]]],
    kind: str,
    label: str,
    caption: Markup | str,
    table_caption: str,
    axis_title: str,
    row_header: str,
    x_title: str = "",
) -> Chart:
    """Counts in groups (e.g. SIG referrals per year and age band); stacked bars."""
    fig = _figure(
        _layout(
            xaxis={"type": "category"},
            yaxis={"title": {"text": axis_title}},
            barmode="group",
        )
    )
    marks = []
    for i, (name, values, flags) in enumerate(groups):
        fig.add_trace(
            go.Bar(
                x=x,
                y=_clean(values),
                name=name,
                marker={"color": PALETTE[i % len(PALETTE)]},
                meta={"n": kind},
                hovertemplate=f"{name}, %{{x}}: %{{y:,.0f}}<extra></extra>",
            )
        )
        marks.extend(_suppressed_mark(j) for j, f in enumerate(flags) if f)
    fig.update_layout(annotations=marks)
    table = Table(
        caption=table_caption, columns=[g[0] for g in groups], row_header=row_header, compact=True
    )
    for j, label_x in enumerate(x):
        table.add(label_x, [count_cell(g[1][j], g[2][j], kind) for g in groups])
    return Chart(chart_id, to_json(fig), label, caption, table)


@dataclass
class FunnelPoint:
    name: str
    population: float
    rate: float
    position: int | None


FUNNEL_GROUPS = (
    (2, "Tydligt över kommunens nivå (utanför 99,8\u00a0%)", "#D55E00", "diamond", 9),
    (1, "Över kommunens nivå (utanför 95\u00a0%)", "#E69F00", "triangle-up", 8),
    (0, "Inom gränserna", "#8c8c8c", "circle", 6),
    (-1, "Under kommunens nivå (utanför 95\u00a0%)", "#56B4E9", "triangle-down", 8),
    (-2, "Tydligt under kommunens nivå (utanför 99,8\u00a0%)", "#0072B2", "square", 8),
)

#: Above this many points, only areas outside the 95 % limits get their name on hover.
FUNNEL_NAMED_POINTS = 400
#: Up to this many areas of one group outside the limits get their name beside the point.
FUNNEL_LABELLED_POINTS = 60


def funnel_chart(
    chart_id: str,
    *,
    points: list[FunnelPoint],
    reference_per_1000: float | None,
    label: str,
    caption: Markup | str,
    table: Table | None,
    tau2: float | None = None,
) -> Chart:
    """Rate against population, with the 95 % and 99.8 % limits around the reference.

    With the published overdispersion ``tau2`` (> 0) the limits allow for the areas' natural
    variation, as the positions of the points do; otherwise they are the exact Poisson limits.
    """
    pops = [p.population for p in points if p.population and p.population > 0]
    # One convention for every theme: population on a logarithmic axis, where the funnel's
    # width changes evenly (the limits narrow with the square root of the population).
    log_x = bool(pops)
    rates = np.array([p.rate for p in points], dtype=float)
    y_axis: dict = {"title": {"text": "Antal per 1\u00a0000 invånare"}}
    above_scale = 0
    if rates.size >= 20:
        # A few extreme areas (e.g. a city centre with few residents) would flatten the rest:
        # cap the axis and say how many areas lie above it.
        cap = float(np.quantile(rates, 0.99)) * 1.3
        if reference_per_1000 is not None:
            cap = max(cap, reference_per_1000 * 3)
        if rates.max() > cap:
            above_scale = int((rates > cap).sum())
            y_axis["range"] = [0, cap]
    fig = _figure(
        _layout(
            xaxis={
                "title": {"text": "Folkmängd" + (" (logaritmisk skala)" if log_x else "")},
                "type": "log" if log_x else "linear",
                **(_log_ticks(pops) if log_x else {"rangemode": "tozero"}),
            },
            yaxis=y_axis,
            height=420,
            # Above the plot: below it, the legend's rows on a phone run into the axis title.
            legend={"y": 1.02, "yanchor": "bottom"},
            margin={"t": 12, "b": 48},
        )
    )
    if reference_per_1000 is not None and pops:
        lo, hi = max(min(pops) * 0.8, 1.0), max(pops) * 1.05
        grid = np.unique(np.round(np.geomspace(lo, hi, 160)))
        limits = funnel_limits(
            grid, reference_per_1000 / 1000, tau2=None if tau2 is None else np.full(len(grid), tau2)
        )
        gx = [int(v) for v in grid]
        fig.add_trace(
            go.Scatter(
                x=[gx[0], gx[-1]],
                y=[reference_per_1000, reference_per_1000],
                mode="lines",
                name=f"Kommunens nivå ({fmt_rate(reference_per_1000)})",
                line={"color": "#000", "width": 1.5},
                hoverinfo="skip",
            )
        )
        for j, (name, dash) in enumerate(
            (
                ("99,8\u00a0%-gräns", "dot"),
                ("95\u00a0%-gräns", "dash"),
                (None, "dash"),
                (None, "dot"),
            )
        ):
            ys = [None if math.isnan(v) else round(float(v), 3) for v in limits[:, j]]
            fig.add_trace(
                go.Scatter(
                    x=gx,
                    y=ys,
                    mode="lines",
                    name=name or "",
                    showlegend=name is not None,
                    legendgroup=dash,
                    line={"color": "#444", "width": 1.2, "dash": dash, "shape": "hv"},
                    hoverinfo="skip",
                )
            )
    many = len(points) > FUNNEL_NAMED_POINTS
    for position, name, color, symbol, size in FUNNEL_GROUPS:
        group = [p for p in points if (p.position if p.position is not None else 0) == position]
        if not group:
            continue
        named = not (many and position == 0)
        # The areas outside the limits are named on the plot itself, not only on hover (a
        # touch screen has no hover); the names of the areas within them would overlap in the
        # funnel's crowded middle, so they are on hover and in the table below the chart.
        labelled = named and position != 0 and len(group) <= FUNNEL_LABELLED_POINTS
        fig.add_trace(
            go.Scatter(
                x=[round(p.population) for p in group],
                y=[round(p.rate, 2) for p in group],
                mode="markers+text" if labelled else "markers",
                textposition="top center",
                textfont={"size": 11, "color": "#222"},
                cliponaxis=False,  # a name near the edge is not cut
                name=name,
                marker={
                    "color": color,
                    "symbol": symbol,
                    "size": size if not many else max(size - 3, 4),
                    "line": {"color": "#222", "width": 0.6},
                },
                text=[p.name for p in group] if named else None,
                hovertemplate=(
                    ("%{text}<br>" if named else "")
                    + "Folkmängd %{x:,.0f}<br>%{y:,.1f} per 1\u00a0000<extra></extra>"
                ),
            )
        )
    if above_scale:
        caption = Markup("{} {} har en nivå över diagrammets skala; de finns i tabellen.").format(
            caption, count_noun(above_scale, "område", "områden")
        )
    return Chart(chart_id, to_json(fig), label, caption, table, height=400)


def monthly_chart(
    chart_id: str,
    *,
    months: list[str],
    series: list[tuple[str, list[object], list[bool]]],
    label: str,
    caption: Markup | str,
    table_caption: str,
    kind: str = CRIME,
) -> Chart:
    """Monthly counts over several years, one line per theme; gaps where suppressed."""
    fig = _figure(
        _layout(
            xaxis={"type": "date", "tickformat": "%b %Y"},
            yaxis={"title": {"text": "Anmälda brott per månad"}},
            height=360,
            legend={"y": -0.25},
        )
    )
    dates = [f"{m}-01" for m in months]
    for i, (name, values, _flags) in enumerate(series):
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=_clean(values),
                name=name,
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)], "width": 2},
                marker={"size": 4},
                connectgaps=False,
                meta={"n": kind},
                hovertemplate=f"{name}<br>%{{x|%B %Y}}: %{{y:,.0f}} brott<extra></extra>",
            )
        )
    table = Table(
        caption=table_caption, columns=[s[0] for s in series], row_header="Månad", compact=True
    )
    for j, m in enumerate(months):
        year, month = m.split("-")
        table.add(
            f"{month_name(month)} {year}", [count_cell(s[1][j], s[2][j], kind) for s in series]
        )
    return Chart(chart_id, to_json(fig), label, caption, table, height=360)


#: A category label longer than this is wrapped onto lines (plotly's <br>), so that a long
#: theme name does not take the whole width of a phone and push the bars off the screen.
LABEL_WIDTH = 22


def wrap_label(text: str, width: int = LABEL_WIDTH) -> str:
    """'Mäns våld mot kvinnor och våld i nära relationer' on lines of at most ``width``."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def rate_bars(
    chart_id: str,
    *,
    names: list[str],
    rates: list[object],
    lows: list[object],
    highs: list[object],
    suppressed: list[bool],
    label: str,
    caption: Markup | str,
    table: Table,
    reference: float | None = None,
) -> Chart:
    """Rates per 1,000 with intervals as horizontal bars (e.g. the themes of the year)."""
    values = _clean(rates)
    full_names = names
    names = [wrap_label(n) for n in names]
    height = max(240, 36 * len(names) + 90)
    fig = _figure(
        _layout(
            xaxis={"title": {"text": "Antal per 1\u00a0000 invånare"}},
            yaxis={"type": "category", "autorange": "reversed", "rangemode": "normal"},
            showlegend=False,
            height=height,
            margin={"l": 8},
        )
    )
    fig.add_trace(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            marker={"color": PALETTE[0]},
            error_x=_error(values, lows, highs),
            customdata=full_names,
            hovertemplate="%{customdata}: %{x:,.1f} per 1\u00a0000<extra></extra>",
        )
    )
    marks = [
        {
            **_suppressed_mark(names[i]),
            "x": 0,
            "y": names[i],
            "xanchor": "left",
            "yanchor": "middle",
        }
        for i, s in enumerate(suppressed)
        if s
    ]
    fig.update_layout(annotations=marks)
    chart = Chart(chart_id, to_json(fig), label, caption, table, height=height)
    return chart


def text_table(caption: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> Table:
    table = Table(caption=caption, columns=columns)
    for header, cells in rows:
        table.add(header, [text_cell(c) for c in cells])
    return table
