"""Download the official raw files named in site.yml's `fetch:` section, all or nothing.

Every file is first downloaded into a staging folder beside the data folder (`.cache/fetch/`), checked (HTTP
status, length against Content-Length, size and time limits, redirects only to the same host, and content:
an incident CSV file whose header a reader knows, the neighborhood table with its columns, or a GeoJSON
FeatureCollection) and hashed. Only when every file came through are the
new and changed ones moved into place, the bundled sample removed from raw/ and `manifest.json` rewritten; a
failure anywhere leaves the data folder byte for byte as it was. Files are kept exactly as served: nothing is
compressed or decompressed, so a manifest checksum is the checksum of the published file.

The steps have their own modules: http_download (one file over HTTP, within its limits), fetch_checks (what a
file must hold), listing (SLMPD's listing page of releases) and manifest (manifest.json and the bundled sample).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from crimesite import textio
from crimesite.config import MANIFEST_NAME, Download, Fetch, fetch_downloads
from crimesite.errors import FetchError
from crimesite.fetch_checks import Expect, content_problem, is_inside, kind_problem
from crimesite.http_download import DownloadError, NoNetwork, download_with_retries, request_headers
from crimesite.listing import listed_downloads, listing_kind_problem
from crimesite.manifest import SAMPLE_LISTING, Entry, manifest_json, read_manifest, sample_files

log = logging.getLogger(__name__)

STAGING_NAME = "fetch"


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
    releases: tuple[str, ...] = ()  # the periods of the listed releases that came new or changed, in order


def utc_now() -> datetime:
    return datetime.now(UTC)


def run(fetch: Fetch, expect: Expect, backoff_seconds: float = 1.0, clock: Callable[[], datetime] = utc_now) -> Summary:
    """Fetch every file the config names, and every release its listing page links to, into fetch.folder; raise
    FetchError (and change nothing) on any failure."""
    templated = fetch_downloads(fetch)
    raw_dir = expect.raw_dir
    unchecked = [f"{d.url}: {problem}" for d in templated if (problem := kind_problem(fetch.folder / d.path, expect))]
    if fetch.listing is not None and (problem := listing_kind_problem(fetch.listing, fetch.folder, expect)):
        unchecked.append(f"{fetch.listing.url}: {problem}")
    if unchecked:
        raise FetchError(unchecked)
    manifest_path = fetch.manifest
    known = read_manifest(manifest_path)
    staging = fetch.folder.parent / ".cache" / STAGING_NAME
    shutil.rmtree(staging, ignore_errors=True)  # what a killed run left behind
    staging.mkdir(parents=True)
    try:
        downloads = templated + listed_downloads(fetch, expect, templated, staging, backoff_seconds)
        outcomes = download_all(downloads, fetch, expect, known, staging, backoff_seconds, clock)
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
    expect: Expect,
    known: dict[str, Entry],
    staging: Path,
    backoff_seconds: float,
    clock: Callable[[], datetime],
) -> list[Outcome]:
    """Every file into the staging folder; every failure is collected, then reported together. A host name
    that does not resolve stops at once: with the network down, every other file would fail the same way."""
    outcomes, problems = [], []
    for index, download in enumerate(downloads):
        target = staging / f"{index:05d}"
        try:
            outcome = fetch_file(download, fetch, expect, known.get(download.path), target, backoff_seconds)
        except DownloadError as error:
            problems.append(f"{download.url}: {error}")
            log.info("failed   %s: %s", download.path, error)
            continue
        except NoNetwork as error:
            left = len(downloads) - index - 1
            problems.append(f"{download.url}: {error}; is the network down? {left} other file(s) not tried")
            break
        outcomes.append(stamped_retrieval(outcome, clock))
        log.info("%-8s %s", outcome.status, download.path)
    if problems:
        raise FetchError(problems)
    return outcomes


def fetch_file(
    download: Download, fetch: Fetch, expect: Expect, known: Entry | None, target: Path, backoff: float
) -> Outcome:
    """Download one file to `target` (conditionally when the manifest knows the file present), check what it
    holds and classify it."""
    destination = fetch.folder / download.path
    local_sha = textio.file_sha256(destination) if destination.is_file() else None
    conditional = known if known is not None and known.sha256 == local_sha else None
    headers = request_headers(conditional)
    received = download_with_retries(download.url, headers, target, fetch, backoff)
    if received is None:
        if conditional is None:
            raise DownloadError("HTTP 304 Not Modified to a request that was not conditional", retry=False)
        entry = replace(conditional, url=download.url, period=download.period, listed_as=download.listed_as)
        return Outcome(download, "unchanged", entry, None)
    problem = content_problem(target, destination, expect)
    if problem is not None:
        raise DownloadError(problem, retry=False)
    entry = Entry(
        download.path,
        download.url,
        received.sha256,
        received.size,
        "",
        received.etag,
        received.last_modified,
        period=download.period,
        listed_as=download.listed_as,
    )
    if received.sha256 == local_sha:
        if known is not None and known.sha256 == local_sha:
            entry = replace(entry, retrieved_at=known.retrieved_at)  # same content: keep when it was retrieved
        return Outcome(download, "unchanged", entry, None)
    return Outcome(download, "new" if local_sha is None else "changed", entry, target)


def stamped_retrieval(outcome: Outcome, clock: Callable[[], datetime]) -> Outcome:
    """Stamp entries that have no retrieval time yet with now (UTC, to the second)."""
    if outcome.entry.retrieved_at:
        return outcome
    now = clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return replace(outcome, entry=replace(outcome.entry, retrieved_at=now))


def merged_entries(known: dict[str, Entry], outcomes: list[Outcome], folder: Path) -> list[Entry]:
    """This run's entries, plus earlier ones for files no longer in the config that are still there."""
    entries = {path: entry for path, entry in known.items() if (folder / path).is_file()}
    entries.update({outcome.download.path: outcome.entry for outcome in outcomes})
    return [entries[path] for path in sorted(entries)]


# --- the final move ----------------------------------------------------------------------------------------


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


def summarize(outcomes: list[Outcome], sample: list[Path], raw_dir: Path) -> Summary:
    count = {status: sum(o.status == status for o in outcomes) for status in ("new", "changed", "unchanged")}
    releases = tuple(o.download.period for o in outcomes if o.download.period and o.status != "unchanged")
    summary = Summary(count["new"], count["changed"], count["unchanged"], len(sample), releases)
    log.info("fetch: %d new, %d changed, %d unchanged", summary.new, summary.changed, summary.unchanged)
    if releases:
        log.info("fetch: releases new or changed: %s", ", ".join(releases))
    if sample:
        log.info(
            "fetch: removed the bundled sample from %s (%d files, with %s)", raw_dir, len(sample) - 1, SAMPLE_LISTING
        )
    return summary
