"""Values derived from a hidden count are hidden too, checked from outside.

Only the files in data/marts/public/ are read, as anyone downloading them would read them.
Which published column is derived from which count is written down here, independently of
the code that masks them (assets/public/build.py): a rate, an interval bound, a funnel
position, a smoothed rate or a hot-spot class beside a hidden count gives the count back (the
population is published), so in every row whose count is `..` each of them must be `..` or
empty in the CSV, and NULL with `<column>_suppressed` true in the Parquet (statistics.md,
Disclosure control, points 3 and 6). A change or test between two years is hidden when
either year's count is; a five-year trend when any count of its window is.

A public table that gets a column this map does not classify fails
`test_every_public_column_is_classified`, so a new column cannot escape the check silently.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.public.planted import RARE_THEME

T = "Totalt"
HIDDEN = ".."

#: Columns computed from a count of the same row: hidden whenever that count is.
DERIVED_FROM: dict[str, dict[str, tuple[str, ...]]] = {
    "area_year": {
        "crime_count": (
            "crimes_per_1000",
            "crimes_per_1000_ci_low",
            "crimes_per_1000_ci_high",
            "funnel_position",
            "smoothed_per_1000",
            "hotspot",
        ),
        "referral_count": ("referrals_per_1000_0_17",),
        "sig_referral_count": (),
    },
    "area_theme_year": {
        "crime_count": (
            "crimes_per_1000",
            "crimes_per_1000_ci_low",
            "crimes_per_1000_ci_high",
            "funnel_position",
            "smoothed_per_1000",
            "hotspot",
        ),
    },
    # A score row is about one area × theme × year: its count is area_theme_year's.
    "priority": {
        "crime_count": (
            "rank",
            "score",
            "volume_points",
            "volume_ratio",
            "deviation_points",
            "signal_points",
            "crimes_per_1000",
            "rate_ratio",
            "funnel_position",
        ),
    },
    # Survey shares (disclosure rule 5): the share is hidden below the minimum number of
    # respondents, and its interval and its comparison with the municipality with it.
    "area_survey_year": {
        "share_pct": ("ci_low", "ci_high", "kommun_p_value", "kommun_q_value"),
    },
    "area_month": {"crime_count": ()},
    "municipality_theme_month": {"crime_count": ()},
    "municipality_category_year": {"crime_count": ("crimes_per_1000",)},
    "area_referral_year": {"referral_count": ()},
    "referral_year": {"referral_count": ()},
}

#: Changes and their tests: hidden when this year's or the previous year's count is.
CHANGE_OF: dict[str, dict[str, tuple[str, ...]]] = {
    "area_year": {
        "crime_count": ("change_pct", "q_value", "is_significant"),
        "referral_count": ("referral_change_pct", "referral_q_value"),
    },
    "area_theme_year": {"crime_count": ("change_pct", "q_value", "is_significant")},
    "municipality_category_year": {"crime_count": ("change_pct",)},
    # Between two survey years (prev_survey_year, not the year before): see
    # test_a_survey_change_is_hidden_when_the_previous_survey_is_hidden.
    "area_survey_year": {"share_pct": ("change_pp", "p_value", "q_value")},
}

#: Five-year trends (statistics.md): fitted to the counts of the years year − 4 … year, so
#: hidden when any of them is (four shown counts and the slope give the fifth back).
TREND_COLUMNS = ("trend_pct_per_year", "trend_ci_low", "trend_ci_high", "trend_q_value")
TREND_YEARS = 5
WINDOW_OF: dict[str, dict[str, tuple[str, ...]]] = {
    "area_year": {"crime_count": TREND_COLUMNS},
    "area_theme_year": {"crime_count": TREND_COLUMNS},
    # trend_points: 2 for a significant rising trend.
    "priority": {"crime_count": ("trend_pct_per_year", "trend_q_value", "trend_points")},
}

#: Columns computed from a count published in another table, and how its row is found:
#: people_points scores the area's referrals about children (area_year.referral_count).
OTHER_TABLE: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {
    ("priority", "people_points"): ("area_year", "referral_count", ("area_id", "year")),
}

#: Columns of the count tables that no count of the row determines, and why.
NOT_DERIVED: dict[str, dict[str, str]] = {
    "area_year": {
        "area_id": "key",
        "area_name": "label",
        "year": "key",
        "is_complete_year": "whether the year's months are all delivered",
        "population": "published population (the denominator)",
        "referral_rate_basis": "label of the denominator",
        "trend_first_year": "first year with a delivered population in the trend's window",
    },
    "area_theme_year": {
        "area_id": "key",
        "area_name": "label",
        "year": "key",
        "theme": "key",
        "is_complete_year": "whether the year's months are all delivered",
        "population": "published population (the denominator)",
        "trend_first_year": "first year with a delivered population in the trend's window",
        # The funnel limits are not the row's own: see REFERENCE_FROM.
    },
    "priority": {
        "area_id": "key",
        "area_name": "label",
        "year": "key",
        "theme": "key",
        "is_prioritised": "the theme list's prioriteras flag",
        "team_assessment": "the area team's own assessment, not a count",
    },
    "area_survey_year": {
        "area_id": "key",
        "area_name": "label",
        "year": "key",
        "question": "key",
        "question_text": "the question's wording (reference list)",
        "high_share_is_worse": "the question's direction (reference list)",
        "sex": "key",
        "respondents": "published number of respondents (disclosure rule 5)",
        "ci_source": "whether the interval is the survey's own or Wilson's",
        "prev_survey_year": "which earlier survey year a change compares with",
    },
    "area_month": {"area_id": "key", "area_name": "label", "year": "key", "month": "key"},
    "municipality_theme_month": {"year": "key", "theme": "key", "month": "key"},
    "municipality_category_year": {
        "year": "key",
        "theme": "key",
        "crime_category": "key",
        "is_signal_crime": "the reference list's flag",
        "is_complete_year": "whether the year's months are all delivered",
        "population": "published population (the denominator)",
    },
    "area_referral_year": {
        "area_id": "key",
        "area_name": "label",
        "year": "key",
        "type": "key",
        "source": "key",
    },
    "referral_year": {
        "year": "key",
        "type": "key",
        "age_group": "key",
        "age_min": "bound of the age band",
        "age_max": "bound of the age band",
        "sex": "key",
    },
}

#: Columns computed from the municipality's count of the same theme and year (the `Totalt`
#: row; area_year's theme is `Totalt`), in every area's row: they give that count back when
#: it is hidden. The funnel limits are Poisson quantiles of population × municipal rate, a
#: funnel position or a rate ratio compares with it, the reference rate is it. The smoothed
#: rate is not here: its prior must come from the shown areas only (with the municipal rate
#: as prior it *is* that rate under Marshall's clamp, which the planted case caught on the
#: build before the lineage rework: 0,166667 per 1 000 beside a hidden 1 crime in 6 000).
REFERENCE_FROM: dict[str, tuple[str, ...]] = {
    # funnel_tau2 is estimated around the reference (from the shown areas' counts).
    "area_year": ("funnel_position", "funnel_tau2", "reference_per_1000"),
    "area_theme_year": (
        "funnel_tau2",
        "reference_per_1000",
        "funnel_low_998",
        "funnel_low_95",
        "funnel_high_95",
        "funnel_high_998",
        "funnel_position",
    ),
    "priority": (
        "reference_rate_per_1000",
        "rate_ratio",
        "funnel_position",
        "mean_area_count",
        "volume_ratio",
        "volume_points",
        "deviation_points",
    ),
}

#: The municipality's survey share beside every area's row: the kommun row's share, or, without
#: one, the areas' respondent-weighted mean (which gives a hidden area's share back beside the
#: published shares and respondents). See test_the_municipal_survey_share_is_hidden_with_its_input.
SURVEY_REFERENCE_FROM = ("kommun_share_pct", "kommun_p_value", "kommun_q_value")

#: Non-text columns of the tables without counts about people, and what they hold.
PLAIN_NUMBERS: dict[str, dict[str, str]] = {
    "area": {"has_area_team": "flag", "area_km2": "land area", "has_geometry": "flag"},
    "area_geometry": {"centroid_lon": "coordinate", "centroid_lat": "coordinate"},
    "theme": {"sort_order": "order", "is_listed": "flag", "is_prioritised": "flag"},
    "priority_rule": {"rule_order": "order", "points": "rule's points"},
    "area_team": {
        "period_start": "date",
        "period_end": "date",
        "year": "key",
        "assessment": "the team's assessment 1-5",
        "activities": "the team's activities",
        # On main after the publiceras rework; absent here, which this map allows for the
        # tables without counts.
        "observation_withheld": "flag: an observation exists but is not approved",
    },
    "data_quality": {
        "rows_read": "rows of a delivered file",
        "rows_accepted": "rows of a delivered file",
        "rows_quarantined": "rows of a delivered file",
        "rows_superseded": "rows of a delivered file",
        "rows_suppressed_at_source": "rows of a delivered file",
        "rows_screened": "rows of a delivered file",
        "rows_text_truncated": "rows of a delivered file",
        "first_year": "year",
        "last_year": "year",
    },
    "quarantine_summary": {
        "rows": "rows of a delivered file",
        "first_year": "year",
        "last_year": "year",
    },
    "coverage": {
        "first_year": "year",
        "last_year": "year",
        "last_complete_year": "year",
        "last_month": "date",
        "areas": "number of areas",
        "areas_with_geometry": "number of areas",
    },
}

#: Columns a parallel rework may drop; absent is fine, present must be classified.
MAY_BE_DROPPED = {("priority", "rank")}

#: How the rows of a count table are named (to find the same entity a year earlier).
ENTITY = {
    "area_year": ("area_id",),
    "area_theme_year": ("area_id", "theme"),
    "priority": ("area_id", "theme"),
    "municipality_category_year": ("theme", "crime_category"),
}


def read_csv(folder: Path, table: str) -> pd.DataFrame:
    """A public CSV as the outside world reads it: '..' is hidden, empty is not available."""
    return pd.read_csv(folder / f"{table}.csv", sep=";", dtype=str, keep_default_na=False)


def read_parquet(folder: Path, table: str) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        return con.execute("SELECT * FROM read_parquet(?)", [str(folder / f"{table}.parquet")]).df()
    finally:
        con.close()


def parquet_types(folder: Path, table: str) -> dict[str, str]:
    con = duckdb.connect()
    try:
        rows = con.execute(
            "DESCRIBE SELECT * FROM read_parquet(?)", [str(folder / f"{table}.parquet")]
        ).fetchall()
    finally:
        con.close()
    return {name: kind for name, kind, *_ in rows}


def classified(table: str) -> set[str]:
    """Every column the maps above name for ``table``."""
    names = set(NOT_DERIVED.get(table, {})) | set(PLAIN_NUMBERS.get(table, {}))
    for count, derived in DERIVED_FROM.get(table, {}).items():
        names |= {count, *derived}
    for changes in (*CHANGE_OF.get(table, {}).values(), *WINDOW_OF.get(table, {}).values()):
        names |= set(changes)
    names |= {column for (t, column) in OTHER_TABLE if t == table}
    if table == "area_survey_year":
        names |= set(SURVEY_REFERENCE_FROM)
    return names | set(REFERENCE_FROM.get(table, ()))


def hidden_in_csv(values: pd.Series) -> pd.Series:
    return values.isin([HIDDEN, ""])


def previous_year_hidden(frames: dict[str, pd.DataFrame], table: str, count: str) -> pd.Series:
    """True where the same entity's count a year earlier is hidden (by the file's marking)."""
    frame = frames[table]
    keys = list(ENTITY[table])
    # priority has rows for complete years only, and its count is area_theme_year's: the
    # previous year's count is looked up there.
    source = frames["area_theme_year"] if table == "priority" else frame
    before = source[[*keys, "year", f"_hidden_{count}"]].copy()
    before["year"] = before["year"].astype(int) + 1
    this = frame[[*keys, "year"]].assign(year=frame["year"].astype(int))
    merged = this.merge(before, on=[*keys, "year"], how="left", validate="many_to_one")
    return pd.Series(merged[f"_hidden_{count}"].fillna(False).astype(bool).to_numpy(), frame.index)


def window_hidden(frames: dict[str, pd.DataFrame], table: str, count: str) -> pd.Series:
    """True where the same entity's count in any year of the trend window is hidden."""
    frame = frames[table]
    keys = list(ENTITY[table])
    source = frames["area_theme_year"] if table == "priority" else frame
    this = frame[[*keys, "year"]].assign(year=frame["year"].astype(int))
    out = pd.Series(False, index=frame.index)
    for back in range(TREND_YEARS):
        earlier = source[[*keys, "year", f"_hidden_{count}"]].copy()
        earlier["year"] = earlier["year"].astype(int) + back
        merged = this.merge(earlier, on=[*keys, "year"], how="left", validate="many_to_one")
        out |= merged[f"_hidden_{count}"].fillna(False).astype(bool).to_numpy()
    return out


@pytest.fixture(scope="module", params=["sample", "planted"])
def public(request) -> Path:
    """Both the sample and the planted municipality (tests/public/planted.py)."""
    if request.param == "planted":
        return request.getfixturevalue("planted")
    return request.getfixturevalue("sample_build").settings.marts_path / "public"


def test_every_public_column_is_classified(public) -> None:
    """A new numeric column in a public table must be placed in the maps above; in the
    tables with counts every column must, text too (a hot-spot class is text)."""
    tables = sorted(p.stem for p in public.glob("*.parquet"))
    assert set(tables) == set(NOT_DERIVED) | set(PLAIN_NUMBERS), "a public table came or went"
    unclassified, missing, stray_flags = [], [], []
    for table in tables:
        types = parquet_types(public, table)
        names = classified(table)
        for column, kind in types.items():
            if column.endswith("_suppressed"):
                base = column.removesuffix("_suppressed")
                if base in NOT_DERIVED.get(table, {}) or base not in names:
                    stray_flags.append(f"{table}.{column}")
                continue
            counted = table in DERIVED_FROM
            # A column of an empty table is typed "NULL" (area_geometry without geometry).
            if column not in names and (counted or kind not in ("VARCHAR", '"NULL"')):
                unclassified.append(f"{table}.{column} ({kind})")
        missing += [
            f"{table}.{c}"
            for c in names - set(types)
            if (table, c) not in MAY_BE_DROPPED and table in DERIVED_FROM
        ]
    assert not unclassified, f"public columns the derived-value map does not know: {unclassified}"
    assert not missing, f"the map names columns the public files do not have: {missing}"
    assert not stray_flags, (
        f"suppression flags on columns the map says are not derived: {stray_flags}"
    )


def _csv_frames(public: Path) -> dict[str, pd.DataFrame]:
    frames = {t: read_csv(public, t) for t in DERIVED_FROM}
    for table, counts in DERIVED_FROM.items():
        for count in counts:
            frames[table][f"_hidden_{count}"] = frames[table][count] == HIDDEN
    return frames


def _parquet_frames(public: Path) -> dict[str, pd.DataFrame]:
    frames = {t: read_parquet(public, t) for t in DERIVED_FROM}
    for table, counts in DERIVED_FROM.items():
        frame = frames[table]
        for count in counts:
            flag = f"{count}_suppressed"
            assert flag in frame, f"{table}.parquet has no {flag}"
            frame[f"_hidden_{count}"] = frame[flag].fillna(False).astype(bool)
            hidden = frame[frame[f"_hidden_{count}"]]
            assert hidden[count].isna().all(), f"{table}.parquet: {flag} true, {count} not NULL"
    return frames


def _csv_leaks(frame: pd.DataFrame, rows: pd.Series, columns: tuple[str, ...]) -> list[str]:
    leaks = []
    for column in columns:
        if column not in frame:
            continue
        shown = rows & ~hidden_in_csv(frame[column])
        if shown.any():
            first = frame[shown].iloc[0]
            leaks.append(
                f"{column}: {int(shown.sum())} rows, e.g. {first.get('area_id')} "
                f"{first.get('theme', '')} {first['year']} = {first[column]}"
            )
    return leaks


def _parquet_leaks(frame: pd.DataFrame, rows: pd.Series, columns: tuple[str, ...]) -> list[str]:
    leaks = []
    for column in columns:
        if column not in frame:
            continue
        flag = f"{column}_suppressed"
        shown = rows & frame[column].notna()
        unflagged = rows & ~(frame[flag].fillna(False).astype(bool) if flag in frame else False)
        if shown.any():
            leaks.append(f"{column}: not NULL in {int(shown.sum())} rows")
        if unflagged.any():
            leaks.append(f"{flag}: missing or false in {int(unflagged.sum())} rows")
    return leaks


def _leaks(
    public: Path, table: str, hidden_rows, columns_of, where: str = "{count} is hidden"
) -> list[str]:
    """Every CSV and Parquet cell of ``columns_of(count)`` shown in ``hidden_rows``."""
    leaks = []
    for fmt, frames, find in (
        ("csv", _csv_frames(public), _csv_leaks),
        ("parquet", _parquet_frames(public), _parquet_leaks),
    ):
        frame = frames[table]
        for count in DERIVED_FROM[table]:
            rows = hidden_rows(frames, table, count)
            found = find(frame, rows, columns_of(count))
            leaks += [f"{table}.{fmt}, where {where.format(count=count)}: {x}" for x in found]
    return leaks


def _own_year(frames: dict[str, pd.DataFrame], table: str, count: str) -> pd.Series:
    return frames[table][f"_hidden_{count}"]


@pytest.mark.parametrize("table", sorted(DERIVED_FROM))
def test_values_derived_from_a_hidden_count_are_hidden(public, table) -> None:
    """Rates, bounds, funnel positions, smoothed rates, hot spots, scores and (this year's
    side of) changes: `..` or empty in the CSV, NULL and flagged in the Parquet."""

    def columns(count: str) -> tuple[str, ...]:
        return DERIVED_FROM[table][count] + CHANGE_OF.get(table, {}).get(count, ())

    leaks = _leaks(public, table, _own_year, columns)
    assert not leaks, "published beside a hidden count:\n" + "\n".join(leaks)


@pytest.mark.parametrize("table", ["area_year", "area_theme_year"])
def test_a_change_is_hidden_when_the_previous_year_is_hidden(public, table) -> None:
    """A change beside this year's count gives last year's hidden count back."""
    leaks = _leaks(
        public,
        table,
        previous_year_hidden,
        lambda c: CHANGE_OF.get(table, {}).get(c, ()),
        where="last year's {count} is hidden",
    )
    assert not leaks, "a change published beside last year's hidden count:\n" + "\n".join(leaks)


@pytest.mark.parametrize("table", sorted(WINDOW_OF))
def test_a_trend_is_hidden_when_any_year_of_its_window_is_hidden(public, table) -> None:
    """A five-year trend beside four shown counts gives the fifth back (the sample's trends
    have windows with a hidden year in 90 of 180 rows of 2025)."""
    leaks = _leaks(
        public,
        table,
        window_hidden,
        lambda c: WINDOW_OF[table].get(c, ()),
        where="a {count} of the trend's window is hidden",
    )
    assert not leaks, "a trend published beside a hidden count of its window:\n" + "\n".join(leaks)


def test_values_from_a_hidden_municipal_count_are_hidden(public) -> None:
    """Funnel limits and positions, rate ratios and the reference rate come from the
    municipality's count for the theme: where that `Totalt` count is hidden, they are hidden
    in every area's row (the reference rate times the municipal population is the count).
    The sample hides no municipal theme count; the planted municipality does
    (planted.RARE_THEME)."""
    leaks = []
    for fmt, frames, find in (
        ("csv", _csv_frames(public), _csv_leaks),
        ("parquet", _parquet_frames(public), _parquet_leaks),
    ):
        whole = frames["area_theme_year"]
        whole = whole.loc[whole["area_id"] == T, ["year", "theme", "_hidden_crime_count"]]
        whole = whole.assign(year=whole["year"].astype(int))
        for table, columns in REFERENCE_FROM.items():
            frame = frames[table]
            theme = frame.get("theme", T)  # area_year: all themes
            keys = pd.DataFrame({"year": frame["year"].astype(int), "theme": theme})
            merged = keys.merge(whole, on=["year", "theme"], how="left", validate="many_to_one")
            rows = pd.Series(
                merged["_hidden_crime_count"].fillna(False).to_numpy(bool), frame.index
            )
            leaks += [
                f"{table}.{fmt}, municipal count hidden: {x}" for x in find(frame, rows, columns)
            ]
    assert not leaks, "published beside a hidden municipal count:\n" + "\n".join(leaks)


def test_values_from_a_count_in_another_table_are_hidden(public) -> None:
    """priority.people_points scores the area's referrals about children: it is hidden where
    area_year's referral count for that area and year is."""
    leaks = []
    for fmt, frames, find in (
        ("csv", _csv_frames(public), _csv_leaks),
        ("parquet", _parquet_frames(public), _parquet_leaks),
    ):
        for (table, column), (source, count, keys) in OTHER_TABLE.items():
            frame = frames[table]
            other = frames[source][[*keys, f"_hidden_{count}"]]
            other = other.assign(year=other["year"].astype(int))
            this = frame[list(keys)].assign(year=frame["year"].astype(int))
            merged = this.merge(other, on=list(keys), how="left", validate="many_to_one")
            rows = pd.Series(merged[f"_hidden_{count}"].fillna(False).to_numpy(bool), frame.index)
            found = find(frame, rows, (column,))
            leaks += [f"{table}.{fmt}, {source}.{count} hidden: {x}" for x in found]
    assert not leaks, "published beside a hidden count of another table:\n" + "\n".join(leaks)


def test_csv_and_parquet_hide_the_same_values(public) -> None:
    """One rule, two formats: a value is `..` in the CSV exactly where the Parquet flags it."""
    csv, parquet = _csv_frames(public), _parquet_frames(public)
    differ = []
    for table in DERIVED_FROM:
        keys = [
            c
            for c in (
                "area_id",
                "year",
                "theme",
                "crime_category",
                "month",
                "type",
                "source",
                "age_group",
                "question",
                "sex",
            )
            if c in csv[table]
        ]
        left = csv[table].set_index(keys)
        right = parquet[table].astype({k: str for k in keys}).set_index(keys)
        assert left.index.is_unique and len(left) == len(right), table
        right = right.reindex(left.index)
        for column in classified(table) & set(left.columns):
            flag = f"{column}_suppressed"
            flagged = right[flag].fillna(False).astype(bool) if flag in right else False
            dots = left[column] == HIDDEN
            n = int((dots != flagged).sum())
            if n:
                differ.append(f"{table}.{column}: {n} rows")
    assert not differ, f"'..' in the CSV and the Parquet flag disagree: {differ}"


def test_the_sample_exercises_the_check(sample_build) -> None:
    """Hidden rows exist, and every derived column carries values where its count is shown,
    so an empty value beside a hidden count is not just an empty column."""
    csv = _csv_frames(sample_build.settings.marts_path / "public")
    hidden = {
        (t, c): int(csv[t][f"_hidden_{c}"].sum()) for t in DERIVED_FROM for c in DERIVED_FROM[t]
    }
    assert hidden[("area_theme_year", "crime_count")] >= 100
    assert hidden[("priority", "crime_count")] >= 100
    assert hidden[("area_year", "referral_count")] >= 5
    assert hidden[("area_survey_year", "share_pct")] >= 1
    empty = [
        f"{t}.{column}"
        for t, counts in DERIVED_FROM.items()
        for c, derived in counts.items()
        for column in derived + CHANGE_OF.get(t, {}).get(c, ()) + WINDOW_OF.get(t, {}).get(c, ())
        if column in csv[t] and hidden_in_csv(csv[t].loc[~csv[t][f"_hidden_{c}"], column]).all()
    ]
    assert not empty, f"never filled in the sample: {empty}"


def test_the_planted_municipality_hides_a_municipal_theme_count(planted) -> None:
    """The case the sample lacks: a theme whose count for the whole municipality is hidden."""
    frame = read_csv(planted, "area_theme_year")
    whole = frame[(frame["area_id"] == T) & (frame["theme"] == RARE_THEME)]
    assert (whole["crime_count"] == HIDDEN).all() and len(whole) == 1
    areas = frame[(frame["theme"] == RARE_THEME) & ~frame["area_id"].isin([T, "okant"])]
    assert (areas["crime_count"] != HIDDEN).any(), "other areas' rows are shown"


def _survey_frames(public: Path) -> list[tuple[str, pd.DataFrame]]:
    """area_survey_year as CSV and Parquet, with `_hidden` from the file's own marking."""
    csv = read_csv(public, "area_survey_year")
    csv["_hidden"] = csv["share_pct"] == HIDDEN
    parquet = read_parquet(public, "area_survey_year")
    parquet["_hidden"] = parquet["share_pct_suppressed"].fillna(False).astype(bool)
    for frame in (csv, parquet):
        for column in ("year", "prev_survey_year"):
            # One spelling of a year in both formats ("2021", "<NA>").
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
            frame[column] = frame[column].astype(str)
    return [("csv", csv), ("parquet", parquet)]


def _shown(frame: pd.DataFrame, fmt: str, rows: pd.Series, columns: tuple[str, ...]) -> list[str]:
    find = _csv_leaks if fmt == "csv" else _parquet_leaks
    return find(frame, rows, columns)


def test_a_survey_change_is_hidden_when_the_previous_survey_is_hidden(public) -> None:
    """A change beside this survey's share and respondents gives the earlier hidden share
    back; the earlier survey is prev_survey_year (surveys are often every second year)."""
    leaks = []
    keys = ["area_id", "question", "sex"]
    for fmt, frame in _survey_frames(public):
        before = frame[[*keys, "year", "_hidden"]].rename(
            columns={"year": "prev_survey_year", "_hidden": "_prev_hidden"}
        )
        this = frame[[*keys, "prev_survey_year"]]
        merged = this.merge(before, on=[*keys, "prev_survey_year"], how="left")
        rows = pd.Series(merged["_prev_hidden"].fillna(False).to_numpy(bool), frame.index)
        columns = CHANGE_OF["area_survey_year"]["share_pct"]
        leaks += [f"{fmt}: {x}" for x in _shown(frame, fmt, rows, columns)]
    assert not leaks, "a survey change beside an earlier hidden share:\n" + "\n".join(leaks)


def test_the_municipal_survey_share_is_hidden_with_its_input(public) -> None:
    """kommun_share_pct (and the comparison with it) is hidden in every row of a year,
    question and sex where the kommun row's share is hidden, or, without a kommun row, where
    any area's share is."""
    leaks = []
    keys = ["year", "question", "sex"]
    for fmt, frame in _survey_frames(public):
        is_kommun = frame["area_id"] == "kommun"
        kommun = frame[is_kommun].groupby(keys)["_hidden"].any().rename("_k")
        areas = frame[~is_kommun].groupby(keys)["_hidden"].any().rename("_a")
        merged = frame[keys].merge(kommun, on=keys, how="left").merge(areas, on=keys, how="left")
        input_hidden = merged["_k"].where(merged["_k"].notna(), merged["_a"])
        rows = pd.Series(input_hidden.fillna(False).to_numpy(bool), frame.index)
        leaks += [f"{fmt}: {x}" for x in _shown(frame, fmt, rows, SURVEY_REFERENCE_FROM)]
    assert not leaks, "a municipal survey share beside its hidden input:\n" + "\n".join(leaks)
