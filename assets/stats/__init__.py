"""The formulas of docs/statistics.md as pure, vectorised functions.

No Dagster, no DuckDB, no I/O: every function takes numpy arrays, pandas
Series or scalars and returns float64 numpy arrays (or, for hot spots, a
DataFrame), with NaN standing for SQL NULL. Missing input gives NaN output,
never 0.

Modules:

* :mod:`.rates` — rates per 1,000 and exact Poisson (Garwood) intervals;
* :mod:`.change` — change between years: percent change, exact conditional
  p-value, Benjamini–Hochberg q-values;
* :mod:`.funnel` — funnel-plot control limits and positions;
* :mod:`.smoothing` — Marshall's global empirical-Bayes rates for the map;
* :mod:`.hotspots` — queen contiguity and local Getis-Ord Gi*.
"""

from .change import bh_qvalues, bh_qvalues_by_group, change_pct, rate_change_pvalue
from .funnel import DEFAULT_PROBS, funnel_limits, funnel_position, poisson_quantile
from .hotspots import getis_ord_gi_star, queen_weights
from .rates import garwood_interval, rate_interval_per_1000, rate_per_1000
from .smoothing import eb_marshall_global, eb_marshall_global_by_group

__all__ = [
    "DEFAULT_PROBS",
    "bh_qvalues",
    "bh_qvalues_by_group",
    "change_pct",
    "eb_marshall_global",
    "eb_marshall_global_by_group",
    "funnel_limits",
    "funnel_position",
    "garwood_interval",
    "getis_ord_gi_star",
    "poisson_quantile",
    "queen_weights",
    "rate_change_pvalue",
    "rate_interval_per_1000",
    "rate_per_1000",
]
