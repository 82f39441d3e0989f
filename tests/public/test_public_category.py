"""public.municipality_category_year: the whole municipality's crimes per crime category.

Read as anyone downloading data/marts/public/ reads it, and checked against a researcher's own
sum of main.crime_year (every area, 'okant' included): the categories of a theme add up to the
theme's total, which is the number area_theme_year publishes for the whole municipality; a
category with 1–2 crimes is `..`; and no hidden category can be worked out from the equations
(the attacker of assets/disclosure).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from tests.public.test_public_disclosure import number, pinned_cells, read_public

T = "Totalt"
HIDDEN = ".."
TABLE = "municipality_category_year"


def hand_sums(db: Path) -> pd.DataFrame:
    """Crimes per year, theme and category, summed by hand from main.crime_year."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = con.execute(
            "SELECT c.year, k.theme, c.crime_category, sum(c.crime_count) AS true_count "
            "FROM main.crime_year AS c JOIN main.crime_category AS k USING (crime_category) "
            "GROUP BY ALL"
        ).df()
    finally:
        con.close()
    frame["year"] = frame["year"].astype(str)
    return frame


def test_categories_add_up_to_the_theme_total(sample_build) -> None:
    public = sample_build.settings.marts_path / "public"
    table = read_public(public, TABLE)
    parts = table[table["crime_category"] != T].merge(
        hand_sums(sample_build.db), on=["year", "theme", "crime_category"], how="left"
    )
    shown = parts[parts["crime_count"] != HIDDEN]
    # Every shown category is the researcher's sum (a category without crimes is 0).
    expected = shown["true_count"].fillna(0).astype(int)
    assert (number(shown["crime_count"]).astype(int) == expected).all(), shown[
        number(shown["crime_count"]) != expected
    ].head()
    # A shown change is the researcher's: (this year − the year before) / the year before.
    earlier = hand_sums(sample_build.db).assign(
        year=lambda f: (f["year"].astype(int) + 1).astype(str)
    )
    changes = shown[~shown["change_pct"].isin(["", HIDDEN])].merge(
        earlier, on=["year", "theme", "crime_category"], suffixes=("", "_before")
    )
    assert len(changes) >= 100
    by_hand = (changes["true_count"] - changes["true_count_before"]) / changes["true_count_before"]
    published = number(changes["change_pct"])
    assert ((published - 100 * by_hand).abs() <= 0.5).all(), changes[
        (published - 100 * by_hand).abs() > 0.5
    ][["year", "crime_category", "change_pct"]].head()
    # The 'Totalt' row is the whole municipality's theme count of area_theme_year.
    themes = read_public(public, "area_theme_year")
    whole = themes[(themes["area_id"] == T) & (themes["theme"] != T)]
    totals = table[table["crime_category"] == T].merge(
        whole[["year", "theme", "crime_count"]], on=["year", "theme"], suffixes=("", "_theme")
    )
    assert len(totals) == len(whole) > 0
    assert (totals["crime_count"] == totals["crime_count_theme"]).all()
    # Where nothing of a theme and year is hidden, its categories add up to its total.
    checked = 0
    for (year, theme), group in parts.groupby(["year", "theme"]):
        total = totals[(totals["year"] == year) & (totals["theme"] == theme)]["crime_count"]
        if (group["crime_count"] == HIDDEN).any() or total.iloc[0] == HIDDEN:
            continue
        assert number(group["crime_count"]).sum() == number(total).iloc[0], (year, theme)
        checked += 1
    assert checked >= 40, "the sample should have many fully shown themes"


def test_a_category_with_one_or_two_crimes_is_hidden(sample_build) -> None:
    public = sample_build.settings.marts_path / "public"
    table = read_public(public, TABLE).merge(
        hand_sums(sample_build.db), on=["year", "theme", "crime_category"]
    )
    small = table[table["true_count"].between(1, 2)]
    assert len(small) >= 3, "the sample should have small categories"
    for column in ("crime_count", "crimes_per_1000", "change_pct"):
        assert (small[column] == HIDDEN).all(), small[small[column] != HIDDEN][
            ["year", "crime_category", column]
        ]


def test_no_hidden_category_of_the_sample_is_pinned(sample_build) -> None:
    public = sample_build.settings.marts_path / "public"
    table = read_public(public, TABLE)
    assert (table["crime_count"] == HIDDEN).sum() >= 5
    pinned = pinned_cells(public)
    assert pinned.empty, list(pinned["cell_id"])


def test_the_planted_small_category_is_protected_by_its_theme_total(planted, tmp_path) -> None:
    """The planted robbery (Rån, 1 crime) is hidden and so is its partner threats (Hot),
    since the theme total is published; reveal Hot and the attacker pins Rån: the equation
    'theme total = its categories' is in the suppression."""
    table = read_public(planted, TABLE)
    violence = table[(table["year"] == "2023") & (table["theme"] == "våld i offentlig miljö")]
    by_category = dict(zip(violence["crime_category"], violence["crime_count"], strict=True))
    assert by_category["Rån"] == HIDDEN
    assert by_category["Hot"] == HIDDEN
    assert by_category[T] != HIDDEN, "the planted theme total should be shown"
    assert pinned_cells(planted).empty
    weak = tmp_path / "weak"
    weak.mkdir()
    for csv in planted.glob("*.csv"):
        weak.joinpath(csv.name).write_bytes(csv.read_bytes())
    revealed = table.copy()
    hot = (revealed["year"] == "2023") & (revealed["crime_category"] == "Hot")
    revealed.loc[hot, "crime_count"] = str(
        int(number(violence[violence["crime_category"] == T]["crime_count"]).iloc[0]) - 1
    )
    revealed.to_csv(weak / f"{TABLE}.csv", sep=";", index=False)
    pinned = set(pinned_cells(weak)["cell_id"])
    assert "k|2023|Totalt|våld i offentlig miljö|Rån" in pinned
