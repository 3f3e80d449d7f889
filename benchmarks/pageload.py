#!/usr/bin/env python3
"""Measure how pages of a built site load in Chromium, on a desktop and on a throttled phone (figures only).

Issue 16 wants every chart on screen with the first paint, before any script loads. This prints, per page kind
(home, crime, year, neighborhood, district, weekly, maps, claims; the real paths are printed first) and per
profile, the median over --runs first views (each in a fresh browser context, browser cache disabled):

  before chart  bytes received up to the first-chart time (all requests, as they came off the wire: gzip-encoded
                bodies plus response headers, CDP encodedDataLength);
  total         bytes received once the page was quiet (see "quiet" below);
  FCP           first-contentful-paint, from the performance paint entries (ms from navigation start);
  first chart   when the first chart was on screen: the first animation frame (requestAnimationFrame's frame
                time) in which an `svg` inside a `figure.chart` is laid out with a nonzero box, is not inside
                <noscript> and is not visibility:hidden, but never before FCP (nothing is on screen before the
                first paint), so max(that frame, FCP). A MutationObserver, set up by an init script before the
                page's HTML is parsed, asks for a frame whenever the DOM changes, and a frame loop runs until the
                load event (stylesheets can reveal an SVG without a DOM change). This finds both the SVG that
                Vega draws into `.chart-view` after its bundle has loaded and an SVG that is in the HTML
                (`.chart-view > .chart-static > svg`); "-" for a page without a chart;
  chart/FCP     first chart over FCP: 1.00 means the chart came with the first paint;
  LCP           the start time of the last largest-contentful-paint entry seen before we stop;
  CLS           the largest session window of layout-shift entries without hadRecentInput (a window ends after
                a 1 s gap or 5 s after its first shift), as web-vitals computes it;
  TBT           the sum over long tasks (PerformanceObserver 'longtask') of their time after FCP beyond 50 ms
                (a task that started before FCP counts only from FCP), until we stop;
  Vega first    whether any byte of the Vega bundle (the request for .../vega-bundle.js) arrived before the
                first chart: how many of the runs, e.g. 3/3.

Bytes are timed with the DevTools protocol's Network events (dataReceived, loadingFinished; the rest of a
response that dataReceived did not count is counted at loadingFinished). Their clock is put on the page's clock
(navigation start = 0) with the document's response timing (requestTime + sendStart = the navigation timing's
requestStart); the time between navigation start and the document request is a few ms. One response is not
counted: the script of Material's search worker (about 12 KB gzipped), whose body goes to the worker's own target,
not the page's CDP session (the run's `uncounted` in --json lists it); what the worker fetches (the search
index) is counted.

Quiet: after the load event, no request in flight and none started or finished for QUIET_S seconds (checked
every POLL_MS by Python), capped at the profile's limit from the load event (a lazy Vega load that the page
starts when idle resets the window, so it is counted). The figures that run "until we stop" stop there.

Profiles: desktop is 1366x768 unthrottled; phone is 390x844 at deviceScaleFactor 3 with isMobile and hasTouch,
150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up (Network.emulateNetworkConditions) and the CPU slowed 4x
(Emulation.setCPUThrottlingRate), set through a CDP session before navigation. The site is served from
127.0.0.1 by a threaded server that gzips text responses (compressed once, kept in memory) when the request
accepts gzip, as a real host would: with no throttling the desktop figures are mostly CPU.

The machine's load changes every timing; run it on a quiet machine to compare branches, and compare the
medians of several runs.

example:
  python benchmarks/pageload.py                                # site/ (built first when it has no index.html)
  python benchmarks/pageload.py --site /work/baseline-site --runs 3 --json pageload.json
  python benchmarks/pageload.py --pages home,crime --profiles phone --runs 1
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import mimetypes
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser, CDPSession, Page, Request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import browser  # noqa: E402 (the repository root is on the path above)
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.page_parts import table_rows  # noqa: E402

KINDS = ("home", "crime", "year", "neighborhood", "district", "weekly", "maps", "claims")
GZIP_LEVEL = 6
# What a browser fetches for a page and a host would compress; images and fonts are compressed already.
COMPRESSED_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
}
VEGA_BUNDLE = "/vega-bundle.js"
QUIET_S = 2.0
POLL_MS = 100
CLS_GAP_MS = 1000.0
CLS_WINDOW_MS = 5000.0
LONG_TASK_MS = 50.0


@dataclass(frozen=True)
class Profile:
    """A device and its network, as the browser context and the DevTools protocol set them."""

    name: str
    width: int
    height: int
    scale: float
    mobile: bool
    network: dict[str, float] | None  # Network.emulateNetworkConditions parameters; None: unthrottled
    cpu_rate: float
    quiet_cap_s: float  # the longest wait for quiet after the load event


PROFILES = {
    "desktop": Profile("desktop", 1366, 768, 1, False, None, 1, 15),
    "phone": Profile(
        "phone",
        390,
        844,
        3,
        True,
        {
            "offline": False,
            "latency": 150,  # ms, round trip
            "downloadThroughput": 1.6e6 / 8,  # bytes/s
            "uploadThroughput": 750e3 / 8,
        },
        4,
        30,
    ),
}

# Set up before the page's first byte is parsed (page.add_init_script): the observers of the paint figures and
# the first-chart detector. Everything is collected into window.__pageload, read once when we stop.
INIT_SCRIPT = """
(() => {
  const state = { firstChart: null, lcp: [], shifts: [], longtasks: [], unsupported: [] };
  Object.defineProperty(window, "__pageload", { value: state });
  const observe = (type, keep) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach((e) => keep(e)))
        .observe({ type, buffered: true });
    } catch (error) {
      state.unsupported.push(type);
    }
  };
  observe("largest-contentful-paint", (e) => state.lcp.push({ startTime: e.startTime, size: e.size }));
  observe("layout-shift", (e) =>
    state.shifts.push({ startTime: e.startTime, value: e.value, hadRecentInput: e.hadRecentInput }));
  observe("longtask", (e) => state.longtasks.push({ startTime: e.startTime, duration: e.duration }));

  const shown = (svg) => {
    if (svg.closest("noscript")) return false;
    const box = svg.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(svg).visibility !== "hidden";
  };
  const chartShown = () => Array.prototype.some.call(document.querySelectorAll("figure.chart svg"), shown);
  let loaded = false;
  let asked = false;
  const frame = (time) => {
    asked = false;
    if (state.firstChart !== null) return;
    if (chartShown()) {
      state.firstChart = time;
      mutations.disconnect();
    } else if (!loaded) {
      ask();
    }
  };
  const ask = () => {
    if (!asked && state.firstChart === null) {
      asked = true;
      requestAnimationFrame(frame);
    }
  };
  const mutations = new MutationObserver(ask);
  mutations.observe(document, { childList: true, subtree: true, attributes: true });
  addEventListener("load", () => { loaded = true; ask(); });
  ask();
})();
"""

COLLECT_SCRIPT = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    ...window.__pageload,
    fcp: fcp ? fcp.startTime : null,
    requestStart: nav ? nav.requestStart : null,
    loadEnd: nav ? nav.loadEventEnd : null,
  };
}
"""


# ---- the server ---------------------------------------------------------------------------------------------


class SiteFiles:
    """The files of a built site by URL path, with their gzip copies made once and kept (threads share it)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._gzipped: dict[Path, bytes] = {}
        self._lock = threading.Lock()

    def find(self, url_path: str) -> Path | None:
        """The file a URL path names (a folder: its index.html); None outside the site or when missing."""
        name = unquote(url_path).lstrip("/")
        if "\0" in name:
            return None
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root):
            return None
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def body(self, path: Path, gzipped: bool) -> bytes:
        if not gzipped:
            return path.read_bytes()
        with self._lock:
            if path not in self._gzipped:
                self._gzipped[path] = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
            return self._gzipped[path]


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header accepts gzip: named (or else `*`) and not refused with q=0."""
    weights: dict[str, float] = {}
    for item in (header or "").split(","):
        name, _, params = item.partition(";")
        weight = params.replace(" ", "").lower().removeprefix("q=")
        weights[name.strip().lower()] = float(weight) if weight.replace(".", "", 1).isdigit() else 1.0
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def content_type(path: Path) -> str:
    return COMPRESSED_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def make_handler(files: SiteFiles) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections open, as a real host does: a page's requests do not each pay a new connection.
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.respond(send_body=True)

        def do_HEAD(self) -> None:
            self.respond(send_body=False)

        def respond(self, send_body: bool) -> None:
            url_path = urlsplit(self.path).path
            path = files.find(url_path)
            if path is not None and path.name == "index.html" and not url_path.endswith(("/", ".html")):
                self.send_response(301)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 200
            if path is None:
                status, path = 404, files.find("/404.html")
            compress = (
                path is not None and path.suffix in COMPRESSED_TYPES and accepts_gzip(self.headers["Accept-Encoding"])
            )
            body = b"not found" if path is None else files.body(path, compress)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if path is None else content_type(path))
            self.send_header("Content-Length", str(len(body)))
            if path is not None and path.suffix in COMPRESSED_TYPES:
                self.send_header("Vary", "Accept-Encoding")
            if compress:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def serve(site_dir: Path) -> AbstractContextManager[str]:
    """Serve a built site, gzipped, on a free port of 127.0.0.1; yields the base URL (ending in /)."""
    return browser.serve(site_dir, make_handler(SiteFiles(site_dir)))


# ---- the pages ----------------------------------------------------------------------------------------------


def latest_full_year(years_index: str) -> int | None:
    """The latest year whose row in the years table has 12 months in the data (a part year is not typical)."""
    rows = table_rows(years_index)
    header = next((row for row in rows if "Months in data" in row), None)
    if header is None:
        return None
    months = header.index("Months in data")
    full = [int(row[0]) for row in rows if len(row) > months and row[0].isdigit() and row[months] == "12"]
    return max(full, default=None)


def numbered_first(folder: Path) -> str:
    """The lowest-numbered page folder under `folder` ('1-carondelet', '1'), as a site path."""
    names = [page.parent.name for page in folder.glob("*/index.html") if page.parent.name.split("-")[0].isdigit()]
    if not names:
        raise ValueError(f"{folder} holds no numbered pages")
    first = min(names, key=lambda name: (int(name.split("-")[0]), name))
    return f"{folder.name}/{first}/"


def find_pages(site_dir: Path) -> dict[str, str]:
    """One page of each kind, as a path from the site's root, chosen the same way every time."""
    years = sorted(int(p.parent.name) for p in (site_dir / "years").glob("*/index.html") if p.parent.name.isdigit())
    full = latest_full_year((site_dir / "years" / "index.html").read_text(encoding="utf-8"))
    year = full if full in years else max(years)
    pages = {
        "home": "",
        "crime": "crimes/homicide/",
        "year": f"years/{year}/",
        "neighborhood": numbered_first(site_dir / "neighborhoods"),
        "district": numbered_first(site_dir / "districts"),
        "weekly": "weekly/",  # the latest weeks, citywide
        "maps": "maps/",  # the neighborhood and district maps
        "claims": "claims/",
    }
    missing = [path for path in pages.values() if not (site_dir / path / "index.html").is_file()]
    if missing:
        raise ValueError(f"{site_dir} has no page {', '.join(missing)}")
    return pages


# ---- the figures --------------------------------------------------------------------------------------------


def cumulative_layout_shift(shifts: list[dict[str, Any]]) -> float:
    """The largest session window of layout shifts without recent input (web-vitals' CLS)."""
    best = current = 0.0
    first = last = None
    for shift in sorted((s for s in shifts if not s["hadRecentInput"]), key=lambda s: s["startTime"]):
        start = shift["startTime"]
        if first is not None and start - last < CLS_GAP_MS and start - first < CLS_WINDOW_MS:
            current += shift["value"]
        else:
            first, current = start, shift["value"]
        last = start
        best = max(best, current)
    return best


def total_blocking_time(tasks: list[dict[str, Any]], fcp: float) -> float:
    """The long tasks' time beyond 50 ms after FCP (a task that started before FCP counts from FCP)."""
    blocking = 0.0
    for task in tasks:
        after_fcp = task["startTime"] + task["duration"] - max(task["startTime"], fcp)
        blocking += max(0.0, after_fcp - LONG_TASK_MS)
    return blocking


@dataclass
class NetworkLog:
    """What the DevTools protocol tells of a page's requests: bytes with their time, what is in flight."""

    chunks: list[tuple[float, int, str]] = field(default_factory=list)  # (CDP seconds, bytes, request id)
    urls: dict[str, str] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)  # request id: CDP seconds
    counted: dict[str, int] = field(default_factory=dict)
    in_flight: set[Request] = field(default_factory=set)
    unfinished: set[str] = field(default_factory=set)  # request ids the CDP session saw start, not end
    document_time: float | None = None  # the first Document request's timestamp
    document_timing: dict[str, float] | None = None  # its response's timing (requestTime, sendStart, ...)
    last_activity: float = field(default_factory=time.monotonic)

    def attach(self, page: Page, cdp: CDPSession) -> None:
        # What is in flight comes from Playwright, which also follows the search worker's own target: the page's
        # CDP session sees the worker's script asked for but never finished (its body goes to the worker).
        page.on("request", self.on_started)
        page.on("requestfinished", self.on_ended)
        page.on("requestfailed", self.on_ended)
        cdp.on("Network.requestWillBeSent", self.on_request)
        cdp.on("Network.responseReceived", self.on_response)
        cdp.on("Network.dataReceived", self.on_data)
        cdp.on("Network.loadingFinished", self.on_finished)
        cdp.on("Network.loadingFailed", self.on_failed)

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def on_started(self, request: Request) -> None:
        self.touch()
        self.in_flight.add(request)

    def on_ended(self, request: Request) -> None:
        self.touch()
        self.in_flight.discard(request)

    def on_request(self, event: dict[str, Any]) -> None:
        self.touch()
        request_id = event["requestId"]
        self.unfinished.add(request_id)
        self.urls.setdefault(request_id, event["request"]["url"])  # a redirect keeps its id: the first URL
        self.started.setdefault(request_id, event["timestamp"])
        if self.document_time is None and event.get("type") == "Document":
            self.document_time = event["timestamp"]

    def on_response(self, event: dict[str, Any]) -> None:
        self.touch()
        if event.get("type") == "Document" and self.document_timing is None:
            self.document_timing = event["response"].get("timing")

    def on_data(self, event: dict[str, Any]) -> None:
        self.touch()
        self.add(event["requestId"], event["timestamp"], event.get("encodedDataLength", 0))

    def on_finished(self, event: dict[str, Any]) -> None:
        self.touch()
        request_id = event["requestId"]
        self.unfinished.discard(request_id)
        self.add(request_id, event["timestamp"], event["encodedDataLength"] - self.counted.get(request_id, 0))

    def on_failed(self, event: dict[str, Any]) -> None:
        self.touch()
        self.unfinished.discard(event["requestId"])

    def add(self, request_id: str, timestamp: float, size: int) -> None:
        if size > 0:
            self.chunks.append((timestamp, size, request_id))
            self.counted[request_id] = self.counted.get(request_id, 0) + size

    def origin(self, request_start_ms: float | None) -> float:
        """Navigation start on the CDP clock (seconds): the document's requestStart, both clocks' way."""
        timing = self.document_timing
        if timing and request_start_ms and timing.get("sendStart", -1) >= 0:
            return timing["requestTime"] + (timing["sendStart"] - request_start_ms) / 1000
        if self.document_time is None:
            raise ValueError("the page made no document request")
        return self.document_time

    def bytes_until(self, until: float | None, match: Callable[[str], bool] = lambda url: True) -> int:
        return sum(
            size
            for stamp, size, request_id in self.chunks
            if (until is None or stamp <= until) and match(self.urls.get(request_id, ""))
        )


@dataclass(frozen=True)
class Run:
    """One first view of one page on one profile (times in ms from navigation start)."""

    bytes_before_chart: int | None
    total_bytes: int
    fcp: float
    first_chart: float | None
    chart_over_fcp: float | None
    lcp: float | None
    cls: float
    tbt: float
    vega_before_chart: bool | None
    vega_bytes: int
    vega_request: float | None  # when the Vega bundle was asked for
    requests: int
    quiet: bool  # False: the wait for quiet reached the profile's cap
    uncounted: list[str]  # requests whose bytes the page's CDP session never saw end (the search worker's script)
    unsupported: list[str]


def is_vega(url: str) -> bool:
    return urlsplit(url).path.endswith(VEGA_BUNDLE)


def wait_quiet(page: Page, log: NetworkLog, cap_s: float) -> bool:
    """Wait until no request has been in flight for QUIET_S seconds; False when `cap_s` ran out first."""
    deadline = time.monotonic() + cap_s
    while time.monotonic() < deadline:
        if not log.in_flight and time.monotonic() - log.last_activity >= QUIET_S:
            return True
        page.wait_for_timeout(POLL_MS)  # lets Playwright deliver the protocol's events meanwhile
    return False


def summarise_run(raw: dict[str, Any], log: NetworkLog, quiet: bool) -> Run:
    """A run's figures from what the page collected and the network log."""
    origin = log.origin(raw["requestStart"])
    fcp = raw["fcp"]
    first_chart = None if raw["firstChart"] is None or fcp is None else max(raw["firstChart"], fcp)
    chart_time = None if first_chart is None else origin + first_chart / 1000
    vega_starts = [log.started[rid] for rid, url in log.urls.items() if is_vega(url)]
    vega_before = None if chart_time is None else log.bytes_until(chart_time, is_vega) > 0
    return Run(
        bytes_before_chart=None if chart_time is None else log.bytes_until(chart_time),
        total_bytes=log.bytes_until(None),
        fcp=fcp,
        first_chart=first_chart,
        chart_over_fcp=None if first_chart is None or not fcp else first_chart / fcp,
        lcp=raw["lcp"][-1]["startTime"] if raw["lcp"] else None,
        cls=cumulative_layout_shift(raw["shifts"]),
        tbt=total_blocking_time(raw["longtasks"], fcp or 0.0),
        vega_before_chart=vega_before,
        vega_bytes=log.bytes_until(None, is_vega),
        vega_request=(min(vega_starts) - origin) * 1000 if vega_starts else None,
        requests=sum(url.startswith("http") for url in log.urls.values()),  # not the data: URLs of icons
        quiet=quiet,
        uncounted=sorted(log.urls[request_id] for request_id in log.unfinished),
        unsupported=raw["unsupported"],
    )


def measure(chromium: Browser, url: str, profile: Profile) -> Run:
    """One first view of `url` on `profile`, in a fresh context with the cache disabled."""
    context = chromium.new_context(
        viewport={"width": profile.width, "height": profile.height},
        device_scale_factor=profile.scale,
        is_mobile=profile.mobile,
        has_touch=profile.mobile,
    )
    try:
        page = context.new_page()
        page.add_init_script(INIT_SCRIPT)
        cdp = context.new_cdp_session(page)
        log = NetworkLog()
        log.attach(page, cdp)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if profile.network is not None:
            cdp.send("Network.emulateNetworkConditions", profile.network)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": profile.cpu_rate})
        page.goto(url, wait_until="load", timeout=120_000)
        quiet = wait_quiet(page, log, profile.quiet_cap_s)
        return summarise_run(page.evaluate(COLLECT_SCRIPT), log, quiet)
    finally:
        context.close()


# ---- runs and tables ----------------------------------------------------------------------------------------


def median(values: list[float | None]) -> float | None:
    """The median of the values that are there (a page without a chart has no first-chart time)."""
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def kilobytes(value: float | None) -> str:
    return "-" if value is None else f"{value / 1000:,.0f} KB"


def milliseconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def vega_count(runs: list[Run]) -> str:
    """How many runs had Vega bytes before the first chart ('-' when the page has no chart)."""
    known = [run.vega_before_chart for run in runs if run.vega_before_chart is not None]
    return f"{sum(known)}/{len(known)}" if known else "-"


COLUMNS = (
    "page",
    "path",
    "before chart",
    "total",
    "FCP",
    "first chart",
    "chart/FCP",
    "LCP",
    "CLS",
    "TBT",
    "Vega first",
)


def table_row(kind: str, path: str, runs: list[Run]) -> list[str]:
    """A page kind's medians, formatted."""

    def mid(name: str) -> float | None:
        return median([getattr(run, name) for run in runs])

    cls = mid("cls")
    return [
        kind,
        f"`/{path}`",
        kilobytes(mid("bytes_before_chart")),
        kilobytes(mid("total_bytes")),
        milliseconds(mid("fcp")),
        milliseconds(mid("first_chart")),
        ratio(mid("chart_over_fcp")),
        milliseconds(mid("lcp")),
        "-" if cls is None else f"{cls:.3f}",
        milliseconds(mid("tbt")),
        vega_count(runs),
    ]


def markdown_table(rows: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if i < 2 else "--:" for i in range(len(COLUMNS))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def build_site(site_dir: Path) -> None:
    """Build the site into `site_dir` from data/raw/, as `make site` does (in its own process)."""
    print(f"building the site into {site_dir}", file=sys.stderr)
    command = [sys.executable, str(ROOT / "build_data.py"), "--quiet", "--site-dir", str(site_dir)]
    subprocess.run(command, cwd=ROOT, check=True)


def run_all(
    site_dir: Path, pages: dict[str, str], profiles: list[Profile], runs: int
) -> dict[str, dict[str, list[Run]]]:
    """Every (profile, page) `runs` times; the runs by profile and page kind."""
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list[Run]]] = {}
    with serve(site_dir) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for profile in profiles:
                results[profile.name] = {}
                for kind, path in pages.items():
                    results[profile.name][kind] = []
                    for number in range(runs):
                        run = measure(chromium, base + path, profile)
                        results[profile.name][kind].append(run)
                        print(f"{profile.name} {kind} run {number + 1}: {run}", file=sys.stderr)
        finally:
            chromium.close()
    return results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("example:") :],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--build", action="store_true", help="build the site into --site first, even if it is there")
    parser.add_argument("--runs", type=int, default=3, help="first views per page and profile (default: 3)")
    parser.add_argument(
        "--pages", default=",".join(KINDS), help=f"page kinds, comma-separated (default: {','.join(KINDS)})"
    )
    parser.add_argument("--profiles", default=",".join(PROFILES), help="desktop, phone or both (default: both)")
    parser.add_argument("--json", type=Path, help="write every run's figures to this file")
    args = parser.parse_args(argv)
    for option, known in (("pages", KINDS), ("profiles", tuple(PROFILES))):
        unknown = sorted(set(getattr(args, option).split(",")) - set(known))
        if unknown:
            parser.error(f"--{option}: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    if args.build or not (args.site / "index.html").is_file():
        build_site(args.site)
    kinds = args.pages.split(",")
    pages = {kind: path for kind, path in find_pages(args.site).items() if kind in kinds}
    profiles = [PROFILES[name] for name in args.profiles.split(",")]
    print(f"site {args.site}; pages:")
    for kind, path in pages.items():
        print(f"  {kind}: /{path}")
    results = run_all(args.site, pages, profiles, args.runs)
    for profile in profiles:
        print(f"\n{profile.name}, median of {args.runs} first views:\n")
        print(markdown_table([table_row(kind, pages[kind], results[profile.name][kind]) for kind in pages]))
    if args.json:
        raw = {
            "site": str(args.site),
            "pages": pages,
            "profiles": {p.name: asdict(p) for p in profiles},
            "runs": {
                name: {kind: [asdict(run) for run in runs] for kind, runs in by_kind.items()}
                for name, by_kind in results.items()
            },
        }
        args.json.write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
