"""The site configuration (site.yml) loaded into dataclasses; unknown keys are rejected."""

from __future__ import annotations

import re
import string
import urllib.parse
from dataclasses import dataclass, fields, replace
from pathlib import Path, PurePosixPath

import yaml

from crimesite import paths, textio


@dataclass(frozen=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True)
class OtherSource:
    """Yearly figures someone else publishes for the city (e.g. the state's UCR counts), shown beside ours and
    never mixed into them; `file` is read by crimesite.other_sources."""

    name: str  # who publishes the figures, in full
    label: str  # the short name of a table column, a chart legend and a verdict
    url: str
    description: str  # where the figures come from and what to know about them
    file: Path


@dataclass(frozen=True)
class Geography:
    source_crs: str
    bounds: tuple[float, float, float, float]
    districts_since: str | None  # first month of the district map in use; None: one map throughout
    city_limits: Path | None = None  # GeoJSON polygon of the city; None (or no such file): the box alone


@dataclass(frozen=True)
class TableColumns:
    """Column names of the neighborhood table, as the city publishes it."""

    number: str
    name: str
    park: str
    population: str
    district: str


@dataclass(frozen=True)
class Places:
    """Where the neighborhood table and the boundary files are; any path may be null (not configured)."""

    neighborhood_table: Path | None
    table_columns: TableColumns
    neighborhood_boundaries: Path | None
    neighborhood_key: str  # the GeoJSON property holding the neighborhood number
    district_boundaries: Path | None
    district_key: str
    population_year: int
    min_population: int  # no rate per 1,000 residents below this population
    neighborhood_numbers: tuple[int, int]  # lowest and highest neighborhood number; others are unknown
    district_numbers: tuple[int, int]


@dataclass(frozen=True)
class CsvColumns:
    """For each canonical field, the name of the column in the agency's file; None when the file has none."""

    incident_id: str | None
    occurred: str  # date (and time) the crime occurred
    occurred_time: str | None  # a separate time column, joined to `occurred` with a space before parsing
    counted: str | None  # the date the crime is counted in; None: counted when it occurred
    offense_code: str
    description: str | None
    district: str | None
    neighborhood: str | None
    address: str | None  # house number and street in one column
    house_number: str | None
    street: str | None
    latitude: str | None
    longitude: str | None
    x: str | None  # projected coordinates in geography.source_crs
    y: str | None
    count: str | None  # +1 or -1; None: every row counts +1
    firearm: str | None


@dataclass(frozen=True)
class CsvReader:
    """How the generic CSV reader reads an agency's incident file."""

    era: str  # the counting system of the file: ucr or nibrs
    offense_codes: Path  # the code table: the agency's offense code -> UCR class
    date_formats: tuple[str, ...]
    missing_values: tuple[str, ...]  # values that mean "not known", in any column
    firearm_yes: tuple[str, ...]
    firearm_no: tuple[str, ...]
    columns: CsvColumns


@dataclass(frozen=True)
class Reader:
    format: str  # slmpd (the two SLMPD formats, told apart by header) or csv
    csv: CsvReader | None
    # The largest a raw file may be once decompressed, and how many times its own size a gzip file may unpack to.
    max_file_mb: int = textio.DEFAULT_MAX_FILE_MB
    max_gzip_ratio: int = textio.DEFAULT_MAX_GZIP_RATIO

    def size_limit(self) -> textio.SizeLimit:
        return textio.SizeLimit(self.max_file_mb * textio.MB, self.max_gzip_ratio)


@dataclass(frozen=True)
class FetchFile:
    """One file to download, or with `months` one file a month (placeholders in `url` and `to`)."""

    url: str
    to: str  # relative to Fetch.folder
    months: tuple[str, str] | None = None  # first and last month, YYYY-MM


@dataclass(frozen=True)
class Pin:
    """A release whose address is given by hand: one SLMPD's page does not list, or lists wrongly."""

    period: str  # as slmpd_nibrs.period_label writes it: 2024-03, 2021-2023, 2021-03_2021-05
    url: str


@dataclass(frozen=True)
class Listing:
    """The page that lists the releases as links (`url`), and where each goes (`to`, with {period})."""

    url: str
    to: str  # relative to Fetch.folder; {period} is the release's period_label
    pins: tuple[Pin, ...] = ()

    def destination(self, period: str, url: str) -> str:
        """Where the release of `period` goes; a .csv.gz address keeps its .gz, so the file stays as served."""
        path = _destination(self.to.format(period=period), "fetch.listing")
        return path + ".gz" if urllib.parse.urlsplit(url).path.lower().endswith(".gz") else path


@dataclass(frozen=True)
class Fetch:
    """What `build_data.py fetch` downloads, and where (`folder` also holds manifest.json)."""

    folder: Path
    timeout_seconds: float  # for connecting, and for each read
    retries: int
    files: tuple[FetchFile, ...]
    deadline_seconds: float = 300.0  # for the whole of one file, retries included, however slowly it comes
    max_bytes: int = 100_000_000  # per file, as served
    allowed_hosts: tuple[str, ...] = ()  # hosts (host or host:port) a redirect may lead to besides the file's own
    listing: Listing | None = None  # the page whose links name the releases, besides `files`

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


@dataclass(frozen=True)
class Goal:
    statement: str
    who: str
    measures: tuple[str, ...]
    baseline_year: int
    target_year: int
    reduction_percent: float
    said_on: str = ""  # when it was announced (YYYY, YYYY-MM or YYYY-MM-DD); optional, as the two below
    said_on_approximate: bool = False
    source: str = ""  # where it was announced


@dataclass(frozen=True)
class SiteConfig:
    city: str
    site_title: str
    agency: str
    agency_short: str
    raw_dir: Path
    reader: Reader
    categories: Path
    methods_break: str | None  # first month of the NIBRS era; None when the data has one era
    claims: Path
    geography: Geography
    places: Places
    fetch: Fetch
    sources: tuple[Source, ...]
    goals: tuple[Goal, ...]
    other_sources: tuple[OtherSource, ...] = ()  # optional: a fork may have none


READER_FORMATS = ("slmpd", "csv")
MANIFEST_NAME = "manifest.json"
ERAS = ("ucr", "nibrs")
MONTH = r"\d{4}-\d{2}"


def _check_keys(section: str, data: object, cls: type, optional: frozenset[str] = frozenset()) -> dict:
    if not isinstance(data, dict):
        raise ValueError(f"site config: {section} must be a mapping")
    allowed = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - allowed)
    missing = sorted(allowed - set(data) - optional)
    if unknown:
        raise ValueError(f"site config: unknown key(s) in {section}: {', '.join(unknown)}")
    if missing:
        raise ValueError(f"site config: missing key(s) in {section}: {', '.join(missing)}")
    return data


def parse_config(data: object, root: Path) -> SiteConfig:
    top = _check_keys("the top level", data, SiteConfig, optional=frozenset({"other_sources"}))
    geo = _check_keys("geography", top["geography"], Geography, optional=frozenset({"city_limits"}))
    bounds = tuple(float(v) for v in geo["bounds"])
    if len(bounds) != 4 or not (bounds[0] < bounds[2] and bounds[1] < bounds[3]):
        raise ValueError("site config: geography.bounds must be [west, south, east, north]")
    reader = parse_reader(top["reader"], root)
    methods_break = optional_month("methods_break", top["methods_break"])
    if reader.format == "slmpd" and methods_break is None:
        raise ValueError("site config: methods_break is needed with reader format slmpd (the month NIBRS began)")
    if reader.format == "csv" and methods_break is not None:
        raise ValueError("site config: methods_break must be null with reader format csv (one file, one era)")
    sources = tuple(Source(**_check_keys("sources", s, Source)) for s in top["sources"])
    return SiteConfig(
        city=str(top["city"]),
        site_title=str(top["site_title"]),
        agency=str(top["agency"]),
        agency_short=str(top["agency_short"]),
        raw_dir=root / top["raw_dir"],
        reader=reader,
        categories=root / top["categories"],
        methods_break=methods_break,
        claims=root / top["claims"],
        geography=Geography(
            str(geo["source_crs"]),
            bounds,
            optional_month("geography.districts_since", geo["districts_since"]),
            None if geo.get("city_limits") in (None, "") else root / str(geo["city_limits"]),
        ),
        places=parse_places(top["places"], root),
        fetch=parse_fetch(top["fetch"], root),
        sources=sources,
        goals=tuple(parse_goal(goal) for goal in top["goals"]),
        other_sources=parse_other_sources(top.get("other_sources") or [], root),
    )


WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)


def parse_other_sources(data: object, root: Path) -> tuple[OtherSource, ...]:
    if not isinstance(data, list):
        raise ValueError("site config: other_sources must be a list (or left out)")
    if len(data) > 1:
        raise ValueError("site config: other_sources: the pages show one other source; give at most one")
    found = []
    for entry in data:
        section = _check_keys("other_sources", entry, OtherSource)
        for key in ("name", "label", "url", "description", "file"):
            if not isinstance(section[key], str) or not section[key].strip():
                raise ValueError(f"site config: other_sources.{key} must be a non-empty string")
        if not WEB_ADDRESS.fullmatch(section["url"]):
            raise ValueError(f"site config: other_sources.url must be a web address, not {section['url']!r}")
        found.append(OtherSource(section["name"].strip(), section["label"].strip(), section["url"],
                                 " ".join(section["description"].split()), root / section["file"]))  # fmt: skip
    return tuple(found)


def optional_month(key: str, value: object) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(MONTH, str(value)):
        raise ValueError(f"site config: {key} must be a month as YYYY-MM (quoted) or null")
    return str(value)


def number_range(key: str, value: object) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise ValueError(f"site config: {key} must be [lowest, highest], two whole numbers")
    low, high = value
    if not 1 <= low <= high:
        raise ValueError(f"site config: {key} must be [lowest, highest] with 1 <= lowest <= highest")
    return low, high


def text_list(key: str, value: object, allow_empty: bool = True) -> tuple[str, ...]:
    """A list of strings. YAML reads unquoted Yes, No, On, Off and numbers as other types: ask for quotes."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f'site config: {key} must be a list of quoted strings, e.g. ["Yes", "Y"]')
    if not value and not allow_empty:
        raise ValueError(f"site config: {key} must not be empty")
    return tuple(value)


def parse_reader(data: object, root: Path) -> Reader:
    section = _check_keys("reader", data, Reader, optional=frozenset({"csv", *LIMIT_KEYS}))
    if section["format"] not in READER_FORMATS:
        raise ValueError(f"site config: reader.format must be one of {', '.join(READER_FORMATS)}")
    limits = {key: positive_int(f"reader.{key}", section[key]) for key in LIMIT_KEYS if key in section}
    if section["format"] == "slmpd":
        if section.get("csv") is not None:
            raise ValueError("site config: reader.csv is only read with reader format csv")
        return Reader("slmpd", None, **limits)
    if section.get("csv") is None:
        raise ValueError("site config: reader format csv needs a reader.csv section")
    return Reader("csv", parse_csv_reader(section["csv"], root), **limits)


LIMIT_KEYS = ("max_file_mb", "max_gzip_ratio")


def positive_int(key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"site config: {key} must be a whole number of 1 or more")
    return value


REQUIRED_COLUMNS = ("occurred", "offense_code")


def parse_csv_reader(data: object, root: Path) -> CsvReader:
    section = _check_keys("reader.csv", data, CsvReader)
    given = _check_keys("reader.csv.columns", section["columns"], CsvColumns)
    for key, value in given.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ValueError(f"site config: reader.csv.columns.{key} must be a column name (quoted if need be) or null")
    columns = CsvColumns(**given)
    for key in REQUIRED_COLUMNS:
        if getattr(columns, key) is None:
            raise ValueError(f"site config: reader.csv.columns.{key} is needed")
    check_column_choices(columns)
    if section["era"] not in ERAS:
        raise ValueError(f"site config: reader.csv.era must be one of {', '.join(ERAS)}")
    names = [name for name in vars(columns).values() if name is not None]
    if len(set(names)) != len(names):
        raise ValueError("site config: reader.csv.columns names a column twice")
    reader = CsvReader(
        era=section["era"],
        offense_codes=root / str(section["offense_codes"]),
        date_formats=text_list("reader.csv.date_formats", section["date_formats"], allow_empty=False),
        missing_values=text_list("reader.csv.missing_values", section["missing_values"]),
        firearm_yes=text_list("reader.csv.firearm_yes", section["firearm_yes"]),
        firearm_no=text_list("reader.csv.firearm_no", section["firearm_no"]),
        columns=columns,
    )
    if columns.firearm is not None and not reader.firearm_yes:
        raise ValueError("site config: reader.csv.firearm_yes must list the values that mean a firearm was used")
    return reader


def check_column_choices(columns: CsvColumns) -> None:
    """Coordinates are latitude and longitude, or x and y, or none; the street comes from one place."""
    pairs = {"latitude/longitude": (columns.latitude, columns.longitude), "x/y": (columns.x, columns.y)}
    for label, pair in pairs.items():
        if (pair[0] is None) != (pair[1] is None):
            raise ValueError(f"site config: reader.csv.columns: give both of {label} or neither")
    if columns.latitude is not None and columns.x is not None:
        raise ValueError("site config: reader.csv.columns: give latitude/longitude or x/y, not both")
    if columns.address is not None and (columns.street is not None or columns.house_number is not None):
        raise ValueError("site config: reader.csv.columns: give address, or street (and house_number), not both")
    if columns.house_number is not None and columns.street is None:
        raise ValueError("site config: reader.csv.columns: house_number needs street")


def parse_places(data: object, root: Path) -> Places:
    section = _check_keys("places", data, Places)
    columns = _check_keys("places.table_columns", section["table_columns"], TableColumns)

    def optional_path(value: object) -> Path | None:
        return None if value in (None, "") else root / str(value)

    if int(section["min_population"]) < 0:
        raise ValueError("site config: places.min_population must be 0 or more")
    return Places(
        neighborhood_table=optional_path(section["neighborhood_table"]),
        table_columns=TableColumns(**{key: str(value) for key, value in columns.items()}),
        neighborhood_boundaries=optional_path(section["neighborhood_boundaries"]),
        neighborhood_key=str(section["neighborhood_key"]),
        district_boundaries=optional_path(section["district_boundaries"]),
        district_key=str(section["district_key"]),
        population_year=int(section["population_year"]),
        min_population=int(section["min_population"]),
        neighborhood_numbers=number_range("places.neighborhood_numbers", section["neighborhood_numbers"]),
        district_numbers=number_range("places.district_numbers", section["district_numbers"]),
    )


# --- fetch: the official files to download (build_data.py fetch) ---
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")  # fmt: skip
PLACEHOLDERS = frozenset({"year", "month", "Month", "mm", "next_year", "next_mm"})
MONTH_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


FETCH_DEFAULTS = frozenset({"deadline_seconds", "max_bytes", "allowed_hosts", "listing"})
WEB_URL = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
HOST_PATTERN = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")


def parse_fetch(data: object, root: Path) -> Fetch:
    section = _check_keys("fetch", data, Fetch, optional=FETCH_DEFAULTS)
    timeout, retries = float(section["timeout_seconds"]), int(section["retries"])
    if timeout <= 0 or retries < 0:
        raise ValueError("site config: fetch.timeout_seconds must be above 0 and fetch.retries 0 or more")
    deadline = float(section.get("deadline_seconds", Fetch.deadline_seconds))
    max_bytes = section.get("max_bytes", Fetch.max_bytes)
    if deadline <= 0 or isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError("site config: fetch.deadline_seconds and fetch.max_bytes (whole bytes) must be above 0")
    if not isinstance(section["files"], list):
        raise ValueError("site config: fetch.files must be a list")
    files = tuple(map(parse_fetch_file, section["files"]))
    hosts = parse_allowed_hosts(section.get("allowed_hosts", []))
    listing = parse_listing(section["listing"]) if section.get("listing") is not None else None
    fetch = Fetch(root / str(section["folder"]), timeout, retries, files, deadline, max_bytes, hosts, listing)
    fetch_downloads(fetch)  # expands every entry now, so a bad template or destination stops the load
    return fetch


def parse_allowed_hosts(value: object) -> tuple[str, ...]:
    """Host names, each with a port when it is not the default one (`data.example.org`, `127.0.0.1:8443`)."""
    hosts = text_list("fetch.allowed_hosts", value)
    for host in hosts:
        if not HOST_PATTERN.fullmatch(host.lower()):
            raise ValueError(f"site config: fetch.allowed_hosts: {host!r} must be a host name, optionally with :port")
    return tuple(host.lower() for host in hosts)


def parse_listing(data: object) -> Listing:
    """fetch.listing: the page's address, a destination with {period} that reads back as that period, and pins."""
    entry = _check_keys("fetch.listing", data, Listing, optional=frozenset({"pins"}))
    url, to = str(entry["url"]), str(entry["to"])
    if not WEB_URL.fullmatch(url):
        raise ValueError(f"site config: fetch.listing: url {url!r} must be an http or https address")
    if _placeholders(to) != {"period"} or not to.lower().endswith(".csv"):
        raise ValueError(f"site config: fetch.listing: to {to!r} must be a .csv path with {{period}} and no other "
                         "placeholder")  # fmt: skip
    pins = entry.get("pins") or []
    if not isinstance(pins, list):
        raise ValueError("site config: fetch.listing.pins must be a list")
    listing = Listing(url, to, tuple(map(parse_pin, pins)))
    for period in ("2024-01", "2021-2023", "2021-03_2021-05"):
        check_period_path(listing.destination(period, url), period)
    periods = [pin.period for pin in listing.pins]
    if len(set(periods)) != len(periods):
        twice = sorted({period for period in periods if periods.count(period) > 1})
        raise ValueError(f"site config: fetch.listing.pins: period(s) {', '.join(twice)} pinned twice")
    return listing


def parse_pin(data: object) -> Pin:
    pin = _check_keys("fetch.listing.pins", data, Pin)
    period, url = str(pin["period"]), str(pin["url"])
    if not WEB_URL.fullmatch(url):
        raise ValueError(f"site config: fetch.listing.pins: url {url!r} must be an http or https address")
    if name_period(f"{period}.csv") != period:
        raise ValueError(f"site config: fetch.listing.pins: period {period!r} must be written as 2024-03 (a month), "
                         "2021-2023 (whole years) or 2021-03_2021-05")  # fmt: skip
    return Pin(period, url)


def name_period(name: str) -> str | None:
    """The period a file name gives, as slmpd_nibrs.period_label writes it (None: the name gives none)."""
    from crimesite.sources import slmpd_nibrs  # here, not above: the sources import this module

    found = slmpd_nibrs.release_period(name)
    return slmpd_nibrs.period_label(*found) if found else None


def check_period_path(path: str, period: str) -> None:
    """The build takes a release's months from its file name: a listed file's path must give its period back."""
    found = name_period(path)
    if found != period:
        raise ValueError(f"site config: fetch.listing: to gives {path!r} for {period}, a name the build reads as "
                         f"{found or 'no period'}")  # fmt: skip


def parse_fetch_file(data: object) -> FetchFile:
    entry = _check_keys("fetch.files", data, FetchFile, optional=frozenset({"months"}))
    url, to, months = str(entry["url"]), str(entry["to"]), entry.get("months")
    if months is None:
        if _placeholders(to):
            raise ValueError(f"site config: fetch.files: {to!r} has placeholders but the entry has no months")
        return FetchFile(url, to)
    if not (isinstance(months, list) and len(months) == 2 and all(MONTH_PATTERN.fullmatch(str(m)) for m in months)):
        raise ValueError(f"site config: fetch.files: months must be [first, last] as YYYY-MM, not {months!r}")
    if str(months[0]) > str(months[1]):
        raise ValueError(f"site config: fetch.files: months {months!r} run backwards")
    unknown = sorted((_placeholders(url) | _placeholders(to)) - PLACEHOLDERS)
    if unknown:
        raise ValueError(f"site config: fetch.files: unknown placeholder(s) {', '.join(unknown)} in {url!r} or {to!r}")
    return FetchFile(url, to, (str(months[0]), str(months[1])))


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ValueError(f"site config: fetch.files: {template!r}: {error}") from None


def month_values(month: str) -> dict[str, str]:
    """What each placeholder stands for in a month (YYYY-MM); next_* name the month after it."""
    year, number = int(month[:4]), int(month[5:7])
    next_year, next_number = (year + 1, 1) if number == 12 else (year, number + 1)
    name = MONTH_NAMES[number - 1]
    return {"year": str(year), "month": name, "Month": name.capitalize(), "mm": f"{number:02d}",
            "next_year": str(next_year), "next_mm": f"{next_number:02d}"}  # fmt: skip


def month_range(first: str, last: str) -> list[str]:
    months, year, number = [], int(first[:4]), int(first[5:7])
    while f"{year:04d}-{number:02d}" <= last:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def fetch_downloads(fetch: Fetch) -> tuple[Download, ...]:
    """Every file the fetch section names, month templates expanded, in the order given."""
    found: list[Download] = []
    for entry in fetch.files:
        if entry.months is None:
            found.append(Download(entry.url, _destination(entry.to)))
            continue
        for month in month_range(*entry.months):
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


def parse_goal(data: object) -> Goal:
    goal = _check_keys("goals", data, Goal, optional=frozenset({"said_on", "said_on_approximate", "source"}))
    if not int(goal["baseline_year"]) < int(goal["target_year"]):
        raise ValueError("site config: a goal's baseline_year must come before its target_year")
    approximate = goal.get("said_on_approximate", False)
    if not isinstance(approximate, bool):
        raise ValueError("site config: a goal's said_on_approximate must be true or false")
    return Goal(
        statement=str(goal["statement"]),
        who=str(goal["who"]),
        measures=tuple(str(m) for m in goal["measures"]),
        baseline_year=int(goal["baseline_year"]),
        target_year=int(goal["target_year"]),
        reduction_percent=float(goal["reduction_percent"]),
        said_on=str(goal.get("said_on") or ""),
        said_on_approximate=approximate,
        source=str(goal.get("source") or ""),
    )


def load_config(path: Path = paths.SITE_CONFIG) -> SiteConfig:
    with path.open(encoding="utf-8") as handle:
        return parse_config(yaml.safe_load(handle), path.resolve().parent)


def with_place_files(config: SiteConfig, table: Path | None, neighborhoods: Path | None, districts: Path | None):
    """The same configuration reading its neighborhood table and boundaries from other files."""
    places = replace(config.places, neighborhood_table=table, neighborhood_boundaries=neighborhoods,
                     district_boundaries=districts)  # fmt: skip
    return replace(config, places=places)
