"""The site configuration (site.yml) loaded into dataclasses, checked by pydantic: unknown and missing keys and
the types are pydantic's (`extra="forbid"`); the checks of values are ours, in the validators and `__post_init__`
below, so a dataclass built by hand (or with `dataclasses.replace`) is checked too."""

from __future__ import annotations

import functools
import re
import string
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Annotated, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    with_config,
)

from crimesite import months, paths, textio
from crimesite.incidents import ERAS

READER_FORMATS = ("slmpd", "csv")
MANIFEST_NAME = "manifest.json"
PLACEHOLDERS = frozenset({"year", "month", "Month", "mm", "next_year", "next_mm"})
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)
WEB_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
HOST_PATTERN = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")
# Every section: a key the dataclass lacks is an error, and YAML numbers are read as text where text is wanted.
SECTION = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


# --- the checks of single values: each raises a ValueError that `one_line` puts after the key's path ---


def under_root(path: Path | None, info: ValidationInfo) -> Path | None:
    """A path relative to the folder of site.yml (given as the validation context's root)."""
    return None if path is None else info.context["root"] / path


def blank_as_none(value: object) -> object:
    return None if value == "" else value


def none_as(empty: object) -> Callable[[object], object]:
    return lambda value: empty if value is None else value


def check_month(value: object) -> str | None:
    if value is not None and not months.KEY.fullmatch(str(value)):
        raise ValueError("must be a month as YYYY-MM (quoted) or null")
    return None if value is None else str(value)


def check_positive_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("must be a whole number of 1 or more")
    return value


def check_not_negative(value: int) -> int:
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def check_range(value: tuple[int, int]) -> tuple[int, int]:
    if not 1 <= value[0] <= value[1]:
        raise ValueError("must be [lowest, highest] with 1 <= lowest <= highest")
    return value


def check_text_list(value: object) -> object:
    """YAML reads unquoted Yes, No, On, Off and numbers as other types: ask for quotes."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError('must be a list of quoted strings, e.g. ["Yes", "Y"]')
    return value


def check_not_empty(value: tuple) -> tuple:
    if not value:
        raise ValueError("must not be empty")
    return value


def check_text(value: object) -> object:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def check_column(value: object) -> object:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError("must be a column name (quoted if need be) or null")
    return value


def check_needed_column(value: object) -> object:
    if value is None:
        raise ValueError("is needed")
    return check_column(value)


def check_one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value

    return check


def check_host(host: str) -> str:
    """A host name, with a port when it is not the default one (`data.example.org`, `127.0.0.1:8443`)."""
    if not HOST_PATTERN.fullmatch(host.lower()):
        raise ValueError(f"site config: fetch.allowed_hosts: {host!r} must be a host name, optionally with :port")
    return host.lower()


def check_web_address(value: str) -> str:
    if not WEB_ADDRESS.fullmatch(value):
        raise ValueError(f"site config: other_sources.url must be a web address, not {value!r}")
    return value


def check_fetch_months(value: object) -> object:
    if not (isinstance(value, list) and len(value) == 2 and all(months.KEY.fullmatch(str(m)) for m in value)):
        raise ValueError(f"site config: fetch.files: months must be [first, last] as YYYY-MM, not {value!r}")
    return [str(month) for month in value]


def check_at_most_one(value: tuple) -> tuple:
    if len(value) > 1:
        raise ValueError("must list at most one: the pages show one other source")
    return value


def check_strict_bool(value: object) -> object:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


ConfigPath = Annotated[Path, AfterValidator(under_root)]
OptionalPath = Annotated[Path | None, BeforeValidator(blank_as_none), AfterValidator(under_root)]
Month = Annotated[str | None, BeforeValidator(check_month)]
PositiveInt = Annotated[int, BeforeValidator(check_positive_int)]
NumberRange = Annotated[tuple[int, int], AfterValidator(check_range)]
TextList = Annotated[tuple[str, ...], BeforeValidator(check_text_list)]
Column = Annotated[str | None, BeforeValidator(check_column)]
NeededColumn = Annotated[str, BeforeValidator(check_needed_column)]
Text = Annotated[str, BeforeValidator(check_text), AfterValidator(str.strip)]
Words = Annotated[str, BeforeValidator(check_text), AfterValidator(lambda text: " ".join(text.split()))]
OptionalText = Annotated[str, BeforeValidator(none_as(""))]


@with_config(SECTION)
@dataclass(frozen=True)
class Source:
    name: str
    url: str


@with_config(SECTION)
@dataclass(frozen=True)
class OtherSource:
    """Yearly figures someone else publishes for the city (e.g. the state's UCR counts), shown beside ours and
    never mixed into them; `file` is read by crimesite.other_sources."""

    name: Text  # who publishes the figures, in full
    label: Text  # the short name of a table column, a chart legend and a verdict
    url: Annotated[str, BeforeValidator(check_text), AfterValidator(check_web_address)]
    description: Words  # where the figures come from and what to know about them
    file: Annotated[Path, BeforeValidator(check_text), AfterValidator(under_root)]


@with_config(SECTION)
@dataclass(frozen=True)
class GeographyConfig:
    source_crs: str
    bounds: tuple[float, float, float, float]
    districts_since: Month  # first month of the district map in use; None: one map throughout
    city_limits: OptionalPath = None  # GeoJSON polygon of the city; None (or no such file): the box alone

    def __post_init__(self) -> None:
        west, south, east, north = self.bounds
        if not (west < east and south < north):
            raise ValueError("site config: geography.bounds must be [west, south, east, north]")


@with_config(SECTION)
@dataclass(frozen=True)
class TableColumns:
    """Column names of the neighborhood table, as the city publishes it."""

    number: str
    name: str
    park: str
    population: str
    district: str


@with_config(SECTION)
@dataclass(frozen=True)
class PlacesConfig:
    """Where the neighborhood table and the boundary files are; any path may be null (not configured)."""

    neighborhood_table: OptionalPath
    table_columns: TableColumns
    neighborhood_boundaries: OptionalPath
    neighborhood_key: str  # the GeoJSON property holding the neighborhood number
    district_boundaries: OptionalPath
    district_key: str
    population_year: int
    min_population: Annotated[int, AfterValidator(check_not_negative)]  # no rate per 1,000 residents below this
    neighborhood_numbers: NumberRange  # lowest and highest neighborhood number; others are unknown
    district_numbers: NumberRange


@with_config(SECTION)
@dataclass(frozen=True)
class CsvColumns:
    """For each canonical field, the name of the column in the agency's file; None when the file has none."""

    incident_id: Column
    occurred: NeededColumn  # date (and time) the crime occurred
    occurred_time: Column  # a separate time column, joined to `occurred` with a space before parsing
    counted: Column  # the date the crime is counted in; None: counted when it occurred
    offense_code: NeededColumn
    description: Column
    district: Column
    neighborhood: Column
    address: Column  # house number and street in one column
    house_number: Column
    street: Column
    latitude: Column
    longitude: Column
    x: Column  # projected coordinates in geography.source_crs
    y: Column
    count: Column  # +1 or -1; None: every row counts +1
    firearm: Column

    def __post_init__(self) -> None:
        """Coordinates are latitude and longitude, or x and y, or none; the street comes from one place."""
        pairs = {"latitude/longitude": (self.latitude, self.longitude), "x/y": (self.x, self.y)}
        for label, pair in pairs.items():
            if (pair[0] is None) != (pair[1] is None):
                raise ValueError(f"site config: reader.csv.columns: give both of {label} or neither")
        if self.latitude is not None and self.x is not None:
            raise ValueError("site config: reader.csv.columns: give latitude/longitude or x/y, not both")
        if self.address is not None and (self.street is not None or self.house_number is not None):
            raise ValueError("site config: reader.csv.columns: give address, or street (and house_number), not both")
        if self.house_number is not None and self.street is None:
            raise ValueError("site config: reader.csv.columns: house_number needs street")
        names = [name for name in vars(self).values() if name is not None]
        if len(set(names)) != len(names):
            raise ValueError("site config: reader.csv.columns names a column twice")


@with_config(SECTION)
@dataclass(frozen=True)
class CsvReader:
    """How the generic CSV reader reads an agency's incident file."""

    era: Annotated[str, AfterValidator(check_one_of(ERAS))]  # the counting system of the file: ucr or nibrs
    offense_codes: ConfigPath  # the code table: the agency's offense code -> UCR class
    date_formats: Annotated[TextList, AfterValidator(check_not_empty)]
    missing_values: TextList  # values that mean "not known", in any column
    firearm_yes: TextList
    firearm_no: TextList
    columns: CsvColumns

    def __post_init__(self) -> None:
        if self.columns.firearm is not None and not self.firearm_yes:
            raise ValueError("site config: reader.csv.firearm_yes must list the values that mean a firearm was used")


def check_csv_section(value: object, info: ValidationInfo) -> object:
    """reader.csv is read with format csv alone (and not checked with slmpd, so it is refused as a whole)."""
    if info.data.get("format") == "slmpd" and value is not None:
        raise ValueError("site config: reader.csv is only read with reader format csv")
    return value


@with_config(SECTION)
@dataclass(frozen=True)
class ReaderConfig:
    format: Annotated[str, AfterValidator(check_one_of(READER_FORMATS))]  # slmpd (two formats, told apart by header)
    csv: Annotated[CsvReader | None, BeforeValidator(check_csv_section)] = None
    # The largest a raw file may be once decompressed, and how many times its own size a gzip file may unpack to.
    max_file_mb: PositiveInt = textio.DEFAULT_MAX_FILE_MB
    max_gzip_ratio: PositiveInt = textio.DEFAULT_MAX_GZIP_RATIO

    def __post_init__(self) -> None:
        if self.format == "slmpd" and self.csv is not None:
            raise ValueError("site config: reader.csv is only read with reader format csv")
        if self.format == "csv" and self.csv is None:
            raise ValueError("site config: reader format csv needs a reader.csv section")

    def size_limit(self) -> textio.SizeLimit:
        return textio.SizeLimit(self.max_file_mb * textio.MB, self.max_gzip_ratio)


@with_config(SECTION)
@dataclass(frozen=True)
class FetchFile:
    """One file to download, or with `months` one file a month (placeholders in `url` and `to`)."""

    url: str
    to: str  # relative to Fetch.folder
    months: Annotated[tuple[str, str] | None, BeforeValidator(check_fetch_months)] = None  # first, last: YYYY-MM

    def __post_init__(self) -> None:
        if self.months is None:
            if _placeholders(self.to):
                raise ValueError(f"site config: fetch.files: {self.to!r} has placeholders but the entry has no months")
            return
        if self.months[0] > self.months[1]:
            raise ValueError(f"site config: fetch.files: months {list(self.months)!r} run backwards")
        unknown = sorted((_placeholders(self.url) | _placeholders(self.to)) - PLACEHOLDERS)
        if unknown:
            raise ValueError(
                f"site config: fetch.files: unknown placeholder(s) {', '.join(unknown)} in {self.url!r} or {self.to!r}"
            )


@with_config(SECTION)
@dataclass(frozen=True)
class Pin:
    """A release whose address is given by hand: one SLMPD's page does not list, or lists wrongly."""

    period: str  # as slmpd_nibrs.period_label writes it: 2024-03, 2021-2023, 2021-03_2021-05
    url: str

    def __post_init__(self) -> None:
        if not WEB_URL.fullmatch(self.url):
            raise ValueError(f"site config: fetch.listing.pins: url {self.url!r} must be an http or https address")
        if name_period(f"{self.period}.csv") != self.period:
            raise ValueError(
                f"site config: fetch.listing.pins: period {self.period!r} must be written as 2024-03 (a month), "
                "2021-2023 (whole years) or 2021-03_2021-05"
            )


@with_config(SECTION)
@dataclass(frozen=True)
class Listing:
    """The page that lists the releases as links (`url`), and where each goes (`to`, with {period})."""

    url: str
    to: str  # relative to Fetch.folder; {period} is the release's period_label
    pins: Annotated[tuple[Pin, ...], BeforeValidator(none_as([]))] = ()

    def __post_init__(self) -> None:
        """The page's address, a destination with {period} that reads back as that period, each period pinned once."""
        if not WEB_URL.fullmatch(self.url):
            raise ValueError(f"site config: fetch.listing: url {self.url!r} must be an http or https address")
        if _placeholders(self.to) != {"period"} or not self.to.lower().endswith(".csv"):
            raise ValueError(
                f"site config: fetch.listing: to {self.to!r} must be a .csv path with {{period}} and no other "
                "placeholder"
            )
        for period in ("2024-01", "2021-2023", "2021-03_2021-05"):
            check_period_path(self.destination(period, self.url), period)
        periods = [pin.period for pin in self.pins]
        twice = sorted({period for period in periods if periods.count(period) > 1})
        if twice:
            raise ValueError(f"site config: fetch.listing.pins: period(s) {', '.join(twice)} pinned twice")

    def destination(self, period: str, url: str) -> str:
        """Where the release of `period` goes; a .csv.gz address keeps its .gz, so the file stays as served."""
        path = _destination(self.to.format(period=period), "fetch.listing")
        return path + ".gz" if urllib.parse.urlsplit(url).path.lower().endswith(".gz") else path


@with_config(SECTION)
@dataclass(frozen=True)
class Fetch:
    """What `build_data.py fetch` downloads, and where (`folder` also holds manifest.json)."""

    folder: ConfigPath
    timeout_seconds: float  # for connecting, and for each read
    retries: int
    files: tuple[FetchFile, ...]
    deadline_seconds: float = 300.0  # for the whole of one file, retries included, however slowly it comes
    max_bytes: PositiveInt = 100_000_000  # per file, as served
    # Hosts (host or host:port) a redirect may lead to besides the file's own.
    allowed_hosts: Annotated[
        tuple[Annotated[str, AfterValidator(check_host)], ...], BeforeValidator(check_text_list)
    ] = ()
    listing: Listing | None = None  # the page whose links name the releases, besides `files`

    def __post_init__(self) -> None:
        if self.timeout_seconds <= 0 or self.retries < 0:
            raise ValueError("site config: fetch.timeout_seconds must be above 0 and fetch.retries 0 or more")
        if self.deadline_seconds <= 0:
            raise ValueError("site config: fetch.deadline_seconds must be above 0")
        fetch_downloads(self)  # expands every entry now, so a bad template or destination stops the load

    @property
    def manifest(self) -> Path:
        """What was downloaded: each file's URL, checksum and retrieval time (the build reads the URLs)."""
        return self.folder / MANIFEST_NAME


@dataclass(frozen=True)
class Download:
    """One file to download: its URL and its path relative to Fetch.folder, with forward slashes."""

    url: str
    path: str
    period: str | None = None  # a listed release's period (period_label)
    listed_as: str | None = None  # the text of the link it was listed under


@with_config(SECTION)
@dataclass(frozen=True)
class Goal:
    statement: str
    who: str
    measures: tuple[str, ...]
    baseline_year: int
    target_year: int
    reduction_percent: float
    said_on: OptionalText = ""  # when it was announced (YYYY, YYYY-MM or YYYY-MM-DD); optional, as the two below
    said_on_approximate: Annotated[bool, BeforeValidator(check_strict_bool)] = False
    source: OptionalText = ""  # where it was announced

    def __post_init__(self) -> None:
        if not self.baseline_year < self.target_year:
            raise ValueError("site config: a goal's baseline_year must come before its target_year")


@with_config(SECTION)
@dataclass(frozen=True)
class SiteConfig:
    city: str
    site_title: str
    agency: str
    agency_short: str
    raw_dir: ConfigPath
    reader: ReaderConfig
    categories: ConfigPath
    methods_break: Month  # first month of the NIBRS era; None when the data has one era
    claims: ConfigPath
    geography: GeographyConfig
    places: PlacesConfig
    fetch: Fetch
    sources: tuple[Source, ...]
    goals: tuple[Goal, ...]
    # Optional: a fork may have none.
    other_sources: Annotated[
        tuple[OtherSource, ...], BeforeValidator(none_as([])), AfterValidator(check_at_most_one)
    ] = ()

    def __post_init__(self) -> None:
        if self.reader.format == "slmpd" and self.methods_break is None:
            raise ValueError("site config: methods_break is needed with reader format slmpd (the month NIBRS began)")
        if self.reader.format == "csv" and self.methods_break is not None:
            raise ValueError("site config: methods_break must be null with reader format csv (one file, one era)")


# --- loading: pydantic's errors as one line naming the key's path ---

Section = TypeVar("Section")
# What pydantic's error types say, after the key's path.
WORDING = {"dataclass_type": "must be a mapping", "tuple_type": "must be a list", "list_type": "must be a list"}


@functools.cache
def _adapter(cls: type) -> TypeAdapter:
    return TypeAdapter(cls)


def validate(cls: type[Section], data: object, root: Path, section: str = "") -> Section:
    """`data` (a section of site.yml, `section` its key path) as a `cls`, paths relative to `root`."""
    try:
        return _adapter(cls).validate_python(data, context={"root": root})
    except ValidationError as error:
        raise ValueError(one_line(error, section)) from None


def key_path(section: str, location: tuple) -> str:
    """'fetch.files' for ('files', 0) in section 'fetch': list positions are left out, as site.yml shows none."""
    keys = [section] if section else []
    keys += [str(key) for key in location if not isinstance(key, int)]
    return ".".join(keys) or "the top level"


def one_line(error: ValidationError, section: str) -> str:
    """The first problem: unknown keys (all those of one section), else missing keys, else the first other."""
    problems = error.errors()
    for kinds, adjective in (({"unexpected_keyword_argument", "extra_forbidden"}, "unknown"), ({"missing"}, "missing")):
        found = [problem for problem in problems if problem["type"] in kinds]
        if found:
            where = key_path(section, found[0]["loc"][:-1])
            keys = sorted({str(p["loc"][-1]) for p in found if key_path(section, p["loc"][:-1]) == where})
            return f"site config: {adjective} key(s) in {where}: {', '.join(keys)}"
    first = problems[0]
    where = key_path(section, first["loc"])
    if first["type"] == "value_error":
        text = str(first["ctx"]["error"])
        return text if text.startswith("site config:") else f"site config: {where} {text}"
    return f"site config: {where} {WORDING.get(first['type'], 'is wrong: ' + first['msg'])}"


def parse_config(data: object, root: Path) -> SiteConfig:
    return validate(SiteConfig, data, root)


def parse_fetch(data: object, root: Path) -> Fetch:
    return validate(Fetch, data, root, "fetch")


# --- fetch: the official files to download (build_data.py fetch) ---


def name_period(name: str) -> str | None:
    """The period a file name gives, as slmpd_nibrs.period_label writes it (None: the name gives none)."""
    from crimesite.sources import slmpd_nibrs  # here, not above: the sources import this module

    found = slmpd_nibrs.release_period(name)
    return slmpd_nibrs.period_label(*found) if found else None


def check_period_path(path: str, period: str) -> None:
    """The build takes a release's months from its file name: a listed file's path must give its period back."""
    found = name_period(path)
    if found != period:
        raise ValueError(
            f"site config: fetch.listing: to gives {path!r} for {period}, a name the build reads as "
            f"{found or 'no period'}"
        )


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ValueError(f"site config: fetch.files: {template!r}: {error}") from None


def month_values(month: str) -> dict[str, str]:
    """What each placeholder stands for in a month (YYYY-MM); next_* name the month after it."""
    number, following = months.number_of(month), months.shifted(month, 1)
    name = months.LOWER_NAMES[number - 1]
    return {
        "year": str(months.year_of(month)),
        "month": name,
        "Month": months.name_of(number),
        "mm": f"{number:02d}",
        "next_year": str(months.year_of(following)),
        "next_mm": f"{months.number_of(following):02d}",
    }


def fetch_downloads(fetch: Fetch) -> tuple[Download, ...]:
    """Every file the fetch section names, month templates expanded, in the order given."""
    found: list[Download] = []
    for entry in fetch.files:
        if entry.months is None:
            found.append(Download(entry.url, _destination(entry.to)))
            continue
        for month in months.span(*entry.months):
            values = month_values(month)
            found.append(Download(entry.url.format(**values), _destination(entry.to.format(**values))))
    seen: set[str] = set()
    for download in found:
        if download.path in seen:
            raise ValueError(f"site config: fetch.files: two entries download to {download.path!r}")
        seen.add(download.path)
    return tuple(found)


def _destination(to: str, section: str = "fetch.files") -> str:
    """A destination inside the fetch folder, with forward slashes; anything that could leave it is refused."""
    path = PurePosixPath(to)
    if "\\" in to or path.is_absolute() or not path.parts or ".." in path.parts or str(path) == MANIFEST_NAME:
        raise ValueError(f"site config: {section}: {to!r} must be a file path inside the fetch folder")
    return str(path)


def load_config(path: Path = paths.SITE_CONFIG) -> SiteConfig:
    with path.open(encoding="utf-8") as handle:
        return parse_config(yaml.safe_load(handle), path.resolve().parent)


def with_place_files(config: SiteConfig, table: Path | None, neighborhoods: Path | None, districts: Path | None):
    """The same configuration reading its neighborhood table and boundaries from other files."""
    places = replace(
        config.places, neighborhood_table=table, neighborhood_boundaries=neighborhoods, district_boundaries=districts
    )
    return replace(config, places=places)
