"""National-scale benchmark of ``suppress`` (not collected by pytest).

Run: ``.venv/bin/python tests/disclosure/bench_national.py [n_areas] [n_themes] [n_years] [seed]``
(default 6000 x 8 x 10, about 540,000 cells with margins). Prints the time of each step and the
audit counters. ``--municipalities N`` puts a municipality level between areas and the total,
``--zero-share Z`` zeroes that share of the area counts (harder patterns); ``--attack-sample``
also runs the LP attacker on one year's table of that many areas.
"""

from __future__ import annotations

import argparse
import time

from assets.disclosure import find_pinned, published_view, suppress
from assets.disclosure.synthetic import area_theme_year


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n_areas", nargs="?", type=int, default=6000)
    parser.add_argument("n_themes", nargs="?", type=int, default=8)
    parser.add_argument("n_years", nargs="?", type=int, default=10)
    parser.add_argument("seed", nargs="?", type=int, default=42)
    parser.add_argument("--municipalities", type=int, default=None)
    parser.add_argument("--zero-share", type=float, default=0.0)
    parser.add_argument(
        "--attack-sample",
        type=int,
        default=0,
        help="also attack a table of this many areas x themes (one year)",
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    _, cells, groups = area_theme_year(
        args.n_areas,
        args.n_themes,
        args.n_years,
        seed=args.seed,
        n_municipalities=args.municipalities,
        zero_share=args.zero_share,
    )
    t1 = time.perf_counter()
    res = suppress(cells, groups)
    t2 = time.perf_counter()
    print(
        f"cells={len(cells):,} group rows={len(groups):,} build={t1 - t0:.2f}s "
        f"suppress={t2 - t1:.2f}s"
    )
    print("reasons:", res["reason"].value_counts(dropna=False).to_dict())
    print("audit:", res.attrs["audit"])
    small = (cells["value"] >= 1) & (cells["value"] <= 2)
    print(
        f"share of counts 1-2: {small.mean():.1%}; suppressed share: {res['suppressed'].mean():.1%}"
    )

    if args.attack_sample:
        _, c2, g2 = area_theme_year(args.attack_sample, args.n_themes, 1, seed=args.seed)
        r2 = suppress(c2, g2, max_exact_component=0)  # force the bridge path
        t3 = time.perf_counter()
        pinned = find_pinned(published_view(c2, r2), g2)
        print(
            f"attacker on {len(c2)} cells ({int(r2['suppressed'].sum())} suppressed): "
            f"{len(pinned)} pinned, {time.perf_counter() - t3:.1f}s"
        )


if __name__ == "__main__":
    main()
