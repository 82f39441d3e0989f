"""The protection level: an attacker who knows zeros are shown (every `..` >= 1) learns no range.

Each test checks the result with the LP attacker at lower bound 1 (an independent computation:
HiGHS over the published equations), and shows that without the protection level the same
attacker pins the cell or narrows it to fewer whole values than the threshold.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from disclosure_helpers import published, random_2d, random_hierarchy, table_2d

from assets.disclosure import feasible_intervals, groups_from_margins, suppress


def _whole_values(iv: pd.DataFrame) -> pd.Series:
    """Whole numbers inside each feasible interval."""
    low = np.ceil(iv["lower"] - 1e-6)
    high = np.floor(iv["upper"] + 1e-6)
    return (high - low + 1).where(np.isfinite(iv["upper"]), math.inf)


def _too_narrow(cells: pd.DataFrame, groups: pd.DataFrame, res: pd.DataFrame) -> list[str]:
    """Hidden cells whose interval (lower bound 1) holds fewer values than their threshold.

    The threshold is 3 for crime and 5 for referral cells that are primary, 2 (not pinned) for
    every other hidden cell.
    """
    iv = feasible_intervals(published(cells, res), groups, lower_bound=1).set_index("cell_id")
    info = cells.set_index("cell_id").join(res.set_index("cell_id"))
    hidden = info[info["suppressed"]]
    need = np.where(hidden["kind"] == "referral", 5, 3)
    need = pd.Series(np.where(hidden["reason"] == "primary", need, 2), index=hidden.index)
    whole = _whole_values(iv.loc[hidden.index])
    return sorted(whole.index[whole < need])


def _one_group(
    parts: dict[str, int], *, name: str, kind: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One total and its parts: ``(frame, cells, groups)``, cell ids ``name|part``."""
    frame = pd.DataFrame(
        {"part": [*parts, "Totalt"], "value": [*parts.values(), sum(parts.values())]}
    )
    frame["cell_id"] = name + "|" + frame["part"]
    cells = frame.assign(kind=kind)[["cell_id", "value", "kind"]]
    return frame, cells, groups_from_margins(frame, ["part"], name=name)


def _sig_by_source() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """'Ärenden till SIG efter anmälare': Polis 8, Skola 8, Socialtjänst 8 and three 1s of 27."""
    parts = {"polis": 8, "skola": 8, "soc": 8, "vard": 1, "anhorig": 1, "ovriga": 1}
    return _one_group(parts, name="sig", kind="referral")


def test_known_zeros_pin_three_ones_without_the_protection_level() -> None:
    _, cells, groups = _sig_by_source()
    res = suppress(cells, groups, referral_min=5, protection_level=False)
    # Only the three 1s are hidden: the group rule is satisfied (three hidden cells) ...
    assert set(res.loc[res["suppressed"], "cell_id"]) == {"sig|vard", "sig|anhorig", "sig|ovriga"}
    # ... but 27 - 24 = 3 over three cells that are each >= 1: every one is 1.
    iv = feasible_intervals(published(cells, res), groups, lower_bound=1)
    assert np.allclose(iv["lower"], 1) and np.allclose(iv["upper"], 1)


def test_known_zeros_with_the_protection_level() -> None:
    _, cells, groups = _sig_by_source()
    res = suppress(cells, groups, referral_min=5)
    reasons = res.set_index("cell_id")["reason"]
    # The cheapest shown part joins them (a tie of 8s goes to the smallest cell id) ...
    assert reasons["sig|polis"] == "protection"
    assert reasons[["sig|skola", "sig|soc", "sig|Totalt"]].isna().all()
    # ... and each 1 can now be anything from 1 to 8: at least 5 whole values.
    iv = feasible_intervals(published(cells, res), groups, lower_bound=1).set_index("cell_id")
    assert iv.loc["sig|vard", "lower"] == pytest.approx(1)
    assert iv.loc["sig|vard", "upper"] == pytest.approx(8)  # 8 + 1 + 1 + 1 - 3 others at 1
    assert _too_narrow(cells, groups, res) == []


def test_one_or_two_is_a_disclosure_too() -> None:
    """Hidden 1 and 2 beside shown 50 and 60: the hidden sum 3 says 'one is 1, the other 2'."""
    _, cells, groups = _one_group({"a": 1, "b": 2, "c": 50, "d": 60}, name="t", kind="crime")
    without = suppress(cells, groups, protection_level=False)
    assert set(without.loc[without["suppressed"], "cell_id"]) == {"t|a", "t|b"}
    assert _too_narrow(cells, groups, without) == ["t|a", "t|b"]
    res = suppress(cells, groups)
    assert res.set_index("cell_id").loc["t|c", "reason"] == "protection"
    assert _too_narrow(cells, groups, res) == []


@pytest.mark.parametrize(("builder", "n"), [(random_2d, 25), (random_hierarchy, 8)])
def test_random_tables_keep_the_protection_level(builder, n: int) -> None:
    """Seeded random tables with many 1s and 2s: no hidden cell narrowed, at lower bound 1."""
    rng = np.random.default_rng(11)
    narrowed_without = 0
    for _ in range(n):
        cells, groups = builder(rng)
        res = suppress(cells, groups)
        assert _too_narrow(cells, groups, res) == []
        narrowed_without += bool(
            _too_narrow(cells, groups, suppress(cells, groups, protection_level=False))
        )
    # The property is not vacuous: the old rule leaves some of these tables narrowed.
    assert narrowed_without >= 2


def test_the_lp_audit_repairs_what_one_group_cannot_see() -> None:
    """Every row and column has room on its own, but together they pin the range.

    In [[1, 2], [2, 1]] with all four hidden, each row and column holds 3 = 1 + 2 (room 2 < 3),
    so the slack rule already adds cells; the LP audit must confirm the whole system.
    """
    _, cells, groups = table_2d([[1, 2, 0], [2, 1, 0], [0, 0, 9]])
    res = suppress(cells, groups)
    assert _too_narrow(cells, groups, res) == []
    assert res.attrs["audit"]["lp_audits"] >= 1
