"""The funnel chart: limits as the positions are computed (with τ²), outliers named on the plot."""

from __future__ import annotations

import json
import math

from scipy.stats import norm

from assets.report.figures import FunnelPoint, funnel_chart


def _chart(tau2: float | None) -> dict:
    points = [
        FunnelPoint("Norrbacka", 3500, 45.8, 2),
        FunnelPoint("Centrum", 2700, 9.6, 0),
        FunnelPoint("Lindvik", 900, 4.4, 0),
    ]
    chart = funnel_chart(
        "f",
        points=points,
        reference_per_1000=7.9,
        label="l",
        caption="c",
        table=None,
        tau2=tau2,
    )
    return json.loads(chart.figure)


def test_limits_allow_for_overdispersion() -> None:
    """The upper 95 % line at each population is Spiegelhalter's, computed here by hand."""
    tau2 = 2e-5
    fig = _chart(tau2)
    # The 95 % lines are dashed: the lower one carries the legend entry, the upper one none.
    low, high = [t for t in fig["data"] if t.get("line", {}).get("dash") == "dash"]
    theta = 7.9 / 1000
    z = norm.ppf(0.975)
    for x, y_low, y_high in zip(high["x"], low["y"], high["y"], strict=True):
        spread = z * math.sqrt(theta / x + tau2)
        assert abs(y_high - 1000 * (theta + spread)) < 1e-3, (x, y_high)
        assert abs(y_low - max(1000 * (theta - spread), 0)) < 1e-3, (x, y_low)
    # Without τ² the limits are the exact Poisson ones, which are much narrower here.
    poisson = [t for t in _chart(None)["data"] if t.get("line", {}).get("dash") == "dash"][1]
    assert max(poisson["y"]) < min(high["y"])


def test_areas_outside_the_limits_are_named_on_the_plot() -> None:
    traces = {t["name"]: t for t in _chart(2e-5)["data"] if t.get("mode", "").startswith("m")}
    outside = traces["Tydligt över kommunens nivå (utanför 99,8\u00a0%)"]
    assert outside["mode"] == "markers+text" and outside["text"] == ["Norrbacka"]
    assert traces["Inom gränserna"]["mode"] == "markers"  # named on hover and in the table
