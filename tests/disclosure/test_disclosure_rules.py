"""Primary and secondary suppression, computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from disclosure_helpers import published, suppressed_per_group, table_2d

from assets.disclosure import find_pinned, suppress


def _one_group(values: list[float], kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cells in no group at all: only the primary rule applies."""
    ids = [f"c{i}" for i in range(len(values))]
    cells = pd.DataFrame({"cell_id": ids, "value": values, "kind": kind})
    groups = pd.DataFrame({"group_id": [], "cell_id": [], "role": []}, dtype=str)
    return cells, groups


def _flags(result: pd.DataFrame) -> dict[str, bool]:
    return dict(zip(result["cell_id"], result["suppressed"], strict=True))


def test_primary_crime_threshold() -> None:
    cells, groups = _one_group([0, 1, 2, 3, 4, 100], "crime")
    res = suppress(cells, groups)
    assert res["suppressed"].tolist() == [False, True, True, False, False, False]
    assert res["reason"].tolist() == [None, "primary", "primary", None, None, None]


def test_primary_referral_threshold() -> None:
    cells, groups = _one_group([0, 1, 2, 3, 4, 5, 6], "referral")
    res = suppress(cells, groups)
    assert res["suppressed"].tolist() == [False, True, True, True, True, False, False]


def test_thresholds_are_settings() -> None:
    cells, groups = _one_group([1, 2, 3, 4, 5], "crime")
    res = suppress(cells, groups, crime_min=5)
    assert res["suppressed"].tolist() == [True, True, True, True, False]


def test_not_available_is_never_suppressed_nor_summed() -> None:
    # The NaN part is left out of the sum (row total 1 + 5 = 6), and is shown as missing.
    _, cells, groups = table_2d([[1.0, np.nan, 5.0], [4.0, 6.0, 7.0]])
    res = suppress(cells, groups)
    flags = _flags(res)
    assert not flags["t|r1|c2"]
    assert cells.set_index("cell_id").loc["t|r1|Totalt", "value"] == 6
    assert find_pinned(published(cells, res), groups).empty


def test_secondary_by_hand() -> None:
    """Rows A, B, C x themes x, y, z with margins; groups are named so that their order is known.

    Primary: A.x = 1, C.y = 2. Groups with one suppressed cell are handled in group-id order
    ("col:*" before "row:*"), each taking the smallest non-zero part:
      col:x {A.x}  -> B.x (4)    ; row B now has one
      col:y {C.y}  -> A.y (5)
      row:B {B.x}  -> B.z (3)    ; col z now has one, and "col:z" < "row:C"
      col:z {B.z}  -> A.z (7)
      row:C {C.y}  -> C.x (8)
    Result: rows A (3), B (2), C (2); columns x (3), y (2), z (2); margins untouched.
    """
    body = {"A": [1, 5, 7], "B": [4, 6, 3], "C": [8, 2, 9]}
    themes = ["x", "y", "z"]
    cells, groups = [], []
    for area, vals in body.items():
        for theme, v in zip(themes, vals, strict=True):
            cells.append((f"{area}.{theme}", v))
            groups += [
                (f"row:{area}", f"{area}.{theme}", "part"),
                (f"col:{theme}", f"{area}.{theme}", "part"),
            ]
        cells.append((f"{area}.T", sum(vals)))
        groups += [(f"row:{area}", f"{area}.T", "total"), ("col:T", f"{area}.T", "part")]
    for j, theme in enumerate(themes):
        cells.append((f"T.{theme}", sum(v[j] for v in body.values())))
        groups += [(f"col:{theme}", f"T.{theme}", "total"), ("row:T", f"T.{theme}", "part")]
    cells.append(("T.T", 45))
    groups += [("row:T", "T.T", "total"), ("col:T", "T.T", "total")]
    cells_df = pd.DataFrame(cells, columns=["cell_id", "value"]).assign(kind="crime")
    groups_df = pd.DataFrame(groups, columns=["group_id", "cell_id", "role"])

    res = suppress(cells_df, groups_df)
    got = res[res["suppressed"]].set_index("cell_id")["reason"].to_dict()
    assert got == {
        "A.x": "primary",
        "C.y": "primary",
        "B.x": "secondary",
        "A.y": "secondary",
        "B.z": "secondary",
        "A.z": "secondary",
        "C.x": "secondary",
    }
    assert find_pinned(published(cells_df, res), groups_df).empty


def test_secondary_takes_total_only_when_no_part_is_eligible() -> None:
    # Group: total 2 = 2 + 0 + 0 with a second, larger group around it. The suppressed part's only
    # non-zero companion in its group is the total.
    cells = pd.DataFrame(
        {"cell_id": ["p1", "p2", "p3", "tot"], "value": [2, 0, 0, 2], "kind": "crime"}
    )
    groups = pd.DataFrame(
        {
            "group_id": "g",
            "cell_id": ["p1", "p2", "p3", "tot"],
            "role": ["part", "part", "part", "total"],
        }
    )
    res = suppress(cells, groups)
    assert _flags(res) == {"p1": True, "p2": False, "p3": False, "tot": True}
    # ... while with a non-zero part the part is taken, even if larger than others' totals.
    cells.loc[cells["cell_id"] == "p2", "value"] = 9
    cells.loc[cells["cell_id"] == "tot", "value"] = 11
    res = suppress(cells, groups)
    assert _flags(res) == {"p1": True, "p2": True, "p3": False, "tot": False}


def test_secondary_tie_break_by_cell_id() -> None:
    _, cells, groups = table_2d([[1, 5, 5, 5]], cols=["d", "b", "c", "a"])
    res = suppress(cells, groups)
    row = {k: v for k, v in _flags(res).items() if k.startswith("t|r1|")}
    assert row["t|r1|a"] and not row["t|r1|b"]


def test_every_group_has_zero_or_at_least_two() -> None:
    rng = np.random.default_rng(3)
    body = rng.poisson(1.5, size=(8, 6)).tolist()
    _, cells, groups = table_2d(body)
    res = suppress(cells, groups)
    counts = suppressed_per_group(groups, res)
    assert not (counts == 1).any()


def test_output_does_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(11)
    _, cells, groups = table_2d(rng.poisson(1.2, size=(7, 5)).tolist())
    res = suppress(cells, groups).set_index("cell_id").sort_index()
    shuffled = (
        suppress(cells.sample(frac=1, random_state=1), groups.sample(frac=1, random_state=2))
        .set_index("cell_id")
        .sort_index()
    )
    pd.testing.assert_frame_equal(res, shuffled)


def test_output_rows_follow_input_order() -> None:
    _, cells, groups = table_2d([[1, 4], [5, 6]])
    cells = cells.iloc[::-1].reset_index(drop=True)
    res = suppress(cells, groups)
    assert res["cell_id"].tolist() == cells["cell_id"].tolist()


@pytest.mark.parametrize(
    ("cells", "groups", "message"),
    [
        (
            pd.DataFrame({"cell_id": ["a", "a"], "value": [1, 2], "kind": "crime"}),
            pd.DataFrame({"group_id": [], "cell_id": [], "role": []}, dtype=str),
            "not unique",
        ),
        (
            pd.DataFrame({"cell_id": ["a"], "value": [1.5], "kind": "crime"}),
            pd.DataFrame({"group_id": [], "cell_id": [], "role": []}, dtype=str),
            "non-negative integers",
        ),
        (
            pd.DataFrame({"cell_id": ["a"], "value": [1], "kind": "theft"}),
            pd.DataFrame({"group_id": [], "cell_id": [], "role": []}, dtype=str),
            "kind",
        ),
        (
            pd.DataFrame({"cell_id": ["a", "b", "t"], "value": [1, 2, 4], "kind": "crime"}),
            pd.DataFrame(
                {"group_id": "g", "cell_id": ["a", "b", "t"], "role": ["part", "part", "total"]}
            ),
            "not the sum",
        ),
        (
            pd.DataFrame({"cell_id": ["a", "b"], "value": [1, 2], "kind": "crime"}),
            pd.DataFrame({"group_id": "g", "cell_id": ["a", "b"], "role": ["part", "part"]}),
            "exactly one total",
        ),
        (
            pd.DataFrame({"cell_id": ["a", "t"], "value": [1, 1], "kind": "crime"}),
            pd.DataFrame({"group_id": "g", "cell_id": ["a", "x"], "role": ["part", "total"]}),
            "unknown cells",
        ),
    ],
)
def test_invalid_input_is_rejected(cells: pd.DataFrame, groups: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        suppress(cells, groups)
