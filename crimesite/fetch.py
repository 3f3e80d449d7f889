"""Download the official raw files named in site.yml's `fetch:` section, all or nothing.

Every file is first downloaded into a staging folder beside the data folder (`.cache/fetch/`), checked (HTTP
status, length against Content-Length, size and time limits, redirects only to the same host, and content:
an incident CSV file whose header a reader knows, the neighborhood table with its columns, or a GeoJSON
FeatureCollection) and hashed. Only when every file came through are the
new and changed ones moved into place, the bundled sample removed from raw/ and `manifest.json` rewritten; a
failure anywhere leaves the data folder byte for byte as it was. Files are kept exactly as served: nothing is
compressed or decompressed, so a manifest checksum is the checksum of the published file.

SLMPD's NIBRS releases are not named by a template but found where SLMPD lists them (`fetch.listing`): the page
is read with an HTML parser, every link to a .csv (or .csv.gz) file is a release, and its period comes from the
link's text or else its file name (slmpd_nibrs.text_period, release_period). A link whose period cannot be told,
or whose text and name disagree, is reported and skipped, never guessed; two links for one period, or a page with
no CSV link at all (its layout changed), stop the fetch. A pin in site.yml gives a period's address by hand and
replaces a listed link of that period. A period that raw/ already holds in a file of another name (a copy put
there by hand, such as raw/nibrs/Crime-01-2024.csv.gz) is not fetched again: the build would have two files
for one release. A listed file's manifest entry records its `period` (slmpd_nibrs.period_label) and the link
text it was `listed_as`.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html.parser
import http.client
import io
import json
import logging
import shutil
import socket
import string
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from crimesite import sources, textio
from crimesite.config import MANIFEST_NAME, Download, Fetch, Listing, SiteConfig, fetch_downloads
from crimesite.errors import printable
from crimesite.sources import common, slmpd_nibrs

log = logging.getLogger(__name__)

USER_AGENT = "crimesite-fetch/1.0 (St. Louis crime data site; Python urllib)"
# A raw folder that holds a copy of the sample lists it in this file (as old clones had data/raw/SAMPLE.sha256).
SAMPLE_LISTING = "SAMPLE.sha256"
STAGING_NAME = "fetch"
CHUNK_BYTES = 1 << 16
HEAD_BYTES = 1 << 16  # how much of a CSV file (decompressed) is read to check its header
ENTRY_KEYS = ("path", "url", "sha256", "bytes", "retrieved_at")
GEOJSON_SUFFIXES = (".geojson", ".json")
LISTED_SUFFIXES = (".csv", ".csv.gz")  # what a link to a release ends in (any case)
HTML_TYPES = ("text/html", "application/xhtml+xml")
LISTING_NAME = "listing.html"  # the listing page, in the staging folder
SHOWN_HEADER_CHARS = 200
WEB_PAGE = "the server sent a web page (HTML), not the file"


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


class NoNetwork(Exception):
    """A host name did not resolve: the network (or its name service) is down, so no other file is tried."""


class DeadlineExceeded(Exception):
    """The file's deadline passed while waiting for bytes (not an OSError, so nothing on the way wraps it)."""


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


@dataclass(frozen=True)
class Received:
    """A complete 200 response, saved in the staging folder."""

    sha256: str
    size: int
    etag: str | None
    last_modified: str | None
    content_type: str | None = None


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


def request_headers(conditional: Entry | None) -> dict[str, str]:
    # identity: the file is stored exactly as published, never as a compressed transfer
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if conditional is not None and conditional.etag:
        headers["If-None-Match"] = conditional.etag
    if conditional is not None and conditional.last_modified:
        headers["If-Modified-Since"] = conditional.last_modified
    return headers


def download_with_retries(
    url: str, headers: dict[str, str], target: Path, fetch: Fetch, backoff: float, page: bool = False
) -> Received | None:
    """download_once, tried again after connection errors, truncation and 5xx (not 4xx), waiting longer each time,
    all within one deadline for the file (`page`: a web page is what is asked for)."""
    deadline = time.monotonic() + fetch.deadline_seconds
    attempts = 0
    while True:
        try:
            return download_once(url, headers, target, fetch, deadline, page)
        except DownloadError as error:
            attempts += 1
            wait = backoff * 2 ** (attempts - 1)
            if not error.retry or attempts > fetch.retries or time.monotonic() + wait >= deadline:
                tries = f" ({attempts} attempts)" if attempts > 1 else ""
                raise DownloadError(f"{error}{tries}", retry=False) from None
            log.info("retrying %s: %s", url, error)
            time.sleep(wait)


def download_once(
    url: str, headers: dict[str, str], target: Path, fetch: Fetch, deadline: float, page: bool = False
) -> Received | None:
    """One GET into `target`. None for 304 Not Modified; DownloadError for anything short of the whole file, for
    a file over fetch.max_bytes, past the deadline or redirected elsewhere; NoNetwork when the host is unknown."""
    request = urllib.request.Request(url, headers=headers)
    expected: int | None = None
    remaining = deadline - time.monotonic()
    try:
        if remaining <= 0:
            raise DeadlineExceeded
        with make_opener(fetch, deadline).open(request, timeout=min(fetch.timeout_seconds, remaining)) as response:
            check_response(response.headers, page)
            expected = content_length(response.headers)
            if expected is not None and expected > fetch.max_bytes:
                raise DownloadError(f"the server announces {expected:,} bytes, {over_limit(fetch)}", retry=False)
            sha256 = save_body(response, target, fetch)
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
            content_type = response.headers.get("Content-Type")
    except DeadlineExceeded:
        received = target.stat().st_size if target.exists() else 0
        raise DownloadError(
            f"not received within fetch.deadline_seconds ({fetch.deadline_seconds:g} s): "
            f"{progress(received, expected)} came; stopped",
            retry=False,
        ) from None
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return None
        raise DownloadError(f"HTTP {error.code} {error.reason}", retry=error.code >= 500) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, socket.gaierror):
            host = urllib.parse.urlsplit(url).hostname
            raise NoNetwork(f"cannot resolve the host name {host} ({error.reason.strerror})") from None
        raise DownloadError(f"cannot connect: {error.reason}", retry=True) from None
    except (OSError, http.client.HTTPException) as error:
        received = target.stat().st_size if target.exists() else 0
        raise DownloadError(f"connection failed after {progress(received, expected)}: {error!r}", retry=True) from None
    size = target.stat().st_size
    if expected is not None and size != expected:
        raise DownloadError(f"connection dropped: received {progress(size, expected)}", retry=True)
    if size == 0:
        raise DownloadError("the server sent an empty file", retry=False)
    return Received(sha256, size, etag, modified, content_type)


def save_body(response: http.client.HTTPResponse, target: Path, fetch: Fetch) -> str:
    """The response's body into `target`, up to fetch.max_bytes; its SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as sink:
        # read1: what has arrived, not a full chunk (DeadlineReader ends any wait for bytes at the deadline)
        while chunk := response.read1(CHUNK_BYTES):
            size += len(chunk)
            if size > fetch.max_bytes:
                raise DownloadError(f"stopped after {size:,} bytes, {over_limit(fetch)}", retry=False)
            sink.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def check_response(headers, page: bool = False) -> None:
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise DownloadError(f"sent with Content-Encoding {encoding}, not as published", retry=False)
    if not page and headers.get("Content-Type", "").strip().lower().startswith("text/html"):
        raise DownloadError("the server sent a web page (text/html), not the file", retry=False)


def over_limit(fetch: Fetch) -> str:
    return f"more than fetch.max_bytes ({fetch.max_bytes:,}) allows"


def content_length(headers) -> int | None:
    value = headers.get("Content-Length")
    return int(value) if value is not None and value.strip().isdigit() else None


def progress(received: int, expected: int | None) -> str:
    return f"{received:,} of {expected:,} bytes" if expected is not None else f"{received:,} bytes"


# --- connections: redirects and the deadline ---------------------------------------------------------------


def make_opener(fetch: Fetch, deadline: float) -> urllib.request.OpenerDirector:
    """An opener whose connections end by `deadline` and whose redirects keep to the file's own host."""
    return urllib.request.build_opener(
        DeadlineHTTPHandler(deadline), DeadlineHTTPSHandler(deadline), SameHostRedirects(fetch.allowed_hosts)
    )


def host_key(url: urllib.parse.SplitResult) -> str:
    """The host, with its port when one is given (`slmpd.org`, `127.0.0.1:8080`), in lower case."""
    host = (url.hostname or "").lower()
    return host if url.port is None else f"{host}:{url.port}"


def redirect_problem(source: str, target: str, allowed_hosts: tuple[str, ...]) -> str | None:
    """Why a redirect from `source` to `target` is refused, or None: it must not leave https (an http address
    may go to https or stay on http) and must keep to the host and port, unless fetch.allowed_hosts names it."""
    old, new = urllib.parse.urlsplit(source), urllib.parse.urlsplit(target)
    if new.scheme != "https" and not (old.scheme == new.scheme == "http"):
        return f"refused, from {old.scheme} to {new.scheme}"
    if host_key(new) == host_key(old) or host_key(new) in allowed_hosts:
        return None
    other = "port" if (new.hostname or "").lower() == (old.hostname or "").lower() else "host"
    return f"refused, another {other} ({host_key(new)}); fetch.allowed_hosts in site.yml lists the hosts allowed"


class SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_hosts: tuple[str, ...]):
        super().__init__()
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        problem = redirect_problem(req.full_url, newurl, self.allowed_hosts)
        if problem is not None:
            fp.close()
            raise DownloadError(f"HTTP {code} redirect to {newurl} {problem}", retry=False)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class DeadlineReader(io.RawIOBase):
    """A socket's bytes, each wait for them cut short at the deadline (time.monotonic())."""

    def __init__(self, sock: socket.socket, deadline: float, timeout: float | None):
        super().__init__()
        self._sock, self._deadline, self._timeout = sock, deadline, timeout
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open until this is closed

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded
        self._sock.settimeout(remaining if self._timeout is None else min(self._timeout, remaining))
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            if time.monotonic() >= self._deadline:
                raise DeadlineExceeded from None
            raise

    def close(self) -> None:
        self._raw.close()
        super().close()


class DeadlineSocket:
    """A connected socket whose reads (the status line, headers and body) all end by the deadline."""

    def __init__(self, sock: socket.socket, deadline: float, timeout: float | None):
        self._sock, self._deadline, self._timeout = sock, deadline, timeout

    def makefile(self, mode: str = "r", *args, **kwargs):
        if mode != "rb":  # http.client reads its responses through makefile("rb") only
            return self._sock.makefile(mode, *args, **kwargs)
        return io.BufferedReader(DeadlineReader(self._sock, self._deadline, self._timeout))

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class DeadlineConnection(http.client.HTTPConnection):
    def __init__(self, *args, deadline: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self) -> None:
        super().connect()
        self.sock = DeadlineSocket(self.sock, self.deadline, self.timeout)


class DeadlineHTTPSConnection(DeadlineConnection, http.client.HTTPSConnection):
    pass


class DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(functools.partial(DeadlineConnection, deadline=self.deadline), req)


class DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        connection = functools.partial(DeadlineHTTPSConnection, deadline=self.deadline)
        return self.do_open(connection, req, context=self._context)


# --- the listing page: the releases SLMPD links to ---------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link on the listing page: its address (resolved against the page's) and its text, whitespace collapsed."""

    url: str
    text: str


class LinkParser(html.parser.HTMLParser):
    """Every <a href> of a page with the text inside it (nested tags included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._end_link()  # an <a> left open ends where the next begins
            self._href, self._text = dict(attrs).get("href"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._end_link()

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._end_link()

    def _end_link(self) -> None:
        if self._href is not None and self._href.strip():
            self.links.append((self._href.strip(), " ".join("".join(self._text).split())))
        self._href = None


def listing_kind_problem(listing: Listing, folder: Path, expect: Expect) -> str | None:
    """Why the fetch could not check the files the listing downloads (checked before anything is downloaded)."""
    return kind_problem(folder / listing.destination("2024-01", listing.url), expect)


def listed_downloads(
    fetch: Fetch, expect: Expect, others: tuple[Download, ...], staging: Path, backoff: float
) -> tuple[Download, ...]:
    """The releases the listing page links to, with the pins in place of listed links of their period, less the
    periods raw/ already holds in a file of another name; FetchError for a page that cannot be read or lists no
    CSV file, for two links to one period, and for a release whose path another entry downloads to."""
    listing = fetch.listing
    if listing is None:
        return ()
    links = csv_links(read_listing(listing.url, fetch, staging / LISTING_NAME, backoff, len(others)), listing.url)
    if not links:
        raise FetchError([f"{listing.url}: the listing page lists no CSV file: has its layout changed?"])
    by_period = links_by_period(links, listing)
    problems = [twice(listing.url, period, found) for period, found in by_period.items() if len(found) > 1]
    taken = {download.path for download in others}
    downloads = []
    held = held_periods(expect.raw_dir)
    for period, (link, *_) in by_period.items():
        download = Download(link.url, listing.destination(period, link.url), period, link.text or None)
        own = (fetch.folder / download.path).resolve()
        other = [path for path in held.get(period, []) if path.resolve() != own]
        if other:
            log.info("%s: held as %s; not fetched", period, shown_path(other[0], fetch.folder))
        elif download.path in taken:
            problems.append(f"{link.url}: {period} would go to {download.path}, which fetch.files downloads to")
        else:
            downloads.append(download)
    if problems:
        raise FetchError(problems)
    return tuple(downloads)


def shown_path(path: Path, folder: Path) -> str:
    """A path as a message shows it: relative to `folder` when inside it, printable."""
    inside = is_inside(path, folder)
    return printable(path.resolve().relative_to(folder.resolve()).as_posix() if inside else str(path))


def links_by_period(links: list[Link], listing: Listing) -> dict[str, list[Link]]:
    """The links by the period each stands for (links with none left out), the pins in place of the links of
    their periods, in the order of the periods."""
    by_period: dict[str, list[Link]] = {}
    for link in links:
        period = link_period(link)
        if period is not None:
            by_period.setdefault(period, []).append(link)
    by_period.update({pin.period: [Link(pin.url, "")] for pin in listing.pins})
    return {period: by_period[period] for period in sorted(by_period)}


def twice(page: str, period: str, links: list[Link]) -> str:
    """Two links for one release: the build would have two files for one period, so one must be pinned."""
    listed = ", ".join(f"{link.text!r} ({link.url})" for link in links)
    return f"{page}: {len(links)} links for {period}: {listed}; pin one in site.yml (fetch.listing.pins)"


def read_listing(url: str, fetch: Fetch, target: Path, backoff: float, others: int) -> str:
    """The listing page's text, under the limits a file has; FetchError for anything but a web page, and (as for
    a file) one line when its host name does not resolve, with no other file tried."""
    try:
        received = download_with_retries(url, request_headers(None), target, fetch, backoff, page=True)
    except DownloadError as error:
        raise FetchError([f"{url}: the listing page: {error}"]) from None
    except NoNetwork as error:
        raise FetchError([f"{url}: {error}; is the network down? {others} other file(s) not tried"]) from None
    if received is None:
        raise FetchError([f"{url}: the listing page: HTTP 304 Not Modified to a request that was not conditional"])
    body = target.read_bytes()
    content_type = (received.content_type or "").strip().lower()
    if not content_type.startswith(HTML_TYPES) and not looks_like_html(body[:HEAD_BYTES]):
        raise FetchError(
            [
                f"{url}: the listing page is not a web page (Content-Type {received.content_type!r}, "
                f"begins {body[:40]!r})"
            ]
        )
    return body.decode("utf-8", errors="replace")  # only the links are read: an odd byte in the text is harmless


def csv_links(page: str, base: str) -> list[Link]:
    """The page's links to CSV files (.csv, .csv.gz, any case), resolved against `base`, each address once (with
    the first text it was given)."""
    parser = LinkParser()
    parser.feed(page)
    parser.close()
    found: dict[str, Link] = {}
    for href, text in parser.links:
        url = request_url(urllib.parse.urldefrag(urllib.parse.urljoin(base, href)).url)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.path.lower().endswith(LISTED_SUFFIXES):
            continue
        if url not in found or not found[url].text:
            found[url] = Link(url, text)
    return list(found.values())


def request_url(url: str) -> str:
    """The address as a browser would ask for it: spaces, control and non-ASCII characters percent-encoded (UTF-8),
    the rest as written (an address is then also one printable line in a message)."""
    return urllib.parse.quote(url, safe=string.punctuation)


def link_period(link: Link) -> str | None:
    """The period a link stands for, from its text, else its file name; None (with a warning) when neither gives
    one, or when the two disagree."""
    name = urllib.parse.unquote(urllib.parse.urlsplit(link.url).path)
    from_text, from_name = slmpd_nibrs.text_period(link.text), slmpd_nibrs.release_period(name)
    if from_text is not None and from_name is not None and from_text != from_name:
        log.warning(
            "skipped  the link %r (%s): its text gives %s, its file name %s",
            link.text,
            link.url,
            slmpd_nibrs.period_label(*from_text),
            slmpd_nibrs.period_label(*from_name),
        )
        return None
    found = from_text or from_name
    if found is None:
        log.warning("skipped  the link %r (%s): neither its text nor its file name gives a period", link.text, link.url)
        return None
    return slmpd_nibrs.period_label(*found)


def held_periods(raw_dir: Path) -> dict[str, list[Path]]:
    """The raw files already in raw_dir by the period their names give (the bundled sample left out: a fetch that
    fills raw/ removes it)."""
    if not raw_dir.is_dir():
        return {}
    sample = set(sample_files(raw_dir, set()))
    held: dict[str, list[Path]] = {}
    for path in sorted(raw_dir.rglob("*")):
        if path.is_file() and path not in sample and sources.is_raw_file(path):
            found = slmpd_nibrs.release_period(path.name)
            if found is not None:
                held.setdefault(slmpd_nibrs.period_label(*found), []).append(path)
    return held


# --- what a downloaded file must hold ----------------------------------------------------------------------


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
    optional = {key: item.get(key) for key in ("etag", "last_modified", "source", "period", "listed_as")}
    return Entry(
        str(item["path"]),
        str(item["url"]),
        str(item["sha256"]),
        int(item["bytes"]),
        str(item["retrieved_at"]),
        **optional,
    )


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
        if textio.file_sha256(path) == digest:
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
