"""Serving a built site on 127.0.0.1 and driving Debian's Chromium with Playwright (never `playwright install`).

The browser is /usr/bin/chromium (the Makefile installs Debian's package), or $CHROMIUM. It starts with the
background-networking features off, so every request a page makes is one the page itself asked for.

Every wait is for a condition (a page loaded, charts drawn, a result shown), never a fixed sleep, and may take
up to WAIT_MS: a busy machine (two builds at once) makes a page slower, not wrong, and a wait ends as soon as
its condition holds, so the long limit costs nothing when all is well.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

WAIT_MS = 120_000  # the longest any one wait (navigation, action, condition) may take
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]

# True once charts.js has drawn every chart of the page (data-drawn="true") or given up on it ("failed", when the
# static SVG stays): it draws them after a reader's first interaction with a chart or when the page is idle.
CHARTS_DRAWN = """() => [...document.querySelectorAll('figure.chart .chart-view')]
  .every(view => view.dataset.drawn === 'true' || view.dataset.drawn === 'failed')"""

# An init script that holds the page's idle callbacks in window.__idleHeld instead of running them, so the page is
# never idle: charts.js then loads Vega only when the reader interacts (or a test runs the callbacks itself,
# RELEASE_IDLE, as the browser would once idle). Chromium has requestIdleCallback, so charts.js never falls back
# to setTimeout here.
HOLD_IDLE = """window.__idleHeld = [];
window.requestIdleCallback = callback => window.__idleHeld.push(callback);"""
IDLE_ASKED = "() => Array.isArray(window.__idleHeld) && window.__idleHeld.length > 0"
RELEASE_IDLE = """() => window.__idleHeld.splice(0).forEach(callback =>
  callback({didTimeout: false, timeRemaining: () => 50}))"""

# An init script that records, from the page's first moment, every layout shift (window.__shifts) and the time of
# the first frame in which a chart shows an SVG of nonzero size (window.__firstChartShown, performance.now()).
WATCH_LOAD = """window.__shifts = [];
window.__shiftObserver = new PerformanceObserver(list => window.__shifts.push(...list.getEntries()));
window.__shiftObserver.observe({type: 'layout-shift', buffered: true});
window.__firstChartShown = null;
(function look() {
  const svg = document.querySelector('figure.chart .chart-view svg');
  if (svg && svg.getBoundingClientRect().width > 0) {
    window.__firstChartShown = performance.now();
  } else if (document.readyState !== 'complete' || document.querySelector('figure.chart')) {
    requestAnimationFrame(look);
  }
})();"""

# What WATCH_LOAD saw, read two frames on, once the frame of the last change has been painted (a layout shift is
# reported with the frame that shows it): the shifts and when the first chart showed, and when the page asked for
# the Vega bundle (resource timing; null if it did not).
LOAD_SEEN = """() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(() => {
  const shifts = window.__shifts.concat(window.__shiftObserver.takeRecords());
  const vega = performance.getEntriesByType('resource').find(entry => entry.name.endsWith('/vega-bundle.js'));
  resolve({
    shifts: shifts.map(entry => ({
      value: entry.value,
      input: entry.hadRecentInput,
      sources: entry.sources.map(source => source.node && source.node.getAttribute
        ? `${source.node.nodeName}.${source.node.getAttribute('class') || ''}` : String(source.node)),
    })),
    firstChartShown: window.__firstChartShown,
    vegaRequested: vega ? vega.startTime : null,
  });
})))"""


def new_context(chromium: Browser, **options: object) -> BrowserContext:
    """A browser context whose navigations and actions wait up to WAIT_MS (Playwright's default is 30 s)."""
    context = chromium.new_context(**options)
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    return context


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site_dir: Path, handler: Callable[..., http.server.BaseHTTPRequestHandler] | None = None) -> Iterator[str]:
    """Serve `site_dir` on a free port of 127.0.0.1 (with `handler`, a request handler class that serves it its
    own way: benchmarks/pageload.py gzips); yields the base URL (ending in /)."""
    handler = handler or functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def site_pages(site_dir: Path) -> list[str]:
    """Every page of a built site as a path relative to its root ('' for the home page), sorted."""
    pages = []
    for page in sorted(site_dir.rglob("index.html")):
        relative = page.parent.relative_to(site_dir).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages
