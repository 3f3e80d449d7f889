"""The published files and their Table Schemas: one source for the data package (downloads/datapackage.json),
the data dictionary page and the downloads section of data/README.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from crimesite import incidents
from crimesite.reference import Category

MISSING_VALUE = ""  # the one missing-value code in every published file: an empty field
DICTIONARY_START = "<!-- generated from crimesite/schema.py by `make dictionary`: edit the schema, not this -->"
DICTIONARY_END = "<!-- end of generated dictionary -->"
# The incident table is published twice: one gzip CSV per counting year (`year`), so a reader who wants a year
# downloads a year, and the whole table in one Parquet file; the incident schema is written once, beside them.
# All in one folder with the other files: downloaded by clicking, they land in one folder, where
# datapackage.json, SHA256SUMS and the downloads page's command to join the years work as they are.
YEARLY_INCIDENTS = "incidents-{year}.csv.gz"
INCIDENT_PARQUET = "incidents.parquet"
INCIDENT_SCHEMA = "incidents.schema.json"
INCIDENT_FILES = (YEARLY_INCIDENTS.format(year="YYYY"), INCIDENT_PARQUET)
LOCATION_WITHHELD = "withheld"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: integer, number, string, boolean, date, datetime, yearmonth
    description: str
    example: str
    constraints: dict = field(default_factory=dict)  # Table Schema constraints: enum, minimum, maximum, required
    unknown: str = "never empty"  # how an unknown value is written
    unit: str = ""

    def allowed(self) -> str:
        """The constraints in words, for the dictionary."""
        parts = []
        if "enum" in self.constraints:
            parts.append(", ".join(f"`{value}`" for value in self.constraints["enum"]))
        if "minimum" in self.constraints and "maximum" in self.constraints:
            parts.append(f"{self.constraints['minimum']} to {self.constraints['maximum']}")
        elif "minimum" in self.constraints:
            parts.append(f"{self.constraints['minimum']} or more")
        return "; ".join(parts)

    def descriptor(self) -> dict:
        described = {"name": self.name, "type": self.type, "description": self.description, "example": self.example}
        if self.unit:
            described["unit"] = self.unit
        constraints = dict(self.constraints)
        if self.unknown == Field.unknown:
            constraints["required"] = True
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class Resource:
    name: str  # the data package's resource name (also the file's stem)
    title: str
    row: str  # what one row is
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    notes: str
    file_names: tuple[str, ...] = ()  # the published files as the dictionary names them; () for `<name>.csv`
    sources: tuple[tuple[str, str], ...] = ()  # (title, web address) of a file published as another source gave it

    @property
    def files(self) -> tuple[str, ...]:
        return self.file_names or (f"{self.name}.csv",)

    def table_schema(self) -> dict:
        schema = {"fields": [f.descriptor() for f in self.fields], "missingValues": [MISSING_VALUE]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        return schema


TYPES = {
    "category": "string",
    "string": "string",
    "int8": "integer",
    "int16": "integer",
    "int32": "integer",
    "Int8": "integer",
    "Int16": "integer",
    "float64": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "datetime64[s]": "datetime",
}

# The published incident table differs from the canonical one only where privacy asks for it.
INCIDENT_OVERRIDES = {  # column -> (description, when empty, example)
    "occurred_at": (
        "Date and time the crime occurred, local time (legacy `DateOccur`: the 'occurred from' time)",
        "empty when missing, unparseable or a placeholder; see `occurred_status`",
        "2019-11-30T22:15:00",
    ),
    "block": (
        "The block, not the address: the street number rounded down to the hundred, and the street name, both "
        "parsed from the file (`unknown block` when the street field reads as no street)",
        "empty when the file has no street, and for every row of an incident that holds a sexual offense "
        "(location withheld)",
        "3700 block S BROADWAY",
    ),
    "latitude": (
        "WGS84 latitude of the block: the average position of the located crimes on the same block (rows of "
        "an incident with a sexual offense left out), rounded to 3 decimals (about 110 m), never the address; "
        "the map shows the same position",
        "empty unless `location_status` is `ok` and the block is known",
        "38.605",
    ),
    "longitude": ("WGS84 longitude of the block, as `latitude`", "empty unless `location_status` is `ok`", "-90.219"),
}


# Constraints of the incident columns that do not depend on the site's categories.
INCIDENT_CONSTRAINTS: dict[str, dict] = {
    "era": {"enum": list(incidents.ERAS)},
    "occurred_status": {"enum": list(incidents.OCCURRED_STATUSES)},
    "location_status": {"enum": [*incidents.LOCATION_STATUSES, LOCATION_WITHHELD]},
    "count": {"enum": [1, -1]},
    "month": {"minimum": 1, "maximum": 12},
    "part": {"enum": [1, 2]},
    **{name: {"minimum": 1} for name in ("district", "neighborhood", "ucr_class", "source_line")},
}
WITHHELD_NOTE = (
    f"; `{LOCATION_WITHHELD}` for every row of an incident that holds a sexual offense, published without a location"
)


def incident_field(column: incidents.Column, categories: tuple[Category, ...], source: str | None) -> Field:
    """One published incident column; `source` names the raw column it comes from (the reader's name)."""
    description, unknown, example = INCIDENT_OVERRIDES.get(
        column.name, (column.description, column.unknown, column.example)
    )
    if column.name == "category":
        constraints = {"enum": [c.slug for c in categories]}
    else:
        constraints = INCIDENT_CONSTRAINTS.get(column.name, {})
    if column.name == "location_status":
        description += WITHHELD_NOTE
    if source is not None:
        description += f". From {source}"
    unknown = "never empty" if unknown == "never unknown" else unknown
    unit = "degrees" if column.name in ("latitude", "longitude") else ""
    return Field(column.name, TYPES[column.dtype], description, example, dict(constraints), unknown, unit)


def incident_fields(categories: tuple[Category, ...], sources: dict[str, str]) -> tuple[Field, ...]:
    """The published incident columns; `sources` says which raw column each comes from (the reader's names)."""
    return tuple(
        incident_field(column, categories, sources.get(column.name))
        for column in incidents.COLUMNS
        if column.name not in incidents.UNPUBLISHED
    )


# The fields several tables share, by family. Time:
YEAR = Field("year", "integer", "Year the crimes are counted in (the coded month)", "2019", {"minimum": 1900})
MONTH = Field("month", "yearmonth", "Month the crimes are counted in", "2019-07")
RATE_YEAR = Field("year", "integer", "The year of the counts: the latest whole year in the data", "2019")
# What is counted:
ERA = Field(
    "era",
    "string",
    "Reporting system: `ucr` (legacy UCR files) or `nibrs` (NIBRS files); counts on either side of the methods "
    "break are made differently",
    "ucr",
    {"enum": list(incidents.ERAS)},
)
PART = Field("part", "integer", "UCR Part of the category: 1 (the eight index crimes) or 2", "1", {"enum": [1, 2]})
COUNT_DESCRIPTION = "Sum of `count` (+1/-1) for the crimes counted there"
COUNT = Field("count", "integer", COUNT_DESCRIPTION, "132", unit="crimes")
SERIES_COUNT = Field(
    "count",
    "integer",
    COUNT_DESCRIPTION,
    "132",
    unknown="empty where the files do not count the category at all (Part II from the NIBRS files): missing, not zero",
    unit="crimes",
)
# Where:
NEIGHBORHOOD = Field(
    "neighborhood",
    "integer",
    "Neighborhood number; `0` holds the crimes whose location the police could not place",
    "35",
    {"minimum": 0},
)
NEIGHBORHOOD_NAME = Field(
    "neighborhood_name",
    "string",
    "Name from the neighborhood table (`Neighborhood N` without one; `Unknown location` for `0`)",
    "Downtown",
)
DISTRICT = Field("district", "integer", "Police district; `0` for an unknown location", "4", {"minimum": 0})
# Rates:
POPULATION = Field(
    "population",
    "integer",
    "Residents (census year in `site.yml`); empty for parks, non-residential areas and places below the minimum "
    "population",
    "7410",
    {"minimum": 0},
    "empty: no rate is given",
    "residents",
)
RATE = Field(
    "rate_per_1000",
    "number",
    "`count` per 1,000 residents, rounded to 0.1",
    "36.2",
    {"minimum": 0},
    "empty when there is no population",
    "crimes per 1,000 residents",
)
RANK = Field(
    "rank", "integer", "Rank by rate in the category, 1 = highest", "3", {"minimum": 1}, "empty when there is no rate"
)
VERDICTS = ["matches", "close", "differs", "not checkable"]


def any_category(categories: tuple[Category, ...]) -> Field:
    slugs = [c.slug for c in categories]
    return Field("category", "string", "Category slug (`data/reference/ucr_classes.csv`)", "robbery", {"enum": slugs})


def part1_slugs(categories: tuple[Category, ...]) -> list[str]:
    return [c.slug for c in categories if c.part == 1]


def part1_category(categories: tuple[Category, ...]) -> Field:
    return Field("category", "string", "Part I category slug", "burglary", {"enum": part1_slugs(categories)})


def rate_category(categories: tuple[Category, ...]) -> Field:
    enum = [*part1_slugs(categories), "part1"]
    return Field("category", "string", "Part I category slug, or `part1` for all of them", "part1", {"enum": enum})


def yearly_incident_file(year: int) -> str:
    """The published gzip CSV of one counting year, under downloads/."""
    return YEARLY_INCIDENTS.format(year=f"{year:04d}")


def resources(categories: tuple[Category, ...], sources: dict[str, str] | None = None) -> tuple[Resource, ...]:
    """Every published table, in the order the downloads page lists them. `sources`: where the raw files give
    each incident column (sources.source_columns)."""
    return (
        incidents_resource(categories, sources or {}),
        annual_counts_resource(categories),
        monthly_counts_resource(categories),
        rolling_counts_resource(categories),
        shootings_resource(),
        revisions_resource(categories),
        neighborhood_annual_resource(categories),
        district_annual_resource(categories),
        neighborhood_rates_resource(categories),
        district_rates_resource(categories),
        weekly_counts_resource(categories),
        claims_resource(categories),
    )


def incidents_resource(categories: tuple[Category, ...], sources: dict[str, str]) -> Resource:
    return Resource(
        "incidents",
        "Incidents (cleaned)",
        "raw row (legacy files) or counted crime (NIBRS files)",
        incident_fields(categories, sources),
        ("source_file", "source_line"),
        "Every crime the build read, in the canonical form every page is computed from, including rows the "
        "series leave out (see the methodology page). Published as one gzip-compressed CSV per counting year "
        "(`year`) and as one Parquet file of every year, with the same rows in the same order (by `year` and "
        "`month`, then as the raw files list them). Privacy: no address, coordinates only for the block, and no "
        "location at all for any row of an incident that holds a sexual offense.",
        INCIDENT_FILES,
    )


def annual_counts_resource(categories: tuple[Category, ...]) -> Resource:
    return Resource(
        "annual_counts",
        "Crimes per year",
        "year and category",
        (YEAR, any_category(categories), SERIES_COUNT, ERA, PART),
        ("year", "category"),
        "Every category for every year in the data, zeros included. A year with fewer than 12 months of files "
        "is partial (its page says so). Part II is not counted from the NIBRS files: its count is empty there.",
    )


def monthly_counts_resource(categories: tuple[Category, ...]) -> Resource:
    return Resource(
        "monthly_counts",
        "Crimes per month",
        "month and category",
        (MONTH, any_category(categories), SERIES_COUNT, ERA, PART),
        ("month", "category"),
        "Months with no raw file are left out, never written as 0; Part II is not counted from the NIBRS "
        "files: its count is empty there.",
    )


def rolling_counts_resource(categories: tuple[Category, ...]) -> Resource:
    count = Field(
        "count_12_months",
        "integer",
        "Sum of `count` over the 12 months ending with `month`",
        "1874",
        {},
        "empty where the 12 months are not all in the data or straddle the methods break",
        "crimes",
    )
    return Resource(
        "rolling_12_month_counts",
        "Crimes in the last 12 months, month by month",
        "month and Part I category",
        (MONTH, part1_category(categories), count, ERA),
        ("month", "category"),
        "The trend lines on the crime pages.",
    )


def shootings_resource() -> Resource:
    legacy_empty = "empty for legacy months"
    return Resource(
        "shootings_monthly",
        "Shootings per month",
        "month",
        (
            MONTH,
            Field("assaults", "integer", "Aggravated assaults with a firearm", "120", {}, unit="crimes"),
            Field(
                "homicides",
                "integer",
                "Homicides with a firearm",
                "15",
                {},
                f"{legacy_empty} (the weapon is not recorded)",
                "crimes",
            ),
            Field("shootings", "integer", "`assaults` + `homicides`", "135", {}, legacy_empty, "crimes"),
            ERA,
        ),
        ("month",),
        "Legacy files name the weapon for assaults only, so homicides and shootings start with the NIBRS files.",
    )


def revisions_resource(categories: tuple[Category, ...]) -> Resource:
    release = Field(
        "release",
        "string",
        "The release, by the months it stands for: `2024-01` for one month, `2021-2023` for whole years, "
        "`2021-03_2021-05` for a span of months; a second release for the same months is `2024-04 (2)`. Rows "
        "come in release order: by the last month a release stands for, then by file name",
        "2024-02",
    )
    month = Field("month", "yearmonth", "Month the crimes are counted in (NIBRS: the month they happened)", "2024-01")
    count = Field(
        "count",
        "integer",
        "Sum of `count` for the crimes counted in the month once this release was in: what a build from this "
        "release and the ones before it counts",
        "664",
        {"minimum": 0},
        unit="crimes",
    )
    return Resource(
        "revisions",
        "Monthly counts as of each release",
        "release, month and Part I category",
        (release, month, part1_category(categories), count),
        ("release", "month", "category"),
        "Every month a release's files (or an earlier file) stand for, from the methods break on, as of each "
        "release, zeros included; as of the latest release they are `monthly_counts`. Only releases that "
        "re-send changed incidents (NIBRS) revise a month; legacy months never change after their own file. "
        "Not published when the data has no such releases.",
    )


def neighborhood_annual_resource(categories: tuple[Category, ...]) -> Resource:
    return Resource(
        "neighborhood_annual_counts",
        "Part I crimes per neighborhood and year",
        "year, neighborhood and Part I category",
        (YEAR, NEIGHBORHOOD, NEIGHBORHOOD_NAME, part1_category(categories), COUNT),
        ("year", "neighborhood", "category"),
        "Every neighborhood and category for every year, zeros included; per year and category the rows add "
        "up to `annual_counts`.",
    )


def district_annual_resource(categories: tuple[Category, ...]) -> Resource:
    return Resource(
        "district_annual_counts",
        "Part I crimes per police district and year",
        "year, district and Part I category",
        (YEAR, DISTRICT, part1_category(categories), COUNT),
        ("year", "district", "category"),
        "Only months on the current district map (`districts_since` in `site.yml`); per year and category the "
        "rows add up to `annual_counts` for those months.",
    )


def neighborhood_rates_resource(categories: tuple[Category, ...]) -> Resource:
    return Resource(
        "neighborhood_rates",
        "Part I crimes per 1,000 residents, by neighborhood",
        "neighborhood and Part I category (or all of Part I)",
        (RATE_YEAR, NEIGHBORHOOD, NEIGHBORHOOD_NAME, rate_category(categories), COUNT, POPULATION, RATE, RANK),
        ("neighborhood", "category"),
        "Rates count where crimes happen, not where the victims or offenders live.",
    )


def district_rates_resource(categories: tuple[Category, ...]) -> Resource:
    return Resource(
        "district_rates",
        "Part I crimes per 1,000 residents, by police district",
        "district and Part I category (or all of Part I)",
        (RATE_YEAR, DISTRICT, rate_category(categories), COUNT, POPULATION, RATE, RANK),
        ("district", "category"),
        "A district's population adds up the neighborhoods it mostly covers, so it is approximate.",
    )


def weekly_counts_resource(categories: tuple[Category, ...]) -> Resource:
    district = Field(
        "district", "string", "Police district, `all` for the whole city, `0` for an unknown location", "4"
    )
    count = Field("count", "integer", "Sum of `count` for crimes that occurred that week", "199", unit="crimes")
    return Resource(
        "weekly_counts",
        "Part I crimes per week",
        "week, district (or the whole city) and Part I category",
        (
            Field("week_start", "date", "The Monday that starts the week", "2019-12-23"),
            district,
            part1_category(categories),
            count,
        ),
        ("week_start", "district", "category"),
        "The latest 52 complete Monday-to-Sunday weeks, by date of occurrence (not the month counted in), so "
        "they do not add up to the monthly counts; crimes without a usable date are left out.",
    )


def claims_resource(categories: tuple[Category, ...]) -> Resource:
    return Resource(
        "claims_checked",
        "Official claims checked against the data",
        "claim",
        claim_fields(categories) + other_source_claim_fields(),
        ("claim_id",),
        "The table on the Claims page.",
    )


def claim_fields(categories: tuple[Category, ...]) -> tuple[Field, ...]:
    """The claim and how the site's own data answers it."""
    measures = ["count", "percent_change", "firearm_share"]
    claimable = [c.slug for c in categories] + ["part1"]
    return (
        Field("claim_id", "string", "Identifier from `data/claims.csv`", "homicides-2024"),
        Field("statement", "string", "The claim in words", "150 homicides in 2024"),
        Field("measure", "string", "What is claimed", "count", {"enum": measures}),
        Field("category", "string", "Category slug, or `part1`", "homicide", {"enum": claimable}),
        Field("year", "integer", "The year claimed about", "2024"),
        Field("figure_claimed", "number", "The figure claimed: a count or a percentage", "150"),
        Field(
            "figure_in_data",
            "number",
            "The same figure computed from the data",
            "150",
            {},
            "empty when the data cannot say (see `reason`)",
        ),
        Field("verdict", "string", "How the two compare", "matches", {"enum": list(VERDICTS)}),
        Field("reason", "string", "Why, in words", "the data gives 150"),
    )


def other_source_claim_fields() -> tuple[Field, ...]:
    """How the other source (site.yml `other_sources:`) answers the claim, beside the data's answer."""
    return (
        Field(
            "figure_other_source",
            "number",
            "The same figure from the other source (`other_sources` in `site.yml`), never mixed into `figure_in_data`",
            "150",
            {},
            "empty when the other source cannot say, or the site has none",
        ),
        Field(
            "verdict_other_source",
            "string",
            "How the claim compares with the other source",
            "matches",
            {"enum": list(VERDICTS)},
            "empty when the site has none",
        ),
        Field(
            "reason_other_source",
            "string",
            "Why, in words",
            "the State UCR (RTCI) figure is 150",
            {},
            "empty when the site has no other source",
        ),
    )


def other_figures_resource(name: str, categories: tuple[Category, ...], title: str, url: str) -> Resource:
    """Another source's yearly figures (site.yml `other_sources:`), published as the file was read: the format
    crimesite/other_sources.py reads. `name` is the file's stem."""
    return Resource(
        name,
        f"Yearly figures from another source: {title}",
        "year, measure and copy",
        other_figure_fields(categories),
        ("year", "measure", "as_of"),
        f"A second source, published byte for byte as read ({url}), shown beside this site's counts and never added "
        "to them: a column and a chart layer on each crime page, a second verdict on the Claims page, and a goal's "
        "baseline when the raw files lack the year.",
        sources=((title, url),),
    )


def other_figure_fields(categories: tuple[Category, ...]) -> tuple[Field, ...]:
    measures = [*part1_slugs(categories), "violent", "property"]
    return (
        Field("source", "string", "Who compiled the figure (`rtci`: the Real-Time Crime Index)", "rtci"),
        Field("year", "integer", "The year the figure is for", "2024", {"minimum": 1900}),
        Field(
            "measure",
            "string",
            "A Part I category slug, or the state's `violent` or `property` total (these two add up to its Part I "
            "total, without arson)",
            "homicide",
            {"enum": measures},
        ),
        Field("value", "integer", "The figure as the source gives it", "150", {"minimum": 0}, unit="crimes"),
        Field(
            "months",
            "integer",
            "Months of the year the figure covers; only 12 is used as a yearly figure",
            "12",
            {"minimum": 1, "maximum": 12},
        ),
        Field(
            "as_of",
            "date",
            "Date of the copy the figure was read from; where a year has two, the pages use the newer",
            "2025-02-18",
        ),
        Field(
            "source_file",
            "string",
            "The file (and commit) of the source's public repository it was read from",
            "docs/app_data/full_table_data.csv @ 45d28f3",
        ),
    )


def dictionary_markdown(published: tuple[Resource, ...]) -> str:
    """The data dictionary of the published files, as Markdown (the docs page and data/README.md share it)."""
    lines = []
    for resource in published:
        names = ", ".join(f"`{name}`" for name in resource.files)
        key = ", ".join(f"`{name}`" for name in resource.primary_key)
        lines += [f"### {resource.title}", "", f"{names}: one row per {resource.row}; key {key}.", ""]
        lines += [resource.notes, ""]
        lines += ["| Field | Description | Type | Unit | Example | Allowed values | When empty |"]
        lines += ["| :-- | :-- | :-- | :-- | :-- | :-- | :-- |"]
        for item in resource.fields:
            cells = [
                f"`{item.name}`",
                item.description,
                item.type,
                item.unit,
                f"`{item.example}`",
                item.allowed(),
                item.unknown,
            ]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)
