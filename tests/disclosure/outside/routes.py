"""What each published value says about hidden counts: one function per route.

Every function reads the published tables (and report), and adds to the model either linear
constraints (for the joint LP) or direct bounds on one hidden count. Columns are looked up by
name and a route is skipped when its columns are absent, so a changed table layout only
switches routes off.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import gammaln

from .model import COUNTS, TOTAL, Key, Model, describe, label, quantity
from .published import Interval, Report, Table

INF = math.inf
NOT_AREAS = {TOTAL, "okant"}


def _prev(key: Key) -> Key:
    return (key[0], str(int(key[1]) - 1), *key[2:])


def _col(table: Table, column: str) -> list[str]:
    return table.frame[column].tolist() if column in table.frame.columns else []


# -- sums: Totalt rows and columns, and the same number in several tables ---------------------

MARGINS = {
    "area_year": ("area_id",),
    "area_theme_year": ("area_id", "theme"),
    "area_month": ("area_id", "month"),
    "municipality_theme_month": ("theme", "month"),
    "area_referral_year": ("area_id", "source"),
    "referral_year": ("age_group", "sex"),
}
BY = {"area_referral_year": ("year", "type"), "referral_year": ("year", "type")}


def totals(model: Model, tables: dict[str, Table]) -> None:
    """Each Totalt row/column is the sum of its parts. Quantities are named across tables,
    so an area's yearly total in area_year, its Totalt theme and its Totalt month are one
    unknown, and the equations of all tables meet in it."""
    seen: set[tuple] = set()
    for name, margins in MARGINS.items():
        table = tables.get(name)
        if table is None:
            continue
        frame = table.frame
        for column, _ in COUNTS[name]:
            if column not in frame.columns:
                continue
            keys = [quantity(table, i, column) for i in range(len(frame))]
            for margin in margins:
                if margin not in frame.columns:
                    continue
                others = [c for c in (*margins, *BY.get(name, ("year",))) if c != margin]
                others = [c for c in others if c in frame.columns]
                for _, rows in frame.groupby(others, sort=False).groups.items():
                    total = [keys[i] for i in rows if table.columns[margin][i] == TOTAL]
                    parts = [keys[i] for i in rows if table.columns[margin][i] != TOTAL]
                    if len(total) != 1 or not parts:
                        continue
                    sig = (total[0], tuple(sorted(map(str, parts))))
                    if sig in seen:
                        continue
                    seen.add(sig)
                    pairs = [(1.0, total[0])] + [(-1.0, p) for p in parts]
                    model.add(
                        pairs,
                        0.0,
                        0.0,
                        "totals",
                        f"{name}: Totalt over {margin} = sum of its parts: "
                        + _sum_text(model, total[0], parts),
                    )
    _referrals_0_17(model, tables)


def _sum_text(model: Model, total: Key, parts: list[Key]) -> str:
    shown = " + ".join(label(model, p) for p in parts[:8])
    more = f" + … ({len(parts)} parts)" if len(parts) > 8 else ""
    return f"{label(model, total)} = {shown}{more}"


def _referrals_0_17(model: Model, tables: dict[str, Table]) -> None:
    """area_year's orosanmälningar 0–17 against area_referral_year (all ages) and the age
    bands of referral_year: never more than all ages; the same number when every delivered
    age band lies inside 0–17."""
    years = tables.get("area_year")
    ages = tables.get("referral_year")
    if years is None or "referral_count" not in years.frame.columns:
        return
    inside_only: dict[str, bool] = {}
    bands: dict[str, tuple[list[Key], list[Key]]] = {}
    if ages is not None and ages.has("age_min", "age_max", "sex", "type", "age_group"):
        f = ages.frame
        g = ages.columns
        for i in range(len(f)):
            if g["type"][i] != "orosanmalan" or g["age_group"][i] == TOTAL:
                continue
            year = g["year"][i]
            lo, hi = g["age_min"][i], g["age_max"][i]
            inside = lo != "" and hi != "" and float(lo) >= 0 and float(hi) <= 17
            overlaps = lo == "" or float(lo) <= 17
            inside_only[year] = inside_only.get(year, True) and inside
            if g["sex"][i] == TOTAL:
                key = quantity(ages, i, "referral_count")
                part = bands.setdefault(year, ([], []))
                if inside:
                    part[0].append(key)
                if overlaps:
                    part[1].append(key)
    for i in range(len(years.frame)):
        key = quantity(years, i, "referral_count")
        year, area = key[1], key[2]
        whole = ("r", year, "orosanmalan", area, TOTAL, TOTAL, TOTAL)
        hi = 0.0 if inside_only.get(year) else INF
        model.add(
            [(1.0, key), (-1.0, whole)],
            -INF,
            hi,
            "totals",
            f"orosanmälningar 0–17 {year} in {area} "
            + ("= all ages (every age band is 0–17)" if hi == 0 else "<= all ages"),
        )
        if area == TOTAL and year in bands:
            inside, overlapping = bands[year]
            if inside:
                model.add(
                    [(1.0, key)] + [(-1.0, k) for k in inside],
                    0.0,
                    INF,
                    "totals",
                    f"orosanmälningar 0–17 {year} >= the age bands inside 0–17",
                )
            if overlapping:
                model.add(
                    [(1.0, key)] + [(-1.0, k) for k in overlapping],
                    -INF,
                    0.0,
                    "totals",
                    f"orosanmälningar 0–17 {year} <= the age bands touching 0–17",
                )


# -- changes between years ---------------------------------------------------------------------

CHANGES = {
    "area_year": (("change_pct", "crime_count"), ("referral_change_pct", "referral_count")),
    "area_theme_year": (("change_pct", "crime_count"),),
    "priority": (("change_pct", "crime_count"),),
}


def change_constraint(
    model: Model, cur: Key | float, prev: Key, pct: Interval, route: str, where: str
) -> None:
    """c_y = c_{y-1}·(1 + change/100), with the change known only to its printed digits."""
    low, high = 1 + pct.lo / 100, 1 + pct.hi / 100
    name = label(model, cur) if isinstance(cur, tuple) else str(int(cur))
    text = (
        f"{where}: change {pct.mid:+g} % from {prev[1]}: {label(model, prev)} = "
        f"{name} / (1 + change/100), i.e. between {_div(cur, model, high)} and "
        f"{_div(cur, model, low)}"
    )
    model.add([(1.0, cur), (-high, prev)], -INF, 0.0, route, text)
    model.add([(1.0, cur), (-low, prev)], 0.0, INF, route, text)


def _div(cur: Key | float, model: Model, factor: float) -> str:
    value = model.value(cur) if isinstance(cur, tuple) else cur
    if value is None or factor <= 0:
        return "?"
    return f"{value / factor:.4g}"


def changes(model: Model, tables: dict[str, Table], route: str = "change") -> None:
    for name, pairs in CHANGES.items():
        table = tables.get(name)
        if table is None:
            continue
        for change, count in pairs:
            if not table.has(change, count):
                continue
            for i in range(len(table.frame)):
                pct = table.number(i, change)
                if pct is None:
                    continue
                cur = quantity(table, i, count)
                change_constraint(model, cur, _prev(cur), pct, route, f"{name}.{change}")


# -- rates and interval bounds beside a population ------------------------------------------


def _population(tables: dict[str, Table]) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for name in ("area_year", "area_theme_year"):
        table = tables.get(name)
        if table is None or not table.has("population", "area_id", "year"):
            continue
        for i in range(len(table.frame)):
            value = table.count(i, "population")
            if value is not None:
                out[(table.columns["year"][i], table.columns["area_id"][i])] = value
    return out


def _garwood(k: np.ndarray, side: str) -> np.ndarray:
    if side == "low":
        return np.where(k == 0, 0.0, stats.chi2.ppf(0.025, 2 * k) / 2)
    return stats.chi2.ppf(0.975, 2 * k + 2) / 2


def _enumerate(predicate, start: int = 1, cap: int = 200_000) -> tuple[float, float] | None:
    """Hull of the whole numbers k >= start where a monotone-ish predicate holds."""
    size = 256
    lo = start
    while lo < cap:
        k = np.arange(lo, lo + size)
        ok = predicate(k)
        if ok.any():
            first = int(k[ok][0])
            last = int(k[ok][-1])
            # keep going while it still holds at the end of the window
            while ok[-1] and lo < cap:
                lo += size
                k = np.arange(lo, lo + size)
                ok = predicate(k)
                if ok.any():
                    last = int(k[ok][-1])
            return first, (INF if lo >= cap else last)
        lo += size
        size *= 2
    return None


def rates(model: Model, tables: dict[str, Table]) -> None:
    population = _population(tables)
    specs = [
        ("area_year", "crime_count", "crimes_per_1000"),
        ("area_theme_year", "crime_count", "crimes_per_1000"),
        ("priority", "crime_count", "crimes_per_1000"),
    ]
    for name, count, rate in specs:
        table = tables.get(name)
        if table is None or not table.has(count):
            continue
        f = table.frame
        g = table.columns
        for i in range(len(f)):
            if not table.hidden(i, count):
                continue
            key = quantity(table, i, count)
            pop = population.get((g["year"][i], g["area_id"][i]))
            if not pop:
                continue
            where = f"{name}.{rate} for {describe(key)}"
            value = table.number(i, rate)
            if value is not None:
                model.bound(
                    key,
                    value.lo * pop / 1000,
                    value.hi * pop / 1000,
                    "rate",
                    f"{where}: {value.mid:g} per 1 000 × population {pop} / 1000",
                )
            for side in ("low", "high"):
                bound = table.number(i, f"{rate}_ci_{side}")
                if bound is None:
                    continue
                got = _enumerate(
                    lambda k, s=side, b=bound, n=pop: (
                        (_garwood(k, s) * 1000 / n >= b.lo) & (_garwood(k, s) * 1000 / n <= b.hi)
                    )
                )
                if got:
                    model.bound(
                        key,
                        *got,
                        "rate",
                        f"{where}: exact Poisson {side} bound {bound.mid:g} per 1 000 "
                        f"with population {pop} fits only k in {got}",
                    )
            ratio = table.number(i, "rate_ratio")
            reference = table.number(i, "reference_rate_per_1000")
            if ratio is not None and reference is not None:
                model.bound(
                    key,
                    ratio.lo * reference.lo * pop / 1000,
                    ratio.hi * reference.hi * pop / 1000,
                    "rate",
                    f"{where}: rate_ratio {ratio.mid:g} × reference {reference.mid:g} "
                    f"× population {pop} / 1000",
                )
    table = tables.get("area_year")
    if table is not None and table.has("referral_count", "referrals_per_1000_0_17"):
        f = table.frame
        g = table.columns
        for i in range(len(f)):
            basis = g["referral_rate_basis"][i] if "referral_rate_basis" in f else ""
            value = table.number(i, "referrals_per_1000_0_17")
            pop = population.get((g["year"][i], g["area_id"][i]))
            if basis == "total population" and value is not None and pop:
                key = quantity(table, i, "referral_count")
                model.bound(
                    key,
                    value.lo * pop / 1000,
                    value.hi * pop / 1000,
                    "rate",
                    f"referrals_per_1000_0_17 {value.mid:g} × population {pop} / 1000",
                )


# -- the reference rate (θ over the areas with a population) -----------------------------------


def reference(model: Model, tables: dict[str, Table]) -> None:
    """θ·Σn over the areas with a population is the sum of their counts; with the municipal
    total that leaves the crimes without an area. θ is printed in priority, and the
    overdispersed funnel limits 1000·(θ ± z·sd) are symmetric around it."""
    themes = tables.get("area_theme_year")
    if themes is None or not themes.has("population", "crime_count", "theme"):
        return
    f = themes.frame
    g = themes.columns
    members: dict[tuple[str, str], list[tuple[Key, int]]] = {}
    for i in range(len(f)):
        if g["area_id"][i] in NOT_AREAS or g["theme"][i] == TOTAL:
            continue
        pop = themes.count(i, "population")
        if pop:
            members.setdefault((g["year"][i], g["theme"][i]), []).append(
                (quantity(themes, i, "crime_count"), pop)
            )
    thetas: dict[tuple[str, str], list[tuple[Interval, str]]] = {}
    priority = tables.get("priority")
    if priority is not None and priority.has("reference_rate_per_1000"):
        for i in range(len(priority.frame)):
            value = priority.number(i, "reference_rate_per_1000")
            if value is not None:
                group = (priority.columns["year"][i], priority.columns["theme"][i])
                thetas.setdefault(group, []).append((value, "priority.reference_rate_per_1000"))
    for low, high in (("funnel_low_95", "funnel_high_95"), ("funnel_low_998", "funnel_high_998")):
        if not themes.has(low, high):
            continue
        mids: dict[tuple[str, str], list[Interval]] = {}
        for i in range(len(f)):
            lo, hi = themes.number(i, low), themes.number(i, high)
            if lo is None or hi is None or lo.lo <= 0:
                continue
            mids.setdefault((g["year"][i], g["theme"][i]), []).append(
                Interval((lo.lo + hi.lo) / 2, (lo.hi + hi.hi) / 2)
            )
        for group, found in mids.items():
            # Exact Poisson limits are not symmetric: their midpoints differ between areas.
            both = Interval(max(m.lo for m in found), min(m.hi for m in found))
            if len(found) >= 3 and both.lo <= both.hi:
                thetas.setdefault(group, []).append(
                    (both, f"midpoint of {low}/{high} in {len(found)} areas")
                )
    for group, found in thetas.items():
        rows = members.get(group)
        if not rows:
            continue
        total = sum(p for _, p in rows)
        value = Interval(max(v.lo for v, _ in found), min(v.hi for v, _ in found))
        if value.lo > value.hi:
            continue
        source = found[0][1]
        model.add(
            [(1.0, k) for k, _ in rows],
            value.lo * total / 1000,
            value.hi * total / 1000,
            "reference",
            f"{group[1]} {group[0]}: {source} {value.mid:g} per 1 000 × population of the "
            f"{len(rows)} areas {total} / 1000 = the sum of their counts "
            f"({value.lo * total / 1000:.2f}–{value.hi * total / 1000:.2f})",
        )


# -- smoothed rates (Marshall's global empirical Bayes) ---------------------------------------


def marshall(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Marshall's global EB rates per person for count rows k (combos × areas), pops n."""
    m = k.sum(axis=-1, keepdims=True) / n.sum()
    r = k / n
    s2 = (n * (r - m) ** 2).sum(axis=-1, keepdims=True) / n.sum()
    a = np.maximum(s2 - m / n.mean(), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(m > 0, a / (a + m / n), 0.0)
    return w * r + (1 - w) * m


def _compositions(total: int, parts: int, upper: list[float]) -> np.ndarray:
    """Every way to write total as `parts` whole numbers >= 1 (each within its bound)."""
    if parts == 1:
        return np.array([[total]], dtype=float) if 1 <= total <= upper[0] else np.empty((0, 1))
    cuts = np.array(list(itertools.combinations(range(1, total), parts - 1)), dtype=float)
    if not len(cuts):
        return np.empty((0, parts))
    edges = np.hstack([np.zeros((len(cuts), 1)), cuts, np.full((len(cuts), 1), total)])
    rows = np.diff(edges, axis=1)
    return rows[(rows <= np.array(upper, dtype=float)).all(axis=1)]


def smoothed(model: Model, tables: dict[str, Table], cap: int = 300_000) -> None:
    """Two published smoothed rates give Marshall's m and A; m·Σn is the sum of all counts,
    and A fixes their spread, so the hidden counts follow. Checked by brute force: every
    way to fill the hidden counts is run through the formula and must reproduce every
    published smoothed rate to its printed digits."""
    for name, theme_column in (("area_theme_year", "theme"), ("area_year", None)):
        table = tables.get(name)
        if table is None or not table.has("smoothed_per_1000", "crime_count", "population"):
            continue
        f = table.frame
        g = table.columns
        groups: dict[tuple, list[int]] = {}
        for i in range(len(f)):
            if g["area_id"][i] in NOT_AREAS:
                continue
            if theme_column and g[theme_column][i] == TOTAL:
                continue
            pop = table.count(i, "population")
            if not pop or g["crime_count"][i] == "":
                continue
            group = (g["year"][i], g[theme_column][i] if theme_column else TOTAL)
            groups.setdefault(group, []).append(i)
        for group, rows in groups.items():
            _smoothed_group(model, table, group, rows, cap)


def _smoothed_group(model: Model, table: Table, group: tuple, rows: list[int], cap: int) -> None:
    n = np.array([table.count(i, "population") for i in rows], dtype=float)
    hidden = [j for j, i in enumerate(rows) if table.hidden(i, "crime_count")]
    observed = [
        (j, table.number(i, "smoothed_per_1000"))
        for j, i in enumerate(rows)
        if j not in hidden and table.number(i, "smoothed_per_1000") is not None
    ]
    if not hidden or len(observed) < 2:
        return
    k = np.array([table.count(i, "crime_count") or 0 for i in rows], dtype=float)
    known = [j for j in range(len(rows)) if j not in hidden]
    # If the published rates are what Marshall gives over the shown areas alone (the prior
    # from published counts), they may well have been computed that way: then they say
    # nothing about the hidden counts, and any inference from the all-areas model is a guess.
    shown_only = marshall(k[known][None, :], n[known])[0] * 1000
    where = {j: pos for pos, j in enumerate(known)}
    if all(
        s.lo - 1e-9 * abs(s.lo) <= shown_only[where[j]] <= s.hi + 1e-9 * abs(s.hi)
        for j, s in observed
    ):
        return
    # m from two shown areas: n_i (r_i - s_i) / (s_i - m) is the same for every area.
    est = []
    for (a, sa), (b, sb) in itertools.combinations(observed[:12], 2):
        ra, rb, sa_, sb_ = k[a] / n[a], k[b] / n[b], sa.mid / 1000, sb.mid / 1000
        ga, gb = n[a] * (ra - sa_), n[b] * (rb - sb_)
        if abs(gb - ga) > 1e-12:
            est.append((gb * sa_ - ga * sb_) / (gb - ga))
    if all(abs(s.mid - observed[0][1].mid) <= 1e-9 + s.hi - s.lo for _, s in observed):
        est.append(observed[0][1].mid / 1000)  # A clamped to 0: every area shows m
    if not est:
        return
    m = float(np.median(est))
    target = m * n.sum() - k[known].sum()
    if not np.isfinite(target) or target < len(hidden) - 0.5:
        return
    spread = max(3, math.ceil(0.1 * target))
    sums = range(max(len(hidden), math.floor(target) - spread), math.ceil(target) + spread + 1)
    upper = [min(_upper(model, _key(table, rows[j])), sums[-1]) for j in hidden]
    combos_needed = sum(math.comb(int(s) - 1, len(hidden) - 1) for s in sums)
    if combos_needed > cap:
        return
    fills = [_compositions(int(s), len(hidden), upper) for s in sums]
    fills = np.vstack([x for x in fills if len(x)]) if any(len(x) for x in fills) else None
    if fills is None:
        return
    counts = np.repeat(k[None, :], len(fills), axis=0)
    counts[:, hidden] = fills
    rates = marshall(counts, n) * 1000
    ok = np.ones(len(fills), dtype=bool)
    for j, s in observed:
        ok &= (rates[:, j] >= s.lo - 1e-9 * abs(s.lo)) & (rates[:, j] <= s.hi + 1e-9 * abs(s.hi))
    if not ok.any():
        return  # the published rates do not come from all areas' counts: no inference
    sums_ok = fills[ok].sum(axis=1)
    if (sums_ok.min() == sums[0] and sums[0] > len(hidden)) or sums_ok.max() == sums[-1]:
        return  # the window may be too narrow to be sure
    for col, j in enumerate(hidden):
        values = fills[ok, col]
        model.bound(
            _key(table, rows[j]),
            float(values.min()),
            float(values.max()),
            "smoothed",
            f"smoothed_per_1000 of {group[1]} {group[0]} in {table.name}: Marshall's m ≈ "
            f"{m * 1000:.6g} per 1 000 from two shown areas, so the hidden counts sum to "
            f"≈ {target:.2f}; of every way to fill the {len(hidden)} hidden counts only "
            f"{int(ok.sum())} reproduce all {len(observed)} published smoothed rates",
        )


def _key(table: Table, row: int) -> Key:
    return quantity(table, row, "crime_count")


def _upper(model: Model, key: Key) -> float:
    return min((hi for _, hi, _, _ in model.bounds.get(key, [])), default=INF)


MAX_Q_COUNT = 300


def binom_p(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value as scipy.stats.binomtest computes it: the
    probability of every outcome no more likely than k (relative tolerance 1e-7)."""
    if n == 0:
        return 1.0
    x = np.arange(n + 1)
    log = gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1)
    pmf = np.exp(log + x * np.log(p) + (n - x) * np.log1p(-p))
    return float(min(1.0, pmf[pmf <= pmf[k] * (1 + 1e-7)].sum()))


# -- q-values of the exact conditional test --------------------------------------------------


def qvalues(model: Model, tables: dict[str, Table]) -> None:
    """A q-value is at least its p-value and at most p·m/rank (BH); with one year's count
    and both years' populations, the p-value's binomial test leaves few counts for the
    other year."""
    population = _population(tables)
    themes = tables.get("area_theme_year")
    families = []
    if themes is not None and themes.has("q_value", "crime_count"):
        families.append((themes, "q_value", "crime_count", True))
    years = tables.get("area_year")
    if years is not None:
        for q, count in (("q_value", "crime_count"), ("referral_q_value", "referral_count")):
            if years.has(q, count):
                families.append((years, q, count, False))
    priority = tables.get("priority")
    extra: dict[Key, Interval] = {}
    if priority is not None and priority.has("q_value", "crime_count"):
        for i in range(len(priority.frame)):
            q = priority.number(i, "q_value")
            if q is not None:
                extra[quantity(priority, i, "crime_count")] = q
    for table, qcol, count, by_theme in families:
        f = table.frame
        g = table.columns
        for year, rows in f.groupby("year").groups.items():
            rows = [
                i
                for i in rows
                if g["area_id"][i] not in NOT_AREAS and (not by_theme or g["theme"][i] != TOTAL)
            ]
            qs = {}
            for i in rows:
                key = quantity(table, i, count)
                q = table.number(i, qcol)
                if q is None and by_theme:
                    q = extra.get(key)
                qs[i] = q
            members = sum(1 for i in rows if g[qcol][i] != "" or qs[i] is not None)
            highs = sorted(q.hi for q in qs.values() if q is not None)
            for i in rows:
                q = qs[i]
                if q is None:
                    continue
                cur = quantity(table, i, count)
                prev = _prev(cur)
                below = bisect.bisect_left(highs, q.lo)
                p_lo, p_hi = q.lo * (below + 1) / max(members, 1), q.hi
                e_cur = population.get((year, g["area_id"][i]))
                e_prev = population.get((prev[1], g["area_id"][i]))
                if not e_cur or not e_prev:
                    e_cur = e_prev = 1
                share = e_cur / (e_cur + e_prev)
                for target, other, is_cur in ((cur, prev, True), (prev, cur, False)):
                    if target not in model.hidden or model.value(other) is None:
                        continue
                    known = model.value(other)
                    if known > MAX_Q_COUNT:
                        # Beside a large count the test is too flat to pin a small one, and
                        # the exact test's cost grows with the counts.
                        continue

                    def ok(ks, known=known, is_cur=is_cur, share=share, p_lo=p_lo, p_hi=p_hi):
                        out = []
                        for k in ks:
                            c, p = (k, known) if is_cur else (known, k)
                            pv = binom_p(int(c), int(c + p), share)
                            out.append(p_lo - 1e-12 <= pv <= p_hi + 1e-12)
                        return np.array(out)

                    got = _enumerate(ok, cap=8 * known + 400)
                    if got:
                        model.bound(
                            target,
                            *got,
                            "qvalue",
                            f"{table.name}.{qcol} {q.mid:g} ({year}, {g['area_id'][i]}"
                            f"{', ' + g['theme'][i] if by_theme else ''}): BH gives "
                            f"p in [{p_lo:.3g}, {p_hi:.3g}]; binomtest with the other "
                            f"year's count {known} and populations {e_cur}/{e_prev} "
                            f"fits only {got}",
                        )


# -- row order ---------------------------------------------------------------------------------

KEY_COLUMNS = ("year", "type", "area_id", "theme", "source", "month", "age_group", "sex")


def _sorted_by_keys(frame) -> bool:
    keys = [c for c in KEY_COLUMNS if c in frame.columns]
    for order in itertools.permutations(keys, min(len(keys), 4)):
        if frame.sort_values(list(order), kind="stable").index.equals(frame.index):
            return True
    return False


def ordering(model: Model, tables: dict[str, Table]) -> None:
    """When a table's row order is not explained by its key columns, find the published
    values it is sorted by (score, then ...), and bound each hidden row's count between
    its visible neighbours' when they agree on everything sorted before it."""
    for name, table in tables.items():
        counts = [c for c, _ in COUNTS.get(name, ()) if c in table.frame.columns]
        if not counts or not any((table.frame[c] == "..").any() for c in counts):
            continue
        f = table.frame
        if _sorted_by_keys(f):
            continue
        blocks = f["year"].tolist() if "year" in f.columns else [""] * len(f)
        values = {}
        for c in f.columns:
            if c in KEY_COLUMNS or c == "rank":
                continue
            # Midpoints are enough to see the order; parse a column at once.
            mids = pd.to_numeric(f[c].str.replace(",", ".", regex=False), errors="coerce")
            if mids.notna().sum() >= len(f) / 3:
                values[c] = mids.to_numpy(dtype=float)
        candidates = list(values)
        keys: list[tuple[str, int]] = []
        while len(keys) < 4:
            best = None
            for c in candidates:
                if c in [k for k, _ in keys] or _ranklike(values[c], blocks):
                    continue
                for sign in (-1, 1):
                    strict = _monotone(values, keys, (c, sign), blocks)
                    if strict is not None and (best is None or strict > best[0]):
                        best = (strict, (c, sign))
            if best is None or best[0] < (10 if not keys else 3):
                break
            keys.append(best[1])
        if not keys:
            continue
        _bound_by_neighbours(model, table, keys, values, blocks, counts)


def _ranklike(vals: np.ndarray, blocks: list) -> bool:
    seen = ~np.isnan(vals)
    v = vals[seen]
    b = np.asarray(blocks, dtype=object)[seen]
    if len(v) < 2:
        return False
    same = b[1:] == b[:-1]
    return bool(np.all(v[1:][same] == v[:-1][same] + 1))


def _monotone(values, keys, new, blocks) -> int | None:
    """Strictly ordered adjacent pairs of `new` among visible rows equal on `keys`, or None
    when any pair breaks the order."""
    cols = [c for c, _ in keys] + [new[0]]
    seen = np.ones(len(blocks), dtype=bool)
    for c in cols:
        seen &= ~np.isnan(values[c])
    rows = np.flatnonzero(seen)
    if len(rows) < 2:
        return 0
    a, b = rows[:-1], rows[1:]
    same = np.asarray(blocks, dtype=object)[a] == np.asarray(blocks, dtype=object)[b]
    for c, _ in keys:
        same &= values[c][a] == values[c][b]
    diff = (values[new[0]][b] - values[new[0]][a]) * new[1]
    if (diff[same] < 0).any():
        return None
    return int((diff[same] > 0).sum())


def _bound_by_neighbours(model, table, keys, values, blocks, counts) -> None:
    cols = [c for c, _ in keys]
    visible = [i for i in range(len(blocks)) if all(not np.isnan(values[c][i]) for c in cols)]
    for count in counts:
        if count not in cols:
            continue
        pos = cols.index(count)
        sign = keys[pos][1]
        for h in range(len(blocks)):
            if not table.hidden(h, count):
                continue
            at = bisect.bisect_left(visible, h)
            a = visible[at - 1] if at > 0 and blocks[visible[at - 1]] == blocks[h] else None
            b = (
                visible[at]
                if at < len(visible) and blocks[visible[at]] == blocks[h] and visible[at] != h
                else None
            )
            prefix = cols[:pos]
            lo, hi = -INF, INF
            if a is not None and b is not None:
                if any(values[c][a] != values[c][b] for c in prefix):
                    continue
                ends = sorted((values[count][a], values[count][b]))
                lo, hi = ends
            elif a is not None and not prefix:
                # the last row of its block: beyond its visible predecessor in sort order
                va = values[count][a]
                lo, hi = (-INF, va) if sign < 0 else (va, INF)
            elif b is not None and not prefix:
                vb = values[count][b]
                lo, hi = (vb, INF) if sign < 0 else (-INF, vb)
            else:
                continue
            order = ", ".join(f"{c} {'desc' if s < 0 else 'asc'}" for c, s in keys)
            model.bound(
                quantity(table, h, count),
                lo,
                hi,
                "ordering",
                f"{table.name} is sorted by {order}; the hidden row {h + 2} lies between "
                f"rows {a + 2 if a is not None else '-'} and {b + 2 if b is not None else '-'}"
                f" (file lines), which agree on {', '.join(prefix) or 'nothing before'}: "
                f"{count} in [{lo:g}, {hi:g}]",
            )


# -- the report's sentences --------------------------------------------------------------------

_N = r"(?P<n>\d{1,3}(?: \d{3})*)"
_PCT = r"Förändringen från (?P<prev>\d{4}) \((?P<pct>[+-]?\d{1,3}(?: \d{3})*(?:,\d+)?) %\)"
_SENTENCES = (
    re.compile(
        rf"I (?P<area>[^\n.]+?) anmäldes {_N} brott inom (?P<theme>[^\n]+?) (?P<year>\d{{4}}),"
        rf"[^\n]*?{_PCT}"
    ),
    re.compile(
        rf"År (?P<year>\d{{4}}) anmäldes {_N} brott inom (?P<theme>[^\n]+?) i hela kommunen,"
        rf"[^\n]*?{_PCT}"
    ),
    re.compile(rf"År (?P<year>\d{{4}}) anmäldes {_N} brott i (?P<area>[^,\n]+),[^\n]*?{_PCT}"),
    re.compile(
        rf"År (?P<year>\d{{4}}) kom {_N} orosanmälningar om barn 0–17 år i hela kommunen"
        rf"[^\n]*?{_PCT}"
    ),
)


def report_text(model: Model, tables: dict[str, Table], report: Report) -> None:
    """A sentence names an area, theme and year, a count and the change from last year in
    whole percent: the previous count is the count / (1 + change/100)."""
    areas: dict[str, str] = {}
    municipality = set()
    area = tables.get("area")
    if area is not None and area.has("area_id", "area_name"):
        areas = dict(zip(area.frame["area_name"], area.frame["area_id"], strict=True))
        municipality = set(area.frame.get("municipality", []))
    for number, pattern in enumerate(_SENTENCES):
        for match in pattern.finditer(report.text):
            g = match.groupdict()
            year = g["year"]
            if number == 3:
                key: Key = ("r017", year, TOTAL)
            else:
                name = g.get("area")
                if number == 1 or name in municipality:
                    area_id = TOTAL
                elif name in areas:
                    area_id = areas[name]
                else:
                    continue
                key = ("c", year, area_id, g.get("theme") or TOTAL, TOTAL)
            count = int(g["n"].replace(" ", ""))
            text = match.group(0)
            digits = g["pct"].split(",")
            half = 0.5 * 10.0 ** -(len(digits[1]) if len(digits) > 1 else 0)
            pct = float(g["pct"].replace(" ", "").replace(",", "."))
            where = f"report: “{text[:60]}…{text[-40:]}”"
            if key in model.hidden:
                model.bound(key, count, count, "report", f"{where} prints {count}")
            prev = (*key[:1], g["prev"], *key[2:])
            change_constraint(
                model, float(count), prev, Interval(pct - half, pct + half), "report", where
            )
