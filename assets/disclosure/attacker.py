"""The attacker: what can an outsider compute about suppressed cells from the published numbers?

This module is the independent check of :mod:`assets.disclosure.suppress`. It deliberately shares
no code with it (not even input validation): it sets up the full linear system as an outsider would
and asks HiGHS (``scipy.optimize.linprog``) for the smallest and largest value of every suppressed
cell. A cell whose interval collapses is *pinned*: its value is disclosed.

Input, simple enough to build from the public CSV/Parquet files alone:

* ``cells_published``: ``cell_id``, ``value`` (float; the published number, NaN when not shown),
  ``suppressed`` (bool; True where the table shows ``..``). A cell with NaN that is not suppressed
  is "not available" and is left out of every sum, as in the tables.
* ``groups``: ``group_id``, ``cell_id``, ``role`` (``"part"``/``"total"``), each group meaning
  ``total = sum(parts)``. Build them from the ``Totalt`` rows and columns, e.g. with
  :func:`assets.disclosure.model.groups_from_margins` (a plain pandas helper).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

#: Interval width below which a suppressed cell counts as pinned (the outside check's tolerance).
PINNED_TOL = 1e-6


def published_view(cells: pd.DataFrame, suppression: pd.DataFrame) -> pd.DataFrame:
    """What the public sees: ``cells`` with suppressed values blanked out.

    ``suppression`` is the output of ``suppress`` (``cell_id``, ``suppressed``). The attacker gets
    this frame, never the true values of suppressed cells.
    """
    out = cells[["cell_id", "value"]].merge(
        suppression[["cell_id", "suppressed"]], on="cell_id", how="left", validate="one_to_one"
    )
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    out["value"] = out["value"].astype(float).where(~out["suppressed"])
    return out


def _system(
    cells_published: pd.DataFrame, groups: pd.DataFrame
) -> tuple[list[str], sparse.csr_matrix, np.ndarray]:
    """The unknowns (suppressed cell ids), ``A_eq`` and ``b_eq`` of the published equations."""
    pub = cells_published[["cell_id", "value", "suppressed"]].copy()
    pub["cell_id"] = pub["cell_id"].astype(str)
    if pub["cell_id"].duplicated().any():
        raise ValueError("cells_published.cell_id is not unique")
    pub["suppressed"] = pub["suppressed"].astype(bool)
    pub["value"] = pd.to_numeric(pub["value"]).astype(float)

    g = groups[["group_id", "cell_id", "role"]].astype(str)
    g = g.merge(pub, on="cell_id", how="left", indicator=True)
    if (g["_merge"] != "both").any():
        raise ValueError("groups refer to cells that are not published")
    # Not available (and not suppressed): not part of any sum. A group without its total shows
    # no equation at all.
    g = g[g["suppressed"] | g["value"].notna()]
    has_total = (g["role"] == "total").groupby(g["group_id"]).transform("any")
    g = g[has_total]

    unknown_ids = sorted(pub.loc[pub["suppressed"], "cell_id"])
    col = pd.Series(np.arange(len(unknown_ids)), index=pd.Index(unknown_ids, dtype=object))
    group_ids = sorted(g["group_id"].unique())
    row = pd.Series(np.arange(len(group_ids)), index=pd.Index(group_ids, dtype=object))
    coef = np.where(g["role"] == "total", -1.0, 1.0)

    unk = g["suppressed"].to_numpy()
    a = sparse.coo_matrix(
        (
            coef[unk],
            (row[g["group_id"][unk]].to_numpy(), col[g["cell_id"][unk]].to_numpy()),
        ),
        shape=(len(group_ids), len(unknown_ids)),
    ).tocsr()
    b = -np.bincount(
        row[g["group_id"][~unk]].to_numpy(),
        weights=coef[~unk] * g["value"][~unk].to_numpy(),
        minlength=len(group_ids),
    )
    # Equations without unknowns must hold as published, or the tables contradict each other.
    no_unknowns = np.diff(a.indptr) == 0
    broken = no_unknowns & (np.abs(b) > 1e-9)
    if broken.any():
        bad = [group_ids[i] for i in np.flatnonzero(broken)[:5]]
        raise ValueError(f"published tables are inconsistent in groups {bad}")
    keep = ~no_unknowns
    return unknown_ids, a[keep], b[keep]


def feasible_intervals(
    cells_published: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    integer: bool = False,
    lower_bound: float = 0.0,
) -> pd.DataFrame:
    """Smallest and largest feasible value of every suppressed cell.

    Unknowns are the suppressed cells (>= 0); published cells are constants; one equation per
    group. Each bound is one LP over the whole system (``linprog``, HiGHS). With ``integer=True``
    the unknowns must also be integers (an attacker who knows counts are whole numbers), which is
    a MILP per bound and slower. ``lower_bound=1`` is the attacker who knows that zeros are
    shown, so that every hidden count is at least 1. ``upper`` is ``inf`` for a cell no equation
    bounds.
    Returns ``cell_id``, ``lower``, ``upper`` sorted by ``cell_id``.
    """
    ids, a, b = _system(cells_published, groups)
    n = len(ids)
    lower = np.full(n, float(lower_bound))
    upper = np.full(n, np.inf)
    integrality = np.ones(n) if integer else None
    for j in range(n):
        if a[:, j].nnz == 0:
            continue  # in no equation: anything >= 0 fits
        for sense in (1.0, -1.0):
            c = np.zeros(n)
            c[j] = sense
            res = linprog(
                c,
                A_eq=a,
                b_eq=b,
                bounds=(lower_bound, None),
                method="highs",
                integrality=integrality,
            )
            if res.status == 3 and sense < 0:  # unbounded above
                continue
            if res.status == 2:
                raise ValueError("the published equations have no non-negative solution")
            if res.status != 0:
                raise RuntimeError(f"linprog failed for {ids[j]!r}: {res.message}")
            if sense > 0:
                lower[j] = res.fun
            else:
                upper[j] = -res.fun
    return pd.DataFrame({"cell_id": ids, "lower": lower, "upper": upper})


def find_pinned(
    cells_published: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    tol: float = PINNED_TOL,
    integer: bool = False,
) -> pd.DataFrame:
    """Suppressed cells whose feasible interval collapses (``upper - lower < tol``).

    An empty result means that no suppressed value is disclosed by the published equations.
    """
    iv = feasible_intervals(cells_published, groups, integer=integer)
    return iv[(iv["upper"] - iv["lower"]) < tol].reset_index(drop=True)
