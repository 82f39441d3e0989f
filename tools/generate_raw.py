"""Seeded, deterministic generator of raw folders that follow docs/data-contract.md.

Two uses share this code:

* ``--sample`` writes the shipped sample in ``data/raw/``: the fictional Älvstads kommun with
  18 områden and the quirks real deliveries have (Windows-1252, BOM, English aliases, xlsx,
  ``..`` cells, ``12,0``, a correction re-delivery and a handful of bad rows), so that every
  ingest path has something to do.
* The size options write national-scale benchmark data (≈6,000 DeSO-like areas, 10 years,
  40 categories, ≈30 million monthly crime rows) with a share of planted bad rows.

The returned manifest says exactly how many rows of each quarantine reason were planted in
each file, so that tests can compare it with the pipeline's quarantine and load log.

Every random draw comes from a stream named after its purpose (``_rng``), so the same
arguments give byte-identical files, and changing one part does not reshuffle the others.

    python -m tools.generate_raw --out data/raw --sample --force
    python -m tools.generate_raw --out /tmp/scale --areas 6000 --years 10 --categories 40 \\
        --bad-share 0.001
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import shutil
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiPoint, Polygon, box

# --------------------------------------------------------------------------------------
# Reference data: themes, crime categories, seasonal profiles
# --------------------------------------------------------------------------------------

THEMES: tuple[tuple[str, str], ...] = (
    (
        "organiserad brottslighet",
        "Brott kopplade till kriminella nätverk: vapen, skjutningar, sprängningar och utpressning",
    ),
    (
        "mäns våld mot kvinnor och våld i nära relationer",
        "Våld, hot och kränkningar i nära "
        "relationer samt sexualbrott. Visar brottstyper, inte brottsoffrens kön",
    ),
    ("barn och unga", "Brott mot barn och unga samt brott där unga ofta är inblandade"),
    ("våld i offentlig miljö", "Våld, hot och rån på allmän plats, även mot tjänstemän"),
    ("egendomsbrott", "Inbrott, stölder och bedrägerier"),
    ("narkotika", "Innehav, eget bruk och överlåtelse av narkotika"),
    ("skadegörelse", "Skadegörelse, klotter och anlagda bränder"),
    ("övrigt", "Övriga brott, bland annat trafikbrott och ordningsstörningar"),
)
THEME_NAMES = tuple(name for name, _ in THEMES)
THEME_INDEX = {name: i for i, name in enumerate(THEME_NAMES)}

# Monthly multipliers (January first). Public violence peaks in summer, burglary in the dark
# half of the year, bicycle theft with the cycling season; most categories dip in winter.
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (0.92, 0.9, 1.0, 1.0, 1.05, 1.05, 1.02, 1.05, 1.02, 1.02, 1.0, 0.92),
    "summer": (0.78, 0.75, 0.85, 0.95, 1.1, 1.3, 1.38, 1.25, 1.05, 0.95, 0.85, 0.8),
    "dark": (1.2, 1.02, 0.9, 0.8, 0.75, 0.8, 0.95, 0.85, 0.95, 1.2, 1.3, 1.3),
    "cycle": (0.4, 0.4, 0.6, 1.0, 1.4, 1.6, 1.6, 1.6, 1.5, 1.0, 0.6, 0.4),
    "december": (0.95, 0.9, 0.95, 0.95, 1.0, 1.0, 0.95, 1.0, 1.0, 1.05, 1.1, 1.3),
    "school": (1.05, 1.1, 1.1, 1.05, 1.05, 0.85, 0.7, 0.8, 1.1, 1.1, 1.05, 0.95),
    "autumn": (0.8, 0.8, 0.9, 1.0, 1.1, 1.15, 1.1, 1.15, 1.1, 1.1, 1.0, 0.8),
}

OC, VNR, BU, VOM, EGD, NAR, SKG, OVR = THEME_NAMES


@dataclass(frozen=True)
class Category:
    """A crime category with its theme and a rough level of reported crime."""

    name: str
    theme: str
    signal: bool
    rate: float  # reported crimes per 1,000 inhabitants and year
    season: str = "flat"
    trend: float = 0.0  # national change per year, on the log scale


# Ordered so that the first 8 cover every theme and the first 24 (the sample) hold the
# categories a lägesbild usually discusses. Some are rare on purpose (1-3 a year in an
# area), so that disclosure control has small cells to work on.
CATEGORIES: tuple[Category, ...] = (
    Category("Misshandel utomhus, obekant gärningsperson", VOM, True, 2.2, "summer"),
    Category("Grov kvinnofridskränkning", VNR, False, 0.25),
    Category("Misshandel av barn 0–17 år", BU, False, 1.0, "school"),
    Category("Bostadsinbrott", EGD, False, 1.6, "dark", -0.06),
    Category("Narkotikabrott, innehav", NAR, False, 3.5, "flat", 0.03),
    Category("Skadegörelse genom brand", SKG, True, 0.5, "summer"),
    Category("Skjutning", OC, True, 0.03, "flat", 0.04),
    Category("Trafikbrott under påverkan", OVR, False, 2.5),
    Category("Olaga hot", VOM, False, 4.0),
    Category("Olaga förföljelse", VNR, False, 0.5, "flat", 0.03),
    Category("Rån mot ungdom", BU, True, 0.15, "autumn"),
    Category("Stöld ur eller från motorfordon", EGD, False, 3.5, "dark", -0.04),
    Category("Narkotikabrott, överlåtelse", NAR, False, 0.35, "flat", 0.03),
    Category("Klotter", SKG, True, 3.0, "autumn"),
    Category("Sprängning", OC, True, 0.02, "flat", 0.05),
    Category("Rån mot person", VOM, True, 0.5, "dark"),
    Category("Våldtäkt", VNR, False, 0.8, "summer"),
    Category("Cykelstöld", EGD, False, 4.5, "cycle"),
    Category("Utpressning", OC, False, 0.1),
    Category("Sexuellt ofredande", VNR, False, 1.0, "summer"),
    Category("Butiksstöld", EGD, False, 5.0, "december"),
    Category("Skadegörelse, bilbrand", SKG, True, 0.15, "autumn"),
    Category("Brott mot vapenlagen", OC, False, 0.4),
    Category("Bedrägeri", EGD, False, 12.0, "flat", 0.07),
    Category("Våld mot tjänsteman", VOM, True, 0.6, "summer"),
    Category("Ofredande", VOM, False, 2.5),
    Category("Överträdelse av kontaktförbud", VNR, False, 0.35),
    Category("Narkotikabrott, eget bruk", NAR, False, 4.0, "flat", 0.03),
    Category("Stöld av motorfordon", EGD, False, 0.7, "dark", -0.05),
    Category("Skadegörelse på motorfordon", SKG, True, 2.5, "autumn"),
    Category("Misshandel av kvinna, närstående", VNR, False, 1.8),
    Category("Förargelseväckande beteende", OVR, False, 0.5, "summer"),
    Category("Sexuellt ofredande mot barn", BU, False, 0.4, "school"),
    Category("Penningtvättsbrott", OC, False, 0.3),
    Category("Olovlig körning", OVR, False, 1.5),
)

AGE_BANDS = ("0-12", "13-17", "18-24", "25-64", "65+")
SEXES = ("kvinnor", "man")
# Share of women per age band (more women among the old).
FEMALE_SHARE = (0.487, 0.486, 0.475, 0.49, 0.53)
# Age structure per kind of neighbourhood, shares of AGE_BANDS.
AGE_PROFILES: dict[str, tuple[float, ...]] = {
    "city": (0.09, 0.04, 0.14, 0.55, 0.18),
    "rental": (0.19, 0.08, 0.10, 0.50, 0.13),
    "villa": (0.16, 0.07, 0.06, 0.50, 0.21),
    "mixed": (0.14, 0.06, 0.08, 0.52, 0.20),
    "senior": (0.07, 0.03, 0.04, 0.38, 0.48),
    "family": (0.22, 0.06, 0.06, 0.56, 0.10),
}
PROFILE_NAMES = tuple(AGE_PROFILES)
NOISE_FROM_YEAR = 2025  # SCB perturbs population cells from reference year 2025

SOURCES = ("polis", "skola", "forskola", "halso- och sjukvard", "socialtjanst", "anhorig", "ovriga")
OROS_SOURCE_SHARE = (0.30, 0.24, 0.06, 0.10, 0.12, 0.06, 0.12)
SIG_SOURCE_SHARE = (0.45, 0.15, 0.0, 0.05, 0.30, 0.03, 0.02)
# Referrals from school and pre-school nearly stop in the summer holidays.
SCHOOL_SEASON = (1.1, 1.1, 1.1, 1.05, 1.1, 0.7, 0.15, 0.55, 1.2, 1.15, 1.15, 0.95)
OROS_RATE = (0.05, 0.09)  # per child and year, ages 0-12 and 13-17
SIG_RATE = (0.004, 0.002)  # per young person and year, ages 13-17 and 18-25
REFERRAL_AGES = ("0-12", "13-17", "18-25")
REFERRAL_SEXES = ("K", "M")
FREE_TEXT_SOURCES = ("fritidsgård", "Fritidsgården", "fältassistenter", "kyrkan")

TEAM_THEMES = (BU, VOM, NAR, SKG, OC)
OBSERVATIONS: dict[str, tuple[str, ...]] = {
    BU: (
        "Fler ungdomar samlas vid centrumtorget sena kvällar.",
        "Fritidsgården har utökat öppettiderna under helgerna.",
        "Skolan uppger oro för ökad skolfrånvaro på högstadiet.",
        "Fältassistenterna har haft regelbunden närvaro kvällstid.",
        "Samverkan mellan skola och socialtjänst har fördjupats.",
        "Färre incidenter vid skolan jämfört med föregående termin.",
    ),
    VOM: (
        "Trygghetsvandring genomförd med fastighetsägare.",
        "Belysningen vid gångtunneln har förbättrats efter synpunkter från boende.",
        "Några uppmärksammade händelser vid busshållplatsen under helgkvällar.",
        "Polisen har ökat sin närvaro kring torget på fredagar och lördagar.",
        "Boende beskriver området som lugnare än tidigare.",
    ),
    NAR: (
        "Tecken på narkotikaförsäljning vid parkeringen har rapporterats.",
        "Skolan och polisen har hållit ett föräldramöte om droger.",
        "Fynd av förpackningsmaterial i trapphus har anmälts till fastighetsägaren.",
        "Ingen tydlig förändring jämfört med föregående termin.",
    ),
    SKG: (
        "Klotter har sanerats snabbt i samarbete med bostadsbolaget.",
        "Flera anlagda bränder i soprum under perioden.",
        "Skadegörelse på lekplatsen har åtgärdats.",
        "Färre rapporter om skadegörelse sedan belysningen byttes ut.",
    ),
    OC: (
        "Oro bland boende efter händelser i grannområdet.",
        "Polisen bedömer att unga rekryteras till kriminella nätverk i området.",
        "Fastighetsägaren har skärpt rutinerna mot olovlig andrahandsuthyrning.",
        "Samverkan inom det lokala Bob-rådet har inletts för området.",
    ),
}

# Observations a reviewer would hold back from the public report (publiceras = nej): they
# describe people or a network in a named area, which screening for numbers cannot catch.
SENSITIVE_OBSERVATIONS = frozenset(
    {
        "Polisen bedömer att unga rekryteras till kriminella nätverk i området.",
        "Oro bland boende efter händelser i grannområdet.",
    }
)
# Share of the other rows whose publiceras cell is left empty (not yet reviewed, so nej).
UNREVIEWED_SHARE = 0.08

# Älvstad: name, population 2019, growth per year, crime level, age profile, has team.
SAMPLE_AREAS: tuple[tuple[str, int, float, float, str, bool], ...] = (
    ("Centrum", 2600, 0.006, 1.7, "city", False),
    ("Hamnen", 1800, 0.02, 1.1, "city", False),
    ("Norrbacka", 3400, 0.004, 1.5, "rental", True),
    ("Västermalm", 2200, 0.0, 0.8, "villa", False),
    ("Östergärde", 2100, 0.003, 0.9, "mixed", False),
    ("Söderby", 1900, 0.0, 0.8, "villa", False),
    ("Solhem", 2500, 0.002, 0.9, "mixed", False),
    ("Ekdalen", 1500, -0.003, 0.7, "villa", False),
    ("Stensätra", 3800, 0.006, 1.7, "rental", True),
    ("Furulund", 3000, 0.004, 1.5, "rental", True),
    ("Kvarnbacken", 300, 0.0, 1.3, "mixed", False),  # mostly industry: a small area
    ("Ängsgården", 1300, 0.0, 0.7, "senior", False),
    ("Bergsäter", 1700, 0.001, 0.8, "villa", False),
    ("Nyhem", 850, 0.0, 0.9, "family", False),  # new-build, grows fast (SAMPLE_NEWBUILD)
    ("Tallåsen", 1100, -0.004, 0.6, "senior", False),
    ("Björkhagen", 2000, 0.002, 0.9, "mixed", False),
    ("Lindvik", 900, 0.0, 0.6, "villa", False),
    ("Skogsbo", 850, 0.0, 0.6, "villa", False),
)
SAMPLE_NEWBUILD = "Nyhem"
SAMPLE_KOMMUN = "Älvstads kommun"
SAMPLE_ORIGIN = (560_000.0, 6_650_000.0)  # SWEREF 99 TM, a plausible spot in Mälardalen
# Planted trends in the sample: (area, theme, change per year on the log scale).
SAMPLE_TRENDS = (
    ("Stensätra", BU, 0.15),
    ("Furulund", VOM, 0.12),
    ("Norrbacka", NAR, 0.14),
    ("Centrum", EGD, -0.10),
    ("Solhem", SKG, -0.15),
    ("Bergsäter", EGD, -0.12),
)
# Planted level shifts in the sample: (area, theme, first year, factor). A lägesbild has
# something to say only if some changes are statistically clear: a new open drug scene, a
# centre that quietened after a redesign. Gradual trends alone rarely are, year on year.
SAMPLE_STEPS = (
    ("Norrbacka", NAR, 2025, 2.2),
    ("Furulund", VOM, 2024, 1.9),
    ("Centrum", EGD, 2025, 0.65),
)

OKANT = "okant"  # reserved area id: crimes that could not be geocoded
OKANT_SHARE = 0.03
SAMPLE_ZERO_KEEP = 0.03  # real deliveries omit most zero cells but not all
# The benchmark models an owner who exports a near-full cube (areas x months x categories),
# which is what makes the national load ≈30 million rows.
SCALE_ZERO_KEEP = 0.9
FIXED_TIME = datetime(2026, 1, 1)  # timestamps inside xlsx files, for byte-identical output

CRIME_REASONS = (
    "invalid_count",
    "invalid_month",
    "missing_value",
    "unknown_area",
    "unknown_category",
    "duplicate_key",
)
REFERRAL_REASONS = tuple(r for r in CRIME_REASONS if r != "unknown_category")
TEXT_COUNTS = ("fem", "ca 3", "3 st", "tre")
DESO_RE = re.compile(r"^\d{4}[ABC]\d{4}$")
SOURCE_DIRS = ("omraden", "befolkning", "brott", "orosanmalningar", "omradesteam", "referens")


# --------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """What to generate. ``n_years`` counts full calendar years before a partial last one."""

    seed: int
    n_areas: int
    n_years: int
    n_categories: int
    end_year: int
    end_month: int
    bad_share: float
    sample: bool

    @property
    def first_year(self) -> int:
        return self.end_year - self.n_years + (1 if self.end_month == 12 else 0)

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.end_year + 1))

    @property
    def full_years(self) -> list[int]:
        return self.years if self.end_month == 12 else self.years[:-1]

    def months_of(self, year: int) -> list[int]:
        return list(range(1, (self.end_month if year == self.end_year else 12) + 1))

    @property
    def zero_keep(self) -> float:
        return SAMPLE_ZERO_KEEP if self.sample else SCALE_ZERO_KEEP


def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent random stream per purpose; crc32 is stable across processes."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])


def _categories(n: int) -> list[Category]:
    """The first n categories; beyond the named list, numbered sub-categories."""
    cats = list(CATEGORIES[:n])
    k = 0
    while len(cats) < n:
        base = CATEGORIES[k % len(CATEGORIES)]
        number = 2 + k // len(CATEGORIES)
        cats.append(
            Category(
                f"{base.name}, delkategori {number}",
                base.theme,
                base.signal,
                base.rate * 0.5,
                base.season,
                base.trend,
            )
        )
        k += 1
    return cats


# --------------------------------------------------------------------------------------
# Tables as coded columns: cheap to hold, mutate and write at 30 million rows
# --------------------------------------------------------------------------------------


@dataclass
class Coded:
    """A text column as integer codes into a list of labels (an arrow dictionary array)."""

    codes: np.ndarray
    labels: list[str]

    def values(self, rows: np.ndarray) -> list[str]:
        return [self.labels[int(c)] for c in self.codes[rows]]

    def relabel(self, rows: np.ndarray, values: Sequence[str]) -> None:
        """Point ``rows`` at new labels, appended to the label list once each."""
        index = {label: i for i, label in enumerate(self.labels)}
        codes = np.empty(len(rows), dtype=self.codes.dtype)
        for i, value in enumerate(values):
            if value not in index:
                index[value] = len(self.labels)
                self.labels.append(value)
            codes[i] = index[value]
        self.codes[rows] = codes

    def to_arrow(self) -> pa.Array:
        return pa.DictionaryArray.from_arrays(
            pa.array(self.codes.astype(np.int32)), pa.array(self.labels, pa.string())
        )


def _count_column(counts: np.ndarray) -> Coded:
    top = int(counts.max()) if len(counts) else 0
    return Coded(counts.astype(np.int32), [str(i) for i in range(top + 1)])


@dataclass
class Rows:
    """One delivery file: key columns then the count column ``antal``."""

    cols: dict[str, Coded]
    key: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.cols["antal"].codes)

    def take(self, rows: np.ndarray) -> Rows:
        return Rows(
            {k: Coded(c.codes[rows].copy(), list(c.labels)) for k, c in self.cols.items()}, self.key
        )

    def to_table(self) -> pa.Table:
        columns = {name: col.to_arrow() for name, col in self.cols.items()}
        count = self.cols["antal"]
        if all(label.isdigit() for label in count.labels):  # plain numbers are never quoted
            columns["antal"] = pa.array(np.array(count.labels, np.int64)[count.codes])
        return pa.table(columns)


@dataclass(frozen=True)
class Dialect:
    """How a data owner writes a CSV file."""

    delimiter: str = ";"
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (BOM) or "cp1252"
    eol: str = "\n"
    compact_month: bool = False  # YYYYMM instead of YYYY-MM
    header: tuple[str, ...] | None = None  # None: the column names


def _write_csv(path: Path, table: pa.Table, dialect: Dialect = Dialect()) -> int:
    """Write ``table`` as one delivery; returns the number of data rows."""
    header = dialect.header or tuple(table.column_names)
    # ';' files need no quoting (no value holds a ';'); a ','-file quotes its text values.
    quoting = "none" if dialect.delimiter == ";" else "needed"
    options = pacsv.WriteOptions(
        include_header=False,
        delimiter=dialect.delimiter,
        eol=dialect.eol,
        quoting_style=quoting,
        batch_size=65536,
    )
    head = (dialect.delimiter.join(header) + dialect.eol).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if dialect.encoding == "utf-8":
        with path.open("wb") as f:
            f.write(head)
            pacsv.write_csv(table, f, options)
    else:  # small files only: transcode in memory
        buf = io.BytesIO()
        buf.write(head)
        pacsv.write_csv(table, buf, options)
        text = buf.getvalue().decode("utf-8")
        path.write_bytes(text.encode(dialect.encoding))
    return table.num_rows


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], sheet: str
) -> int:
    """Write an xlsx with fixed timestamps, so that two runs give the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    # openpyxl stamps zip members with the current time; rewrite them with a fixed one.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            dst.writestr(info, src.read(member.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return len(rows)


# --------------------------------------------------------------------------------------
# Areas
# --------------------------------------------------------------------------------------


@dataclass
class Areas:
    """The areas and the hidden traits that drive their numbers."""

    ids: list[str]
    names: list[str]
    kommun: list[str]
    team: np.ndarray  # bool
    geoms: list[Polygon]
    crs: int  # EPSG code of ``geoms``
    pop0: np.ndarray  # population on 31 Dec of the first year
    growth: np.ndarray  # change per year, log scale
    newbuild: np.ndarray  # bool: grows fast along a logistic curve
    profile: np.ndarray  # index into PROFILE_NAMES
    rate: np.ndarray  # crime level relative to the national rates
    invalid: list[str] = field(default_factory=list)  # ids with a planted invalid polygon

    def __len__(self) -> int:
        return len(self.ids)


def _town_outline(rng: np.random.Generator) -> Polygon:
    """A smooth, irregular town outline of about 6 x 5 km around (0, 0)."""
    t = np.linspace(0.0, 2 * np.pi, 72, endpoint=False)
    r = np.ones_like(t)
    for k in range(2, 6):
        r += rng.uniform(0.02, 0.06) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    return Polygon(np.column_stack([3000 * r * np.cos(t), 2500 * r * np.sin(t)]))


def _river(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A gently meandering river from west to east, as y(x) at sample points."""
    x = np.linspace(-4500.0, 4500.0, 91)
    phase = rng.uniform(0, 2 * np.pi)
    y = -150 + 320 * np.sin(x / 1300 + phase) + 90 * np.sin(x / 470 + 2 * phase)
    return x, y


def _town_seeds(
    rng: np.random.Generator, outline: Polygon, river: tuple[np.ndarray, np.ndarray], n: int
) -> np.ndarray | None:
    """Seed points, denser in the centre, none too close to each other or to the river."""
    rx, ry = river
    pts = [np.array([0.0, float(np.interp(0.0, rx, ry)) + 380.0])]  # the centre, by the river
    for _ in range(20000):
        if len(pts) == n:
            return np.array(pts)
        p = rng.uniform([-3300, -2800], [3300, 2800])
        d0 = math.hypot(*p)
        if not shapely.contains_xy(outline, *p):
            continue
        if rng.random() > 0.3 + 0.7 * math.exp(-((d0 / 1600) ** 2)):
            continue
        if abs(p[1] - np.interp(p[0], rx, ry)) < 150:
            continue
        if min(math.dist(p, q) for q in pts) < 420 + 0.22 * d0:
            continue
        pts.append(p)
    return None


def _town_partition(
    outline: Polygon, river: tuple[np.ndarray, np.ndarray], seeds: np.ndarray
) -> list[Polygon] | None:
    """Cut the outline by the river and each bank by the Voronoi diagram of its seeds.

    All boundaries are noded together and polygonised, and each face goes to the nearest
    seed on its own bank. Neighbours are thus built from the same noded edges and share
    their vertices exactly, which is what queen contiguity needs.
    """
    rx, ry = river
    north = seeds[:, 1] > np.interp(seeds[:, 0], rx, ry)
    if north.sum() < 3 or (~north).sum() < 3:
        return None
    frame = box(-7000, -7000, 7000, 7000)
    lines = [outline.exterior, LineString(np.column_stack(river))]
    for bank in (north, ~north):
        cells = shapely.voronoi_polygons(MultiPoint(seeds[bank]), extend_to=frame)
        lines += [cell.exterior for cell in cells.geoms]
    noded = shapely.union_all(lines)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    reps = shapely.point_on_surface(faces)
    inside = shapely.contains(outline, reps)
    faces, xy = faces[inside], shapely.get_coordinates(reps[inside])
    face_north = xy[:, 1] > np.interp(xy[:, 0], rx, ry)
    dist = np.hypot(xy[:, None, 0] - seeds[None, :, 0], xy[:, None, 1] - seeds[None, :, 1])
    dist[face_north[:, None] != north[None, :]] = np.inf
    owner = dist.argmin(axis=1)
    polys = []
    for k in range(len(seeds)):
        merged = shapely.union_all(faces[owner == k])
        if not isinstance(merged, Polygon) or merged.is_empty or len(merged.interiors):
            return None
        polys.append(merged)
    return polys


def _name_town_areas(
    polys: list[Polygon], river: LineString, rng: np.random.Generator
) -> list[str]:
    """Give each polygon a name that fits where it lies (seed 0 is the centre)."""
    names: list[str | None] = [None] * len(polys)
    names[0] = "Centrum"
    cxy = shapely.get_coordinates(shapely.centroid(np.array(polys, dtype=object)))
    by_river = [i for i in range(len(polys)) if i and polys[i].intersects(river)]
    names[min(by_river, key=lambda i: math.hypot(*cxy[i]))] = "Hamnen"
    for name, key in (
        ("Norrbacka", lambda i: -cxy[i, 1]),
        ("Söderby", lambda i: cxy[i, 1]),
        ("Västermalm", lambda i: cxy[i, 0]),
        ("Östergärde", lambda i: -cxy[i, 0]),
    ):
        free = [i for i in range(len(polys)) if names[i] is None]
        names[min(free, key=key)] = name
    used = set(names)
    rest = [a[0] for a in SAMPLE_AREAS if a[0] not in used]
    order = rng.permutation(len(rest))
    free = [i for i in range(len(polys)) if names[i] is None]
    for i, j in zip(free, order, strict=True):
        names[i] = rest[j]
    return [str(n) for n in names]


def _plant_bow_tie(polys: list[Polygon], candidates: list[int], rng: np.random.Generator) -> int:
    """Make one polygon slightly invalid: a tiny self-intersection at an outline vertex.

    The vertex is at least 25 m from every other area, so neighbours are not affected, and
    ``shapely.make_valid`` gives back essentially the same area (within a few m²).
    """
    for k in rng.permutation(candidates):
        others = shapely.union_all([p for j, p in enumerate(polys) if j != k])
        ring = np.asarray(polys[k].exterior.coords)[:-1]
        far = [
            i
            for i in range(1, len(ring) - 1)
            if shapely.distance(shapely.points(ring[i]), others) > 25
        ]
        if not far:
            continue
        i = far[len(far) // 2]
        v, prev, nxt = ring[i], ring[i - 1], ring[i + 1]
        step_next = v + 1.5 * (nxt - v) / np.linalg.norm(nxt - v)
        step_prev = v + 1.5 * (prev - v) / np.linalg.norm(prev - v)
        # prev -> step_next -> step_prev -> next: the first and last segments cross.
        ring = np.vstack([ring[:i], step_next, step_prev, ring[i + 1 :], ring[:1]])
        polys[k] = Polygon(ring)
        return int(k)
    raise RuntimeError("no vertex found for the planted invalid polygon")


def _sample_areas(seed: int) -> Areas:
    """Älvstad: 18 areas tiling a town cut by a river, in SWEREF 99 TM."""
    rng = _rng(seed, "omraden/town")
    outline = _town_outline(rng)
    river = _river(rng)
    polys = None
    for _ in range(200):
        seeds = _town_seeds(rng, outline, river, len(SAMPLE_AREAS))
        polys = None if seeds is None else _town_partition(outline, river, seeds)
        if polys is not None:
            break
    if polys is None:
        raise RuntimeError("could not partition the town; try another seed")
    river_line = LineString(np.column_stack(river))
    names = _name_town_areas(polys, river_line, rng)
    # Number areas from the centre outwards, as municipal codes often are.
    cxy = shapely.get_coordinates(shapely.centroid(np.array(polys, dtype=object)))
    order = sorted(range(len(polys)), key=lambda i: (names[i] != "Centrum", math.hypot(*cxy[i])))
    polys = [affinity.translate(polys[i], *SAMPLE_ORIGIN) for i in order]
    names = [names[i] for i in order]
    profile = {a[0]: a for a in SAMPLE_AREAS}
    rows = [profile[n] for n in names]
    edge = [
        i
        for i, n in enumerate(names)
        if not profile[n][5]
        and n not in ("Centrum", SAMPLE_NEWBUILD)
        and polys[i].exterior.distance(affinity.translate(outline.exterior, *SAMPLE_ORIGIN)) < 1e-6
    ]
    bad = _plant_bow_tie(polys, edge, rng)
    ids = [f"ALV{i + 1:02d}" for i in range(len(polys))]
    return Areas(
        ids=ids,
        names=names,
        kommun=[SAMPLE_KOMMUN] * len(ids),
        team=np.array([r[5] for r in rows]),
        geoms=polys,
        crs=3006,
        pop0=np.array([r[1] for r in rows], float),
        growth=np.array([r[2] for r in rows]),
        newbuild=np.array([n == SAMPLE_NEWBUILD for n in names]),
        profile=np.array([PROFILE_NAMES.index(r[4]) for r in rows]),
        rate=np.array([r[3] for r in rows]),
        invalid=[ids[bad]],
    )


# fmt: off
KOMMUN_STEMS = (
    "Björk", "Ek", "Sjö", "Berg", "Lind", "Strand", "Alm", "Gran", "Vik", "Holm", "Ås", "Dal",
    "Fors", "Hag", "Mark", "Sand", "Sten", "Tall", "Älv", "Ör", "Ljung", "Rön", "Asp", "Sol",
    "Norr", "Sör", "Väster", "Öster", "Häll", "Kvarn",
)
KOMMUN_ENDINGS = (
    "by", "sund", "vik", "holm", "köping", "stad", "hammar", "torp", "dal", "berga", "ås",
    "fors", "näs", "hult", "tuna", "lunda", "mark", "bo", "sjö", "hamn",
)
# fmt: on
# County codes roughly from south to north, for the first two digits of kommun codes.
LAN_CODES = (12, 10, 7, 8, 6, 13, 14, 5, 4, 3, 1, 9, 18, 19, 17, 20, 21, 22, 23, 24, 25)
SCALE_REGION = (280_000.0, 6_140_000.0, 920_000.0, 7_660_000.0)  # SWEREF 99 TM, Sweden-sized


def _kommun_names(n: int, rng: np.random.Generator) -> list[str]:
    stems = [
        s + e
        for s in KOMMUN_STEMS
        for e in KOMMUN_ENDINGS
        if e.lower() not in s.lower() and s.lower()[-1] != e[0]
    ]
    stems = [stems[i] for i in rng.permutation(len(stems))]
    return [
        stems[i % len(stems)] + ("" if i < len(stems) else f" {1 + i // len(stems)}")
        for i in range(n)
    ]


def _kommun_label(name: str) -> str:
    """Björkby -> Björkbys kommun (no genitive s after s, x or z)."""
    return name + ("" if name[-1] in "sxz" else "s") + " kommun"


def _scale_areas(seed: int, n_areas: int) -> Areas:
    """DeSO-like areas: kommuner with clustered points, cut by a Voronoi diagram (EPSG:4326)."""
    from pyproj import Transformer

    rng = _rng(seed, "omraden/scale")
    n_kommun = max(1, round(n_areas / 21))
    if n_kommun > len(LAN_CODES) * 89:
        raise ValueError("too many areas for 4-digit kommun codes")
    x0, y0, x1, y1 = SCALE_REGION
    centres = rng.uniform([x0 + 20_000, y0 + 20_000], [x1 - 20_000, y1 - 20_000], (n_kommun, 2))
    weights = rng.lognormal(0.0, 0.9, n_kommun)
    sizes = 1 + rng.multinomial(n_areas - n_kommun, weights / weights.sum())
    if sizes.max() > 999:
        raise ValueError("a kommun got more than 999 areas")
    kommun_of = np.repeat(np.arange(n_kommun), sizes)
    spread = 2500.0 * np.sqrt(sizes)[kommun_of]
    pts = centres[kommun_of] + rng.normal(0.0, 1.0, (n_areas, 2)) * spread[:, None]
    pts = np.clip(pts, [x0 + 1, y0 + 1], [x1 - 1, y1 - 1]).round(1)
    pts += rng.uniform(-0.4, 0.4, pts.shape)  # no two seeds at the same spot
    region = box(x0, y0, x1, y1)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint(pts), extend_to=region, ordered=True)
    )
    cells = shapely.intersection(cells, region)
    # DeSO letters: A mostly rural, B around towns, C central towns; here by relative cell size.
    km2 = shapely.area(cells) / 1e6
    small, mid = np.quantile(km2, [0.3, 0.7])
    letter = np.where(km2 <= small, "C", np.where(km2 <= mid, "B", "A"))
    # Kommun codes: county by latitude band, then a running number within the county.
    lan_of = np.empty(n_kommun, int)
    by_north = np.argsort(centres[:, 1], kind="stable")
    for band, members in enumerate(np.array_split(by_north, len(LAN_CODES))):
        lan_of[members] = LAN_CODES[band]
    code = np.empty(n_kommun, object)
    for lan in LAN_CODES:
        members = np.flatnonzero(lan_of == lan)
        for j, k in enumerate(members[np.argsort(centres[members, 0], kind="stable")]):
            code[k] = f"{lan:02d}{10 + j:02d}"
    names = _kommun_names(n_kommun, rng)
    ids, area_names = [""] * n_areas, [""] * n_areas
    for k in range(n_kommun):
        members = np.flatnonzero(kommun_of == k)
        members = members[np.lexsort((km2[members], letter[members]))]
        for j, a in enumerate(members):
            ids[a] = f"{code[k]}{letter[a]}{j + 1:03d}0"
            area_names[a] = f"{names[k]} {j + 1:03d}"
    to_wgs84 = Transformer.from_crs(3006, 4326, always_xy=True)
    geoms = shapely.transform(cells, lambda xy: np.column_stack(to_wgs84.transform(*xy.T)))
    rate = rng.lognormal(-0.06, 0.35, n_areas) * np.where(letter == "C", 1.3, 1.0)
    n_team = max(1, n_areas // 100)
    top = np.argsort(-rate, kind="stable")[: max(n_team, n_areas // 10)]
    team = np.zeros(n_areas, bool)
    team[rng.choice(top, n_team, replace=False)] = True
    return Areas(
        ids=ids,
        names=area_names,
        kommun=[_kommun_label(names[k]) for k in kommun_of],
        team=team,
        geoms=list(geoms),
        crs=4326,
        pop0=np.clip(rng.lognormal(math.log(1600), 0.3, n_areas), 650, 2800),
        growth=rng.normal(0.004, 0.01, n_areas),
        newbuild=rng.random(n_areas) < 0.01,
        profile=rng.integers(0, len(PROFILE_NAMES), n_areas),
        rate=rate,
    )


def _write_geojson(path: Path, areas: Areas) -> int:
    """One feature per line, so that the committed sample diffs well."""
    decimals = 2 if areas.crs == 3006 else 6
    head = '{"type":"FeatureCollection",'
    if areas.crs != 4326:  # GeoJSON without a crs member is EPSG:4326
        crs = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{areas.crs}"}}
        head += f'"crs":{json.dumps(crs, separators=(",", ":"))},'
    lines = [head + '"features":[']
    order = sorted(range(len(areas)), key=lambda i: areas.ids[i])
    for n, i in enumerate(order):
        geom = areas.geoms[i]
        rings = [
            np.round(np.asarray(r.coords), decimals).tolist()
            for r in (geom.exterior, *geom.interiors)
        ]
        feature = {
            "type": "Feature",
            "properties": {
                "omrade_id": areas.ids[i],
                "omrade_namn": areas.names[i],
                "kommun": areas.kommun[i],
                "omradesteam": "ja" if areas.team[i] else "nej",
            },
            "geometry": {"type": "Polygon", "coordinates": rings},
        }
        comma = "," if n < len(order) - 1 else ""
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + comma)
    lines.append("]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(order)


# --------------------------------------------------------------------------------------
# The world: population and the hidden rates behind every count
# --------------------------------------------------------------------------------------


@dataclass
class World:
    cfg: Config
    areas: Areas
    cats: list[Category]
    cells: np.ndarray  # true population (area, year, band, sex), years = cfg.years
    delivered: np.ndarray  # the same with SCB-style noise from NOISE_FROM_YEAR
    theme_mult: np.ndarray  # (area, theme) local level of each theme
    slopes: np.ndarray  # (area, theme) change per year, log scale
    ref_mult: np.ndarray  # (area,) level of referrals
    trends: list[dict[str, object]]

    @property
    def total(self) -> np.ndarray:
        """Population (area, year)."""
        return self.cells.sum(axis=(2, 3))

    def year_index(self, year: int) -> int:
        return year - self.cfg.first_year


def _population(cfg: Config, areas: Areas, rng: np.random.Generator) -> np.ndarray:
    """Population cells (area, year, band, sex), slowly changing; new-builds grow fast."""
    t = np.arange(len(cfg.years), dtype=float)
    total = areas.pop0[:, None] * np.exp(areas.growth[:, None] * t[None, :])
    mid = (len(t) - 1) / 2
    logistic = 1 + 3 / (1 + np.exp(-1.1 * (t - mid)))
    total = np.where(areas.newbuild[:, None], areas.pop0[:, None] * logistic[None, :], total)
    total *= 1 + rng.normal(0, 0.006, total.shape)
    base = np.array([AGE_PROFILES[PROFILE_NAMES[p]] for p in areas.profile])
    shares = base * rng.lognormal(0, 0.08, base.shape)
    shares /= shares.sum(axis=1, keepdims=True)
    female = np.array(FEMALE_SHARE)
    pvals = np.stack([shares * female, shares * (1 - female)], axis=-1).reshape(len(areas), -1)
    cells = rng.multinomial(np.round(total).astype(np.int64), pvals[:, None, :])
    return cells.reshape(len(areas), len(t), len(AGE_BANDS), len(SEXES))


def _planted_trends(cfg: Config, areas: Areas, rng: np.random.Generator) -> np.ndarray:
    slopes = rng.normal(0.0, 0.01, (len(areas), len(THEMES)))
    if cfg.sample:
        for name, theme, slope in SAMPLE_TRENDS:
            slopes[areas.names.index(name), THEME_INDEX[theme]] = slope
        return slopes
    u = rng.random(slopes.shape)
    slopes = np.where(u < 0.01, rng.uniform(0.10, 0.20, slopes.shape), slopes)
    return np.where(u > 0.99, rng.uniform(-0.20, -0.10, slopes.shape), slopes)


def _build_world(cfg: Config) -> World:
    areas = _sample_areas(cfg.seed) if cfg.sample else _scale_areas(cfg.seed, cfg.n_areas)
    rng = _rng(cfg.seed, "world")
    cells = _population(cfg, areas, rng)
    delivered = cells.copy()
    noisy = np.array(cfg.years) >= NOISE_FROM_YEAR
    noise = rng.integers(-2, 3, delivered.shape)
    delivered[:, noisy] = np.maximum(delivered[:, noisy] + noise[:, noisy], 0)
    theme_mult = rng.lognormal(0.0, 0.25, (len(areas), len(THEMES)))
    if cfg.sample:  # the centre draws shoppers and night life from the whole town
        centre = areas.names.index("Centrum")
        theme_mult[centre, [THEME_INDEX[EGD], THEME_INDEX[VOM]]] *= 2.2
    slopes = _planted_trends(cfg, areas, rng)
    ref_mult = areas.rate**0.8 * rng.lognormal(0.0, 0.2, len(areas)) * np.where(areas.team, 1.3, 1)
    rows, cols = np.nonzero(np.abs(slopes) >= 0.1)
    trends = [
        {
            "omrade_id": areas.ids[a],
            "tema": THEME_NAMES[t],
            "change_per_year_pct": round(100 * (math.exp(slopes[a, t]) - 1), 1),
        }
        for a, t in zip(rows.tolist(), cols.tolist(), strict=True)
    ]
    return World(
        cfg,
        areas,
        _categories(cfg.n_categories),
        cells,
        delivered,
        theme_mult,
        slopes,
        ref_mult,
        trends,
    )


# --------------------------------------------------------------------------------------
# Source tables
# --------------------------------------------------------------------------------------


def _month_labels(year: int, months: Sequence[int]) -> list[str]:
    return [f"{year}-{m:02d}" for m in months]


def _crime_rows(world: World, year: int) -> Rows:
    """Monthly counts: Poisson around area level x population x category rate x season x trend."""
    cfg, cats = world.cfg, world.cats
    rng = _rng(cfg.seed, f"brott/{year}")
    months = cfg.months_of(year)
    t = year - cfg.first_year
    theme = np.array([THEME_INDEX[c.theme] for c in cats])
    per_person = (
        np.array([c.rate for c in cats]) / 12_000 * np.exp(np.array([c.trend for c in cats]) * t)
    )
    level = world.areas.rate * world.total[:, world.year_index(year)]
    local = world.theme_mult[:, theme] * np.exp(world.slopes[:, theme] * t)
    if cfg.sample:
        for name, step_theme, first, factor in SAMPLE_STEPS:
            if year >= first:
                local[world.areas.names.index(name), theme == THEME_INDEX[step_theme]] *= factor
    season = np.array([SEASONS[c.season] for c in cats])[:, np.array(months) - 1].T
    lam = season[:, None, :] * (level[:, None] * local * per_person[None, :])[None]
    lam = np.concatenate([lam, OKANT_SHARE * lam.sum(axis=1, keepdims=True)], axis=1)
    counts = rng.poisson(lam)
    keep = (counts > 0) | (rng.random(lam.shape) < cfg.zero_keep)
    flat = np.flatnonzero(keep)
    m, a, c = np.unravel_index(flat, lam.shape)
    return Rows(
        {
            "omrade_id": Coded(a.astype(np.int32), [*world.areas.ids, OKANT]),
            "manad": Coded(m.astype(np.int32), _month_labels(year, months)),
            "brottskategori": Coded(c.astype(np.int32), [k.name for k in cats]),
            "antal": _count_column(counts.ravel()[flat]),
        },
        ("omrade_id", "manad", "brottskategori"),
    )


def _referral_rows(world: World, year: int) -> Rows:
    """Orosanmälningar (ages 0-12, 13-17) and the much rarer SIG referrals (13-17, 18-25)."""
    cfg = world.cfg
    rng = _rng(cfg.seed, f"orosanmalningar/{year}")
    months = np.array(cfg.months_of(year))
    yi = world.year_index(year)
    t = year - cfg.first_year
    band = world.cells[:, yi].astype(float)  # (area, band, sex)
    trend = np.exp(world.slopes[:, THEME_INDEX[BU]] * t) * world.ref_mult  # (area,)
    children = band[:, :2] * np.array(OROS_RATE)[None, :, None]
    youth = np.stack([band[:, 1], band[:, 2] * 8 / 7], axis=1) * np.array(SIG_RATE)[None, :, None]
    by_type = np.stack([children, youth], axis=1) * trend[:, None, None, None] / 12  # (A,T,G,X)
    school = np.array(SCHOOL_SEASON)[months - 1]
    season = np.ones((len(months), len(SOURCES)))
    season[:, [SOURCES.index("skola"), SOURCES.index("forskola")]] = school[:, None]
    share = np.array([OROS_SOURCE_SHARE, SIG_SOURCE_SHARE])  # (T,S)
    # (M, A, T, S, G, X)
    lam = (
        season[:, None, None, :, None, None]
        * share[None, None, :, :, None, None]
        * by_type[None, :, :, None, :, :]
    )
    counts = rng.poisson(lam)
    flat = np.flatnonzero(counts)
    m, a, typ, s, g, x = np.unravel_index(flat, lam.shape)
    return Rows(
        {
            "omrade_id": Coded(a.astype(np.int32), list(world.areas.ids)),
            "manad": Coded(m.astype(np.int32), _month_labels(year, months)),
            "typ": Coded(typ.astype(np.int32), ["orosanmalan", "sig"]),
            "kalla": Coded(s.astype(np.int32), list(SOURCES)),
            "aldersgrupp": Coded((g + typ).astype(np.int32), list(REFERRAL_AGES)),
            "kon": Coded(x.astype(np.int32), list(REFERRAL_SEXES)),
            "antal": _count_column(counts.ravel()[flat]),
        },
        ("omrade_id", "manad", "typ", "kalla", "aldersgrupp", "kon"),
    )


def _population_rows(world: World, year: int) -> list[tuple[str, int, str, str, int]]:
    """Band x sex cells plus a totalt/totalt row per area (the true, unperturbed total)."""
    yi = world.year_index(year)
    rows: list[tuple[str, int, str, str, int]] = []
    for a, area in enumerate(world.areas.ids):
        for b, band in enumerate(AGE_BANDS):
            for s, sex in enumerate(SEXES):
                rows.append((area, year, band, sex, int(world.delivered[a, yi, b, s])))
        rows.append((area, year, "totalt", "totalt", int(world.cells[a, yi].sum())))
    return rows


def _terms(cfg: Config) -> list[tuple[int, str]]:
    """School terms that have ended by the last month (VT = Jan-Jun, HT = Jul-Dec)."""
    terms = []
    for year in cfg.years:
        last = cfg.months_of(year)[-1]
        terms += [(year, term) for term, end in (("VT", 6), ("HT", 12)) if last >= end]
    return terms


def _team_rows(world: World) -> dict[int, list[tuple[str, str, str, int, int, str]]]:
    """Termly assessments (1-5) that drift with the area's planted trends."""
    rng = _rng(world.cfg.seed, "omradesteam")
    terms = _terms(world.cfg)
    out: dict[int, list[tuple[str, str, str, int, int, str]]] = {y: [] for y, _ in terms}
    level: dict[tuple[int, str], int] = {}
    for year, term in terms:
        for a in np.flatnonzero(world.areas.team):
            for theme in TEAM_THEMES:
                slope = world.slopes[a, THEME_INDEX[theme]]
                up = 0.2 + (0.3 if slope > 0.05 else 0.0)
                down = 0.2 + (0.3 if slope < -0.05 else 0.0)
                start = int(rng.integers(2, 4))  # drawn every time: keeps streams aligned
                step = int(rng.choice([1, -1, 0], p=[up, down, 1 - up - down]))
                now = min(max(level.get((a, theme), start - step) + step, 1), 5)
                level[(a, theme)] = now
                bank = OBSERVATIONS[theme]
                said = rng.choice(len(bank), int(rng.integers(1, 4)), replace=False)
                text = " ".join(bank[i] for i in sorted(said))
                out[year].append(
                    (
                        world.areas.ids[a],
                        f"{year}-{term}",
                        theme,
                        now,
                        1 + int(rng.poisson(5)),
                        text,
                    )
                )
    return out


# --------------------------------------------------------------------------------------
# Planting bad rows, suppressed cells and corrections
# --------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What to plant in one delivery file. ``faults`` counts rows, except duplicate_key: pairs."""

    faults: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0  # `..` cells
    whole_decimal: int = 0  # `12,0`: accepted as 12
    corrections: int = 0  # keys re-delivered with changed counts in a later-sorting file
    free_text: int = 0  # referral sources in free text, grouped as ovriga


@dataclass
class Planted:
    """What was actually planted, in the terms of the contract's load log."""

    quarantined: dict[str, int]
    suppressed: int = 0
    whole_decimal: int = 0
    superseded: int = 0
    free_text: int = 0
    correction: Rows | None = None


def _unknown_area_id(area_id: str, n_known: int) -> str:
    """An id that is not a known area, one-to-one with the original so keys stay unique.

    DeSO-style ids get reserve digit 1 (as if from a newer DeSO version; all known ids end
    in 0); others get their number shifted past the known range (ALV07 -> ALV25).
    """
    if DESO_RE.match(area_id):
        return area_id[:-1] + "1"
    stem = area_id.rstrip("0123456789")
    digits = area_id[len(stem) :]
    return f"{stem}{int(digits) + n_known:0{len(digits)}d}" if digits else area_id + "X"


def _invalid_month(label: str) -> str:
    """2023-05 -> 2023-17: unparseable, and one-to-one so the row's key stays unique."""
    return f"{label[:4]}-{int(label[5:7]) + 12}"


def _invalid_count(value: str, k: int) -> str:
    """Cycle through the kinds of invalid counts: negative, fraction, text."""
    n = int(value)
    return (f"-{max(n, 1)}", f"{n},5", TEXT_COUNTS[(k // 3) % len(TEXT_COUNTS)])[k % 3]


def _distinct_rest(rows: Rows, chosen: np.ndarray, drop: str) -> np.ndarray:
    """Keep rows whose key without ``drop`` is unique among ``chosen``.

    An empty omrade_id must not make two missing_value rows look like a duplicate key.
    """
    rest = [rows.cols[k].codes[chosen].astype(np.int64) for k in rows.key if k != drop]
    combined = np.zeros(len(chosen), np.int64)
    for codes in rest:
        combined = combined * (int(codes.max(initial=0)) + 1) + codes
    _, first = np.unique(combined, return_index=True)
    return chosen[np.sort(first)]


def _set_invalid_count(rows: Rows, picked: np.ndarray, n_known: int) -> np.ndarray:
    count = rows.cols["antal"]
    values = count.values(picked)
    count.relabel(picked, [_invalid_count(v, k) for k, v in enumerate(values)])
    return picked


def _set_invalid_month(rows: Rows, picked: np.ndarray, n_known: int) -> np.ndarray:
    month = rows.cols["manad"]
    month.relabel(picked, [_invalid_month(v) for v in month.values(picked)])
    return picked


def _set_missing_value(rows: Rows, picked: np.ndarray, n_known: int) -> np.ndarray:
    picked = _distinct_rest(rows, picked, "omrade_id")
    rows.cols["omrade_id"].relabel(picked, [""] * len(picked))
    return picked


def _set_unknown_area(rows: Rows, picked: np.ndarray, n_known: int) -> np.ndarray:
    area = rows.cols["omrade_id"]
    area.relabel(picked, [_unknown_area_id(v, n_known) for v in area.values(picked)])
    return picked


def _set_unknown_category(rows: Rows, picked: np.ndarray, n_known: int) -> np.ndarray:
    cat = rows.cols["brottskategori"]
    cat.relabel(picked, [f"{v} (ny kod)" for v in cat.values(picked)])
    return picked


def _set_suppressed(rows: Rows, picked: np.ndarray, n_known: int) -> np.ndarray:
    rows.cols["antal"].relabel(picked, [".."] * len(picked))
    return picked


def _set_whole_decimal(rows: Rows, picked: np.ndarray, n_known: int) -> np.ndarray:
    count = rows.cols["antal"]
    count.relabel(picked, [f"{v},0" for v in count.values(picked)])
    return picked


# Each mutator gets distinct clean rows and returns the rows it actually changed.
MUTATORS: dict[str, Callable[[Rows, np.ndarray, int], np.ndarray]] = {
    "invalid_count": _set_invalid_count,
    "invalid_month": _set_invalid_month,
    "missing_value": _set_missing_value,
    "unknown_area": _set_unknown_area,
    "unknown_category": _set_unknown_category,
    "suppressed": _set_suppressed,
    "whole_decimal": _set_whole_decimal,
}


def _plant_free_text(rows: Rows, n: int, pool_mask: np.ndarray, rng: np.random.Generator) -> int:
    """Relabel ``ovriga`` rows as free text: grouping them back as ovriga gives no new key."""
    kalla = rows.cols["kalla"]
    ovriga = np.flatnonzero(pool_mask & (kalla.codes == kalla.labels.index("ovriga")))
    chosen = np.sort(rng.choice(ovriga, min(n, len(ovriga)), replace=False))
    texts = [FREE_TEXT_SOURCES[i % len(FREE_TEXT_SOURCES)] for i in range(len(chosen))]
    kalla.relabel(chosen, texts)
    pool_mask[chosen] = False
    return len(chosen)


def _apply_plan(rows: Rows, plan: Plan, rng: np.random.Generator, n_known: int) -> Planted:
    """Plant every fault of ``plan`` on distinct clean rows, so each row has one fault only."""
    area = rows.cols["omrade_id"]
    pool_mask = area.codes != (area.labels.index(OKANT) if OKANT in area.labels else -1)
    planted = Planted(quarantined={})
    if plan.free_text:
        planted.free_text = _plant_free_text(rows, plan.free_text, pool_mask, rng)
    groups = [
        *plan.faults.items(),
        ("suppressed", plan.suppressed),
        ("whole_decimal", plan.whole_decimal),
        ("corrections", plan.corrections),
    ]
    pool = np.flatnonzero(pool_mask)
    need = sum(n for _, n in groups)
    if need > len(pool):
        raise ValueError(f"cannot plant {need} rows in a file of {len(pool)} clean rows")
    chosen = rng.choice(pool, need, replace=False)
    bounds = np.cumsum([0] + [n for _, n in groups])
    duplicates = np.empty(0, np.int64)
    for (name, n), lo in zip(groups, bounds, strict=False):
        picked = np.sort(chosen[lo : lo + n])
        if name == "duplicate_key":
            duplicates = picked  # inserted last: insertion shifts row numbers
            planted.quarantined[name] = 2 * n  # both rows of the key go to quarantine
        elif name == "corrections":
            planted.correction = _correction(rows, picked, rng) if n else None
            planted.superseded = n
        elif name in ("suppressed", "whole_decimal"):
            setattr(planted, name, len(MUTATORS[name](rows, picked, n_known)))
        else:
            planted.quarantined[name] = len(MUTATORS[name](rows, picked, n_known))
    _insert_duplicates(rows, duplicates)
    return planted


def _correction(rows: Rows, picked: np.ndarray, rng: np.random.Generator) -> Rows:
    """A re-delivery of ``picked`` keys with changed counts: it supersedes the older rows."""
    fixed = rows.take(picked)
    old = np.array([int(v) for v in rows.cols["antal"].values(picked)])
    new = old + rng.choice([-2, -1, 1, 2, 3], len(old))
    new = np.where(new < 0, old + 1, new)
    fixed.cols["antal"] = _count_column(new)
    return fixed


def _insert_duplicates(rows: Rows, picked: np.ndarray) -> None:
    """Repeat each picked row right after itself, as a double export would."""
    if len(picked):
        for col in rows.cols.values():
            col.codes = np.insert(col.codes, picked + 1, col.codes[picked])


def _scale_plan(
    n_rows: int, share: float, reasons: Sequence[str], rng: np.random.Generator
) -> Plan:
    """Spread ``share`` of the rows evenly (at random) over the quarantine reasons."""
    n_bad = round(share * n_rows)
    split = rng.multinomial(n_bad, np.full(len(reasons), 1 / len(reasons)))
    faults = dict(zip(reasons, split.tolist(), strict=True))
    faults["duplicate_key"] = (faults["duplicate_key"] + 1) // 2  # each pair is two rows
    return Plan(
        faults=faults, suppressed=round(share * n_rows / 2), whole_decimal=round(share * n_rows / 4)
    )


def _sample_plans(cfg: Config) -> tuple[dict[int, Plan], dict[int, Plan]]:
    """The shipped sample's handful of bad rows and quirks, placed in the last full years."""
    ys = cfg.full_years
    crime = {y: Plan() for y in ys}
    crime[ys[-4]] = Plan(faults={"unknown_area": 1}, suppressed=3)
    crime[ys[-3]] = Plan(faults={"invalid_month": 1}, whole_decimal=2)
    crime[ys[-2]] = Plan(faults={"invalid_count": 1}, suppressed=2, corrections=20)
    crime[ys[-1]] = Plan(faults={"unknown_category": 1}, whole_decimal=2)
    referral = {y: Plan() for y in ys}
    referral[ys[-4]] = Plan(faults={"missing_value": 1})
    referral[ys[-3]] = Plan(free_text=2)
    return crime, referral


# --------------------------------------------------------------------------------------
# Writing each source
# --------------------------------------------------------------------------------------


@dataclass
class Manifest:
    files: dict[str, dict[str, object]] = field(default_factory=dict)

    def add(self, out: Path, path: Path, rows: int, planted: Planted | None = None) -> None:
        entry: dict[str, object] = {"rows": rows}
        if planted is not None:
            entry["quarantined"] = {k: v for k, v in planted.quarantined.items() if v}
            for name in ("suppressed", "superseded", "whole_decimal", "free_text"):
                if getattr(planted, name):
                    entry[name] = getattr(planted, name)
        self.files[path.relative_to(out).as_posix()] = entry

    def per_source(self, key: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for name, entry in self.files.items():
            value = entry.get(key, 0)
            if isinstance(value, int) and value:
                source = name.split("/")[0]
                out[source] = out.get(source, 0) + value
        return out

    def quarantined(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name, entry in self.files.items():
            for reason, n in dict(entry.get("quarantined", {})).items():  # type: ignore[arg-type]
                by_reason = out.setdefault(name.split("/")[0], {})
                by_reason[reason] = by_reason.get(reason, 0) + n
        return out


def _write_referens(out: Path, world: World, manifest: Manifest) -> None:
    cats = world.cats
    table = pa.table(
        {
            "brottskategori": [c.name for c in cats],
            "tema": [c.theme for c in cats],
            "signalbrott": ["ja" if c.signal else "nej" for c in cats],
        }
    )
    path = out / "referens" / "brottskategorier.csv"
    manifest.add(out, path, _write_csv(path, table))
    path = out / "referens" / "teman.csv"
    table = pa.table({"tema": list(THEME_NAMES), "beskrivning": [d for _, d in THEMES]})
    manifest.add(out, path, _write_csv(path, table))


def _write_befolkning(out: Path, world: World, manifest: Manifest) -> None:
    cfg = world.cfg
    # The sample's owner switched from Excel to CSV after a few years.
    xlsx_years = set(cfg.full_years[:3]) if cfg.sample else set()
    for year in cfg.full_years:
        rows = _population_rows(world, year)
        if year in xlsx_years:
            path = out / "befolkning" / f"befolkning_{year}.xlsx"
            header = ("Område_ID", "År", "Åldersgrupp", "Kön", "Antal")
            manifest.add(out, path, _write_xlsx(path, header, rows, "Folkmängd 31 dec"))
            continue
        cols = list(zip(*rows, strict=True))
        table = pa.table(
            {
                name: list(col)
                for name, col in zip(
                    ("omrade_id", "ar", "aldersgrupp", "kon", "antal"), cols, strict=True
                )
            }
        )
        path = out / "befolkning" / f"befolkning_{year}.csv"
        manifest.add(out, path, _write_csv(path, table))


def _crime_dialect(cfg: Config, year: int) -> Dialect:
    """The sample mixes the formats real owners use; the benchmark is plain UTF-8 ';'."""
    if cfg.sample and len(cfg.full_years) > 2 and year == cfg.full_years[1]:
        return Dialect(
            encoding="cp1252",
            eol="\r\n",
            compact_month=True,
            header=("Område_ID", "Månad", "Brottskategori", "Antal"),
        )
    if cfg.sample and len(cfg.full_years) > 2 and year == cfg.full_years[2]:
        return Dialect(
            delimiter=",",
            encoding="utf-8-sig",
            header=("area_id", "month", "crime_category", "count"),
        )
    return Dialect()


def _write_rows(path: Path, rows: Rows, dialect: Dialect) -> int:
    if dialect.compact_month:
        month = rows.cols["manad"]
        month.labels = [m.replace("-", "") for m in month.labels]
    return _write_csv(path, rows.to_table(), dialect)


def _write_counts(
    out: Path, world: World, manifest: Manifest, source: str, plans: dict[int, Plan] | None
) -> None:
    """One file per year for brott or orosanmalningar, with planted faults and corrections."""
    cfg = world.cfg
    make = _crime_rows if source == "brott" else _referral_rows
    reasons = CRIME_REASONS if source == "brott" else REFERRAL_REASONS
    correction_year = cfg.full_years[-2] if len(cfg.full_years) > 1 else cfg.full_years[0]
    for year in cfg.years:
        rows = make(world, year)
        rng = _rng(cfg.seed, f"{source}/{year}/faults")
        if plans is not None:
            plan = plans.get(year, Plan())
        elif cfg.bad_share > 0:
            plan = _scale_plan(len(rows), cfg.bad_share, reasons, rng)
            if source == "brott" and year == correction_year:
                plan.corrections = max(20, round(cfg.bad_share * len(rows)))
            if source == "orosanmalningar":
                plan.free_text = round(cfg.bad_share * len(rows) / 4)
        else:
            plan = Plan()
        planted = _apply_plan(rows, plan, rng, len(world.areas))
        path = out / source / f"{source}_{year}.csv"
        manifest.add(
            out,
            path,
            _write_rows(path, rows, _crime_dialect(cfg, year) if source == "brott" else Dialect()),
            planted,
        )
        if planted.correction is not None:
            # '_' sorts after '.', so brott_2024_rattelse.csv wins over brott_2024.csv.
            path = out / source / f"{source}_{year}_rattelse.csv"
            manifest.add(out, path, _write_rows(path, planted.correction, Dialect()))


def _publish_flags(texts: Sequence[str], rng: np.random.Generator) -> list[str]:
    """publiceras per row: nej for a sensitive observation, a few left empty, else ja."""
    unreviewed = rng.random(len(texts)) < UNREVIEWED_SHARE  # drawn for every row: stable
    flags = []
    for text, empty in zip(texts, unreviewed, strict=True):
        if any(sentence in text for sentence in SENSITIVE_OBSERVATIONS):
            flags.append("nej")
        else:
            flags.append("" if empty else "ja")
    return flags


def _write_omradesteam(out: Path, world: World, manifest: Manifest) -> None:
    names = ("omrade_id", "period", "tema", "bedomning", "antal_aktiviteter", "observationer")
    # Its own stream, so the assessments and texts are those of earlier samples.
    rng = _rng(world.cfg.seed, "publiceras")
    for year, rows in _team_rows(world).items():
        if not rows:
            continue
        cols = list(zip(*rows, strict=True))
        table = pa.table({n: list(c) for n, c in zip(names, cols, strict=True)})
        table = table.append_column("publiceras", pa.array(_publish_flags(cols[-1], rng)))
        path = out / "omradesteam" / f"omradesteam_{year}.csv"
        manifest.add(out, path, _write_csv(path, table))


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------


def _parse_month(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"end month must be YYYY-MM, got {value!r}")
    return int(match.group(1)), int(match.group(2))


def _prepare_out(out: Path, force: bool) -> None:
    """Refuse a non-empty folder; with force, clear only the source folders this tool writes."""
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty (use --force to overwrite)")
        for name in SOURCE_DIRS:
            if (out / name).is_dir():
                shutil.rmtree(out / name)
    out.mkdir(parents=True, exist_ok=True)


def generate(
    out_dir: Path,
    *,
    seed: int = 2026,
    n_areas: int = 18,
    n_years: int = 7,
    n_categories: int = 24,
    end_month: str = "2026-09",
    bad_share: float = 0.0,
    sample: bool = False,
    force: bool = False,
) -> dict[str, object]:
    """Write a raw folder and return its manifest (files, row counts, planted faults)."""
    end_year, end_mon = _parse_month(end_month)
    if sample and (n_areas != len(SAMPLE_AREAS) or bad_share or n_years < 4 or n_categories < 24):
        raise ValueError("--sample has 18 areas, >= 4 years, >= 24 categories and no bad-share")
    if n_areas < 1 or n_years < 1 or n_categories < 1 or not 0 <= bad_share < 0.2:
        raise ValueError("sizes must be >= 1 and bad-share in [0, 0.2)")
    cfg = Config(seed, n_areas, n_years, n_categories, end_year, end_mon, bad_share, sample)
    out = Path(out_dir)
    _prepare_out(out, force)
    world = _build_world(cfg)
    manifest = Manifest()
    geo_name = "alvstad_omraden.geojson" if sample else "deso_omraden.geojson"
    manifest.add(
        out, out / "omraden" / geo_name, _write_geojson(out / "omraden" / geo_name, world.areas)
    )
    _write_referens(out, world, manifest)
    _write_befolkning(out, world, manifest)
    crime_plans, referral_plans = _sample_plans(cfg) if sample else (None, None)
    _write_counts(out, world, manifest, "brott", crime_plans)
    _write_counts(out, world, manifest, "orosanmalningar", referral_plans)
    _write_omradesteam(out, world, manifest)
    if sample:
        _write_trygghet(out, world, manifest)
    return _summary(cfg, world, manifest)


#: Survey questions of the sample and their municipal level (percent) for women and men.
SURVEY_LEVELS = {"otrygg_kvall": (32.0, 17.0), "oro_misshandel": (22.0, 14.0)}


def _write_trygghet(out: Path, world: World, manifest: Manifest) -> None:
    """A safety survey every second year (odd years): shares per area, question and sex.

    Insecurity follows the area's crime level, except in three areas where it does not (two
    high-crime areas that feel safe, one quiet area that feels unsafe), women report more than
    men, and one area has fewer than 30 respondents in the latest survey. Each question and sex
    has a row for the whole municipality (`kommun`). Its own stream, so
    every other file of the sample stays byte-identical.
    """
    rng = _rng(world.cfg.seed, "trygghet")
    # The survey's own estimate for the whole municipality also counts respondents who did not
    # name an area (so it is not the plain sum of the areas): a stream of its own, so that the
    # areas' rows stay as they were.
    rng_kommun = _rng(world.cfg.seed, "trygghet-kommun")
    areas = world.areas
    n = len(areas.ids)
    level = np.log(areas.rate / np.exp(np.log(areas.rate).mean()))
    order = np.argsort(-areas.rate, kind="stable")
    level[order[:2]] *= -1.0  # high crime, feels safe
    level[order[-1]] = abs(level[order[0]])  # quiet, feels unsafe
    small = int(order[n // 2])
    years = [y for y in world.cfg.full_years if y % 2 == 1]
    for year in years:
        rows: dict[str, list] = {k: [] for k in ("omrade_id", "ar", "fraga", "kon")}
        rows |= {"antal_svarande": [], "andel": []}
        respondents = rng.integers(150, 601, n)
        if year == years[-1]:
            respondents[small] = 24
        for question, (women, men) in SURVEY_LEVELS.items():
            whole = {"kvinnor": [0, 0], "man": [0, 0]}
            for a in range(n):
                n_w = int(respondents[a] * rng.uniform(0.48, 0.56))
                counts = {}
                for sex, base, m in (("kvinnor", women, n_w), ("man", men, respondents[a] - n_w)):
                    logit = np.log(base / (100 - base)) + 0.8 * level[a]
                    counts[sex] = (int(rng.binomial(m, 1 / (1 + np.exp(-logit)))), int(m))
                    whole[sex][0] += counts[sex][0]
                    whole[sex][1] += counts[sex][1]
                counts["totalt"] = (
                    counts["kvinnor"][0] + counts["man"][0],
                    int(respondents[a]),
                )
                for sex, (x, m) in counts.items():
                    rows["omrade_id"].append(areas.ids[a])
                    rows["ar"].append(year)
                    rows["fraga"].append(question)
                    rows["kon"].append(sex)
                    rows["antal_svarande"].append(m)
                    rows["andel"].append(f"{100 * x / m:.1f}".replace(".", ","))
            for sex, base in (("kvinnor", women), ("man", men)):
                extra = int(rng_kommun.integers(100, 201))
                whole[sex][0] += int(rng_kommun.binomial(extra, base / 100))
                whole[sex][1] += extra
            whole["totalt"] = [whole["kvinnor"][0] + whole["man"][0], 0]
            whole["totalt"][1] = whole["kvinnor"][1] + whole["man"][1]
            for sex in ("kvinnor", "man", "totalt"):
                x, m = whole[sex]
                rows["omrade_id"].append("kommun")
                rows["ar"].append(year)
                rows["fraga"].append(question)
                rows["kon"].append(sex)
                rows["antal_svarande"].append(m)
                rows["andel"].append(f"{100 * x / m:.1f}".replace(".", ","))
        path = out / "trygghet" / f"trygghetsmatning-{year}.csv"
        manifest.add(out, path, _write_csv(path, pa.table(rows)))


def _summary(cfg: Config, world: World, manifest: Manifest) -> dict[str, object]:
    quarantined = manifest.quarantined()
    totals: dict[str, int] = {}
    for by_reason in quarantined.values():
        for reason, n in by_reason.items():
            totals[reason] = totals.get(reason, 0) + n
    return {
        "params": {
            "seed": cfg.seed,
            "n_areas": cfg.n_areas,
            "n_years": cfg.n_years,
            "n_categories": cfg.n_categories,
            "end_month": f"{cfg.end_year}-{cfg.end_month:02d}",
            "bad_share": cfg.bad_share,
            "sample": cfg.sample,
        },
        "first_month": f"{cfg.first_year}-01",
        "last_month": f"{cfg.end_year}-{cfg.end_month:02d}",
        "full_years": cfg.full_years,
        "files": manifest.files,
        "rows": manifest.per_source("rows"),
        "quarantine_planted": quarantined,
        "quarantine_planted_total": dict(sorted(totals.items())),
        "suppressed_at_source": manifest.per_source("suppressed"),
        "superseded": manifest.per_source("superseded"),
        "whole_decimal_counts": manifest.per_source("whole_decimal"),
        "free_text_sources": manifest.per_source("free_text"),
        "areas_with_team": [a for a, t in zip(world.areas.ids, world.areas.team, strict=True) if t],
        "invalid_polygons": world.areas.invalid,
        "planted_trends": world.trends,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.generate_raw",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="raw folder to write")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--areas", type=int, default=18)
    parser.add_argument("--years", type=int, default=7, help="full calendar years")
    parser.add_argument("--categories", type=int, default=24)
    parser.add_argument("--end-month", default="2026-09", help="last month with data, YYYY-MM")
    parser.add_argument(
        "--bad-share",
        type=float,
        default=0.0,
        help="share of crime and referral rows to plant as bad rows",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="the shipped sample: Älvstad with every real-world quirk",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty folder (replaces the source folders)",
    )
    parser.add_argument("--manifest", type=Path, help="also write the full manifest as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        manifest = generate(
            args.out,
            seed=args.seed,
            n_areas=args.areas,
            n_years=args.years,
            n_categories=args.categories,
            end_month=args.end_month,
            bad_share=args.bad_share,
            sample=args.sample,
            force=args.force,
        )
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    if args.manifest:
        args.manifest.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    brief = {
        k: manifest[k]
        for k in ("rows", "quarantine_planted_total", "suppressed_at_source", "superseded")
    }
    print(json.dumps(brief, ensure_ascii=False))
    print(
        f"wrote {len(manifest['files'])} files to {args.out} "  # type: ignore[arg-type]
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
