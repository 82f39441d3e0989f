"""Small table builders shared by the disclosure tests (no real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.disclosure import groups_from_margins, published_view
from assets.disclosure.model import TOTAL_LABEL


def table_2d(
    values: list[list[float]],
    *,
    rows: list[str] | None = None,
    cols: list[str] | None = None,
    name: str = "t",
    kind: str = "crime",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A 2-D table with ``Totalt`` margins from its interior: ``(frame, cells, groups)``.

    Cell ids are ``"{name}|{row}|{col}"``; margins are computed (NaN cells left out of sums).
    """
    body = np.asarray(values, dtype=float)
    rows = rows or [f"r{i + 1}" for i in range(body.shape[0])]
    cols = cols or [f"c{j + 1}" for j in range(body.shape[1])]
    full = np.zeros((body.shape[0] + 1, body.shape[1] + 1))
    full[:-1, :-1] = body
    full[:-1, -1] = np.nansum(body, axis=1)
    full[-1, :] = np.nansum(full[:-1, :], axis=0)
    records = [
        {"row": r, "col": c, "value": full[i, j]}
        for i, r in enumerate([*rows, TOTAL_LABEL])
        for j, c in enumerate([*cols, TOTAL_LABEL])
    ]
    frame = pd.DataFrame(records)
    frame["cell_id"] = name + "|" + frame["row"] + "|" + frame["col"]
    cells = pd.DataFrame({"cell_id": frame["cell_id"], "value": frame["value"], "kind": kind})
    groups = groups_from_margins(frame, ["row", "col"], name=name)
    return frame, cells, groups


def random_2d(rng: np.random.Generator, *, zeros: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random 2-D table with margins, many small counts and some zeros: ``(cells, groups)``."""
    r, c = int(rng.integers(2, 7)), int(rng.integers(2, 6))
    body = rng.poisson(rng.choice([0.8, 2.0, 4.0]), size=(r, c)).astype(float)
    body[rng.random((r, c)) < zeros] = 0
    kind = "referral" if rng.random() < 0.3 else "crime"
    _, cells, groups = table_2d(body.tolist(), kind=kind)
    return cells, groups


def random_hierarchy(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas in districts in a municipality x themes (district cells sit in three groups)."""
    n_districts = int(rng.integers(2, 4))
    n_themes = int(rng.integers(2, 4))
    records = []
    muni = np.zeros(n_themes)
    for d in range(n_districts):
        n_areas = int(rng.integers(2, 4))
        areas = rng.poisson(1.5, size=(n_areas, n_themes)).astype(float)
        for a in range(n_areas):
            records.append((f"a{d}{a}", f"d{d}", areas[a]))
        records.append((f"d{d}", "muni", areas.sum(axis=0)))
        muni += areas.sum(axis=0)
    records.append(("muni", "", muni))
    cells, groups = [], []
    for row, parent, vals in records:
        ids = [f"h|{row}|t{t}" for t in range(n_themes)]
        total_id = f"h|{row}|Totalt"
        cells += [(i, v) for i, v in zip(ids, vals, strict=True)]
        cells.append((total_id, vals.sum()))
        groups += [(f"row|{row}", i, "part") for i in ids] + [(f"row|{row}", total_id, "total")]
        if parent:
            for t in [*range(n_themes), "Totalt"]:
                groups.append(
                    (f"col|{parent}|{t}", f"h|{row}|t{t}" if t != "Totalt" else total_id, "part")
                )
    for row, _parent, _ in records:
        if row.startswith("d") or row == "muni":
            for t in [*range(n_themes), "Totalt"]:
                cid = f"h|{row}|t{t}" if t != "Totalt" else f"h|{row}|Totalt"
                groups.append((f"col|{row}|{t}", cid, "total"))
    cells_df = pd.DataFrame(cells, columns=["cell_id", "value"]).assign(kind="crime")
    groups_df = pd.DataFrame(groups, columns=["group_id", "cell_id", "role"])
    return cells_df, groups_df


def random_1d(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A referral column (areas + Totalt): every part sits in one group only."""
    n = int(rng.integers(2, 8))
    vals = rng.poisson(3.0, size=n).astype(float)
    ids = [f"ref|a{i}" for i in range(n)]
    cells = pd.DataFrame(
        {"cell_id": [*ids, "ref|Totalt"], "value": [*vals, vals.sum()], "kind": "referral"}
    )
    groups = pd.DataFrame(
        {"group_id": "ref", "cell_id": [*ids, "ref|Totalt"], "role": ["part"] * n + ["total"]}
    )
    return cells, groups


def published(cells: pd.DataFrame, result: pd.DataFrame) -> pd.DataFrame:
    """The attacker's view of a suppression result."""
    return published_view(cells, result)


def suppressed_per_group(groups: pd.DataFrame, result: pd.DataFrame) -> pd.Series:
    """Number of suppressed cells in each group."""
    merged = groups.merge(result[["cell_id", "suppressed"]], on="cell_id")
    return merged.groupby("group_id")["suppressed"].sum()
