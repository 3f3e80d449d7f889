"""The built site in a real browser (Chromium under Playwright): every page loads cleanly and draws its charts from
the site's own server, passes axe's serious and critical checks, fits a phone, and keeps its charts' content
without JavaScript. The charts are SVGs in the HTML; Vega loads after them, when the reader interacts or the page
is idle, and draws each in its static one's place without moving anything.

Page lists come from the built site itself (tests/browser.site_pages), so pages added later are checked too.
A page's "kind" is its first path segment, and whether it is that section's index or a page inside it: the
accessibility and phone checks visit one page of each kind, plus the pages with the largest tables.
"""

from __future__ import annotations

import contextlib
import csv
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from crimesite import paths
from tests import browser

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SMALL_PHONE = {"viewport": {"width": 320, "height": 568}, "is_mobile": True, "has_touch": True}  # narrower than a chart
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
MAX_LAYOUT_SHIFT = 0.05  # issue 16: the sum of a page's layout shifts, static chart to drawn one included
SCREENSHOTS = paths.ROOT / "test-artifacts" / "screenshots"
MAX_TABS = 10  # a chart's own controls (a map's menu) come before its table; more than this is lost focus
LARGEST_TABLES = 2  # pages with the longest and with the widest tables added to the phone check

# Each chart's state once drawn: the view (Vega's chart in the static SVG's place: one SVG, no .chart-static), its
# text alternative and the element after the figure.
CHART_STATES = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const view = figure.querySelector('.chart-view');
  const next = figure.nextElementSibling;
  return {
    id: figure.id,
    drawn: view ? (view.dataset.drawn || '') : 'no .chart-view',
    svgs: view ? view.querySelectorAll('svg').length : 0,
    still: view !== null && view.querySelector('.chart-static') !== null,
    role: view ? view.getAttribute('role') : null,
    label: view ? (view.getAttribute('aria-label') || '') : '',
    caption: figure.querySelector('figcaption') ? figure.querySelector('figcaption').textContent.trim() : '',
    table: next !== null && next.matches('.data-table, details.data-details'),
  };
})"""

# Where the keyboard focus is, seen from one chart: in the data table after it, in the chart, or elsewhere.
FOCUS_FROM_CHART = """(id) => {
  const figure = document.getElementById(id);
  const table = figure.nextElementSibling;
  const active = document.activeElement;
  if (table && table.matches('.data-table, details.data-details') && table.contains(active)) return 'table';
  if (figure.contains(active)) return 'chart';
  return active ? active.outerHTML.slice(0, 100) : 'nothing';
}"""

# The page's layout on a small screen: how far it scrolls sideways, the tables wider than the window and whether
# a box of their own (overflow-x auto or scroll, no wider than the window) scrolls them, and the charts' widths.
PHONE_LAYOUT = """() => {
  const width = window.innerWidth;
  const scrolledInBox = table => {
    for (let box = table.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && box.getBoundingClientRect().width <= width) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('.md-content table')]
    .filter(table => table.getBoundingClientRect().width > width);
  return {
    width: width,
    scrollWidth: document.documentElement.scrollWidth,
    wideTables: wide.length,
    unboxed: wide.filter(table => !scrolledInBox(table)).map(table => table.rows[0].textContent.trim().slice(0, 60)),
    charts: [...document.querySelectorAll('figure.chart')].map(figure => {
      const svg = figure.querySelector('.chart-view svg');
      return {id: figure.id, figure: figure.getBoundingClientRect().width,
              svg: svg ? svg.getBoundingClientRect().width : null};
    }),
  };
}"""

# Without JavaScript: each chart's static SVG in its view, the view's text alternative, the caption, and the data
# table after the figure, and whether a reader would see them. A folded table (details.data-details) counts when
# its summary shows and the table shows once it is opened.
STATIC_CHARTS = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const visible = element => element !== null && element.checkVisibility() && element.getBoundingClientRect().width > 0;
  const view = figure.querySelector(':scope > .chart-view');
  const svg = view ? view.querySelector(':scope > .chart-static > svg') : null;
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const caption = figure.querySelector(':scope > figcaption');
  const next = figure.nextElementSibling;
  let table = false;
  if (next && next.matches('.data-table')) {
    table = visible(next.querySelector('table'));
  } else if (next && next.matches('details.data-details')) {
    const summary = visible(next.querySelector('summary'));
    next.open = true;
    table = summary && visible(next.querySelector('table'));
  }
  return {
    id: figure.id,
    svg: visible(svg) && box.height > 0,
    size: [Math.round(box.width), Math.round(box.height)],
    role: view ? view.getAttribute('role') : null,
    label: view ? (view.getAttribute('aria-label') || '') : '',
    caption: visible(caption) && caption.textContent.trim() !== ''
      && (view.compareDocumentPosition(caption) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0,
    noscript: figure.querySelector('noscript') !== null,
    table: table,
  };
})"""

# Each chart's box, its view's and the element's after the figure ([top, width, height], in page coordinates), with
# the state of its view: what a reader sees move, or not, when the drawn chart takes the static one's place.
CHART_BOXES = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const box = element => {
    const rect = element.getBoundingClientRect();
    return [rect.top + window.scrollY, rect.width, rect.height];
  };
  const view = figure.querySelector('.chart-view');
  return {
    id: figure.id,
    drawn: view.dataset.drawn || '',
    figure: box(figure),
    view: box(view),
    next: figure.nextElementSibling ? box(figure.nextElementSibling) : null,
  };
})"""

# The first table of the page's content: header cells, and per row the cells' text and the first link's address.
FIRST_TABLE = """() => {
  const table = document.querySelector('.md-content table');
  return {
    headers: [...table.tHead.rows[0].cells].map(cell => cell.textContent.trim()),
    rows: [...table.tBodies[0].rows].map(row => ({
      cells: [...row.cells].map(cell => cell.textContent.trim()),
      link: row.querySelector('a') ? row.querySelector('a').getAttribute('href') : null,
    })),
  };
}"""


# ----- page lists ---------------------------------------------------------------------------------------------


def page_kind(page: str) -> tuple[str, str]:
    """('neighborhoods', 'page') for 'neighborhoods/9-lindenwood-park/'; ('', 'index') for the home page."""
    parts = [part for part in page.split("/") if part]
    return (parts[0] if parts else "", "index" if len(parts) <= 1 else "page")


def one_page_per_kind(pages: list[str]) -> list[str]:
    """The first page of each kind, in the site's sorted order."""
    chosen: dict[tuple[str, str], str] = {}
    for page in pages:
        chosen.setdefault(page_kind(page), page)
    return list(chosen.values())


def largest_tables(site_dir: Path, pages: list[str], count: int) -> list[str]:
    """The `count` pages with the longest table and the `count` with the widest, read from the built HTML."""
    longest: dict[str, int] = {}
    widest: dict[str, int] = {}
    for page in pages:
        tables = re.findall(r"<table.*?</table>", (site_dir / page / "index.html").read_text(), re.S)
        longest[page] = max((table.count("<tr") for table in tables), default=0)
        widest[page] = max((len(re.findall(r"<t[hd][\s>]", table.split("</tr>")[0])) for table in tables), default=0)
    by_rows = sorted(pages, key=lambda page: -longest[page])[:count]
    by_columns = sorted(pages, key=lambda page: -widest[page])[:count]
    return list(dict.fromkeys(by_rows + by_columns))


def pages_with_charts(site_dir: Path, pages: list[str]) -> list[str]:
    return [page for page in pages if '<figure class="chart"' in (site_dir / page / "index.html").read_text()]


# ----- the browser ----------------------------------------------------------------------------------------------


@dataclass
class Tab:
    """One page of a browser context on the local server, recording every request and every error the pages
    report (console errors and uncaught exceptions), with the address of the page they came from."""

    base: str
    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def open(self, path: str, charts: bool = True) -> str | None:
        """Load a page and, with `charts`, wait for its charts to be drawn; a problem or None."""
        response = self.page.goto(self.base + path)
        if response is None or not response.ok:
            return f"{path}: HTTP {response.status if response else 'no response'}"
        if not charts:
            return None
        try:
            self.page.wait_for_function(browser.CHARTS_DRAWN, timeout=browser.WAIT_MS)
        except PlaywrightTimeout:
            return f"{path}: charts not drawn within {browser.WAIT_MS / 1000:.0f} s"
        return None

    def visit(self, paths: list[str], problems: list[str], charts: bool = True) -> Iterator[str]:
        """Open each page in turn and yield the path of each one that loaded; the others go into `problems`."""
        for path in paths:
            problem = self.open(path, charts)
            if problem:
                problems.append(problem)
            else:
                yield path

    def foreign_requests(self) -> list[str]:
        """Requests to any host but the local server (data: and blob: addresses never leave the browser)."""
        local = ("data", "blob")
        return [url for url in self.requests if urlsplit(url).scheme not in local and not url.startswith(self.base)]

    def page_errors(self) -> list[str]:
        return [f"{url}: {message}" for url, message in self.errors]


@contextmanager
def browse(chromium: Browser, site_dir: Path, scripts: tuple[str, ...] = (), **options: object) -> Iterator[Tab]:
    """A fresh browser context (service workers blocked, so every load goes to the server) on `site_dir`, which
    runs `scripts` (tests/browser.py's init scripts) in every page before the page's own."""
    with browser.serve(site_dir) as base:
        context = browser.new_context(chromium, service_workers="block", **options)
        for script in scripts:
            context.add_init_script(script)
        try:
            page = context.new_page()
            tab = Tab(base, page)

            def console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    tab.errors.append((page.url, f"console error: {message.text}"))

            context.on("request", lambda request: tab.requests.append(request.url))
            page.on("console", console)
            page.on("pageerror", lambda error: tab.errors.append((page.url, f"uncaught error: {error}")))
            yield tab
        finally:
            context.close()


def chart_problems(path: str, states: list[dict]) -> list[str]:
    """What is wrong with the charts of one page once drawn: not drawn in the static SVG's place, no text
    alternative, no data table after it."""
    problems = []
    for chart in states:
        where = f"{path}#{chart['id']}"
        if chart["drawn"] != "true" or chart["svgs"] != 1 or chart["still"]:
            still = "kept" if chart["still"] else "gone"
            state = f"drawn={chart['drawn']!r}, {chart['svgs']} svg, .chart-static {still}"
            problems.append(f"{where}: not drawn in the static chart's place ({state})")
        if chart["role"] != "img" or not chart["label"]:
            problems.append(f"{where}: the view has no role=img with an aria-label")
        if not chart["caption"]:
            problems.append(f"{where}: no figcaption text")
        if not chart["table"]:
            problems.append(f"{where}: not followed by a .data-table or details.data-details")
    return problems


def vega_problems(path: str, seen: dict, charts: int) -> list[str]:
    """Vega comes after the charts: a page with charts asks for the bundle only once its first chart shows (the
    static SVG, from the HTML on); a page without asks for it never."""
    first, vega = seen["firstChartShown"], seen["vegaRequested"]
    if not charts:
        return [] if vega is None else [f"{path}: no chart, yet the Vega bundle was asked for at {vega:.0f} ms"]
    if first is None or vega is None:
        return [f"{path}: first chart shown at {first} ms, Vega asked for at {vega} ms"]
    if vega < first:
        return [f"{path}: the Vega bundle was asked for at {vega:.0f} ms, before the first chart showed ({first:.0f})"]
    return []


# ----- 1. every page, desktop -----------------------------------------------------------------------------------


def check_every_page(chromium: Browser, site_dir: Path) -> None:
    """Load every page in one tab: no HTTP, console or page error, every chart drawn (once the page is idle) in
    its static SVG's place and described, Vega asked for only after the first chart showed, and no request to
    another host."""
    pages = browser.site_pages(site_dir)
    problems: list[str] = []
    charts = 0
    started = time.monotonic()
    with browse(chromium, site_dir, (browser.WATCH_LOAD,), **DESKTOP) as tab:
        for path in tab.visit(pages, problems):
            states = tab.page.evaluate(CHART_STATES)
            charts += len(states)
            problems += chart_problems(path, states)
            problems += vega_problems(path, tab.page.evaluate(browser.LOAD_SEEN), len(states))
        foreign = tab.foreign_requests()
        problems += tab.page_errors()
    print(f"{site_dir}: {len(pages)} pages, {charts} charts in {time.monotonic() - started:.0f} s")
    assert "" in pages and charts > 0
    assert problems == [], "\n".join(problems)
    assert foreign == [], f"requests to other hosts: {foreign}"


def test_every_sample_page_loads_cleanly_and_draws_its_charts(chromium, sample_site):
    check_every_page(chromium, sample_site[1])


def test_every_real_page_loads_cleanly_and_draws_its_charts(chromium, real_site):
    check_every_page(chromium, real_site[1])


# ----- 2. accessibility ---------------------------------------------------------------------------------------


def serious_violations(results: dict) -> list[str]:
    """axe's violations of impact serious or critical, one line per rule with the elements it names."""
    lines = []
    for violation in results["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}: {targets}")
    return lines


def check_axe(chromium: Browser, site_dir: Path) -> None:
    axe = Axe()
    pages = one_page_per_kind(browser.site_pages(site_dir))
    problems: list[str] = []
    with browse(chromium, site_dir, **DESKTOP) as tab:
        for path in tab.visit(pages, problems):
            problems += [f"{path or '/'}: {line}" for line in serious_violations(axe.run(tab.page).response)]
    assert len(pages) > 1
    assert problems == [], "\n".join(problems)


def test_sample_pages_of_every_kind_pass_axe(chromium, sample_site):
    check_axe(chromium, sample_site[1])


def test_real_pages_of_every_kind_pass_axe(chromium, real_site):
    check_axe(chromium, real_site[1])


def tab_to_table(tab: Tab, chart_id: str) -> str | None:
    """Put the keyboard's starting point on the chart (a click on its caption, as a reader would) and press Tab
    until the focus is in the chart's data table; a problem or None."""
    tab.page.locator(f"#{chart_id} figcaption").click()
    for _ in range(MAX_TABS):
        tab.page.keyboard.press("Tab")
        where = tab.page.evaluate(FOCUS_FROM_CHART, chart_id)
        if where == "table":
            return None
        if where != "chart":
            return f"the focus left the chart for {where}"
    return f"still in the chart after {MAX_TABS} presses of Tab"


def check_keyboard(chromium: Browser, site_dir: Path) -> None:
    pages = pages_with_charts(site_dir, one_page_per_kind(browser.site_pages(site_dir)))
    problems: list[str] = []
    charts = 0
    with browse(chromium, site_dir, **DESKTOP) as tab:
        for path in tab.visit(pages, problems):
            for chart_id in tab.page.eval_on_selector_all("figure.chart", "figures => figures.map(f => f.id)"):
                charts += 1
                problem = tab_to_table(tab, chart_id)
                if problem:
                    problems.append(f"{path}#{chart_id}: {problem}")
    assert charts > 0
    assert problems == [], "\n".join(problems)


def test_sample_chart_tables_are_reached_by_keyboard(chromium, sample_site):
    check_keyboard(chromium, sample_site[1])


def test_real_chart_tables_are_reached_by_keyboard(chromium, real_site):
    check_keyboard(chromium, real_site[1])


# ----- 3. phone -------------------------------------------------------------------------------------------------


def layout_problems(path: str, layout: dict) -> list[str]:
    problems = []
    if layout["scrollWidth"] > layout["width"]:
        problems.append(f"{path}: the page scrolls sideways ({layout['scrollWidth']} px in {layout['width']} px)")
    problems += [f"{path}: a table wider than the window scrolls with the page: {row}" for row in layout["unboxed"]]
    for chart in layout["charts"]:
        # As wide as the figure (width "container"): never wider, and not shrunk to nothing either.
        if chart["svg"] is None or not chart["figure"] / 2 <= chart["svg"] <= chart["figure"] + 0.5:
            problems.append(f"{path}#{chart['id']}: chart {chart['svg']} px wide in a {chart['figure']} px figure")
    return problems


def check_phone(chromium: Browser, site_dir: Path, pages: list[str]) -> None:
    """On a 390 x 844 touch screen the page never scrolls sideways: wide tables scroll in their own box and charts
    are no wider than their figure."""
    problems: list[str] = []
    wide_tables = 0
    started = time.monotonic()
    with browse(chromium, site_dir, **PHONE) as tab:
        for path in tab.visit(pages, problems):
            layout = tab.page.evaluate(PHONE_LAYOUT)
            wide_tables += layout["wideTables"]
            problems += layout_problems(path, layout)
    print(f"{site_dir}: {len(pages)} pages on a phone in {time.monotonic() - started:.0f} s")
    assert wide_tables > 0, "no table is wider than a phone, so the check of their scroll boxes checked nothing"
    assert problems == [], "\n".join(problems)


def test_every_sample_page_fits_a_phone(chromium, sample_site):
    site_dir = sample_site[1]
    check_phone(chromium, site_dir, browser.site_pages(site_dir))


def test_real_pages_of_every_kind_and_the_largest_tables_fit_a_phone(chromium, real_site):
    site_dir = real_site[1]
    pages = browser.site_pages(site_dir)
    chosen = list(dict.fromkeys(one_page_per_kind(pages) + largest_tables(site_dir, pages, LARGEST_TABLES)))
    check_phone(chromium, site_dir, chosen)


def test_charts_are_redrawn_to_the_new_width_when_the_window_narrows(chromium, sample_site):
    site_dir = sample_site[1]
    pages = pages_with_charts(site_dir, one_page_per_kind(browser.site_pages(site_dir)))
    problems: list[str] = []
    with browse(chromium, site_dir, **DESKTOP) as tab:
        for path in pages:
            tab.page.set_viewport_size(DESKTOP["viewport"])
            problem = tab.open(path)
            if problem:
                problems.append(problem)
                continue
            wide = {chart["id"]: chart["svg"] for chart in tab.page.evaluate(PHONE_LAYOUT)["charts"]}
            tab.page.set_viewport_size(PHONE["viewport"])
            # Vega redraws on the window's resize event, a frame or two later (much later on a busy machine); on a
            # timeout the layout problems below say which chart did not follow.
            with contextlib.suppress(PlaywrightTimeout):
                tab.page.wait_for_function(
                    f"() => ({PHONE_LAYOUT})().charts.every(c => c.svg !== null && c.svg <= c.figure + 0.5)",
                    timeout=browser.WAIT_MS,
                )
            layout = tab.page.evaluate(PHONE_LAYOUT)
            problems += layout_problems(path, layout)
            problems += [
                f"{path}#{chart['id']}: still {chart['svg']} px wide, as before the window narrowed"
                for chart in layout["charts"]
                if chart["svg"] is not None and chart["svg"] >= wide[chart["id"]]
            ]
    assert pages
    assert problems == [], "\n".join(problems)


# Every table's scroll box (ours, .data-table, and Material's around Markdown tables), with its folded tables
# opened: whether it scrolls sideways and whether it says so ("Scroll sideways for more columns", site.css).
SCROLL_BOXES = """() => [...document.querySelectorAll('.md-typeset .data-table, .md-typeset .md-typeset__scrollwrap')]
  .filter(box => !(box.matches('.md-typeset__scrollwrap') && box.closest('.data-table')) && box.checkVisibility())
  .map(box => ({
    table: (box.querySelector('caption') || box.querySelector('tr') || box).textContent.trim().slice(0, 60),
    scrolls: box.scrollWidth > box.clientWidth + 1,
    cue: getComputedStyle(box, '::before').content.includes('Scroll sideways'),
  }))"""


SCROLLS_MARKED = """() => [...document.querySelectorAll('.md-typeset .data-table, .md-typeset .md-typeset__scrollwrap')]
  .filter(box => !(box.matches('.md-typeset__scrollwrap') && box.closest('.data-table')) && box.checkVisibility())
  .every(box => box.classList.contains('scrolls') === (box.scrollWidth > box.clientWidth + 1))"""


def check_scroll_cues(chromium: Browser, site_dir: Path, pages: list[str], options: dict) -> int:
    """A table wider than its box says so, and one that fits does not: a hidden column never goes unnoticed.
    Returns how many boxes scroll."""
    problems: list[str] = []
    scrolling = boxes = 0
    with browse(chromium, site_dir, **options) as tab:
        for path in tab.visit(pages, problems, charts=False):
            tab.page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
            # The toggle events that scrollboxes.js listens to come a task later: wait until it has marked every
            # box that scrolls now (and only those). Should it never, the wait fails: no cue would show.
            tab.page.wait_for_function(SCROLLS_MARKED)
            for box in tab.page.evaluate(SCROLL_BOXES):
                boxes += 1
                scrolling += box["scrolls"]
                if box["scrolls"] != box["cue"]:
                    state = "scrolls without a cue" if box["scrolls"] else "fits but says it scrolls"
                    problems.append(f"{path} ({options['viewport']['width']} px): {box['table']!r} {state}")
    assert boxes > 0
    assert problems == [], "\n".join(problems)
    return scrolling


def test_sample_tables_wider_than_their_box_say_so_on_a_phone_and_a_desktop(chromium, sample_site):
    site_dir = sample_site[1]
    pages = browser.site_pages(site_dir)
    chosen = list(dict.fromkeys(one_page_per_kind(pages) + largest_tables(site_dir, pages, LARGEST_TABLES)))
    assert check_scroll_cues(chromium, site_dir, chosen, PHONE) > 0, "no table scrolls on a phone: nothing checked"
    check_scroll_cues(chromium, site_dir, chosen, DESKTOP)


def test_real_tables_wider_than_their_box_say_so_on_a_phone_and_a_desktop(chromium, real_site):
    site_dir = real_site[1]
    pages = browser.site_pages(site_dir)
    chosen = list(dict.fromkeys(one_page_per_kind(pages) + largest_tables(site_dir, pages, LARGEST_TABLES)))
    assert check_scroll_cues(chromium, site_dir, chosen, PHONE) > 0, "no table scrolls on a phone: nothing checked"
    check_scroll_cues(chromium, site_dir, chosen, DESKTOP)


def check_home_comparison_fits_a_phone(chromium: Browser, site_dir: Path) -> None:
    """The home page's first table (the latest comparison, change columns last) fits a phone without scrolling."""
    with browse(chromium, site_dir, **PHONE) as tab:
        assert tab.open("", charts=False) is None
        boxes = tab.page.evaluate(SCROLL_BOXES)
    assert boxes and not boxes[0]["scrolls"], boxes[:1]


def test_sample_home_comparison_fits_a_phone(chromium, sample_site):
    check_home_comparison_fits_a_phone(chromium, sample_site[1])


def check_map_caption_follows_the_pick(chromium: Browser, site_dir: Path) -> None:
    """Picking another crime on the district map changes its caption to that crime's figures."""
    with browse(chromium, site_dir, **DESKTOP) as tab:
        assert tab.open("maps/") is None
        figure = tab.page.locator("#chart-district-map")
        before = figure.locator("figcaption").text_content()
        assert before.startswith("Part I crimes by police district")
        tab.page.locator("#chart-district-map select").select_option("homicide")
        tab.page.wait_for_function(
            "() => document.querySelector('#chart-district-map figcaption').textContent.startsWith('Homicide')",
        )
        assert figure.locator("figcaption").get_attribute("aria-live") == "polite"
        assert tab.page_errors() == []


def test_real_map_caption_follows_the_crime_picked(chromium, real_site):
    check_map_caption_follows_the_pick(chromium, real_site[1])


# ----- 4. without JavaScript ----------------------------------------------------------------------------------


def static_problems(path: str, chart: dict) -> list[str]:
    """What a reader without JavaScript misses of one chart: its static SVG (in .chart-static, in the view), the
    view's text alternative, the caption after it, the data table after the figure."""
    where = f"{path}#{chart['id']}"
    problems = []
    if not chart["svg"]:
        problems.append(f"{where}: no SVG shows in the view's .chart-static (its box: {chart['size']})")
    if chart["role"] != "img" or not chart["label"]:
        problems.append(f"{where}: the view has no role=img with an aria-label")
    if not chart["caption"]:
        problems.append(f"{where}: no caption shows after the view")
    if chart["noscript"]:
        problems.append(f"{where}: a <noscript> copy (the static SVG is the chart itself)")
    if not chart["table"]:
        problems.append(f"{where}: no visible data table after the chart")
    return problems


def check_without_javascript(chromium: Browser, site_dir: Path) -> None:
    """With JavaScript off, on every page, every chart shows: its static SVG, drawn at build time, with its text
    alternative, its caption and its data table."""
    problems: list[str] = []
    charts = 0
    with browse(chromium, site_dir, java_script_enabled=False, **DESKTOP) as tab:
        for path in tab.visit(browser.site_pages(site_dir), problems, charts=False):
            for chart in tab.page.evaluate(STATIC_CHARTS):
                charts += 1
                problems += static_problems(path, chart)
    assert charts > 0
    assert problems == [], "\n".join(problems)


def test_sample_charts_show_without_javascript(chromium, sample_site):
    check_without_javascript(chromium, sample_site[1])


def test_real_charts_show_without_javascript(chromium, real_site):
    check_without_javascript(chromium, real_site[1])


def read_counts(path: Path, period: str) -> dict[tuple[str, str], int]:
    """A published count file as {(period, category): count}, Part I categories only."""
    with path.open(newline="") as file:
        return {(row[period], row["category"]): int(row["count"]) for row in csv.DictReader(file) if row["part"] == "1"}


def expected_headline(downloads: Path) -> tuple[int, int | None, dict[str, tuple[int, int | None]]]:
    """The latest year, the year it is compared with (the last year before it whose same months are all in the
    data; None when there is none) and, per Part I category, its count that year and in those months of the year
    compared with, from the published annual and monthly counts."""
    annual = read_counts(downloads / "annual_counts.csv", "year")
    monthly = read_counts(downloads / "monthly_counts.csv", "month")
    latest = max(int(year) for year, _ in annual)
    through = max(int(month[5:]) for month, _ in monthly if month.startswith(f"{latest}-"))
    have = {month for month, _ in monthly}
    earlier = sorted({int(year) for year, _ in annual if int(year) < latest}, reverse=True)
    compared = next((year for year in earlier if {f"{year}-{m:02d}" for m in range(1, through + 1)} <= have), None)
    before = [f"{compared}-{m:02d}" for m in range(1, through + 1)] if compared else []
    categories = sorted({category for _, category in annual})
    return (
        latest,
        compared,
        {
            category: (
                annual.get((str(latest), category), 0),
                sum(monthly.get((month, category), 0) for month in before) if compared else None,
            )
            for category in categories
        },
    )


def number(text: str) -> int:
    """'1,475' -> 1475, '+23' -> 23, '-44' -> -44 (a typographic minus too)."""
    return int(text.replace(",", "").replace("\u2212", "-"))


def check_headline(chromium: Browser, site_dir: Path) -> None:
    """The home page's first table, read with JavaScript off, holds the latest year's Part I counts, those of the
    same months of the last year that has them (2020 for 2024 on the real data: 2021-2023 have no files) and the
    changes, as the published counts give them."""
    latest, compared, expected = expected_headline(site_dir / "downloads")
    with browse(chromium, site_dir, java_script_enabled=False, **DESKTOP) as tab:
        assert tab.open("", charts=False) is None
        table = tab.page.evaluate(FIRST_TABLE)
    assert table["headers"][0] == "Crime" and str(latest) in table["headers"][1], table["headers"]
    assert compared is None or str(compared) in table["headers"][2], table["headers"]
    *rows, total = table["rows"]
    seen = {}
    for row in rows:
        slug = re.fullmatch(r"crimes/([\w-]+)/", row["link"] or "")
        assert slug, f"the row {row['cells']} does not link to its crime page"
        seen[slug.group(1)] = row["cells"][1:4]
    if any(then is None for _, then in expected.values()):  # the year before is not in the data: no change shown
        assert seen == {category: [f"{now:,}", "n/a", "n/a"] for category, (now, _) in expected.items()}
        assert total["cells"][2:5] == ["n/a", "n/a", "n/a"]
        assert number(total["cells"][1]) == sum(now for now, _ in expected.values())
        return
    seen = {category: [number(cell) for cell in cells] for category, cells in seen.items()}
    assert seen == {category: [now, then, now - then] for category, (now, then) in expected.items()}
    now, then = (sum(counts) for counts in zip(*expected.values(), strict=True))
    assert [number(cell) for cell in total["cells"][1:4]] == [now, then, now - then]
    assert total["cells"][4] == f"{(now - then) / then * 100:+.1f}%"


def test_sample_home_page_headline_numbers_are_in_the_html(chromium, sample_site):
    check_headline(chromium, sample_site[1])


def test_real_home_page_headline_numbers_are_in_the_html(chromium, real_site):
    check_headline(chromium, real_site[1])


# ----- 5. Vega only once the reader interacts or the page is idle -------------------------------------------------


def vega_requests(tab: Tab, since: int) -> list[str]:
    """The requests for the Vega bundle among the tab's requests from number `since` on."""
    return [url for url in tab.requests[since:] if url.endswith("/vega-bundle.js")]


def open_held(tab: Tab, path: str) -> tuple[int, str | None]:
    """Open `path` in a tab whose pages are never idle (browser.HOLD_IDLE) and wait until charts.js has asked to
    be called when idle, which it does once the page has loaded: (the number of requests before it, a problem)."""
    since = len(tab.requests)
    problem = tab.open(path, charts=False)
    if problem is None:
        tab.page.wait_for_function(browser.IDLE_ASKED)
    return since, problem


def static_until_drawn(path: str, tab: Tab, since: int) -> list[str]:
    """While the page has had neither an interaction nor idle time: no Vega request, every chart its static SVG."""
    problems = [f"{path}: {url} asked for before any interaction" for url in vega_requests(tab, since)]
    for chart in tab.page.evaluate(CHART_STATES):
        if chart["drawn"] or not chart["still"] or chart["svgs"] != 1:
            problems.append(f"{path}#{chart['id']}: drawn={chart['drawn']!r} before any interaction")
    return problems


def drawn_after(path: str, tab: Tab, since: int, action: str) -> list[str]:
    """After the reader's `action`: the Vega bundle asked for once, and every chart drawn in its static one's place."""
    tab.page.wait_for_function(browser.CHARTS_DRAWN)
    problems = chart_problems(f"{path} ({action})", tab.page.evaluate(CHART_STATES))
    if len(vega_requests(tab, since)) != 1:
        problems.append(f"{path} ({action}): the Vega bundle asked for {len(vega_requests(tab, since))} times")
    return problems


def check_interaction(chromium: Browser, site_dir: Path) -> None:
    """With the page never idle, nothing asks for Vega and every chart stays static until the reader points at a
    chart (on every kind of page with charts), presses a key, or touches a chart (on a phone); then Vega loads
    once and draws every chart of the page."""
    pages = pages_with_charts(site_dir, one_page_per_kind(browser.site_pages(site_dir)))
    problems: list[str] = []
    with browse(chromium, site_dir, (browser.HOLD_IDLE,), **DESKTOP) as tab:
        for path in pages:
            since, problem = open_held(tab, path)
            if problem:
                problems.append(problem)
                continue
            problems += static_until_drawn(path, tab, since)
            tab.page.hover("figure.chart .chart-view")
            problems += drawn_after(path, tab, since, "pointer on its first chart")
        since, problem = open_held(tab, pages[0])
        assert problem is None, problem
        problems += static_until_drawn(pages[0], tab, since)
        tab.page.keyboard.press("Tab")
        problems += drawn_after(pages[0], tab, since, "Tab pressed")
        problems += tab.page_errors()
    with browse(chromium, site_dir, (browser.HOLD_IDLE,), **PHONE) as tab:
        since, problem = open_held(tab, pages[-1])
        assert problem is None, problem
        problems += static_until_drawn(pages[-1], tab, since)
        tab.page.tap("figure.chart .chart-view")
        problems += drawn_after(pages[-1], tab, since, "first chart tapped")
    assert len(pages) > 1
    assert problems == [], "\n".join(problems)


def test_sample_charts_wait_for_an_interaction_when_the_page_is_never_idle(chromium, sample_site):
    check_interaction(chromium, sample_site[1])


def test_real_charts_wait_for_an_interaction_when_the_page_is_never_idle(chromium, real_site):
    check_interaction(chromium, real_site[1])


def box_problems(path: str, before: list[dict], after: list[dict]) -> list[str]:
    """What moved when the drawn charts took the static ones' places: a figure's top, width or height, its view's
    height, or the top of the element after it (half a pixel of rounding allowed)."""
    problems = []
    for static, drawn in zip(before, after, strict=True):
        where = f"{path}#{static['id']}"
        if static["drawn"] or drawn["drawn"] != "true":
            problems.append(f"{where}: drawn={static['drawn']!r} before idle, {drawn['drawn']!r} after")
        pairs = {
            "figure top, width, height": (static["figure"], drawn["figure"]),
            "view height": (static["view"][2:], drawn["view"][2:]),
            "next element's top": (static["next"][:1], drawn["next"][:1]),
        }
        for what, (then, now) in pairs.items():
            if any(abs(a - b) > 0.5 for a, b in zip(then, now, strict=True)):
                problems.append(f"{where}: {what} {[round(a) for a in then]} -> {[round(b) for b in now]}")
    return problems


@pytest.mark.parametrize("options", [PHONE, SMALL_PHONE, LAPTOP], ids=["phone", "small-phone", "laptop"])
def test_real_charts_are_drawn_in_place_without_a_layout_shift(chromium, real_site, options):
    """On a page of each kind with charts: the page held from idle (so the static charts are measured), then let
    idle, nothing moves when the drawn charts replace the static ones, and the page's layout shifts from its load
    to the charts drawn (tablesort.js's buttons and scrollboxes.js's cues included) sum to no more than 0.05."""
    site_dir = real_site[1]
    pages = pages_with_charts(site_dir, one_page_per_kind(browser.site_pages(site_dir)))
    problems: list[str] = []
    shifts: dict[str, float] = {}
    with browse(chromium, site_dir, (browser.HOLD_IDLE, browser.WATCH_LOAD), **options) as tab:
        for path in pages:
            _, problem = open_held(tab, path)
            if problem:
                problems.append(problem)
                continue
            before = tab.page.evaluate(CHART_BOXES)
            tab.page.evaluate(browser.RELEASE_IDLE)
            tab.page.wait_for_function(browser.CHARTS_DRAWN)
            seen = tab.page.evaluate(browser.LOAD_SEEN)
            problems += box_problems(path, before, tab.page.evaluate(CHART_BOXES))
            shifts[path] = sum(shift["value"] for shift in seen["shifts"] if not shift["input"])
            if shifts[path] > MAX_LAYOUT_SHIFT:
                problems.append(f"{path}: layout shifts sum to {shifts[path]:.3f}: {seen['shifts']}")
        problems += tab.page_errors()
    print(f"{options['viewport']}: layout shift per page: {shifts}")
    assert len(pages) > 1
    assert problems == [], "\n".join(problems)


# ----- 6. screenshots -------------------------------------------------------------------------------------------


def test_screenshots_of_the_home_page_and_a_neighborhood(chromium, real_site):
    """Screenshots to look at (CI keeps test-artifacts/ as an artifact): each is as wide as its window, so
    nothing sticks out of the page."""
    site_dir = real_site[1]
    neighborhood = next(page for page in browser.site_pages(site_dir) if page_kind(page) == ("neighborhoods", "page"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, options in (("desktop", DESKTOP), ("phone", PHONE)):
        with browse(chromium, site_dir, **options) as tab:
            for name, path in (("home", ""), ("neighborhood", neighborhood)):
                assert tab.open(path) is None
                target = SCREENSHOTS / f"{name}-{size}.png"
                target.unlink(missing_ok=True)
                png = tab.page.screenshot(path=target, full_page=True)
                width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # PNG header
                assert width == options["viewport"]["width"], f"{target.name} is {width} px wide"
                assert height >= options["viewport"]["height"]
                assert target.stat().st_size > 10_000
            assert tab.page_errors() == []


# ----- 7. the waits themselves ----------------------------------------------------------------------------------

SHORT_WAIT = re.compile(r"timeout\s*=\s*[\d_]+|wait_for_timeout|\bsleep\(")


def test_the_browser_tests_wait_for_conditions_only():
    """No fixed sleep and no wait shorter than browser.WAIT_MS in the browser tests: on a busy machine a page is
    slow, not broken, so only a condition that never holds may end a test."""
    here = Path(__file__).parent
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in (here / "browser.py", here / "test_browser.py", here / "test_hostile.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SHORT_WAIT.search(line) and "SHORT_WAIT" not in line
    ]
    assert found == []
    assert browser.WAIT_MS >= 120_000
