"""Key findings and the basis for the action plan, chosen by the prioritisation score.

The findings are the top-ranked rows of ``public.priority`` for the report year whose score
is shown (not suppressed) and at least 3: nothing is chosen by hand. Each gets one sentence
with its evidence (count, rate, interval, comparison) and its uncertainty (the change and
whether it is statistically significant).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from markupsafe import Markup

from assets.report.data import (
    FINDING_MIN_SCORE,
    MAX_ACTION_ROWS,
    MAX_FINDINGS,
    TOTAL,
    ReportData,
    row,
    rows,
    sup,
    val,
)
from assets.report.tables import CRIME, Cell, Table, count_cell, text_cell, value_cell
from assets.report.text import (
    SUPPRESSED,
    capitalise,
    change_sentence,
    ci_phrase,
    fmt_int,
    fmt_rate,
    funnel_phrase,
)


@dataclass
class Finding:
    rank: int
    area_id: str
    area_name: str
    theme: str
    score: float
    sentence: Markup
    anchor: str | None


def count_span(value: object, suppressed: bool, kind: str = CRIME) -> Markup:
    """A count inside running text, marked for the disclosure tests."""
    if suppressed:
        return Markup('<span class="sup" data-n="{}">..</span>').format(kind)
    return Markup('<span data-n="{}">{}</span>').format(kind, fmt_int(value))


def theme_phrase(theme: str) -> str:
    return "brott totalt" if theme == TOTAL else f"brott inom {theme}"


def priority_rows(data: ReportData) -> list[dict]:
    """The year's priority rows with a shown score of at least 3, best rank first.

    Filtered in pandas before the rows become dicts: at national scale the year has ~50,000
    area × theme rows, and only a handful are shown.
    """
    priority = data.priority
    score = pd.to_numeric(priority["score"], errors="coerce")
    shown = score.notna() & (score >= FINDING_MIN_SCORE)
    if "score_suppressed" in priority.columns:
        shown &= ~priority["score_suppressed"].fillna(False).astype(bool)
    return rows(priority[shown])


def evidence_sentence(data: ReportData, p: dict, *, with_team: bool = True) -> Markup:
    """'I Norrbacka anmäldes 52 brott inom … 2025, 41,3 per 1 000 (…), tydligt över …'."""
    year = data.year
    t = row(data.theme_year, area_id=p["area_id"], theme=p["theme"], year=year)
    count_sup = sup(p, "crime_count")
    parts = [
        Markup("I {area} anmäldes {n} {theme} {year}").format(
            area=p["area_name"],
            n=count_span(p.get("crime_count"), count_sup),
            theme=theme_phrase(p["theme"]),
            year=year,
        )
    ]
    rate = val(p, "crimes_per_1000")
    if rate is not None:
        ci = ci_phrase(val(t, "crimes_per_1000_ci_low"), val(t, "crimes_per_1000_ci_high"))
        parts.append(
            Markup(", {rate} per 1 000 invånare{ci}").format(
                rate=fmt_rate(rate), ci=(" " + ci) if ci else ""
            )
        )
    position = funnel_phrase(p.get("funnel_position"), sup(p, "funnel_position"))
    reference = p.get("reference_rate_per_1000")
    if position:
        ref = f" (kommunen: {fmt_rate(reference)})" if reference is not None else ""
        parts.append(Markup(", {pos}{ref}").format(pos=position, ref=ref))
    sentence = Markup("").join(parts) + Markup(". ")
    before = row(data.theme_year, area_id=p["area_id"], theme=p["theme"], year=year - 1)
    sentence += Markup("{}").format(
        change_sentence(
            year=year,
            count=None if count_sup else p.get("crime_count"),
            previous=None if sup(before, "crime_count") else val(before, "crime_count"),
            change_pct=p.get("change_pct"),
            change_suppressed=sup(p, "change_pct"),
            q_value=p.get("q_value"),
            q_suppressed=sup(p, "q_value"),
            is_significant=(
                None
                if t is None
                else (None if sup(t, "is_significant") else t.get("is_significant"))
            ),
        )
    )
    team = p.get("team_assessment")
    if with_team and team is not None:
        sentence += Markup(
            " Områdesteamets högsta bedömning för temat under året: {} av 5."
        ).format(int(team))
    return sentence


def key_findings(data: ReportData, anchors: dict[str, str]) -> list[Finding]:
    out = []
    for i, p in enumerate(priority_rows(data)[:MAX_FINDINGS], start=1):
        out.append(
            Finding(
                rank=i,
                area_id=p["area_id"],
                area_name=p["area_name"],
                theme=p["theme"],
                score=float(p["score"]),
                sentence=evidence_sentence(data, p),
                anchor=anchors.get(p["area_id"]),
            )
        )
    return out


def prioritised_themes(data: ReportData, limit: int = 5) -> list[str]:
    """Themes of the key findings, then the main themes, in that order, without repeats."""
    out: list[str] = []
    for p in priority_rows(data)[:MAX_FINDINGS]:
        if p["theme"] != TOTAL and p["theme"] not in out:
            out.append(p["theme"])
    for key in ("organised", "violence_close", "children"):
        name = data.main_theme(key)
        if name and name not in out:
            out.append(name)
    return out[:limit]


def action_table(data: ReportData) -> Table:
    """Underlag till åtgärdsplan: the prioritised problems with their baseline values."""
    year = data.year
    table = Table(
        caption=f"Prioriterade problem {year} med utgångsvärden att följa upp",
        columns=[
            "Tema",
            "Poäng",
            f"Anmälda brott {year}",
            "Antal per 1 000 invånare",
            "95 % konfidensintervall",
            "Kommunens nivå",
            f"Förändring från {year - 1}",
            "Statistiskt säkerställd förändring",
            "Områdesteamets högsta bedömning",
        ],
        row_header="Område",
        id="atgardsplan-tabell",
    )
    for p in priority_rows(data)[:MAX_ACTION_ROWS]:
        t = row(data.theme_year, area_id=p["area_id"], theme=p["theme"], year=year)
        ci_sup = sup(t, "crimes_per_1000_ci_low")
        low, high = val(t, "crimes_per_1000_ci_low"), val(t, "crimes_per_1000_ci_high")
        ci = (
            SUPPRESSED
            if ci_sup
            else (
                f"{fmt_rate(low)}–{fmt_rate(high)}" if low is not None and high is not None else "–"
            )
        )
        significant = "–"
        if t is not None:
            if sup(t, "is_significant"):
                significant = SUPPRESSED
            elif t.get("is_significant") is not None:
                significant = "Ja" if t["is_significant"] else "Nej"
        team = p.get("team_assessment")
        table.add(
            p["area_name"],
            [
                text_cell(capitalise(p["theme"])),
                value_cell(p.get("score"), sup(p, "score"), "int"),
                count_cell(p.get("crime_count"), sup(p, "crime_count"), CRIME),
                value_cell(p.get("crimes_per_1000"), sup(p, "crimes_per_1000"), "rate"),
                Cell(ci),
                value_cell(p.get("reference_rate_per_1000"), False, "rate"),
                value_cell(p.get("change_pct"), sup(p, "change_pct"), "pct"),
                text_cell(significant),
                Cell(f"{int(team)} av 5" if team is not None else "–"),
            ],
        )
    return table
