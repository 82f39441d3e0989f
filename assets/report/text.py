"""Swedish text for the report: number and date formats, labels, and the sentences it says.

Numbers follow domain.md §6: ``1 234``, ``3,4``, ``12 %`` (a no-break space between digit
groups and before ``%``, a real minus sign). Every function takes ``None`` (SQL NULL) and
NaN as "not available" and returns the caller's ``missing`` text for it.

The sentences are built here, not in the templates, so that the wording rules of the
lägesbild are in one place: a change is called a rise or a fall only when its q-value is
below 0.05; a comparison is "över/under kommunens nivå", never a label for an area.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal

from assets.disclosure import SUPPRESSED_LEGEND, SUPPRESSED_MARK

NBSP = "\u00a0"
MINUS = "\u2212"
#: Shown for a value that is NULL without a suppression flag.
MISSING = "–"
MISSING_LEGEND = "Uppgift saknas"
SUPPRESSED = SUPPRESSED_MARK
LEGEND = SUPPRESSED_LEGEND

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
SHORT_MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

#: Who made a referral (`source` in area_referral_year), as the report shows it.
SOURCE_LABELS = {
    "polis": "Polis",
    "skola": "Skola",
    "forskola": "Förskola",
    "halso- och sjukvard": "Hälso- och sjukvård",
    "socialtjanst": "Socialtjänst",
    "anhorig": "Anhörig",
    "ovriga": "Övriga",
    "Totalt": "Totalt",
}
SOURCE_ORDER = tuple(SOURCE_LABELS)

#: The raw folders (data-contract.md §2) as the report names them.
FOLDER_LABELS = {
    "omraden": "Områden",
    "befolkning": "Befolkning",
    "brott": "Anmälda brott",
    "orosanmalningar": "Orosanmälningar och ärenden till SIG",
    "omradesteam": "Områdesteamens rapporter",
    "referens": "Referenslistor (teman, brottskategorier och trygghetsfrågor)",
    "trygghet": "Trygghetsmätningar",
}

#: Quarantine reason codes (data-contract.md §2.7) in Swedish.
REASON_LABELS = {
    "invalid_count": "ogiltigt antal (negativt, decimaltal eller text)",
    "invalid_month": "ogiltig månad",
    "invalid_year": "ogiltigt år",
    "missing_value": "ett obligatoriskt värde saknas",
    "unknown_area": "okänt område (finns inte i områdeslistan)",
    "unknown_category": "okänd brottskategori (finns inte i referenslistan)",
    "unknown_theme": "okänt tema (finns inte i referenslistan)",
    "invalid_assessment": "ogiltig bedömning (ska vara ett heltal 1–5)",
    "duplicate_key": "samma nyckel två gånger i filen",
    "overlapping_band": "åldersgruppen överlappar en annan",
    "file_missing_column": "hela filen avvisad: en obligatorisk kolumn saknas",
    "file_unreadable": "hela filen avvisad: kunde inte läsas som tabell",
    "file_empty": "hela filen avvisad: tom fil",
    "duplicate_area_id": "hela filen avvisad: områdeskod som redan finns",
    # trygghet/ (data-contract §2.8); invalid_sex as for befolkning and orosanmälningar.
    "unknown_question": "okänd fråga (finns inte i referenslistan över trygghetsfrågor)",
    "invalid_share": "ogiltig andel (inte ett tal mellan 0 och 100)",
    "invalid_interval": "ogiltigt intervall (bara en gräns, eller andelen ligger utanför)",
    "invalid_sex": "ogiltigt kön (ska vara kvinnor, man eller totalt)",
    "invalid_direction": "ogiltig riktning (hog_andel_ar ska vara samre eller battre)",
}

STATUS_LABELS = {
    "loaded": "inläst",
    "default": "standardlista (ingen egen leverans)",
    "rejected": "avvisad",
    "not_delivered": "inte levererad",
}
DELIVERY_LABELS = {"monthly": "per månad", "yearly": "per år", "mixed": "per månad och per år"}

#: area_team.period_kind and period labels.
PERIOD_KIND_LABELS = {"term": "termin", "year": "år", "month": "månad", "quarter": "kvartal"}


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or value is _NA
    except TypeError:
        return False


try:  # pandas' NA, when pandas is around (it always is in the report)
    import pandas as _pd

    _NA = _pd.NA
except ImportError:  # pragma: no cover
    _NA = object()


#: Babel's Swedish (CLDR): a no-break space between digit groups and a decimal comma.
LOCALE = "sv_SE"


def _swedish(number: float, digits: int) -> str:
    """``abs(number)`` in Swedish with exactly ``digits`` decimals: '1 234,5'.

    The float goes to Babel as its exact binary value, so it is rounded like Python's own
    formatting (half to even on what is stored), and the published tables, rounded the same
    way, print as they read. The sign is the caller's: Babel writes a hyphen-minus.
    """
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(Decimal(abs(number)), format=pattern, locale=LOCALE)


def fmt_int(value: object, missing: str = MISSING) -> str:
    """A whole number: ``1 234``; negative with a minus sign."""
    if is_missing(value):
        return missing
    number = round(float(value))  # type: ignore[arg-type]
    sign = MINUS if number < 0 else ""
    return sign + _swedish(number, 0)


def fmt_dec(value: object, digits: int = 1, missing: str = MISSING) -> str:
    """A decimal number with a decimal comma: ``1 234,5``."""
    if is_missing(value):
        return missing
    number = float(value)  # type: ignore[arg-type]
    text = _swedish(number, digits)
    # No minus sign on a value that rounds to zero ("−0,0").
    sign = MINUS if number < 0 and text.strip("0,") != "" else ""
    return sign + text


def fmt_rate(value: object, missing: str = MISSING) -> str:
    """A rate per 1,000: one decimal, two below 1 (0,73), none from 1 000 up."""
    if is_missing(value):
        return missing
    number = abs(float(value))  # type: ignore[arg-type]
    digits = 2 if number < 1 else (1 if number < 1000 else 0)
    return fmt_dec(value, digits, missing)


def fmt_pct(value: object, digits: int = 0, signed: bool = False, missing: str = MISSING) -> str:
    """A percentage: ``12 %``; with ``signed``: ``+12 %`` / ``−5 %``."""
    if is_missing(value):
        return missing
    text = fmt_dec(value, digits)
    if signed and float(value) > 0 and text.strip("0,") != "":  # type: ignore[arg-type]
        text = "+" + text
    return f"{text}{NBSP}%"


def fmt_q(value: object, missing: str = MISSING) -> str:
    """A q-value: three decimals, or ``< 0,001``."""
    if is_missing(value):
        return missing
    number = float(value)  # type: ignore[arg-type]
    if number < 0.001:
        return f"<{NBSP}0,001"
    return fmt_dec(number, 3)


def fmt_date(value: date | None, missing: str = MISSING) -> str:
    """ISO date, as domain.md §6 asks: 2024-05-06."""
    return value.isoformat() if value is not None else missing


def month_name(month: int | str) -> str:
    return MONTHS[int(month) - 1]


def cell(value: object, suppressed: object = False, kind: str = "count") -> str:
    """A value as a table shows it: ``..`` when suppressed, ``–`` when missing."""
    if bool(suppressed) and not is_missing(suppressed):
        return SUPPRESSED
    if kind == "count" or kind == "int":
        return fmt_int(value)
    if kind == "rate":
        return fmt_rate(value)
    if kind == "pct":
        return fmt_pct(value, signed=True)
    if kind == "q":
        return fmt_q(value)
    if kind == "dec":
        return fmt_dec(value)
    raise ValueError(kind)


def fold(text: str) -> str:
    """Case- and accent-folded text for matching names: 'Mäns  våld' -> 'mans vald'."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip()


def source_label(code: str) -> str:
    return SOURCE_LABELS.get(code, code[:1].upper() + code[1:] if code else code)


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, f"annan orsak ({code})")


def folder_label(code: str) -> str:
    return FOLDER_LABELS.get(code, code)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def sex_label(sex: str, referral_type: str) -> str:
    """Sex as delivered (kvinnor/man/ej uppdelat), named for who a referral type concerns."""
    if sex == "Totalt":
        return "Totalt"
    if sex == "ej uppdelat":
        return "Ej uppdelat på kön"
    if referral_type == "orosanmalan":
        return {"kvinnor": "Flickor", "man": "Pojkar"}.get(sex, capitalise(sex))
    return {"kvinnor": "Flickor och unga kvinnor", "man": "Pojkar och unga män"}.get(
        sex, capitalise(sex)
    )


def age_label(age_group: str) -> str:
    if age_group == "Totalt":
        return "Alla åldrar"
    return age_group.replace("-", "–") + " år"


# --- notes from the load log -------------------------------------------------------------


def _unreadable_publish_note(m: re.Match[str]) -> str:
    n = int(m.group(1))
    return (
        f"kolumnen {m.group(2)} är varken ja eller nej på {count_noun(n, 'rad', 'rader')}: "
        f"{plural(n, 'iakttagelsen', 'iakttagelserna')} publiceras inte"
    )


def _repaired_polygons_note(m: re.Match[str]) -> str:
    n = int(m.group(1))
    return f"{count_noun(n, 'ogiltig polygon', 'ogiltiga polygoner')} har reparerats"


def _grouped_reporters_note(m: re.Match[str]) -> str:
    # The group is a reporter code ('ovriga'); the grouped values are the delivery's own words.
    return f"anmälare sammanförda som {source_label(m.group(1))}: {m.group(2)}"


_NOTE_PATTERNS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"reprojected from (\S+) to (\S+)"),
        r"koordinaterna omräknade från \1 till \2",
    ),
    (re.compile(r"warning: (\d+) invalid polygon\(s\) repaired"), _repaired_polygons_note),
    (re.compile(r"reporters grouped as '([^']+)': (.+)"), _grouped_reporters_note),
    (re.compile(r"extra columns ignored: (.+)"), r"extra kolumner som inte används: \1"),
    (
        re.compile(r"the project's default list \(no (\S+) delivered\)"),
        r"projektets standardlista (ingen \1 levererad)",
    ),
    (
        re.compile(r"(\d+) unreadable (.+) value\(s\) \(not ja/nej\): treated as nej.*"),
        _unreadable_publish_note,
    ),
)


def translate_note(note: str | None) -> tuple[str, bool]:
    """A load-log note in Swedish where its pattern is known; (text, translated)."""
    if not note:
        return "", True
    parts = [p.strip() for p in note.split(";") if p.strip()]
    out, all_known = [], True
    for part in parts:
        for pattern, repl in _NOTE_PATTERNS:
            if pattern.search(part):
                out.append(pattern.sub(repl, part))
                break
        else:
            out.append(part)
            all_known = False
    return "; ".join(out), all_known


# --- sentences ---------------------------------------------------------------------------

FUNNEL_PHRASES = {
    2: "tydligt över kommunens nivå",
    1: "över kommunens nivå",
    0: "i nivå med kommunen",
    -1: "under kommunens nivå",
    -2: "tydligt under kommunens nivå",
}
FUNNEL_SHORT = {
    2: "Tydligt över",
    1: "Över",
    0: "I nivå",
    -1: "Under",
    -2: "Tydligt under",
}


def funnel_phrase(position: object, suppressed: object = False) -> str | None:
    if bool(suppressed) and not is_missing(suppressed):
        return None
    if is_missing(position):
        return None
    return FUNNEL_PHRASES.get(int(position))  # type: ignore[arg-type]


def funnel_short(position: object, suppressed: object = False) -> str:
    if bool(suppressed) and not is_missing(suppressed):
        return SUPPRESSED
    if is_missing(position):
        return MISSING
    return FUNNEL_SHORT.get(int(position), MISSING)  # type: ignore[arg-type]


def ci_phrase(low: object, high: object) -> str:
    """'(95 % konfidensintervall 30,8–54,2)', or '' when the interval is not shown."""
    if is_missing(low) or is_missing(high):
        return ""
    return f"(95{NBSP}% konfidensintervall {fmt_rate(low)}–{fmt_rate(high)})"


#: Below this count in either year a change is written as two counts, not as a percentage
#: (setting LAGESBILD_PCT_MIN_COUNT; the report's renderer sets it for the rendering).
PCT_MIN_COUNT: ContextVar[int] = ContextVar("pct_min_count", default=10)


def change_sentence(
    *,
    year: int,
    change_pct: object,
    change_suppressed: object,
    q_value: object,
    q_suppressed: object,
    is_significant: object,
    subject: str = "Förändringen",
    count: object = None,
    previous: object = None,
) -> str:
    """What changed from the previous year, in words; 'ökade/minskade' only when q < 0.05.

    With both years' counts given, a change on small numbers (either count below
    :data:`PCT_MIN_COUNT`, or from 0) is written as the two counts: "+350 %" on 2 → 9 says
    more than the data do.
    """
    prev = year - 1
    if bool(change_suppressed) and not is_missing(change_suppressed):
        return (
            f"{subject} från {prev} kan inte visas, eftersom ett av talen är för litet "
            f"för att visas ({SUPPRESSED})."
        )
    significant = (
        not is_missing(is_significant)
        and bool(is_significant)
        and not is_missing(q_value)
        and not (bool(q_suppressed) and not is_missing(q_suppressed))
        and float(q_value) < 0.05  # type: ignore[arg-type]
    )
    if not is_missing(count) and not is_missing(previous):
        k, k_prev = float(count), float(previous)  # type: ignore[arg-type]
        if k_prev == 0 or min(k, k_prev) < PCT_MIN_COUNT.get():
            counts = f"från {fmt_int(k_prev)} år {prev} till {fmt_int(k)} år {year}"
            if k == k_prev:
                return f"Antalet var detsamma båda åren ({fmt_int(k)})."
            if significant:
                verb = "ökade" if k > k_prev else "minskade"
                return (
                    f"Antalet {verb} {counts}; förändringen är statistiskt säkerställd "
                    f"(q-värde {fmt_q(q_value)})."
                )
            return f"Antalet gick {counts}. Talen är för små för att säga att nivån har förändrats."
    if is_missing(change_pct):
        return (
            f"{subject} från {prev} kan inte beräknas (inga brott eller uppgift saknas för {prev})."
        )
    pct = fmt_pct(change_pct, signed=True)
    if significant:
        verb = "ökningen" if float(change_pct) > 0 else "minskningen"  # type: ignore[arg-type]
        return (
            f"{subject} från {prev} ({pct}) är statistiskt säkerställd: "
            f"{verb} är större än slumpen brukar ge (q-värde {fmt_q(q_value)})."
        )
    return f"{subject} från {prev} ({pct}) är inte statistiskt säkerställd."


def trend_sentence(
    *,
    year: int,
    first_year: object,
    pct: object,
    ci_low: object,
    ci_high: object,
    q_value: object,
    suppressed: bool,
    counts: list[object] | None = None,
    subject: str = "antalet brott per invånare",
) -> str:
    """The five-year trend in words (statistics.md): 'ökat/minskat' only when q < 0.05.

    ``counts`` are the window's yearly counts when known: below :data:`PCT_MIN_COUNT` in any
    year, a trend that is not significant is written as the range of counts, not as a
    percentage per year.
    """
    if suppressed:
        return (
            "Utvecklingen över fem år kan inte visas, eftersom antalet något av åren är för "
            f"litet för att visas ({SUPPRESSED})."
        )
    if is_missing(pct) or is_missing(first_year):
        return (
            "Någon femårstrend kan inte beräknas: det behövs minst tre år med folkmängd och "
            "brott under mer än ett av dem."
        )
    since = f"Sedan {int(first_year)}"  # type: ignore[call-overload]
    significant = not is_missing(q_value) and float(q_value) < 0.05  # type: ignore[arg-type]
    interval = ""
    if not is_missing(ci_low) and not is_missing(ci_high):
        interval = (
            f"95{NBSP}% konfidensintervall {fmt_pct(ci_low, signed=True)} till "
            f"{fmt_pct(ci_high, signed=True)} per år, "
        )
    q = f"q-värde {fmt_q(q_value)}"
    if significant:
        slope = float(pct)  # type: ignore[arg-type]
        verb = "ökat" if slope > 0 else "minskat"
        return (
            f"{since} har {subject} {verb} med i genomsnitt {fmt_pct(abs(slope))} per år "
            f"({interval}{q})."
        )
    known = [float(c) for c in counts or [] if not is_missing(c)]  # type: ignore[arg-type]
    if known and min(known) < PCT_MIN_COUNT.get():
        low, high = fmt_int(min(known)), fmt_int(max(known))
        spread = f"{low} brott per år" if low == high else f"mellan {low} och {high} brott per år"
        return (
            f"{since} har det anmälts {spread}. Talen är för små för att visa en trend över fem år."
        )
    return (
        f"{since} har {subject} inte förändrats mer än slumpen kan förklara (i genomsnitt "
        f"{fmt_pct(pct, signed=True)} per år, {interval}{q})."
    )


def direction_word(change_pct: object) -> str:
    return "ökade" if float(change_pct) > 0 else "minskade"  # type: ignore[arg-type]


def plural(n: int, one: str, many: str) -> str:
    """The form of a word that agrees with ``n``: 'område' for 1, 'områden' otherwise."""
    return one if n == 1 else many


def count_noun(n: int, one: str, many: str) -> str:
    """A count and its agreeing noun phrase: '1 ogiltig polygon', '3 ogiltiga polygoner'."""
    return f"{fmt_int(n)} {plural(n, one, many)}"


def withheld_observations_sentence(n: int, year: int) -> str:
    """How many of an area team's observations of the year are held back (data-contract §2.5)."""
    return (
        f"{count_noun(n, 'iakttagelse', 'iakttagelser')} från områdesteamet {year} har inte "
        "godkänts för publicering och visas inte."
    )


def join_list(items: list[str]) -> str:
    """'a, b och c'."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " och " + items[-1]
