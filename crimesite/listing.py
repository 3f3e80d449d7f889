"""SLMPD's listing page: the NIBRS releases are not named by a template but found where SLMPD lists them
(`fetch.listing`).

The page is read with an HTML parser, every link to a .csv (or .csv.gz) file is a release, and its period comes from
the link's text or else its file name (slmpd_nibrs.text_period, release_period). A link whose period cannot be told,
or whose text and name disagree, is reported and skipped, never guessed; two links for one period, or a page with
no CSV link at all (its layout changed), stop the fetch. A pin in site.yml gives a period's address by hand and
replaces a listed link of that period. A period that raw/ already holds in a file of another name (a copy put
there by hand, such as raw/nibrs/Crime-01-2024.csv.gz) is not fetched again: the build would have two files
for one release. A listed file's manifest entry records its `period` (slmpd_nibrs.period_label) and the link
text it was `listed_as`.
"""

from __future__ import annotations

import html.parser
import logging
import string
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from crimesite import sources
from crimesite.config import Download, Fetch, Listing
from crimesite.errors import FetchError, printable
from crimesite.fetch_checks import HEAD_BYTES, Expect, is_inside, kind_problem, looks_like_html
from crimesite.http_download import DownloadError, NoNetwork, download_with_retries, request_headers
from crimesite.manifest import sample_files
from crimesite.sources import slmpd_nibrs

log = logging.getLogger(__name__)

LISTED_SUFFIXES = (".csv", ".csv.gz")  # what a link to a release ends in (any case)
HTML_TYPES = ("text/html", "application/xhtml+xml")
LISTING_NAME = "listing.html"  # the listing page, in the staging folder


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
