"""The formulas of docs/statistics.md as pure, vectorised functions.

No Dagster, no DuckDB, no I/O: every function takes numpy arrays, pandas
Series or scalars and returns float64 numpy arrays (or, for hot spots, a
DataFrame), with NaN standing for SQL NULL. Missing input gives NaN output,
never 0.

Modules:

* :mod:`.rates` — rates per 1,000 and exact Poisson (Garwood) intervals;
* :mod:`.change` — change between years: percent change, exact conditional
  p-value, Benjamini–Hochberg q-values;
* :mod:`.funnel` — funnel-plot control limits and positions (exact Poisson, or allowing
  for overdispersion);
* :mod:`.dispersion` — the funnel's reference rate and overdispersion φ, τ²;
* :mod:`.trend` — the five-year Poisson trend per series;
* :mod:`.smoothing` — Marshall's global empirical-Bayes rates for the map;
* :mod:`.hotspots` — queen contiguity, local Getis-Ord Gi* and the map's cluster class.
"""

from .change import bh_qvalues, bh_qvalues_by_group, change_pct, rate_change_pvalue
from .dispersion import overdispersion, overdispersion_by_group
from .funnel import DEFAULT_PROBS, funnel_limits, funnel_position, poisson_quantile
from .hotspots import MIN_HOTSPOT_AREAS, getis_ord_gi_star, hotspot_class, queen_weights
from .rates import garwood_interval, rate_interval_per_1000, rate_per_1000
from .smoothing import eb_marshall_global, eb_marshall_global_by_group
from .trend import poisson_trend

__all__ = [
    "DEFAULT_PROBS",
    "MIN_HOTSPOT_AREAS",
    "bh_qvalues",
    "bh_qvalues_by_group",
    "change_pct",
    "eb_marshall_global",
    "eb_marshall_global_by_group",
    "funnel_limits",
    "funnel_position",
    "garwood_interval",
    "getis_ord_gi_star",
    "hotspot_class",
    "overdispersion",
    "overdispersion_by_group",
    "poisson_quantile",
    "poisson_trend",
    "queen_weights",
    "rate_change_pvalue",
    "rate_interval_per_1000",
    "rate_per_1000",
]
