"""Per-area sections, and the sortable, searchable table of all areas.

Every area gets a section when the municipality has at most 60 areas; a larger one gets
sections for the areas in the year's top priority rows, and every area is in the table.
"""

from __future__ import annotations

import re

import pandas as pd
from markupsafe import Markup

from assets.report.data import (
    TOTAL,
    UNKNOWN_AREA,
    ReportData,
    previous_rows,
    record_development,
    row,
    rows,
    sup,
    val,
)
from assets.report.document import Section
from assets.report.figures import (
    MUNICIPALITY_COLOR,
    PALETTE,
    Chart,
    Series,
    bar_chart,
    season_chart,
    trend_chart,
)
from assets.report.findings import count_span
from assets.report.tables import (
    CRIME,
    REFERRAL,
    Cell,
    Table,
    change_cell,
    count_cell,
    text_cell,
    value_cell,
)
from assets.report.text import (
    MISSING,
    SOURCE_ORDER,
    SUPPRESSED,
    capitalise,
    ci_phrase,
    count_noun,
    fmt_int,
    fmt_pct,
    fmt_q,
    fmt_rate,
    funnel_phrase,
    funnel_short,
    join_list,
    month_name,
    source_label,
    withheld_observations_sentence,
)

#: Area-team terms shown per area (the latest up to the report year).
TEAM_PERIODS = 4
SIG_NOTE = (
    "Ärenden till SIG mäter verksamhetens aktivitet (insatser som kräver samtycke), "
    "inte hur stort behovet är."
)
#: Where the SIG caveat is not said again (issue 13: each caveat once, with a link back).
SIG_LINK = Markup('Se <a href="#sig">Ärenden till SIG</a> om vad talet mäter.')


def anchor(area_id: str) -> str:
    return "omrade-" + re.sub(r"[^a-z0-9]+", "-", str(area_id).lower()).strip("-")


def _yes_no(record: dict | None, column: str = "is_significant") -> str:
    if record is None:
        return MISSING
    if sup(record, column):
        return SUPPRESSED
    value = record.get(column)
    if value is None:
        return MISSING
    return "Ja" if value else "Nej"


def _interval(record: dict | None) -> str:
    if record is None:
        return MISSING
    if sup(record, "crimes_per_1000_ci_low") or sup(record, "crimes_per_1000_ci_high"):
        return SUPPRESSED
    low, high = record.get("crimes_per_1000_ci_low"), record.get("crimes_per_1000_ci_high")
    if low is None or high is None:
        return MISSING
    return f"{fmt_rate(low)}–{fmt_rate(high)}"


def area_summary(data: ReportData, name: str, r: dict, total: dict | None) -> Markup:
    """'År 2025 anmäldes 352 brott i Centrum, 130,5 per 1 000 (…). Det är …'."""
    year = data.year
    text = Markup("År {year} anmäldes {n} brott i {name}").format(
        year=year, n=count_span(r.get("crime_count"), sup(r, "crime_count")), name=name
    )
    rate = val(r, "crimes_per_1000")
    if rate is not None:
        ci = ci_phrase(val(r, "crimes_per_1000_ci_low"), val(r, "crimes_per_1000_ci_high"))
        text += Markup(", {} per 1\u00a0000 invånare{}").format(
            fmt_rate(rate), f" {ci}" if ci else ""
        )
    elif sup(r, "crimes_per_1000"):
        text += Markup(" (antalet per 1\u00a0000 invånare visas inte: {})").format(SUPPRESSED)
    else:
        text += Markup(" (antal per 1\u00a0000 invånare saknas: ingen folkmängd för året)")
    text += Markup(".")
    position = funnel_phrase(r.get("funnel_position"), sup(r, "funnel_position"))
    reference = val(total, "reference_per_1000")
    if position:
        text += Markup(" Det är {pos}").format(pos=position)
        if reference is not None:
            text += Markup(" ({} per 1\u00a0000)").format(fmt_rate(reference))
        text += Markup(".")
    text += Markup(" {}").format(record_development(data.area_year, year, r, area_id=r["area_id"]))
    return text


def significant_changes(data: ReportData, name: str, records: list[tuple[str, dict]]) -> Markup:
    """The significant five-year trends, then the year's significant changes, in words."""
    trends, changes = [], []
    for label, r in records:
        slope, tq = val(r, "trend_pct_per_year"), val(r, "trend_q_value")
        if slope is not None and tq is not None and float(tq) < 0.05:
            verb = "ökat" if float(slope) > 0 else "minskat"
            trends.append(
                f"{label} har {verb} med i genomsnitt {fmt_pct(abs(float(slope)))} per år "
                f"(q-värde {fmt_q(tq)})"
            )
        if sup(r, "is_significant") or not r.get("is_significant"):
            continue
        change = val(r, "change_pct")
        q = val(r, "q_value")
        if change is None or q is None or float(q) >= 0.05:
            continue
        verb = "ökade" if float(change) > 0 else "minskade"
        changes.append(f"{label} {verb} ({fmt_pct(change, signed=True)}, q-värde {fmt_q(q)})")
    prev = data.year - 1
    if trends:
        text = Markup("Statistiskt säkerställda femårstrender i {name}: {items}.").format(
            name=name, items=join_list(trends)
        )
    else:
        text = Markup(
            "I {name} finns ingen statistiskt säkerställd femårstrend (q-värde under 0,05)."
        ).format(name=name)
    if changes:
        text += Markup(" Statistiskt säkerställda förändringar från {prev}: {items}.").format(
            prev=prev, items=join_list(changes)
        )
    else:
        text += Markup(
            " Ingen förändring från {prev} är statistiskt säkerställd; skillnader mellan två år "
            "kan bero på slumpen."
        ).format(prev=prev)
    return text


def build_sections(data: ReportData, *, referrals_delivered: bool) -> list[Section]:
    """One section per area of ``data.section_area_ids``."""
    year = data.year
    years = data.years
    ay = data.area_year
    total_rows = {r["year"]: r for r in rows(ay[ay["area_id"] == TOTAL])}
    total = total_rows.get(year)
    themes = data.theme_names()
    sections = []
    names = dict(zip(data.areas["area_id"], data.areas["area_name"], strict=True))
    teams = dict(zip(data.areas["area_id"], data.areas["has_area_team"], strict=True))
    for area_id in data.section_area_ids:
        name = names.get(area_id, area_id)
        by_year = {r["year"]: r for r in rows(ay[ay["area_id"] == area_id])}
        r = by_year.get(year)
        if r is None:
            continue
        sid = anchor(area_id)
        section = Section(sid, name, css="area")
        section.p(area_summary(data, name, r, total), css="lead")
        before = (by_year.get(year - 1), total_rows.get(year - 1))
        section.table(_facts(data, name, r, total, before, referrals_delivered))
        theme_records: list[tuple[str, dict]] = []
        themes_table = _themes_table(data, area_id, name, themes, theme_records)
        section.p(significant_changes(data, name, [("brotten totalt", r), *theme_records]))
        section.table(themes_table)
        section.chart(_trend(data, sid, name, years, by_year, total_rows))
        season, note = _season(data, sid, area_id, name)
        section.chart(season)
        if note:
            section.p(note)
        if referrals_delivered:
            chart, text = _referrals(data, sid, area_id, name, r)
            section.chart(chart)
            section.p(text)
        else:
            section.p("Inga uppgifter har lämnats om orosanmälningar eller ärenden till SIG.")
        _team(data, section, area_id, name, bool(teams.get(area_id)))
        sections.append(section)
    return sections


def build_cards(data: ReportData) -> list[Section]:
    """One compact card per area of ``data.section_area_ids`` (issue 13: about half a page).

    The area's count, rate and comparison with the reference level with its development, the
    themes with most points in the prioritisation, and its team's highest concern; the details
    are the area's section in the appendix.
    """
    year = data.year
    ay = data.area_year
    total = row(ay, area_id=TOTAL, year=year)
    by_area = {r["area_id"]: r for r in rows(ay[ay["year"] == year])}
    names = dict(zip(data.areas["area_id"], data.areas["area_name"], strict=True))
    teams = dict(zip(data.areas["area_id"], data.areas["has_area_team"], strict=True))
    priority = data.priority
    at = data.area_team
    cards = []
    for area_id in data.section_area_ids:
        r = by_area.get(area_id)
        if r is None:
            continue
        name = names.get(area_id, area_id)
        card = Section(f"kort-{anchor(area_id).removeprefix('omrade-')}", name, css="area-card")
        card.in_toc = False
        card.p(card_summary(year, r, total))
        themes_line = _top_themes(priority[priority["area_id"] == area_id])
        team_line = _team_line(
            at[(at["area_id"] == area_id) & (at["year"] == year)], name, bool(teams.get(area_id))
        )
        # One short paragraph and the link: a card is a few lines on paper.
        card.p(
            Markup('{} {} <a href="#{}">Mer om {}</a>').format(
                themes_line, team_line, anchor(area_id), name
            )
            if themes_line
            else Markup('{} <a href="#{}">Mer om {}</a>').format(team_line, anchor(area_id), name),
            css="more",
        )
        cards.append(card)
    return cards


def card_summary(year: int, r: dict, total: dict | None) -> Markup:
    """Two short sentences: the year against the reference level, and the five-year trend."""
    text = Markup("{n} brott {year}").format(
        n=count_span(r.get("crime_count"), sup(r, "crime_count")), year=year
    )
    rate = val(r, "crimes_per_1000")
    if rate is not None:
        text += Markup(", {} per 1 000 invånare").format(fmt_rate(rate))
    position = funnel_phrase(r.get("funnel_position"), sup(r, "funnel_position"))
    reference = val(total, "reference_per_1000")
    if position:
        text += Markup(": {}").format(position)
        if reference is not None:
            text += Markup(" ({} per 1 000)").format(fmt_rate(reference))
    text += Markup(".")
    first, slope, q = (
        val(r, "trend_first_year"),
        val(r, "trend_pct_per_year"),
        val(r, "trend_q_value"),
    )
    if sup(r, "trend_pct_per_year"):
        text += Markup(" Femårstrenden visas inte ({}).").format(SUPPRESSED)
    elif first is None or slope is None or q is None:
        text += Markup(" Någon femårstrend kan inte beräknas.")
    elif float(q) < 0.05:
        word = "ökat" if float(slope) > 0 else "minskat"
        text += Markup(
            " Sedan {first} har nivån {word} med i genomsnitt {pct} per år (q-värde {q})."
        ).format(first=int(first), word=word, pct=fmt_pct(abs(float(slope))), q=fmt_q(q))
    else:
        text += Markup(" Sedan {} ingen statistiskt säkerställd förändring.").format(int(first))
    return text


def _top_themes(priority: pd.DataFrame, limit: int = 3) -> str:
    """'Teman med flest poäng i prioriteringen: narkotika (6 poäng), …' (residual themes not);
    empty when no theme of the area has points."""
    shown = [
        r
        for r in rows(priority)
        if r.get("is_prioritised") is not False
        and not sup(r, "score")
        and (r.get("score") or 0) > 0
    ]
    shown.sort(key=lambda r: (-r["score"], r["theme"]))
    if not shown:
        return ""
    items = [f"{r['theme']} ({fmt_int(r['score'])} poäng)" for r in shown[:limit]]
    return f"Teman med flest poäng i prioriteringen: {join_list(items)}."


def _team_line(assessments: pd.DataFrame, name: str, has_team: bool) -> str:
    """The team's highest concern of the year, in one line."""
    if assessments.empty or assessments["assessment"].isna().all():
        if has_team:
            return "Områdesteamet har inte lämnat någon bedömning för året."
        return f"{name} har inget områdesteam."
    top = int(assessments["assessment"].max())
    themes = sorted(set(assessments.loc[assessments["assessment"] == top, "theme"]))
    return (
        f"Områdesteamets högsta bedömning under året: {top} av 5 (5 betyder störst oro), "
        f"för {join_list(themes)}."
    )


def _facts(data, name, r, total, before, referrals_delivered) -> Table:
    year = data.year
    table = Table(
        caption=f"Nyckeltal för {name} och hela kommunen {year}",
        columns=[name, "Hela kommunen"],
        row_header="Nyckeltal",
        compact=True,
    )
    table.add(
        "Folkmängd 31 december",
        [
            value_cell(r.get("population"), False, "int"),
            value_cell(val(total, "population"), False, "int"),
        ],
    )
    table.add(
        "Anmälda brott",
        [
            count_cell(r.get("crime_count"), sup(r, "crime_count"), CRIME),
            count_cell(val(total, "crime_count"), sup(total, "crime_count"), CRIME),
        ],
    )
    table.add(
        "Antal per 1\u00a0000 invånare",
        [
            value_cell(r.get("crimes_per_1000"), sup(r, "crimes_per_1000"), "rate"),
            value_cell(val(total, "crimes_per_1000"), sup(total, "crimes_per_1000"), "rate"),
        ],
    )
    table.add("95\u00a0% konfidensintervall", [Cell(_interval(r)), Cell(_interval(total))])
    reference = val(total, "reference_per_1000")
    table.add(
        "Jämfört med kommunens nivå",
        [
            text_cell(funnel_short(r.get("funnel_position"), sup(r, "funnel_position"))),
            text_cell(
                f"Kommunens nivå: {fmt_rate(reference)} per 1\u00a0000"
                if reference is not None
                else (SUPPRESSED if sup(total, "reference_per_1000") else MISSING)
            ),
        ],
    )
    table.add(
        "Femårstrend per år",
        [
            value_cell(r.get("trend_pct_per_year"), sup(r, "trend_pct_per_year"), "pct"),
            value_cell(val(total, "trend_pct_per_year"), sup(total, "trend_pct_per_year"), "pct"),
        ],
    )
    table.add(
        f"Förändring från {year - 1}",
        [
            change_cell(r, before[0]),
            change_cell(total, before[1]),
        ],
    )
    table.add(
        "Justerat p-värde (q-värde)",
        [
            value_cell(r.get("q_value"), sup(r, "q_value"), "q"),
            value_cell(val(total, "q_value"), sup(total, "q_value"), "q"),
        ],
    )
    table.add(
        "Statistiskt säkerställd förändring", [text_cell(_yes_no(r)), text_cell(_yes_no(total))]
    )
    if referrals_delivered:
        table.add(
            "Orosanmälningar (barn 0–17 år)",
            [
                count_cell(r.get("referral_count"), sup(r, "referral_count"), REFERRAL),
                count_cell(val(total, "referral_count"), sup(total, "referral_count"), REFERRAL),
            ],
        )
        label = "Orosanmälningar per 1\u00a0000 barn 0–17 år"
        if r.get("referral_rate_basis") not in (None, "0-17"):
            label = "Orosanmälningar per 1\u00a0000 invånare (hela befolkningen)"
        table.add(
            label,
            [
                value_cell(
                    r.get("referrals_per_1000_0_17"), sup(r, "referrals_per_1000_0_17"), "rate"
                ),
                value_cell(
                    val(total, "referrals_per_1000_0_17"),
                    sup(total, "referrals_per_1000_0_17"),
                    "rate",
                ),
            ],
        )
        table.add(
            "Ärenden till SIG (13–25 år)",
            [
                count_cell(r.get("sig_referral_count"), sup(r, "sig_referral_count"), REFERRAL),
                count_cell(
                    val(total, "sig_referral_count"), sup(total, "sig_referral_count"), REFERRAL
                ),
            ],
        )
    return table


def _themes_table(data, area_id, name, themes, out_records) -> Table:
    year = data.year
    ty = data.theme_year
    sub = {r["theme"]: r for r in rows(ty[(ty["area_id"] == area_id) & (ty["year"] == year)])}
    earlier = {
        r["theme"]: r for r in rows(ty[(ty["area_id"] == area_id) & (ty["year"] == year - 1)])
    }
    table = Table(
        caption=f"Anmälda brott per tema i {name} {year}",
        columns=[
            "Anmälda brott",
            "Antal per 1\u00a0000 invånare",
            "95\u00a0% konfidensintervall",
            "Jämfört med kommunen",
            f"Förändring från {year - 1}",
            "q-värde",
        ],
        row_header="Tema",
    )
    for theme in themes:
        r = sub.get(theme)
        if r is None:
            continue
        out_records.append((capitalise(theme), r))
        table.add(
            capitalise(theme),
            [
                count_cell(r.get("crime_count"), sup(r, "crime_count"), CRIME),
                value_cell(r.get("crimes_per_1000"), sup(r, "crimes_per_1000"), "rate"),
                Cell(_interval(r)),
                text_cell(funnel_short(r.get("funnel_position"), sup(r, "funnel_position"))),
                change_cell(r, earlier.get(theme)),
                value_cell(r.get("q_value"), sup(r, "q_value"), "q"),
            ],
        )
    return table


def _trend(data, sid, name, years, by_year, total_rows) -> Chart:
    area = [by_year.get(y) or {} for y in years]
    whole = [total_rows.get(y) or {} for y in years]
    series = [
        Series(
            name=name,
            values=[val(r, "crimes_per_1000") for r in area],
            low=[val(r, "crimes_per_1000_ci_low") for r in area],
            high=[val(r, "crimes_per_1000_ci_high") for r in area],
            color=PALETTE[0],
            suppressed=[sup(r, "crimes_per_1000") for r in area],
        ),
        Series(
            name="Hela kommunen",
            values=[val(r, "crimes_per_1000") for r in whole],
            color=MUNICIPALITY_COLOR,
            dash="dash",
            suppressed=[sup(r, "crimes_per_1000") for r in whole],
        ),
    ]
    last = area[-1] if area else {}
    first_year = years[0]
    first = area[0] if area else {}
    caption = Markup(
        "Antal anmälda brott per 1\u00a0000 invånare i {name} {y0}–{y1}, med 95\u00a0% "
        "konfidensintervall, jämfört med hela kommunen (streckad linje). {y0}: {a}; {y1}: {b} "
        "per 1\u00a0000."
    ).format(
        name=name,
        y0=first_year,
        y1=data.year,
        a=fmt_rate(val(first, "crimes_per_1000"))
        if val(first, "crimes_per_1000") is not None
        else ("uppgift saknas" if not sup(first, "crimes_per_1000") else SUPPRESSED),
        b=fmt_rate(val(last, "crimes_per_1000"))
        if val(last, "crimes_per_1000") is not None
        else ("uppgift saknas" if not sup(last, "crimes_per_1000") else SUPPRESSED),
    )
    return trend_chart(
        f"{sid}-trend",
        years=years,
        series=series,
        label=f"Linjediagram: brott per 1\u00a0000 invånare i {name} per år",
        caption=caption,
        table_caption=f"Anmälda brott i {name} per år",
        counts=[
            (
                f"Anmälda brott i {name}",
                [r.get("crime_count") for r in area],
                [sup(r, "crime_count") for r in area],
                CRIME,
            )
        ],
    )


def season_values(frame, area_id: str | None, year: int, theme: str | None = None):
    """(values, suppressed, average of year-2..year or None per month, yearly_only)."""
    sub = frame if area_id is None else frame[frame["area_id"] == area_id]
    if theme is not None:
        sub = sub[sub["theme"] == theme]
    by = {(int(r["year"]), r["month"]): r for r in rows(sub)}
    months = [f"{m:02d}" for m in range(1, 13)]
    has_months = any((year, m) in by for m in months)
    if not has_months:
        return None
    values = [val(by.get((year, m)), "crime_count") for m in months]
    flags = [sup(by.get((year, m)), "crime_count") for m in months]
    average: list[float | None] = []
    average_shown = True
    for m in months:
        three = [by.get((y, m)) for y in (year - 2, year - 1, year)]
        if any(r is None for r in three):
            average_shown = False
            average.append(None)
            continue
        vals = [val(r, "crime_count") for r in three]
        if any(v is None for v in vals):
            average.append(None)
        else:
            average.append(sum(float(v) for v in vals) / 3)
    avg_flags = []
    for m in months:
        three = [by.get((y, m)) for y in (year - 2, year - 1, year)]
        avg_flags.append(any(sup(r, "crime_count") for r in three if r is not None))
    return values, flags, (average if average_shown else None), avg_flags


def average_line_shown(average, avg_flags) -> bool:
    """Whether the season chart draws its three-year average (some month is shown)."""
    return average is not None and any(
        a is not None and not f for a, f in zip(average, avg_flags, strict=True)
    )


def busiest_month(values) -> Markup | None:
    """'<count> i <month>' for the month with the most crimes shown, or None."""
    shown = [(i, v) for i, v in enumerate(values) if v is not None]
    if not shown:
        return None
    top = max(shown, key=lambda t: t[1])
    return Markup("{} i {}").format(count_span(top[1], False), month_name(top[0] + 1))


def _season(data, sid, area_id, name) -> tuple[Chart | None, str | None]:
    year = data.year
    result = season_values(data.area_month, area_id, year)
    if result is None:
        return None, (
            f"Brotten för {year} har lämnats per år, inte per månad, så säsongsmönstret "
            "kan inte visas."
        )
    values, flags, average, avg_flags = result
    top = busiest_month(values)
    high = Markup(" Flest anmälda brott {}: {}.").format(year, top) if top else Markup("")
    n_sup = sum(flags)
    caption = Markup("Anmälda brott per månad i {name} {year}").format(name=name, year=year)
    if average_line_shown(average, avg_flags):
        caption += Markup(", och genomsnittet per månad {a}–{year} (linje)").format(
            a=year - 2, year=year
        )
    caption += Markup(".") + high
    if n_sup:
        caption += Markup(" {} visas inte ({}).").format(
            count_noun(n_sup, "månad", "månader"), SUPPRESSED
        )
    chart = season_chart(
        f"{sid}-season",
        year=year,
        values=values,
        suppressed=flags,
        average=average,
        average_suppressed=avg_flags,
        label=f"Stapeldiagram: anmälda brott per månad i {name} {year}",
        caption=caption,
        table_caption=f"Anmälda brott per månad i {name}",
        average_label=f"Genomsnitt {year - 2}–{year}",
    )
    return chart, None


def _referrals(data, sid, area_id, name, r) -> tuple[Chart | None, Markup]:
    year = data.year
    ar = data.area_referral
    sub = ar[(ar["area_id"] == area_id) & (ar["year"] == year) & (ar["type"] == "orosanmalan")]
    by = {x["source"]: x for x in rows(sub)}
    sig = Markup("Ärenden till SIG {year}: {n}. {note}").format(
        year=year,
        n=count_span(r.get("sig_referral_count"), sup(r, "sig_referral_count"), REFERRAL)
        if r.get("sig_referral_count") is not None or sup(r, "sig_referral_count")
        else "uppgift saknas",
        note=SIG_LINK,
    )
    if not by:
        return None, Markup("Inga orosanmälningar finns redovisade för {} {}. ").format(
            name, year
        ) + sig
    sources = [s for s in SOURCE_ORDER if s != TOTAL and s in by]
    sources += sorted(s for s in by if s not in SOURCE_ORDER)
    total = by.get(TOTAL)
    caption = Markup(
        "Orosanmälningar om barn 0–17 år i {name} {year} efter anmälare. Totalt {n}."
    ).format(
        name=name,
        year=year,
        n=count_span(val(total, "referral_count"), sup(total, "referral_count"), REFERRAL),
    )
    n_sup = sum(1 for s in sources if sup(by[s], "referral_count"))
    if n_sup:
        caption += Markup(" {} anmälargrupper visas inte ({}).").format(n_sup, SUPPRESSED)
    chart = bar_chart(
        f"{sid}-referrals",
        categories=[source_label(s) for s in sources],
        values=[val(by[s], "referral_count") for s in sources],
        suppressed=[sup(by[s], "referral_count") for s in sources],
        kind=REFERRAL,
        label=f"Stapeldiagram: orosanmälningar i {name} {year} efter anmälare",
        caption=caption,
        table_caption=f"Orosanmälningar i {name} {year} efter anmälare",
        value_header="Orosanmälningar",
        axis_title="Orosanmälningar",
        row_header="Anmälare",
        horizontal=True,
        color=PALETTE[2],
    )
    return chart, sig


def _team(data, section: Section, area_id: str, name: str, has_team: bool) -> None:
    """The area team's assessments over the terms, with its screened observations."""
    year = data.year
    at = data.area_team
    sub = rows(at[at["area_id"] == area_id])
    team = Section(f"{section.id}-team", "Områdesteamets bedömning (1–5)", in_toc=False)
    if not has_team and not sub:
        team.p(
            f"{name} har inget områdesteam, så det finns ingen bedömning från ett team. "
            "Det betyder inte att det saknas oro i området."
        )
        section.sub(team)
        return
    if not sub:
        team.p(f"{name} har ett områdesteam, men ingen rapport har lämnats till och med {year}.")
        section.sub(team)
        return
    themes = [t for t in data.theme_names() if any(r["theme"] == t for r in sub)]
    themes += sorted({r["theme"] for r in sub} - set(themes))
    table = assessment_table(
        sub,
        row_column="theme",
        row_values=themes,
        row_label=capitalise,
        caption=f"Områdesteamets bedömning (1–5) i {name} per termin och tema",
        row_header="Tema",
        last_periods=TEAM_PERIODS,
    )
    team.p(
        "Bedömningen görs av områdesteamet på en skala 1–5 (5 = störst oro). Den visar teamets "
        "samlade bild, inte ett mätvärde, och kan inte jämföras mellan områden med olika team."
    )
    team.table(table)
    observations = [
        Markup("<strong>{} – {}:</strong> {}").format(
            _period_label(r["period"]), capitalise(r["theme"]), r["observations"]
        )
        for r in sub
        if r["year"] == year and r.get("observations")
    ]
    if observations:
        team.p(f"Teamets iakttagelser {year} (personuppgifter är borttagna):")
        team.ul(observations)
    # public.area_team has the text of published observations only (publiceras = ja).
    withheld = sum(1 for r in sub if r["year"] == year and r.get("observation_withheld"))
    if withheld:
        team.p(withheld_observations_sentence(withheld, year))
    section.sub(team)


def assessment_table(
    records: list[dict],
    *,
    row_column: str,
    row_values: list[str],
    row_label,
    caption: str,
    row_header: str,
    last_periods: int | None = None,
) -> Table:
    """Area-team assessments (1–5): one row per ``row_column`` value, one column per term."""
    periods: list[str] = []
    for r in records:
        if r["period"] not in periods:
            periods.append(r["period"])
    if last_periods is not None:
        periods = periods[-last_periods:]
    table = Table(
        caption=caption,
        columns=[_period_label(p) for p in periods],
        row_header=row_header,
        compact=True,
    )
    for value in row_values:
        cells = []
        for p in periods:
            found = [r for r in records if r["period"] == p and r[row_column] == value]
            a = found[0]["assessment"] if found else None
            cells.append(Cell(str(int(a)) if a is not None else MISSING))
        table.add(row_label(value), cells)
    return table


def _period_label(period: str) -> str:
    """'2025-VT' as 'VT 2025' (spring term), anything else as delivered."""
    m = re.fullmatch(r"(\d{4})-(VT|HT)", str(period))
    return f"{m.group(2)} {m.group(1)}" if m else str(period)


# --- the table of all areas ---------------------------------------------------------------


def all_areas_table(data: ReportData, *, section_ids: set[str], referrals_delivered: bool) -> Table:
    """Every area in the report year; the footer holds 'Okänt område' and the whole."""
    year = data.year
    ay = data.area_year
    by_area = {r["area_id"]: r for r in rows(ay[ay["year"] == year])}
    earlier = {k[0]: r for k, r in previous_rows(ay, year, ["area_id"]).items()}
    columns = [
        "Folkmängd",
        "Anmälda brott",
        "Antal per 1\u00a0000 invånare",
        "95\u00a0% konfidensintervall",
        "Utjämnad nivå (karta)",
        "Jämfört med kommunen",
        f"Förändring från {year - 1}",
        "Statistiskt säkerställd",
    ]
    if referrals_delivered:
        columns += ["Orosanmälningar", "Per 1\u00a0000 barn 0–17 år"]
    table = Table(
        caption=f"Alla områden {year}: anmälda brott, nivå och förändring",
        columns=columns,
        row_header="Område",
        id="alla-omraden",
        sortable=True,
    )

    def cells(r: dict) -> list[Cell]:
        out = [
            value_cell(r.get("population"), False, "int"),
            count_cell(r.get("crime_count"), sup(r, "crime_count"), CRIME),
            value_cell(r.get("crimes_per_1000"), sup(r, "crimes_per_1000"), "rate"),
            Cell(_interval(r)),
            value_cell(r.get("smoothed_per_1000"), sup(r, "smoothed_per_1000"), "rate"),
            Cell(
                funnel_short(r.get("funnel_position"), sup(r, "funnel_position")),
                align="txt",
                sort=None
                if sup(r, "funnel_position") or r.get("funnel_position") is None
                else float(r["funnel_position"]),
            ),
            change_cell(r, earlier.get(r["area_id"])),
            text_cell(_yes_no(r)),
        ]
        if referrals_delivered:
            out += [
                count_cell(r.get("referral_count"), sup(r, "referral_count"), REFERRAL),
                value_cell(
                    r.get("referrals_per_1000_0_17"), sup(r, "referrals_per_1000_0_17"), "rate"
                ),
            ]
        return out

    for area_id, name in zip(data.areas["area_id"], data.areas["area_name"], strict=True):
        r = by_area.get(area_id)
        if r is None:
            continue
        header = Cell(name, align="txt")
        if area_id in section_ids:
            header.href = "#" + anchor(area_id)
        table.add(header, cells(r))
    foot = []
    for area_id, label in ((UNKNOWN_AREA, "Okänt område"), (TOTAL, "Hela kommunen")):
        r = by_area.get(area_id)
        if r is not None:
            foot.append((Cell(label, align="txt"), cells(r)))
    table.foot = foot
    return table


def unknown_area_sentence(data: ReportData) -> Markup | None:
    """How many crimes could not be placed in an area, and their share."""
    ay = data.area_year
    unknown = row(ay, area_id=UNKNOWN_AREA, year=data.year)
    total = row(ay, area_id=TOTAL, year=data.year)
    if unknown is None:
        return None
    n = val(unknown, "crime_count")
    all_n = val(total, "crime_count")
    if sup(unknown, "crime_count"):
        return Markup(
            "Ett litet antal brott ({}) kunde inte knytas till något område. De räknas i "
            "kommunens total men i inget område, och finns inte på kartan."
        ).format(SUPPRESSED)
    if not n:
        return Markup("Alla anmälda brott {} kunde knytas till ett område.").format(data.year)
    share = f" ({fmt_pct(100 * float(n) / float(all_n), 1)} av alla)" if all_n else ""
    return Markup(
        "{n} brott{share} kunde inte knytas till något område (Okänt område). De räknas i "
        "kommunens total men i inget område, och finns inte på kartan."
    ).format(n=count_span(n, False), share=share)


def fmt_population(value: object) -> str:
    return fmt_int(value)
