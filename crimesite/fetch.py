"""Download the official raw files named in site.yml's `fetch:` section, all or nothing.

Every file is first downloaded into a staging folder beside the data folder (`.cache/fetch/`), checked (HTTP
status, length against Content-Length, not an HTML page) and hashed. Only when every file came through are the
new and changed ones moved into place, the bundled sample removed from raw/ and `manifest.json` rewritten; a
failure anywhere leaves the data folder byte for byte as it was. Files are kept exactly as served: nothing is
compressed or decompressed, so a manifest checksum is the checksum of the published file.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from crimesite.config import MANIFEST_NAME, Download, Fetch, fetch_downloads

log = logging.getLogger(__name__)

USER_AGENT = "crimesite-fetch/1.0 (St. Louis crime data site; Python urllib)"
# A raw folder that holds a copy of the sample lists it in this file (as old clones had data/raw/SAMPLE.sha256).
SAMPLE_LISTING = "SAMPLE.sha256"
STAGING_NAME = "fetch"
CHUNK_BYTES = 1 << 16
ENTRY_KEYS = ("path", "url", "sha256", "bytes", "retrieved_at")


class FetchError(RuntimeError):
    """One or more files could not be fetched (one line each); the data folder was left as it was."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) fetching files")


class DownloadError(Exception):
    """One attempt at one file failed; `retry` says whether another attempt could help."""

    def __init__(self, message: str, retry: bool):
        self.retry = retry
        super().__init__(message)


@dataclass(frozen=True)
class Entry:
    """One file in manifest.json. `etag` and `last_modified` are the server's, for conditional requests; `source`
    says where a file that was not fetched came from (copied into the repository by hand)."""

    path: str
    url: str
    sha256: str
    bytes: int
    retrieved_at: str
    etag: str | None = None
    last_modified: str | None = None
    source: str | None = None

    def to_json(self) -> dict:
        data = {"path": self.path, "url": self.url, "sha256": self.sha256, "bytes": self.bytes,
                "retrieved_at": self.retrieved_at}  # fmt: skip
        optional = {"etag": self.etag, "last_modified": self.last_modified, "source": self.source}
        return data | {key: value for key, value in optional.items() if value is not None}


@dataclass(frozen=True)
class Received:
    """A complete 200 response, saved in the staging folder."""

    sha256: str
    size: int
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class Outcome:
    """What one download came to: `new`, `changed` or `unchanged`, and the file's manifest entry."""

    download: Download
    status: str
    entry: Entry
    staged: Path | None  # the file to move into place (new or changed only)


@dataclass(frozen=True)
class Summary:
    new: int
    changed: int
    unchanged: int
    sample_removed: int


def utc_now() -> datetime:
    return datetime.now(UTC)


def run(fetch: Fetch, raw_dir: Path, backoff_seconds: float = 1.0, clock: Callable[[], datetime] = utc_now) -> Summary:
    """Fetch every file the config names into fetch.folder; raise FetchError (and change nothing) on any failure."""
    downloads = fetch_downloads(fetch)
    manifest_path = fetch.manifest
    known = read_manifest(manifest_path)
    staging = fetch.folder.parent / ".cache" / STAGING_NAME
    shutil.rmtree(staging, ignore_errors=True)  # what a killed run left behind
    staging.mkdir(parents=True)
    try:
        outcomes = download_all(downloads, fetch, known, staging, backoff_seconds, clock)
        manifest_text = manifest_json(merged_entries(known, outcomes, fetch.folder))
        fills_raw = any(is_inside(fetch.folder / d.path, raw_dir) for d in downloads)
        sample = sample_files(raw_dir, {fetch.folder / d.path for d in downloads}) if fills_raw else []
        moves = [(None, path) for path in sample]
        moves += [(o.staged, fetch.folder / o.download.path) for o in outcomes if o.staged is not None]
        if not manifest_path.is_file() or manifest_path.read_text(encoding="utf-8") != manifest_text:
            staged_manifest = staging / MANIFEST_NAME
            staged_manifest.write_text(manifest_text, encoding="utf-8")
            moves.append((staged_manifest, manifest_path))
        apply_moves(moves, staging / "backup")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summarize(outcomes, sample, raw_dir)


def download_all(
    downloads: tuple[Download, ...],
    fetch: Fetch,
    known: dict[str, Entry],
    staging: Path,
    backoff_seconds: float,
    clock: Callable[[], datetime],
) -> list[Outcome]:
    """Every file into the staging folder; every failure is collected, then reported together."""
    outcomes, problems = [], []
    for index, download in enumerate(downloads):
        try:
            outcome = fetch_file(download, fetch, known.get(download.path), staging / f"{index:05d}", backoff_seconds)
        except DownloadError as error:
            problems.append(f"{download.url}: {error}")
            log.info("failed   %s: %s", download.path, error)
            continue
        outcomes.append(with_time(outcome, clock))
        log.info("%-8s %s", outcome.status, download.path)
    if problems:
        raise FetchError(problems)
    return outcomes


def fetch_file(download: Download, fetch: Fetch, known: Entry | None, target: Path, backoff: float) -> Outcome:
    """Download one file to `target` (conditionally when the manifest knows the file present) and classify it."""
    destination = fetch.folder / download.path
    local_sha = sha256_file(destination) if destination.is_file() else None
    conditional = known if known is not None and known.sha256 == local_sha else None
    headers = request_headers(conditional)
    received = download_with_retries(download.url, headers, target, fetch.timeout_seconds, fetch.retries, backoff)
    if received is None:
        if conditional is None:
            raise DownloadError("HTTP 304 Not Modified to a request that was not conditional", retry=False)
        return Outcome(download, "unchanged", replace(conditional, url=download.url), None)
    entry = Entry(download.path, download.url, received.sha256, received.size, "", received.etag,
                  received.last_modified)  # fmt: skip
    if received.sha256 == local_sha:
        if known is not None and known.sha256 == local_sha:
            entry = replace(entry, retrieved_at=known.retrieved_at)  # same content: keep when it was retrieved
        return Outcome(download, "unchanged", entry, None)
    return Outcome(download, "new" if local_sha is None else "changed", entry, target)


def with_time(outcome: Outcome, clock: Callable[[], datetime]) -> Outcome:
    """Stamp entries that have no retrieval time yet with now (UTC, to the second)."""
    if outcome.entry.retrieved_at:
        return outcome
    now = clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return replace(outcome, entry=replace(outcome.entry, retrieved_at=now))


def request_headers(conditional: Entry | None) -> dict[str, str]:
    # identity: the file is stored exactly as published, never as a compressed transfer
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if conditional is not None and conditional.etag:
        headers["If-None-Match"] = conditional.etag
    if conditional is not None and conditional.last_modified:
        headers["If-Modified-Since"] = conditional.last_modified
    return headers


def download_with_retries(
    url: str, headers: dict[str, str], target: Path, timeout: float, retries: int, backoff: float
) -> Received | None:
    """download_once, tried again after connection errors, truncation and 5xx (not 4xx), waiting longer each time."""
    attempts = 0
    while True:
        try:
            return download_once(url, headers, target, timeout)
        except DownloadError as error:
            attempts += 1
            if not error.retry or attempts > retries:
                tries = f" ({attempts} attempts)" if attempts > 1 else ""
                raise DownloadError(f"{error}{tries}", retry=False) from None
            log.info("retrying %s: %s", url, error)
            time.sleep(backoff * 2 ** (attempts - 1))


def download_once(url: str, headers: dict[str, str], target: Path, timeout: float) -> Received | None:
    """One GET into `target`. None for 304 Not Modified; DownloadError for anything short of the whole file."""
    request = urllib.request.Request(url, headers=headers)
    expected: int | None = None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            check_response(response.headers)
            expected = content_length(response.headers)
            digest = hashlib.sha256()
            with target.open("wb") as sink:
                while chunk := response.read(CHUNK_BYTES):
                    sink.write(chunk)
                    digest.update(chunk)
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return None
        raise DownloadError(f"HTTP {error.code} {error.reason}", retry=error.code >= 500) from None
    except urllib.error.URLError as error:
        raise DownloadError(f"cannot connect: {error.reason}", retry=True) from None
    except (OSError, http.client.HTTPException) as error:
        received = target.stat().st_size if target.exists() else 0
        raise DownloadError(f"connection failed after {progress(received, expected)}: {error!r}", retry=True) from None
    size = target.stat().st_size
    if expected is not None and size != expected:
        raise DownloadError(f"connection dropped: received {progress(size, expected)}", retry=True)
    if size == 0:
        raise DownloadError("the server sent an empty file", retry=False)
    return Received(digest.hexdigest(), size, etag, modified)


def check_response(headers) -> None:
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise DownloadError(f"sent with Content-Encoding {encoding}, not as published", retry=False)
    if headers.get("Content-Type", "").strip().lower().startswith("text/html"):
        raise DownloadError("the server sent a web page (text/html), not the file", retry=False)


def content_length(headers) -> int | None:
    value = headers.get("Content-Length")
    return int(value) if value is not None and value.strip().isdigit() else None


def progress(received: int, expected: int | None) -> str:
    return f"{received:,} of {expected:,} bytes" if expected is not None else f"{received:,} bytes"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- manifest.json -----------------------------------------------------------------------------------------


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
    optional = {key: item.get(key) for key in ("etag", "last_modified", "source")}
    return Entry(str(item["path"]), str(item["url"]), str(item["sha256"]), int(item["bytes"]),
                 str(item["retrieved_at"]), **optional)  # fmt: skip


def merged_entries(known: dict[str, Entry], outcomes: list[Outcome], folder: Path) -> list[Entry]:
    """This run's entries, plus earlier ones for files no longer in the config that are still there."""
    entries = {path: entry for path, entry in known.items() if (folder / path).is_file()}
    entries.update({outcome.download.path: outcome.entry for outcome in outcomes})
    return [entries[path] for path in sorted(entries)]


def manifest_json(entries: list[Entry]) -> str:
    return json.dumps({"files": [entry.to_json() for entry in entries]}, indent=2) + "\n"


# --- the bundled sample and the final move -----------------------------------------------------------------


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
        if sha256_file(path) == digest:
            found.append(path)
        else:
            log.warning("%s is listed in %s but is no longer the sample; left in place", path, SAMPLE_LISTING)
    return found


def apply_moves(moves: list[tuple[Path | None, Path]], backup_dir: Path) -> None:
    """Move each staged file onto its destination (None: delete the destination), all or nothing: what is
    replaced or deleted goes to backup_dir first, and everything done is undone if a move fails."""
    done: list[tuple[Path, Path | None, bool, list[Path]]] = []  # destination, its backup, placed?, dirs made
    try:
        for index, (source, destination) in enumerate(moves):
            backup = None
            if destination.exists():
                backup = backup_dir / str(index)
                backup.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(destination, backup)
            created = missing_parents(destination) if source is not None else []
            done.append((destination, backup, source is not None, created))
            if source is not None:
                for folder in reversed(created):
                    folder.mkdir()
                shutil.move(source, destination)
    except OSError as error:
        undo_moves(done)
        raise FetchError([f"{destination}: cannot move into place ({error}); nothing was changed"]) from None


def missing_parents(path: Path) -> list[Path]:
    """The folders above `path` that do not exist yet, nearest first."""
    return [parent for parent in path.parents if not parent.exists()]


def undo_moves(done: list[tuple[Path, Path | None, bool, list[Path]]]) -> None:
    for destination, backup, placed, created in reversed(done):
        if placed and destination.exists():
            destination.unlink()
        if backup is not None:
            shutil.move(backup, destination)
        for folder in created:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def summarize(outcomes: list[Outcome], sample: list[Path], raw_dir: Path) -> Summary:
    count = {status: sum(o.status == status for o in outcomes) for status in ("new", "changed", "unchanged")}
    summary = Summary(count["new"], count["changed"], count["unchanged"], len(sample))
    log.info("fetch: %d new, %d changed, %d unchanged", summary.new, summary.changed, summary.unchanged)
    if sample:
        log.info("fetch: removed the bundled sample from %s (%d files, with %s)", raw_dir, len(sample) - 1,
                 SAMPLE_LISTING)  # fmt: skip
    return summary
