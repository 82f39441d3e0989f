"""Disclosure control for everything published beyond the DuckDB file (statistics.md).

Pure functions, no Dagster, no DuckDB, no I/O:

* :func:`suppress`: primary + secondary suppression and the no-pinning audit with repair;
* :func:`find_pinned` / :func:`feasible_intervals`: the independent LP attacker used in tests;
* :func:`derived_mask`, :func:`change_suppressed`, :func:`window_suppressed`,
  :func:`any_suppressed`: derived values follow their counts;
* :func:`mark_for_csv`, :func:`parquet_columns`, :data:`SUPPRESSED_LEGEND`: how it looks in print;
* :func:`groups_from_margins`: equations of a long table with ``Totalt`` margins.
"""

from assets.disclosure.attacker import (
    PINNED_TOL,
    feasible_intervals,
    find_pinned,
    published_view,
)
from assets.disclosure.derived import (
    FLAG_SUFFIX,
    any_suppressed,
    change_suppressed,
    derived_mask,
    flag_column,
    window_suppressed,
)
from assets.disclosure.marking import (
    SUPPRESSED_LEGEND,
    SUPPRESSED_MARK,
    mark_for_csv,
    parquet_columns,
)
from assets.disclosure.model import TOTAL_LABEL, groups_from_margins
from assets.disclosure.suppress import DEFAULT_MAX_EXACT_COMPONENT, suppress

__all__ = [
    "DEFAULT_MAX_EXACT_COMPONENT",
    "FLAG_SUFFIX",
    "PINNED_TOL",
    "SUPPRESSED_LEGEND",
    "SUPPRESSED_MARK",
    "TOTAL_LABEL",
    "any_suppressed",
    "change_suppressed",
    "derived_mask",
    "feasible_intervals",
    "find_pinned",
    "flag_column",
    "groups_from_margins",
    "mark_for_csv",
    "parquet_columns",
    "published_view",
    "suppress",
    "window_suppressed",
]
