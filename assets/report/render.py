"""Ties the report together: load the public tables for a year, build the sections, render
the Jinja2 templates and write ``lagesbild-<year>.html`` atomically.

The output is deterministic: the same public tables for years ≤ Y and the same produced
date give the same bytes. The produced date is ``SOURCE_DATE_EPOCH`` when set (reproducible
builds), else today.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from assets.report import areas as area_sections
from assets.report import findings, opendata, sources, survey, texts, themes
from assets.report.data import TOTAL, ReportData, load, row, rows, sup, val
from assets.report.document import Block, Section
from assets.report.findings import count_span
from assets.report.mapsvg import LARGE_MAP, MapLayer, build_map
from assets.report.summary import names, summary_section
from assets.report.tables import CRIME
from assets.report.text import (
    LEGEND,
    MISSING_LEGEND,
    PCT_MIN_COUNT,
    capitalise,
    count_noun,
    fmt_date,
    fmt_int,
    fmt_rate,
)

TEMPLATES = Path(__file__).parent / "templates"
VENDOR = Path(__file__).parent / "vendor"
PLOTLY_JS = VENDOR / "plotly-basic.min.js"
#: Years of 'Alla brott' in the map's selector (themes are shown for the report year).
MAP_YEARS = 5
MAP_YEARS_LARGE = 3


@dataclass(frozen=True)
class RenderResult:
    path: Path
    size_bytes: int
    render_seconds: float
    charts: int
    areas_on_map: int


def produced_date() -> date:
    """SOURCE_DATE_EPOCH (seconds since 1970, UTC) when set, else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def report_path(reports_dir: Path, year: int) -> Path:
    return Path(reports_dir) / f"lagesbild-{year}.html"


def render_report(
    db_path: Path,
    reports_dir: Path,
    year: int,
    *,
    crime_suppress_below: int = 3,
    referral_suppress_below: int = 5,
    produced: date | None = None,
    pct_min_count: int = 10,
    own_texts: Mapping[str, str] | None = None,
    open_data_url: str = "",
    next_report: str = "",
    survey_min_respondents: int = 30,
) -> RenderResult:
    """Render the report for ``year`` from the published marts; write it atomically.

    ``own_texts`` is the municipality's screened Markdown by section name
    (:func:`assets.ingest.texts.read_texts`); a section without one shows its prompt.
    ``open_data_url`` and ``next_report`` are the settings of the same names.
    """
    started = time.perf_counter()
    data = load(Path(db_path), year)
    open_data = {
        "tables": public_tables(Path(db_path)),
        "base_url": opendata.data_base_url(open_data_url, Path(db_path), Path(reports_dir)),
        "next_report": opendata.next_report_text(next_report, year),
    }
    token = PCT_MIN_COUNT.set(pct_min_count)
    try:
        html, n_charts, n_map = render_html(
            data,
            crime_min=crime_suppress_below,
            referral_min=referral_suppress_below,
            produced=produced or produced_date(),
            own_texts=own_texts or {},
            open_data=open_data,
            survey_min=survey_min_respondents,
        )
    finally:
        PCT_MIN_COUNT.reset(token)
    target = report_path(reports_dir, year)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(html.encode("utf-8"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return RenderResult(
        path=target,
        size_bytes=target.stat().st_size,
        render_seconds=time.perf_counter() - started,
        charts=n_charts,
        areas_on_map=n_map,
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["int"] = fmt_int
    env.filters["css_string"] = css_string
    return env


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string for a <style> element (the print header's title).

    HTML escaping doesn't apply inside <style>; CSS escapes do, and ``<`` is escaped too so
    that no name can close the element.
    """
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>' or ord(c) < 0x20 else c for c in str(text))
    return Markup(f'"{escaped}"')


def render_html(
    data: ReportData,
    *,
    crime_min: int,
    referral_min: int,
    produced: date,
    own_texts: Mapping[str, str] | None = None,
    open_data: Mapping[str, Any] | None = None,
    survey_min: int = 30,
) -> tuple[str, int, int]:
    referrals = data.delivered("orosanmalningar")
    section_ids = set(data.section_area_ids)
    anchors = {a: area_sections.anchor(a) for a in section_ids}

    summary = summary_section(data, anchors)
    how = sources.how_to_read(data, crime_min, referral_min)
    map_section, map_model = _map_section(data)
    overview = themes.themes_overview(data)
    # Every theme, ordered by the prioritisation (issue 13, point 3).
    theme_sections = themes.theme_sections(data, section_ids, referrals)
    safety = survey.survey_section(data, survey_min)
    safety_tables = survey.survey_tables_section(data, survey_min)
    children_details = themes.children_details_section(data, referrals)
    area_part = _areas_section(data, referrals)
    area_details = _area_details_section(data, referrals)
    funnels = themes.funnel_section(data, section_ids)
    patterns = themes.patterns_section(data, findings.prioritised_themes(data))
    action = _action_section(data, referrals)
    source_part = sources.sources_section(data, crime_min, referral_min)
    quality = sources.data_quality_section(data)
    method = sources.method_section(data, crime_min, referral_min)
    own = {name: texts.own_text_section(name, own_texts or {}) for name in texts.SECTIONS}
    open_data = dict(open_data or {})
    next_report = open_data.get("next_report") or opendata.next_report_text("", data.year)
    open_part = opendata.open_data_section(
        list(open_data.get("tables", [])),
        open_data.get("base_url", ""),
        year=data.year,
        produced=produced,
        next_report=next_report,
    )

    sections = [
        summary,
        own["inledning"],
        how,
        map_section,
        overview,
        *theme_sections,
        safety,
        area_part,
        own["konsekvenser"],
        own["annan-information"],
        action,
        source_part,
        # The appendices: each heading starts with "Bilaga" (issue 13: the main text is what
        # is printed before the first of them, about 25 pages for 18 areas).
        area_details,
        *[part for part in (children_details, safety_tables) if part is not None],
        funnels,
        patterns,
        open_part,
        quality,
        method,
    ]
    charts = [c for s in sections for c in s.charts()]
    _assign_table_ids(sections)
    municipality = data.municipality or "kommunen"
    context = {
        "year": data.year,
        "municipality": municipality,
        "title": f"Lägesbild {data.year}" + (f" – {municipality}" if data.municipality else ""),
        "produced": fmt_date(produced),
        "next_report": next_report,
        "data_until": fmt_date(data.data_until),
        "years": f"{data.years[0]}–{data.year}" if data.years else str(data.year),
        "n_areas": fmt_int(data.n_areas),
        "sections": sections,
        "legend": LEGEND,
        "missing_legend": MISSING_LEGEND,
        "plotly_js": Markup(PLOTLY_JS.read_text(encoding="utf-8")),
        "css": Markup(_read("report.css")),
        "script": Markup(_read("report.js")),
        "map": map_model,
        "code_version": data.coverage.get("code_version") or "",
    }
    html = _environment().get_template("report.html.j2").render(**context)
    return html, len(charts), (map_model.areas_drawn if map_model else 0)


def public_tables(db_path: Path) -> list[str]:
    """The public tables in the published database: the open data the report links."""
    from assets.database import connect

    con = connect(db_path, read_only=True)
    try:
        return [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'public' "
                "ORDER BY table_name"
            ).fetchall()
        ]
    finally:
        con.close()


def _assign_table_ids(sections: list[Section]) -> None:
    """Every table gets an id (its caption is the label of its scroll region)."""
    counter = 0

    def visit(section: Section) -> None:
        nonlocal counter
        for child in section.children:
            if isinstance(child, Section):
                visit(child)
            elif child.kind == "table" and child.content.id is None:
                counter += 1
                child.content.id = f"tabell-{counter}"
            elif child.kind == "chart" and child.content.table is not None:
                child.content.table.id = f"{child.content.id}-tabell"

    for section in sections:
        visit(section)


def _read(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


# --- sections built here -------------------------------------------------------------------


def _areas_section(data: ReportData, referrals: bool) -> Section:
    year = data.year
    s = Section("omraden", "Områden")
    n = data.n_areas
    if data.has_sections_for_all:
        s.p(
            f"Kommunen är indelad i {n} områden. Tabellen visar alla områden, och varje område "
            "har en kort sammanfattning nedan med en länk till dess avsnitt i bilagan."
        )
    else:
        s.p(
            f"Kommunen är indelad i {fmt_int(n)} områden. Korta sammanfattningar, och avsnitt i "
            f"bilagan, finns för de {len(data.section_area_ids)} områden som förekommer högst i "
            f"prioriteringen {year}; tabellen visar alla områden."
        )
    unknown = area_sections.unknown_area_sentence(data)
    if unknown:
        s.p(unknown)
    table = area_sections.all_areas_table(
        data, section_ids=set(data.section_area_ids), referrals_delivered=referrals
    )
    s.children.append(Block("table", table))
    for card in area_sections.build_cards(data):
        s.sub(card)
    return s


def _area_details_section(data: ReportData, referrals: bool) -> Section:
    """Every area's full section (key figures, themes, charts, team), after the main text:
    the cards in "Områden" say what matters, and link here for the rest."""
    s = Section("omraden-detalj", "Bilaga: Områdena i detalj", css="appendix")
    s.p(
        "Här finns varje områdes nyckeltal, teman, utveckling, orosanmälningar och "
        "områdesteamets bedömning i sin helhet."
    )
    ids = {area_sections.anchor(a): a for a in data.section_area_ids}
    for section in area_sections.build_sections(data, referrals_delivered=referrals):
        section.in_toc = True
        # Each area's survey figures (assets/report/survey.py), when a survey was delivered.
        figures = survey.area_survey(data, ids[section.id], section.title)
        if figures is not None:
            section.sub(figures)
        s.sub(section)
    return s


def _map_section(data: ReportData):
    year = data.year
    s = Section("karta", "Karta")
    geometries = dict(
        zip(data.geometry["area_id"], data.geometry["geometry_simplified_geojson"], strict=True)
    )
    if not geometries:
        s.p(
            Markup(
                "Karta saknas: områdeslistan lämnades utan geometri (som en tabell, inte som "
                "GeoJSON eller GeoPackage), så områdena kan inte ritas. Jämförelsen mellan "
                'områdena finns i <a href="#alla-omraden">tabellen över alla områden</a>, med '
                "den utjämnade nivån som kartan annars skulle visa."
            )
        )
        return s, None
    large = data.n_areas > LARGE_MAP
    layers = []
    ay = data.area_year
    map_years = [y for y in data.years if y > year - (MAP_YEARS_LARGE if large else MAP_YEARS)]
    for y in sorted(map_years, reverse=True):
        sub = rows(ay[ay["year"] == y])
        # A year without population has no rates: a layer of "uppgift saknas" shows nothing.
        if any(r.get("smoothed_per_1000") is not None or sup(r, "smoothed_per_1000") for r in sub):
            layers.append(_layer(f"Totalt-{y}", f"Alla brott {y}", sub))
    ty = data.theme_year
    for theme in data.theme_names():
        sub = rows(ty[(ty["theme"] == theme) & (ty["year"] == year)])
        if any(r.get("smoothed_per_1000") is not None or sup(r, "smoothed_per_1000") for r in sub):
            layers.append(_layer(f"{theme}-{year}", f"{capitalise(theme)} {year}", sub))
    areas = list(zip(data.areas["area_id"], data.areas["area_name"], strict=True))
    model = build_map(
        areas=areas,
        geometries=geometries,
        layers=layers,
        title=f"Karta: utjämnad nivå av anmälda brott per 1\u00a0000 invånare per område {year}",
        description=(
            "Varje område är färgat efter den utjämnade nivån; mörkare färg betyder högre nivå. "
            "Siffrorna finns i tabellen över alla områden."
        ),
        centroids={
            a: (lon, lat)
            for a, lon, lat in zip(
                data.geometry["area_id"],
                data.geometry["centroid_lon"],
                data.geometry["centroid_lat"],
                strict=True,
            )
        },
    )
    if model is None:
        s.p("Karta saknas: ingen av områdenas geometrier kunde läsas.")
        return s, None
    # The marts mark every area 'too_few_areas' when fewer than 30 have geometry: then there
    # is no cluster layer, so no switch for it either (the notes say why).
    too_few_for_hotspots = any(
        h == "too_few_areas" for layer in layers for h in layer.hotspots.values()
    )
    model.hotspots_tested = not too_few_for_hotspots
    s.children.append(Block("map", model))
    notes = [
        "Kartan visar en utjämnad nivå (empirisk Bayes): små områden dras mot kommunens nivå, "
        "så att några få brott i ett litet område inte färgar det mörkt. De exakta nivåerna och "
        'deras osäkerhet finns i <a href="#alla-omraden">tabellen över alla områden</a>.',
        "Kluster (Gi*) är grupper av grannområden med statistiskt säkerställt höga eller låga "
        "nivåer. Lagret visas när rutan är ikryssad."
        if not too_few_for_hotspots
        else "Kommunen har för få områden (färre än 30) för att pröva kluster (Gi*), så "
        "kartan visar inga.",
        "Brott som inte kunnat knytas till något område (Okänt område) finns inte på kartan.",
    ]
    if model.missing_geometry:
        notes.append(
            f"{count_noun(len(model.missing_geometry), 'område', 'områden')} saknar geometri "
            "och finns inte på kartan: " + names(model.missing_geometry, 10) + "."
        )
    s.ul([Markup(n) for n in notes])
    return s, model


def _layer(key: str, label: str, recs: list[dict]) -> MapLayer:
    values = {}
    hotspots = {}
    reference = None
    for r in recs:
        if r["area_id"] == TOTAL:
            # Classes are relative to the reference the text compares with; where it is hidden,
            # to the whole municipality's rate.
            reference = val(r, "reference_per_1000") or val(r, "crimes_per_1000")
        if r["area_id"] in (TOTAL, "okant"):
            continue
        values[r["area_id"]] = (r.get("smoothed_per_1000"), sup(r, "smoothed_per_1000"))
        hotspots[r["area_id"]] = None if sup(r, "hotspot") else r.get("hotspot")
    return MapLayer(key, label, values, hotspots, reference)


def _action_section(data: ReportData, referrals: bool) -> Section:
    year = data.year
    s = Section("atgardsplan", "Underlag till åtgärdsplan")
    s.p(
        "Kommunen ska utifrån lägesbilden ta ställning till vilka åtgärder som behövs och besluta "
        "en åtgärdsplan. Det här avsnittet skriver inte planen. Det listar de prioriterade "
        "problemen med utgångsvärden, så att planen kan ange mål och följas upp med samma mått "
        "nästa år. Varför problemen finns (orsaksanalysen) och vilka åtgärder som passar avgörs "
        "av människor som känner områdena."
    )
    table = findings.action_table(data)
    if table.rows:
        s.table(table)
    else:
        s.p(f"Ingen kombination av område och tema når 3 poäng i prioriteringen {year}.")
    total = row(data.area_year, area_id=TOTAL, year=year)
    baseline = [
        Markup("Anmälda brott i hela kommunen {}: {} ({} per 1\u00a0000 invånare).").format(
            year,
            count_span(val(total, "crime_count"), sup(total, "crime_count"), CRIME),
            fmt_rate(val(total, "crimes_per_1000")),
        )
    ]
    if referrals and total is not None:
        baseline.append(
            Markup("Orosanmälningar {}: {} ({} per 1\u00a0000 barn 0–17 år).").format(
                year,
                count_span(val(total, "referral_count"), sup(total, "referral_count"), "r"),
                fmt_rate(val(total, "referrals_per_1000_0_17")),
            )
        )
    s.p("Utgångsvärden för hela kommunen:")
    s.ul(baseline)
    s.p(
        "Brås mall för åtgärdsplan knyter varje orsak till en åtgärd, ett mål, en tidpunkt, en "
        "ansvarig och en uppföljning. Rapportens ägare är kommunens samordningsfunktion för det "
        "brottsförebyggande arbetet."
    )
    return s
