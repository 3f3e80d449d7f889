"""The built site in a real browser (Chromium under Playwright): every page loads cleanly and draws its charts from
the site's own server, passes axe's serious and critical checks, fits a phone, and keeps its charts' content
without JavaScript.

Page lists come from the built site itself (tests/browser.site_pages), so pages added later are checked too.
A page's "kind" is its first path segment, and whether it is that section's index or a page inside it: the
accessibility and phone checks visit one page of each kind, plus the pages with the largest tables.
"""

from __future__ import annotations

import contextlib
import csv
import json
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
SCREENSHOTS = paths.ROOT / "test-artifacts" / "screenshots"
MAX_TABS = 10  # a chart's own controls (a map's menu) come before its table; more than this is lost focus
LARGEST_TABLES = 2  # pages with the longest and with the widest tables added to the phone check

# True once every chart has been drawn (an svg in its view) or has failed.
CHARTS_SETTLED = """() => [...document.querySelectorAll('figure.chart')].every(figure => {
  const view = figure.querySelector('.chart-view');
  return !view || view.dataset.drawn === 'failed' || view.querySelector('svg') !== null;
})"""

# Each chart's state after drawing: the view, its text alternative and the element after the figure.
CHART_STATES = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const view = figure.querySelector('.chart-view');
  const next = figure.nextElementSibling;
  return {
    id: figure.id,
    drawn: view ? (view.dataset.drawn || '') : 'no .chart-view',
    svg: view !== null && view.querySelector('svg') !== null,
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

# Without JavaScript: each chart's static copy (if it has one) and data table, and whether a reader would see them.
# A folded table (details.data-details) counts when its summary shows and the table shows once it is opened.
STATIC_CHARTS = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
  const visible = element => element !== null && element.checkVisibility() && element.getBoundingClientRect().width > 0;
  const spec = figure.querySelector('script.chart-spec');
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
    spec: spec ? spec.textContent : '{}',
    static: figure.querySelector('noscript .chart-static') !== null,
    svg: visible(figure.querySelector('noscript .chart-static svg')),
    table: table,
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


def is_map(spec: dict) -> bool:
    """A map draws geographic shapes (a geoshape mark, in any layer); it has no static SVG, only its table."""
    mark = spec.get("mark")
    if (mark.get("type") if isinstance(mark, dict) else mark) == "geoshape":
        return True
    return any(is_map(layer) for layer in spec.get("layer", []))


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
            self.page.wait_for_function(CHARTS_SETTLED, timeout=browser.WAIT_MS)
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
def browse(chromium: Browser, site_dir: Path, **options: object) -> Iterator[Tab]:
    """A fresh browser context (service workers blocked, so every load goes to the server) on `site_dir`."""
    with browser.serve(site_dir) as base:
        context = browser.new_context(chromium, service_workers="block", **options)
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
    """What is wrong with the charts of one page: not drawn, no text alternative, no data table after it."""
    problems = []
    for chart in states:
        where = f"{path}#{chart['id']}"
        if chart["drawn"] != "true" or not chart["svg"]:
            problems.append(f"{where}: not drawn (drawn={chart['drawn']!r}, svg={chart['svg']})")
        if chart["role"] != "img" or not chart["label"]:
            problems.append(f"{where}: the view has no role=img with an aria-label")
        if not chart["caption"]:
            problems.append(f"{where}: no figcaption text")
        if not chart["table"]:
            problems.append(f"{where}: not followed by a .data-table or details.data-details")
    return problems


# ----- 1. every page, desktop -----------------------------------------------------------------------------------


def check_every_page(chromium: Browser, site_dir: Path) -> None:
    """Load every page in one tab: no HTTP, console or page error, every chart drawn and described, and no
    request to another host."""
    pages = browser.site_pages(site_dir)
    problems: list[str] = []
    charts = 0
    started = time.monotonic()
    with browse(chromium, site_dir, **DESKTOP) as tab:
        for path in tab.visit(pages, problems):
            states = tab.page.evaluate(CHART_STATES)
            charts += len(states)
            problems += chart_problems(path, states)
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
    """What a reader without JavaScript misses of one chart: the chart has a static copy (a map never has one)
    that does not show, or its data table does not show."""
    where = f"{path}#{chart['id']}"
    problems = []
    if chart["static"] and is_map(json.loads(chart["spec"])):
        problems.append(f"{where}: a map with a static copy")
    if chart["static"] and not chart["svg"]:
        problems.append(f"{where}: its static copy (noscript .chart-static) shows no SVG")
    if not chart["table"]:
        problems.append(f"{where}: no visible data table after the chart")
    return problems


def check_without_javascript(chromium: Browser, site_dir: Path) -> None:
    """With JavaScript off every chart still shows its numbers: as a static SVG (the home page's charts always),
    or at least as its data table."""
    problems: list[str] = []
    statics = charts = 0
    with browse(chromium, site_dir, java_script_enabled=False, **DESKTOP) as tab:
        for path in tab.visit(pages_with_charts(site_dir, browser.site_pages(site_dir)), problems, charts=False):
            for chart in tab.page.evaluate(STATIC_CHARTS):
                charts += 1
                statics += chart["svg"]
                problems += static_problems(path, chart)
                if path == "" and not chart["static"]:
                    problems.append(f"#{chart['id']}: a chart of the home page without a static copy")
    assert charts > 0 and statics > 0
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


# ----- 5. screenshots -------------------------------------------------------------------------------------------


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


# ----- 6. the waits themselves ----------------------------------------------------------------------------------

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
