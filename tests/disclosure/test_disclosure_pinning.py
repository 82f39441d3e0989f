"""No suppressed value may be pinned: planted bridges, the attacker, consistency, random tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from disclosure_helpers import (
    published,
    random_1d,
    random_2d,
    random_hierarchy,
    suppressed_per_group,
    table_2d,
)

from assets.disclosure import feasible_intervals, find_pinned, groups_from_margins, suppress
from assets.disclosure.synthetic import area_theme_year

# Two 2x2 blocks of small counts joined by one small cell (r2, c3): every row and column has two
# or three suppressed cells, so the group rule is satisfied, yet (r2, c3) is a bridge between the
# blocks and the sums of rows r1, r2 minus columns c1, c2 give its value.
BRIDGE = [
    [1, 2, 5, 6, 7],
    [2, 1, 1, 8, 9],
    [5, 6, 2, 1, 10],
    [7, 8, 1, 2, 11],
    [9, 10, 11, 12, 13],
]
BLOCKS = {"t|r1|c1", "t|r1|c2", "t|r2|c1", "t|r2|c2", "t|r3|c3", "t|r3|c4", "t|r4|c3", "t|r4|c4"}


def _rule_only_view(cells: pd.DataFrame, hidden: set[str]) -> pd.DataFrame:
    """A published view suppressing exactly ``hidden``, built without ``suppress``."""
    view = cells[["cell_id", "value"]].copy()
    view["suppressed"] = view["cell_id"].isin(hidden)
    view["value"] = view["value"].astype(float).where(~view["suppressed"])
    return view


def test_attacker_pins_a_lone_suppressed_cell() -> None:
    _, cells, groups = table_2d([[1, 4], [5, 6]])
    pinned = find_pinned(_rule_only_view(cells, {"t|r1|c1"}), groups)
    assert pinned["cell_id"].tolist() == ["t|r1|c1"]
    assert pinned["lower"].iloc[0] == pytest.approx(1) and pinned["upper"].iloc[0] == pytest.approx(
        1
    )


def test_attacker_finds_the_planted_bridge() -> None:
    """The group rule alone is not enough here; the attacker must notice."""
    _, cells, groups = table_2d(BRIDGE)
    view = _rule_only_view(cells, BLOCKS | {"t|r2|c3"})
    counts = groups.merge(view, on="cell_id").groupby("group_id")["suppressed"].sum()
    assert not (counts == 1).any()  # the rule is satisfied ...
    pinned = find_pinned(view, groups)  # ... yet one cell is disclosed
    assert pinned["cell_id"].tolist() == ["t|r2|c3"]
    assert pinned["lower"].iloc[0] == pytest.approx(1)
    # The other cells keep an interval.
    iv = feasible_intervals(view, groups).set_index("cell_id")
    assert (iv.loc[sorted(BLOCKS), "upper"] - iv.loc[sorted(BLOCKS), "lower"] >= 1).all()


@pytest.mark.parametrize("max_exact_component", [1500, 0], ids=["exact", "graph"])
def test_suppress_repairs_the_planted_bridge(max_exact_component: int) -> None:
    _, cells, groups = table_2d(BRIDGE)
    # The pinning audit on its own: without the protection level that knows zeros are shown.
    res = suppress(cells, groups, max_exact_component=max_exact_component, protection_level=False)
    reasons = res.set_index("cell_id")["reason"]
    assert set(reasons[reasons == "primary"].index) == BLOCKS | {"t|r2|c3"}
    # The cheapest single cell joining the two blocks: value 5 at (r1, c3) or (r3, c1); the
    # tie goes to the smaller cell id.
    assert reasons[reasons == "pinning"].index.tolist() == ["t|r1|c3"]
    assert (reasons == "secondary").sum() == 0
    assert find_pinned(published(cells, res), groups).empty
    assert find_pinned(published(cells, res), groups, integer=True).empty


def test_bridge_without_a_direct_fix_falls_back() -> None:
    """All cells that could join the two blocks directly are 0, so a longer detour is needed."""
    body = [
        [1, 2, 0, 0, 7],
        [2, 1, 1, 0, 9],
        [0, 0, 2, 1, 10],
        [0, 0, 1, 2, 11],
        [9, 10, 11, 12, 13],
    ]
    _, cells, groups = table_2d(body)
    for cap in (1500, 0):
        res = suppress(cells, groups, max_exact_component=cap, protection_level=False)
        assert res.attrs["audit"]["fallback_cells"] >= 1
        assert (res["reason"] == "pinning").any()
        assert find_pinned(published(cells, res), groups).empty
        assert not (suppressed_per_group(groups, res) == 1).any()


def test_cells_shared_across_tables_are_suppressed_consistently() -> None:
    """``area_theme`` (2024) and ``area_year`` share the area totals of 2024 by cell id.

    Area B's 2024 total (2) is suppressed in ``area_year``; its column group there makes a second
    suppression, and the row group of the other table (area total = sum of themes) must follow.
    """
    theme = {"A": [4, 3, 5], "B": [2, 0, 0], "C": [0, 6, 3]}
    years = {"A": 9, "B": 3, "C": 8}  # 2023 counts
    rows = []
    for area, vals in theme.items():
        for t, v in zip(["x", "y", "z"], vals, strict=True):
            rows.append(("area_theme", area, t, 2024, v))
        rows.append(("area_theme", area, "Totalt", 2024, sum(vals)))
        rows.append(("area_year", area, "Totalt", 2023, years[area]))
    for j, t in enumerate(["x", "y", "z"]):
        rows.append(("area_theme", "Totalt", t, 2024, sum(v[j] for v in theme.values())))
    rows.append(("area_theme", "Totalt", "Totalt", 2024, sum(map(sum, theme.values()))))
    rows.append(("area_year", "Totalt", "Totalt", 2023, sum(years.values())))
    frame = pd.DataFrame(rows, columns=["table", "area", "theme", "year", "value"])
    # One id per number: a 2024 area total is the same cell in both tables.
    frame["cell_id"] = (
        "crime|" + frame["area"] + "|" + frame["theme"] + "|" + frame["year"].astype(str)
    )
    area_theme = frame[frame["table"] == "area_theme"]
    area_year = pd.concat(
        [frame[frame["table"] == "area_year"], area_theme[area_theme["theme"] == "Totalt"]]
    )
    groups = pd.concat(
        [
            groups_from_margins(area_theme, ["area", "theme"], by=["year"], name="area_theme"),
            groups_from_margins(area_year, ["area"], by=["year"], name="area_year"),
        ],
        ignore_index=True,
    )
    cells = frame.drop_duplicates("cell_id")[["cell_id", "value"]].assign(kind="crime")
    res = suppress(cells, groups)
    flags = res.set_index("cell_id")["suppressed"]
    # Render both tables from the one result: a shared cell shows the same in both.
    shown = {
        name: tbl.assign(shown=np.where(flags[tbl["cell_id"]].to_numpy(), "..", tbl["value"]))
        for name, tbl in {"area_theme": area_theme, "area_year": area_year}.items()
    }
    shared = set(shown["area_theme"]["cell_id"]) & set(shown["area_year"]["cell_id"])
    assert "crime|B|Totalt|2024" in shared
    for cid in shared:
        a = shown["area_theme"].set_index("cell_id").loc[cid, "shown"]
        b = shown["area_year"].set_index("cell_id").loc[cid, "shown"]
        assert a == b
    assert flags["crime|B|Totalt|2024"] and flags["crime|B|x|2024"]
    # The suppression in area_year forced a second one in that table's 2024 column ...
    year_2024 = area_year[(area_year["year"] == 2024) & (area_year["area"] != "Totalt")]
    assert flags[year_2024["cell_id"]].sum() >= 2
    # ... and the row of the area it chose needs a second suppression in area_theme.
    assert not (suppressed_per_group(groups, res) == 1).any()
    assert find_pinned(published(cells, res), groups).empty


@pytest.mark.parametrize(("builder", "n"), [(random_2d, 10), (random_hierarchy, 6), (random_1d, 6)])
def test_random_tables_have_nothing_pinned(builder, n: int) -> None:
    """Property test with seeded random tables, both audit tiers."""
    rng = np.random.default_rng(20240)
    for _ in range(n):
        cells, groups = builder(rng)
        for cap in (1500, 0):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # tiny "oversized" components
                res = suppress(cells, groups, max_exact_component=cap)
            assert find_pinned(published(cells, res), groups).empty
            assert not (suppressed_per_group(groups, res) == 1).any()


def test_random_sparse_tables_with_repairs() -> None:
    """Zeros block cycles, so these tables need repairs; both tiers must end unpinned."""
    rng = np.random.default_rng(5)
    repaired = 0
    for _ in range(80):
        r, c = int(rng.integers(3, 9)), int(rng.integers(3, 7))
        small = rng.random((r, c)) < 0.3
        body = np.where(small, rng.integers(1, 3, (r, c)), rng.integers(3, 20, (r, c)))
        body[rng.random((r, c)) < 0.35] = 0
        _, cells, groups = table_2d(body.astype(float).tolist())
        results = [
            suppress(cells, groups, max_exact_component=cap, protection_level=False)
            for cap in (1500, 0)
        ]
        if all(r.attrs["audit"]["pinning_cells"] == 0 for r in results):
            continue
        repaired += 1
        for res in results:
            assert find_pinned(published(cells, res), groups).empty
        if repaired == 5:
            break
    assert repaired >= 4  # the test must exercise the repair, not only the easy cases


@pytest.mark.parametrize("seed", [6, 9])
def test_hierarchy_repairs_through_the_graph_audit(seed: int) -> None:
    """Areas in municipalities: municipal cells sit in three groups (the reduced K system).

    These seeds need one repair. Without it the attacker pins a cell; with it nothing is pinned,
    in both audit tiers.
    """
    _, cells, groups = area_theme_year(30, 4, 1, seed=seed, n_municipalities=4, zero_share=0.4)
    for cap in (300, 0):
        res = suppress(cells, groups, max_exact_component=cap, protection_level=False)
        assert (res["reason"] == "pinning").sum() >= 1
        assert find_pinned(published(cells, res), groups).empty
        without = res.assign(suppressed=res["suppressed"] & (res["reason"] != "pinning"))
        assert not find_pinned(published(cells, without), groups).empty
