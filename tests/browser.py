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
from collections.abc import Iterator
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
def serve(site_dir: Path) -> Iterator[str]:
    """Serve `site_dir` on a free port of 127.0.0.1; yields the base URL (ending in /)."""
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
