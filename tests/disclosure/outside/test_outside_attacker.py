"""The check from outside (statistics.md, "Disclosure control"): an attacker that reads only
the published CSVs and report must recover no hidden count, neither pin it to one value nor
narrow it to fewer whole values than its threshold.

Tests marked `attacker` run it on real builds (`pytest -m attacker`). The route tests switch
one protection off in a copy of a published folder, using the true values from the marts,
and show the attacker catches exactly that leak with the right value.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .attacker import DISCLOSED, TOO_NARROW, attack, build_model, message, summary
from .conftest import Published
from .model import TOTAL
from .published import read_public, read_report
from .routes import marshall
from .truth import Truth

HERE = Path(__file__).parent
ATTACKER_MODULES = ("attacker.py", "routes.py", "model.py", "published.py")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, na_values=[])


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, sep=";", index=False)


def _text(value: float) -> str:
    """A number published unrounded (17 significant digits), decimal comma."""
    return repr(float(value)).replace(".", ",")


def _assert_true(findings, truth: Truth) -> None:
    wrong = [f for f in findings if not f.lo <= truth(f.key) <= f.hi]
    assert not wrong, "the attacker claims wrong values:\n" + "\n".join(
        f"{f} (true {truth(f.key)})" for f in wrong[:5]
    )


# -- the attacker is independent ---------------------------------------------------------------


def test_the_attacker_imports_nothing_from_the_project() -> None:
    """It must work from the published files alone: no suppression code, no marts, and not
    the tests' own truth."""
    allowed = {"numpy", "pandas", "scipy", "__future__"}
    for name in ATTACKER_MODULES:
        tree = ast.parse((HERE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: only the attacker's own modules
                    assert node.module != "truth" and node.module != "conftest", name
                    assert f"{node.module}.py" in ATTACKER_MODULES or node.module is None, name
                    continue
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top in allowed or top in _stdlib(), f"{name} imports {module}"
                assert top not in ("assets", "pipelines", "tools", "tests", "duckdb"), name


def _stdlib() -> set[str]:
    import sys

    return set(sys.stdlib_module_names)


# -- sound: what it claims is true, and its equations hold ------------------------------------


def test_the_attackers_equations_hold_for_the_true_counts(sample_published: Published) -> None:
    """Every equation and bound the attacker derives (totals across tables, changes, rates,
    reference, q-values, order, report text) holds for the true counts; otherwise its
    findings would mean nothing."""
    truth = Truth(sample_published.db)
    tables = read_public(sample_published.public)
    model, _ = build_model(tables, read_report(sample_published.report))
    assert len(model.constraints) > 500
    routes = {c.route for c in model.constraints}
    # Change and report constraints arise only where a change is published beside a hidden
    # count, which the protection no longer does; the route tests below plant them.
    assert {"totals", "reference"} <= routes, routes
    broken = []
    for c in model.constraints:
        value = sum(coef * truth(k) for k, coef in c.terms.items())
        if not c.lo - 1e-6 * max(1, abs(c.lo)) <= value <= c.hi + 1e-6 * max(1, abs(c.hi)):
            broken.append(f"{c.text}: {value} not in [{c.lo}, {c.hi}]")
    for key, bounds in model.bounds.items():
        for lo, hi, _, text in bounds:
            if not lo - 1e-6 <= truth(key) <= hi + 1e-6:
                broken.append(f"{text}: true {truth(key)} not in [{lo}, {hi}]")
    assert not broken, "\n".join(broken[:5])


def test_every_value_the_attacker_claims_is_true(sample_published: Published) -> None:
    truth = Truth(sample_published.db)
    findings = attack(sample_published.public, sample_published.report)
    _assert_true(findings, truth)


# -- the attacker recovers nothing from real builds (fails while the suppression leaks) --------


@pytest.mark.attacker
def test_the_sample_leaks_nothing(sample_published: Published) -> None:
    findings = attack(sample_published.public, sample_published.report)
    assert not findings, message(findings)


@pytest.mark.attacker
@pytest.mark.slow
def test_sweden_leaks_nothing(sweden_published: Published) -> None:
    findings = attack(sweden_published.public, sweden_published.report)
    _assert_true(findings, Truth(sweden_published.db))
    assert not findings, message(findings)


AREAS = "omrade_id;omrade_namn;kommun;omradesteam\n" + "".join(
    f"P{i};Plats {i};Provstad;{'ja' if i % 2 else 'nej'}\n" for i in range(1, 6)
)
CATEGORIES = (
    "brottskategori;tema;signalbrott\n"
    "Stöld;egendomsbrott;nej\n"
    "Klotter;skadegörelse;ja\n"
    "Hot;våld i offentlig miljö;nej\n"
    "Narkotikabrott, innehav;narkotika;nej\n"
)
THEMES = (
    "tema;beskrivning\negendomsbrott;Stölder\nskadegörelse;Klotter\n"
    "våld i offentlig miljö;Våld ute\nnarkotika;Narkotikabrott\n"
)


def _planted_crime() -> str:
    """Mostly 1s and 2s with a few larger counts per area × theme, two years (changes)."""
    lines = ["omrade_id;manad;brottskategori;antal"]
    pattern = [1, 2, 7, 1, 0, 12, 2, 1, 5, 2, 1, 30, 2, 4, 1, 3, 9]
    i = 0
    for year in (2023, 2024):
        for area in range(1, 6):
            for category in ("Stöld", "Klotter", "Hot", "Narkotikabrott, innehav"):
                count = pattern[i % len(pattern)]
                month = ("01", "05", "09", "12")[i % 4]
                i += 1
                if count:
                    lines.append(f"P{area};{year}-{month};{category};{count}")
        lines.append(f"P1;{year}-12;Stöld;3")  # December: complete years
    lines.append("X9;2024-05;Stöld;2")  # no such area: quarantined, not okant
    return "\n".join(lines) + "\n"


def _planted_referrals() -> str:
    """Orosanmälningar and SIG by source, with age bands and sexes: small counts."""
    lines = ["omrade_id;manad;typ;kalla;aldersgrupp;kon;antal"]
    counts = [1, 3, 0, 2, 6, 1, 0, 4, 9, 2, 1, 1, 7, 3]
    i = 0
    for year in (2023, 2024):
        for area in range(1, 6):
            for kind, ages in (("orosanmalan", ("0-12", "13-17")), ("sig", ("13-17", "18-25"))):
                for source in ("polis", "skola", "socialtjanst"):
                    count = counts[i % len(counts)]
                    age, sex = ages[i % 2], ("K", "M")[(i // 2) % 2]
                    i += 1
                    if count:
                        lines.append(f"P{area};{year}-04;{kind};{source};{age};{sex};{count}")
    return "\n".join(lines) + "\n"


def _planted_population() -> str:
    lines = ["omrade_id;ar;aldersgrupp;kon;antal"]
    for year in (2023, 2024):
        for area in range(1, 6):
            for age, size in (("0-12", 60), ("13-17", 30), ("18-24", 40), ("25-64", 200)):
                for sex in ("kvinnor", "man"):
                    lines.append(f"P{area};{year};{age};{sex};{size * area + year % 7}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def planted_published(tmp_path_factory, write_raw, base_files, build_raw) -> Published:
    from .conftest import render_report

    raw = write_raw(
        tmp_path_factory.mktemp("attacker_raw"),
        base_files(
            **{
                "omraden/omraden.csv": AREAS,
                "referens/brottskategorier.csv": CATEGORIES,
                "referens/teman.csv": THEMES,
                "brott/brott.csv": _planted_crime(),
                "orosanmalningar/oro.csv": _planted_referrals(),
                "befolkning/befolkning.csv": _planted_population(),
            }
        ),
    )
    run = build_raw(raw, tmp_path_factory.mktemp("attacker_marts") / "marts")
    assert not run.errors(), run.errors()
    html = render_report(run.published, tmp_path_factory.mktemp("attacker_report"))
    return Published(run.marts_dir / "public", html, run.published)


def test_the_planted_folder_hides_small_counts(planted_published: Published) -> None:
    tables = read_public(planted_published.public)
    model, _ = build_model(tables)
    kinds = {key[0] for key in model.hidden}
    assert {"c", "r"} <= kinds, kinds
    assert sum(1 for k in model.hidden if k[0] == "r" and k[2] == "sig") >= 5


@pytest.mark.attacker
def test_planted_small_counts_leak_nothing(planted_published: Published) -> None:
    findings = attack(planted_published.public, planted_published.report)
    _assert_true(findings, Truth(planted_published.db))
    assert not findings, message(findings)


# -- each route: switch one protection off, and the attacker catches it ------------------------


def _caught(findings, truth: Truth, route: str | None = None):
    _assert_true(findings, truth)
    hits = [f for f in findings if route is None or f.route == route]
    assert hits, f"the attacker missed the planted leak ({route}): {summary(findings)}"
    return hits


def test_ordering_route(sample_published: Published, tmp_path: Path) -> None:
    """priority sorted by the true rank (score, funnel position, count), hidden rows in
    place: a hidden row between two rows of equal score and funnel position has a count
    between theirs."""
    weak = sample_published.copy(tmp_path)
    truth = Truth(weak.db)
    path = weak.public / "priority.csv"
    frame = _read(path)
    rank = truth.priority.assign(year=truth.priority["year"].astype(str))
    frame = frame.merge(
        rank[["year", "area_id", "theme", "score", "funnel_position", "crime_count"]].rename(
            columns={"score": "_score", "funnel_position": "_position", "crime_count": "_count"}
        ),
        on=["year", "area_id", "theme"],
    )
    # The mart's order (score, funnel position, count), residual themes among the others:
    # their rank is NULL now, but their order would leak the same way.
    frame["_rank"] = (
        frame.assign(_p=frame["_position"].astype(float).fillna(-9))
        .sort_values(
            ["year", "_score", "_p", "_count", "area_id", "theme"],
            ascending=[True, False, False, False, True, True],
            kind="mergesort",
        )
        .groupby("year")
        .cumcount()
        .reindex(frame.index)
    )
    # The protection off, as before the fix: the mart's scores and positions beside every
    # shown count (the public table now scores published inputs only), rows in rank order.
    shown = frame["crime_count"] != ".."
    frame.loc[shown, "score"] = frame.loc[shown, "_score"].astype(int).astype(str)
    frame.loc[shown, "funnel_position"] = (
        frame.loc[shown, "_position"].astype(float).astype(int).astype(str)
    )
    _write(
        frame.sort_values(["year", "_rank"]).drop(
            columns=["_rank", "_score", "_position", "_count"]
        ),
        path,
    )
    hits = _caught(attack(weak.public, routes=["ordering"]), truth, "ordering")
    assert any(f.status == DISCLOSED for f in hits)
    assert all(any(c.table == "priority" for c in f.cells) for f in hits)
    # The fix: rows in the order of their keys. Then the order says nothing.
    _write(_read(path).sort_values(["year", "area_id", "theme"]), path)
    assert not attack(weak.public, routes=["ordering"])


def test_smoothed_route(sample_published: Published, tmp_path: Path) -> None:
    """Unrounded Marshall rates with the prior over ALL areas (hidden ones too) give m and
    A, and with the populations the hidden counts follow."""
    weak = sample_published.copy(tmp_path)
    truth = Truth(weak.db)
    path = weak.public / "area_theme_year.csv"
    frame = _read(path)
    true = truth.area_theme_year.assign(year=truth.area_theme_year["year"].astype(str))
    merged = frame.merge(
        true[["year", "area_id", "theme", "smoothed_per_1000"]].rename(
            columns={"smoothed_per_1000": "_true"}
        ),
        on=["year", "area_id", "theme"],
        how="left",
    )
    shown = (merged["smoothed_per_1000"] != "..") & merged["_true"].notna()
    merged.loc[shown, "smoothed_per_1000"] = merged.loc[shown, "_true"].map(_text)
    _write(merged.drop(columns="_true"), path)
    hits = _caught(attack(weak.public, routes=["smoothed"]), truth, "smoothed")
    assert sum(f.status == DISCLOSED for f in hits) >= 5
    # The fix: the prior from the shown areas only. Then the rates say nothing hidden.
    frame = _read(path)
    parts = frame[
        ~frame["area_id"].isin([TOTAL, "okant"])
        & (frame["theme"] != TOTAL)
        & frame["population"].str.isdigit()
        & frame["crime_count"].str.isdigit()
    ]
    for _, rows in parts.groupby(["year", "theme"]):
        k = rows["crime_count"].astype(float).to_numpy()
        n = rows["population"].astype(float).to_numpy()
        if n.sum() > 0 and (n > 0).all():
            frame.loc[rows.index, "smoothed_per_1000"] = [
                _text(v) for v in marshall(k[None, :], n)[0] * 1000
            ]
    _write(frame, path)
    assert not attack(weak.public, routes=["smoothed"])


def test_known_zeros_with_totals_route(sample_published: Published, tmp_path: Path) -> None:
    """A group whose hidden cells are all 1 once the others are shown: total − shown parts
    = the number of hidden cells, and every `..` is at least 1."""
    weak = sample_published.copy(tmp_path)
    truth = Truth(weak.db)
    path = weak.public / "area_referral_year.csv"
    frame = _read(path)
    tables = read_public(weak.public)
    from .model import quantity

    table = tables["area_referral_year"]
    keys = [quantity(table, i, "referral_count") for i in range(len(frame))]
    frame["_true"] = [truth(k) for k in keys]
    planted = None
    for _, rows in frame.groupby(["year", "type", "area_id"]):
        total = rows[rows["source"] == TOTAL]
        hidden = rows[(rows["referral_count"] == "..") & (rows["source"] != TOTAL)]
        ones = hidden[hidden["_true"] == 1]
        if len(total) == 1 and total["referral_count"].iloc[0] != ".." and len(ones) >= 2:
            reveal = hidden.index.difference(ones.index)
            frame.loc[reveal, "referral_count"] = frame.loc[reveal, "_true"].astype(str)
            planted = ones.index
            break
    assert planted is not None, "no group with two hidden 1s in the sample"
    _write(frame.drop(columns="_true"), path)
    findings = attack(weak.public, routes=["totals"])
    _assert_true(findings, truth)
    found = {(f.cells[0].table, f.cells[0].row): f for f in findings}
    for row in planted:
        hit = found.get(("area_referral_year", row))
        assert hit is not None and hit.value == 1 and hit.status == DISCLOSED, hit


def _hidden_previous(frame: pd.DataFrame, themes: pd.DataFrame) -> pd.Series:
    """Rows whose count is shown but the previous year's area × theme count is hidden."""
    hidden = set(
        zip(
            themes.loc[themes["crime_count"] == "..", "year"].astype(int),
            themes.loc[themes["crime_count"] == "..", "area_id"],
            themes.loc[themes["crime_count"] == "..", "theme"],
            strict=True,
        )
    )
    return pd.Series(
        [
            c != ".." and (int(y) - 1, a, t) in hidden
            for y, a, t, c in zip(
                frame["year"], frame["area_id"], frame["theme"], frame["crime_count"], strict=True
            )
        ],
        index=frame.index,
    )


def test_change_route(sample_published: Published, tmp_path: Path) -> None:
    """priority.change_pct put back where area_theme_year hides the previous year:
    previous = count / (1 + change/100)."""
    weak = sample_published.copy(tmp_path)
    truth = Truth(weak.db)
    path = weak.public / "priority.csv"
    frame = _read(path)
    themes = _read(weak.public / "area_theme_year.csv")
    true = truth.priority.assign(year=truth.priority["year"].astype(str))
    merged = frame.merge(
        true[["year", "area_id", "theme", "change_pct"]].rename(columns={"change_pct": "_t"}),
        on=["year", "area_id", "theme"],
    )
    leak = _hidden_previous(merged, themes) & merged["_t"].notna()
    assert leak.sum() >= 3
    merged.loc[leak, "change_pct"] = merged.loc[leak, "_t"].map(_text)
    _write(merged.drop(columns="_t"), path)
    findings = attack(weak.public, routes=["change"])
    hits = _caught(findings, truth)
    assert sum(f.status == DISCLOSED for f in hits) >= 3
    text = message(hits)
    # The message names the cell and the arithmetic that pinned it.
    first = hits[0]
    assert str(first.cells[0]) in text
    assert re.search(r"area_theme_year\[year=\d{4}, area_id=\w+, theme=[^\]]+\]\.crime_count", text)
    assert "change" in text and "/ (1 + change/100)" in text
    assert f"= {first.value}" in text


def test_reference_rate_route(sample_published: Published, tmp_path: Path) -> None:
    """priority's reference rate unrounded: θ·Σn is the sum over the areas with a
    population, and the municipal total minus that is the hidden count of `okant`."""
    weak = sample_published.copy(tmp_path)
    truth = Truth(weak.db)
    path = weak.public / "priority.csv"
    frame = _read(path)
    true = truth.priority.assign(year=truth.priority["year"].astype(str))
    merged = frame.merge(
        true[["year", "area_id", "theme", "reference_rate_per_1000"]].rename(
            columns={"reference_rate_per_1000": "_t"}
        ),
        on=["year", "area_id", "theme"],
    )
    merged["reference_rate_per_1000"] = merged["_t"].map(_text)
    _write(merged.drop(columns="_t"), path)
    # Take the funnel limits away, so that only the priority column tells θ.
    themes = _read(weak.public / "area_theme_year.csv")
    _write(
        themes.drop(columns=[c for c in themes if c.startswith("funnel_")]),
        weak.public / "area_theme_year.csv",
    )
    base = {f.key for f in attack(weak.public, routes=["totals"])}
    findings = attack(weak.public, routes=["totals", "reference"])
    _assert_true(findings, truth)
    new = [f for f in findings if f.key not in base]
    assert any(f.key[2] == "okant" and f.status == DISCLOSED for f in new), summary(findings)


def test_qvalue_route_on_a_purpose_made_table(tmp_path: Path) -> None:
    """A q-value published beside this year's count while last year's 1 is hidden: with the
    populations, the exact conditional test and Benjamini–Hochberg bound the hidden count.

    The sample no longer has such a row (the protection hides the q-value with either year's
    count), so the table is made here, with p and q from scipy. The two-sided test fits a
    window of small and one of large counts, and the attacker keeps their hull (sound, so it
    does not pin the cell on its own: the audit found its 4 q-value cells with the totals).
    """
    from scipy.stats import binomtest

    counts = {"A1": (1, 14), "A2": (10, 10), "A3": (8, 8), "A4": (12, 12)}
    p = {a: binomtest(now, now + before, 0.5).pvalue for a, (before, now) in counts.items()}
    order = sorted(p, key=p.get)
    q: dict[str, float] = {}
    running = 1.0
    for rank in range(len(order), 0, -1):  # BH: q_(i) = min over j >= i of p_(j) m / j
        running = min(running, p[order[rank - 1]] * len(order) / rank)
        q[order[rank - 1]] = running
    rows, years = [], []
    for area, (before, now) in counts.items():
        rows.append((area, "2023", "narkotika", ".." if before < 3 else str(before), ""))
        rows.append((area, "2024", "narkotika", str(now), _text(q[area])))
        years += [(area, "2023", "1000"), (area, "2024", "1000")]
    public = tmp_path / "public"
    public.mkdir()
    columns = ["area_id", "year", "theme", "crime_count", "q_value"]
    _write(pd.DataFrame(rows, columns=columns), public / "area_theme_year.csv")
    _write(pd.DataFrame(years, columns=["area_id", "year", "population"]), public / "area_year.csv")
    hidden = ("c", "2023", "A1", "narkotika", "Totalt")

    def q_bounds() -> list:
        model, _ = build_model(read_public(public), None, ["qvalue"])
        return [b for b in model.bounds.get(hidden, []) if b[2] == "qvalue"]

    found = q_bounds()
    assert found, "the q-value beside 14 and the populations gave no bound"
    lo, hi, _, text = found[0]
    assert lo == 1 <= hi < 100 and "binomtest" in text
    # The protection on: the q-value hidden with last year's count; nothing is derived.
    frame = _read(public / "area_theme_year.csv")
    frame.loc[(frame["area_id"] == "A1") & (frame["year"] == "2024"), "q_value"] = ".."
    _write(frame, public / "area_theme_year.csv")
    assert not q_bounds()


def test_report_text_route(sample_published: Published, tmp_path: Path) -> None:
    """A sentence in the report with a count and its change from the year before, where the
    previous year's count is hidden in the tables: previous = count / (1 + change/100)."""
    weak = sample_published.copy(tmp_path)
    truth = Truth(weak.db)
    themes = _read(weak.public / "area_theme_year.csv")
    areas = _read(weak.public / "area.csv").set_index("area_id")["area_name"]
    parts = themes[~themes["area_id"].isin([TOTAL, "okant"]) & (themes["theme"] != TOTAL)]
    leak = parts[_hidden_previous(parts, themes)].copy()
    leak["n"] = leak["crime_count"].astype(int)
    row = leak[leak["n"] >= 3].sort_values("n").iloc[0]
    prev = truth(("c", str(int(row["year"]) - 1), row["area_id"], row["theme"], TOTAL))
    pct = round((row["n"] - prev) / prev * 100)
    sentence = (
        f"<p>I {areas[row['area_id']]} anmäldes {row['n']} brott inom {row['theme']} "
        f"{row['year']}, 1,0 per 1 000 invånare. Förändringen från {int(row['year']) - 1} "
        f"({pct:+d}\u00a0%) är inte statistiskt säkerställd.</p>"
    ).replace("-", "\u2212", 1 if pct < 0 else 0)
    html = weak.report.read_text(encoding="utf-8").replace("</body>", sentence + "</body>")
    weak.report.write_text(html, encoding="utf-8")
    hits = _caught(attack(weak.public, weak.report, routes=["report"]), truth)
    assert any(
        f.key == ("c", str(int(row["year"]) - 1), row["area_id"], row["theme"], TOTAL)
        and f.lo <= prev <= f.hi
        for f in hits
    ), message(hits)


def test_too_narrow_counts_as_a_disclosure(tmp_path: Path) -> None:
    """\"It is 1 or 2\" is a disclosure too. Two hidden crime counts that sum to 3 are each 1
    or 2: TOO NARROW (threshold 3); summing to 4 they keep 1, 2 or 3 values: protected.
    Referrals (threshold 5): two hidden that sum to 5 keep only 1–4; to 6, 1–5 is enough."""
    (tmp_path / "area_theme_year.csv").write_text(
        "area_id;area_name;year;theme;crime_count\n"
        "A;Ada;2025;t1;..\nA;Ada;2025;t2;..\nA;Ada;2025;t3;7\nA;Ada;2025;Totalt;10\n"
        "B;Bo;2025;t1;..\nB;Bo;2025;t2;..\nB;Bo;2025;t3;5\nB;Bo;2025;Totalt;9\n",
        encoding="utf-8",
    )
    (tmp_path / "area_referral_year.csv").write_text(
        "area_id;area_name;year;type;source;referral_count\n"
        "A;Ada;2025;sig;polis;..\nA;Ada;2025;sig;skola;..\nA;Ada;2025;sig;Totalt;5\n"
        "B;Bo;2025;sig;polis;..\nB;Bo;2025;sig;skola;..\nB;Bo;2025;sig;Totalt;6\n",
        encoding="utf-8",
    )
    found = {(c.table, c.row): f for f in attack(tmp_path) for c in f.cells}
    for row in (0, 1):
        f = found[("area_theme_year", row)]
        assert (f.status, f.lo, f.hi) == (TOO_NARROW, 1, 2), f
        assert "in 1..2" in str(f) and "area_theme_year[year=2025, area_id=A, theme=t" in str(f)
        f = found[("area_referral_year", row)]
        assert (f.status, f.lo, f.hi) == (TOO_NARROW, 1, 4), f
    assert ("area_theme_year", 4) not in found and ("area_theme_year", 5) not in found
    assert ("area_referral_year", 3) not in found and ("area_referral_year", 4) not in found
    # One value left is DISCLOSED.
    (tmp_path / "area_referral_year.csv").write_text(
        "area_id;area_name;year;type;source;referral_count\n"
        "A;Ada;2025;sig;polis;..\nA;Ada;2025;sig;skola;..\nA;Ada;2025;sig;Totalt;2\n",
        encoding="utf-8",
    )
    found = {(c.table, c.row): f for f in attack(tmp_path) for c in f.cells}
    assert found[("area_referral_year", 0)].status == DISCLOSED
    assert found[("area_referral_year", 0)].value == 1


def test_rounded_numbers_are_intervals() -> None:
    from .published import Column

    sig = Column(pd.Series(["148,862", "1,15696", "5", "0,238593"]))
    assert sig.significant == 6
    iv = sig.interval("148,862")
    assert iv.lo < 148.862 < iv.hi and iv.hi - iv.lo == pytest.approx(0.001, rel=1e-6)
    fixed = Column(pd.Series(["148,9", "5,3", "5", "12,0"]))
    assert fixed.significant == 0
    # A value's own decimals: "5" in a column rounded to one decimal was 4,95-5,05 but is
    # read as 4,5-5,5 (the printer drops trailing zeros; wider is sound, narrower is not).
    iv = fixed.interval("5")
    assert iv.lo == pytest.approx(4.5) and iv.hi == pytest.approx(5.5)
    assert np.isclose(fixed.interval("148,9").hi, 148.95)
