"""`build_data.py fetch` against a real HTTP server on 127.0.0.1 serving the repository's own data/ folder."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from crimesite import build, config, fetch, fetch_checks, http_download, paths, sources
from crimesite.errors import FetchError

DATA = paths.ROOT / "data"
LEGACY = ("january2019.csv.gz", "february2019.csv.gz", "march2019.csv.gz")
JANUARY = datetime(2026, 1, 5, 6, 0, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 5, 6, 0, 0, tzinfo=UTC)
TLS = Path(__file__).parent / "fixtures" / "tls"
TIMEOUT_SECONDS = 10  # fetch.timeout_seconds in these tests: each read waits at most this long
# The header of a real legacy file, which the legacy reader detects.
LEGACY_HEADER = gzip.decompress((DATA / "raw" / "legacy" / "january2019.csv.gz").read_bytes()).splitlines()[0]


class Server:
    """What the test server serves and what it was asked. Paths under /files/ come from the repository's data/ folder
    (or from `overrides`); /drop/ sends half of a file and hangs up; /flaky/ fails once with a 500 first;
    /html/ and /csv/ send a file as text/html or text/csv; /trickle/ sends a file's bytes (and /slowhead/ its
    status line and headers) a byte at a time; /endless/ never stops; /huge/ announces a terabyte; a path in
    `redirects` answers 302 with that Location."""

    def __init__(self, root: Path):
        self.root = root
        self.overrides: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failed_once: set[str] = set()
        self.lock = threading.Lock()
        self.url = ""

    def body(self, name: str) -> bytes | None:
        if name in self.overrides:
            return self.overrides[name]
        path = (self.root / name).resolve()
        return path.read_bytes() if path.is_relative_to(self.root) and path.is_file() else None

    def paths_asked(self) -> list[str]:
        return [path for path, _ in self.requests]


KINDS = ("files", "drop", "flaky", "html", "csv", "trickle", "slowhead", "endless", "huge")
CONTENT_TYPES = {"html": "text/html", "csv": "text/csv"}
TRICKLE_SECONDS = 0.25  # between two bytes of /trickle/ and /slowhead/
MAX_TRICKLED = 400  # bytes: the slow servers give up after this (100 s), in case the client never does
ENDLESS_CHUNKS = 4000  # of 64 KiB: /endless/ gives up after 256 MiB


def make_handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with server.lock:
                server.requests.append((self.path, dict(self.headers)))
            if self.path in server.redirects:
                self.send_response(302)
                self.send_header("Location", server.redirects[self.path])
                self.send_header("Content-Length", "0")
                return self.end_headers()
            kind, _, name = self.path.lstrip("/").partition("/")
            if kind in ("endless", "huge"):
                return self.send_forever() if kind == "endless" else self.announce_a_terabyte()
            body = server.body(name)
            if kind == "flaky" and name not in server.failed_once:
                server.failed_once.add(name)
                return self.send_error(500)
            if body is None or kind not in KINDS:
                return self.send_error(404)
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                return self.end_headers()
            if kind == "slowhead":
                return self.trickle(f"HTTP/1.0 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPES.get(kind, "application/octet-stream"))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(0, usegmt=True))
            self.end_headers()
            if kind == "trickle":
                return self.trickle(body)
            if kind == "drop":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return None
            self.wfile.write(body)
            return None

        def trickle(self, data: bytes) -> None:
            """A byte at a time, until the client hangs up (or MAX_TRICKLED bytes)."""
            try:
                for index in range(min(len(data), MAX_TRICKLED)):
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                    time.sleep(TRICKLE_SECONDS)
            except OSError:
                pass
            self.close_connection = True

        def send_forever(self) -> None:
            """A legacy header, then rows without end (no Content-Length), until the client hangs up."""
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            row = b"19-1,2019-01,x\n" * 4096
            try:
                self.wfile.write(LEGACY_HEADER + b"\n")
                for _ in range(ENDLESS_CHUNKS):
                    self.wfile.write(row)
            except OSError:
                pass
            self.close_connection = True

        def announce_a_terabyte(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
            self.close_connection = True

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler


@contextmanager
def serving(root: Path, tls: bool = False) -> Iterator[Server]:
    """A test server on 127.0.0.1 (a free port) for as long as the block runs; with `tls`, over https with the
    certificate of tests/fixtures/tls/ (trusted where SSL_CERT_FILE names it)."""
    state = Server(root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def server() -> Iterator[Server]:
    with serving(DATA) as state:
        yield state


@pytest.fixture
def tls_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """The same server over https; this test's process trusts its certificate (and only it)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "cert.pem"))
    with serving(DATA, tls=True) as state:
        yield state


def fetch_config(folder: Path, files: list[dict], retries: int = 0, **limits) -> config.Fetch:
    section = {"folder": str(folder), "timeout_seconds": TIMEOUT_SECONDS, "retries": retries, "files": files}
    return config.parse_fetch(section | limits, Path("/"))


def legacy_files(url: str, months: tuple[str, ...] = LEGACY, kind: str = "files") -> list[dict]:
    return [{"url": f"{url}/{kind}/raw/legacy/{name}", "to": f"raw/{name}"} for name in months]


def place_files(url: str) -> list[dict]:
    return [
        {"url": f"{url}/files/reference/neighborhoods.csv", "to": "reference/neighborhoods.csv"},
        {"url": f"{url}/files/reference/neighborhoods.geojson", "to": "reference/neighborhoods.geojson"},
        {"url": f"{url}/files/reference/districts.geojson", "to": "reference/districts.geojson"},
    ]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the folder with its bytes and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def expect(folder: Path) -> fetch_checks.Expect:
    """What site.yml expects, for a data folder at `folder`."""
    columns = tuple(vars(config.load_config().places.table_columns).values())
    return fetch_checks.Expect(
        folder / "raw", sources.SLMPD_READERS, folder / "reference" / "neighborhoods.csv", columns
    )


def run(fetch_settings: config.Fetch, clock: datetime = JANUARY) -> fetch.Summary:
    return fetch.run(fetch_settings, expect(fetch_settings.folder), backoff_seconds=0, clock=lambda: clock)


def manifest(folder: Path) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text())["files"]


def test_a_first_fetch_brings_each_file_as_served_and_lists_it_in_the_manifest(tmp_path, server):
    data = tmp_path / "data"
    summary = run(fetch_config(data, legacy_files(server.url) + place_files(server.url)))
    assert (summary.new, summary.changed, summary.unchanged) == (6, 0, 0)
    served = DATA
    expected = {f"raw/{name}": served / "raw" / "legacy" / name for name in LEGACY} | {
        name: served / name
        for name in ("reference/neighborhoods.csv", "reference/neighborhoods.geojson", "reference/districts.geojson")
    }
    for path, source in expected.items():
        assert (data / path).read_bytes() == source.read_bytes(), path
    entries = manifest(data)
    assert [entry["path"] for entry in entries] == sorted(expected)
    for entry in entries:
        source = expected[entry["path"]]
        assert entry["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert entry["bytes"] == source.stat().st_size
        assert entry["retrieved_at"] == "2026-01-05T06:00:00Z"
        assert entry["url"].endswith(source.relative_to(served).as_posix())
    text = (data / "manifest.json").read_text()
    assert text == json.dumps({"files": entries}, indent=2) + "\n"
    assert list(entries[0])[:5] == ["path", "url", "sha256", "bytes", "retrieved_at"]
    assert not (tmp_path / ".cache" / "fetch").exists()


def test_every_real_layout_passes_the_content_check(tmp_path, server):
    """The legacy files of 18, 20 and 26 columns and the NIBRS files are what a raw entry expects."""
    names = [
        "legacy/january2008.csv.gz",
        "legacy/may2017.csv.gz",
        "legacy_2020/december2020.csv.gz",
        "nibrs/Crime-01-2024.csv.gz",
        "nibrs_2024_03_04/Crime-04-2024.csv.gz",
    ]
    files = [{"url": f"{server.url}/files/raw/{name}", "to": f"raw/{name}"} for name in names]
    summary = run(fetch_config(tmp_path / "data", files))
    assert summary.new == len(names)
    for name in names:
        assert (tmp_path / "data" / "raw" / name).read_bytes() == (DATA / "raw" / name).read_bytes()


def test_a_second_fetch_with_nothing_new_rewrites_nothing(tmp_path, server):
    data = tmp_path / "data"
    settings = fetch_config(data, legacy_files(server.url) + place_files(server.url))
    run(settings)
    before = snapshot(data)
    server.requests.clear()
    summary = run(settings, clock=FEBRUARY)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 6)
    assert snapshot(data) == before
    # each file was asked for conditionally (the server answered 304 Not Modified)
    assert len(server.requests) == 6
    assert all("If-None-Match" in headers and "If-Modified-Since" in headers for _, headers in server.requests)


def test_a_file_present_with_the_same_content_is_kept_and_listed(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    source = legacy_dir / LEGACY[0]
    (data / "raw").mkdir(parents=True)
    (data / "raw" / LEGACY[0]).write_bytes(source.read_bytes())
    mtime = (data / "raw" / LEGACY[0]).stat().st_mtime_ns
    summary = run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    assert (summary.new, summary.unchanged) == (0, 1)
    assert (data / "raw" / LEGACY[0]).stat().st_mtime_ns == mtime
    assert manifest(data)[0]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()


def test_a_file_changed_upstream_is_replaced_and_the_others_are_left(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    settings = fetch_config(data, legacy_files(server.url))
    run(settings)
    before, entries_before = snapshot(data), {entry["path"]: entry for entry in manifest(data)}
    new_content = (legacy_dir / "april2019.csv.gz").read_bytes()
    server.overrides["raw/legacy/february2019.csv.gz"] = new_content
    summary = run(settings, clock=FEBRUARY)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 2)
    after = snapshot(data)
    assert after["raw/february2019.csv.gz"][0] == new_content
    for name in ("raw/january2019.csv.gz", "raw/march2019.csv.gz"):
        assert after[name] == before[name]
    entries = {entry["path"]: entry for entry in manifest(data)}
    assert entries["raw/february2019.csv.gz"]["sha256"] == hashlib.sha256(new_content).hexdigest()
    assert entries["raw/february2019.csv.gz"]["bytes"] == len(new_content)
    assert entries["raw/february2019.csv.gz"]["retrieved_at"] == "2026-02-05T06:00:00Z"
    assert entries["raw/january2019.csv.gz"] == entries_before["raw/january2019.csv.gz"]


def failed_run(settings: config.Fetch) -> list[str]:
    with pytest.raises(FetchError) as caught:
        run(settings)
    return caught.value.problems


def test_a_404_stops_the_fetch_and_changes_nothing(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    before = snapshot(data)
    server.overrides["raw/legacy/january2019.csv.gz"] = (legacy_dir / "april2019.csv.gz").read_bytes()
    missing = f"{server.url}/files/raw/legacy/january2031.csv.gz"
    files = legacy_files(server.url) + place_files(server.url) + [{"url": missing, "to": "raw/january2031.csv"}]
    server.requests.clear()
    problems = failed_run(fetch_config(data, files, retries=2))
    assert problems == [f"{missing}: HTTP 404 Not Found"]
    assert server.paths_asked().count("/files/raw/legacy/january2031.csv.gz") == 1  # a 4xx is not retried
    assert snapshot(data) == before  # the files that did come through in this run were not moved in either
    assert not (tmp_path / ".cache" / "fetch").exists()


def test_a_dropped_connection_names_the_url_and_the_bytes_received(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    run(fetch_config(data, place_files(server.url)))
    before = snapshot(data)
    size = (legacy_dir / LEGACY[1]).stat().st_size
    files = legacy_files(server.url, LEGACY[:1]) + legacy_files(server.url, LEGACY[1:2], kind="drop")
    server.requests.clear()
    problems = failed_run(fetch_config(data, files, retries=1))
    [problem] = problems
    assert problem.startswith(f"{server.url}/drop/raw/legacy/{LEGACY[1]}: connection dropped")
    assert f"received {size // 2:,} of {size:,} bytes (2 attempts)" in problem
    assert snapshot(data) == before


def test_a_500_is_tried_again(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    run(fetch_config(data, legacy_files(server.url, LEGACY[:1], kind="flaky"), retries=1))
    assert server.paths_asked() == [f"/flaky/raw/legacy/{LEGACY[0]}"] * 2
    assert (data / "raw" / LEGACY[0]).read_bytes() == (legacy_dir / LEGACY[0]).read_bytes()


def test_a_web_page_in_place_of_the_file_is_refused(tmp_path, server):
    problems = failed_run(fetch_config(tmp_path / "data", legacy_files(server.url, LEGACY[:1], kind="html")))
    page = f"{server.url}/html/raw/legacy/{LEGACY[0]}"
    assert problems == [f"{page}: the server sent a web page (text/html), not the file"]
    assert not (tmp_path / "data").exists()


def test_no_server_at_all_is_one_line_per_file(tmp_path):
    url = unused_port_url()
    problems = failed_run(fetch_config(tmp_path / "data", legacy_files(url, LEGACY[:2])))
    assert [problem.split(": ")[0] for problem in problems] == [f"{url}/files/raw/legacy/{n}" for n in LEGACY[:2]]
    assert all("cannot connect" in problem for problem in problems)


def unused_port_url() -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on (taken, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


# --- hostile servers: each is refused with one line, and data/ (with the bundled sample) stays as it was ----


def data_with_sample(tmp_path: Path, server: Server, sample: Path) -> Path:
    """A data folder holding two sample files (from `sample`, the sample_raw fixture's folder) and the fetched
    boundaries and neighborhood table."""
    data = tmp_path / "data"
    copy_sample(sample, data / "raw", ["january2019.csv", "february2019.csv"])
    run(fetch_config(data, place_files(server.url)))
    assert (data / "raw" / "SAMPLE.sha256").is_file() and (data / "reference" / "districts.geojson").is_file()
    return data


def refused(data: Path, server: Server, entry: dict, **limits) -> str:
    """Fetch a good legacy month and `entry`; the one problem reported. Asserts that data/ did not change."""
    before = snapshot(data)
    problems = failed_run(fetch_config(data, [*legacy_files(server.url, LEGACY[:1]), entry], retries=1, **limits))
    assert snapshot(data) == before
    assert (data / "raw" / "SAMPLE.sha256").is_file()
    assert not (data / "raw" / LEGACY[0]).exists()
    assert not (data.parent / ".cache" / "fetch").exists()
    assert len(problems) == 1, problems
    prefix = f"{entry['url']}: "
    assert problems[0].startswith(prefix), problems
    return problems[0].removeprefix(prefix)


HTML = b"<!DOCTYPE html>\n<html><head><title>Page not found</title></head><body>Sorry</body></html>\n"
WEB_PAGE = "the server sent a web page (HTML), not the file"


def gzip_bomb(head: bytes, megabytes: int) -> bytes:
    """`head`, then that many megabytes of zeros, gzip-compressed a megabyte at a time (about 1 KB each)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(head)] + [packer.compress(bytes(1 << 20)) for _ in range(megabytes)]
    return b"".join([*parts, packer.flush()])


@pytest.mark.parametrize(
    ("body", "kind", "to", "problem"),
    [
        (HTML, "csv", "raw/may2019.csv", WEB_PAGE),  # sent as text/csv: the content decides
        (b"\xef\xbb\xbf  " + HTML, "files", "raw/may2019.CSV", WEB_PAGE),
        (gzip.compress(HTML), "files", "raw/may2019.csv.gz", WEB_PAGE + " (gzip-compressed)"),
        (HTML, "files", "reference/districts.geojson", WEB_PAGE),
        (
            b"name,total\nx,1\n",
            "csv",
            "raw/may2019.csv",
            "not a crime file the build can read: its header is 'name,total'",
        ),
        (
            gzip.compress(b"a;b;c\n1;2;3\n"),
            "files",
            "raw/nibrs/2024-05.csv.gz",
            "not a crime file the build can read: its header is 'a;b;c'",
        ),
        (
            LEGACY_HEADER + b"\n",
            "files",
            "raw/may2019.csv.gz",
            "not a readable file (file name ends in .gz but the content is not gzip)",
        ),
        (
            gzip_bomb(b"", 20),
            "files",
            "raw/may2019.csv.gz",
            "not the CSV text file expected; this is UTF-16 text without a byte-order mark, or binary data "
            "(save it as UTF-8)",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
            "files",
            "raw/may2019.csv",
            "not the CSV text file expected; this is binary data, not CSV text",
        ),
        (
            b'{"type": "Feature", "geometry": null}',
            "files",
            "reference/districts.geojson",
            "not a GeoJSON FeatureCollection (type 'Feature')",
        ),
        (
            b'{"type": "FeatureCollection", "features": {}}',
            "files",
            "reference/neighborhoods.geojson",
            "a GeoJSON FeatureCollection without a list of features",
        ),
        (
            b'{"type": "FeatureCollection", "features": [',
            "files",
            "reference/neighborhoods.geojson",
            "not GeoJSON: Expecting value: line 1 column 44 (char 43)",
        ),
        (
            b"NHD_NUM,NHD_NAME\n1,Carondelet\n",
            "files",
            "reference/neighborhoods.csv",
            "the neighborhood table lacks column(s) is_park_or_nonresidential, pop_2020, "
            "district_6_by_polygon_overlap: 'NHD_NUM,NHD_NAME'",
        ),
    ],
)
def test_a_file_whose_content_is_not_what_its_entry_expects_is_refused(
    tmp_path, server, body, kind, to, problem, sample_raw
):
    data = data_with_sample(tmp_path, server, sample_raw)
    server.overrides["served"] = body
    assert refused(data, server, {"url": f"{server.url}/{kind}/served", "to": to}) == problem
    assert server.paths_asked().count(f"/{kind}/served") == 1  # what the content is does not change on a retry


def test_a_gzip_bomb_is_checked_from_its_first_part_only(tmp_path, server, sample_raw):
    """A header a reader knows, then 100 MB of zeros in about 100 KB: the check inflates HEAD_BYTES only."""
    bomb = gzip_bomb(LEGACY_HEADER + b"\n", 100)
    assert len(bomb) < 200_000
    staged = tmp_path / "bomb.csv.gz"
    staged.write_bytes(bomb)
    head = fetch_checks.HEAD_BYTES
    assert fetch_checks.read_head(staged, staged.name) == (LEGACY_HEADER + b"\n" + bytes(head))[:head]
    data = data_with_sample(tmp_path, server, sample_raw)
    server.overrides["bomb.csv.gz"] = bomb
    started = time.monotonic()
    problem = refused(data, server, {"url": f"{server.url}/files/bomb.csv.gz", "to": "raw/may2019.csv.gz"})
    assert time.monotonic() - started < TIMEOUT_SECONDS
    assert problem == (
        "not the CSV text file expected; this is UTF-16 text without a byte-order mark, or binary data "
        "(save it as UTF-8)"
    )


def test_an_entry_whose_content_cannot_be_checked_is_refused_before_any_download(tmp_path, server, sample_raw):
    data = data_with_sample(tmp_path, server, sample_raw)
    server.requests.clear()
    before = snapshot(data)
    entry = {"url": f"{server.url}/files/raw/legacy/{LEGACY[1]}", "to": "raw/notes.txt"}
    problems = failed_run(fetch_config(data, [*legacy_files(server.url, LEGACY[:1]), entry]))
    assert problems == [
        f"{entry['url']}: cannot check what notes.txt should hold: fetch downloads incident files "
        f"(.csv, .CSV, .csv.gz) into {data / 'raw'}, the neighborhood table, and GeoJSON "
        "(.geojson, .json)"
    ]
    assert server.requests == []
    assert snapshot(data) == before


def test_a_redirect_on_the_same_host_is_followed(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    server.redirects["/old/january2019"] = f"{server.url}/files/raw/legacy/{LEGACY[0]}"
    run(fetch_config(data, [{"url": f"{server.url}/old/january2019", "to": f"raw/{LEGACY[0]}"}]))
    assert (data / "raw" / LEGACY[0]).read_bytes() == (legacy_dir / LEGACY[0]).read_bytes()


def test_a_redirect_to_another_port_or_host_is_refused(tmp_path, server, sample_raw):
    data = data_with_sample(tmp_path, server, sample_raw)
    entry = {"url": f"{server.url}/moved", "to": f"raw/{LEGACY[1]}"}
    server.redirects["/moved"] = "http://files.nonexistent.invalid/february2019.csv.gz"
    assert refused(data, server, entry) == (
        "HTTP 302 redirect to http://files.nonexistent.invalid/february2019.csv.gz refused, another host "
        "(files.nonexistent.invalid); fetch.allowed_hosts in site.yml lists the hosts allowed"
    )
    with serving(DATA) as other:
        elsewhere = f"{other.url}/files/raw/legacy/{LEGACY[1]}"
        server.redirects["/moved"] = elsewhere
        port = other.url.removeprefix("http://")
        assert refused(data, server, entry) == (
            f"HTTP 302 redirect to {elsewhere} refused, another port ({port}); fetch.allowed_hosts in site.yml "
            "lists the hosts allowed"
        )
        assert other.requests == []
        run(fetch_config(data, [entry], allowed_hosts=[port]))  # ... unless site.yml allows that host
        assert other.paths_asked() == [f"/files/raw/legacy/{LEGACY[1]}"]
    assert (data / "raw" / LEGACY[1]).read_bytes() == (DATA / "raw" / "legacy" / LEGACY[1]).read_bytes()


def test_over_https_a_redirect_to_http_is_refused_even_to_an_allowed_host(tmp_path, server, tls_server, sample_raw):
    data = data_with_sample(tmp_path, server, sample_raw)
    plain = f"{server.url}/files/raw/legacy/{LEGACY[1]}"
    tls_server.redirects["/moved"] = plain
    entry = {"url": f"{tls_server.url}/moved", "to": f"raw/{LEGACY[1]}"}
    expected = f"HTTP 302 redirect to {plain} refused, from https to http"
    assert refused(data, tls_server, entry) == expected  # the good month beside it came over https
    assert refused(data, tls_server, entry, allowed_hosts=[server.url.removeprefix("http://")]) == expected
    assert f"/files/raw/legacy/{LEGACY[1]}" not in server.paths_asked()


def test_over_https_a_trickling_server_ends_at_the_deadline(tmp_path, server, tls_server, sample_raw):
    data = data_with_sample(tmp_path, server, sample_raw)
    entry = {"url": f"{tls_server.url}/trickle/raw/legacy/{LEGACY[1]}", "to": f"raw/{LEGACY[1]}"}
    started = time.monotonic()
    problem = refused(data, tls_server, entry, deadline_seconds=1.5)
    assert time.monotonic() - started < TIMEOUT_SECONDS
    assert problem.startswith("not received within fetch.deadline_seconds (1.5 s): ")


@pytest.mark.parametrize(
    ("source", "target", "problem"),
    [
        ("https://slmpd.org/a.csv", "https://slmpd.org/b/a.csv", None),
        ("https://slmpd.org/a.csv", "https://SLMPD.org/b/a.csv", None),
        ("http://slmpd.org/a.csv", "https://slmpd.org/a.csv", None),
        ("http://slmpd.org/a.csv", "http://slmpd.org/b.csv", None),
        ("https://slmpd.org/a.csv", "https://cdn.example.org/a.csv", None),  # listed in allowed_hosts
        ("https://slmpd.org/a.csv", "http://slmpd.org/a.csv", "refused, from https to http"),
        ("https://slmpd.org/a.csv", "http://cdn.example.org/a.csv", "refused, from https to http"),
        ("https://slmpd.org/a.csv", "ftp://slmpd.org/a.csv", "refused, from https to ftp"),
        ("https://slmpd.org/a.csv", "https://slmpd.org:8443/a.csv", "refused, another port (slmpd.org:8443)"),
        ("https://slmpd.org/a.csv", "https://www.slmpd.org/a.csv", "refused, another host (www.slmpd.org)"),
        ("https://slmpd.org/a.csv", "https://cdn.example.org:444/a.csv", "refused, another host (cdn.example.org:444)"),
    ],
)
def test_redirects_keep_to_https_and_to_the_host(source, target, problem):
    found = http_download.redirect_problem(source, target, ("cdn.example.org",))
    assert (found if found is None else found.split(";")[0]) == problem


@pytest.mark.parametrize("kind", ["trickle", "slowhead"])
def test_a_trickling_server_ends_at_the_deadline(tmp_path, server, kind, sample_raw):
    """A byte every quarter second never trips the 10 s read timeout; the file's 1.5 s deadline ends it."""
    data = data_with_sample(tmp_path, server, sample_raw)
    started = time.monotonic()
    entry = {"url": f"{server.url}/{kind}/raw/legacy/{LEGACY[1]}", "to": f"raw/{LEGACY[1]}"}
    problem = refused(data, server, entry, deadline_seconds=1.5)
    assert time.monotonic() - started < TIMEOUT_SECONDS
    assert problem.startswith("not received within fetch.deadline_seconds (1.5 s): "), problem
    assert problem.endswith(" came; stopped")
    assert server.paths_asked().count(f"/{kind}/raw/legacy/{LEGACY[1]}") == 1  # the deadline is for all tries


def test_an_endless_server_ends_at_the_size_limit(tmp_path, server, sample_raw):
    data = data_with_sample(tmp_path, server, sample_raw)
    problem = refused(data, server, {"url": f"{server.url}/endless/x", "to": "raw/may2019.csv"}, max_bytes=1_000_000)
    assert problem.startswith("stopped after 1,0")
    assert problem.endswith(" bytes, more than fetch.max_bytes (1,000,000) allows")


def test_a_file_announced_larger_than_the_limit_is_not_read(tmp_path, server, sample_raw):
    data = data_with_sample(tmp_path, server, sample_raw)
    problem = refused(data, server, {"url": f"{server.url}/huge/x", "to": "raw/may2019.csv"})
    assert problem == "the server announces 1,000,000,000,000 bytes, more than fetch.max_bytes (100,000,000) allows"


def test_a_host_name_that_does_not_resolve_stops_the_fetch_at_once(tmp_path, server, sample_raw):
    """With the network down every address fails alike: one line, no retries, no other file tried."""
    data = data_with_sample(tmp_path, server, sample_raw)
    before = snapshot(data)
    files = legacy_files("http://slmpd.nonexistent.invalid") + place_files(server.url)
    server.requests.clear()
    started = time.monotonic()
    problems = failed_run(fetch_config(data, files, retries=2))
    assert time.monotonic() - started < TIMEOUT_SECONDS
    assert len(problems) == 1
    assert problems[0].startswith(
        f"http://slmpd.nonexistent.invalid/files/raw/legacy/{LEGACY[0]}: cannot resolve "
        "the host name slmpd.nonexistent.invalid ("
    )
    assert problems[0].endswith("); is the network down? 5 other file(s) not tried")
    assert server.requests == []
    assert snapshot(data) == before


FORK = Path(__file__).parent / "fixtures" / "forkcity"


def test_a_fork_with_the_csv_reader_accepts_its_own_files_and_refuses_slmpd_ones(tmp_path, server):
    """With reader.format csv, an incident file must carry the columns site.yml maps, not an SLMPD header."""
    fork = config.load_config(FORK / "site.yml")
    data = tmp_path / "data"
    expect = replace(fetch_checks.expectations(fork), raw_dir=data / "raw", table=data / "reference" / "areas.csv")
    for name in ("raw/riverton_2023.csv", "reference/areas.csv", "reference/areas.geojson"):
        server.overrides[name] = (FORK / "data" / name).read_bytes()
    own = [{"url": f"{server.url}/files/{name}", "to": name} for name in sorted(server.overrides)]
    fetch.run(fetch_config(data, own), expect, backoff_seconds=0, clock=lambda: JANUARY)
    assert sorted(p.relative_to(data).as_posix() for p in data.rglob("*.*")) == sorted(
        [*server.overrides, "manifest.json"]
    )
    slmpd = {"url": f"{server.url}/files/raw/legacy/{LEGACY[0]}", "to": "raw/riverton_2024.csv.gz"}
    with pytest.raises(FetchError) as caught:
        fetch.run(fetch_config(data, [*own, slmpd]), expect, backoff_seconds=0, clock=lambda: JANUARY)
    [problem] = caught.value.problems
    assert problem.startswith(f"{slmpd['url']}: not a crime file the build can read: its header is 'Complaint,")


def copy_sample(sample: Path, raw: Path, names: list[str]) -> None:
    """Some of the sample files, copied into a raw folder with a SAMPLE.sha256 that lists them."""
    raw.mkdir(parents=True, exist_ok=True)
    lines = []
    for name in names:
        content = (sample / name).read_bytes()
        (raw / name).write_bytes(content)
        lines.append(f"{hashlib.sha256(content).hexdigest()}  {name}\n")
    (raw / "SAMPLE.sha256").write_text("".join(lines))


def test_real_raw_files_replace_the_bundled_sample(tmp_path, server, sample_raw):
    data = tmp_path / "data"
    copy_sample(sample_raw, data / "raw", ["january2019.csv", "february2019.csv"])
    (data / "raw" / "notes.txt").write_text("mine")
    summary = run(fetch_config(data, legacy_files(server.url)))
    assert summary.sample_removed == 3
    assert sorted(p.name for p in (data / "raw").iterdir()) == sorted([*LEGACY, "notes.txt"])


def test_the_sample_stays_when_only_reference_files_are_fetched(tmp_path, server, sample_raw):
    data = tmp_path / "data"
    copy_sample(sample_raw, data / "raw", ["january2019.csv"])
    run(fetch_config(data, place_files(server.url)))
    assert sorted(p.name for p in (data / "raw").iterdir()) == ["SAMPLE.sha256", "january2019.csv"]


def test_a_sample_file_that_was_edited_is_left(tmp_path, server, sample_raw):
    data = tmp_path / "data"
    copy_sample(sample_raw, data / "raw", ["january2019.csv", "february2019.csv"])
    (data / "raw" / "february2019.csv").write_bytes(b"edited by hand")
    run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    assert sorted(p.name for p in (data / "raw").iterdir()) == ["february2019.csv", LEGACY[0]]


def test_a_failed_move_puts_everything_back(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "a.csv").write_text("old a")
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "a").write_text("new a")
    (staged / "b").write_text("new b")
    before = snapshot(data)
    real_move = fetch.shutil.move

    def failing_move(source, destination):
        if Path(source) == staged / "b":
            raise OSError("disk full")
        return real_move(source, destination)

    monkeypatch.setattr(fetch.shutil, "move", failing_move)
    moves = [(staged / "a", data / "raw" / "a.csv"), (staged / "b", data / "raw" / "new" / "b.csv")]
    with pytest.raises(FetchError) as caught:
        fetch.apply_moves(moves, tmp_path / "backup")
    assert caught.value.problems == [
        f"{data / 'raw' / 'new' / 'b.csv'}: cannot move into place (disk full); nothing was changed"
    ]
    assert snapshot(data) == before
    assert not (data / "raw" / "new").exists()


def test_a_broken_manifest_stops_the_fetch(tmp_path, server):
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.json").write_text('{"files": [{"path": "raw/x.csv"}]}')
    problems = failed_run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    assert problems[0].startswith(f"{data / 'manifest.json'}: not a fetch manifest")
    assert sorted(p.name for p in data.iterdir()) == ["manifest.json"]


def test_fetched_legacy_and_place_files_build(tmp_path, server, site_config):
    data = tmp_path / "data"
    run(fetch_config(data, legacy_files(server.url) + place_files(server.url)))
    reference = data / "reference"
    built = config.with_place_files(
        site_config,
        reference / "neighborhoods.csv",
        reference / "neighborhoods.geojson",
        reference / "districts.geojson",
    )
    build.run([data / "raw"], build_dir=tmp_path / "build", site_dir=None, config=built)
    docs = tmp_path / "build" / "docs"
    assert "Carondelet" in (docs / "neighborhoods" / "index.md").read_text()
    generated = yaml.safe_load((tmp_path / "build" / "mkdocs.generated.yml").read_text())
    assert generated["extra"] == {"sample_data": False, "data_through": "March 2019"}


# --- the command line ---------------------------------------------------------------------------------------


def write_site_config(root: Path, files: list[dict]) -> Path:
    """A copy of site.yml whose fetch section names the test server's files; paths are relative to `root`."""
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    data["fetch"] = {"folder": "data", "timeout_seconds": 10, "retries": 0, "files": files}
    path = root / "site.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(paths.ROOT / "build_data.py"), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GITHUB_ACTIONS": ""},
    )


def test_the_cli_fetches_and_logs_a_summary(tmp_path, server):
    site = write_site_config(tmp_path, legacy_files(server.url, LEGACY[:2]))
    result = run_cli("fetch", "--config", str(site))
    assert result.returncode == 0, result.stderr
    assert "fetch: 2 new, 0 changed, 0 unchanged" in result.stderr
    assert sorted(p.name for p in (tmp_path / "data" / "raw").iterdir()) == sorted(LEGACY[:2])
    result = run_cli("fetch", "--config", str(site), "--quiet")
    assert (result.returncode, result.stderr) == (0, "")


def test_the_cli_reports_each_failure_on_one_line_and_exits_1(tmp_path, server):
    missing = f"{server.url}/files/none.csv"
    files = [*legacy_files(server.url, LEGACY[:1]), {"url": missing, "to": "raw/none.csv"}]
    result = run_cli("fetch", "--config", str(write_site_config(tmp_path, files)))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {missing}: HTTP 404 Not Found"]
    assert result.stderr.splitlines()[-1] == f"fetch stopped: 1 problem(s); {tmp_path / 'data'} was not changed"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_the_cli_says_once_that_a_host_name_does_not_resolve(tmp_path):
    files = legacy_files("https://slmpd.nonexistent.invalid")
    result = run_cli("fetch", "--config", str(write_site_config(tmp_path, files)))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {files[0]['url']}: cannot resolve the host name slmpd.nonexistent.invalid")
    assert errors[0].endswith("is the network down? 2 other file(s) not tried")
    assert "retrying" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_the_cli_refuses_build_options_with_fetch():
    result = run_cli("fetch", "--raw", "data/raw")
    assert result.returncode == 2
    assert "fetch takes only --config and --quiet" in result.stderr


def test_the_cli_reports_a_bad_config_file(tmp_path):
    bad = tmp_path / "site.yml"
    bad.write_text("city: [unclosed\n")
    for command in ([], ["fetch"]):
        result = run_cli(*command, "--config", str(bad))
        assert result.returncode == 1
        assert result.stderr.startswith(f"error: {bad}: ")


# --- the fetch section of site.yml --------------------------------------------------------------------------


def test_the_repository_config_lists_the_nibrs_releases_and_fetches_the_boundaries(site_config):
    """The NIBRS releases come from SLMPD's listing page (tests/test_fetch_listing.py), no longer from a month
    template; fetch.files names the boundaries only, and no raw file."""
    downloads = config.fetch_downloads(site_config.fetch)
    by_path = {download.path: download.url for download in downloads}
    assert not [path for path in by_path if path.startswith("raw/")]
    assert all(entry.months is None for entry in site_config.fetch.files)
    assert site_config.fetch.manifest == paths.ROOT / "data" / "manifest.json"
    places = site_config.places
    for path in (places.neighborhood_boundaries, places.district_boundaries):
        assert path.relative_to(site_config.fetch.folder).as_posix() in by_path
    listing = site_config.fetch.listing
    assert listing is not None and listing.pins == ()
    assert (site_config.fetch.folder / listing.destination("2024-05", listing.url)).is_relative_to(site_config.raw_dir)


def fetch_section(**changes) -> dict:
    section = {
        "folder": "data",
        "timeout_seconds": 5,
        "retries": 1,
        "files": [
            {"url": "https://x/{Month}{year}.CSV", "to": "raw/{month}{year}.csv", "months": ["2019-11", "2020-02"]}
        ],
    }
    return section | changes


def test_month_templates_expand_for_each_month():
    fetch_settings = config.parse_fetch(fetch_section(), Path("/site"))
    assert fetch_settings.folder == Path("/site/data")
    assert [d.path for d in config.fetch_downloads(fetch_settings)] == [
        "raw/november2019.csv",
        "raw/december2019.csv",
        "raw/january2020.csv",
        "raw/february2020.csv",
    ]
    assert config.fetch_downloads(fetch_settings)[1].url == "https://x/December2019.CSV"
    assert config.month_values("2019-12") == {
        "year": "2019",
        "month": "december",
        "Month": "December",
        "mm": "12",
        "next_year": "2020",
        "next_mm": "01",
    }


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([{"url": "u", "to": "../outside.csv"}], "inside the fetch folder"),
        ([{"url": "u", "to": "/etc/x.csv"}], "inside the fetch folder"),
        ([{"url": "u", "to": "manifest.json"}], "inside the fetch folder"),
        ([{"url": "u", "to": "raw/a.csv"}, {"url": "v", "to": "raw/./a.csv"}], "two entries download to 'raw/a.csv'"),
        ([{"url": "u/{year}", "to": "raw/x.csv", "months": ["2019-01", "2019-02"]}], "two entries"),
        ([{"url": "u", "to": "raw/{year}.csv"}], "has placeholders but the entry has no months"),
        ([{"url": "u/{yy}", "to": "raw/{year}.csv", "months": ["2019-01", "2019-02"]}], "unknown placeholder.*yy"),
        ([{"url": "u", "to": "raw/{year}.csv", "months": ["2019-13", "2020-01"]}], "months must be"),
        ([{"url": "u", "to": "raw/{year}.csv", "months": ["2020-01", "2019-01"]}], "run backwards"),
        ([{"url": "u", "to": "raw/a.csv", "mirror": "w"}], r"unknown key.*fetch.files.*mirror"),
        ([{"url": "u"}], r"missing key.*fetch.files.*to"),
    ],
)
def test_bad_fetch_entries_are_refused(files, message):
    with pytest.raises(ValueError, match=message):
        config.parse_fetch(fetch_section(files=files), Path("/site"))


def test_bad_fetch_settings_are_refused():
    with pytest.raises(ValueError, match="retries"):
        config.parse_fetch(fetch_section(retries=-1), Path("/site"))
    with pytest.raises(ValueError, match=r"unknown key.*fetch.*user_agent"):
        config.parse_fetch(fetch_section(user_agent="x"), Path("/site"))


def test_the_limits_have_documented_defaults_and_site_yml_sets_them(site_config):
    defaults = config.parse_fetch(fetch_section(), Path("/site"))
    assert (defaults.deadline_seconds, defaults.max_bytes, defaults.allowed_hosts) == (300.0, 100_000_000, ())
    fork_guide = (paths.ROOT / "docs" / "fork.md").read_text()
    for key, value in (("deadline_seconds", "300"), ("max_bytes", "100000000"), ("allowed_hosts", "[]")):
        assert f"| `{key}` | `{value}` |" in fork_guide
    repository = site_config.fetch
    assert (repository.deadline_seconds, repository.max_bytes, repository.allowed_hosts) == (300.0, 100_000_000, ())
    given = config.parse_fetch(fetch_section(allowed_hosts=["Files.Example.org", "127.0.0.1:8443"]), Path("/site"))
    assert given.allowed_hosts == ("files.example.org", "127.0.0.1:8443")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline_seconds": 0}, "deadline_seconds"),
        ({"max_bytes": -1}, "max_bytes"),
        ({"max_bytes": 1.5}, "max_bytes"),
        ({"max_bytes": True}, "max_bytes"),
        ({"allowed_hosts": "files.example.org"}, "allowed_hosts must be a list"),
        ({"allowed_hosts": ["https://files.example.org/"]}, "must be a host name"),
        ({"allowed_hosts": ["files.example.org:port"]}, "must be a host name"),
    ],
)
def test_bad_limits_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        config.parse_fetch(fetch_section(**changes), Path("/site"))


def test_every_repository_entry_can_be_checked(site_config):
    """Each file site.yml fetches has a known content check (the fetch refuses entries without one)."""
    expect = fetch_checks.expectations(site_config)
    downloads = config.fetch_downloads(site_config.fetch)
    kinds = {fetch_checks.content_kind(site_config.fetch.folder / download.path, expect) for download in downloads}
    assert kinds == {"geojson"}
    listed = site_config.fetch.folder / site_config.fetch.listing.destination("2024-05", site_config.fetch.listing.url)
    assert fetch_checks.content_kind(listed, expect) == "incidents"
