"""A small planted municipality whose every public table with a `Totalt` group holds a cell
that only that table's group protects.

Five areas, one year (2023). Each entry of `ONLY_HERE` names the planted small count and the
one public table whose row or column sums are the only equations it appears in: if that
table's group rule were dropped from the secondary suppression, the count would be alone in
its row and could be recovered by subtraction. The rest of the data is mostly 1s and 2s, the
hardest case for secondary suppression.

`RARE_THEME` has one crime in the whole municipality: its municipal count is hidden, so
everything computed from it (the reference rate, funnel limits and positions) must be hidden
too (tests/public/test_public_derived_outside.py).

`SURVEY` plants the survey's cases the sample lacks: a share hidden in an earlier survey year
(so the later year's change must be hidden) and a hidden kommun row (so the municipality's
share beside every area must be hidden), plus a year without a kommun row whose areas' mean
includes a hidden area.
"""

from __future__ import annotations

from pathlib import Path

AREAS = "omrade_id;omrade_namn\n" + "".join(f"P{i};Plats {i}\n" for i in range(1, 6))
REFERENS = (
    "brottskategori;tema;signalbrott\nStöld;egendomsbrott;nej\nKlotter;skadegörelse;ja\n"
    "Hot;våld i offentlig miljö;nej\nRån;våld i offentlig miljö;nej\nNarkotikabrott;narkotika;nej\n"
)
RARE_THEME = "narkotika"
POPULATION = "omrade_id;ar;aldersgrupp;kon;antal\n" + "".join(
    f"P{i};2023;totalt;totalt;{400 * i}\n" for i in range(1, 6)
)

SURVEY = "omrade_id;ar;fraga;kon;antal_svarande;andel\n" + (
    "P1;2021;otrygg_kvall;totalt;12;40\n"  # too few: hidden, so 2023's change too
    "P2;2021;otrygg_kvall;totalt;150;20\n"  # no kommun row in 2021: the mean includes P1
    "P1;2023;otrygg_kvall;totalt;180;30\n"
    "P2;2023;otrygg_kvall;totalt;160;25\n"
    "kommun;2023;otrygg_kvall;totalt;25;27\n"  # too few: the municipal share is hidden
)

#: The planted cell of each table with groups, by what it counts (for the reader).
ONLY_HERE = {
    "area_month": "P1 in March: 1 crime, the other areas 10 each (municipal March is large)",
    "municipality_theme_month": "threats (Hot) in November: 1 crime, in P2",
    "municipality_category_year": "robbery (Rån) in the year: 1 crime, in P2 (Hot is large)",
    "area_theme_year": "the 1s and 2s of the base pattern (an area's theme in a year)",
    "area_year": "P3's referrals about children 0–17: 1, beside 18–25 referrals in every area",
    "area_referral_year": "P1's referrals from the police: 1 + 3 = 4",
    "referral_year": "girls (K) aged 0–12: 2, in P4",
}


def crime() -> str:
    lines = ["omrade_id;manad;brottskategori;antal"]
    pattern = [1, 2, 7, 1, 0, 12, 2, 1, 5, 2, 1, 30, 2, 4, 1]
    i = 0
    for area in range(1, 6):
        for month in ("2023-01", "2023-05", "2023-09"):
            for category in ("Stöld", "Klotter", "Hot"):
                count = pattern[i % len(pattern)]
                i += 1
                if count:
                    lines.append(f"P{area};{month};{category};{count}")
    # area_month: one area's month is small, every other number in March is large.
    lines.append("P1;2023-03;Stöld;1")
    lines += [f"P{area};2023-03;Stöld;10" for area in range(2, 6)]
    # municipality_theme_month: one theme's month is small for the whole municipality.
    lines += [f"P{area};2023-11;Stöld;10" for area in range(1, 6)]
    lines.append("P2;2023-11;Hot;1")
    # municipality_category_year: one category of a theme is small for the whole year.
    lines.append("P2;2023-09;Rån;1")
    # RARE_THEME: one crime in the whole year.
    lines.append("P5;2023-05;Narkotikabrott;1")
    return "\n".join(lines) + "\n"


def referrals() -> str:
    lines = ["omrade_id;manad;typ;kalla;aldersgrupp;kon;antal"]
    counts = [1, 3, 6, 2, 9, 4, 1, 14, 2, 5]
    i = 0
    for area in range(1, 6):
        for source in ("polis", "skola", "socialtjanst"):
            for sex in ("K", "M"):
                count = counts[i % len(counts)]
                i += 1
                # area_year: P3's 0–17 count is small on its own (its 13–17 rows move to
                # 18–25), and every area has 18–25 referrals, so the 0–17 count is a number of
                # its own, not the same cell as the all-ages total.
                age = "18-25" if area == 3 and (source, sex) != ("socialtjanst", "K") else "13-17"
                lines.append(f"P{area};2023-04;orosanmalan;{source};{age};{sex};{count}")
        lines.append(f"P{area};2023-06;orosanmalan;ovriga;18-25;M;6")
    # referral_year: a small age × sex cell of the whole municipality.
    lines.append("P4;2023-08;orosanmalan;skola;0-12;K;2")
    lines.append("P4;2023-08;orosanmalan;skola;0-12;M;8")
    return "\n".join(lines) + "\n"


def write_raw(raw: Path) -> Path:
    for folder, name, text in (
        ("omraden", "areas.csv", AREAS),
        ("referens", "brottskategorier.csv", REFERENS),
        ("brott", "brott.csv", crime()),
        ("orosanmalningar", "oro.csv", referrals()),
        ("befolkning", "pop.csv", POPULATION),
        ("trygghet", "matning.csv", SURVEY),
    ):
        (raw / folder).mkdir(parents=True, exist_ok=True)
        (raw / folder / name).write_text(text, encoding="utf-8")
    return raw
