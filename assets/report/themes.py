"""Theme sections: the themes overview, the two main themes, children and young people,
the funnel plots and the patterns over the year.

Theme names come from ``public.theme`` (the delivered reference list), never from code; the
main themes are found by their folded names (see ``data.MAIN_THEME_KEYS``).
"""

from __future__ import annotations

import re

from markupsafe import Markup

from assets.report.areas import (
    SIG_LINK,
    SIG_NOTE,
    anchor,
    average_line_shown,
    busiest_month,
    season_values,
)
from assets.report.data import (
    MAX_AREAS_WITH_SECTIONS,
    MAX_FINDINGS,
    TOTAL,
    UNKNOWN_AREA,
    ReportData,
    record_development,
    row,
    rows,
    sup,
    val,
)
from assets.report.document import Section
from assets.report.figures import (
    PALETTE,
    Chart,
    FunnelPoint,
    Series,
    bar_chart,
    funnel_chart,
    grouped_bar_chart,
    monthly_chart,
    rate_bars,
    season_chart,
    trend_chart,
)
from assets.report.findings import count_span, priority_rows
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
    age_label,
    capitalise,
    change_sentence,
    ci_phrase,
    count_noun,
    fmt_int,
    fmt_rate,
    funnel_short,
    join_list,
    plural,
    sex_label,
    source_label,
)

#: Rows of a table of areas above the municipal level in a theme section.
MAX_ABOVE_ROWS = 25
#: Years of the monthly series.
MONTHLY_YEARS = 5

THEME_TITLES = {
    "organised": "Organiserad brottslighet",
    "violence_close": "Mäns våld mot kvinnor och våld i nära relationer",
    "children": "Barn och unga",
}
THEME_NOTES = {
    "organised": (
        "Anmälda brott kopplade till organiserad brottslighet påverkas starkt av polisens "
        "arbetssätt och insatser: fler insatser ger fler anmälda brott. Mycket av den "
        "organiserade brottsligheten syns inte i anmälningsstatistiken alls."
    ),
    "violence_close": (
        "Temat visar brottstyper (till exempel våld i nära relation och sexualbrott), inte "
        "brottsoffrens kön: statistiken över anmälda brott har inga uppgifter om vem som "
        "utsattes. Brotten anmäls ofta inte, så en låg nivå betyder inte att brotten är "
        "ovanliga."
    ),
    "children": (
        "En orosanmälan visar att någon har känt oro för ett barn, inte att något har hänt. "
        "Ofta gäller den ett barn som kan vara utsatt, till exempel för våld eller "
        "försummelse i hemmet. Samma barn kan ha flera anmälningar."
    ),
}


def theme_id(theme: str) -> str:
    from assets.report.text import fold

    return "tema-" + re.sub(r"[^a-z0-9]+", "-", fold(theme)).strip("-")


def funnel_id(theme: str) -> str:
    return "tratt-" + theme_id(theme).removeprefix("tema-")


def _municipal(data: ReportData, theme: str) -> dict[int, dict]:
    ty = data.theme_year
    return {
        int(r["year"]): r
        for r in rows(ty[(ty["area_id"] == TOTAL) & (ty["theme"] == theme)])
        if int(r["year"]) in data.years
    }


def theme_has_crimes(data: ReportData, theme: str) -> bool:
    """Whether any crime of the years up to the report year belongs to the theme."""
    by_year = _municipal(data, theme)
    return any((r.get("crime_count") or 0) > 0 or sup(r, "crime_count") for r in by_year.values())


def municipal_sentence(data: ReportData, theme: str, label: str) -> Markup:
    """'År 2025 anmäldes 27 brott inom …, 0,73 per 1 000 invånare (…). Förändringen …'."""
    year = data.year
    r = _municipal(data, theme).get(year)
    if r is None:
        return Markup("Uppgifter för {} saknas.").format(year)
    text = Markup("År {year} anmäldes {n} brott inom {label} i hela kommunen").format(
        year=year, n=count_span(r.get("crime_count"), sup(r, "crime_count")), label=label
    )
    rate = val(r, "crimes_per_1000")
    if rate is not None:
        ci = ci_phrase(val(r, "crimes_per_1000_ci_low"), val(r, "crimes_per_1000_ci_high"))
        text += Markup(", {} per 1\u00a0000 invånare{}").format(
            fmt_rate(rate), f" {ci}" if ci else ""
        )
    text += Markup(". ")
    text += record_development(data.theme_year, year, r, area_id=TOTAL, theme=theme)
    return text


def theme_trend_chart(data: ReportData, theme: str, label: str, chart_id: str) -> Chart:
    by_year = _municipal(data, theme)
    years = data.years
    recs = [by_year.get(y) or {} for y in years]
    first, last = recs[0], recs[-1]

    def shown(r: dict) -> str:
        v = val(r, "crimes_per_1000")
        if v is not None:
            return fmt_rate(v)
        return SUPPRESSED if sup(r, "crimes_per_1000") else "uppgift saknas"

    caption = Markup(
        "Anmälda brott inom {label} per 1\u00a0000 invånare i hela kommunen "
        "{y0}–{y1}, med 95\u00a0% "
        "konfidensintervall: {a} år {y0} och {b} år {y1}."
    ).format(label=label, y0=years[0], y1=years[-1], a=shown(first), b=shown(last))
    return trend_chart(
        chart_id,
        years=years,
        series=[
            Series(
                name="Hela kommunen",
                values=[val(r, "crimes_per_1000") for r in recs],
                low=[val(r, "crimes_per_1000_ci_low") for r in recs],
                high=[val(r, "crimes_per_1000_ci_high") for r in recs],
                suppressed=[sup(r, "crimes_per_1000") for r in recs],
            )
        ],
        label=f"Linjediagram: {label} per 1\u00a0000 invånare per år",
        caption=caption,
        table_caption=f"Anmälda brott inom {label} i hela kommunen per år",
        counts=[
            (
                "Anmälda brott",
                [r.get("crime_count") for r in recs],
                [sup(r, "crime_count") for r in recs],
                CRIME,
            )
        ],
    )


def theme_season_chart(data: ReportData, theme: str, label: str, chart_id: str):
    """The whole municipality's crimes per month in the theme; None for yearly deliveries."""
    result = season_values(data.theme_month, None, data.year, theme=theme)
    if result is None:
        return None
    values, flags, average, avg_flags = result
    year = data.year
    caption = Markup("Anmälda brott inom {label} per månad {year} i hela kommunen").format(
        label=label, year=year
    )
    if average_line_shown(average, avg_flags):
        caption += Markup(", och genomsnittet per månad {}–{} (linje)").format(year - 2, year)
    caption += Markup(".")
    top = busiest_month(values)
    if top:
        caption += Markup(" Flest: {}.").format(top)
    if sum(flags):
        caption += Markup(" {} visas inte ({}).").format(
            count_noun(sum(flags), "månad", "månader"), SUPPRESSED
        )
    caption += Markup(" April–maj (valborg, skolavslutning), juni och december är markerade.")
    chart = season_chart(
        chart_id,
        year=year,
        values=values,
        suppressed=flags,
        average=average,
        average_suppressed=avg_flags,
        label=f"Stapeldiagram: {label} per månad {year}",
        caption=caption,
        table_caption=f"Anmälda brott inom {label} per månad, hela kommunen",
        average_label=f"Genomsnitt {year - 2}–{year}",
    )
    return chart


def _interval(r: dict | None) -> str:
    if r is None:
        return MISSING
    if sup(r, "crimes_per_1000_ci_low"):
        return SUPPRESSED
    lo, hi = r.get("crimes_per_1000_ci_low"), r.get("crimes_per_1000_ci_high")
    if lo is None or hi is None:
        return MISSING
    return f"{fmt_rate(lo)}–{fmt_rate(hi)}"


def above_level(
    data: ReportData, theme: str, label: str, section_ids: set[str]
) -> tuple[Markup, Table | None]:
    """The areas over the municipal level in the theme (funnel position +1/+2)."""
    year = data.year
    ty = data.theme_year
    sub = rows(
        ty[
            (ty["theme"] == theme)
            & (ty["year"] == year)
            & ~ty["area_id"].isin([TOTAL, UNKNOWN_AREA])
        ]
    )
    shown = [
        r for r in sub if not sup(r, "funnel_position") and r.get("funnel_position") is not None
    ]
    above = [r for r in shown if r["funnel_position"] >= 1]
    clearly = [r for r in above if r["funnel_position"] >= 2]
    below = [r for r in shown if r["funnel_position"] <= -1]
    n_sup = sum(1 for r in sub if sup(r, "funnel_position"))
    text = Markup(
        "Jämfört med kommunen som helhet låg {a} av {n} områden över kommunens nivå {year} "
        "(utanför trattdiagrammets 95-procentsgräns), varav {c} tydligt över (utanför "
        "99,8-procentsgränsen). {b} låg under kommunens nivå."
    ).format(
        a=len(above),
        n=len(shown),
        year=year,
        c=len(clearly),
        b=count_noun(len(below), "område", "områden"),
    )
    if n_sup:
        text += Markup(" För {} visas inte jämförelsen ({}), eftersom antalen är för små.").format(
            count_noun(n_sup, "område", "områden"), SUPPRESSED
        )
    if not above:
        return text, None
    above.sort(key=lambda r: (-r["funnel_position"], r["area_name"]))
    earlier = {r["area_id"]: r for r in rows(ty[(ty["theme"] == theme) & (ty["year"] == year - 1)])}
    table = Table(
        caption=f"Områden över kommunens nivå inom {label} {year}",
        columns=[
            "Anmälda brott",
            "Antal per 1\u00a0000 invånare",
            "95\u00a0% konfidensintervall",
            "Jämfört med kommunen",
            f"Förändring från {year - 1}",
        ],
        row_header="Område",
    )
    for r in above[:MAX_ABOVE_ROWS]:
        header = Cell(r["area_name"], align="txt")
        if r["area_id"] in section_ids:
            header.href = "#" + anchor(r["area_id"])
        table.add(
            header,
            [
                count_cell(r.get("crime_count"), sup(r, "crime_count"), CRIME),
                value_cell(r.get("crimes_per_1000"), sup(r, "crimes_per_1000"), "rate"),
                Cell(_interval(r)),
                text_cell(funnel_short(r["funnel_position"])),
                change_cell(r, earlier.get(r["area_id"])),
            ],
        )
    if len(above) > MAX_ABOVE_ROWS:
        table.note = (
            f"Tabellen visar {MAX_ABOVE_ROWS} av {len(above)} områden, de tydligaste "
            "avvikelserna först och sedan i bokstavsordning."
        )
    return text, table


def team_for_theme(data: ReportData, theme: str, label: str) -> tuple[Markup | str, None]:
    """The area teams' highest assessment of the theme in the report year, area by area, in one
    sentence (not ranked). Every term's assessment is in the areas' sections in the appendix,
    so the main text keeps one line per theme (issue 13)."""
    year = data.year
    at = data.area_team
    sub = at[(at["theme"] == theme) & (at["year"] == year) & at["assessment"].notna()]
    if not data.delivered("omradesteam"):
        return "Inga rapporter från områdesteam har lämnats.", None
    if sub.empty:
        return f"Inget områdesteam har bedömt temat {year}.", None
    highest = sub.groupby("area_name")["assessment"].max()
    names = sorted(highest.index, key=_sv_key)
    items = join_list([f"{name} {int(highest[name])}" for name in names])
    return (
        Markup(
            "Områdesteamens högsta bedömning av temat {year} (1–5, 5 betyder störst oro): "
            "{items}. Bara områden med ett team har en bedömning, och bedömningarna jämförs "
            'inte mellan områden; varje termin finns i <a href="#omraden-detalj">områdenas '
            "avsnitt</a>."
        ).format(year=year, items=items),
        None,
    )


def _sv_key(text: str):
    from assets.report.data import swedish_sort_key

    return swedish_sort_key(text)


# --- sections ----------------------------------------------------------------------------


#: Section ids of the main themes (kept stable: other sections link to them).
MAIN_SECTION_IDS = {
    "organised": "organiserad-brottslighet",
    "violence_close": "vald-i-nara-relationer",
    "children": "barn-och-unga",
}


def main_theme_section(data: ReportData, key: str, section_ids: set[str]) -> Section:
    """The section of one of the two main themes (or the crime part of children)."""
    title = THEME_TITLES[key]
    theme = data.main_theme(key)
    sid = MAIN_SECTION_IDS[key]
    if theme is None:
        section = Section(sid, title)
        section.p(
            f"Temat ”{title.lower()}” finns inte i den levererade referenslistan över teman, så "
            "det kan inte redovisas. Lägg till temat i referens/teman.csv och knyt "
            "brottskategorier till det i referens/brottskategorier.csv."
        )
        if key != "children":
            section.note(THEME_NOTES[key])
        return section
    return theme_section(
        data,
        theme,
        section_ids,
        sid=sid,
        title=title,
        note=None if key == "children" else THEME_NOTES[key],
        crime_heading=key == "children",
        full=True,
    )


def theme_section(
    data: ReportData,
    theme: str,
    section_ids: set[str],
    *,
    sid: str | None = None,
    title: str | None = None,
    note: str | None = None,
    crime_heading: bool = False,
    full: bool = False,
) -> Section:
    """One theme's section: what it covers, the whole municipality's count, rate, interval and
    development, its crime categories, the areas over the municipal level and the area teams.

    ``full`` (the main themes) adds the trend and season charts and the teams' caveat; the other
    themes stay compact (issue 13: about 25 printed pages).
    """
    section = Section(sid or theme_id(theme), title or capitalise(theme))
    description = row(data.themes, theme=theme)
    if description and description.get("description"):
        section.p(Markup("<em>Temat omfattar:</em> {}").format(description["description"]))
    target = section
    if crime_heading:
        target = section.sub(
            Section(f"{section.id}-brott", "Anmälda brott inom temat", in_toc=False)
        )
    if note:
        section.note(note)
    _crime_part(data, target, theme, theme, section_ids, section.id, full=full)
    return section


def theme_order(data: ReportData) -> list[str]:
    """Every theme of the reference list in the order the report treats them.

    The themes of the year's key findings first, in their order; then the other themes by the
    whole municipality's count this year (largest first; a hidden count counts as 0); themes
    that are not prioritised (a residual theme such as övrigt) last, in the list's order.
    """
    names = data.theme_names()
    prioritised = [t for t in names if _is_prioritised(data, t)]
    residual = [t for t in names if not _is_prioritised(data, t)]
    first: list[str] = []
    for p in priority_rows(data)[:MAX_FINDINGS]:
        if p["theme"] in prioritised and p["theme"] not in first:
            first.append(p["theme"])
    year = data.year

    def size(theme: str) -> float:
        r = _municipal(data, theme).get(year)
        shown = None if r is None or sup(r, "crime_count") else r.get("crime_count")
        return float(shown) if shown is not None else 0.0

    position = {t: i for i, t in enumerate(names)}
    rest = sorted((t for t in prioritised if t not in first), key=lambda t: (-size(t), position[t]))
    return [*first, *rest, *residual]


def theme_sections(
    data: ReportData, section_ids: set[str], referrals_delivered: bool
) -> list[Section]:
    """A section for every theme, ordered by the prioritisation (:func:`theme_order`).

    The main themes keep their own sections (children with orosanmälningar and SIG); a main
    theme the reference list lacks keeps its explanation, after the prioritised themes.
    """
    main = {data.main_theme(key): key for key in THEME_TITLES if data.main_theme(key)}

    def one(theme: str) -> Section:
        key = main.get(theme)
        if key == "children":
            return children_section(data, section_ids, referrals_delivered)
        if key is not None:
            return main_theme_section(data, key, section_ids)
        return theme_section(data, theme, section_ids)

    order = theme_order(data)
    out = [one(t) for t in order if _is_prioritised(data, t)]
    for key in THEME_TITLES:
        if data.main_theme(key) is None:
            out.append(
                children_section(data, section_ids, referrals_delivered)
                if key == "children"
                else main_theme_section(data, key, section_ids)
            )
    return out + [one(t) for t in order if not _is_prioritised(data, t)]


def theme_section_id(data: ReportData, theme: str) -> str:
    """The id of a theme's section (a main theme keeps its own)."""
    for key, sid in MAIN_SECTION_IDS.items():
        if data.main_theme(key) == theme:
            return sid
    return theme_id(theme)


def _is_prioritised(data: ReportData, theme: str) -> bool:
    """The reference list's prioriteras flag (absent or unreadable reads as yes)."""
    r = row(data.themes, theme=theme)
    value = None if r is None else r.get("is_prioritised")
    return True if value is None else bool(value)


def category_table(data: ReportData, theme: str, label: str) -> Table | None:
    """The theme's crime categories in the whole municipality: count, rate and change.

    From public.municipality_category_year: the categories add up to the theme's total (the
    foot row), so a reader sees which category drives the theme. Shown counts largest first,
    hidden ones after them in alphabetical order (their place would hint at their size).
    """
    cy = data.category_year
    if cy.empty:
        return None
    year = data.year
    sub = cy[cy["theme"] == theme]
    now = {r["crime_category"]: r for r in rows(sub[sub["year"] == year])}
    before = {r["crime_category"]: r for r in rows(sub[sub["year"] == year - 1])}
    categories = [c for c in now if c != TOTAL]
    if not categories:
        return None

    def order(category: str) -> tuple:
        r = now[category]
        hidden = sup(r, "crime_count") or r.get("crime_count") is None
        return (hidden, 0.0 if hidden else -float(r["crime_count"]), _sv_key(category))

    table = Table(
        caption=f"Brottskategorier inom {label} i hela kommunen {year}",
        columns=[
            f"Anmälda brott {year}",
            "Antal per 1 000 invånare",
            f"Förändring från {year - 1}",
        ],
        row_header="Brottskategori",
        compact=True,
    )

    def cells(category: str) -> list[Cell]:
        r = now[category]
        return [
            count_cell(r.get("crime_count"), sup(r, "crime_count"), CRIME),
            value_cell(r.get("crimes_per_1000"), sup(r, "crimes_per_1000"), "rate"),
            change_cell(r, before.get(category)),
        ]

    for category in sorted(categories, key=order):
        table.add(category, cells(category))
    if TOTAL in now:
        table.foot.append((Cell("Hela temat", align="txt"), cells(TOTAL)))
    return table


def _crime_part(
    data, section: Section, theme: str, label: str, section_ids, sid: str, *, full: bool = True
) -> None:
    if not theme_has_crimes(data, theme):
        text = (
            "Inga anmälda brott inom temat finns i de levererade uppgifterna: antingen är ingen "
            "brottskategori i referenslistan knuten till temat, eller så har inga sådana brott "
            "lämnats. Det betyder inte att sådana brott inte förekommer."
        )
        dq = data.data_quality
        at_source = int(
            dq.loc[dq["source"] == "brott", "rows_suppressed_at_source"].fillna(0).sum()
        )
        if at_source:
            text += (
                f" {fmt_int(at_source)} rader i brottsleveranserna hade värdet ”..” (uppgift "
                "saknas) "
                "redan hos källan; de kan gälla temat och räknas inte som noll."
            )
        section.p(text)
        return
    section.p(municipal_sentence(data, theme, label), css="lead")
    section.table(category_table(data, theme, label))
    if full:
        section.chart(theme_trend_chart(data, theme, label, f"{sid}-trend"))
        # The month-by-month picture is in the appendix (issue 13: the main text stays short).
        section.p(
            Markup('Brotten per månad finns i <a href="#monster">Bilaga: Mönster över året</a>.')
        )
    text, table = above_level(data, theme, label, section_ids)
    section.p(
        text + Markup(' Se <a href="#{}">trattdiagrammet för temat</a>.').format(funnel_id(theme))
    )
    section.table(table)
    team_text, team_table = team_for_theme(data, theme, label)
    # The compact sections show the teams' table alone: its caveat is in the main themes.
    if full or team_table is None:
        section.p(team_text)
    section.table(team_table)


def children_section(data: ReportData, section_ids: set[str], referrals_delivered: bool) -> Section:
    section = main_theme_section(data, "children", section_ids)
    section.note(THEME_NOTES["children"])
    year = data.year
    oro = section.sub(Section("orosanmalningar", "Orosanmälningar", in_toc=False))
    sig = section.sub(Section("sig", "Ärenden till SIG (sociala insatsgrupper)", in_toc=False))
    if not referrals_delivered:
        for part in (oro, sig):
            part.p(
                "Inga uppgifter har lämnats: mappen orosanmalningar/ saknades eller var tom. "
                "Därför visas inga siffror här, och avsaknaden betyder inte noll."
            )
        return section
    ay = data.area_year
    whole = {int(r["year"]): r for r in rows(ay[ay["area_id"] == TOTAL])}
    years = data.years
    recs = [whole.get(y) or {} for y in years]
    r = whole.get(year) or {}
    basis = "barn 0–17 år" if r.get("referral_rate_basis") in (None, "0-17") else "invånare"
    text = Markup("År {year} kom {n} orosanmälningar om barn 0–17 år i hela kommunen").format(
        year=year, n=count_span(r.get("referral_count"), sup(r, "referral_count"), REFERRAL)
    )
    rate = val(r, "referrals_per_1000_0_17")
    if rate is not None:
        text += Markup(", {} per 1\u00a0000 {}").format(fmt_rate(rate), basis)
    text += Markup(". ")
    text += change_sentence(
        year=year,
        change_pct=r.get("referral_change_pct"),
        change_suppressed=sup(r, "referral_change_pct"),
        q_value=r.get("referral_q_value"),
        q_suppressed=sup(r, "referral_q_value"),
        is_significant=(
            None if r.get("referral_q_value") is None else (float(r["referral_q_value"]) < 0.05)
        ),
        count=None if sup(r, "referral_count") else val(r, "referral_count"),
        previous=(
            None
            if sup(whole.get(year - 1), "referral_count")
            else val(whole.get(year - 1), "referral_count")
        ),
    )
    oro.p(text, css="lead")
    oro.chart(
        trend_chart(
            "orosanmalningar-trend",
            years=years,
            series=[
                Series(
                    name="Hela kommunen",
                    values=[val(x, "referrals_per_1000_0_17") for x in recs],
                    color=PALETTE[2],
                    suppressed=[sup(x, "referrals_per_1000_0_17") for x in recs],
                )
            ],
            unit=f"Per 1\u00a0000 {basis}",
            label="Linjediagram: orosanmälningar per 1\u00a0000 barn per år",
            caption=Markup(
                "Orosanmälningar per 1\u00a0000 {basis} i hela kommunen {y0}–{y1}."
            ).format(basis=basis, y0=years[0], y1=years[-1]),
            table_caption="Orosanmälningar i hela kommunen per år",
            counts=[
                (
                    "Orosanmälningar",
                    [x.get("referral_count") for x in recs],
                    [sup(x, "referral_count") for x in recs],
                    REFERRAL,
                )
            ],
        )
    )
    oro.table(_area_referral_table(data, section_ids))
    oro.p(DETAILS_LINK)

    sig.p(SIG_NOTE, css="lead")
    sig.p(
        "SIG gäller unga 13–25 år och räknas för sig: ärendena ingår aldrig i "
        "orosanmälningarna per 1\u00a0000 barn."
    )
    rows_sig = data.referral_year[
        (data.referral_year["type"] == "sig") & (data.referral_year["sex"] == TOTAL)
    ]
    ages = [a for a in rows_sig["age_group"].drop_duplicates().tolist() if a != TOTAL]
    if rows_sig.empty:
        sig.p(f"Inga ärenden till SIG finns redovisade till och med {year}.")
        return section
    groups = []
    for age in sorted(ages):
        by = {int(x["year"]): x for x in rows(rows_sig[rows_sig["age_group"] == age])}
        groups.append(
            (
                age_label(age),
                [val(by.get(y), "referral_count") for y in years],
                [sup(by.get(y), "referral_count") for y in years],
            )
        )
    total_by = {int(x["year"]): x for x in rows(rows_sig[rows_sig["age_group"] == TOTAL])}
    t = total_by.get(year)
    caption = Markup(
        "Ärenden till SIG per år och åldersgrupp, hela kommunen. {year}: {n} ärenden."
    ).format(
        year=year,
        n=count_span(val(t, "referral_count"), sup(t, "referral_count"), REFERRAL),
    )
    sig.chart(
        grouped_bar_chart(
            "sig-trend",
            x=[str(y) for y in years],
            groups=groups,
            kind=REFERRAL,
            label="Stapeldiagram: ärenden till SIG per år och åldersgrupp",
            caption=caption,
            table_caption=("Ärenden till SIG per år och åldersgrupp"),
            axis_title="Ärenden till SIG",
            row_header="År",
            x_title="År",
        )
    )
    return section


#: The children's breakdowns (age and sex, who reported) are an appendix (issue 13).
DETAILS_ID = "barn-och-unga-detalj"
DETAILS_LINK = Markup(
    'Orosanmälningar och ärenden till SIG efter ålder, kön och anmälare finns i <a href="#'
    + DETAILS_ID
    + '">Bilaga: Orosanmälningar och SIG i detalj</a>.'
)


def children_details_section(data: ReportData, referrals_delivered: bool) -> Section | None:
    """Orosanmälningar and SIG by age group and sex, and by who reported, for the year."""
    if not referrals_delivered:
        return None
    s = Section(DETAILS_ID, "Bilaga: Orosanmälningar och SIG i detalj", css="appendix")
    oro = s.sub(Section(f"{DETAILS_ID}-oro", "Orosanmälningar", in_toc=False))
    oro.table(_age_sex_table(data, "orosanmalan", "Orosanmälningar"))
    oro.chart(_sources_chart(data, "orosanmalan", "orosanmalningar-kallor", "Orosanmälningar"))
    sig = s.sub(Section(f"{DETAILS_ID}-sig", "Ärenden till SIG", in_toc=False))
    sig.table(_age_sex_table(data, "sig", "Ärenden till SIG"))
    sig.chart(_sources_chart(data, "sig", "sig-kallor", "Ärenden till SIG"))
    return s


def _age_sex_table(data: ReportData, kind: str, label: str) -> Table | None:
    year = data.year
    ry = data.referral_year
    sub = rows(ry[(ry["type"] == kind) & (ry["year"] == year)])
    if not sub:
        return None
    sexes = [s for s in ("kvinnor", "man", "ej uppdelat", TOTAL) if any(r["sex"] == s for r in sub)]
    ages = []
    for r in sub:
        if r["age_group"] not in ages:
            ages.append(r["age_group"])
    ages = sorted([a for a in ages if a != TOTAL]) + ([TOTAL] if TOTAL in ages else [])
    table = Table(
        caption=f"{label} {year} efter åldersgrupp och kön",
        columns=[sex_label(s, kind) for s in sexes],
        row_header="Åldersgrupp",
        compact=True,
    )
    for age in ages:
        cells = []
        for s in sexes:
            found = [r for r in sub if r["age_group"] == age and r["sex"] == s]
            r = found[0] if found else None
            cells.append(count_cell(val(r, "referral_count"), sup(r, "referral_count"), REFERRAL))
        table.add(age_label(age), cells)
    return table


def _sources_chart(data: ReportData, kind: str, chart_id: str, label: str) -> Chart | None:
    year = data.year
    ar = data.area_referral
    sub = rows(ar[(ar["area_id"] == TOTAL) & (ar["year"] == year) & (ar["type"] == kind)])
    by = {r["source"]: r for r in sub}
    if not by:
        return None
    sources = [s for s in SOURCE_ORDER if s != TOTAL and s in by]
    sources += sorted(s for s in by if s not in SOURCE_ORDER and s != TOTAL)
    shown = [(source_label(s), val(by[s], "referral_count")) for s in sources]
    largest = [
        name for name, v in sorted([x for x in shown if x[1] is not None], key=lambda x: -x[1])[:2]
    ]
    caption = Markup("{label} {year} i hela kommunen efter anmälare.").format(
        label=label, year=year
    )
    if largest:
        caption += Markup(" Flest kom från {}.").format(join_list([n.lower() for n in largest]))
    n_sup = sum(1 for s in sources if sup(by[s], "referral_count"))
    if n_sup:
        caption += Markup(" {} {} visas inte ({}).").format(
            n_sup, plural(n_sup, "anmälargrupp", "anmälargrupper"), SUPPRESSED
        )
    return bar_chart(
        chart_id,
        categories=[source_label(s) for s in sources],
        values=[val(by[s], "referral_count") for s in sources],
        suppressed=[sup(by[s], "referral_count") for s in sources],
        kind=REFERRAL,
        label=f"Stapeldiagram: {label.lower()} {year} efter anmälare",
        caption=caption,
        table_caption=f"{label} {year} efter anmälare, hela kommunen",
        value_header=label,
        axis_title=label,
        row_header="Anmälare",
        horizontal=True,
        color=PALETTE[2] if kind == "orosanmalan" else PALETTE[3],
    )


def _area_referral_table(data: ReportData, section_ids: set[str]) -> Table | None:
    year = data.year
    ay = data.area_year
    sub = rows(ay[(ay["year"] == year) & ~ay["area_id"].isin([TOTAL, UNKNOWN_AREA])])
    names = dict(zip(data.areas["area_id"], data.areas["area_name"], strict=True))
    if len(names) > MAX_AREAS_WITH_SECTIONS:
        sub = [r for r in sub if r["area_id"] in section_ids]
        caption = f"Orosanmälningar {year} i de områden som har egna avsnitt"
    else:
        caption = f"Orosanmälningar {year} per område"
    if not sub:
        return None
    order = {a: i for i, a in enumerate(data.areas["area_id"])}
    sub.sort(key=lambda r: order.get(r["area_id"], 0))
    earlier = {r["area_id"]: r for r in rows(ay[ay["year"] == year - 1])}
    table = Table(
        caption=caption,
        columns=[
            "Orosanmälningar",
            "Per 1\u00a0000 barn 0–17 år",
            f"Förändring från {year - 1}",
            "q-värde",
            "Ärenden till SIG",
        ],
        row_header="Område",
    )
    for r in sub:
        header = Cell(r["area_name"], align="txt")
        if r["area_id"] in section_ids:
            header.href = "#" + anchor(r["area_id"])
        table.add(
            header,
            [
                count_cell(r.get("referral_count"), sup(r, "referral_count"), REFERRAL),
                value_cell(
                    r.get("referrals_per_1000_0_17"), sup(r, "referrals_per_1000_0_17"), "rate"
                ),
                change_cell(
                    r,
                    earlier.get(r["area_id"]),
                    count="referral_count",
                    change="referral_change_pct",
                ),
                value_cell(r.get("referral_q_value"), sup(r, "referral_q_value"), "q"),
                count_cell(r.get("sig_referral_count"), sup(r, "sig_referral_count"), REFERRAL),
            ],
        )
    table.note = SIG_LINK
    return table


# --- overview, funnels, patterns -----------------------------------------------------------


def themes_overview(data: ReportData) -> Section:
    year = data.year
    section = Section("teman", "Teman i kommunen")
    section.p(
        "Brotten är grupperade i teman enligt kommunens referenslista. Ett brott hör till ett "
        "tema genom sin brottskategori. Tabellen visar hela kommunen; varje tema har ett eget "
        "avsnitt nedan med sina brottskategorier."
    )
    names, rates, lows, highs, flags = [], [], [], [], []
    table = Table(
        caption=f"Anmälda brott per tema i hela kommunen {year}",
        columns=[
            "Anmälda brott",
            "Antal per 1\u00a0000 invånare",
            "95\u00a0% konfidensintervall",
            f"Förändring från {year - 1}",
            "q-värde",
            "Statistiskt säkerställd förändring",
        ],
        row_header="Tema",
    )
    significant = []
    for theme in data.theme_names():
        r = _municipal(data, theme).get(year)
        if r is None:
            continue
        label = capitalise(theme)
        names.append(label)
        rates.append(val(r, "crimes_per_1000"))
        lows.append(val(r, "crimes_per_1000_ci_low"))
        highs.append(val(r, "crimes_per_1000_ci_high"))
        flags.append(sup(r, "crimes_per_1000"))
        sig = MISSING
        if sup(r, "is_significant"):
            sig = SUPPRESSED
        elif r.get("is_significant") is not None:
            sig = "Ja" if r["is_significant"] else "Nej"
            if r["is_significant"] and val(r, "change_pct") is not None:
                significant.append(f"{theme} {'ökade' if r['change_pct'] > 0 else 'minskade'}")
        table.add(
            Cell(label, align="txt", href="#" + theme_section_id(data, theme)),
            [
                count_cell(r.get("crime_count"), sup(r, "crime_count"), CRIME),
                value_cell(r.get("crimes_per_1000"), sup(r, "crimes_per_1000"), "rate"),
                Cell(_interval(r)),
                change_cell(r, _municipal(data, theme).get(year - 1)),
                value_cell(r.get("q_value"), sup(r, "q_value"), "q"),
                text_cell(sig),
            ],
        )
    if significant:
        section.p(
            f"Statistiskt säkerställda förändringar från {year - 1} i hela kommunen: "
            f"{join_list(significant)}."
        )
    else:
        section.p(
            f"Ingen av temanas förändringar från {year - 1} i hela kommunen är statistiskt "
            "säkerställd (q-värde under 0,05)."
        )
    if names:
        shown = [(n, r) for n, r in zip(names, rates, strict=True) if r is not None]
        top = max(shown, key=lambda x: x[1]) if shown else None
        caption = Markup(
            "Anmälda brott per 1\u00a0000 invånare per tema i hela kommunen {}, med 95\u00a0% "
            "konfidensintervall."
        ).format(year)
        if top:
            caption += Markup(" Flest per invånare: {} ({} per 1\u00a0000).").format(
                top[0].lower(), fmt_rate(top[1])
            )
        section.chart(
            rate_bars(
                "teman-niva",
                names=names,
                rates=rates,
                lows=lows,
                highs=highs,
                suppressed=flags,
                label=f"Stapeldiagram: brott per 1\u00a0000 invånare per tema {year}",
                caption=caption,
                table=table,
            )
        )
    return section


def funnel_reference(data: ReportData, theme: str) -> float | None:
    """The reference rate per 1,000 the funnel limits were computed with.

    The priority table publishes it per theme; otherwise it is the placed crimes (the whole
    minus 'okant') over the population, from the public rows, or the whole's rate.
    """
    frame = data.area_year if theme == TOTAL else data.theme_year[data.theme_year["theme"] == theme]
    total = row(frame, area_id=TOTAL, year=data.year)
    published = val(total, "reference_per_1000")
    if published is not None:
        return float(published)
    if theme != TOTAL:
        pr = data.priority[data.priority["theme"] == theme]["reference_rate_per_1000"].dropna()
        if len(pr):
            return float(pr.iloc[0])
    unknown = row(frame, area_id=UNKNOWN_AREA, year=data.year)
    count, pop = val(total, "crime_count"), val(total, "population")
    if count is not None and pop and (unknown is None or val(unknown, "crime_count") is not None):
        placed = float(count) - float(val(unknown, "crime_count") or 0)
        return placed / float(pop) * 1000
    rate = val(total, "crimes_per_1000")
    return float(rate) if rate is not None else None


def funnel_section(data: ReportData, section_ids: set[str]) -> Section:
    year = data.year
    section = Section(
        "trattdiagram", "Bilaga: Trattdiagram – områdena jämförda med kommunen", css="appendix"
    )
    section.p(
        "Ett trattdiagram visar varje områdes antal brott per 1\u00a0000 "
        "invånare mot dess folkmängd. "
        "Linjerna visar hur mycket ett område kan avvika från kommunens nivå av slumpen och av "
        "den naturliga variationen mellan områden: små områden varierar mer, därför vidgas "
        "tratten åt vänster. Ett område utanför den yttre "
        "gränsen (99,8\u00a0%) är tydligt över eller under kommunens nivå. Områden vars antal inte "
        "visas för att skydda enskilda är inte med."
    )
    themes = [TOTAL, *[t for t in data.theme_names() if theme_has_crimes(data, t)]]
    for theme in themes:
        label = "alla brott" if theme == TOTAL else theme
        title = "Alla brott" if theme == TOTAL else capitalise(theme)
        sub = section.sub(Section(funnel_id(theme), title, in_toc=False))
        frame = (
            data.area_year if theme == TOTAL else data.theme_year[data.theme_year["theme"] == theme]
        )
        recs = rows(frame[(frame["year"] == year) & ~frame["area_id"].isin([TOTAL, UNKNOWN_AREA])])
        points = []
        for r in recs:
            rate, pop = val(r, "crimes_per_1000"), r.get("population")
            if rate is None or not pop:
                continue
            pos = None if sup(r, "funnel_position") else r.get("funnel_position")
            points.append(
                FunnelPoint(
                    r["area_name"], float(pop), float(rate), None if pos is None else int(pos)
                )
            )
        if not points:
            sub.p(f"Inga områden har både folkmängd och ett visat antal för {year}.")
            continue
        # Positions are hidden for every shown area only when the reference itself is hidden
        # (it would give a small count in Okänt område back): then no limits are drawn either.
        shown = [r for r in recs if not sup(r, "crime_count") and val(r, "crimes_per_1000")]
        reference_hidden = bool(shown) and all(sup(r, "funnel_position") for r in shown)
        reference = None if reference_hidden else funnel_reference(data, theme)
        tau2 = next(
            (float(r["funnel_tau2"]) for r in shown if val(r, "funnel_tau2") is not None), None
        )
        counts = {p: sum(1 for x in points if (x.position or 0) == p) for p in (2, 1, 0, -1, -2)}
        caption = Markup(
            "{label} {year}: {n} områden. Över kommunens nivå: {a} (varav {c} tydligt över); "
            "under: {b}; inom gränserna: {w}."
        ).format(
            label=capitalise(label),
            year=year,
            n=len(points),
            a=counts[2] + counts[1],
            c=counts[2],
            b=counts[-1] + counts[-2],
            w=counts[0],
        )
        if reference is not None:
            caption += Markup(" Kommunens nivå: {} per 1\u00a0000 invånare.").format(
                fmt_rate(reference)
            )
        elif reference_hidden:
            caption += Markup(
                " Kommunens nivå och gränserna visas inte för {} {}: de skulle avslöja ett litet "
                "antal brott i Okänt område."
            ).format(label, year)
        hidden = len(recs) - len(points)
        if hidden:
            caption += Markup(" {} saknar folkmängd eller visas inte ({}).").format(
                count_noun(hidden, "område", "områden"), SUPPRESSED
            )
        table = None
        outliers = sorted(
            [
                x
                for x in points
                if (x.position is not None and abs(x.position) >= 1)
                or len(points) <= MAX_AREAS_WITH_SECTIONS
            ],
            key=lambda x: (
                (-(x.position or 0), _sv_key(x.name))
                if len(points) <= MAX_AREAS_WITH_SECTIONS
                else (-(x.position or 0), -x.rate)
            ),
        )
        if outliers:
            table = Table(
                caption=(
                    f"Trattdiagrammet för {label} {year} i siffror"
                    if len(points) <= MAX_AREAS_WITH_SECTIONS
                    else f"Områden utanför 95-procentsgränsen för {label} {year}"
                ),
                columns=["Folkmängd", "Antal per 1\u00a0000 invånare", "Jämfört med kommunen"],
                row_header="Område",
                compact=True,
            )
            for x in outliers[:200]:
                table.add(
                    x.name,
                    [
                        value_cell(x.population, False, "int"),
                        value_cell(x.rate, False, "rate"),
                        text_cell(funnel_short(x.position)),
                    ],
                )
            if len(outliers) > 200:
                table.note = f"Tabellen visar 200 av {len(outliers)} områden utanför gränserna."
        sub.chart(
            funnel_chart(
                f"{funnel_id(theme)}-chart",
                points=points,
                reference_per_1000=reference,
                tau2=tau2,
                label=f"Trattdiagram: {label} {year}",
                caption=caption,
                table=table,
            )
        )
    return section


def patterns_section(data: ReportData, themes: list[str]) -> Section:
    """Monthly series of the prioritised themes and the season profile of all crimes."""
    year = data.year
    section = Section("monster", "Bilaga: Mönster över året", css="appendix")
    tm = data.theme_month
    monthly = tm[tm["month"].str.fullmatch(r"\d\d")]
    years = [y for y in data.years if y > year - MONTHLY_YEARS]
    have = monthly[monthly["year"].isin(years)]
    if have.empty:
        section.p(
            "Brotten har lämnats per år, inte per månad. Därför kan rapporten inte visa "
            "säsongsmönster eller utvecklingen månad för månad. Be den som lämnar uppgifterna "
            "om månadsdata om sådana mönster behövs."
        )
        return section
    section.p(
        "Säsongsmönster visar när på året brotten anmäls. Månadsdata kan inte visa enskilda "
        "dagar eller kvällar, som valborgsmässoafton, skolavslutningen eller lucia; de "
        "markerade månaderna är bara en hjälp att läsa diagrammen."
    )
    whole = theme_season_chart(data, TOTAL, "alla brott", "monster-sasong")
    if whole is not None:
        section.chart(whole)
    yearly_years = sorted(set(years) - set(have["year"].astype(int)))
    if yearly_years:
        section.p(
            f"För {join_list([str(y) for y in yearly_years])} har brotten lämnats per år, så de "
            "åren saknas i månadsserierna."
        )
    months = [f"{y}-{m:02d}" for y in sorted(set(have["year"].astype(int))) for m in range(1, 13)]
    series = []
    for theme in themes:
        sub = {(int(r["year"]), r["month"]): r for r in rows(have[have["theme"] == theme])}
        if not sub:
            continue
        values, flags = [], []
        for m in months:
            y, mm = m.split("-")
            r = sub.get((int(y), mm))
            values.append(val(r, "crime_count"))
            flags.append(sup(r, "crime_count"))
        series.append((capitalise(theme), values, flags))
    if series:
        caption = Markup(
            "Anmälda brott per månad {y0}–{y1} i hela kommunen för de prioriterade temana: {t}. "
            "Luckor i linjerna är månader som inte visas ({s}) för att skydda enskilda."
        ).format(
            y0=months[0][:4],
            y1=months[-1][:4],
            t=join_list([s[0].lower() for s in series]),
            s=SUPPRESSED,
        )
        section.chart(
            monthly_chart(
                "monster-manader",
                months=months,
                series=series,
                label="Linjediagram: anmälda brott per månad för de prioriterade temana",
                caption=caption,
                table_caption="Anmälda brott per månad för de prioriterade temana, hela kommunen",
            )
        )
    return section


def fmt_count(value: object) -> str:
    return fmt_int(value)
