"""What a downloaded file must hold, from the site config: an incident CSV file whose header a reader knows,
the neighborhood table with its columns, or a GeoJSON FeatureCollection (checked before the file moves into place)."""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

from crimesite import sources, textio
from crimesite.config import SiteConfig
from crimesite.sources import common

HEAD_BYTES = 1 << 16  # how much of a CSV file (decompressed) is read to check its header
GEOJSON_SUFFIXES = (".geojson", ".json")
SHOWN_HEADER_CHARS = 200
WEB_PAGE = "the server sent a web page (HTML), not the file"


@dataclass(frozen=True)
class Expect:
    """What the downloaded files must hold, from the site config: files for raw_dir are incident CSV files
    that one of `readers` detects; the neighborhood table has its columns; .geojson/.json files are GeoJSON
    FeatureCollections."""

    raw_dir: Path
    readers: tuple[common.FormatReader, ...]
    table: Path | None
    table_columns: tuple[str, ...]


def expectations(site: SiteConfig) -> Expect:
    places = site.places
    return Expect(
        site.raw_dir,
        sources.readers(site.reader.csv),
        places.neighborhood_table,
        tuple(vars(places.table_columns).values()),
    )


def kind_problem(destination: Path, expect: Expect) -> str | None:
    """Why the fetch could not check a file downloaded to `destination`, or None."""
    if content_kind(destination, expect) is not None:
        return None
    return (
        f"cannot check what {destination.name} should hold: fetch downloads incident files (.csv, .CSV, "
        f".csv.gz) into {expect.raw_dir}, the neighborhood table, and GeoJSON (.geojson, .json)"
    )


def content_kind(destination: Path, expect: Expect) -> str | None:
    """`incidents`, `table` or `geojson`: what a file downloaded to `destination` must be (None: not known)."""
    if expect.table is not None and destination == expect.table:
        return "table"
    if destination.name.lower().endswith(GEOJSON_SUFFIXES):
        return "geojson"
    if is_inside(destination, expect.raw_dir) and sources.is_raw_file(destination):
        return "incidents"
    return None


def content_problem(staged: Path, destination: Path, expect: Expect) -> str | None:
    """Why the downloaded file is not what its destination expects, or None."""
    kind = content_kind(destination, expect)
    with staged.open("rb") as handle:
        if looks_like_html(handle.read(HEAD_BYTES)):
            return WEB_PAGE
    try:
        head = read_head(staged, destination.name)
    except (textio.NotGzipError, OSError, EOFError, zlib.error) as error:
        return f"not a readable file ({error})"
    if looks_like_html(head):
        return WEB_PAGE + " (gzip-compressed)"
    if kind == "geojson":
        return geojson_problem(staged)
    what = textio.not_text(head)
    if what is not None:
        return f"not the CSV text file expected; this is {what}"
    header = common.read_header(common.normalize_newlines(textio.decode(head).text))
    if kind == "table":
        missing = [name for name in expect.table_columns if name not in header]
        return f"the neighborhood table lacks column(s) {', '.join(missing)}: {shown(header)}" if missing else None
    if not any(reader.detect(header) for reader in expect.readers):
        return f"not a crime file the build can read: its header is {shown(header)}"
    return None


def looks_like_html(head: bytes) -> bool:
    """Markup where a CSV header or a JSON object should begin: an error or login page, whatever its type."""
    return head.removeprefix(textio.UTF8_BOM).lstrip()[:1] == b"<"


def read_head(path: Path, name: str) -> bytes:
    """The first HEAD_BYTES of the file, decompressed when it is gzip (only that much is ever inflated)."""
    with path.open("rb") as handle:
        compressed = handle.read(len(textio.GZIP_MAGIC)) == textio.GZIP_MAGIC
    if not compressed:
        if name.lower().endswith(".gz"):
            raise textio.NotGzipError("file name ends in .gz but the content is not gzip")
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    with gzip.open(path, "rb") as stream:
        return stream.read(HEAD_BYTES)


def shown(header: list[str]) -> str:
    text = ",".join(header)
    return repr(text if len(text) <= SHOWN_HEADER_CHARS else text[:SHOWN_HEADER_CHARS] + "...")


def geojson_problem(path: Path) -> str | None:
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as error:
        return f"not GeoJSON: {error}"
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        return f"not a GeoJSON FeatureCollection (type {found!r})"
    if not isinstance(data.get("features"), list):
        return "a GeoJSON FeatureCollection without a list of features"
    return None


def is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
