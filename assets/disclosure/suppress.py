"""Cell suppression: primary, secondary (the group rule) and the no-pinning audit with repair.

The guarantee, in the terms of the outside check (statistics.md, "Disclosure control"):

    Take the published equations: one per group, ``total = sum(parts)``, where published cells are
    constants and suppressed cells are unknowns ``x >= 0``. After :func:`suppress`, no suppressed
    cell has a single feasible value; i.e. ``max x_j - min x_j > 0`` for every suppressed ``j``.
    Every group also has 0 or at least 2 suppressed cells.

Why a linear-algebra audit is exact here. Every suppressed cell has a true value >= 1 (primary cells
are 1..threshold-1; the secondary rule and the repair only ever pick non-zero cells). So the true
table ``x*`` lies strictly inside the bounds ``x >= 0``, and the feasible set near ``x*`` is
``x* + null(A)`` (``A``: the equations restricted to the unknowns). Hence cell ``j`` is pinned iff
``d_j = 0`` for every ``d`` in the null space of ``A``, i.e. iff the unit vector ``e_j`` lies in the
row space of ``A``. The min/max LPs of the attacker and this test give the same verdict; we use
the LPs only in the independent attacker (:mod:`assets.disclosure.attacker`), which the tests run.

The system splits into independent *components*: suppressed cells linked through groups that hold
at least two of them. Each component is audited on its own:

* **exact** (size <= ``max_exact_component``): SVD of the component's equation matrix; cell ``j``
  is pinned iff its leverage ``||V_r[j]||^2`` equals 1.
* **graph** (larger components): cells in at most two groups (a 2-D table with margins: every
  cell) are edges of a graph whose nodes are the groups plus a "ground" node for cells in a single
  group; cells in three or more groups (e.g. a municipality row between its areas and the national
  total) stay a small dense part H. If the signed graph is *balanced* (true for tables with
  margins and hierarchies of them), this is exact too:

  - an edge on a cycle is free: moving +1/-1 around the cycle keeps every equation, so the cell
    can take its value +-1 while everything stays a non-negative integer;
  - with no H cells, an edge is pinned iff it is a *bridge* (sum the equations on the side of the
    cut without ground, weighted by the balancing signs: only the bridge is left);
  - with H cells, the bridge test and the H cells reduce to a small matrix K (one row per
    ground-free piece of the graph), handled per block; see :func:`_graph_pass`.

  An unbalanced graph (no such structure has been seen in a table) falls back to the dense exact
  audit, which is correct but grows like m*n*min(m, n); above 2000 cells a ``RuntimeWarning``
  says so.

Both tiers decide the same question exactly, so the cap only trades time, never protection.

Repair (what is suppressed when something is pinned) prefers one extra published non-zero cell
whose groups already hold unknowns, chosen by smallest value, then cell id: for a bridge, a cell
closing a cycle through it; otherwise a cell that provably frees the pinned cell (checked in the
reduced system). If no such single cell exists, the smallest published non-zero cell sharing a
group with the pinned cell is suppressed (parts before totals), the group rule runs again and the
component is audited again. Suppression only grows, adding unknowns never pins a free cell, and
suppressing every non-zero cell of a component can never pin anything (then all published cells of
the component's groups are 0, and scaling the true table by 1+t is feasible), so the loop ends
with nothing pinned.
"""

from __future__ import annotations

import heapq
import time
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from assets.disclosure.model import Problem, build_problem
from assets.disclosure.protection import (
    DEFAULT_MAX_LP_COMPONENT,
    lp_violations,
    run_slack_rule,
    thresholds,
)

PRIMARY, SECONDARY, PINNING, PROTECTION = 1, 2, 3, 4
REASONS = {
    PRIMARY: "primary",
    SECONDARY: "secondary",
    PINNING: "pinning",
    PROTECTION: "protection",
}

#: Default size (suppressed cells) up to which a component gets the dense exact audit.
DEFAULT_MAX_EXACT_COMPONENT = 300

# Leverage of a pinned cell is 1 up to rounding (~1e-13). For a free cell, 1 - leverage is at least
# 1/||d||^2 for an integer null vector d with d_j = 1, i.e. ~1/n for table-like systems: far above.
_PINNED_LEVERAGE_TOL = 1e-8
_SPAN_TOL = 1e-7
# A dense exact audit above this size is slow enough to say so.
_WARN_DENSE_CELLS = 2000


class _State:
    """Mutable suppression state over a validated :class:`Problem`."""

    def __init__(self, p: Problem, suppressed: np.ndarray, reason: np.ndarray) -> None:
        self.p = p
        self.suppressed = suppressed
        self.reason = reason
        # Suppressed cells per group, and for each group the first position in its scan order
        # that may still be eligible (suppression only grows, so the pointer only moves forward).
        group_of_member = np.repeat(np.arange(p.n_groups), np.diff(p.g_start))
        self.count = np.bincount(
            group_of_member, weights=suppressed[p.g_cell], minlength=p.n_groups
        ).astype(np.int64)
        self.ptr = p.g_start[:-1].copy()
        self.g2local = np.full(p.n_groups, -1, dtype=np.int64)  # scratch: global -> local group
        self.lp_clean: set[bytes] = set()  # components (their cells) the LP audit found clean
        self.stats: dict[str, int | float] = {
            "rounds": 0,
            "components_audited": 0,
            "exact_audits": 0,
            "graph_audits": 0,
            "oversized_exact_audits": 0,
            "largest_component": 0,
            "pinning_cells": 0,
            "fallback_cells": 0,
            "protection_cells": 0,
            "lp_audits": 0,
            "lp_skipped_components": 0,
        }

    def add(self, cell: int, reason: int) -> None:
        """Suppress one cell and keep the group counts in step."""
        p = self.p
        self.suppressed[cell] = True
        self.reason[cell] = reason
        self.count[p.c_group[p.c_start[cell] : p.c_start[cell + 1]]] += 1


def _gather(start: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat CSR positions of ``items`` and, for each position, the index of its item."""
    lo = start[items]
    ln = start[items + 1] - lo
    owner = np.repeat(np.arange(len(items)), ln)
    offs = np.arange(int(ln.sum())) - np.repeat(np.cumsum(ln) - ln, ln)
    return lo[owner] + offs, owner


def _primary(p: Problem, crime_min: int, referral_min: int) -> np.ndarray:
    threshold = np.where(p.is_referral, referral_min, crime_min)
    with np.errstate(invalid="ignore"):
        return (p.value >= 1) & (p.value < threshold)  # NaN compares False: never suppressed


def _run_secondary(st: _State, groups: Iterable[int]) -> list[int]:
    """The group rule until nothing changes; returns the cells it suppressed.

    Groups with exactly one suppressed cell are handled in group-id order (a heap), so that the
    result does not depend on the order of the input rows. Within a group the candidate is the
    smallest non-zero unsuppressed *part* (tie: cell id); the total only if no part is eligible.
    With additive groups and a suppressed cell >= 1 there is always a candidate, and the total can
    only be chosen when every other part is 0 (the total then equals the suppressed part).
    """
    p = st.p
    count, ptr, suppressed, value = st.count, st.ptr, st.suppressed, p.value
    g_start, g_cell, c_start, c_group = p.g_start, p.g_cell, p.c_start, p.c_group
    heap = sorted({int(g) for g in groups if count[g] == 1})
    added: list[int] = []
    while heap:
        g = heapq.heappop(heap)
        if count[g] != 1:
            continue
        k, end = int(ptr[g]), int(g_start[g + 1])
        while k < end and (suppressed[g_cell[k]] or value[g_cell[k]] == 0):
            k += 1
        ptr[g] = k
        if k == end:  # cannot happen for additive groups; build_problem checks additivity
            raise RuntimeError(f"group {p.group_ids[g]!r} has no cell left to suppress")
        c = int(g_cell[k])
        st.add(c, SECONDARY)
        added.append(c)
        for g2 in c_group[c_start[c] : c_start[c + 1]].tolist():
            if count[g2] == 1:
                heapq.heappush(heap, g2)
    return added


def _components(st: _State) -> tuple[np.ndarray, np.ndarray]:
    """Suppressed cells (by rank) and their component labels (linked through shared groups)."""
    p = st.p
    sup = np.flatnonzero(st.suppressed)
    pos, owner = _gather(p.c_start, sup)
    n_nodes = len(sup) + p.n_groups
    graph = sparse.coo_matrix(
        (np.ones(len(pos), dtype=np.int8), (owner, len(sup) + p.c_group[pos])),
        shape=(n_nodes, n_nodes),
    )
    _, labels = connected_components(graph, directed=False)
    return sup, labels[: len(sup)]


# --------------------------------------------------------------------------------------------------
# Exact tier
# --------------------------------------------------------------------------------------------------


def _svd_pinned(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pinned columns of ``a`` and the reduced SVD factors (U_r, s_r, Vt_r) of its row space."""
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    tol = (s.max() if s.size else 0.0) * max(a.shape) * np.finfo(np.float64).eps
    r = int((s > tol).sum())
    leverage = (vt[:r] ** 2).sum(axis=0)
    return np.flatnonzero(leverage > 1.0 - _PINNED_LEVERAGE_TOL), u[:, :r], s[:r], vt[:r]


def _candidates(
    st: _State, act: np.ndarray, max_groups: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Published non-zero cells whose groups all hold unknowns of one component (``act``).

    Suppressing such a cell adds no group with a single unknown, so it needs no further secondary
    suppression. Returns the cells sorted by (value, rank) and their memberships as flat arrays:
    owner (index into the returned cells), local group index, sign. ``st.g2local`` must map ``act``.
    """
    p = st.p
    pos, _ = _gather(p.g_start, act)
    cand = np.unique(p.g_cell[pos])
    cand = cand[~st.suppressed[cand] & (p.value[cand] > 0)]
    mpos, mown = _gather(p.c_start, cand)
    outside = np.bincount(mown, weights=st.g2local[p.c_group[mpos]] < 0, minlength=len(cand))
    ok = outside == 0
    if max_groups is not None:
        ok &= np.bincount(mown, minlength=len(cand)) <= max_groups
    cand = cand[ok]
    cand = cand[np.lexsort((cand, p.value[cand]))]
    mpos, mown = _gather(p.c_start, cand)
    return cand, mown, st.g2local[p.c_group[mpos]], p.c_sign[mpos].astype(np.float64)


def _fallback_cell(st: _State, cell: int, act: np.ndarray) -> int:
    """Smallest published non-zero cell sharing a group with ``cell`` (parts before totals).

    If every non-zero cell of those groups is already suppressed, look in all groups of the
    component (``act``). One always exists: were every non-zero cell of the component's groups
    suppressed, all its equations would read ``A x = 0`` and ``(1 + t) x*`` would be feasible,
    so nothing could be pinned.
    """
    p = st.p
    for pool in (p.groups_of(cell), act):
        best: tuple[int, float, int] | None = None
        for g in pool.tolist():
            lo, hi = int(p.g_start[g]), int(p.g_start[g + 1])
            for c, sign in zip(p.g_cell[lo:hi].tolist(), p.g_sign[lo:hi].tolist(), strict=True):
                if st.suppressed[c] or p.value[c] == 0:
                    continue
                key = (int(sign < 0), float(p.value[c]), c)
                if best is None or key < best:
                    best = key
                break  # members are in scan order: the first eligible one is this group's best
        if best is not None:
            return best[2]
    raise RuntimeError(f"no cell can protect {p.cell_ids[cell]!r}")


def _fix_exact(
    st: _State,
    cells: np.ndarray,
    act: np.ndarray,
    owner: np.ndarray,
    gl: np.ndarray,
    signs: np.ndarray,
) -> list[int]:
    """Exact audit of one component, repaired in place. Returns fallback cells ([] if clean)."""
    m = len(act)
    a = np.zeros((m, len(cells)))
    a[gl, owner] = signs
    cols = cells.tolist()  # global rank of each column of ``a``
    cand: np.ndarray | None = None
    while True:
        pinned, u, s, vt = _svd_pinned(a)
        if len(pinned) == 0:
            return []
        j = min(pinned.tolist(), key=lambda k: cols[k])  # the first pinned cell by cell id
        if cand is None:
            cand, mown, mloc, msign = _candidates(st, act, None)
            y = np.zeros((m, len(cand)))
            y[mloc, mown] = msign
            available = np.ones(len(cand), dtype=bool)
        # Adding column y unpins j iff y lies in the column space of ``a`` (so that the new
        # unknown can move without breaking an equation) and lambda . y != 0, where lambda is the
        # combination of equations that isolates x_j (lambda^T a = e_j).
        lam = u @ (vt[:, j] / s)
        in_span = np.linalg.norm(y - u @ (u.T @ y), axis=0) < _SPAN_TOL
        valid = available & in_span & (np.abs(lam @ y) > _SPAN_TOL)
        if not valid.any():
            return [_fallback_cell(st, cols[j], act)]
        k = int(np.argmax(valid))  # candidates are sorted by (value, cell id)
        available[k] = False
        st.add(int(cand[k]), PINNING)
        st.stats["pinning_cells"] += 1
        a = np.column_stack([a, y[:, k]])
        cols.append(int(cand[k]))


# --------------------------------------------------------------------------------------------------
# Graph tier
# --------------------------------------------------------------------------------------------------


def _balance(
    m: int, eu: list[int], ev: list[int], w: list[int]
) -> tuple[list[int], list[int]] | None:
    """Signs phi on the group nodes with phi[u] * phi[v] == w for every non-ground edge.

    ``w = -s_u * s_v`` (s: +1 part, -1 total). With such signs every cycle avoiding ground admits a
    +-1 circulation; cycles through ground always do, as ground has no equation. Returns
    (phi, piece) where piece labels the ground-free connected pieces, or None if unbalanced.
    """
    adj: list[list[tuple[int, int]]] = [[] for _ in range(m)]
    for u, v, s in zip(eu, ev, w, strict=True):
        if v < m:
            adj[u].append((v, s))
            adj[v].append((u, s))
    phi, piece = [0] * m, [-1] * m
    for start in range(m):
        if piece[start] >= 0:
            continue
        piece[start], phi[start] = start, 1
        queue = [start]
        while queue:
            x = queue.pop()
            for y, s in adj[x]:
                if piece[y] < 0:
                    piece[y], phi[y] = start, s * phi[x]
                    queue.append(y)
                elif phi[y] != s * phi[x]:
                    return None
    return phi, piece


def _dfs_bridges(
    n_nodes: int, eu: list[int], ev: list[int]
) -> tuple[list[int], list[int], list[int], list[tuple[int, int]]]:
    """Iterative Tarjan over a possibly disconnected multigraph whose last node is ground.

    Ground is the first root, so no DFS subtree below a bridge contains ground. Returns tin, tout
    (the largest tin in each node's subtree: a bridge's cut is the child's subtree
    ``tin in [tin[child], tout[child]]``), comp (the root of each node's connected piece; -1 for
    an unused ground) and the bridges as (edge, child). Parallel edges are told apart by edge id,
    so two cells joining the same two groups form a cycle.
    """
    adj: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for e, (u, v) in enumerate(zip(eu, ev, strict=True)):
        adj[u].append((v, e))
        adj[v].append((u, e))
    tin, low, tout, comp = [-1] * n_nodes, [0] * n_nodes, [-1] * n_nodes, [-1] * n_nodes
    pe, it = [-1] * n_nodes, [0] * n_nodes
    timer = 0
    bridges: list[tuple[int, int]] = []
    ground = n_nodes - 1
    for root in [ground, *range(n_nodes - 1)]:
        if tin[root] >= 0 or (root == ground and not adj[ground]):
            continue
        tin[root] = low[root] = timer
        comp[root] = root
        timer += 1
        stack = [root]
        while stack:
            x = stack[-1]
            if it[x] < len(adj[x]):
                y, e = adj[x][it[x]]
                it[x] += 1
                if e == pe[x]:
                    continue
                if tin[y] < 0:
                    pe[y], tin[y], low[y], comp[y] = e, timer, timer, root
                    timer += 1
                    stack.append(y)
                elif tin[y] < low[x]:
                    low[x] = tin[y]
            else:
                stack.pop()
                tout[x] = timer - 1
                if stack:
                    parent = stack[-1]
                    if low[x] < low[parent]:
                        low[parent] = low[x]
                    if low[x] > tin[parent]:
                        bridges.append((pe[x], x))
    return tin, tout, comp, bridges


class _BlockRowSpace:
    """Row space of a sparse matrix K, handled per connected block of its rows and columns.

    K of the graph audit is block-diagonal up to permutation (e.g. one block per municipality),
    so small SVDs per block replace one large one.
    """

    def __init__(self, k: sparse.coo_matrix) -> None:
        k = k.tocsr()
        k.eliminate_zeros()
        n_rows, n_cols = k.shape
        self.n_cols = n_cols
        coo = k.tocoo()
        graph = sparse.coo_matrix(
            (np.ones(coo.nnz, dtype=np.int8), (coo.row, n_rows + coo.col)),
            shape=(n_rows + n_cols, n_rows + n_cols),
        )
        _, labels = connected_components(graph, directed=False)
        row_lab, col_lab = labels[:n_rows], labels[n_rows:]
        # Per block: rows, columns, and the reduced SVD (u_r, s_r, vt_r) of K[rows][:, cols].
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.col_block = np.full(n_cols, -1, dtype=np.int64)
        k_csc = k.tocsc()
        for lab in np.unique(labels):
            rows = np.flatnonzero(row_lab == lab)
            cols = np.flatnonzero(col_lab == lab)
            if len(rows) == 0:
                continue  # a column in no row: nothing spans it
            if len(cols) == 0:
                u, sv, vt = np.zeros((len(rows), 0)), np.zeros(0), np.zeros((0, 0))
            else:
                block = k_csc[:, cols].tocsr()[rows].toarray()
                u, sv, vt = np.linalg.svd(block, full_matrices=False)
                r = int((sv > sv.max() * max(block.shape) * np.finfo(np.float64).eps).sum())
                u, sv, vt = u[:, :r], sv[:r], vt[:r]
                self.col_block[cols] = len(self.blocks)
            self.blocks.append((rows, cols, u, sv, vt))

    def pinned_columns(self) -> np.ndarray:
        """Columns h with the unit vector e_h in the row space (leverage 1)."""
        out = np.zeros(self.n_cols, dtype=bool)
        for _, cols, _, _, vt in self.blocks:
            out[cols] = (vt**2).sum(axis=0) > 1.0 - _PINNED_LEVERAGE_TOL
        return out

    def contains(self, x: np.ndarray) -> np.ndarray:
        """For each row of ``x``: does it lie in the row space?"""
        outside = np.ones(self.n_cols, dtype=bool)
        residual = np.zeros(len(x))
        for _, cols, _, _, vt in self.blocks:
            outside[cols] = False
            part = x[:, cols]
            # Explicit difference, not ||part||^2 - ||coef||^2, which cancels badly.
            residual += ((part - (part @ vt.T) @ vt) ** 2).sum(axis=1)
        residual += (x[:, outside] ** 2).sum(axis=1)  # columns in no row: nothing spans them
        scale = np.maximum(1.0, np.abs(x).max(axis=1, initial=0.0))
        return np.sqrt(residual) <= _SPAN_TOL * scale

    def blocks_of(self, target: np.ndarray) -> list[int]:
        """Blocks on whose columns ``target`` is non-zero."""
        nz = np.flatnonzero(np.abs(target) > _SPAN_TOL)
        return sorted(set(self.col_block[nz].tolist()) - {-1})

    def unpinning(
        self, target: np.ndarray, kc: sparse.csr_matrix, ell: np.ndarray, blocks: list[int]
    ) -> np.ndarray:
        """Which new unknowns y (columns of ``kc``, their K rows) free the cell behind ``target``.

        The pinned value is ``lambda . K d_H`` with ``K^T lambda = target``. With y added the
        extended target ``(target, ell_y)`` stays in the row space iff ``k_y`` lies in K's column
        space and ``lambda . k_y == ell_y``. For simplicity only candidates whose rows lie in the
        target's own blocks are accepted (a sufficient test: the others may also help, but are
        left to the fallback).
        """
        allowed = np.zeros(kc.shape[0], dtype=bool)
        dot = np.zeros(kc.shape[1])
        ok = np.ones(kc.shape[1], dtype=bool)
        for b in blocks:
            rows, cols, u, sv, vt = self.blocks[b]
            allowed[rows] = True
            kb = kc[rows].toarray()
            ok &= np.linalg.norm(kb - u @ (u.T @ kb), axis=0) < _SPAN_TOL
            dot += (u @ ((vt @ target[cols]) / sv)) @ kb
        outside = np.asarray(abs(kc[~allowed]).sum(axis=0)).ravel() if (~allowed).any() else 0.0
        ok &= outside < _SPAN_TOL
        return ok & (np.abs(dot - ell) > _SPAN_TOL)


def _graph_pass(
    st: _State,
    cells: np.ndarray,
    act: np.ndarray,
    owner: np.ndarray,
    gl: np.ndarray,
    signs: np.ndarray,
) -> tuple[str, list[int], list[int]]:
    """Audit of a large component through its graph, repaired in place.

    Cells in at most two groups are edges of a graph G2 (nodes: the component's groups, plus ground
    for cells in one group). Cells in three or more groups (H, e.g. a municipality's cell between
    its areas and the national total) are kept as a small dense part. With G2 balanced (see
    :func:`_balance`), a null vector ``d`` of the equations is any ``d_H`` with ``K d_H = 0`` plus a
    flow on G2 that absorbs it, where K has one row per ground-free piece C of G2 with entries
    ``sum_{g in C} phi(g) A[g, h]``. Hence, exactly:

    * a G2 edge on a cycle is free (circulate +-1 around it);
    * a G2 bridge j is pinned iff ``L_j`` lies in the row space of K, where ``L_j`` sums
      ``phi(g) A[g, H]`` over the bridge's side without ground (the flow through a bridge is fixed
      by what H injects on that side); with no H cells every bridge is pinned;
    * an H cell h is pinned iff ``e_h`` lies in the row space of K.

    Repair: a pinned bridge first gets the cheapest published cell that closes a cycle through it;
    other pinned cells get the cheapest published cell that provably frees them in this reduced
    system (any new unknown enters K as one more column); failing both, a fallback cell. Adding
    unknowns never pins a free cell, so several repairs can be made in one pass.

    One pass; returns (status, fallback cells, cells added): status "clean" (nothing pinned),
    "repaired" (cells were added inside the component's groups: run again), "fallback" (the
    fallback cells must be suppressed by the caller) or "unbalanced" (G2 is not balanced: the
    caller audits exactly).
    """
    m, n = len(act), len(cells)
    deg = np.bincount(owner, minlength=n)
    first = np.cumsum(deg) - deg
    hyper = np.flatnonzero(deg > 2)
    e2 = np.flatnonzero(deg <= 2)
    two = deg[e2] == 2
    second = np.minimum(first[e2] + 1, len(gl) - 1)
    eu = gl[first[e2]].tolist()
    ev = np.where(two, gl[second], m).tolist()  # m = ground
    w = np.where(two, -signs[first[e2]] * signs[second], 0).astype(int).tolist()
    edge_cell = cells[e2].tolist()
    # H memberships: local group, H column, sign.
    hpos, hcol = _gather(np.append(first, len(gl)), hyper)
    hm_g, hm_s = gl[hpos], signs[hpos]
    n_h = len(hyper)

    added: list[int] = []
    bal = _balance(m, eu, ev, w)
    if bal is None:
        return "unbalanced", [], added
    phi = np.asarray([*bal[0], 0])
    piece = np.asarray([*bal[1], -1])
    tin, tout, comp, bridges = _dfs_bridges(m + 1, eu, ev)
    tin_np, comp_np = np.asarray(tin), np.asarray(comp)

    # Row space of K (one row per ground-free piece of G2 touched by H; rows are indexed by
    # the piece's root node, so that new unknowns can be mapped onto the same rows).
    ground_comp = comp[m] if tin[m] >= 0 else -2
    in_k = comp_np[hm_g] != ground_comp
    space = _BlockRowSpace(
        sparse.coo_matrix(
            (phi[hm_g[in_k]] * hm_s[in_k], (comp_np[hm_g[in_k]], hcol[in_k])),
            shape=(m + 1, n_h),
        )
    )
    pinned_cols = space.pinned_columns()
    targets: list[tuple[int, np.ndarray, tuple[int, int] | None]] = [
        (int(cells[h]), np.eye(1, n_h, i).ravel(), None)
        for i, h in enumerate(hyper)
        if pinned_cols[i]
    ]
    pinned_bridges: list[tuple[int, int]] = []
    bridge_target: dict[int, np.ndarray] = {}
    if bridges and n_h:
        order = np.argsort(tin_np[hm_g], kind="stable")
        sorted_tin = tin_np[hm_g][order]
        weights = (phi[hm_g] * hm_s)[order]
        cols_sorted = hcol[order]
        for at in range(0, len(bridges), 256):  # chunks bound the memory of L
            chunk = bridges[at : at + 256]
            lvec = np.zeros((len(chunk), n_h))
            for i, (_, child) in enumerate(chunk):
                a = np.searchsorted(sorted_tin, tin[child])
                b = np.searchsorted(sorted_tin, tout[child], side="right")
                lvec[i] = np.bincount(cols_sorted[a:b], weights=weights[a:b], minlength=n_h)
            pin = space.contains(lvec)
            for i, (b, pn) in enumerate(zip(chunk, pin, strict=True)):
                if pn:
                    pinned_bridges.append(b)
                    bridge_target[b[0]] = lvec[i]
    elif bridges:
        pinned_bridges = list(bridges)
    if not pinned_bridges and not targets:
        return "clean", [], added

    def add(c: int) -> None:
        st.add(c, PINNING)
        st.stats["pinning_cells"] += 1
        added.append(c)

    new_edges: list[tuple[int, int]] = []
    if pinned_bridges:
        cand, mown, mloc, msign = _candidates(st, act, 2)
        cdeg = np.bincount(mown, minlength=len(cand))
        cfirst = np.cumsum(cdeg) - cdeg
        csecond = np.minimum(cfirst + 1, max(len(mloc) - 1, 0))
        ctwo = cdeg == 2
        cu = mloc[cfirst]
        cv = np.where(ctwo, mloc[csecond], m)
        cw = np.where(ctwo, -msign[cfirst] * msign[csecond], 0).astype(int)
        tu, tv = tin_np[cu], tin_np[cv]
        # An edge inside one ground-free piece must respect the signs, or the cycle it closes
        # would carry no circulation.
        sign_ok = (cv == m) | (piece[cu] != piece[cv]) | (phi[cu] * phi[cv] == cw)
        usable = ~st.suppressed[cand] & (tu >= 0) & (tv >= 0) & sign_ok
        usable &= comp_np[cu] == comp_np[cv]
        for e, child in sorted(pinned_bridges, key=lambda b: edge_cell[b[0]]):
            lo, hi = tin[child], tout[child]
            if any((lo <= tin[a] <= hi) != (lo <= tin[b] <= hi) for a, b in new_edges):
                continue  # an edge added for an earlier bridge already crosses this cut
            crosses = ((tu >= lo) & (tu <= hi)) != ((tv >= lo) & (tv <= hi))
            valid = usable & crosses & (comp_np[cu] == comp[child])
            if not valid.any():
                target = bridge_target.get(e, np.zeros(n_h))
                targets.append((edge_cell[e], target, (lo, hi)))
                continue
            j = int(np.argmax(valid))  # sorted by (value, cell id)
            usable[j] = False
            add(int(cand[j]))
            new_edges.append((int(cu[j]), int(cv[j])))

    fallback_for: list[int] = []
    if targets:
        cand_all, aown, aloc, asign = _candidates(st, act, None)
        apiece = comp_np[aloc]
        keep = apiece != ground_comp
        kc = sparse.coo_matrix(
            ((phi[aloc] * asign)[keep], (apiece[keep], aown[keep])),
            shape=(m + 1, len(cand_all)),
        ).tocsr()
        touched: set[int] = set()
        for cell, target, cut in sorted(targets, key=lambda t: t[0]):
            blocks = space.blocks_of(target)
            if touched & set(blocks):
                continue  # a repair in this pass may already have freed it: look again
            if cut is None:
                ell = np.zeros(len(cand_all))
            else:
                inside = (tin_np[aloc] >= cut[0]) & (tin_np[aloc] <= cut[1])
                ell = np.bincount(
                    aown[inside], weights=(phi[aloc] * asign)[inside], minlength=len(cand_all)
                )
            valid = ~st.suppressed[cand_all] & space.unpinning(target, kc, ell, blocks)
            if not valid.any():
                fallback_for.append(cell)
                continue
            add(int(cand_all[int(np.argmax(valid))]))  # sorted by (value, cell id)
            touched |= set(blocks)
    if added:
        return "repaired", [], added  # the structure changed: the caller rebuilds and looks again
    # Pinned cells that no single cell frees: one fallback each (deduplicated). Doing them
    # all in one round matters for large components with many independent problems.
    return "fallback", sorted({_fallback_cell(st, c, act) for c in fallback_for}), added


def _audit_component(st: _State, cells: np.ndarray, max_exact: int) -> list[int]:
    """Audit and repair one component. Returns fallback cells to suppress ([] if clean)."""
    p = st.p
    st.stats["components_audited"] += 1
    st.stats["largest_component"] = max(int(st.stats["largest_component"]), len(cells))
    pos, owner = _gather(p.c_start, cells)
    act, gl = np.unique(p.c_group[pos], return_inverse=True)
    st.g2local[act] = np.arange(len(act))
    try:
        signs = p.c_sign[pos].astype(np.float64)
        if len(cells) > max_exact:
            st.stats["graph_audits"] += 1
            while True:
                status, fallbacks, added = _graph_pass(st, cells, act, owner, gl, signs)
                if added:  # repairs stay inside the component's groups: same act
                    cells = np.sort(np.concatenate([cells, np.asarray(added, dtype=np.int64)]))
                    pos, owner = _gather(p.c_start, cells)
                    gl = st.g2local[p.c_group[pos]]
                    signs = p.c_sign[pos].astype(np.float64)
                if status == "clean" or status == "fallback":
                    return fallbacks
                if status == "unbalanced":
                    break
            st.stats["oversized_exact_audits"] += 1
            if len(cells) > _WARN_DENSE_CELLS:
                warnings.warn(
                    f"disclosure: a component of {len(cells)} suppressed cells has no graph "
                    "shape; auditing it with a dense SVD, which may be slow",
                    RuntimeWarning,
                    stacklevel=3,
                )
        st.stats["exact_audits"] += 1
        return _fix_exact(st, cells, act, owner, gl, signs)
    finally:
        st.g2local[act] = -1


def _groups_of(p: Problem, cells: list[int]) -> np.ndarray:
    if not cells:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate([p.groups_of(c) for c in cells]))


def _close(
    st: _State, groups: Iterable[int], primary: np.ndarray, threshold: np.ndarray
) -> list[int]:
    """The group rule and the slack rule over ``groups`` until neither hides anything more."""
    added: list[int] = []
    todo = list(groups)
    while True:
        new = _run_secondary(st, todo)
        new += run_slack_rule(st, [*todo, *_groups_of(st.p, new)], primary, threshold, PROTECTION)
        st.stats["protection_cells"] = int((st.reason == PROTECTION).sum())
        if not new:
            return added
        added += new
        todo = _groups_of(st.p, new).tolist()


def _fix_pinning(st: _State, dirty: np.ndarray, max_exact: int) -> list[int]:
    """Audit the components holding ``dirty`` cells for pinning; returns the fallback cells hid."""
    p = st.p
    sup, labels = _components(st)
    label_of = np.full(p.n_cells, -1, dtype=np.int64)
    label_of[sup] = labels
    todo = np.unique(label_of[dirty])
    order = np.argsort(labels, kind="stable")  # sup is sorted, so cells stay in rank order
    starts = np.searchsorted(labels[order], todo)
    ends = np.searchsorted(labels[order], todo, side="right")
    fallbacks: list[int] = []
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        comp = sup[order[lo:hi]]
        if p.c_start[comp[0] + 1] == p.c_start[comp[0]]:
            continue  # a suppressed cell in no group: no equation can pin it
        fallbacks += _audit_component(st, comp, max_exact)
    new: list[int] = []
    for c in sorted(set(fallbacks)):
        if not st.suppressed[c]:
            st.add(c, PINNING)
            st.stats["pinning_cells"] += 1
            st.stats["fallback_cells"] += 1
            new.append(c)
    # Repairs made inside _audit_component leave their component clean and add no group with a
    # single hidden cell; only the fallback cells need the group rule and another audit.
    return new


def _fix_protection(
    st: _State, primary: np.ndarray, threshold: np.ndarray, max_lp: int
) -> list[int]:
    """LP audit of every component not yet audited in its present shape; returns cells hid."""
    p = st.p
    sup, labels = _components(st)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    new: list[int] = []
    for comp_pos in np.split(order, bounds):
        comp = sup[comp_pos]
        key = comp.tobytes()
        if key in st.lp_clean or p.c_start[comp[0] + 1] == p.c_start[comp[0]]:
            continue
        if len(comp) > max_lp:
            st.stats["lp_skipped_components"] += 1
            st.lp_clean.add(key)
            continue
        st.stats["lp_audits"] += 1
        act = _groups_of(p, comp.tolist())
        bad = lp_violations(st, comp, threshold, primary)
        if not bad:
            st.lp_clean.add(key)
            continue
        # One repair per component and round: the cheapest cell next to the first violation.
        cell = min(bad, key=lambda v: p.cell_ids[v[0]])[0]
        new.append(_fallback_cell(st, cell, act))
    # Hidden only now: the components above were disjoint while they were audited.
    new = sorted(set(new))
    for c in new:
        st.add(c, PROTECTION)
    return new


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------


def suppress(
    cells: pd.DataFrame,
    groups: pd.DataFrame,
    *,
    crime_min: int = 3,
    referral_min: int = 5,
    max_exact_component: int = DEFAULT_MAX_EXACT_COMPONENT,
    max_lp_component: int = DEFAULT_MAX_LP_COMPONENT,
    protection_level: bool = True,
) -> pd.DataFrame:
    """Decide which cells to suppress so that no suppressed value can be recovered.

    Parameters
    ----------
    cells:
        ``cell_id`` (unique str), ``value`` (non-negative integer count, NaN = not available at
        source), ``kind`` (``"crime"`` or ``"referral"``).
    groups:
        ``group_id``, ``cell_id``, ``role`` (``"part"`` / ``"total"``): each group states
        ``total = sum(parts)`` over its available cells.
    crime_min, referral_min:
        Primary thresholds: counts ``1 .. crime_min - 1`` (crime) and ``1 .. referral_min - 1``
        (referral) are suppressed; 0 is shown.
    max_exact_component:
        Largest component (suppressed cells) audited with the dense SVD; larger components use
        the (equally exact, much faster) graph audit. Only time depends on it.
    max_lp_component:
        Largest component (suppressed cells) that gets the linear-programming audit of the
        protection level (:mod:`assets.disclosure.protection`); larger ones rely on the slack
        rule and the pinning audit.
    protection_level:
        With False, only "not pinned by the equations" is guaranteed (the rule before zeros were
        known to be shown); the tests of the pinning audit use it. The pipeline never does.

    Returns
    -------
    DataFrame with one row per input cell, in input order: ``cell_id``, ``suppressed`` (bool),
    ``reason`` (``"primary"``, ``"secondary"``, ``"pinning"``, ``"protection"`` or None).
    ``attrs["audit"]`` holds
    counters and the run time. Cells with NaN are never suppressed (they are shown as missing).
    The result depends only on the content of the inputs, not on their row order.
    """
    if crime_min < 1 or referral_min < 1:
        raise ValueError("thresholds must be at least 1")
    started = time.perf_counter()
    p = build_problem(cells, groups)
    primary = _primary(p, crime_min, referral_min)
    # Without the protection level, a threshold of 1 makes the slack rule a no-op.
    threshold = (
        thresholds(p.is_referral, crime_min, referral_min)
        if protection_level
        else (np.ones(p.n_cells, dtype=np.int64))
    )
    st = _State(p, primary.copy(), np.where(primary, PRIMARY, 0).astype(np.int8))
    _close(st, range(p.n_groups), primary, threshold)

    dirty = np.flatnonzero(st.suppressed)
    while len(dirty):
        # 1. No hidden cell may be pinned by the equations alone (exact, any size).
        while len(dirty):
            st.stats["rounds"] += 1
            new = _fix_pinning(st, dirty, max_exact_component)
            new += _close(st, _groups_of(p, new), primary, threshold)
            dirty = np.asarray(sorted(new), dtype=np.int64)
        # 2. Nor narrowed too far once every hidden count is known to be >= 1 (the LP audit of
        #    the components that changed).
        new = _fix_protection(st, primary, threshold, max_lp_component) if protection_level else []
        new += _close(st, _groups_of(p, new), primary, threshold)
        dirty = np.asarray(sorted(set(new)), dtype=np.int64)

    # The group rule must still hold at the end (repairs only add cells to groups holding >= 2).
    if (st.count == 1).any():
        raise RuntimeError("internal error: a group ended with exactly one suppressed cell")

    reason = np.asarray([None, *REASONS.values()], dtype=object)[st.reason]
    out = pd.DataFrame(
        {
            "cell_id": pd.Series(p.cell_ids[p.input_rank], dtype=str),
            "suppressed": st.suppressed[p.input_rank],
            # object dtype keeps a real None (pandas 3 would infer str and turn None into NaN)
            "reason": pd.Series(reason[p.input_rank], dtype=object),
        }
    )
    st.stats["seconds"] = round(time.perf_counter() - started, 3)
    st.stats["suppressed"] = int(st.suppressed.sum())
    st.stats["cells"] = p.n_cells
    out.attrs["audit"] = dict(st.stats)
    return out
