"""The summary a council member reads first: the key findings, then the municipality's picture.

Issue "A lägesbild that fits a council meeting": title, date and the key findings come first;
five to seven findings, each a short headline, one line of evidence and a line on how sure it
is; crime (the prioritisation's top rows), children and young people (orosanmälningar, SIG),
and the area teams' concern; and, when one area's theme carries most of the municipality's
change, that it does. Every finding is computed from the public tables, never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from assets.report import areas as area_sections
from assets.report import findings
from assets.report.data import (
    FINDING_MIN_SCORE,
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
from assets.report.findings import count_span
from assets.report.tables import REFERRAL
from assets.report.text import (
    NBSP,
    capitalise,
    change_sentence,
    ci_phrase,
    fmt_int,
    fmt_pct,
    fmt_rate,
    fold,
    join_list,
)

#: The summary holds at most this many findings in all (issue 13: five to seven).
MAX_SUMMARY_FINDINGS = 7
#: An area's theme "drives" the municipality's change when its own change is at least this
#: share of the municipality's (and the municipality's change is not on small numbers).
DRIVER_SHARE = 0.5


@dataclass
class Extra:
    """A summary finding that is not a priority row: children, the teams, what drives a change."""

    kind: str
    headline: str
    evidence: Markup
    certainty: Markup | None = None
    caveat: str | None = None
    #: The area and theme it is about, when it is about one (what drives a change).
    about: tuple[str, str] | None = None
    #: The same fact in one sentence, for a key finding about the same area and theme.
    aside: str | None = None


def summary_section(data: ReportData, anchors: dict[str, str]) -> Section:
    year = data.year
    s = Section("sammanfattning", "Sammanfattning")
    extras = [e for e in (driver(data), children(data), teams(data)) if e is not None]
    key = findings.key_findings(data, anchors, limit=max(3, MAX_SUMMARY_FINDINGS - len(extras)))
    # What drives the municipality's change is said once: beside the key finding about the
    # same area and theme when there is one (with its caveat there), else as its own finding.
    for f in key:
        for e in list(extras):
            if e.about == (f.area_id, f.theme) and e.aside:
                f.evidence += Markup(" {}").format(e.aside)
                extras.remove(e)
    kf = s.sub(Section("viktigaste-iakttagelser", "Viktigaste iakttagelser"))
    if key:
        kf.p(
            Markup(
                "De högst rankade kombinationerna av område och tema enligt "
                '<a href="#metod-prioritering">poängsättningen</a> (minst {min} poäng), inte '
                "valda för hand. Områdesteamets bedömning står på skalan 1–5 (5 betyder störst "
                "oro) och ger inga poäng."
            ).format(min=FINDING_MIN_SCORE)
        )
    items = [_priority_item(f) for f in key] + [_extra_item(e) for e in extras]
    if items:
        kf.ul(items, ordered=True)
    if not key:
        kf.p(
            f"Ingen kombination av område och tema når {FINDING_MIN_SCORE} poäng i "
            f"prioriteringen {year}. Inget sticker alltså ut tydligt enligt kriterierna; se "
            "temana och områdena nedan."
        )
    picture = s.sub(Section("laget-i-kommunen", "Läget i kommunen", in_toc=False))
    for paragraph in municipal_picture(data):
        picture.p(paragraph)
    return s


def _priority_item(f: findings.Finding) -> Markup:
    item = Markup(
        '<div class="finding" data-area="{area}" data-theme="{theme}">'
        '<p class="finding-head"><strong>{head}</strong></p>'
        '<p class="finding-evidence">{evidence}</p>'
    ).format(area=f.area_id, theme=f.theme, head=f.headline, evidence=f.evidence)
    if f.caveat:
        item += Markup('<p class="finding-caveat">{}</p>').format(f.caveat)
    item += Markup('<p class="finding-certainty">{}</p></div>').format(f.certainty)
    item += Markup('<p class="finding-points">{}').format(f.points)
    if f.anchor:
        item += Markup(' <a href="#{}">Mer om {}</a>').format(f.anchor, f.area_name)
    return item + Markup("</p>")


def _extra_item(e: Extra) -> Markup:
    item = Markup(
        '<div class="finding-extra" data-kind="{kind}">'
        '<p class="finding-head"><strong>{head}</strong></p>'
        '<p class="finding-evidence">{evidence}</p>'
    ).format(kind=e.kind, head=e.headline, evidence=e.evidence)
    if e.caveat:
        item += Markup('<p class="finding-caveat">{}</p>').format(e.caveat)
    if e.certainty:
        item += Markup('<p class="finding-certainty">{}</p>').format(e.certainty)
    return item + Markup("</div>")


def driver(data: ReportData) -> Extra | None:
    """When one area's theme carries at least half of the municipality's rise (or fall).

    Read from shown counts only: the municipality's change and every area × theme change
    whose two counts are published. Not said when either year's total is hidden, or when the
    change is smaller than the small-number threshold (it is then not a rise at all).
    """
    year = data.year
    ay = data.area_year
    now, before = row(ay, area_id=TOTAL, year=year), row(ay, area_id=TOTAL, year=year - 1)
    total_now, total_before = val(now, "crime_count"), val(before, "crime_count")
    if total_now is None or total_before is None:
        return None
    delta = float(total_now) - float(total_before)
    ty = data.theme_year
    if abs(delta) < 10:
        return None
    this = ty[(ty["year"] == year) & ~ty["area_id"].isin([TOTAL, UNKNOWN_AREA])]
    last = ty[(ty["year"] == year - 1) & ~ty["area_id"].isin([TOTAL, UNKNOWN_AREA])]
    last_by = {(r["area_id"], r["theme"]): r for r in rows(last[last["theme"] != TOTAL])}
    best: tuple[float, dict, dict] | None = None
    for r in rows(this[this["theme"] != TOTAL]):
        p = last_by.get((r["area_id"], r["theme"]))
        k, k_prev = val(r, "crime_count"), val(p, "crime_count")
        if k is None or k_prev is None:
            continue
        d = float(k) - float(k_prev)
        if d * delta > 0 and (best is None or abs(d) > abs(best[0])):
            best = (d, r, p)  # type: ignore[assignment]
    if best is None or abs(best[0]) < DRIVER_SHARE * abs(delta):
        return None
    d, r, p = best
    share = "Hela" if abs(d) >= abs(delta) else "Mer än hälften av"
    word = "ökningen" if delta > 0 else "minskningen"
    theme = r["theme"]
    head = f"{share} {word} i kommunen från {year - 1} kommer från {theme} i {r['area_name']}"
    evidence = Markup(
        "Kommunen: från {a} till {b} brott ({c}). {theme} i {area}: från {d} till {e} ({f})."
    ).format(
        a=fmt_int(total_before),
        b=fmt_int(total_now),
        c=_signed(delta),
        theme=capitalise(theme),
        area=r["area_name"],
        d=fmt_int(p["crime_count"]),
        e=fmt_int(r["crime_count"]),
        f=_signed(d),
    )
    certainty = Markup("{}").format(
        record_development(data.theme_year, year, r, area_id=r["area_id"], theme=theme)
    )
    part = "hela" if abs(d) >= abs(delta) else "mer än hälften av"
    aside = (
        # 'ökningen' -> 'kommunens ökning' (the possessive takes the indefinite form).
        f"Det är {part} kommunens {word.removesuffix('en')} från {year - 1} "
        f"({_signed(d)} av {_signed(delta)} brott)."
    )
    return Extra(
        "driver",
        head,
        evidence,
        certainty,
        caveat=findings.THEME_CAVEATS.get(fold(theme)),
        about=(r["area_id"], theme),
        aside=aside,
    )


def children(data: ReportData) -> Extra | None:
    """Orosanmälningar over the years, the area with the largest share, and SIG referrals."""
    if not data.delivered("orosanmalningar"):
        return None
    year = data.year
    ay = data.area_year
    whole = {r["year"]: r for r in rows(ay[ay["area_id"] == TOTAL])}
    now = whole.get(year)
    if now is None or val(now, "referral_count") is None:
        return None
    first_year = min(y for y, r in whole.items() if val(r, "referral_count") is not None)
    first = whole[first_year]
    head = f"Orosanmälningar om barn: {fmt_int(now['referral_count'])} år {year}"
    evidence = Markup("Orosanmälningar om barn 0–17 år: {n} år {year}").format(
        n=count_span(now["referral_count"], False, REFERRAL), year=year
    )
    if first_year < year:
        change = float(now["referral_count"]) - float(first["referral_count"])
        head += f", {'fler' if change > 0 else 'färre'} än {first_year}" if change else ""
        evidence += Markup(" mot {n} år {first}").format(
            n=count_span(first["referral_count"], False, REFERRAL), first=first_year
        )
    evidence += Markup(".")
    areas = [
        r
        for r in rows(ay[(ay["year"] == year) & ~ay["area_id"].isin([TOTAL, UNKNOWN_AREA])])
        if val(r, "referral_count") is not None
    ]
    if areas:
        top = max(areas, key=lambda r: float(r["referral_count"]))
        share = float(top["referral_count"]) / float(now["referral_count"]) * 100
        if share >= 20:
            evidence += Markup(" {share} av dem gällde barn i {area}.").format(
                share=fmt_pct(share), area=top["area_name"]
            )
    sig = val(now, "sig_referral_count")
    if sig is not None:
        evidence += Markup(" Ärenden till SIG (13–25 år): {}.").format(
            count_span(sig, False, REFERRAL)
        )
    certainty = Markup("{}").format(_referral_change(now, whole.get(year - 1), year))
    return Extra(
        "children",
        head,
        evidence,
        certainty,
        caveat=(
            "En orosanmälan är en oro som någon anmält, inte ett konstaterat missförhållande. "
            "Fler anmälningar kan också betyda att fler anmäler."
        ),
    )


def _referral_change(now: dict, before: dict | None, year: int) -> str:
    return change_sentence(
        year=year,
        change_pct=now.get("referral_change_pct"),
        change_suppressed=sup(now, "referral_change_pct"),
        q_value=now.get("referral_q_value"),
        q_suppressed=sup(now, "referral_q_value"),
        is_significant=(
            None if now.get("referral_q_value") is None else float(now["referral_q_value"]) < 0.05
        ),
        count=val(now, "referral_count"),
        previous=val(before, "referral_count"),
    )


def teams(data: ReportData) -> Extra | None:
    """The area teams' highest concern of the year: which areas and themes reached it."""
    at = data.area_team
    at = at[(at["year"] == data.year) & at["assessment"].notna()]
    if at.empty:
        return None
    top = int(at["assessment"].max())
    if top < 4:
        return None
    names = dict(zip(data.areas["area_id"], data.areas["area_name"], strict=True))
    pairs = sorted(
        {
            (names.get(r["area_id"], r["area_id"]), r["theme"])
            for r in rows(at[at["assessment"] == top])
        }
    )
    listed = [f"{theme} i {area}" for area, theme in pairs[:4]]
    more = len(pairs) - len(listed)
    text = join_list(listed) + (f" och {more} till" if more > 0 else "")
    teams_n = int(at["area_id"].nunique())
    return Extra(
        "teams",
        f"Områdesteamen oroar sig mest för {text}",
        Markup("Högsta bedömning {year}: {top} av 5, från {n} av kommunens områdesteam.").format(
            year=data.year, top=top, n=fmt_int(teams_n)
        ),
        caveat=(
            "Bedömningarna är teamens egna och går inte att jämföra mellan team; de ger inga "
            "poäng i prioriteringen."
        ),
    )


def municipal_picture(data: ReportData) -> list[Markup | str]:
    """The municipality's total, the reference level, the areas against it, and the trends."""
    year = data.year
    ay = data.area_year
    total = row(ay, area_id=TOTAL, year=year)
    municipality = data.municipality or "kommunen"
    lead = Markup("År {year} anmäldes {n} brott i {m}").format(
        year=year,
        n=count_span(val(total, "crime_count"), sup(total, "crime_count")),
        m=municipality,
    )
    rate = val(total, "crimes_per_1000")
    if rate is not None:
        ci = ci_phrase(val(total, "crimes_per_1000_ci_low"), val(total, "crimes_per_1000_ci_high"))
        lead += Markup(", {} per 1 000 invånare{}").format(fmt_rate(rate), f" {ci}" if ci else "")
    lead += Markup(". ") + record_development(ay, year, total, area_id=TOTAL)
    out: list[Markup | str] = [lead]
    unknown = area_sections.unknown_area_sentence(data)
    if unknown:
        out.append(unknown)
    areas = [r for r in rows(ay[ay["year"] == year]) if r["area_id"] not in (TOTAL, UNKNOWN_AREA)]
    shown = [
        r for r in areas if not sup(r, "funnel_position") and r.get("funnel_position") is not None
    ]
    above = [r for r in shown if r["funnel_position"] >= 1]
    clearly = [r for r in above if r["funnel_position"] >= 2]
    below = [r for r in shown if r["funnel_position"] <= -1]
    reference = val(total, "reference_per_1000")
    if shown:
        text = (
            f"Jämfört med kommunens nivå låg {fmt_int(len(above))} av {fmt_int(len(shown))} "
            f"områden över den ({fmt_int(len(clearly))} tydligt över) och "
            f"{fmt_int(len(below))} under. Det säger var brotten anmäls, inte vilka som bor där."
        )
        out.append(text)
    if reference is not None:
        out.append(
            f"Kommunens nivå i jämförelserna är {fmt_rate(reference)} brott per 1{NBSP}000 "
            "invånare: brotten i områden med folkmängd delat med deras folkmängd. Brott i Okänt "
            "område kan inte jämföras med något område och räknas inte med där"
            + (
                f", därför är nivån lägre än kommunens totala {fmt_rate(rate)}."
                if rate is not None and fmt_rate(rate) != fmt_rate(reference)
                else "."
            )
        )
    out.append(trend_summary(areas, year))
    return out


def trend_summary(areas: list[dict], year: int) -> str:
    """Which areas' five-year trends are significant, then the year's significant changes."""
    trending = [
        r
        for r in areas
        if not sup(r, "trend_q_value")
        and r.get("trend_q_value") is not None
        and float(r["trend_q_value"]) < 0.05
        and r.get("trend_pct_per_year") is not None
    ]
    up = [r["area_name"] for r in trending if r["trend_pct_per_year"] > 0]
    down = [r["area_name"] for r in trending if r["trend_pct_per_year"] < 0]
    if trending:
        parts = []
        if up:
            parts.append(f"ökat i {names(up)}")
        if down:
            parts.append(f"minskat i {names(down)}")
        text = (
            "Över de senaste fem åren har antalet anmälda brott per invånare "
            f"{' och '.join(parts)} (statistiskt säkerställd trend, q-värde under 0,05)."
        )
    else:
        text = (
            "I inget område har antalet anmälda brott per invånare ökat eller minskat "
            "statistiskt säkerställt över de senaste fem åren."
        )
    changed = [r for r in areas if not sup(r, "is_significant") and r.get("is_significant")]
    year_up = [r["area_name"] for r in changed if (r.get("change_pct") or 0) > 0]
    year_down = [r["area_name"] for r in changed if (r.get("change_pct") or 0) < 0]
    if changed:
        parts = []
        if year_up:
            parts.append(f"ökade antalet i {names(year_up)}")
        if year_down:
            parts.append(f"minskade det i {names(year_down)}")
        text += f" Från {year - 1} till {year} {' och '.join(parts)} (q-värde under 0,05)."
    else:
        text += (
            f" Från {year - 1} till {year} är förändringen inte statistiskt säkerställd i något "
            "område."
        )
    return text


def names(items: list[str], limit: int = 8) -> str:
    """Up to ``limit`` names in words; more than that as a number of areas."""
    if len(items) <= limit:
        return join_list(items)
    return f"{fmt_int(len(items))} områden (se tabellen över alla områden)"


def _signed(value: float) -> str:
    return ("+" if value > 0 else "\u2212" if value < 0 else "") + fmt_int(abs(value))
