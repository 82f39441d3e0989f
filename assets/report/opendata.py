"""Open data in the report: links to the public tables it was built from, its publication
date and when the next lägesbild is expected.

The public tables (``<marts>/public/<table>.csv|parquet``) are the same disclosure-controlled
numbers the report shows, so a reader can check or reuse every figure. The links point at the
setting ``open_data_url`` where the municipality publishes the folder, else at the folder
itself, relative to the report.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from markupsafe import Markup

from assets.report.document import Section
from assets.report.tables import Cell, Table
from assets.report.text import MONTHS, fmt_date

#: The public tables in Swedish; a table not listed here is shown by its file name only.
TABLE_LABELS = {
    "area": "Områden",
    "area_year": "Anmälda brott, nivåer och förändring per område och år",
    "area_theme_year": "Anmälda brott per område, tema och år",
    "area_month": "Anmälda brott per område och månad",
    "municipality_theme_month": "Anmälda brott per tema och månad i hela kommunen",
    "referral_year": "Orosanmälningar och ärenden till SIG i hela kommunen per år",
    "area_referral_year": "Orosanmälningar och ärenden till SIG per område och år",
    "area_team": "Områdesteamens bedömningar och godkända iakttagelser",
    "priority": "Prioriteringen: poäng per område och tema",
    "priority_rule": "Prioriteringens regler",
    "area_geometry": "Områdenas gränser (kartan)",
    "theme": "Teman",
    "coverage": "Vilka år och källor underlaget täcker",
    "data_quality": "Datakvalitet per fil",
    "quarantine_summary": "Rader som inte kunde användas, per orsak",
}
#: The public folder's own description of the files (assets/public/export.py).
README = "LASMIG.txt"
#: The yearly schedule renders the previous year's report in February (pipelines/schedules).
DEFAULT_NEXT_MONTH = 2


def data_base_url(setting: str, db_path: Path, reports_dir: Path) -> str:
    """Where the public files are, as the report links them (ends with '/')."""
    if setting:
        return setting if setting.endswith("/") else setting + "/"
    public = Path(db_path).resolve().parent / "public"
    return Path(os.path.relpath(public, Path(reports_dir).resolve())).as_posix() + "/"


def next_report_text(setting: str, year: int) -> str:
    """When the next lägesbild (for the year after) is expected, in words."""
    return setting or f"{MONTHS[DEFAULT_NEXT_MONTH - 1]} {year + 2}"


def open_data_section(
    tables: list[str], base_url: str, *, year: int, produced: date, next_report: str
) -> Section:
    s = Section("oppna-data", "Öppna data och nästa lägesbild")
    s.p(
        f"Lägesbilden publicerades {fmt_date(produced)}. Nästa lägesbild, för {year + 1}, "
        f"väntas {next_report}."
    )
    s.p(
        Markup(
            "Alla tal i rapporten finns också som öppna data, med samma röjandeskydd som här: "
            'CSV (semikolon, decimalkomma) och Parquet. Filen <a href="{0}{1}">{1}</a> '
            "förklarar dem och tecknen i dem."
        ).format(base_url, README)
    )
    table = Table(
        caption="Tabellerna som rapporten bygger på",
        columns=["CSV", "Parquet"],
        row_header="Tabell",
        compact=True,
    )
    # The tables the report reads most first, in the order above; any newer table after them.
    ordered = [t for t in TABLE_LABELS if t in tables] + sorted(set(tables) - set(TABLE_LABELS))
    for name in ordered:
        links = [
            Cell(Markup('<a href="{0}{1}">{1}</a>').format(base_url, f"{name}.{ext}"), align="txt")
            for ext in ("csv", "parquet")
        ]
        table.add(Cell(TABLE_LABELS.get(name, f"{name}.csv"), align="txt"), links)
    s.table(table)
    return s
