"""Find raw files, detect each one's format from its header, and read them into one table.

site.yml's `reader.format` chooses the readers: `slmpd` (the legacy and NIBRS readers, told apart by
header) or `csv` (the generic reader, driven by the column mapping in `reader.csv`)."""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crimesite import incidents, textio
from crimesite.errors import DataError, Problem
from crimesite.sources import common, generic_csv, slmpd_legacy, slmpd_nibrs
from crimesite.sources.common import RawFile, ReadContext

SLMPD_READERS = (slmpd_legacy, slmpd_nibrs)
# Where the SLMPD files give each canonical column (the data dictionary says it beside the column).
SLMPD_SOURCE_COLUMNS = {
    "complaint": "`Complaint` (legacy files from June 2013; none before) and `IncidentNum` (NIBRS)",
    "year": "legacy: the coded month, `CodedMonth` / `MonthReportedtoMSHP`; NIBRS: `IncidentDate`",
    "occurred_at": "legacy: `DateOccur` (the 'occurred from' time); NIBRS: `IncidentDate` and `OccurredFromTime`",
    "flag_new": "`FlagCrime` = Y (legacy; always true for NIBRS)",
    "flag_unfounded": "`FlagUnfounded` = Y (legacy)",
    "flag_administrative": "`FlagAdministrative` = Y (legacy)",
    "crime_code": "legacy: the six-digit SLMPD crime code in `Crime`; NIBRS: `NIBRS`",
    "ucr_class": "legacy: the first two digits of the crime code; NIBRS: `SRS_UCR`",
    "description": "legacy: `Description`; NIBRS: `Offense`",
    "district": "`District` (1-9 until 2013, 1-6 from January 2014)",
    "neighborhood": "`Neighborhood` (legacy) and `NbhdNum` (NIBRS): 1-79 neighborhoods, 80-88 parks and other areas",
    "block": "legacy: `ILEADSAddress` and `ILEADSStreet`; NIBRS: `IncidentLocation`",
    "latitude": "legacy: `XCoord`/`YCoord` (Missouri State Plane East, US feet); NIBRS: `Latitude`",
    "longitude": "legacy: `XCoord`/`YCoord`; NIBRS: `Longitude`",
    "firearm": "NIBRS: `FirearmUsed`; legacy: whether the description names a firearm or another weapon",
}
# The CSV reader's columns: canonical column -> the `reader.csv.columns` keys it comes from.
CSV_SOURCE_KEYS = {
    "complaint": ("incident_id",),
    "year": ("counted", "occurred"),
    "occurred_at": ("occurred", "occurred_time"),
    "crime_code": ("offense_code",),
    "description": ("description",),
    "district": ("district",),
    "neighborhood": ("neighborhood",),
    "block": ("address", "house_number", "street"),
    "latitude": ("latitude", "y"),
    "longitude": ("longitude", "x"),
    "count": ("count",),
    "firearm": ("firearm",),
}


def source_columns(reader) -> dict[str, str]:
    """canonical column -> where the raw files give it, for the data dictionary (`reader`: config.Reader)."""
    if reader.csv is None:
        return dict(SLMPD_SOURCE_COLUMNS)
    mapped = vars(reader.csv.columns)
    found = {}
    for column, keys in CSV_SOURCE_KEYS.items():
        names = [mapped[key] for key in keys if mapped.get(key)]
        if names:
            found[column] = ", ".join(f"`{name}`" for name in names)
    return found
SLMPD_HEADERS = "a known header (SLMPD legacy: 18, 20 or 26 columns; SLMPD NIBRS: 22 columns; see data/README.md)"
# Formats whose files never repeat a crime: the same content twice would count its crimes twice.
UNIQUE_CONTENT = (slmpd_legacy.FORMAT, generic_csv.FORMAT)
SUFFIXES = (".csv", ".CSV", ".csv.gz")
FILE = "(file)"


@dataclass(frozen=True)
class FileInfo:
    """What the data-quality page says about one raw file."""

    name: str
    sha256: str
    format: str
    layout: str
    rows: int
    count_sum: int
    had_bom: bool
    cp1252_bytes: int
    months: tuple[str, ...]  # counting months of its rows
    covers: tuple[str, ...]  # months this file is the source for (legacy: its months; NIBRS: its release month)
    not_counted: int = 0  # rows read but left out as not crimes (generic CSV: codes with an empty UCR class)


def is_raw_file(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


def discover(paths: list[Path]) -> list[RawFile]:
    """Every .csv, .CSV and .csv.gz file under the given files and folders, in a stable order."""
    found: dict[Path, RawFile] = {}
    for given in paths:
        if not given.exists():
            raise DataError([Problem(str(given), 0, FILE, str(given), "an existing file or folder")])
        candidates = [given] if given.is_file() else sorted(p for p in given.rglob("*") if p.is_file())
        base = given.parent if given.is_file() else given
        for path in candidates:
            if not is_raw_file(path):
                continue
            resolved = path.resolve()
            if resolved not in found:
                found[resolved] = RawFile(
                    path=resolved,
                    name=path.relative_to(base).as_posix(),
                    display=_display(path),
                    sha256=hashlib.sha256(resolved.read_bytes()).hexdigest(),
                )
    return sorted(found.values(), key=lambda raw: (raw.name, raw.display))


def _display(path: Path) -> str:
    relative = os.path.relpath(path.resolve())
    return relative if not relative.startswith("..") else str(path)


def read_text(raw: RawFile) -> tuple[textio.DecodedText | None, list[Problem]]:
    try:
        data = textio.decompress(raw.path.read_bytes(), raw.path.name)
    except (textio.NotGzipError, OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        return None, [Problem(raw.display, 1, FILE, raw.path.name, f"a readable file ({error})")]
    kind = textio.not_text(data)
    if kind is not None:
        expected = f"a CSV text file (UTF-8 or Windows-1252); this is {kind}"
        return None, [Problem(raw.display, 1, FILE, raw.path.name, expected)]
    return textio.decode(data), []


@dataclass
class Prepared:
    raw: RawFile
    reader: object
    layout: str
    decoded: textio.DecodedText
    frame: pd.DataFrame
    lines: np.ndarray
    names: dict[str, str]


def readers(context: ReadContext) -> tuple:
    """The readers site.yml's reader format asks for, in the order they are tried."""
    return (generic_csv.Reader(context.csv),) if context.csv is not None else SLMPD_READERS


def expected_header(found: tuple, header: list[str]) -> str:
    if len(found) == 1 and isinstance(found[0], generic_csv.Reader):
        return found[0].expected_header(header)
    return SLMPD_HEADERS


def prepare_file(raw: RawFile, found: tuple = SLMPD_READERS) -> tuple[Prepared | None, list[Problem]]:
    """Decode one file, detect its format and split it into rows; nothing is interpreted yet."""
    decoded, problems = read_text(raw)
    if decoded is None:
        return None, problems
    header = common.read_header(common.normalize_newlines(decoded.text[:10_000]))
    if not any(header):
        return None, [Problem(raw.display, 1, common.HEADER, "", "a header line naming the columns")]
    reader = next((r for r in found if r.detect(header)), None)
    if reader is None:
        shown = ",".join(header)
        expected = expected_header(found, header) + header_hint(shown)
        return None, [Problem(raw.display, 1, common.HEADER, shown, expected)]
    table = common.parse_table(raw, decoded.text)
    if table.problems:
        return None, table.problems
    if table.frame.empty:
        return None, [Problem(raw.display, 2, common.ROW, "", "at least one row after the header")]
    frame, names = reader.prepare(table)
    return Prepared(raw, reader, reader.detect(header), decoded, frame, table.lines, names), []


def header_hint(first_line: str) -> str:
    """What an unknown header most likely is, when it is one of the usual mistakes."""
    if first_line.lstrip().startswith("<"):
        return "; this is an HTML page (an error page saved in place of the file?)"
    if "," not in first_line:
        for separator, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if separator in first_line:
                return f"; its columns are separated by {name}, not commas"
    return ""


def describe_files(
    prepared: list[Prepared], rows: pd.DataFrame, covers: dict[str, str], not_counted: dict[str, int] | None = None
) -> list[FileInfo]:
    """What each file holds. A file stands for the months of its rows, unless its reader said otherwise
    (a NIBRS release also re-sends older incidents: it stands for its main month only)."""
    sums = rows.groupby("source_file", observed=True)["count"].agg(["size", "sum"])
    months = (
        (rows["year"].astype(int) * 100 + rows["month"].astype(int))
        .groupby(rows["source_file"], observed=True)
        .unique()
    )
    infos = []
    for item in prepared:
        name = item.raw.name
        present = name in sums.index
        file_months = tuple(f"{m // 100:04d}-{m % 100:02d}" for m in sorted(months[name])) if present else ()
        infos.append(
            FileInfo(
                name=name,
                sha256=item.raw.sha256,
                format=item.reader.FORMAT,
                layout=item.layout,
                rows=int(sums.loc[name, "size"]) if present else 0,
                count_sum=int(sums.loc[name, "sum"]) if present else 0,
                had_bom=item.decoded.had_bom,
                cp1252_bytes=item.decoded.cp1252_bytes,
                months=file_months,
                covers=(covers[name],) if name in covers else file_months,
                not_counted=(not_counted or {}).get(name, 0),
            )
        )
    return infos


def load(files: list[RawFile], context: ReadContext) -> tuple[pd.DataFrame, list[FileInfo]]:
    """Read every file into the canonical table; raise DataError listing every problem in every file."""
    prepared, problems = [], []
    found = readers(context)
    for raw in files:
        item, file_problems = prepare_file(raw, found)
        problems.extend(file_problems)
        if item is not None:
            prepared.append(item)
    frames, covers, not_counted = [], {}, {}
    for reader in found:
        mine = [item for item in prepared if item.reader is reader]
        if mine:
            batch = common.Batch.combine([(i.raw, i.frame, i.lines, i.names) for i in mine])
            rows, batch_problems = reader.to_incidents(batch, context)
            problems.extend(batch_problems)
            covers.update(batch.covers)
            not_counted.update(batch.not_counted)
            frames.append(rows)
    if problems:
        raise DataError(problems)
    if not frames:
        return incidents.empty(), []
    table = incidents.conform(pd.concat(frames, ignore_index=True))
    infos = describe_files(prepared, table, covers, not_counted)
    problems = check_across_files(files, infos)
    if problems:
        raise DataError(problems)
    return table, infos


def check_across_files(files: list[RawFile], infos: list[FileInfo]) -> list[Problem]:
    """The same file twice, or one legacy month in two files, would count crimes twice."""
    problems = []
    display = {raw.name: raw.display for raw in files}
    # NIBRS files may hold the same incidents again (the newest version wins), so their copies are allowed.
    unique = {info.name for info in infos if info.format in UNIQUE_CONTENT}
    first_with_hash: dict[str, str] = {}
    duplicates = set()
    for raw in files:
        if raw.name not in unique:
            continue
        if raw.sha256 in first_with_hash:
            expected = (
                f"a file different from {first_with_hash[raw.sha256]} (same content: its crimes would count twice)"
            )
            problems.append(Problem(raw.display, 1, FILE, raw.name, expected))
            duplicates.add(raw.name)
        else:
            first_with_hash[raw.sha256] = raw.name
    month_file: dict[str, str] = {}
    for info in infos:
        if info.format != slmpd_legacy.FORMAT or info.name in duplicates:
            continue
        for month in info.months:
            if month in month_file:
                expected = f"each coded month in one file only; {month} is also in {month_file[month]}"
                problems.append(Problem(display[info.name], 2, "CodedMonth", month, expected))
            else:
                month_file[month] = info.name
    return problems
