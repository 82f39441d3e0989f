"""The public tables: what the report shows and data/marts/public/ publishes, suppressed.

Every count in a public table is a *cell* with an id that names it across all tables, and
each table's `Totalt` rows state *groups* (total = sum of parts). Suppression (assets/
disclosure) runs on all cells and groups of one year at a time: every group lies within a
year, so the result for a year depends only on that year's data (and the report for year Y
does not change when later data arrive). Values derived from a suppressed count (rates,
intervals, changes, q-values, smoothed rates, scores) are suppressed with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from assets.disclosure import flag_column, groups_from_margins, suppress
from assets.public.lineage import PLAIN_TABLES, REFERENCE_FLAG, protect
from assets.public.priority import public_priority
from assets.public.survey import public_survey
from assets.stats import (
    eb_marshall_global_by_group,
    funnel_limits,
    funnel_position,
    overdispersion,
)

SQL_DIR = Path(__file__).parent / "sql"


@dataclass(frozen=True)
class Measure:
    """A count column of a public table, the column with its cell ids, and its kind."""

    value: str
    cell: str
    kind: str  # "crime" or "referral": the primary thresholds differ


@dataclass(frozen=True)
class CountTable:
    """A public table of counts with `Totalt` margins."""

    name: str
    measures: tuple[Measure, ...]
    margins: tuple[str, ...]
    by: tuple[str, ...]


CRIME = Measure("crime_count", "crime_cell", "crime")

#: In build order: later SQL reads the earlier tables (public_<name>) for its totals.
COUNT_TABLES: tuple[CountTable, ...] = (
    CountTable(
        "area_year",
        (
            CRIME,
            Measure("referral_count", "referral_cell", "referral"),
            Measure("sig_referral_count", "sig_referral_cell", "referral"),
        ),
        margins=("area_id",),
        by=("year",),
    ),
    CountTable("area_theme_year", (CRIME,), margins=("area_id", "theme"), by=("year",)),
    CountTable("area_month", (CRIME,), margins=("area_id", "month"), by=("year",)),
    CountTable("municipality_theme_month", (CRIME,), margins=("theme", "month"), by=("year",)),
    # A theme's total (the same cell as area_theme_year's) = the sum of its crime categories.
    CountTable(
        "municipality_category_year",
        (CRIME,),
        margins=("crime_category",),
        by=("year", "theme"),
    ),
    CountTable(
        "area_referral_year",
        (Measure("referral_count", "referral_cell", "referral"),),
        margins=("area_id", "source"),
        by=("year", "type"),
    ),
    CountTable(
        "referral_year",
        (Measure("referral_count", "referral_cell", "referral"),),
        margins=("age_group", "sex"),
        by=("year", "type"),
    ),
)


def build_public(
    con: duckdb.DuckDBPyConnection, *, crime_min: int, referral_min: int, survey_min: int = 30
) -> dict[str, pd.DataFrame]:
    """Every public table, suppressed, as frames; also written to schema `public`."""
    frames: dict[str, pd.DataFrame] = {}
    for table in COUNT_TABLES:
        frames[table.name] = _query(con, table.name)
        con.register(f"public_{table.name}_frame", frames[table.name])
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE public_{table.name} AS "
            f"SELECT * FROM public_{table.name}_frame"
        )
        con.unregister(f"public_{table.name}_frame")
    flags, reference = suppress_by_year(frames, crime_min=crime_min, referral_min=referral_min)
    out: dict[str, pd.DataFrame] = {}
    for table in COUNT_TABLES:
        out[table.name] = _apply(table, frames[table.name], flags, reference)
    out["priority"] = public_priority(
        _query(con, "priority"), out["area_theme_year"], out["area_year"], reference
    )
    out["area_survey_year"] = public_survey(_query(con, "area_survey_year"), survey_min)
    _write(con, out)
    for name in PLAIN_TABLES:
        # Straight from SQL, so dates stay DATE (a pandas round trip makes them timestamps).
        sql = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").rstrip().rstrip(";")
        con.execute(f"CREATE TABLE public.{name} AS {sql}")
        out[name] = con.execute(f"SELECT * FROM public.{name}").df()
    document_public(con)
    return out


#: Suppression flags of one count column of one table, aligned with its frame's rows.
Flags = dict[tuple[str, str], np.ndarray]
#: The reference cell of each (year, theme) (``Totalt`` for all crimes): True when hidden.
Reference = dict[tuple[int, str], bool]


def suppress_by_year(
    frames: dict[str, pd.DataFrame], *, crime_min: int, referral_min: int
) -> tuple[Flags, Reference]:
    """Suppression flag for every published count, decided one year at a time.

    Every table has `year` among its keys, so every `Totalt` equation lies within a year.
    Within a year, a number shown in two tables has one cell id (and must have one value).
    Cells are matched to their id once per year (pd.factorize), and the flags come back by
    position: at national scale, looking ~2 million string ids up again costs more than the
    suppression itself.

    The *reference* of a year and theme (the crimes of the areas with a population, which the
    reference rate, the funnel limits and every comparison with them are made of) is a cell of
    its own: the areas' equation ``Totalt = areas + okant`` becomes ``reference = areas with a
    population`` and ``Totalt = reference + the other areas + okant``, so that the suppression
    decides whether publishing it would give a hidden count back (e.g. a small `okant`).
    """
    flags: Flags = {
        (t.name, m.value): np.zeros(len(frames[t.name]), dtype=bool)
        for t in COUNT_TABLES
        for m in t.measures
    }
    rows_of_year = {t.name: frames[t.name].groupby("year", sort=True).indices for t in COUNT_TABLES}
    whole_0_17 = _whole_0_17_groups(frames)
    reference: Reference = {}
    for year in sorted({y for rows in rows_of_year.values() for y in rows}):
        ids, values, kinds, placed, group_parts = [], [], [], [], []
        for table in COUNT_TABLES:
            positions = rows_of_year[table.name].get(year)
            if positions is None:
                continue
            part = frames[table.name].iloc[positions]
            keys = [*table.margins, *table.by]
            for m in table.measures:
                ids.append(part[m.cell].to_numpy(dtype=object))
                values.append(part[m.value].to_numpy(dtype=np.float64, na_value=np.nan))
                kinds.append(np.full(len(positions), m.kind, dtype=object))
                placed.append(((table.name, m.value), positions))
                labelled = part[keys].astype(str).assign(cell_id=part[m.cell])
                group_parts.append(
                    groups_from_margins(
                        labelled,
                        list(table.margins),
                        by=list(table.by),
                        name=f"{table.name}.{m.value}",
                    )
                )
        group_parts.append(whole_0_17.loc[whole_0_17["year"] == year, list(GROUP_COLUMNS)])
        ref_cells, ref_groups, replaced = _reference_groups(frames["area_theme_year"], year)
        ids.append(ref_cells["cell_id"].to_numpy(dtype=object))
        values.append(ref_cells["value"].to_numpy(dtype=np.float64))
        kinds.append(np.full(len(ref_cells), "crime", dtype=object))
        groups = pd.concat(group_parts, ignore_index=True)
        groups = pd.concat(
            [groups[~groups["group_id"].isin(replaced)], ref_groups], ignore_index=True
        )
        cell_of_row, cell_ids = pd.factorize(np.concatenate(ids))
        value = np.concatenate(values)
        _, first_row = np.unique(cell_of_row, return_index=True)
        _check_one_value_per_cell(cell_ids, cell_of_row, value, first_row)
        cells = pd.DataFrame(
            {
                "cell_id": cell_ids,
                "value": value[first_row],
                "kind": np.concatenate(kinds)[first_row],
            }
        )
        result = suppress(cells, groups, crime_min=crime_min, referral_min=referral_min)
        # suppress() answers in the order of `cells`, i.e. by cell number.
        row_flags = result["suppressed"].to_numpy(dtype=bool)[cell_of_row]
        offset = 0
        for key, positions in placed:
            flags[key][positions] = row_flags[offset : offset + len(positions)]
            offset += len(positions)
        for theme, hidden in zip(
            ref_cells["theme"], row_flags[offset : offset + len(ref_cells)], strict=True
        ):
            reference[(int(year), str(theme))] = bool(hidden)
    return flags, reference


def reference_cell(year: object, theme: object) -> str:
    return f"c|{year}|_areas_with_population|{theme}|Totalt"


def _reference_groups(
    area_themes: pd.DataFrame, year: int
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The reference cells of one year, their two equations, and the area groups they replace.

    ``area_themes`` is the unsuppressed public area_theme_year frame; its ``Totalt`` theme rows
    are the area_year counts, so the reference of all crimes comes with it.
    """
    rows = area_themes[area_themes["year"] == year]
    cells, groups, replaced = [], [], []
    for theme, part in rows.groupby("theme", sort=True):
        total = part[part["area_id"] == "Totalt"]
        counted = part[
            (part["row_kind"] == 1)
            & (part["population"].fillna(0) > 0)
            & part["crime_count"].notna()
        ]
        if total.empty or total["crime_count"].isna().all() or counted.empty:
            continue
        others = part[(part["area_id"] != "Totalt") & ~part.index.isin(counted.index)]
        others = others[others["crime_count"].notna()]
        ref = reference_cell(year, theme)
        cells.append((ref, float(counted["crime_count"].sum()), theme))
        own = f"reference|{theme}|{year}"
        groups.append((f"{own}|areas", ref, "total"))
        groups.extend((f"{own}|areas", c, "part") for c in counted["crime_cell"])
        groups.append((f"{own}|whole", total["crime_cell"].iloc[0], "total"))
        groups.append((f"{own}|whole", ref, "part"))
        groups.extend((f"{own}|whole", c, "part") for c in others["crime_cell"])
        replaced.append(f"area_theme_year.crime_count|area_id|{theme}|{year}")
        if theme == "Totalt":
            replaced.append(f"area_year.crime_count|area_id|{year}")
    return (
        pd.DataFrame(cells, columns=["cell_id", "value", "theme"]),
        pd.DataFrame(groups, columns=list(GROUP_COLUMNS)),
        replaced,
    )


GROUP_COLUMNS = ("group_id", "cell_id", "role")


def _check_one_value_per_cell(
    cell_ids: np.ndarray, cell_of_row: np.ndarray, value: np.ndarray, first_row: np.ndarray
) -> None:
    first = value[first_row][cell_of_row]
    differs = (value != first) & ~(np.isnan(value) & np.isnan(first))
    if differs.any():
        bad = sorted({str(cell_ids[c]) for c in cell_of_row[differs]})[:5]
        raise ValueError(f"one cell id with different values in two tables: {bad}")


def _whole_0_17_groups(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The whole's 0–17 orosanmälningar = the sum of its age bands inside 0–17, all sexes.

    Published in two tables (area_year and referral_year) without a shared `Totalt` row,
    the equation is still there for anyone to use, so it is a group (one per year).
    """
    years = frames["area_year"]
    whole = years[(years["area_id"] == "Totalt") & years["referral_count"].notna()]
    ages = frames["referral_year"]
    bands = ages[
        (ages["type"] == "orosanmalan")
        & (ages["sex"] == "Totalt")
        & (ages["age_group"] != "Totalt")
        & ages["age_max"].notna()
        & (ages["age_min"] >= 0)
        & (ages["age_max"] <= 17)
    ]
    rows = []
    for _, total in whole.iterrows():
        parts = bands[bands["year"] == total["year"]]
        if parts.empty or parts["referral_count"].sum() != total["referral_count"]:
            continue
        group = f"whole_0_17|{total['year']}"
        rows.append((group, total["referral_cell"], "total", total["year"]))
        rows.extend((group, cell, "part", total["year"]) for cell in parts["referral_cell"])
    return pd.DataFrame(rows, columns=[*GROUP_COLUMNS, "year"])


def _apply(
    table: CountTable, frame: pd.DataFrame, flags: Flags, reference: Reference
) -> pd.DataFrame:
    """Hide suppressed counts and, through the lineage model, everything made of them."""
    out = frame.copy()
    if "q_value" in out.columns:
        out["is_significant"] = (out["q_value"] < 0.05).where(out["q_value"].notna())
    exact = out["crime_count"].copy() if "crime_count" in out.columns else None
    for m in table.measures:
        flag = flag_column(m.value)
        out[flag] = flags[(table.name, m.value)]
        out[m.value] = out[m.value].where(~out[flag])
    theme = out["theme"] if "theme" in out.columns else pd.Series("Totalt", index=out.index)
    out[REFERENCE_FLAG] = [
        reference.get((int(y), str(t)), False) for y, t in zip(out["year"], theme, strict=True)
    ]
    if "smoothed_per_1000" in out.columns:
        out["smoothed_per_1000"] = _smoothed_from_shown(out, theme)
    if "funnel_position" in out.columns and exact is not None:
        out = _funnel_from_shown(out, theme, exact)
    # row_kind only orders the rows (areas, okant, Totalt); the order is kept, the key dropped.
    out = out.drop(columns=[m.cell for m in table.measures] + ["row_kind"], errors="ignore")
    entity = [c for c in (*table.margins, *table.by) if c != "year"]
    return protect(table.name, out, tuple(m.value for m in table.measures), entity)


def _funnel_from_shown(frame: pd.DataFrame, theme: pd.Series, exact: pd.Series) -> pd.DataFrame:
    """Funnel limits and positions with the overdispersion estimated from the shown areas.

    The mart's τ² (statistics.md, Overdispersion) is a variance over every area's count, hidden
    ones included, and limits published to one decimal give τ² back. Here θ is the reference of
    all areas with a population (a cell the suppression decides on: when it is hidden, so is
    everything compared with it), and φ and τ² come from the areas whose count is shown, so the
    published limits, positions and ``funnel_tau2`` are made of published numbers only.
    """
    out = frame.copy()
    areas = (out["row_kind"] == 1) & (out["population"].fillna(0) > 0)
    shown = areas & ~out[flag_column("crime_count")]
    tau2 = pd.Series(np.nan, index=out.index)
    theta = pd.Series(np.nan, index=out.index)
    for _, rows in out.groupby([out["year"], theme], sort=False).groups.items():
        rows = pd.Index(rows)
        counted = rows[areas[rows].to_numpy()]
        if counted.empty:
            continue
        # θ is the reference cell: every area's exact count (hidden ones too), published or
        # hidden as that cell is decided.
        reference = float(exact[counted].sum() / out.loc[counted, "population"].sum())
        use = rows[shown[rows].to_numpy()]
        _, _, _, t2 = overdispersion(
            out.loc[use, "crime_count"].to_numpy(dtype=float),
            out.loc[use, "population"].to_numpy(dtype=float),
            theta=reference,
        )
        theta[rows] = reference
        tau2[rows] = t2
    n = out["population"].to_numpy(dtype=float, na_value=np.nan)
    k = out["crime_count"].to_numpy(dtype=float, na_value=np.nan)
    on_area = areas.to_numpy()
    position = funnel_position(k, n, theta.to_numpy(), tau2=tau2.to_numpy())
    out["funnel_position"] = pd.Series(position, index=out.index).where(
        on_area & out["funnel_position"].notna()
    )
    limit_columns = [c for c in FUNNEL_LIMITS if c in out.columns]
    if limit_columns:
        limits = funnel_limits(n, theta.to_numpy(), tau2=tau2.to_numpy())
        for i, column in enumerate(FUNNEL_LIMITS):
            if column in out.columns:
                out[column] = pd.Series(limits[:, i], index=out.index).where(
                    on_area & out[column].notna()
                )
    # NULL (not 0) where no τ² could be estimated: fewer than 3 shown areas, or θ = 0.
    out["funnel_tau2"] = tau2.where(on_area)
    # The reference every comparison uses, on every row of its theme and year (the Totalt row
    # too, where the report reads it); the lineage model hides it with its cell.
    out["reference_per_1000"] = theta * 1000
    return out


#: The funnel limit columns, in the order funnel_limits returns them.
FUNNEL_LIMITS = ("funnel_low_998", "funnel_low_95", "funnel_high_95", "funnel_high_998")


def _smoothed_from_shown(frame: pd.DataFrame, theme: pd.Series) -> pd.Series:
    """Marshall's global empirical-Bayes rate per 1,000, with the prior from the shown areas.

    The mart's smoothed rate takes its prior (the mean and variance of all areas' rates) from
    every area, hidden counts included: two published smoothed rates of a theme and year then
    give the prior, and with it the hidden counts. Here the prior comes from the areas whose
    count is shown, so a published smoothed rate is made of published numbers only.
    """
    areas = (frame["row_kind"] == 1).to_numpy()
    shown = frame["crime_count"].where(~frame[flag_column("crime_count")] & areas)
    smoothed = eb_marshall_global_by_group(
        shown.to_numpy(dtype=float, na_value=np.nan),
        frame["population"].to_numpy(dtype=float, na_value=np.nan),
        (frame["year"].to_numpy(), theme.astype(str).to_numpy()),
    )
    return pd.Series(smoothed * 1000, index=frame.index).where(frame["smoothed_per_1000"].notna())


def _query(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return con.execute((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")).df()


def _write(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> None:
    con.execute("DROP SCHEMA IF EXISTS public CASCADE")
    con.execute("CREATE SCHEMA public")
    for name, frame in tables.items():
        con.register("public_frame", _storable(frame))
        con.execute(f"CREATE TABLE public.{name} AS SELECT * FROM public_frame")
        con.unregister("public_frame")


def _storable(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole-number float columns (counts made float by NULLs) back to nullable integers."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values.dtype) and column.endswith(("_count", "population")):
            finite = values.dropna()
            if finite.empty or np.all(np.floor(finite) == finite):
                out[column] = values.astype("Int64")
    return out


PUBLIC_DOCS = Path(__file__).parent / "docs.yml"


def document_public(con: duckdb.DuckDBPyConnection) -> None:
    """COMMENT ON every public table and column (see docs.yml for the rules)."""
    import yaml

    from assets.marts.runner import docs as mart_docs

    public_docs = yaml.safe_load(PUBLIC_DOCS.read_text(encoding="utf-8"))
    marts = mart_docs()
    any_table = {
        c: text for entry in marts.values() for c, text in (entry.get("columns") or {}).items()
    }
    for (table,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'public'"
    ).fetchall():
        own = public_docs.get(table, {})
        same = (marts.get(table) or {}).get("columns") or {}
        if own.get("description"):
            con.execute(f"COMMENT ON TABLE public.{table} IS {_literal(own['description'])}")
        for (column,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'public' AND table_name = ?",
            [table],
        ).fetchall():
            if column.endswith("_suppressed"):
                base = column.removesuffix("_suppressed")
                text = (
                    f"True when {base} is suppressed to protect individuals "
                    "(NULL here, '..' in CSV and the report)."
                )
            else:
                text = (
                    (own.get("columns") or {}).get(column)
                    or same.get(column)
                    or any_table.get(column)
                )
            if text:
                con.execute(f"COMMENT ON COLUMN public.{table}.{column} IS {_literal(text)}")


def _literal(text: str) -> str:
    return "'" + " ".join(str(text).split()).replace("'", "''") + "'"
