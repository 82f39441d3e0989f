"""The protection level: an attacker who knows that zeros are shown learns no small range.

Shown zeros tell an attacker that every hidden count is at least 1. With that lower bound, a
group of k hidden cells whose hidden sum is k pins every one of them to 1, and a hidden sum of
k + 1 says "1 or 2". statistics.md (rule 2) asks more than "not pinned": the feasible interval of
a primary-suppressed cell must hold at least as many whole values as the threshold (3 for crimes,
5 for referrals), the protection level that τ-ARGUS and sdcTable enforce.

Two steps, both over the :class:`~assets.disclosure.model.Problem` of :mod:`suppress`:

* :func:`run_slack_rule`, cheap and exact for one equation: in a group holding a primary cell,
  the hidden cells can move the primary cell up only by what the others can give while staying
  at least 1, so the group needs ``hidden sum - (k - 1) >= threshold``. Until it holds, the group's
  smallest shown non-zero part is hidden too (the group rule's own choice).
* :func:`lp_violations`, exact for the whole system of a component: the smallest and largest value
  of each hidden cell by linear programming (HiGHS) with the lower bound 1, over every equation
  its component takes part in. It reports pinned cells and primary cells whose interval holds
  fewer whole values than their threshold. Components above ``max_lp_component`` hidden cells are
  left to the slack rule and the exact pinning audit (documented in the method appendix).
"""

from __future__ import annotations

import functools
import os
import sys

import highspy
import numpy as np
from scipy import sparse
from scipy.optimize import linprog

#: Largest component (hidden cells) that gets the linear-programming audit.
DEFAULT_MAX_LP_COMPONENT = 1500

# A bound within this of a whole number is that number (HiGHS' feasibility tolerance is 1e-7).
_WHOLE_TOL = 1e-6


def thresholds(is_referral: np.ndarray, crime_min: int, referral_min: int) -> np.ndarray:
    """Primary threshold per cell: crimes below ``crime_min``, referrals below ``referral_min``."""
    return np.where(is_referral, referral_min, crime_min).astype(np.int64)


def run_slack_rule(st, groups, is_primary: np.ndarray, threshold: np.ndarray, reason: int):
    """Hide cells until every group holding a primary cell has enough room (see module doc).

    ``st`` is the suppression state of :mod:`suppress` (``p``, ``suppressed``, ``count``, ``ptr``,
    ``add``). Returns the cells it hid; the caller runs the group rule on their groups.
    """
    p = st.p
    added: list[int] = []
    for g in sorted({int(g) for g in groups}):
        lo, hi = int(p.g_start[g]), int(p.g_start[g + 1])
        members = p.g_cell[lo:hi]
        hidden = members[st.suppressed[members]]
        prim = hidden[is_primary[hidden]]
        if len(prim) == 0:
            continue
        need = int(threshold[prim].max())
        room = float(p.value[hidden].sum()) - (len(hidden) - 1)
        k = int(st.ptr[g])
        while room < need:
            # Members are in scan order (parts before the total, ascending value): the first
            # shown non-zero member is the cheapest that adds room.
            while k < hi and (st.suppressed[p.g_cell[k]] or p.value[p.g_cell[k]] == 0):
                k += 1
            if k == hi:
                break  # every non-zero cell is hidden: the pinning audit decides the rest
            c = int(p.g_cell[k])
            st.add(c, reason)
            added.append(c)
            room += float(p.value[c]) - 1
        st.ptr[g] = k  # everything before k is hidden or zero
    return added


def lp_violations(
    st, cells: np.ndarray, threshold: np.ndarray, is_primary: np.ndarray
) -> list[tuple[int, float, float]]:
    """Hidden cells of one component an attacker narrows too far: ``(cell, lowest, highest)``.

    Unknowns are the component's hidden cells, each at least 1; every group that holds one of
    them gives an equation with the shown cells as constants. A cell is a violation when its
    feasible whole values are a single number, or, for a primary cell, fewer than its threshold.
    One LP per cell usually suffices: the true value is feasible, so a maximum far enough above it
    already proves the interval wide enough.
    """
    p = st.p
    n = len(cells)
    local = {int(c): i for i, c in enumerate(cells.tolist())}
    groups = np.unique(np.concatenate([p.groups_of(int(c)) for c in cells]))
    rows, cols, vals = [], [], []
    b = np.zeros(len(groups))
    for r, g in enumerate(groups.tolist()):
        lo, hi = int(p.g_start[g]), int(p.g_start[g + 1])
        for c, s in zip(p.g_cell[lo:hi].tolist(), p.g_sign[lo:hi].tolist(), strict=True):
            if st.suppressed[c]:
                if c not in local:
                    # A hidden cell of another component cannot share a group with this one.
                    raise RuntimeError("internal error: component boundary crossed")
                rows.append(r)
                cols.append(local[c])
                vals.append(float(s))
            else:
                b[r] -= float(s) * float(p.value[c])
    a = sparse.csr_matrix((vals, (rows, cols)), shape=(len(groups), n))
    true = p.value[cells].astype(float)
    need = np.where(is_primary[cells], threshold[cells], 2).astype(float)
    # The true values are feasible, so a maximum of at least true_j + need_j - 1 proves cell j's
    # range wide enough; only cells that fall short need their minimum too.
    target = true + need - 1 - _WHOLE_TOL
    lp = _Model(a, b)
    out = []
    for i in range(n):
        high = lp.bound(i, maximise=True)
        if high >= target[i]:
            continue
        low = lp.bound(i, maximise=False)
        whole = np.floor(high + _WHOLE_TOL) - np.ceil(low - _WHOLE_TOL) + 1
        if whole < need[i]:
            out.append((int(cells[i]), low, high))
    return out


@functools.cache
def _solver() -> highspy.Highs:
    """One HiGHS instance per process, made quietly.

    HiGHS prints its banner to the C-level stdout when the object is made, before any option can
    be set; it would land in the CLI's output and Dagster's logs once per component.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("presolve", "off")
    return h


class _Model:
    """One HiGHS model per component; each bound only changes the objective (warm start).

    scipy's ``linprog`` rebuilds and presolves the model for every call, which costs ~6 ms even
    for a handful of cells; re-solving a loaded model from the previous basis takes a fraction.
    """

    def __init__(self, a: sparse.csr_matrix, b: np.ndarray) -> None:
        self.n = a.shape[1]
        h = _solver()
        h.clearModel()
        inf = highspy.kHighsInf
        h.addVars(self.n, np.ones(self.n), np.full(self.n, inf))
        csr = a.tocsr()
        h.addRows(
            a.shape[0],
            b,
            b,
            csr.nnz,
            csr.indptr[:-1].astype(np.int32),
            csr.indices.astype(np.int32),
            csr.data.astype(np.float64),
        )
        self.h, self.a, self.b = h, a, b
        self.last: int | None = None

    def bound(self, i: int, *, maximise: bool) -> float:
        h = self.h
        if self.last is not None:
            h.changeColCost(self.last, 0.0)
        h.changeColCost(i, -1.0 if maximise else 1.0)
        self.last = i
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            value = h.getInfo().objective_function_value
            return -value if maximise else value
        # Unbounded, or undecided from a warm start ("unknown"): ask scipy's HiGHS afresh.
        return _bound(self.a, self.b, self.n, i, maximise=maximise)


def _bound(a: sparse.csr_matrix, b: np.ndarray, n: int, i: int, *, maximise: bool) -> float:
    c = np.zeros(n)
    c[i] = -1.0 if maximise else 1.0
    res = linprog(c, A_eq=a, b_eq=b, bounds=(1, None), method="highs")
    if res.status == 3:
        return np.inf if maximise else 1.0
    if res.status != 0:
        raise RuntimeError(f"disclosure audit: linprog failed ({res.message})")
    return -res.fun if maximise else res.fun
