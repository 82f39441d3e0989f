"""The data model of disclosure control: published cells and the linear groups that tie them.

Every published table is expressed as

* **cells**: one row per published number, ``cell_id`` (str, unique across *all* tables: a number
  shown in two tables has one id), ``value`` (a non-negative integer count; NaN means "not available
  at source") and ``kind`` (``"crime"`` or ``"referral"``, which select the primary threshold);
* **groups**: rows ``group_id``, ``cell_id``, ``role`` (``"part"`` or ``"total"``). A group states
  ``total = sum(parts)``. A cell may sit in many groups, as a part in some and a total in others;
  that is how groups span tables.

A cell with NaN is neither a part of any sum nor something we suppress (statistics.md: a NULL count
is left out of the sum). A group whose total is NaN publishes no equation and is ignored.

This module validates the input once and turns it into integer-indexed arrays (:class:`Problem`)
that the suppression code works on. It is pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

KINDS = ("crime", "referral")
ROLES = ("part", "total")
TOTAL_LABEL = "Totalt"


@dataclass(frozen=True)
class Problem:
    """Validated cells and groups as arrays indexed by *rank* (position in sorted ``cell_id``).

    Ranks instead of input positions make every later decision independent of the row order of
    the input frames, so the output is deterministic for the same content.
    """

    cell_ids: np.ndarray  # object array of str, sorted: rank -> cell_id
    value: np.ndarray  # float64 per rank; NaN = not available at source
    is_referral: np.ndarray  # bool per rank
    input_rank: np.ndarray  # rank of each row of the input ``cells`` frame
    group_ids: np.ndarray  # kept groups (NaN totals dropped, duplicates merged), sorted
    # Memberships by group, each group's members in the order the secondary rule scans them:
    # parts before the total, then ascending value, then cell rank (the documented tie-break).
    g_start: np.ndarray  # int64, len n_groups + 1
    g_cell: np.ndarray  # int64 cell rank
    g_sign: np.ndarray  # int8: +1 part, -1 total (so that sum(sign * value) == 0)
    # The same memberships by cell (sorted by cell rank, then group).
    c_start: np.ndarray  # int64, len n_cells + 1
    c_group: np.ndarray  # int64 group index
    c_sign: np.ndarray  # int8

    @property
    def n_cells(self) -> int:
        return len(self.cell_ids)

    @property
    def n_groups(self) -> int:
        return len(self.group_ids)

    def groups_of(self, cell: int) -> np.ndarray:
        """Group indices of one cell."""
        return self.c_group[self.c_start[cell] : self.c_start[cell + 1]]


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; it needs {list(columns)}")


def _sample(values: Sequence[object], n: int = 5) -> str:
    shown = [str(v) for v in list(values)[:n]]
    more = len(values) - len(shown)
    return ", ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def build_problem(cells: pd.DataFrame, groups: pd.DataFrame) -> Problem:
    """Validate ``cells`` and ``groups`` and index them.

    Raises ``ValueError`` for anything that would make the protection argument wrong: duplicate
    cell ids, negative or fractional counts, unknown kinds or roles, groups without exactly one
    total, a cell twice in one group, and groups whose published total is not the sum of its
    published parts (then the equation the attacker sees is not the one we protect; the pipeline
    must add the missing part, e.g. an "unknown theme" residual, as a cell of its own).
    """
    _require_columns(cells, ("cell_id", "value", "kind"), "cells")
    _require_columns(groups, ("group_id", "cell_id", "role"), "groups")

    ids = cells["cell_id"]
    if ids.isna().any():
        raise ValueError("cells.cell_id has missing values")
    ids = ids.astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise ValueError(f"cells.cell_id is not unique: {_sample(dup.unique())}")

    value = pd.to_numeric(cells["value"], errors="raise").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    finite = ~np.isnan(value)
    if np.isinf(value).any():
        raise ValueError("cells.value has infinite values")
    bad = finite & ((value < 0) | (value != np.round(value)))
    if bad.any():
        raise ValueError(f"cells.value must be non-negative integers: {_sample(ids[bad].tolist())}")

    kind = cells["kind"].astype(str)
    bad_kind = ~kind.isin(KINDS)
    if bad_kind.any():
        raise ValueError(f"cells.kind must be one of {KINDS}: {_sample(kind[bad_kind].unique())}")

    # Rank = position in sorted cell_id order.
    input_rank, sorted_ids = pd.factorize(ids, sort=True)
    n = len(sorted_ids)
    by_rank = np.empty(n, dtype=np.int64)
    by_rank[input_rank] = np.arange(n)
    value_r = value[by_rank]
    is_ref_r = (kind.to_numpy() == "referral")[by_rank]

    # --- groups: structure ---------------------------------------------------------------------
    if groups["group_id"].isna().any() or groups["cell_id"].isna().any():
        raise ValueError("groups.group_id and groups.cell_id must not be missing")
    gids = groups["group_id"].astype(str)
    gcells = groups["cell_id"].astype(str)
    role = groups["role"].astype(str)
    bad_role = ~role.isin(ROLES)
    if bad_role.any():
        raise ValueError(f"groups.role must be one of {ROLES}: {_sample(role[bad_role].unique())}")
    # Arrow's hash lookup: about twice as fast as Index.get_indexer on ~2 million strings.
    m_cell = (
        pc.index_in(
            pa.array(gcells.to_numpy(dtype=object), type=pa.large_string()),
            value_set=pa.array(np.asarray(sorted_ids, dtype=object), type=pa.large_string()),
        )
        .fill_null(-1)
        .to_numpy()
    )
    if (m_cell < 0).any():
        raise ValueError(f"groups refer to unknown cells: {_sample(gcells[m_cell < 0].unique())}")
    m_group, sorted_gids = pd.factorize(gids, sort=True)
    m_group = m_group.astype(np.int64)
    m_cell = m_cell.astype(np.int64)
    m_total = (role == "total").to_numpy()

    pair = pd.DataFrame({"g": m_group, "c": m_cell})
    if pair.duplicated().any():
        dups = sorted(set(sorted_gids[pair.loc[pair.duplicated(), "g"]]))
        raise ValueError(f"a cell is listed twice in one group: {_sample(dups)}")
    n_groups_raw = len(sorted_gids)
    n_tot = np.bincount(m_group, weights=m_total, minlength=n_groups_raw)
    n_part = np.bincount(m_group, weights=~m_total, minlength=n_groups_raw)
    bad_g = (n_tot != 1) | (n_part < 1)
    if bad_g.any():
        raise ValueError(
            "every group needs exactly one total and at least one part: "
            f"{_sample(sorted_gids[bad_g])}"
        )

    # --- groups: drop unavailable cells and equations ------------------------------------------
    m_value = value_r[m_cell]
    nan_total_group = np.zeros(n_groups_raw, dtype=bool)
    nan_total_group[m_group[m_total & np.isnan(m_value)]] = True
    keep = ~np.isnan(m_value) & ~nan_total_group[m_group]
    m_group, m_cell, m_total, m_value = m_group[keep], m_cell[keep], m_total[keep], m_value[keep]
    m_sign = np.where(m_total, -1, 1).astype(np.int8)

    # Additivity: the published equation must hold, or our audit protects a different system
    # from the one an attacker solves.
    residual = np.bincount(m_group, weights=m_sign * m_value, minlength=n_groups_raw)
    bad_sum = np.abs(residual) > 0.5
    if bad_sum.any():
        raise ValueError(
            "groups whose total is not the sum of their available parts: "
            f"{_sample(sorted_gids[bad_sum])}"
        )
    # A group left with only its total (all parts unavailable) says "total = 0": no unknowns.
    n_part_left = np.bincount(m_group, weights=~m_total, minlength=n_groups_raw)
    keep = n_part_left[m_group] > 0
    m_group, m_cell, m_sign, m_value = m_group[keep], m_cell[keep], m_sign[keep], m_value[keep]

    # --- merge identical groups -----------------------------------------------------------------
    # The same equation published in two tables must count once, or a cell would look like it
    # sits in three groups and lose the cheap 2-D audit.
    order = np.lexsort((m_cell, m_group))
    m_group, m_cell, m_sign, m_value = m_group[order], m_cell[order], m_sign[order], m_value[order]
    present, starts = np.unique(m_group, return_index=True)
    bounds = np.append(starts, len(m_group))
    first_of: dict[bytes, int] = {}
    keep_group = np.zeros(n_groups_raw, dtype=bool)
    for gi, lo, hi in zip(present.tolist(), bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        key = m_cell[lo:hi].tobytes() + m_sign[lo:hi].tobytes()
        if key not in first_of:  # groups are visited in group_id order: the smallest id is kept
            first_of[key] = gi
            keep_group[gi] = True
    keep = keep_group[m_group]
    m_group, m_cell, m_sign, m_value = m_group[keep], m_cell[keep], m_sign[keep], m_value[keep]
    kept_raw = np.flatnonzero(keep_group)
    new_index = np.full(n_groups_raw, -1, dtype=np.int64)
    new_index[kept_raw] = np.arange(len(kept_raw))
    m_group = new_index[m_group]
    n_groups = len(kept_raw)

    # --- CSR layouts ------------------------------------------------------------------------------
    is_total = m_sign < 0
    order = np.lexsort((m_cell, m_value, is_total, m_group))
    g_start = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(m_group, minlength=n_groups), out=g_start[1:])
    order_c = np.lexsort((m_group, m_cell))
    c_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(m_cell, minlength=n), out=c_start[1:])

    return Problem(
        cell_ids=np.asarray(sorted_ids, dtype=object),
        value=value_r,
        is_referral=is_ref_r,
        input_rank=np.asarray(input_rank, dtype=np.int64),
        group_ids=np.asarray(sorted_gids, dtype=object)[kept_raw],
        g_start=g_start,
        g_cell=m_cell[order],
        g_sign=m_sign[order],
        c_start=c_start,
        c_group=m_group[order_c],
        c_sign=m_sign[order_c],
    )


def groups_from_margins(
    frame: pd.DataFrame,
    margins: Sequence[str],
    *,
    by: Sequence[str] = (),
    cell_id: str = "cell_id",
    total: str = TOTAL_LABEL,
    name: str = "",
) -> pd.DataFrame:
    """Groups of a table in long form whose margins are rows labelled ``total`` (``Totalt``).

    ``frame`` has one row per published cell: the key columns ``margins`` (dimensions that carry
    a total, e.g. ``["area_id", "theme"]``), the key columns ``by`` (dimensions without a total,
    e.g. ``["year"]``) and ``cell_id``. For every margin dimension and every combination of the
    other keys, the row whose value is ``total`` is the group's total and the other rows its parts.
    A combination without a total row publishes no equation and gives no group.

    Group ids are ``"{name}|{dimension}|{other key values}"``; pass the table name as ``name`` so
    that ids from different tables do not collide (identical equations from two tables are merged
    by :func:`build_problem`). Works on public CSV/Parquet tables as well, which is how an outside
    check can rebuild the equations from the published files alone.
    """
    keys = [*margins, *by]
    _require_columns(frame, [*keys, cell_id], "frame")
    if frame.duplicated(subset=keys).any():
        raise ValueError(f"frame has duplicate rows for keys {keys}")
    out = []
    for dim in margins:
        others = [k for k in keys if k != dim]
        label = pd.Series(f"{name}|{dim}", index=frame.index, dtype=object)
        for k in others:
            label = label + "|" + frame[k].astype(str)
        is_total = (frame[dim].astype(str) == total).to_numpy()
        part = pd.DataFrame(
            {
                "group_id": label.astype(str),
                "cell_id": frame[cell_id].astype(str),
                "role": np.where(is_total, "total", "part"),
            }
        )
        # Totals and rows per group, counted on integer group codes (one hash of the labels).
        code = pd.factorize(part["group_id"])[0]
        tot = np.bincount(code, weights=is_total)[code]
        n_rows = np.bincount(code)[code]
        out.append(part[(tot == 1) & (n_rows >= 2)])
    if not out:
        return pd.DataFrame({"group_id": [], "cell_id": [], "role": []}, dtype=str)
    return pd.concat(out, ignore_index=True)
