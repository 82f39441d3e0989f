"""How to read the report, sources and limitations, and the appendices (data quality, method).

Everything here comes from ``public.data_quality``, ``public.quarantine_summary``,
``public.coverage`` and ``public.priority_rule``, restricted to files whose first year is
at most the report year (or that have no year, like the area list).
"""

from __future__ import annotations

from markupsafe import Markup

from assets.report.data import FINDING_MIN_SCORE, ReportData, rows
from assets.report.document import Section
from assets.report.tables import Cell, Table, text_cell, value_cell
from assets.report.text import (
    DELIVERY_LABELS,
    FOLDER_LABELS,
    LEGEND,
    MISSING,
    MISSING_LEGEND,
    NBSP,
    STATUS_LABELS,
    SUPPRESSED,
    count_noun,
    fmt_date,
    fmt_int,
    folder_label,
    join_list,
    plural,
    reason_label,
    translate_note,
)

SOURCE_ORDER = ("omraden", "befolkning", "brott", "orosanmalningar", "omradesteam", "referens")
MAX_ROW_NUMBERS = 12


def how_to_read(data: ReportData, crime_min: int, referral_min: int) -> Section:
    s = Section("sa-laser-du", "Så läser du rapporten")
    s.ul(
        [
            "Rapporten bygger på anmälda brott. Anmälda brott är inte alla brott: många brott "
            "anmäls "
            "aldrig, varje brott i en händelse räknas för sig, och brott som upptäcks genom "
            "polisens "
            "egna insatser (till exempel narkotikabrott) ökar när polisen arbetar mer med dem.",
            Markup(
                "<strong>Antal per 1\u00a0000 invånare</strong> gör områden av olika storlek "
                "jämförbara. "
                "Det <strong>95\u00a0% konfidensintervallet</strong> visar hur "
                "osäker nivån är: i små "
                "områden ändrar några få brott nivån mycket."
            ),
            Markup(
                "En förändring kallas <strong>statistiskt säkerställd</strong> bara när q-värdet "
                "(justerat p-värde) är under 0,05. En stor procentuell förändring på få brott är "
                "ofta slump och kallas då inte en ökning eller minskning."
            ),
            Markup(
                "<strong>Över eller under kommunens nivå</strong> betyder att området ligger "
                "utanför "
                "trattdiagrammets gränser jämfört med kommunen som helhet; <em>tydligt</em> över "
                "eller under betyder utanför 99,8-procentsgränsen."
            ),
            Markup(
                "<strong>Viktigaste iakttagelser</strong> väljs med en poängsättning (se "
                '<a href="#metod">Metod</a>), inte för hand.'
            ),
            # The one place the legend is explained; every table links here (issue 13).
            Markup(
                '<span id="teckenforklaring"></span>'
                "<strong>{m}</strong> – {legend}. Anmälda brott 1–{c} och orosanmälningar eller "
                "ärenden till SIG 1–{r} visas inte, och fler värden döljs vid behov så att ett "
                "dolt "
                "värde inte kan räknas fram ur summorna. <strong>{x}</strong> – {missing}."
            ).format(
                m=SUPPRESSED,
                legend=LEGEND,
                c=crime_min - 1,
                r=referral_min - 1,
                x=MISSING,
                missing=MISSING_LEGEND,
            ),
            "Rapporten beskriver läget; den förklarar inte varför. Orsaksanalysen görs av "
            "människor "
            "som känner området, och åtgärderna beslutas i åtgärdsplanen.",
        ]
    )
    return s


def _used_files(data: ReportData):
    dq = data.data_quality
    return rows(dq)


def sources_section(data: ReportData, crime_min: int, referral_min: int) -> Section:
    year = data.year
    s = Section("kallor", "Datakällor och begränsningar")
    files = _used_files(data)
    first_year = data.years[0] if data.years else year
    s.p(
        f"Rapporten för {year} bygger på uppgifter för åren {first_year}–{year}. Uppgifter för "
        f"senare år påverkar inte rapporten. Data till och med {fmt_date(data.data_until)}."
    )
    table = Table(
        caption="Datakällor som använts i rapporten",
        columns=["Levererad", "Filer", "År", "Godkända rader", "Leverans"],
        row_header="Källa",
        id="kallor-tabell",
    )
    by_source: dict[str, list[dict]] = {}
    for f in files:
        by_source.setdefault(f["source"], []).append(f)
    not_delivered = []
    for source in [*SOURCE_ORDER, *sorted(set(by_source) - set(SOURCE_ORDER))]:
        fs = by_source.get(source, [])
        loaded = [f for f in fs if f["status"] in ("loaded", "default")]
        accepted = sum(int(f.get("rows_accepted") or 0) for f in loaded)
        if not loaded or accepted == 0:
            not_delivered.append(source)
            table.add(
                folder_label(source),
                [
                    text_cell("Nej, inga uppgifter har lämnats"),
                    Cell(MISSING),
                    Cell(MISSING),
                    Cell(MISSING),
                    Cell(MISSING),
                ],
            )
            continue
        years = [
            y for f in loaded for y in (f.get("first_year"), f.get("last_year")) if y is not None
        ]
        years = [min(int(y), year) for y in years]
        span = f"{min(years)}–{max(years)}" if years else "alla år"
        if years and min(years) == max(years):
            span = str(min(years))
        deliveries = sorted({f["delivery"] for f in loaded if f.get("delivery")})
        default = any(f["status"] == "default" for f in loaded)
        table.add(
            folder_label(source),
            [
                text_cell("Standardlista" if default else "Ja"),
                value_cell(len(loaded), False, "int"),
                Cell(span) if years else text_cell(span),
                value_cell(accepted, False, "int"),
                text_cell(join_list([DELIVERY_LABELS.get(d, d) for d in deliveries]) or MISSING),
            ],
        )
    s.table(table)
    if not_delivered:
        s.p(
            "Inga uppgifter har lämnats för: "
            + join_list([folder_label(x).lower() for x in not_delivered])
            + ". Avsnitten som bygger på dem säger det i stället för att visa nollor."
        )
    s.p(
        "Brottsuppgifterna kommer från polisens anmälningsstatistik, lämnad som antal per område "
        "och månad (eller år) och brottskategori, utan uppgifter om enskilda. Polisens egen "
        "lägesbild är en annan källa och ingår inte här."
    )

    lim = s.sub(Section("begransningar", "Begränsningar", in_toc=False))
    items: list[Markup | str] = []
    yearly = sorted(
        {
            y
            for f in files
            if f["source"] == "brott" and f.get("delivery") == "yearly"
            for y in range(
                int(f.get("first_year") or year), min(int(f.get("last_year") or year), year) + 1
            )
        }
    )
    if yearly:
        items.append(
            f"Brotten för {join_list([str(y) for y in yearly])} har lämnats per år, inte per "
            "månad. För de åren kan rapporten inte visa säsongsmönster eller månadsserier."
        )
    at_source = sum(int(f.get("rows_suppressed_at_source") or 0) for f in files)
    if at_source:
        items.append(
            Markup(
                "{n} hade värdet ”..” (uppgift saknas eller dold) redan hos den som lämnade "
                "uppgifterna. De räknas inte som noll och ingår inte i summorna, så summorna kan "
                "vara något för låga."
            ).format(n=count_noun(at_source, "rad", "rader"))
        )
    quarantined = sum(int(f.get("rows_quarantined") or 0) for f in files)
    if quarantined:
        reasons = sorted({reason_label(q["reason"]) for q in rows(data.quarantine)})
        items.append(
            Markup(
                "{n} kunde inte användas och lades i karantän ({r}). Se "
                '<a href="#datakvalitet">Bilaga: Datakvalitet</a>.'
            ).format(n=count_noun(quarantined, "rad", "rader"), r=join_list(reasons))
        )
    else:
        items.append("Inga rader har lagts i karantän.")
    items.append(
        Markup(
            "Värden som visas som <strong>{m}</strong> är dolda för att skydda enskilda: anmälda "
            "brott 1–{c} och orosanmälningar eller ärenden till SIG 1–{r}, och fler värden där det "
            "behövs för att ett dolt värde inte ska kunna räknas fram. Noll visas."
        ).format(m=SUPPRESSED, c=crime_min - 1, r=referral_min - 1)
    )
    items += [
        "Anmälda brott är inte alla brott. Anmälningsbenägenheten skiljer sig mellan brottstyper "
        "och över tid, och brott som upptäcks genom polisens insatser följer polisens arbete.",
        "Temat mäns våld mot kvinnor och våld i nära relationer visar brottstyper, inte "
        "brottsoffrens kön.",
        "Orosanmälningar visar oro, inte konstaterade missförhållanden, och samma barn kan ha "
        "flera anmälningar. Ärenden till SIG mäter verksamhetens aktivitet, inte behovet.",
        "Områdesteamens bedömningar finns bara där det finns ett team, och olika team bedömer "
        "olika; de jämförs inte mellan områden.",
        "I små områden ger några få brott stora skillnader i antal per 1\u00a0000 invånare. Kartan "
        "visar därför en utjämnad nivå, och texten anger alltid osäkerheten.",
        "Befolkningssiffror från SCB har från 2025 ett litet slumpmässigt brus för att skydda "
        "enskilda, så delar summerar inte alltid exakt till totalen.",
        "Rapporten drar inga slutsatser om orsaker. Orsaksanalysen görs av människor, till "
        "exempel i samverkan mellan kommun och polis.",
    ]
    lim.ul(items)
    return s


def data_quality_section(data: ReportData) -> Section:
    year = data.year
    s = Section("datakvalitet", "Bilaga: Datakvalitet")
    files = _used_files(data)
    s.p(
        f"Här listas varje levererad fil som rör åren till och med {year} (och filer utan år, "
        "som områdeslistan), vad som lästes in och vad som inte kunde användas. Alla rader är "
        "redovisade: godkända + karantän + ersatta = lästa. Rapporten publiceras bara när "
        "alla blockerande kontroller har passerat (till exempel att räkningen stämmer för "
        "varje fil och att brott och områden har lämnats)."
    )
    table = Table(
        caption="Inläsning per fil",
        columns=[
            "Källa",
            "Status",
            "Format",
            "Teckenkodning",
            "Leverans",
            "År",
            "Lästa rader",
            "Godkända",
            "Karantän",
            "Ersatta av senare fil",
            "”..” hos källan",
            "Rader med borttagna personuppgifter",
            "Avkortade texter",
            "Anmärkning",
        ],
        row_header="Fil",
        id="inlasning",
    )
    for f in files:
        note, known = translate_note(f.get("notes"))
        first, last = f.get("first_year"), f.get("last_year")
        span = MISSING
        if first is not None:
            span = str(first) if first == last or last is None else f"{first}–{last}"
        name = f.get("file") or f"({folder_label(f['source']).lower()})"
        table.add(
            Cell(name, align="txt"),
            [
                text_cell(folder_label(f["source"])),
                text_cell(STATUS_LABELS.get(f.get("status"), f.get("status") or MISSING)),
                text_cell(f.get("file_format") or MISSING),
                text_cell(f.get("encoding") or MISSING),
                text_cell(DELIVERY_LABELS.get(f.get("delivery"), f.get("delivery") or MISSING)),
                Cell(span),
                value_cell(f.get("rows_read"), False, "int"),
                value_cell(f.get("rows_accepted"), False, "int"),
                value_cell(f.get("rows_quarantined"), False, "int"),
                value_cell(f.get("rows_superseded"), False, "int"),
                value_cell(f.get("rows_suppressed_at_source"), False, "int"),
                value_cell(f.get("rows_screened"), False, "int"),
                value_cell(f.get("rows_text_truncated"), False, "int"),
                Cell(note or MISSING, align="txt", lang=None if known else "en"),
            ],
        )
    s.table(table)
    s.p(
        "Raderna räknar rader i filerna, inte personer eller brott. ”..” hos källan är rader "
        "där den som lämnade uppgifterna redan hade dolt eller saknade ett värde."
    )
    if data.delivered("omradesteam"):
        s.p(_observation_rule(data))
    q = rows(data.quarantine)
    sub = s.sub(Section("karantan", "Rader i karantän", in_toc=False))
    if not q:
        sub.p("Inga rader eller filer har lagts i karantän.")
        return s
    qt = Table(
        caption="Rader och filer som inte kunde användas, per orsak",
        columns=["Källa", "Orsak", "Rader", "Radnummer i filen", "Detalj"],
        row_header="Fil",
        id="karantan-tabell",
    )
    for r in q:
        numbers = str(r.get("row_numbers") or "")
        parts = [p.strip() for p in numbers.replace(";", ",").split(",") if p.strip()]
        if len(parts) > MAX_ROW_NUMBERS:
            numbers = ", ".join(parts[:MAX_ROW_NUMBERS]) + f" … ({len(parts)} rader)"
        else:
            numbers = ", ".join(parts) if parts else "hela filen"
        qt.add(
            Cell(r["file"], align="txt"),
            [
                text_cell(folder_label(r["source"])),
                text_cell(reason_label(r["reason"])),
                value_cell(r.get("rows"), False, "int"),
                text_cell(numbers),
                text_cell(r.get("file_detail") or MISSING),
            ],
        )
    sub.p(
        "Radnumret räknas från första dataraden (rubrikraden räknas inte). Själva värdena visas "
        "inte här; analytiker med behörighet hittar dem i databasens karantäntabell."
    )
    sub.table(qt)
    return s


def _observation_rule(data: ReportData) -> str:
    """The publication rule for the area teams' free text, with the year's counts (§2.5)."""
    year = data.year
    at = data.area_team
    at = at[at["year"] == year]
    shown = int(at["observations"].notna().sum())
    withheld = int(at["observation_withheld"].fillna(False).astype(bool).sum())
    return (
        "Områdesteamens iakttagelser är fritext. Personnummer, telefonnummer och "
        "e-postadresser byts mot [borttaget], men namn och beskrivningar som pekar ut en "
        "person kan inte hittas automatiskt. Därför visas en iakttagelse bara när någon har "
        "granskat den och markerat den för publicering (kolumnen publiceras = ja); annars "
        f"visas bara bedömningen 1–5. För {year} visas {fmt_int(shown)} "
        f"{plural(shown, 'iakttagelse', 'iakttagelser')} och {fmt_int(withheld)} visas inte."
    )


CRITERIA = {
    "volume": "Omfattning",
    "trend": "Utveckling",
    "deviation": "Avvikelse",
    "signal": "Signalbrott",
    "people": "Berörda",
}


def method_section(data: ReportData, crime_min: int, referral_min: int) -> Section:
    s = Section("metod", "Bilaga: Metod")
    formulas = s.sub(Section("metod-formler", "Beräkningar", in_toc=False))
    formulas.ul(
        [
            "Antal per 1\u00a0000 invånare = antal anmälda brott ÷ folkmängden "
            "31 december samma år × "
            "1\u00a0000. Saknas årets folkmängd används närmast tidigare år; saknas folkmängd helt "
            "visas "
            "ingen nivå (aldrig noll).",
            "Orosanmälningar per 1\u00a0000 barn = orosanmälningar om barn 0–17 år ÷ antalet barn "
            "0–17 år "
            "× 1\u00a0000. Ärenden till SIG (13–25 år) räknas för sig och ingår inte.",
            "95\u00a0% konfidensintervall: det exakta Poisson-intervallet (Garwood) för antalet, "
            "omräknat till per 1\u00a0000 invånare.",
            "Förändring (procent) = (årets antal − fjolårets antal) ÷ fjolårets antal × 100. "
            "Den saknas när fjolårets antal är noll.",
            "Om förändringen är statistiskt säkerställd prövas med ett exakt test av om nivån är "
            "densamma båda åren (med hänsyn till folkmängden). p-värdena justeras för att många "
            "områden prövas samtidigt (Benjamini–Hochberg), vilket ger q-värdet. Under 0,05 "
            "kallas förändringen statistiskt säkerställd.",
            "Trattdiagram: för varje område räknas de gränser ut som slumpen ger vid kommunens "
            "nivå och områdets folkmängd (95\u00a0% och 99,8\u00a0%). Kommunens "
            "nivå är här brotten i "
            "områden med folkmängd per 1\u00a0000 av deras invånare; brott på okänd plats räknas "
            "inte. Gränserna tar hänsyn till att områden naturligt skiljer sig mer åt än "
            "slumpen ensam ger (överspridning, Spiegelhalters metod); annars skulle nästan "
            "alla områden hamna utanför. Utanför 99,8\u00a0% kallas tydligt över eller under "
            "kommunens nivå.",
            "Kartan visar en utjämnad nivå (empirisk Bayes, Marshalls metod): små områden dras mot "
            "kommunens nivå, så att ett enstaka brott i ett litet område inte färgar det mörkt. "
            "Den nivå som områdena dras mot räknas bara på de områden vars antal visas.",
            "Kluster av höga och låga nivåer på kartan: Getis-Ord Gi* med grannar som delar "
            "gräns eller hörn och ett permutationstest, där alla områden på kartan prövas "
            "samtidigt (Benjamini–Hochberg, q under 0,05). Ett område ringas bara in i ett "
            "kluster av höga nivåer om dess egen utjämnade nivå är över kommunens, och i ett "
            "kluster av låga nivåer om den är under. Med färre än 30 områden visas inga "
            "kluster. Visas bara som ett valfritt lager.",
            f"Röjandeskydd: anmälda brott 1–{crime_min - 1} och orosanmälningar och ärenden till "
            f"SIG 1–{referral_min - 1} visas inte ({SUPPRESSED}), och inte heller värden som "
            "räknats fram ur dem. Där bara ett värde i en grupp med en summa är dolt, döljs "
            "även det minsta andra värdet, tills inget dolt värde kan räknas fram.",
        ]
    )
    protection = s.sub(Section("metod-rojandeskydd", "Så skyddas enskilda", in_toc=False))
    protection.ul(
        [
            "Noll visas alltid. Den som läser tabellerna vet därför att ett dolt värde är minst 1. "
            "Skyddet räknar med det: ett dolt värde ska inte gå att räkna fram, och det ska inte "
            f"heller gå att ringa in till färre än {crime_min} möjliga värden för brott eller "
            f"{referral_min} för orosanmälningar och ärenden till SIG. Att få veta att något "
            "är ”1 eller 2” är också att få veta för mycket.",
            "Räcker summan av de dolda värdena i en grupp inte till det, döljs även det minsta "
            "andra värdet i gruppen. Därefter prövas alla tabeller tillsammans med linjär "
            "optimering: för varje dolt värde räknas det minsta och största värde ut som stämmer "
            "med allt som visas, och fler värden döljs där intervallet är för snävt.",
            "Ett värde som räknas fram ur ett dolt värde döljs också: nivåer och intervall, "
            "förändringar och q-värden (som bygger på två års antal), trattdiagrammets gränser, "
            "utjämnade nivåer, jämförelser och poäng.",
            "Kommunens nivå i jämförelserna bygger på brotten i områden med folkmängd. Om det "
            "talet skulle avslöja ett litet antal i Okänt område visas varken kommunens nivå "
            "eller trattdiagrammets gränser för det temat och året.",
            "Prioriteringens poäng räknas bara på värden som visas. Ett kriterium vars underlag "
            "är dolt ger inga poäng och visas som "
            f"{SUPPRESSED}. Ordningen i de publika tabellerna följer område, tema och år, aldrig "
            "ett värde som kan bero på ett dolt tal.",
            "Nivåer, q-värden och poäng publiceras avrundade som i rapporten: fler decimaler "
            "skulle göra det möjligt att räkna baklänges.",
        ]
    )
    prio = s.sub(Section("metod-prioritering", "Prioritering: poängsättning", in_toc=False))
    prio.p(
        "Varje kombination av område och tema får poäng enligt Brås kriterier för prioritering. "
        "Inom varje kriterium ger den första regeln som gäller poängen. Poängen summeras, och "
        f"de högst rankade med minst {FINDING_MIN_SCORE} poäng blir rapportens viktigaste "
        "iakttagelser. Poängen står bredvid varje iakttagelse."
    )
    prio.ul(
        [
            "Varje kriterium räknas en gång. Omfattning är antalet brott jämfört med ett "
            "genomsnittligt område, inte antalet per invånare: 216 brott är ett större problem "
            "än 22, även i ett större område. Hur mycket nivån avviker från kommunens räknas "
            "bara i trattdiagrammet, där gränserna tar hänsyn till hur mycket områden brukar "
            "skilja sig åt.",
            "Utvecklingen bedöms på femårstrenden, inte på ett enskilt års procentuella "
            "förändring. Vid lika poäng går det område först som ligger längst över kommunens "
            "nivå och därefter det med flest brott, aldrig det med störst procentuell förändring: "
            "stora procenttal uppstår lättast på små tal.",
            "Teman som är samlingsgrupper (till exempel övrigt, markerade prioriteras = nej i "
            "temalistan) får poäng i tabellerna men blir aldrig en viktig iakttagelse.",
            "Områdesteamens bedömningar ger inga poäng. Alla områden har inte ett team, och "
            "olika teams bedömningar går inte att jämföra. Bedömningen visas i stället bredvid "
            "iakttagelsen, som ett eget underlag.",
            "Återgång mot medelvärdet: problem som väljs ut för att de är extrema ett visst år "
            "ser ofta bättre ut året därpå, oavsett vad som görs, eftersom en del av det höga "
            "värdet var slump. Femårstrenden och trattdiagrammets gränser används för att "
            "minska den risken, men en minskning året efter en åtgärd visar inte i sig att "
            "åtgärden fungerade.",
        ]
    )
    table = Table(
        caption="Poängsättningen bakom prioriteringen",
        columns=["Kriterium", "Poäng", "Villkor"],
        row_header="Regel",
        id="poangtabell",
    )
    for r in rows(data.priority_rule):
        table.add(
            str(r["rule_order"]),
            [
                text_cell(r.get("label") or CRITERIA.get(r["criterion"], r["criterion"])),
                value_cell(r.get("points"), False, "int"),
                text_cell(r.get("condition") or MISSING),
            ],
        )
    prio.table(table)

    law = s.sub(Section("metod-lagen", "Lagens krav och var rapporten möter dem", in_toc=False))
    law.p(
        "Lag (2023:196) om kommuners ansvar för brottsförebyggande arbete kräver en lägesbild "
        "som underlag för en åtgärdsplan. Så här motsvarar rapporten kraven:"
    )
    lt = Table(
        caption="Lagens krav (SFS 2023:196) och rapportens avsnitt",
        columns=["Grund", "I rapporten"],
        row_header="Krav",
    )
    for req, basis, where in LAW_CHECKLIST:
        lt.add(Cell(req, align="txt"), [text_cell(basis), Cell(Markup(where), align="txt")])
    law.table(lt)
    return s


LAW_CHECKLIST = (
    (
        "Hela kommunens geografiska område",
        "4 §",
        'Alla områden i områdeslistan och <a href="#alla-omraden">tabellen över alla '
        "områden</a>; brott utan område redovisas som Okänt område",
    ),
    (
        "Kartläggning av brottsligheten",
        "4 § p. 1",
        'Antal per område, tema och år: <a href="#teman">Teman</a>, <a href="#omraden">Områden</a>',
    ),
    (
        "Brottslighetens omfattning",
        "4 § p. 1",
        "Antal per 1\u00a0000 invånare, utveckling över åren och "
        '<a href="#trattdiagram">jämförelse med kommunen</a>',
    ),
    (
        "Brottslighetens konsekvenser",
        "4 § p. 1",
        'Svagt belyst av data: <a href="#barn-och-unga">orosanmälningar</a> och områdesteamens '
        'bedömningar; kommunens egen text i <a href="#konsekvenser">Brottslighetens '
        "konsekvenser</a>",
    ),
    (
        "Annan information av betydelse",
        "4 § p. 2",
        "Orosanmälningar, SIG, områdesteamens bedömningar och folkmängd; kommunens egen text i "
        '<a href="#annan-information">Annan information av betydelse</a>',
    ),
    (
        "Analys av kartläggningen",
        "4 § p. 3",
        'Statistisk säkerhet, avvikelser och <a href="#monster">mönster över året</a>; inga '
        "slutsatser om orsaker",
    ),
    (
        "Kunskapsbaserat underlag",
        "3 §",
        '<a href="#kallor">Datakällor och begränsningar</a>, <a href="#metod">Metod</a>, <a '
        'href="#datakvalitet">Datakvalitet</a>',
    ),
    (
        "Åtgärdsplan utifrån lägesbilden",
        "Prop. 2022/23:43",
        '<a href="#atgardsplan">Underlag till åtgärdsplan</a>',
    ),
    (
        "Uppföljning",
        "Prop. 2022/23:43",
        "Samma mått tas fram varje år och tidigare år visas alltid",
    ),
)


def fmt_nbsp(text: str) -> str:
    return text.replace(" ", NBSP)


__all__ = [
    "FOLDER_LABELS",
    "data_quality_section",
    "how_to_read",
    "method_section",
    "sources_section",
]
