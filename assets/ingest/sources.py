"""What each raw source looks like: its columns, their English aliases, its key.

This is data-contract.md §2 in code. Column names here are the contract's Swedish names
after header folding; the staging tables use English names (see the validate_*.sql files).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """A raw column: its folded Swedish name, the aliases accepted for it, and if required."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def accepted_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class SourceSpec:
    """A raw source folder and how its rows become a staging table."""

    folder: str
    table: str
    columns: tuple[Column, ...]
    #: Staging columns that identify a row; the same key twice is a duplicate or superseded.
    key: tuple[str, ...]
    #: Groups of columns of which at least one must be present (brott: manad or ar).
    one_of: tuple[tuple[str, ...], ...] = ()
    required: bool = False
    extensions: tuple[str, ...] = (".csv", ".xlsx")
    description: str = ""
    #: Columns whose counts can be `..` (suppressed at source), for the load log.
    count_column: str | None = None
    raw_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw_names", tuple(c.name for c in self.columns))

    @property
    def validate_sql(self) -> str:
        return f"validate_{self.table}.sql"


AREA = SourceSpec(
    folder="omraden",
    table="area",
    columns=(
        Column("omrade_id", ("area_id",)),
        Column("omrade_namn", ("area_name",)),
        Column("kommun", ("municipality",), required=False),
        Column("omradesteam", ("area_team",), required=False),
    ),
    key=("area_id",),
    required=True,
    extensions=(".csv", ".xlsx", ".geojson", ".json", ".gpkg"),
    description="The areas (områden) the lägesbild reports on.",
)

POPULATION = SourceSpec(
    folder="befolkning",
    table="population",
    columns=(
        Column("omrade_id", ("area_id",)),
        Column("ar", ("year",)),
        Column("aldersgrupp", ("age_group",)),
        Column("kon", ("sex",)),
        Column("antal", ("population", "count")),
    ),
    key=("area_id", "year", "age_group", "sex"),
    description="Population by area, year, age band and sex (for rates).",
    count_column="antal",
)

CRIME = SourceSpec(
    folder="brott",
    table="crime",
    columns=(
        Column("omrade_id", ("area_id",)),
        Column("manad", ("month",), required=False),
        Column("ar", ("year",), required=False),
        Column("brottskategori", ("crime_category",)),
        Column("antal", ("count",)),
    ),
    # month is NULL in a yearly delivery, so one key covers monthly and yearly rows.
    key=("area_id", "year", "month", "crime_category"),
    one_of=(("manad", "ar"),),
    required=True,
    description="Reported crimes: anonymised counts per area, month or year, and category.",
    count_column="antal",
)

REFERRAL = SourceSpec(
    folder="orosanmalningar",
    table="referral",
    columns=(
        Column("omrade_id", ("area_id",)),
        Column("manad", ("month",)),
        Column("typ", ("type",), required=False),
        Column("kalla", ("source",)),
        Column("aldersgrupp", ("age_group",)),
        Column("kon", ("sex",)),
        Column("antal", ("count",)),
    ),
    # source_text, not source: two free-text reporters both grouped as 'ovriga' are two rows.
    key=("area_id", "month", "type", "source_text", "age_group", "sex"),
    description="Referrals about children and young people: orosanmälningar and SIG.",
    count_column="antal",
)

AREA_TEAM = SourceSpec(
    folder="omradesteam",
    table="area_team",
    columns=(
        Column("omrade_id", ("area_id",)),
        Column("period", ()),
        Column("tema", ("theme",)),
        Column("bedomning", ("assessment",)),
        Column("antal_aktiviteter", ("activities",), required=False),
        Column("observationer", ("observations",), required=False),
        Column("publiceras", ("publish",), required=False),
    ),
    key=("area_id", "period", "theme"),
    description="Area-team (områdesteam) reports: concern 1–5 per theme and period.",
)

CRIME_CATEGORIES = SourceSpec(
    folder="referens",
    table="crime_category",
    columns=(
        Column("brottskategori", ("crime_category", "category")),
        Column("tema", ("theme",)),
        Column("signalbrott", ("signal_crime",), required=False),
    ),
    key=("category_key",),
    description="Reference list: crime category → theme, and whether it is a signal crime.",
)

THEMES = SourceSpec(
    folder="referens",
    table="theme",
    columns=(
        Column("tema", ("theme",)),
        Column("beskrivning", ("description",), required=False),
        Column("prioriteras", ("prioritised",), required=False),
    ),
    key=("theme_key",),
    description="Reference list: the lägesbild's themes.",
)

SURVEY_QUESTIONS = SourceSpec(
    folder="referens",
    table="survey_question",
    columns=(
        Column("fraga", ("question",)),
        Column("text", ()),
        Column("hog_andel_ar", ("high_share_is",)),
    ),
    key=("question",),
    description="Reference list: survey questions, their text, and whether a high share is worse.",
)

SURVEY = SourceSpec(
    folder="trygghet",
    table="survey",
    columns=(
        Column("omrade_id", ("area_id",)),
        Column("ar", ("year",)),
        Column("fraga", ("question",)),
        Column("kon", ("sex",), required=False),
        Column("antal_svarande", ("respondents",)),
        Column("andel", ("share",)),
        Column("ki_lag", ("ci_low",), required=False),
        Column("ki_hog", ("ci_high",), required=False),
    ),
    key=("area_id", "year", "question", "sex"),
    description="Survey results on perceived safety: share per area, year, question and sex.",
    count_column="antal_svarande",
)

#: The tabular sources loaded with the generic row pipeline, in load order.
ROW_SOURCES: tuple[SourceSpec, ...] = (POPULATION, CRIME, REFERRAL, AREA_TEAM, SURVEY)
#: Every source folder the contract defines.
SOURCE_FOLDERS: tuple[str, ...] = (
    "omraden",
    "befolkning",
    "brott",
    "orosanmalningar",
    "omradesteam",
    "referens",
    "trygghet",
)

#: Reporter categories of orosanmalningar.kalla, folded. Anything else is grouped as 'ovriga'.
REFERRAL_SOURCES: tuple[str, ...] = (
    "polis",
    "skola",
    "forskola",
    "halso- och sjukvard",
    "socialtjanst",
    "anhorig",
    "ovriga",
)
