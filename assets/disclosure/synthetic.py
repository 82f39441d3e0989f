"""Synthetic area x theme x year tables for tests and the national-scale benchmark.

No real data: Poisson counts with many small values, shaped like ``area_theme_year`` with
``Totalt`` margins (area totals, theme totals and the grand total, per year), optionally with a
municipality level between the areas and the national total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.disclosure.model import TOTAL_LABEL, groups_from_margins


def area_theme_year(
    n_areas: int,
    n_themes: int = 8,
    n_years: int = 10,
    *,
    seed: int = 0,
    first_year: int = 2015,
    table: str = "area_theme_year",
    kind: str = "crime",
    zero_share: float = 0.0,
    n_municipalities: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Synthetic counts with margins: ``(long_frame, cells, groups)``.

    Theme means range from 0.3 to 40 crimes per area-year and areas differ by a log-normal factor,
    so about a fifth of the counts are 1 or 2. ``zero_share`` sets that share of the area counts
    to 0 (zeros cannot be suppressed, so they make the suppression pattern harder to protect).

    Without ``n_municipalities``: one 2-D table per year, areas x themes plus ``Totalt`` row and
    column. With it: areas are spread over municipalities, each municipality has its own row
    (sum of its areas) and ``Totalt`` is the sum of the municipalities, so municipal cells sit in
    three groups. ``long_frame`` has ``area_id`` (an area, ``M...`` for a municipality or
    ``Totalt``), ``theme``, ``year``, ``value`` and ``cell_id``
    (``"{table}|{area}|{theme}|{year}"``).
    """
    rng = np.random.default_rng(seed)
    theme_mean = np.geomspace(0.3, 40.0, n_themes)
    area_factor = rng.lognormal(0.0, 0.8, n_areas)
    years = np.arange(first_year, first_year + n_years)
    lam = area_factor[None, :, None] * theme_mean[None, None, :]
    counts = rng.poisson(np.broadcast_to(lam, (n_years, n_areas, n_themes))).astype(np.int64)
    if zero_share > 0:
        counts[rng.random(counts.shape) < zero_share] = 0
    counts = np.concatenate([counts, counts.sum(axis=2, keepdims=True)], axis=2)  # + row totals

    labels = [f"A{a:05d}" for a in range(n_areas)]
    blocks = [counts]
    parent: list[str | None] = [None] * n_areas
    if n_municipalities:
        if n_areas < n_municipalities:
            raise ValueError("need at least one area per municipality")
        # Every municipality gets at least one area.
        spread = rng.integers(0, n_municipalities, n_areas - n_municipalities)
        muni = np.sort(np.concatenate([np.arange(n_municipalities), spread]))
        muni_counts = np.stack(
            [counts[:, muni == k, :].sum(axis=1) for k in range(n_municipalities)], axis=1
        )
        parent = [f"M{k:03d}" for k in muni]
        labels += [f"M{k:03d}" for k in range(n_municipalities)]
        blocks.append(muni_counts)
        parent += [None] * n_municipalities
    blocks.append(counts.sum(axis=1, keepdims=True))
    labels.append(TOTAL_LABEL)
    parent.append(None)
    full = np.concatenate(blocks, axis=1)  # [year, row, theme + Totalt]

    theme_lab = np.array([f"T{t:02d}" for t in range(n_themes)] + [TOTAL_LABEL], dtype=object)
    row_lab = np.array(labels, dtype=object)
    yy, rr, tt = np.meshgrid(years, np.arange(len(labels)), np.arange(n_themes + 1), indexing="ij")
    frame = pd.DataFrame(
        {
            "area_id": row_lab[rr.ravel()],
            "theme": theme_lab[tt.ravel()],
            "year": yy.ravel(),
            "value": full.ravel(),
        }
    )
    frame["cell_id"] = (
        table + "|" + frame["area_id"] + "|" + frame["theme"] + "|" + frame["year"].astype(str)
    )
    cells = pd.DataFrame({"cell_id": frame["cell_id"], "value": frame["value"], "kind": kind})
    if not n_municipalities:
        groups = groups_from_margins(frame, ["area_id", "theme"], by=["year"], name=table)
        return frame, cells, groups

    # Rows: every row is the sum of its themes. Columns: a municipality is the sum of its areas,
    # and Totalt the sum of the municipalities.
    parent_of = dict(zip(labels, parent, strict=True))
    rows = groups_from_margins(frame, ["theme"], by=["area_id", "year"], name=table)
    frame["parent"] = frame["area_id"].map(parent_of)
    is_muni = frame["area_id"].str.startswith("M")
    key = "|" + frame["theme"] + "|" + frame["year"].astype(str)
    child = frame[frame["parent"].notna()]
    muni_groups = pd.concat(
        [
            pd.DataFrame(
                {
                    "group_id": table + "|muni|" + child["parent"] + key[child.index],
                    "cell_id": child["cell_id"],
                    "role": "part",
                }
            ),
            pd.DataFrame(
                {
                    "group_id": table + "|muni|" + frame.loc[is_muni, "area_id"] + key[is_muni],
                    "cell_id": frame.loc[is_muni, "cell_id"],
                    "role": "total",
                }
            ),
        ]
    )
    top = frame[is_muni | (frame["area_id"] == TOTAL_LABEL)]
    nation = pd.DataFrame(
        {
            "group_id": table + "|nation" + key[top.index],
            "cell_id": top["cell_id"],
            "role": np.where(top["area_id"] == TOTAL_LABEL, "total", "part"),
        }
    )
    groups = pd.concat([rows, muni_groups, nation], ignore_index=True)
    return frame.drop(columns="parent"), cells, groups
