"""What the report reads: the published, disclosure-controlled tables (``public``) for one year.

Only ``public.*`` of ``<marts>/lagesbild.duckdb`` is read, never ``main.*``: every count there
is exact. And only data for years up to the report year: every query filters on the year,
so that the report for year Y changes only when data for years ≤ Y change (the partial
current year, later deliveries and the run id never reach it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from assets.database import connect
from assets.report.text import change_sentence, fold, trend_sentence

TOTAL = "Totalt"
UNKNOWN_AREA = "okant"

#: Municipalities with at most this many areas get a section per area; larger ones get
#: sections for the areas of the year's top priority rows, and a table of all areas.
MAX_AREAS_WITH_SECTIONS = 60
#: Areas with a section when the municipality is larger than that.
PRIORITY_AREAS_WITH_SECTIONS = 20
#: Key findings: the top priority rows of the year with a shown score of at least this.
FINDING_MIN_SCORE = 3
MAX_FINDINGS = 6
#: Rows of the "Underlag till åtgärdsplan" table.
MAX_ACTION_ROWS = 15

#: The two themes a council typically prioritises, and children and young people,
#: matched on case- and accent-folded names (theme names come from the reference list).
MAIN_THEME_KEYS = {
    "organised": "organiserad brottslighet",
    "violence_close": "mans vald mot kvinnor och vald i nara relationer",
    "children": "barn och unga",
}
#: Fallback words, when a reference list words a theme differently.
MAIN_THEME_WORDS = {
    "organised": ("organiserad",),
    "violence_close": ("nara relation", "mans vald"),
    "children": ("barn och unga",),
}


class ReportYearError(ValueError):
    """The requested year is not a complete year of the published marts."""


@dataclass
class ReportData:
    year: int
    coverage: dict
    areas: pd.DataFrame
    geometry: pd.DataFrame
    themes: pd.DataFrame
    area_year: pd.DataFrame
    theme_year: pd.DataFrame
    area_month: pd.DataFrame
    theme_month: pd.DataFrame
    area_referral: pd.DataFrame
    referral_year: pd.DataFrame
    priority: pd.DataFrame
    priority_rule: pd.DataFrame
    area_team: pd.DataFrame
    data_quality: pd.DataFrame
    quarantine: pd.DataFrame
    years: list[int] = field(default_factory=list)
    section_area_ids: list[str] = field(default_factory=list)
    #: public.municipality_category_year up to the report year (empty for older marts).
    category_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: public.area_survey_year up to the report year (empty without a survey, or with marts
    #: published before the survey table existed).
    survey: pd.DataFrame = field(default_factory=pd.DataFrame)

    # --- derived facts -------------------------------------------------------------

    @property
    def municipality(self) -> str:
        names = self.areas["municipality"].dropna().unique().tolist()
        return names[0] if len(names) == 1 else ""

    @property
    def n_areas(self) -> int:
        return len(self.areas)

    @property
    def has_sections_for_all(self) -> bool:
        return self.n_areas <= MAX_AREAS_WITH_SECTIONS

    @property
    def data_until(self) -> date:
        """min(last month with data, 31 December of the report year)."""
        end = date(self.year, 12, 31)
        last = self.coverage.get("last_month")
        if last is None:
            return end
        last_end = (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date()
        return min(last_end, end)

    def delivered(self, source: str) -> bool:
        """Whether a source delivered accepted rows for the years up to the report year."""
        dq = self.data_quality
        rows = dq[(dq["source"] == source) & (dq["status"].isin(["loaded", "default"]))]
        return bool((rows["rows_accepted"].fillna(0) > 0).any())

    def theme_names(self) -> list[str]:
        return self.themes["theme"].tolist()

    def main_theme(self, key: str) -> str | None:
        """The reference list's name of a main theme, or None when the list lacks it."""
        names = self.theme_names()
        target = MAIN_THEME_KEYS[key]
        for name in names:
            if fold(name) == target:
                return name
        for name in names:
            if any(word in fold(name) for word in MAIN_THEME_WORDS[key]):
                return name
        return None

    def area_name(self, area_id: str) -> str:
        row = self.areas.loc[self.areas["area_id"] == area_id, "area_name"]
        return str(row.iloc[0]) if len(row) else area_id

    def year_rows(self, frame: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
        return frame[frame["year"] == (self.year if year is None else year)]


def _frame(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def _table_exists(con, table: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'public' AND table_name = ?",
        [table],
    ).fetchall()
    return bool(rows and rows[0][0])


def swedish_sort_key(text: str) -> tuple:
    """Sort names as Swedish does: å, ä, ö after z."""
    table = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "é": "e", "ü": "y"})
    return (str(text).casefold().translate(table), str(text))


def load(db_path: Path, year: int) -> ReportData:
    """Every public table the report shows, restricted to years ≤ ``year``."""
    con = connect(db_path, read_only=True)
    try:
        return _load(con, year)
    finally:
        con.close()


def complete_years(db_path: Path) -> list[int]:
    con = connect(db_path, read_only=True)
    try:
        rows = con.execute(
            "SELECT DISTINCT year FROM public.area_year WHERE is_complete_year ORDER BY year"
        ).fetchall()
    finally:
        con.close()
    return [int(r[0]) for r in rows]


def _load(con, year: int) -> ReportData:
    y = [year]
    coverage_rows = _frame(con, "SELECT * FROM public.coverage")
    coverage = coverage_rows.iloc[0].to_dict() if len(coverage_rows) else {}
    coverage = {k: (None if _isna(v) else v) for k, v in coverage.items()}
    complete = (
        _frame(
            con,
            "SELECT DISTINCT year FROM public.area_year WHERE is_complete_year AND year <= ? "
            "ORDER BY year",
            y,
        )["year"]
        .astype(int)
        .tolist()
    )
    if year not in complete:
        raise ReportYearError(
            f"{year} är inte ett helt år i data / {year} is not a complete year in the "
            f"published marts (complete years: {', '.join(map(str, complete)) or 'none'})"
        )

    areas = _frame(con, "SELECT * FROM public.area")
    areas = areas.iloc[
        sorted(range(len(areas)), key=lambda i: swedish_sort_key(areas["area_name"].iloc[i]))
    ]
    areas = areas.reset_index(drop=True)
    geometry = _frame(con, "SELECT * FROM public.area_geometry ORDER BY area_id")
    themes = _frame(con, "SELECT * FROM public.theme ORDER BY sort_order, theme")

    area_year = _frame(
        con, "SELECT * FROM public.area_year WHERE year <= ? ORDER BY area_id, year", y
    )
    area_year = _municipal_change_test(area_year)
    priority = _frame(
        con,
        # The published score orders the findings; ties by the published deviation and count.
        "SELECT * FROM public.priority WHERE year = ? ORDER BY score DESC NULLS LAST, "
        "funnel_position DESC NULLS LAST, crime_count DESC NULLS LAST, area_id, theme",
        y,
    )
    section_ids = _section_areas(areas, priority)
    keep = [TOTAL, UNKNOWN_AREA, *section_ids]
    theme_year = _frame(
        con,
        "SELECT * FROM public.area_theme_year WHERE year <= ? "
        "AND (year >= ? OR list_contains(?, area_id)) ORDER BY area_id, theme, year",
        [year, year - 1, keep],
    )
    area_month = _frame(
        con,
        "SELECT * FROM public.area_month WHERE year <= ? AND list_contains(?, area_id) "
        "ORDER BY area_id, year, month",
        [year, keep],
    )
    theme_month = _frame(
        con,
        "SELECT * FROM public.municipality_theme_month WHERE year <= ? ORDER BY theme, year, month",
        y,
    )
    area_referral = _frame(
        con,
        "SELECT * FROM public.area_referral_year WHERE year <= ? "
        "AND (year = ? OR list_contains(?, area_id)) ORDER BY area_id, year, type, source",
        [year, year, keep],
    )
    referral_year = _frame(
        con,
        "SELECT * FROM public.referral_year WHERE year <= ? ORDER BY year, type, age_group, sex",
        y,
    )
    priority_rule = _frame(con, "SELECT * FROM public.priority_rule ORDER BY rule_order")
    category_year = (
        _frame(
            con,
            "SELECT * FROM public.municipality_category_year WHERE year <= ? "
            "ORDER BY theme, crime_category, year",
            y,
        )
        if _table_exists(con, "municipality_category_year")
        else pd.DataFrame()
    )
    area_team = _frame(
        con,
        "SELECT * FROM public.area_team WHERE year <= ? ORDER BY area_id, period_start, theme",
        y,
    )
    data_quality = _frame(
        con,
        "SELECT * FROM public.data_quality WHERE first_year IS NULL OR first_year <= ?",
        y,
    )
    quarantine = _frame(
        con,
        "SELECT * FROM public.quarantine_summary WHERE first_year IS NULL OR first_year <= ? "
        "ORDER BY source, file, reason",
        y,
    )
    survey = (
        _frame(
            con,
            "SELECT * FROM public.area_survey_year WHERE year <= ? "
            "ORDER BY area_id, question, sex, year",
            y,
        )
        if _table_exists(con, "area_survey_year")
        else pd.DataFrame()
    )
    return ReportData(
        year=year,
        coverage=coverage,
        areas=areas,
        geometry=geometry,
        themes=themes,
        area_year=area_year,
        theme_year=theme_year,
        area_month=area_month,
        theme_month=theme_month,
        area_referral=area_referral,
        referral_year=referral_year,
        priority=priority,
        priority_rule=priority_rule,
        area_team=area_team,
        data_quality=data_quality,
        quarantine=quarantine,
        years=complete,
        section_area_ids=section_ids,
        category_year=category_year,
        survey=survey,
    )


def _municipal_change_test(area_year: pd.DataFrame) -> pd.DataFrame:
    """The whole municipality's change test, where the public row leaves it out.

    ``public.area_year`` publishes the q-value for areas only. For the whole municipality
    the exact conditional test of statistics.md is computed here from its published counts
    and populations (a family of one test, so the q-value is the p-value). Nothing is
    computed where a count is suppressed or missing.
    """
    from assets.stats import rate_change_pvalue

    frame = area_year.copy()
    whole = frame[frame["area_id"] == TOTAL].sort_values("year")
    previous = None
    for index, r in whole.iterrows():
        if (
            previous is not None
            and int(r["year"]) == int(previous["year"]) + 1
            and _isna(r["q_value"])
            and not bool(r.get("q_value_suppressed") or False)
            and not bool(r.get("crime_count_suppressed") or False)
            and not bool(previous.get("crime_count_suppressed") or False)
            and not _isna(r["crime_count"])
            and not _isna(previous["crime_count"])
        ):
            exposure = None if _isna(r["population"]) else float(r["population"])
            exposure_prev = None if _isna(previous["population"]) else float(previous["population"])
            p = float(
                rate_change_pvalue(
                    float(r["crime_count"]),
                    float(previous["crime_count"]),
                    exposure if exposure_prev is not None else None,
                    exposure_prev if exposure is not None else None,
                )
            )
            if p == p:
                frame.loc[index, "q_value"] = p
                if "is_significant" in frame.columns:
                    frame["is_significant"] = frame["is_significant"].astype(object)
                    frame.loc[index, "is_significant"] = p < 0.05
        previous = r
    return frame


def _section_areas(areas: pd.DataFrame, priority: pd.DataFrame) -> list[str]:
    """The areas that get a section of their own, in the order the report shows them."""
    if len(areas) <= MAX_AREAS_WITH_SECTIONS:
        return areas["area_id"].tolist()
    shown = priority[~priority["score_suppressed"].fillna(False).astype(bool)]
    shown = shown[shown["score"].notna() & shown["area_id"].isin(areas["area_id"])]
    ids: list[str] = []
    for area_id in shown["area_id"]:
        if area_id not in ids:
            ids.append(area_id)
        if len(ids) >= PRIORITY_AREAS_WITH_SECTIONS:
            break
    return ids


def _plain(value: object) -> object:
    """numpy scalars as Python values; NaN as None."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
        if isinstance(value, float) and value != value:
            return None
    return value


def _isna(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- reading rows ------------------------------------------------------------------------


def rows(frame: pd.DataFrame) -> list[dict]:
    """A frame as a list of dicts with NaN/NA turned into None.

    Column by column: float columns go through tolist() (Python floats) with NaN as None,
    the rest through _plain. At national scale the report reads ~6,000 areas per year and
    theme, and a call per value was most of its time.
    """
    columns = list(frame.columns)
    values = []
    for column in columns:
        series = frame[column]
        if series.dtype == np.float64:
            values.append([None if v != v else v for v in series.to_numpy().tolist()])
        else:
            values.append([_plain(v) for v in series.to_numpy(dtype=object, na_value=None)])
    return [dict(zip(columns, record, strict=True)) for record in zip(*values, strict=True)]


def row(frame: pd.DataFrame, **keys: object) -> dict | None:
    """The one row of ``frame`` matching every key (column = value), or None."""
    mask = pd.Series(True, index=frame.index)
    for column, value in keys.items():
        mask &= frame[column] == value
    found = rows(frame[mask])
    return found[0] if found else None


def sup(record: dict | None, column: str) -> bool:
    """Whether ``column`` of a row is suppressed (its ``<column>_suppressed`` flag is true)."""
    if record is None:
        return False
    return bool(record.get(f"{column}_suppressed") or False)


def val(record: dict | None, column: str) -> object:
    """The value of a column, or None when the row is missing or the value is suppressed."""
    if record is None or sup(record, column):
        return None
    return record.get(column)


def record_change(year: int, record: dict | None, previous: dict | None = None) -> str:
    """``change_sentence`` for a published row with change_pct, q_value and is_significant.

    ``previous`` is the same key's row a year earlier: with it, a change on small counts is
    written as the two counts.
    """
    return change_sentence(
        year=year,
        change_pct=val(record, "change_pct"),
        change_suppressed=sup(record, "change_pct"),
        q_value=val(record, "q_value"),
        q_suppressed=sup(record, "q_value"),
        is_significant=val(record, "is_significant"),
        count=None if sup(record, "crime_count") else val(record, "crime_count"),
        previous=None if sup(previous, "crime_count") else val(previous, "crime_count"),
    )


def record_trend(frame: pd.DataFrame, record: dict | None, **keys: object) -> str:
    """``trend_sentence`` for a published row with the trend columns.

    ``frame`` holds the same key's earlier years (``keys`` pick them out), whose counts tell
    whether the window's numbers are too small for a trend in percent.
    """
    if record is None:
        return trend_sentence(
            year=0,
            first_year=None,
            pct=None,
            ci_low=None,
            ci_high=None,
            q_value=None,
            suppressed=False,
        )
    year = int(record["year"])
    first = val(record, "trend_first_year")
    counts: list[object] = []
    if first is not None:
        mask = (frame["year"] >= int(first)) & (frame["year"] <= year)  # type: ignore[call-overload]
        for column, value in keys.items():
            mask &= frame[column] == value
        counts = [
            None if sup(r, "crime_count") else r.get("crime_count") for r in rows(frame[mask])
        ]
    return trend_sentence(
        year=year,
        first_year=first,
        pct=val(record, "trend_pct_per_year"),
        ci_low=val(record, "trend_ci_low"),
        ci_high=val(record, "trend_ci_high"),
        q_value=val(record, "trend_q_value"),
        suppressed=sup(record, "trend_pct_per_year"),
        counts=counts,
    )


def record_development(frame: pd.DataFrame, year: int, record: dict | None, **keys: object) -> str:
    """Development over time as the report tells it: the five-year trend first, then the year.

    statistics.md: "The report describes development over time from this trend first. A single
    year's change comes second."
    """
    previous = row(frame, year=year - 1, **keys)
    change = record_change(year, record, previous)
    return f"{record_trend(frame, record, **keys)} {change}"


def previous_rows(frame: pd.DataFrame, year: int, keys: list[str]) -> dict[tuple, dict]:
    """The rows of ``year - 1`` by their ``keys`` (one pass, for tables of many rows)."""
    return {tuple(r[k] for k in keys): r for r in rows(frame[frame["year"] == year - 1])}
