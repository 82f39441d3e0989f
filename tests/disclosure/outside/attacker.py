"""An outside attacker on the published lägesbild: recover hidden counts from what is public.

It reads only the public CSVs (and, when given, the report HTML), never the project's
suppression code. Every hidden count becomes an unknown whole number >= 1 (0 is shown, so a
`..` is at least 1). Routes add what the outputs say about the unknowns:

- totals      Totalt rows/columns of every table, joined across tables by what they count
- consistency the same number shown in one table and hidden in another
- change      change_pct beside the other year's count (within and across tables)
- rate        a rate, an exact Poisson bound or a rate ratio beside a population
- reference   θ·Σn (priority's reference rate, or the overdispersed funnel midpoint)
- smoothed    Marshall's empirical-Bayes rates, brute-forced over the hidden counts
- qvalue      a BH q-value beside one year's count and both populations
- ordering    a table sorted by published values, with hidden rows kept in place
- report      the report's sentences (a count and its change from the year before)

Then one LP per connected group of unknowns gives each hidden count's least and greatest
value (whole-number bounds by MILP where that is cheap). A hidden count is DISCLOSED when a
single value is left, TOO NARROW when fewer whole values than its threshold are left (3 for
crimes, 5 for referrals), the protection level that τ-ARGUS and sdcTable enforce.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from . import routes as r
from .model import COUNTS, THRESHOLD, Cell, Key, Model, describe, kind_of, quantity
from .published import Table, read_public, read_report

ALL_ROUTES = (
    "totals",
    "consistency",
    "change",
    "rate",
    "reference",
    "smoothed",
    "qvalue",
    "ordering",
    "report",
)
DISCLOSED, TOO_NARROW = "DISCLOSED", "TOO NARROW"


@dataclass
class Finding:
    key: Key
    cells: list[Cell]
    lo: int
    hi: float
    status: str
    route: str
    arithmetic: list[str] = field(default_factory=list)

    @property
    def value(self) -> int | None:
        return self.lo if self.lo == self.hi else None

    def __str__(self) -> str:
        where = "; ".join(str(c) for c in self.cells[:3])
        found = f"= {self.lo}" if self.value is not None else f"in {self.lo}..{self.hi:g}"
        steps = "\n      ".join(self.arithmetic[:6])
        return (
            f"{self.status}: {describe(self.key)} {found} (route {self.route})\n"
            f"    cell: {where}\n    arithmetic:\n      {steps}"
        )


def build_model(
    tables: dict[str, Table], report=None, routes: Iterable[str] = ALL_ROUTES
) -> tuple[Model, list[Finding]]:
    routes = set(routes)
    model = Model()
    for name, columns in COUNTS.items():
        table = tables.get(name)
        if table is None:
            continue
        f = table.frame
        keys = [c for c in r.KEY_COLUMNS if c in f.columns]
        for column, _ in columns:
            if column not in f.columns:
                continue
            for i in range(len(f)):
                key = quantity(table, i, column)
                cell = Cell(name, i, column, {k: table.columns[k][i] for k in keys})
                value = table.count(i, column)
                if table.hidden(i, column):
                    model.hidden.setdefault(key, []).append(cell)
                elif value is not None:
                    model.known.setdefault(key, value)
                    model.shown_at.setdefault(key, []).append(cell)
    findings = []
    for key in [k for k in model.hidden if k in model.known]:
        # The same number, hidden here and printed there.
        cells = model.hidden.pop(key)
        if "consistency" in routes:
            shown = model.shown_at[key][0]
            findings.append(
                Finding(
                    key,
                    cells,
                    model.known[key],
                    model.known[key],
                    DISCLOSED,
                    "consistency",
                    [f"hidden in {cells[0]} but printed as {model.known[key]} in {shown}"],
                )
            )
    if "totals" in routes:
        r.totals(model, tables)
    if "change" in routes:
        r.changes(model, tables)
    if "rate" in routes:
        r.rates(model, tables)
    if "reference" in routes:
        r.reference(model, tables)
    if "qvalue" in routes:
        r.qvalues(model, tables)
    if "ordering" in routes:
        r.ordering(model, tables)
    if "report" in routes and report is not None:
        r.report_text(model, tables, report)
    if "smoothed" in routes:
        # after the others: their bounds limit the brute force
        r.smoothed(model, tables)
    return model, findings


def attack(
    public_dir: Path,
    report_html: Path | None = None,
    routes: Iterable[str] = ALL_ROUTES,
) -> list[Finding]:
    """Every hidden count the attacker pins (DISCLOSED) or narrows below its threshold."""
    tables = read_public(Path(public_dir))
    report = read_report(report_html) if report_html else None
    model, findings = build_model(tables, report, routes)
    return findings + solve(model)


# -- solving -----------------------------------------------------------------------------------


def _direct(model: Model, key: Key) -> tuple[float, float, list[tuple]]:
    lo, hi, used = 1.0, math.inf, []
    for b in model.bounds.get(key, []):
        if b[0] > lo + 1e-9 or b[1] < hi - 1e-9:
            used.append(b)
        lo, hi = max(lo, b[0]), min(hi, b[1])
    return lo, hi, used


def _whole(lo: float, hi: float) -> tuple[int, float]:
    return math.ceil(lo - 1e-6), (math.floor(hi + 1e-6) if math.isfinite(hi) else math.inf)


def _status(key: Key, lo: int, hi: float) -> str | None:
    values = hi - lo + 1
    if values <= 1:
        return DISCLOSED
    if values < THRESHOLD[kind_of(key)]:
        return TOO_NARROW
    return None


def solve(model: Model) -> list[Finding]:
    keys = list(model.hidden)
    index = {k: i for i, k in enumerate(keys)}
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for c in model.constraints:
        ids = [index[k] for k in c.terms]
        for j in ids[1:]:
            parent[root(j)] = root(ids[0])
    components: dict[int, list[int]] = {}
    for i in range(len(keys)):
        components.setdefault(root(i), []).append(i)
    by_component: dict[int, list] = {}
    for c in model.constraints:
        by_component.setdefault(root(index[next(iter(c.terms))]), []).append(c)

    findings = []
    for rid, members in components.items():
        cons = by_component.get(rid, [])
        direct = {i: _direct(model, keys[i]) for i in members}
        if any(d[0] > d[1] + 1e-6 for d in direct.values()):
            # Published values that contradict each other: the attacker's model is wrong
            # somewhere here, so claim nothing.
            continue
        if not cons:
            for i in members:
                lo, hi = _whole(*direct[i][:2])
                status = _status(keys[i], lo, hi)
                if status:
                    route = direct[i][2][-1][2] if direct[i][2] else "bounds"
                    findings.append(
                        Finding(
                            keys[i],
                            model.hidden[keys[i]],
                            lo,
                            hi,
                            status,
                            route,
                            [b[3] for b in direct[i][2]] + ["every .. is at least 1"],
                        )
                    )
            continue
        findings.extend(_solve_component(model, keys, members, cons, direct, index))
    return findings


def _solve_component(model, keys, members, cons, direct, position, single=None) -> list:
    local = {m: j for j, m in enumerate(members)}
    n = len(members)
    data, cols, rowids, b_ub = [], [], [], []
    for c in cons:
        for sign, bound in ((1.0, c.hi), (-1.0, -c.lo)):
            if not math.isfinite(bound):
                continue
            r = len(b_ub)
            for k, coef in c.terms.items():
                data.append(sign * coef)
                cols.append(local[position[k]])
                rowids.append(r)
            b_ub.append(bound + 1e-7 * max(1, abs(bound)))
    a_ub = sparse.csr_matrix((data, (rowids, cols)), shape=(len(b_ub), n))
    b_ub = np.array(b_ub)
    lb = np.array([direct[m][0] for m in members])
    ub = np.array([direct[m][1] for m in members])
    bounds = list(zip(lb, [None if not math.isfinite(u) else u for u in ub], strict=True))
    out = []
    lo_lp = np.full(n, np.nan)
    hi_lp = np.full(n, np.nan)
    # Feasible points for a few objectives: a count that already takes values far enough
    # apart in them cannot be narrow, and needs no LP of its own. A box of 10^7 keeps these
    # LPs bounded; their solutions are still feasible points.
    rng = np.random.default_rng(0)
    need = np.array([THRESHOLD[kind_of(keys[m])] for m in members], dtype=float)
    seen_lo = np.full(n, np.inf)
    seen_hi = np.full(n, -np.inf)
    boxed = list(zip(lb, np.minimum(ub, 1e7), strict=True))

    def witness(cost: np.ndarray) -> bool:
        nonlocal seen_lo, seen_hi
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=boxed, method="highs")
        if res.status == 2:
            return False
        if res.status == 0:
            seen_lo = np.minimum(seen_lo, res.x)
            seen_hi = np.maximum(seen_hi, res.x)
        return True

    if single is None and (not witness(np.ones(n)) or not witness(-np.ones(n))):
        return []  # infeasible: contradicting published values, claim nothing
    for _ in range(12 if single is None else 0):
        open_ = seen_hi - seen_lo < need - 1 + 1e-6
        if not open_.any():
            break
        before = open_.sum()
        weights = rng.uniform(0.5, 1.5, n) * open_
        witness(-weights)
        witness(weights)
        if (seen_hi - seen_lo < need - 1 + 1e-6).sum() > 0.9 * before:
            break
    open_ = np.flatnonzero(seen_hi - seen_lo < need - 1 + 1e-6)
    if single is not None:
        open_ = [j for j in open_ if keys[members[j]] == single]
    elif n > LARGE:
        # National scale: one LP over ~10,000 unknowns per count is too slow. The count's
        # own equations alone (a relaxation) give an interval at least as wide as the full
        # LP's, so a narrow one there is narrow for certain; wide ones are left undecided.
        return _relaxed(model, keys, members, cons, direct, position, open_)
    for j in open_:
        cost = np.zeros(n)
        cost[j] = 1
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        if res.status == 2:
            return []
        if res.status != 0:
            continue
        lo_lp[j] = res.x[j]
        res = linprog(-cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        hi_lp[j] = res.x[j] if res.status == 0 else math.inf
    for j, m in enumerate(members):
        if single is not None and keys[m] != single:
            continue
        if np.isnan(lo_lp[j]):
            continue
        lo, hi = _whole(lo_lp[j], hi_lp[j])
        key = keys[m]
        if _status(key, lo, hi) is None and hi - lo + 1 <= THRESHOLD[kind_of(key)] and n <= 400:
            lo, hi = _integer_bounds(j, n, a_ub, b_ub, lb, ub, lo, hi)
        status = _status(key, lo, hi)
        if status is None:
            continue
        touching = [c for c in cons if key in c.terms]
        routes = sorted({c.route for c in cons} | {b[2] for b in direct[m][2]})
        route = (
            direct[m][2][-1][2]
            if _status(key, *_whole(*direct[m][:2]))
            else "lp(" + "+".join(routes) + ")"
        )
        arithmetic = [b[3] for b in direct[m][2]] + [c.text for c in touching[:4]]
        if len(cons) > len(touching[:4]):
            arithmetic.append(
                f"… with {len(cons)} equations over {n} hidden counts (routes {', '.join(routes)})"
            )
        arithmetic.append("every .. is at least 1 (0 is shown)")
        out.append(Finding(key, model.hidden[key], lo, hi, status, route, arithmetic))
    return out


#: Components with more unknowns than this are solved per count on its own equations.
LARGE = 3000
UNDECIDED: list[Key] = []


def _relaxed(model, keys, members, cons, direct, position, open_) -> list:
    touching: dict[Key, list] = {}
    for c in cons:
        for k in c.terms:
            touching.setdefault(k, []).append(c)
    out = []
    for j in open_:
        key = keys[members[j]]
        near = touching.get(key, [])
        names = sorted({k for c in near for k in c.terms}, key=str)
        sub = {position[k]: direct.get(position[k]) or _direct(model, k) for k in names}
        found = _solve_component(
            model, keys, [position[k] for k in names], near, sub, position, single=key
        )
        out.extend(found)
        if not found:
            UNDECIDED.append(key)
    return out


def _integer_bounds(j, n, a_ub, b_ub, lb, ub, lo, hi):
    cons = LinearConstraint(a_ub, -np.inf, b_ub) if a_ub.shape[0] else None
    integrality = np.ones(n)
    bounds = Bounds(lb, ub)
    found = []
    for sign in (1, -1):
        cost = np.zeros(n)
        cost[j] = sign
        res = milp(
            cost,
            constraints=cons,
            integrality=integrality,
            bounds=bounds,
            options={"time_limit": 5},
        )
        if res.status != 0:
            return lo, hi
        found.append(res.x[j])
    return max(lo, round(found[0])), min(hi, round(found[1]))


def summary(findings: list[Finding]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for f in findings:
        route = f.route if not f.route.startswith("lp(") else "lp"
        out.setdefault(route, {DISCLOSED: 0, TOO_NARROW: 0})[f.status] += 1
    return out


def message(findings: list[Finding], limit: int = 12) -> str:
    head = (
        f"{len(findings)} hidden counts recovered from the published outputs: {summary(findings)}"
    )
    return "\n".join([head, *(str(f) for f in findings[:limit])])
