"""What every reader shares: the raw file, the context it reads in, and line-aware CSV parsing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from numpy.typing import ArrayLike

from crimesite import incidents, textio
from crimesite.config import CsvReader
from crimesite.errors import Problem

HEADER = "(header)"
ROW = "(row)"


@dataclass(frozen=True)
class RawFile:
    path: Path  # absolute
    name: str  # relative to the raw-data folder it was found in; shown on pages
    display: str  # how errors name it: relative to the working directory where possible
    sha256: str


@dataclass(frozen=True)
class ReadContext:
    categories: dict[int, str]  # UCR class -> slug
    parts: dict[int, int]  # UCR class -> Part (1 or 2)
    source_crs: str
    bounds: tuple[float, float, float, float]
    neighborhood_numbers: tuple[int, int]  # lowest, highest; other numbers are an unknown place
    district_numbers: tuple[int, int]
    csv: CsvReader | None = None  # the generic CSV reader's settings (reader format csv)
    offense_codes: dict[str, int | None] = field(default_factory=dict)  # csv: code -> UCR class (None: not a crime)
    release_names: dict[str, str] = field(default_factory=dict)  # sha256 -> the address it was fetched from

    size_limit: textio.SizeLimit = textio.DEFAULT_LIMIT  # how large a raw file may be once decompressed
    sexual_classes: frozenset[int] = frozenset({2, 17})  # UCR classes whose incidents are never located


# An occurrence or counting date before this is a placeholder (01/01/1900), not a date.
PLACEHOLDER_BEFORE = pd.Timestamp("1901-01-01")
# Flags only the legacy files have: False in the rows of the other formats.
LEGACY_FLAGS = ("flag_unfounded", "flag_administrative")


def canonical_table(rows: pd.DataFrame, context: ReadContext) -> pd.DataFrame:
    """`rows`, the columns a reader fills, as the canonical table: `category` and `part` follow from `ucr_class`,
    a legacy flag the format does not have is False, and incidents.conform gives the canonical order and dtypes
    (a canonical column the reader left out is a KeyError)."""
    filled = rows.assign(category=rows["ucr_class"].map(context.categories), part=rows["ucr_class"].map(context.parts))
    for flag in LEGACY_FLAGS:
        if flag not in filled:
            filled[flag] = False
    return incidents.conform(filled)


def yes_no_unknown(yes: pd.Series, no: pd.Series) -> pd.Series:
    """A boolean column: True where `yes`, else False where `no`, else unknown (NA)."""
    answers = pd.Series(pd.NA, index=yes.index, dtype="boolean")
    answers[no.to_numpy(dtype=bool)] = False
    answers[yes.to_numpy(dtype=bool)] = True
    return answers


def given_coordinates(first: pd.Series, second: pd.Series) -> pd.Series:
    """Where a file gives a point: both numbers present, and neither 0 (how the files write 'no place')."""
    return first.notna() & second.notna() & (first != 0) & (second != 0)


def in_bounds(
    lon: ArrayLike, lat: ArrayLike, given: ArrayLike, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 coordinates inside the city's box (`bounds`: west, south, east, north), NaN elsewhere, and each row's
    location_status: `missing` where the file gives no point (`given` False), `outside_bounds` outside the box."""
    lon, lat, given = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), np.asarray(given, dtype=bool)
    west, south, east, north = bounds
    with np.errstate(invalid="ignore"):
        inside = given & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    status = np.select([~given, ~inside], ["missing", "outside_bounds"], default="ok")
    return np.where(inside, lon, np.nan), np.where(inside, lat, np.nan), status


# NIBRS offenses that are sexual offenses whatever their UCR class: rape, sodomy, sexual assault with an object,
# fondling, incest, statutory rape.
SEXUAL_NIBRS_CODES = ("11A", "11B", "11C", "11D", "36A", "36B")


def row_keys(*parts: pd.Series | np.ndarray, given: ArrayLike | None = None) -> np.ndarray:
    """One integer per row naming its combination of `parts` (rows with equal parts get equal integers), -1 where
    `given` is False or any part is missing or empty: the keys sexual_incident matches rows by. A part is text
    (empty or NA: none) or integers (the file's position, another row_keys; negative: none). Integers, not the
    parts joined into one string, which cost a second and a half for the 700,000 legacy rows."""
    present = np.ones(len(parts[0]), dtype=bool) if given is None else np.asarray(given, dtype=bool).copy()
    key = np.zeros(len(parts[0]), dtype=np.int64)
    for part in parts:
        if isinstance(part, np.ndarray) and np.issubdtype(part.dtype, np.integer):
            codes = part.astype(np.int64)
        else:
            codes = pd.factorize(part)[0].astype(np.int64)
            present &= (part != "").fillna(False).to_numpy(dtype=bool)
        present &= codes >= 0
        width = int(codes.max(initial=0)) + 1
        if int(key.max(initial=0)) >= 2**62 // width:  # renumbered first: the integers never overflow
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * width + np.maximum(codes, 0)
    return np.where(present, key, -1)


def sexual_incident(sexual: pd.Series, *keys: np.ndarray) -> np.ndarray:
    """True for each row that is a sexual offense or shares a key (row_keys: a complaint number, an occurrence
    time and place; -1 is none) with a row that is, the keys applied in order."""
    marked = sexual.fillna(False).to_numpy(dtype=bool).copy()
    for key in keys:
        given = key >= 0
        # A hash lookup (pandas), not numpy's isin, which sorts all the rows for a handful of keys.
        marked |= given & pd.Series(key).isin(pd.unique(key[given & marked])).to_numpy()
    return marked


@dataclass(frozen=True)
class Release:
    """One release of a reader whose files replace earlier versions of incidents (NIBRS), in release order."""

    label: str  # its months as a column gives them: 2024-01, 2021-2023
    name: str  # the raw file's name
    months: tuple[str, ...]  # YYYY-MM: the months it stands for


@dataclass(frozen=True)
class ReleaseHistory:
    """How each release changed the counted units: `releases` in release order, and `deltas`, one row per
    (rank, file_last, month, category) with the net change in units when the release at `rank` came in.
    `file_last` is the last month of the file the unit's version came from (a unit dated after it is not counted),
    `month` (YYYY-MM) the month the unit is counted in. Counts only: no place, no incident number."""

    releases: tuple[Release, ...]
    deltas: pd.DataFrame  # rank (int), file_last (str), month (str), category (str), delta (int)


@dataclass
class Table:
    """A CSV file as strings, with the line number each row starts on."""

    header: list[str]
    frame: pd.DataFrame
    lines: np.ndarray
    problems: list[Problem] = field(default_factory=list)


def normalize_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_header(text: str) -> list[str]:
    first = text.split("\n", 1)[0]
    return [name.strip() for name in next(csv.reader([first]), [])]


NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)"


def to_number(text: pd.Series) -> pd.Series:
    """Floats from numeric strings; anything else (including the empty string) becomes NaN."""
    strings = pa.array(text, type=pa.string())
    valid = pc.match_substring_regex(strings, pattern=f"^{NUMBER}$")
    numbers = pc.cast(pc.if_else(valid, strings, pa.scalar(None, pa.string())), pa.float64())
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=text.index)


def place_number(text: pd.Series, numbers: tuple[int, int]) -> pd.Series:
    """A district or neighborhood number; 0, blank or outside `numbers` (lowest, highest) is unknown (NA)."""
    number = to_number(text.str.strip())
    return number.where(number.between(*numbers)).astype("Int64")


# 24000777, 024000777 and 24-000777 (padded with spaces, already stripped) are one incident: two digits of year
# and a sequence number, with or without a dash, with or without extra leading zeros.
INCIDENT_NUMBER = r"0*(?P<year>\d{1,2})-0*(?P<sequence>\d{1,6})|0*(?P<digits>\d{1,8})"
SEQUENCE_DIGITS = 6
# Written so already, or empty (the legacy files before June 2013 have no number: kept as it is, as the extract
# would keep it, without going through it).
CANONICAL_NUMBER = r"^(?:\d{2}-\d{6})?$"
EIGHT_DIGITS = r"^\d{8}$"  # year and sequence number without the dash: the same as the extract gives, only faster


def canonical_incident_numbers(numbers: pd.Series) -> pd.Series:
    """Each incident number in one spelling, the legacy `Complaint` form: two-digit year, a dash, the sequence
    number in six digits (24000777, 024000777 and 24-000777 are all 24-000777). A value of another form is kept
    as it is (stripped): it still names one incident, whatever it means. Both SLMPD readers write `complaint` so."""
    # Most values are already written so (every legacy one), or are the NIBRS files' eight digits (24000777), which
    # arrow cuts in two (the 180,000 rows of the combined 2021-2023 release: 0.07 s of CPU, against 0.46 s in the
    # extract): only the others go through the slower extract.
    text = pa.array(numbers, type=pa.string())
    written = pc.match_substring_regex(text, pattern=CANONICAL_NUMBER).fill_null(True).to_numpy(zero_copy_only=False)
    eight = pc.match_substring_regex(text, pattern=EIGHT_DIGITS).fill_null(False).to_numpy(zero_copy_only=False)
    other = ~written & ~eight
    if not (other.any() or eight.any()):
        return numbers
    result = numbers.copy()
    if eight.any():
        digits = text.filter(pa.array(eight))
        year, sequence = pc.utf8_slice_codeunits(digits, 0, 2), pc.utf8_slice_codeunits(digits, 2)
        result[eight] = pc.binary_join_element_wise(year, sequence, "-").to_numpy(zero_copy_only=False)
    if other.any():
        result[other] = respelled_numbers(numbers[other])
    return result


def respelled_numbers(numbers: pd.Series) -> pd.Series:
    parts = numbers.str.extract(f"^(?:{INCIDENT_NUMBER})$")
    digits = parts["digits"].str.zfill(2 + SEQUENCE_DIGITS)
    year = parts["year"].str.zfill(2).fillna(digits.str[:2])
    sequence = parts["sequence"].str.zfill(SEQUENCE_DIGITS).fillna(digits.str[2:])
    return (year + "-" + sequence).fillna(numbers)


# Months and days written without their leading zero (1/2/2014 8:05) get it back: arrow's strptime wants it.
ZERO_PAD = ((r"^(\d)/", r"0\1/"), (r"^(\d\d)/(\d)/", r"\1/0\2/"), (r" (\d):", r" 0\1:"), (r"\.\d+$", ""))


def parse_datetimes(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Timestamps from text in any of `formats` (tried in order); NaT where the text is empty or unreadable."""
    padded = pa.array(text, type=pa.string())
    for pattern, replacement in ZERO_PAD:
        padded = pc.replace_substring_regex(padded, pattern=pattern, replacement=replacement)
    parsed = None
    for date_format in formats:
        attempt = pc.strptime(padded, format=date_format, unit="s", error_is_null=True)
        parsed = attempt if parsed is None else pc.coalesce(parsed, attempt)
    return pd.Series(parsed.to_numpy(zero_copy_only=False), index=text.index).astype("datetime64[s]")


def parse_table(raw: RawFile, text: str) -> Table:
    """Parse CSV text into strings, checking that every row has as many fields as the header."""
    text = normalize_newlines(text)
    data = text.encode("utf-8")
    starts, ends = line_spans(data)
    header = read_header(text)
    if not len(starts) or not any(header):
        problem = Problem(raw.display, 1, HEADER, "", "a header line naming the columns")
        return Table(header, pd.DataFrame(), np.array([], dtype=np.int32), [problem])
    if (quotes_per_line(data, ends)[1:] % 2).any():
        # A quoted field spans lines: only the csv module knows where each record starts.
        return _parse_records(raw, text, header)
    filled = (ends - starts)[1:] > 0
    numbers = np.arange(2, len(starts) + 1, dtype=np.int32)[filled]
    if len(set(header)) != len(header):
        return _parse_records(raw, text, header)
    try:
        frame, invalid = _read_arrow(data, header)
    except pa.ArrowInvalid:
        return _parse_records(raw, text, header)
    if invalid:
        return _field_count_problems(raw, header, invalid, numbers) or _parse_records(raw, text, header)
    if len(frame) != len(numbers):
        return _parse_records(raw, text, header)
    return Table(header, frame, numbers)


def line_spans(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The start and end (exclusive) byte offset of each line of UTF-8 text with "\n" line breaks, as
    str.split("\n") cuts them, without the empty piece after a final line break. Found with numpy on the bytes:
    the lines as Python strings, and then as Arrow strings, cost half a second for the 700,000 legacy rows."""
    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(data)]))
    if starts[-1] == len(data):
        starts, ends = starts[:-1], ends[:-1]
    return starts, ends


def quotes_per_line(data: bytes, ends: np.ndarray) -> np.ndarray:
    """How many double quotes each line (ending at `ends`, from line_spans) holds."""
    quotes = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord('"'))
    return np.bincount(np.searchsorted(ends, quotes), minlength=len(ends))


def _read_arrow(data: bytes, header: list[str]) -> tuple[pd.DataFrame, list[pacsv.InvalidRow]]:
    """The rows as strings (from the text's UTF-8 bytes), and the rows whose number of fields differs from the
    header's (left out)."""
    invalid: list[pacsv.InvalidRow] = []

    def skip_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(data),
        # One thread: only then does arrow tell the handler each row's number (a file is one block anyway).
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 26, use_threads=False),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=False, ignore_empty_lines=True, invalid_row_handler=skip_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.to_pandas(), invalid


def _field_count_problems(
    raw: RawFile, header: list[str], invalid: list[pacsv.InvalidRow], numbers: np.ndarray
) -> Table | None:
    """The rows arrow found with the wrong number of fields, as a table of problems by line (None: a row's number
    is not known). `numbers` are the lines of the rows that are not empty: arrow numbers the lines that are not
    empty, the header's 1, so its row n is on line numbers[n - 2]."""
    if any(row.number is None or not 2 <= row.number <= len(numbers) + 1 for row in invalid):
        return None
    expected = f"{len(header)} fields as in the header"
    problems = [
        Problem(raw.display, int(numbers[row.number - 2]), ROW, row.text, f"{expected}, found {row.actual_columns}")
        for row in invalid
    ]
    return Table(header, pd.DataFrame(), np.array([], dtype=np.int32), problems)


def _parse_records(raw: RawFile, text: str, header: list[str]) -> Table:
    reader = csv.reader(io.StringIO(text), strict=True)
    records, numbers, problems = [], [], []
    start = 2
    try:
        next(reader)
        for record in reader:
            if record and len(record) != len(header):
                value = ",".join(record)
                expected = f"{len(header)} fields as in the header, found {len(record)}"
                problems.append(Problem(raw.display, start, ROW, value, expected))
            elif record:
                records.append(record)
                numbers.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        row = text.split("\n", start)[start - 1] if start <= text.count("\n") + 1 else ""
        problems.append(Problem(raw.display, start, ROW, row, f"well-formed CSV (a quote is left open: {error})"))
    if problems:
        return Table(header, pd.DataFrame(columns=header), np.array([], dtype=np.int32), problems)
    frame = pd.DataFrame(records, columns=header, dtype=str)
    return Table(header, frame, np.array(numbers, dtype=np.int32))


@dataclass
class Batch:
    """Rows of several files in one format, checked and converted together (much faster than per file)."""

    frame: pd.DataFrame  # the reader's own column names
    file_index: np.ndarray  # for each row, its file's position in `files`
    lines: np.ndarray
    files: list[RawFile]
    names: list[dict[str, str]]  # for each file: the reader's column name -> the name in the file
    covers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file name -> its months, if the reader says
    not_counted: dict[str, int] = field(default_factory=dict)  # file name -> rows read but not crimes (a reader's say)
    history: ReleaseHistory | None = None  # how each release changed the counted units, if the reader says

    @classmethod
    def combine(cls, parts: list[tuple[RawFile, pd.DataFrame, np.ndarray, dict[str, str]]]) -> Batch:
        frames = [frame for _, frame, _, _ in parts]
        index = np.concatenate([np.full(len(frame), i, dtype=np.int32) for i, frame in enumerate(frames)])
        return cls(
            frame=pd.concat(frames, ignore_index=True),
            file_index=index,
            lines=np.concatenate([lines for _, _, lines, _ in parts]).astype(np.int32),
            files=[raw for raw, _, _, _ in parts],
            names=[names for _, _, _, names in parts],
        )

    def file_names(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.file_index, categories=[raw.name for raw in self.files])

    def problems(self, bad: pd.Series, column: str, values: pd.Series, expected: str) -> list[Problem]:
        mask = bad.fillna(True).to_numpy(dtype=bool)
        found = []
        for file_number, line, value in zip(
            self.file_index[mask], self.lines[mask], values[mask].tolist(), strict=True
        ):
            raw = self.files[file_number]
            header_name = self.names[file_number].get(column, column)
            found.append(Problem(raw.display, int(line), header_name, str(value), expected))
        return found


@runtime_checkable
class FormatReader(Protocol):
    """What the build asks of the reader of one raw format: a reader module (slmpd_legacy, slmpd_nibrs) or a
    configured object (generic_csv.GenericCsvReader). Named apart from config.Reader, site.yml's `reader:` section."""

    FORMAT: str  # the format's name in each file's facts and in the cache: slmpd-legacy, slmpd-nibrs, csv
    # Whether each file turns into rows on its own (so its rows can be cached by its content); False when a file can
    # replace the rows of others (a NIBRS release re-sends older incidents), so the format's files are read together.
    PER_FILE: bool

    def detect(self, header: list[str]) -> str | None:
        """The layout's name when this reader reads a file with this header, else None."""
        ...

    def expected_header(self, header: list[str]) -> str:
        """What a header must be for this reader, in words (a problem's `expected` when no reader knows one)."""
        ...

    def prepare(self, table: Table) -> tuple[pd.DataFrame, dict[str, str]]:
        """The columns the reader uses under its own names, and each one's name in the file."""
        ...

    def to_incidents(self, batch: Batch, context: ReadContext) -> tuple[pd.DataFrame, list[Problem]]:
        """Canonical rows for a batch of files in this format, or the problems that stop the build."""
        ...
