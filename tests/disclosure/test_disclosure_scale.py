"""Moderate-scale smoke: 500 areas x 8 themes x 3 years through the large-component path.

No timing assertion (machines differ); the national benchmark is
``tests/disclosure/bench_national.py``.
"""

from __future__ import annotations

from assets.disclosure import suppress
from assets.disclosure.synthetic import area_theme_year


def test_moderate_scale_smoke() -> None:
    _, cells, groups = area_theme_year(500, 8, 3, seed=1)
    res = suppress(cells, groups)
    audit = res.attrs["audit"]
    assert audit["graph_audits"] >= 1  # components above the exact cap took the bridge path
    assert audit["oversized_exact_audits"] == 0
    assert res["suppressed"].sum() > 0.05 * len(res)
    merged = groups.merge(res, on="cell_id").groupby("group_id")["suppressed"].sum()
    assert not (merged == 1).any()
