"""The report's Trygghet section and each area's survey figures (public.area_survey_year).

Survey shares are read from the public table only, so a share from too few respondents is
already NULL with its flag: it is written ``..`` and "för få svar", never drawn, and nothing
computed from it is said (statistics.md, disclosure rule 5). A share is called higher or lower
than the municipality's only when its published q-value is below 0.05, and a change since the
previous survey is called a change only then; each claim carries its interval or q-value once.
Without a survey the section says so, why insecurity matters and where such data come from.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from assets.report.areas import anchor
from assets.report.data import TOTAL, ReportData, row, rows, sup, val
from assets.report.document import Section
from assets.report.figures import PALETTE, Chart, Series, _interval
from assets.report.survey_charts import (
    CrimeSurveyPoint,
    crime_survey_chart,
    share,
    share_interval,
    share_trend_chart,
)
from assets.report.tables import Cell, Table
from assets.report.text import (
    MINUS,
    MISSING,
    NBSP,
    SUPPRESSED,
    capitalise,
    fmt_dec,
    fmt_int,
    fmt_q,
    fmt_rate,
    funnel_phrase,
    join_list,
)

SECTION_ID = "trygghet"
KOMMUN = "kommun"
#: The police's and NTU's core question; it leads the section when it was asked.
MAIN_QUESTION = "otrygg_kvall"
#: At most this many area names in a sentence; more are counted (the table has them all).
MAX_NAMES = 8
TOO_FEW = "för få svar"


def too_few_note(min_respondents: int) -> str:
    return (
        f"{SUPPRESSED} = {TOO_FEW}: andelen visas inte när färre än {min_respondents} har svarat, "
        "och inte heller det som räknats fram ur den."
    )


# --- reading the published table ---------------------------------------------------------


def _questions(survey: pd.DataFrame) -> list[dict]:
    """The questions asked, the main one first, then in the order of their wording."""
    first = survey.drop_duplicates("question")
    found = rows(first[["question", "question_text", "high_share_is_worse"]])
    found.sort(key=lambda q: (q["question"] != MAIN_QUESTION, str(q["question_text"] or "")))
    return found


def _text(question: dict) -> str:
    return str(question["question_text"] or question["question"])


def _pct(value: object) -> str:
    return f"{fmt_dec(value, 1)}{NBSP}%"


def _ci(record: dict | None) -> str:
    low, high = val(record, "ci_low"), val(record, "ci_high")
    if low is None or high is None:
        return ""
    return f" (95{NBSP}% konfidensintervall {fmt_dec(low, 1)}–{fmt_dec(high, 1)})"


def _pp(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    sign = "+" if number > 0 and fmt_dec(number, 1) != "0,0" else ""
    return f"{sign}{fmt_dec(number, 1)} procentenheter".replace("-", MINUS)


def _significant(record: dict | None, column: str) -> bool:
    q = val(record, column)
    return q is not None and float(q) < 0.05  # type: ignore[arg-type]


def _versus_kommun(record: dict | None) -> str | None:
    """'higher' / 'lower' when the published comparison with the municipality says so."""
    if val(record, "share_pct") is None or not _significant(record, "kommun_q_value"):
        return None
    ref = val(record, "kommun_share_pct")
    if ref is None:
        return None
    return "higher" if float(val(record, "share_pct")) > float(ref) else "lower"  # type: ignore[arg-type]


def _names(names: list[str]) -> str:
    if len(names) <= MAX_NAMES:
        return join_list(names)
    return f"{fmt_int(len(names))} områden (se tabellen)"


def change_sentence(record: dict | None) -> str:
    """The change since the previous survey in words; a change only when q < 0.05."""
    prev = None if record is None else record.get("prev_survey_year")
    if prev is None:
        return "Det finns ingen tidigare mätning att jämföra med."
    prev = int(prev)
    if sup(record, "change_pp"):
        return (
            f"Förändringen sedan mätningen {prev} kan inte visas: ett av åren hade {TOO_FEW} "
            f"({SUPPRESSED})."
        )
    change = val(record, "change_pp")
    if change is None:
        return f"Förändringen sedan mätningen {prev} kan inte beräknas."
    if _significant(record, "q_value"):
        verb = "ökat" if float(change) > 0 else "minskat"  # type: ignore[arg-type]
        return (
            f"Andelen har {verb} sedan mätningen {prev} ({_pp(change)}); förändringen är "
            f"statistiskt säkerställd (q-värde {fmt_q(val(record, 'q_value'))})."
        )
    return f"Förändringen sedan mätningen {prev} ({_pp(change)}) är inte statistiskt säkerställd."


# --- the section -------------------------------------------------------------------------


def survey_section(data: ReportData, min_respondents: int = 30) -> Section:
    """The Trygghet section of the report."""
    s = Section(SECTION_ID, "Trygghet")
    survey = data.survey
    if survey.empty:
        _not_delivered(s, data.year)
        return s
    years = sorted(int(y) for y in survey["year"].unique())
    latest = years[-1]
    questions = _questions(survey)
    s.p(
        "Trygghetsmätningen visar hur invånarna själva upplever sitt område. Anmälda brott "
        "och otrygghet följer ofta inte varandra: i ett område där få brott anmäls kan många "
        "undvika att gå ut på kvällen. Därför står mätningen här bredvid brotten."
    )
    when = (
        f"Den senaste mätningen är från {latest}"
        + (f", och den jämförs med mätningen {years[-2]}." if len(years) > 1 else ".")
        + (f" Mätningar finns för {join_list([str(y) for y in years])}." if len(years) > 2 else "")
    )
    if latest < data.year:
        when += f" Ingen mätning gjordes {data.year}."
    s.p(when)
    main = questions[0]
    facts = _key_facts(data, main, latest)
    if facts:
        s.sub(Section(f"{SECTION_ID}-viktigast", "Det viktigaste", in_toc=False)).ul(facts)
    s.chart(_kommun_chart(data, main, years))
    if main.get("high_share_is_worse"):
        _crime_part(s, data, main, latest, min_respondents)
    s.p(
        Markup(
            'Andelarna per område och fråga, för kvinnor och män, finns i <a href="#{}">'
            "Bilaga: Trygghet per område och fråga</a>."
        ).format(TABLES_ID)
    )
    s.p(
        "Andelarna gäller dem som svarade. Intervallet är mätningens eget där det lämnats, "
        "annars Wilsons 95-procentiga konfidensintervall. En förändring sedan förra mätningen "
        "och en skillnad mot hela kommunen prövas med ett z-test för två andelar, och kallas "
        "skillnad bara när q-värdet (Benjamini–Hochberg, per år) är under 0,05. "
        f"Andelar från färre än {min_respondents} svarande visas inte ({TOO_FEW})."
    )
    return s


#: The appendix with every question's table by area (issue 13: the main text stays short).
TABLES_ID = f"{SECTION_ID}-tabeller"


def survey_tables_section(data: ReportData, min_respondents: int = 30) -> Section | None:
    """Every question's shares by area in the latest survey year, as an appendix."""
    survey = data.survey
    if survey.empty:
        return None
    latest = max(int(y) for y in survey["year"].unique())
    s = Section(TABLES_ID, "Bilaga: Trygghet per område och fråga", css="appendix")
    for i, question in enumerate(_questions(survey)):
        part = s.sub(Section(f"{SECTION_ID}-fraga-{i + 1}", _text(question), in_toc=False))
        part.table(_areas_table(data, question, latest, min_respondents))
    return s


def _not_delivered(s: Section, year: int) -> None:
    s.p(
        f"Ingen trygghetsmätning har lämnats in för åren till och med {year}, så rapporten kan "
        "inte säga hur trygga invånarna känner sig."
    )
    s.p(
        "Det spelar roll: anmälda brott och otrygghet följer ofta inte varandra. I ett område "
        "där få brott anmäls kan många undvika att gå ut på kvällen, och en lägesbild som bara "
        "bygger på anmälda brott missar det."
    )
    s.p(
        "Polisen gör i de flesta regioner lokala trygghetsmätningar tillsammans med kommunerna, "
        "just för att de ska användas i lägesbilder, och Brås Nationella trygghetsundersökning "
        "(NTU) ställer samma grundfrågor. Resultaten per område (en fil per mätning) läggs i "
        "mappen trygghet/ bland rådata och kommer då med i nästa lägesbild."
    )


def _kommun_row(data: ReportData, question: str, year: int, sex: str = "totalt") -> dict | None:
    return row(data.survey, area_id=KOMMUN, question=question, year=year, sex=sex)


def _area_rows(data: ReportData, question: str, year: int, sex: str = "totalt") -> list[dict]:
    sv = data.survey
    sub = sv[(sv["question"] == question) & (sv["year"] == year) & (sv["sex"] == sex)]
    order = {a: i for i, a in enumerate(data.areas["area_id"])}
    found = [r for r in rows(sub) if r["area_id"] != KOMMUN]
    return sorted(found, key=lambda r: order.get(r["area_id"], len(order)))


def _key_facts(data: ReportData, question: dict, year: int) -> list[Markup | str]:
    q = question["question"]
    text = _text(question)
    facts: list[Markup | str] = []
    whole = _kommun_row(data, q, year)
    if whole is None:
        facts.append(f"{text}: mätningen {year} har ingen uppgift för hela kommunen.")
    elif sup(whole, "share_pct"):
        facts.append(f"{text}: andelen för hela kommunen {year} visas inte ({TOO_FEW}).")
    else:
        facts.append(
            f"{text}: {_pct(val(whole, 'share_pct'))} av de svarande i hela kommunen {year}"
            f"{_ci(whole)}. {change_sentence(whole)}"
        )
    women, men = _kommun_row(data, q, year, "kvinnor"), _kommun_row(data, q, year, "man")
    if val(women, "share_pct") is not None and val(men, "share_pct") is not None:
        sentence = (
            f"Bland kvinnor {_pct(val(women, 'share_pct'))}{_ci(women)}, "
            f"bland män {_pct(val(men, 'share_pct'))}{_ci(men)}."
        )
        apart = _apart(women, men)
        if apart:
            sentence += f" Andelen är högre bland {apart}; intervallen överlappar inte."
        facts.append(sentence)
    areas = _area_rows(data, q, year)
    shown = [r for r in areas if not sup(r, "share_pct") and r.get("share_pct") is not None]
    higher = [r["area_name"] for r in shown if _versus_kommun(r) == "higher"]
    lower = [r["area_name"] for r in shown if _versus_kommun(r) == "lower"]
    if shown:
        parts = []
        if higher:
            parts.append(f"högre än i hela kommunen i {_names(higher)}")
        if lower:
            parts.append(f"lägre i {_names(lower)}")
        facts.append(
            (
                f"Av {fmt_int(len(shown))} områden med tillräckligt många svar är andelen "
                + " och ".join(parts)
                + " (q-värde under 0,05). I de övriga går ingen säker skillnad mot kommunen "
                "att se."
            )
            if parts
            else f"I inget av {fmt_int(len(shown))} områden med tillräckligt många svar skiljer "
            "sig andelen säkert från hela kommunens (q-värde under 0,05)."
        )
    few = [r for r in areas if sup(r, "share_pct")]
    if few:
        names = _names([f"{r['area_name']} ({fmt_int(r['respondents'])} svarande)" for r in few])
        facts.append(f"{capitalise(TOO_FEW)} för att visa andelen i {names} ({SUPPRESSED}).")
    return facts


def _apart(women: dict | None, men: dict | None) -> str | None:
    """'kvinnor än bland män' style name of the higher group when the intervals do not overlap."""
    wl, wh = val(women, "ci_low"), val(women, "ci_high")
    ml, mh = val(men, "ci_low"), val(men, "ci_high")
    if None in (wl, wh, ml, mh):
        return None
    if float(wl) > float(mh):  # type: ignore[arg-type]
        return "kvinnor än bland män"
    if float(ml) > float(wh):  # type: ignore[arg-type]
        return "män än bland kvinnor"
    return None


def _kommun_chart(data: ReportData, question: dict, years: list[int]) -> Chart | None:
    q = question["question"]
    series = []
    for i, (sex, name) in enumerate(
        (("totalt", "Hela kommunen"), ("kvinnor", "Kvinnor"), ("man", "Män"))
    ):
        recs = [_kommun_row(data, q, y, sex) for y in years]
        if not any(r is not None for r in recs):
            continue
        series.append(
            Series(
                name=name,
                values=[val(r, "share_pct") for r in recs],
                low=[val(r, "ci_low") for r in recs],
                high=[val(r, "ci_high") for r in recs],
                color=(PALETTE[6], PALETTE[3], PALETTE[0])[i],
                dash="solid" if sex == "totalt" else "dot",
                suppressed=[sup(r, "share_pct") for r in recs],
            )
        )
    if not series:
        return None
    text = _text(question)
    return share_trend_chart(
        f"{SECTION_ID}-kommun",
        years=years,
        series=series,
        label=f"Linjediagram: {text.lower()}, andel i hela kommunen per mätning",
        caption=(
            f"{text}: andel av de svarande i hela kommunen per mätning, med 95{NBSP}% "
            "konfidensintervall."
        ),
        table_caption=f"{text}: andel i hela kommunen per mätning",
    )


def _crime_part(
    s: Section, data: ReportData, question: dict, year: int, min_respondents: int
) -> None:
    """Crime beside insecurity per area (the survey year's crime rate), and the mismatches."""
    part = s.sub(Section(f"{SECTION_ID}-brott", "Brott och otrygghet", in_toc=False))
    ay = data.area_year
    crime = {r["area_id"]: r for r in rows(ay[ay["year"] == year])}
    if not crime:
        part.p(f"Det finns inga uppgifter om anmälda brott för {year}, mätningens år.")
        return
    total = crime.get(TOTAL)
    reference = val(total, "reference_per_1000")
    whole = _kommun_row(data, question["question"], year)
    points, feel_unsafe, feel_safe = [], [], []
    table = Table(
        caption=f"Anmälda brott och {_text(question).lower()} per område {year}",
        columns=[
            "Anmälda brott per 1\u00a0000 invånare",
            "Brotten: 95\u00a0% konfidensintervall",
            "Brotten jämfört med kommunens nivå",
            "Andel i mätningen (%)",
            "Andelen: 95\u00a0% konfidensintervall",
            "Andelen jämfört med hela kommunen",
        ],
        row_header="Område",
        sortable=True,
        note=too_few_note(min_respondents),
    )
    for r in _area_rows(data, question["question"], year):
        c = crime.get(r["area_id"])
        rate, position = val(c, "crimes_per_1000"), val(c, "funnel_position")
        hidden = sup(r, "share_pct")
        table.add(
            Cell(r["area_name"], align="txt", href=f"#{anchor(r['area_id'])}"),
            [
                Cell(SUPPRESSED if sup(c, "crimes_per_1000") else fmt_rate(rate), sort=rate),
                Cell(_rate_interval(c)),
                Cell(_position_cell(c), align="txt"),
                Cell(share(r.get("share_pct"), hidden), sort=r.get("share_pct")),
                Cell(share_interval(r.get("ci_low"), r.get("ci_high"), hidden)),
                Cell(_versus_cell(r), align="txt"),
            ],
        )
        if rate is None or hidden or r.get("share_pct") is None:
            continue
        points.append(
            CrimeSurveyPoint(
                name=r["area_name"],
                rate=float(rate),  # type: ignore[arg-type]
                rate_low=val(c, "crimes_per_1000_ci_low"),  # type: ignore[arg-type]
                rate_high=val(c, "crimes_per_1000_ci_high"),  # type: ignore[arg-type]
                share=float(r["share_pct"]),
                share_low=r.get("ci_low"),
                share_high=r.get("ci_high"),
            )
        )
        versus = _versus_kommun(r)
        if versus == "higher" and position is not None and int(position) <= 0:  # type: ignore[arg-type]
            feel_unsafe.append(r["area_name"])
        if versus == "lower" and position is not None and int(position) >= 1:  # type: ignore[arg-type]
            feel_safe.append(r["area_name"])
    part.p(_mismatch_sentence(feel_unsafe, feel_safe))
    if points:
        part.chart(
            crime_survey_chart(
                f"{SECTION_ID}-brott-diagram",
                points=points,
                reference_rate=reference,  # type: ignore[arg-type]
                municipal_share=val(whole, "share_pct"),  # type: ignore[arg-type]
                label=(
                    f"Punktdiagram: anmälda brott per 1\u00a0000 invånare mot andelen som svarat "
                    f"{_text(question).lower()}, per område {year}"
                ),
                caption=(
                    f"Varje punkt är ett område {year}: anmälda brott per 1{NBSP}000 invånare "
                    "(vågrätt) och andelen i mätningen (lodrätt), båda med 95" + NBSP + "% "
                    "konfidensintervall. Områden med för få svar saknas i diagrammet men finns "
                    "i tabellen."
                ),
                table=table,
                share_axis="Andel av de svarande (%)",
            )
        )
    else:
        part.table(table)


def _rate_interval(record: dict | None) -> str:
    low, high = val(record, "crimes_per_1000_ci_low"), val(record, "crimes_per_1000_ci_high")
    return _interval(low, high, sup(record, "crimes_per_1000_ci_low"))


def _position_cell(record: dict | None) -> str:
    if sup(record, "funnel_position"):
        return SUPPRESSED
    return capitalise(funnel_phrase(val(record, "funnel_position")) or MISSING)


def _versus_cell(record: dict) -> str:
    if sup(record, "kommun_q_value") or sup(record, "share_pct"):
        return SUPPRESSED
    if val(record, "kommun_q_value") is None:
        return MISSING
    return {"higher": "Högre", "lower": "Lägre"}.get(
        _versus_kommun(record) or "", "Ingen säker skillnad"
    )


def _mismatch_sentence(feel_unsafe: list[str], feel_safe: list[str]) -> str:
    parts = []
    if feel_unsafe:
        parts.append(
            f"I {_names(feel_unsafe)} är andelen i mätningen högre än i hela kommunen, fast "
            "de anmälda brotten per invånare inte är över kommunens nivå."
        )
    if feel_safe:
        parts.append(
            f"I {_names(feel_safe)} är andelen i mätningen lägre än i hela kommunen, fast "
            "de anmälda brotten per invånare är över kommunens nivå."
        )
    if not parts:
        return (
            "I inget område går mätningen och de anmälda brotten tydligt isär: där andelen "
            "skiljer sig säkert från kommunens gör brotten det åt samma håll, eller inte alls."
        )
    return (
        " ".join(parts)
        + " Där skulle brottsstatistiken ensam ge en missvisande bild. Skillnaderna beskriver "
        "svaren och anmälningarna, inte de människor som bor i områdena. Jämförelserna bygger "
        "på q-värden under 0,05 för mätningen och på trattdiagrammets gränser för brotten."
    )


def _areas_table(data: ReportData, question: dict, year: int, min_respondents: int) -> Table:
    q = question["question"]
    by_sex = {
        sex: {r["area_id"]: r for r in _area_rows(data, q, year, sex)} for sex in ("kvinnor", "man")
    }
    table = Table(
        caption=f"{_text(question)}: andel av de svarande per område {year}",
        columns=[
            "Svarande",
            "Andel (%)",
            "95\u00a0% konfidensintervall",
            "Kvinnor (%)",
            "Män (%)",
            "Förändring sedan förra mätningen (procentenheter)",
            "Jämfört med hela kommunen",
        ],
        row_header="Område",
        sortable=True,
        note=too_few_note(min_respondents),
    )

    def cells(r: dict, women: dict | None, men: dict | None) -> list[Cell]:
        return [
            Cell(fmt_int(r.get("respondents")), sort=r.get("respondents")),
            Cell(share(r.get("share_pct"), sup(r, "share_pct")), sort=r.get("share_pct")),
            Cell(share_interval(r.get("ci_low"), r.get("ci_high"), sup(r, "ci_low"))),
            Cell(_sex_share(women)),
            Cell(_sex_share(men)),
            Cell(_change_cell(r), sort=r.get("change_pp")),
            Cell(_versus_cell(r) if r["area_id"] != KOMMUN else "", align="txt"),
        ]

    for r in _area_rows(data, q, year):
        header = Cell(r["area_name"], align="txt", href=f"#{anchor(r['area_id'])}")
        women, men = (by_sex[s].get(r["area_id"]) for s in ("kvinnor", "man"))
        table.add(header, cells(r, women, men))
    whole = _kommun_row(data, q, year)
    if whole is not None:
        women, men = (_kommun_row(data, q, year, s) for s in ("kvinnor", "man"))
        table.foot.append((Cell("Hela kommunen", align="txt"), cells(whole, women, men)))
    return table


def _sex_share(record: dict | None) -> str:
    if record is None:
        return MISSING
    return share(record.get("share_pct"), sup(record, "share_pct"))


def _change_cell(record: dict) -> str:
    if sup(record, "change_pp"):
        return SUPPRESSED
    change = record.get("change_pp")
    if change is None:
        return MISSING
    return _pp(change).removesuffix(" procentenheter")


# --- each area's figures -----------------------------------------------------------------


def area_survey(data: ReportData, area_id: str, name: str) -> Section | None:
    """An area's survey figures for its section; None when no survey was delivered."""
    survey = data.survey
    if survey.empty:
        return None
    latest = int(survey["year"].max())
    sub = Section(f"{anchor(area_id)}-trygghet", "Trygghet", in_toc=False)
    mine = survey[(survey["area_id"] == area_id) & (survey["year"] == latest)]
    if mine.empty:
        sub.p(f"Trygghetsmätningen {latest} har inga svar från {name}.")
        return sub
    questions = [q for q in _questions(survey) if q["question"] in set(mine["question"])]
    items: list[Markup | str] = []
    for question in questions:
        r = row(mine, question=question["question"], sex="totalt")
        if r is None:
            continue
        text = _text(question)
        if sup(r, "share_pct"):
            items.append(
                f"{text}: {TOO_FEW} ({fmt_int(r.get('respondents'))} svarande) för att visa "
                f"andelen {latest} ({SUPPRESSED})."
            )
            continue
        versus = _versus_kommun(r)
        ref = val(r, "kommun_share_pct")
        compare = ""
        if ref is not None:
            compare = f" Hela kommunen: {_pct(ref)}; " + (
                f"andelen i {name} är {'högre' if versus == 'higher' else 'lägre'} "
                f"(q-värde {fmt_q(val(r, 'kommun_q_value'))})."
                if versus
                else "ingen säker skillnad (q-värde 0,05 eller högre)."
            )
        items.append(
            f"{text}: {_pct(val(r, 'share_pct'))} av {fmt_int(r.get('respondents'))} svarande "
            f"{latest}{_ci(r)}.{compare} {change_sentence(r)}"
        )
    sub.p(f"Ur trygghetsmätningen {latest}:")
    sub.ul(items)
    return sub
