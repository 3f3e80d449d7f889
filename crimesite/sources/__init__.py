"""Find raw files, detect each one's format from its header, and read them into one table.

site.yml's `reader.format` chooses the readers: `slmpd` (the legacy and NIBRS readers, told apart by
header) or `csv` (the generic reader, driven by the column mapping in `reader.csv`)."""

from __future__ import annotations

import os
import stat
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from crimesite import incidents, months, textio
from crimesite.cache import Cache
from crimesite.config import CsvReader
from crimesite.errors import DataError, Problem, printable
from crimesite.inputs import FileInfo
from crimesite.sources import common, generic_csv, slmpd_legacy, slmpd_nibrs
from crimesite.sources.common import FormatReader, RawFile, ReadContext

SLMPD_READERS: tuple[FormatReader, ...] = (slmpd_legacy, slmpd_nibrs)
# Where the SLMPD files give each canonical column (the data dictionary says it beside the column).
SLMPD_SOURCE_COLUMNS = {
    "complaint": "`Complaint` (legacy files from June 2013; none before) and `IncidentNum` (NIBRS), written as "
    "two-digit year, dash, six-digit sequence (`24000777`, `024000777` and `24-000777` are all `24-000777`, one "
    "incident; other forms are kept as published)",
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
    """canonical column -> where the raw files give it, for the data dictionary (`reader`: config.ReaderConfig)."""
    if reader.csv is None:
        return dict(SLMPD_SOURCE_COLUMNS)
    mapped = vars(reader.csv.columns)
    found = {}
    for column, keys in CSV_SOURCE_KEYS.items():
        names = [mapped[key] for key in keys if mapped.get(key)]
        if names:
            found[column] = ", ".join(f"`{name}`" for name in names)
    return found


SLMPD_HEADERS = f"a known header ({slmpd_legacy.HEADERS}; {slmpd_nibrs.HEADERS}; see data/README.md)"
# Formats whose files never repeat a crime: the same content twice would count its crimes twice.
UNIQUE_CONTENT = (slmpd_legacy.FORMAT, generic_csv.FORMAT)
SUFFIXES = (".csv", ".CSV", ".csv.gz")
FILE = "(file)"
READ_THREADS = 2  # files prepared at once (the machines this runs on have two cores or more)


def is_raw_file(path: Path) -> bool:
    return path.name.endswith(SUFFIXES)


def discover(paths: list[Path], limit: textio.SizeLimit = textio.DEFAULT_LIMIT) -> list[RawFile]:
    """Every .csv, .CSV and .csv.gz file under the given files and folders, in a stable order.

    Only regular files inside the given roots are read: a link that leads out of them, or a name that is a device,
    a pipe or a socket, is refused (a link to /proc/self/environ must never reach an error message). Links to
    folders are not followed. A file larger than `limit` is refused before it is read (even to take its hash). A path
    that does not exist, or holds no raw file, is a command-line mistake."""
    mistakes = [f"no such file or folder: {given}" for given in paths if not os.path.lexists(given)]
    if mistakes:
        raise RawPathError(mistakes)
    roots = [given.resolve() for given in paths]
    found: dict[Path, RawFile] = {}
    problems: list[Problem] = []
    for given in paths:
        candidates = candidate_files(given)
        if not candidates:
            mistakes.append(f"no CSV files found in {given}")
        base = given if given.is_dir() else given.parent
        for path in sorted(candidates, key=lambda path: path.is_symlink()):  # a file under its own name first
            resolved, problem = checked_file(path, roots, limit)
            if problem is not None:
                problems.append(problem)
            elif resolved not in found:
                raw, problem = raw_file(path, resolved, base)
                if raw is None:
                    problems.append(problem)
                else:
                    found[resolved] = raw
    if mistakes:
        raise RawPathError(mistakes)
    if problems:
        raise DataError(problems)
    return sorted(found.values(), key=lambda raw: (raw.name, raw.display))


def candidate_files(given: Path) -> list[Path]:
    """The raw-file names at or under `given`, without following links to folders."""
    if not given.is_dir():
        return [given] if is_raw_file(given) else []
    names = []
    for folder, subfolders, files in os.walk(given, followlinks=False):
        subfolders.sort()
        names.extend(Path(folder) / name for name in sorted(files) if is_raw_file(Path(name)))
        # A link to a folder is not followed, but a raw-file name on it is reported, like any file that is not one.
        names.extend(
            Path(folder) / name for name in subfolders if is_raw_file(Path(name)) and (Path(folder) / name).is_symlink()
        )
    return names


def checked_file(path: Path, roots: list[Path], limit: textio.SizeLimit) -> tuple[Path, Problem | None]:
    """The file a raw-file name leads to, or the problem that stops it from being read."""
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root) for root in roots):
        expected = f"a file inside the folders given to --raw; this is a link to {printable(str(resolved))}"
        return resolved, Problem(_display(path), 1, FILE, path.name, expected)
    try:
        status = resolved.stat()
    except OSError as error:
        return resolved, Problem(_display(path), 1, FILE, path.name, f"a readable file ({error.strerror})")
    if not stat.S_ISREG(status.st_mode):
        expected = f"a regular file; this is {textio.file_kind(status.st_mode)}"
        return resolved, Problem(_display(path), 1, FILE, path.name, expected)
    if status.st_size > limit.max_bytes:  # too large even compressed
        return resolved, Problem(_display(path), 1, FILE, path.name, too_large(textio.TooLargeError(limit.max_bytes)))
    return resolved, None


def raw_file(path: Path, resolved: Path, base: Path) -> tuple[RawFile | None, Problem | None]:
    try:
        sha256 = textio.file_sha256(resolved)
    except OSError as error:
        return None, Problem(_display(path), 1, FILE, path.name, f"a readable file ({error.strerror or error})")
    return RawFile(path=resolved, name=path.relative_to(base).as_posix(), display=_display(path), sha256=sha256), None


class RawPathError(ValueError):
    """A --raw path that does not exist or holds no raw file: a command-line mistake, one message a path."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def _display(path: Path) -> str:
    """Where the file was found (a link by its own name, not its target's), relative to the working folder if inside."""
    relative = os.path.relpath(path.parent.resolve() / path.name)
    return relative if not relative.startswith("..") else str(path)


def read_text(raw: RawFile, limit: textio.SizeLimit) -> tuple[textio.DecodedText | None, list[Problem]]:
    try:
        data = textio.read_raw_bytes(raw.path, limit)
    except textio.TooLargeError as error:
        return None, [Problem(raw.display, 1, FILE, raw.path.name, too_large(error))]
    except (textio.NotGzipError, OSError, EOFError, zlib.error) as error:
        return None, [Problem(raw.display, 1, FILE, raw.path.name, f"a readable file ({error})")]
    kind = textio.not_text(data)
    if kind is not None:
        expected = f"a CSV text file (UTF-8 or Windows-1252); this is {kind}"
        return None, [Problem(raw.display, 1, FILE, raw.path.name, expected)]
    return textio.decode(data), []


@dataclass
class Prepared:
    raw: RawFile
    reader: FormatReader
    layout: str
    decoded: textio.DecodedText
    frame: pd.DataFrame
    lines: np.ndarray
    names: dict[str, str]


def readers(csv: CsvReader | None) -> tuple[FormatReader, ...]:
    """The readers site.yml's reader format asks for, in the order they are tried: the generic CSV reader with
    its `reader.csv` settings, or the SLMPD pair (told apart by header)."""
    return (generic_csv.GenericCsvReader(csv),) if csv is not None else SLMPD_READERS


def expected_header(found: tuple[FormatReader, ...], header: list[str]) -> str:
    """What a header must be, when none of the readers tried knows it: the one reader's own words, or the
    headers of all of them."""
    if len(found) == 1:
        return found[0].expected_header(header)
    return SLMPD_HEADERS


def prepare_file(
    raw: RawFile, found: tuple[FormatReader, ...] = SLMPD_READERS, limit: textio.SizeLimit = textio.DEFAULT_LIMIT
) -> tuple[Prepared | None, list[Problem]]:
    """Decode one file, detect its format and split it into rows; nothing is interpreted yet."""
    decoded, problems = read_text(raw, limit)
    if decoded is None:
        return None, problems
    header = common.read_header(common.normalize_newlines(decoded.text[:10_000]))
    if not any(header):
        return None, [Problem(raw.display, 1, common.HEADER, "", "a header line naming the columns")]
    reader = next((r for r in found if r.detect(header)), None)
    if reader is None:
        shown = ",".join(header)
        hint = header_hint(shown)
        if len(header) == 1 and not hint:
            # One field and no other separator: not a CSV file at all (a .env file, a key, a log), so none of it
            # is shown.
            shown, hint = "", NOT_CSV_HINT
        return None, [Problem(raw.display, 1, common.HEADER, shown, expected_header(found, header) + hint)]
    table = common.parse_table(raw, decoded.text)
    if table.problems:
        return None, table.problems
    if table.frame.empty:
        return None, [Problem(raw.display, 2, common.ROW, "", "at least one row after the header")]
    frame, names = reader.prepare(table)
    # The text itself is not needed any more: keeping it would hold every file's text until all are read.
    kept = textio.DecodedText("", decoded.had_bom, decoded.cp1252_bytes)
    return Prepared(raw, reader, reader.detect(header), kept, frame, table.lines, names), []


def too_large(error: textio.TooLargeError) -> str:
    limit = f"{error.limit / textio.MB:.0f} MB"
    if error.gzipped:
        return (
            f"a gzip file that unpacks to at most {limit} (reader.max_file_mb and reader.max_gzip_ratio in "
            "site.yml); this one unpacks to more: a gzip bomb?"
        )
    return f"a file of at most {limit} (reader.max_file_mb in site.yml); this one is larger"


NOT_CSV_HINT = "; its first line has no commas: this is not a CSV file (its content is not shown)"


def header_hint(first_line: str) -> str:
    """What an unknown header most likely is, when it is one of the usual mistakes."""
    if first_line.lstrip().startswith("<"):
        return "; this is an HTML page (an error page saved in place of the file?)"
    if "," not in first_line:
        for separator, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if separator in first_line:
                return f"; its columns are separated by {name}, not commas"
    return ""


@dataclass(frozen=True)
class FileMeta:
    """What reading one file found besides its rows (kept beside its rows in the cache)."""

    name: str
    sha256: str
    format: str
    layout: str
    had_bom: bool
    cp1252_bytes: int
    covers: tuple[str, ...] = ()  # the months the file stands for, when its reader says
    not_counted: int = 0
    raw_rows: int = 0  # data rows in the file as published (the header not counted)

    @classmethod
    def of(cls, item: Prepared, batch: common.Batch) -> FileMeta:
        name = item.raw.name
        return cls(
            name,
            item.raw.sha256,
            item.reader.FORMAT,
            item.layout,
            item.decoded.had_bom,
            item.decoded.cp1252_bytes,
            batch.covers.get(name, ()),
            batch.not_counted.get(name, 0),
            len(item.frame),
        )


def describe_files(metas: list[FileMeta], rows: pd.DataFrame) -> list[FileInfo]:
    """What each file holds. A file stands for the months of its rows, unless its reader said otherwise
    (a NIBRS release also re-sends older incidents: it stands for the months of its name only)."""
    sums = rows.groupby("source_file", observed=True)["count"].agg(["size", "sum"])
    numbers = (
        (rows["year"].astype(int) * 100 + rows["month"].astype(int))
        .groupby(rows["source_file"], observed=True)
        .unique()
    )
    infos = []
    for meta in metas:
        name = meta.name
        present = name in sums.index
        file_months = tuple(months.key_of(n // 100, n % 100) for n in sorted(numbers[name])) if present else ()
        infos.append(
            FileInfo(
                name=name,
                sha256=meta.sha256,
                format=meta.format,
                layout=meta.layout,
                rows=int(sums.loc[name, "size"]) if present else 0,
                count_sum=int(sums.loc[name, "sum"]) if present else 0,
                had_bom=meta.had_bom,
                cp1252_bytes=meta.cp1252_bytes,
                months=file_months,
                covers=tuple(meta.covers) or file_months,
                not_counted=meta.not_counted,
                raw_rows=meta.raw_rows,
            )
        )
    return infos


@dataclass(frozen=True)
class Loaded:
    """What reading the raw files gives: the canonical table, what each file held, and how each release changed
    the counts (None when no reader's files replace earlier versions: legacy or CSV files only)."""

    table: pd.DataFrame
    files: list[FileInfo]
    history: common.ReleaseHistory | None = None


def load(files: list[RawFile], context: ReadContext, store: Cache | None = None) -> tuple[pd.DataFrame, list[FileInfo]]:
    """The canonical table and the files' facts (see load_all)."""
    loaded = load_all(files, context, store)
    return loaded.table, loaded.files


def load_all(files: list[RawFile], context: ReadContext, store: Cache | None = None) -> Loaded:
    """Read every file into the canonical table; raise DataError listing every problem in every file.

    A reader that works file by file (`PER_FILE`) gets its rows for a file from `store` when that content was
    read before with the same settings and code; the other files are read together in one batch (much faster
    than one by one), then their rows are stored file by file."""
    store = store or Cache.at(None)
    found = readers(context.csv)
    settings = repr(context)
    keys = {raw.name: store.key("rows", raw.name, raw.sha256, settings) for raw in files}
    cached: dict[str, tuple[FileMeta, pa.Table]] = {}
    misses = []
    for raw in files:
        hit = store.read_table("rows", keys[raw.name])
        if hit is not None:
            cached[raw.name] = (FileMeta(**hit[1]), hit[0])
        else:
            misses.append(raw)
    prepared, problems = [], []
    # Two files at a time: gunzip and Arrow's CSV parser release the GIL, about a third of a file's time.
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        for item, file_problems in pool.map(
            lambda raw: prepared_file(raw, found, store, settings, context.size_limit), misses
        ):
            problems.extend(file_problems)
            if item is not None:
                prepared.append(item)
    metas = {name: meta for name, (meta, _) in cached.items()}
    tables = []
    history = None
    for reader in found:
        mine = [item for item in prepared if item.reader is reader]
        rows = None
        if mine:
            batch = common.Batch.combine([(i.raw, i.frame, i.lines, i.names) for i in mine])
            rows, batch_problems = reader.to_incidents(batch, context)
            problems.extend(batch_problems)
            metas.update({item.raw.name: FileMeta.of(item, batch) for item in mine})
            history = batch.history or history
        if problems:
            continue
        if reader.PER_FILE:
            fresh = split_by_file(rows) if rows is not None else {}
            for name, part in fresh.items():
                store.write_table("rows", keys[name], part, vars(metas[name]))
            arrived = fresh | {name: table for name, (meta, table) in cached.items() if meta.format == reader.FORMAT}
            tables.extend(arrived[raw.name] for raw in files if raw.name in arrived)
        elif rows is not None:
            tables.append(to_arrow(rows))
    if problems:
        raise DataError(problems)
    if not tables:
        return Loaded(incidents.empty(), [])
    combined = pa.concat_tables(tables, promote_options="permissive").unify_dictionaries()
    table = incidents.conform(combined.to_pandas())
    infos = describe_files([metas[raw.name] for raw in files if raw.name in metas], table)
    problems = check_across_files(files, infos)
    if problems:
        raise DataError(problems)
    return Loaded(table, infos, history)


def prepared_file(
    raw: RawFile, found: tuple[FormatReader, ...], store: Cache, settings: str, limit: textio.SizeLimit
) -> tuple[Prepared | None, list[Problem]]:
    """A file split into rows, from `store` when the same content was split before. Only files whose reader needs
    every file at once (NIBRS) are kept at this stage: the others keep their finished rows instead."""
    key = store.key("prepared", raw.name, raw.sha256, settings)
    hit = store.read_table("prepared", key)
    if hit is not None:
        table, meta = hit
        reader = next(r for r in found if meta["format"] == r.FORMAT)
        frame = table.drop(["_line"]).to_pandas()
        decoded = textio.DecodedText("", meta["had_bom"], meta["cp1252_bytes"])
        return Prepared(raw, reader, meta["layout"], decoded, frame, table["_line"].to_numpy(), meta["names"]), []
    item, problems = prepare_file(raw, found, limit)
    if item is not None and not item.reader.PER_FILE:
        meta = {
            "format": item.reader.FORMAT,
            "layout": item.layout,
            "names": item.names,
            "had_bom": item.decoded.had_bom,
            "cp1252_bytes": item.decoded.cp1252_bytes,
        }
        store.write_table("prepared", key, to_arrow(item.frame.assign(_line=item.lines)), meta)
    return item, problems


def to_arrow(rows: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(rows, preserve_index=False)


def split_by_file(rows: pd.DataFrame) -> dict[str, pa.Table]:
    """A batch's rows as Arrow tables, file by file (a file with no rows gets an empty table). The rows come
    file after file, so each file's are one slice; filtering the table once per file would cost files x rows."""
    table = to_arrow(rows)
    names = rows["source_file"].cat.categories
    codes = rows["source_file"].cat.codes.to_numpy()
    if len(codes) and not (codes[:-1] <= codes[1:]).all():
        return {str(name): table.filter(codes == i) for i, name in enumerate(names)}
    starts = np.searchsorted(codes, np.arange(len(names) + 1))
    return {str(name): table.slice(starts[i], starts[i + 1] - starts[i]) for i, name in enumerate(names)}


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
