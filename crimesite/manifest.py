"""`manifest.json`: one entry per file in the data folder (where it came from, its checksum and size, and the
server's validators for conditional requests), and the bundled sample's listing (`SAMPLE.sha256`) that a fetch
filling raw/ removes."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from crimesite import textio
from crimesite.errors import FetchError

log = logging.getLogger(__name__)

# A raw folder that holds a copy of the sample lists it in this file (as old clones had data/raw/SAMPLE.sha256).
SAMPLE_LISTING = "SAMPLE.sha256"
ENTRY_KEYS = ("path", "url", "sha256", "bytes", "retrieved_at")


@dataclass(frozen=True)
class Entry:
    """One file in manifest.json. `etag` and `last_modified` are the server's, for conditional requests; `source`
    says where a file that was not fetched came from (copied into the repository by hand); `period` is the months a
    release stands for (slmpd_nibrs.period_label) and `listed_as` the text of the link the listing page gave it."""

    path: str
    url: str
    sha256: str
    bytes: int
    retrieved_at: str
    etag: str | None = None
    last_modified: str | None = None
    source: str | None = None
    period: str | None = None
    listed_as: str | None = None

    def to_json(self) -> dict:
        data = {
            "path": self.path,
            "url": self.url,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "retrieved_at": self.retrieved_at,
        }
        optional = {
            "etag": self.etag,
            "last_modified": self.last_modified,
            "source": self.source,
            "period": self.period,
            "listed_as": self.listed_as,
        }
        return data | {key: value for key, value in optional.items() if value is not None}


def read_manifest(path: Path) -> dict[str, Entry]:
    """The entries of an existing manifest by path ({} when there is none); a malformed one stops the fetch."""
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        entries = [parse_entry(item) for item in files]
    except (ValueError, KeyError, TypeError) as error:
        raise FetchError([f"{path}: not a fetch manifest ({error!r}); fix or remove it"]) from None
    by_path = {entry.path: entry for entry in entries}
    if len(by_path) != len(entries):
        raise FetchError([f"{path}: lists a path twice; fix or remove it"])
    return by_path


def parse_entry(item: dict) -> Entry:
    missing = [key for key in ENTRY_KEYS if key not in item]
    if missing:
        raise KeyError(", ".join(missing))
    optional = {key: item.get(key) for key in ("etag", "last_modified", "source", "period", "listed_as")}
    return Entry(
        str(item["path"]),
        str(item["url"]),
        str(item["sha256"]),
        int(item["bytes"]),
        str(item["retrieved_at"]),
        **optional,
    )


def manifest_json(entries: list[Entry]) -> str:
    return json.dumps({"files": [entry.to_json() for entry in entries]}, indent=2) + "\n"


def sample_files(raw_dir: Path, incoming: set[Path]) -> list[Path]:
    """The bundled sample files (with their listing) to remove once real files fill raw/. Files the fetch
    replaces anyway are left out, and so is a listed file whose content is no longer the sample's."""
    listing = raw_dir / SAMPLE_LISTING
    if not listing.is_file():
        return []
    found = [listing]
    for line in listing.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        path = raw_dir / name.strip()
        if path in incoming or not path.is_file():
            continue
        if textio.file_sha256(path) == digest:
            found.append(path)
        else:
            log.warning("%s is listed in %s but is no longer the sample; left in place", path, SAMPLE_LISTING)
    return found
