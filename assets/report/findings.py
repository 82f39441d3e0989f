"""Key findings and the basis for the action plan, chosen by the prioritisation score.

The findings are the top-ranked rows of ``public.priority`` for the report year whose score
is shown (not suppressed) and at least 3, among the themes that may be prioritised (a residual
theme such as "övrigt" never is): nothing is chosen by hand. Each is a short headline in plain
words, one line of evidence (count, rate, the reference level), the caveat that belongs to its
theme, a line on how sure it is (interval, five-year trend with its q-value, then the year's
change), the points behind it, and the area team's concern beside it.
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
    record_development,
    row,
    rows,
    sup,
    val,
)
from assets.report.tables import CRIME, Cell, Table, count_cell, text_cell, value_cell
from assets.report.text import (
    SUPPRESSED,
    capitalise,
    fmt_int,
    fmt_rate,
    fold,
    join_list,
)


@dataclass
class Finding:
    rank: int
    area_id: str
    area_name: str
    theme: str
    score: float
    headline: str
    evidence: Markup
    certainty: Markup
    points: str
    anchor: str | None
    caveat: str | None = None

    @property
    def sentence(self) -> Markup:
        """Evidence and certainty together (the basis table and the tests read it)."""
        return self.evidence + Markup(" ") + self.certainty


#: Caveats that belong to a theme's findings, by folded theme name (domain.md: reported
#: crime measures reporting and police work as well as crime).
THEME_CAVEATS = {
    "narkotika": (
        "Narkotikabrott upptäcks oftast genom polisens egna insatser. Fler anmälda brott kan "
        "därför betyda att polisen arbetat mer i området, inte att brotten blivit fler."
    ),
    "mans vald mot kvinnor och vald i nara relationer": (
        "De flesta brott i nära relationer anmäls aldrig. Fler anmälningar kan betyda att fler "
        "vågar anmäla."
    ),
}


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
    if "is_prioritised" in priority.columns:
        shown &= priority["is_prioritised"].fillna(True).astype(bool)
    if "score_suppressed" in priority.columns:
        shown &= ~priority["score_suppressed"].fillna(False).astype(bool)
    return rows(priority[shown])


def headline(p: dict, t: dict | None) -> str:
    """'Våld i offentlig miljö i Furulund: tydligt över kommunens nivå och ökande sedan 2021'."""
    parts = []
    position = p.get("funnel_position")
    if not sup(p, "funnel_position") and position is not None and position >= 1:
        parts.append("tydligt över kommunens nivå" if position >= 2 else "över kommunens nivå")
    slope, q = val(t, "trend_pct_per_year"), val(t, "trend_q_value")
    if slope is not None and q is not None and float(q) < 0.05:
        word = "ökande" if float(slope) > 0 else "minskande"
        parts.append(f"{word} sedan {int(t['trend_first_year'])}")  # type: ignore[index]
    if not parts and (p.get("volume_points") or 0) >= 1:
        parts.append("många brott jämfört med andra områden")
    label = "Brott totalt" if p["theme"] == TOTAL else capitalise(p["theme"])
    what = f"{label} i {p['area_name']}"
    return f"{what}: {join_list(parts)}" if parts else what


def evidence_sentence(data: ReportData, p: dict) -> Markup:
    """'134 brott 2025, 43,9 per 1 000 invånare jämfört med kommunens nivå (12,9 per 1 000).'"""
    year = data.year
    text = Markup("{n} {theme} {year}").format(
        n=count_span(p.get("crime_count"), sup(p, "crime_count")),
        theme=theme_phrase(p["theme"]),
        year=year,
    )
    rate = val(p, "crimes_per_1000")
    if rate is not None:
        text += Markup(", {} per 1 000 invånare").format(fmt_rate(rate))
    reference = val(p, "reference_rate_per_1000")
    if rate is not None and reference is not None:
        # The same reference level, worded as everywhere else in the report.
        text += Markup(" jämfört med kommunens nivå ({} per 1 000)").format(fmt_rate(reference))
    return text + Markup(".")


def certainty_sentence(data: ReportData, p: dict, t: dict | None) -> Markup:
    """How sure: the rate's interval, the five-year trend (interval, q), then the year."""
    year = data.year
    text = Markup("")
    low, high = val(t, "crimes_per_1000_ci_low"), val(t, "crimes_per_1000_ci_high")
    if low is not None and high is not None:
        text += Markup("Nivåns 95-procentiga konfidensintervall är {}–{} per 1 000. ").format(
            fmt_rate(low), fmt_rate(high)
        )
    if t is not None:
        text += Markup("{}").format(
            record_development(data.theme_year, year, t, area_id=p["area_id"], theme=p["theme"])
        )
    return text


def team_sentence(team: object) -> str:
    """The area team's concern, shown beside a finding; it gives no points."""
    level = int(team)  # type: ignore[call-overload]
    return f"Områdesteamets högsta bedömning för temat under året: {level} av 5."


def points_phrase(data: ReportData, p: dict) -> str:
    """'Poäng 5 av 8: omfattning 2, avvikelse 2, signalbrott 1.' from the published points."""
    rules = data.priority_rule
    labels: dict[str, str] = {}
    best: dict[str, int] = {}
    for r in rows(rules):
        labels.setdefault(r["criterion"], str(r["label"]))
        best[r["criterion"]] = max(best.get(r["criterion"], 0), int(r["points"]))
    parts = []
    for criterion, label in labels.items():
        column = f"{criterion}_points"
        if sup(p, column):
            parts.append(f"{label.lower()} {SUPPRESSED}")
        elif (p.get(column) or 0) > 0:
            parts.append(f"{label.lower()} {fmt_int(p[column])}")
    text = f"Poäng {fmt_int(p.get('score'))} av {fmt_int(sum(best.values()))}"
    return f"{text}: {', '.join(parts)}." if parts else f"{text}."


def key_findings(
    data: ReportData, anchors: dict[str, str], limit: int = MAX_FINDINGS
) -> list[Finding]:
    out = []
    for i, p in enumerate(priority_rows(data)[:limit], start=1):
        t = row(data.theme_year, area_id=p["area_id"], theme=p["theme"], year=data.year)
        team = p.get("team_assessment")
        points = points_phrase(data, p)
        if team is not None:
            points += " " + team_sentence(team)
        out.append(
            Finding(
                rank=i,
                area_id=p["area_id"],
                area_name=p["area_name"],
                theme=p["theme"],
                score=float(p["score"]),
                headline=headline(p, t),
                evidence=evidence_sentence(data, p),
                certainty=certainty_sentence(data, p, t),
                points=points,
                anchor=anchors.get(p["area_id"]),
                caveat=THEME_CAVEATS.get(fold(p["theme"])),
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
            "Femårstrend per år",
            "Trenden statistiskt säkerställd",
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
        if sup(p, "trend_q_value"):
            significant = SUPPRESSED
        elif p.get("trend_q_value") is not None:
            significant = "Ja" if float(p["trend_q_value"]) < 0.05 else "Nej"
        team = p.get("team_assessment")
        table.add(
            p["area_name"],
            [
                text_cell(capitalise(p["theme"])),
                value_cell(p.get("score"), sup(p, "score"), "int"),
                count_cell(p.get("crime_count"), sup(p, "crime_count"), CRIME),
                value_cell(p.get("crimes_per_1000"), sup(p, "crimes_per_1000"), "rate"),
                Cell(ci),
                value_cell(
                    p.get("reference_rate_per_1000"), sup(p, "reference_rate_per_1000"), "rate"
                ),
                value_cell(p.get("trend_pct_per_year"), sup(p, "trend_pct_per_year"), "pct"),
                text_cell(significant),
                Cell(f"{int(team)} av 5" if team is not None else "–"),
            ],
        )
    return table
