"""Hostile input: injection payloads in every free-text column of both SLMPD formats, in the neighborhood table,
the claims and a raw file's name, built into a whole site (MkDocs included) and checked page by page in Chromium.

The fixture files are made by tests/fixtures/hostile/make_hostile.py, which lists the payloads. Where a value can
reach the site, and what it becomes there:

- descriptions (legacy `Description`, NIBRS `Offense`): the crime pages' tables of descriptions; downloads;
- streets (legacy `ILEADSStreet`, NIBRS `IncidentLocation`) as blocks: the tooltips of the 28-day map; downloads;
- complaint and incident numbers: downloads only;
- neighborhood names: page headings, titles and the navigation, tables, chart summaries, map tooltips; downloads;
- a raw file's name: the data-quality and downloads pages, datapackage.json and the incident files;
- claims: the claims page and claims_checked.csv.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import frictionless
import pyarrow.parquet as pq
import pytest

from crimesite import build, static_charts
from crimesite import config as config_module
from crimesite.geo import UNKNOWN_BLOCK
from tests import browser, privacy_scan, published
from tests.conftest import FIXTURES
from tests.fixtures.hostile import make_hostile

HOSTILE = FIXTURES / "hostile"
PAYLOADS = make_hostile.PAYLOADS
# One legacy file is copied under this name (not committed: such a name is not allowed on every file system).
FILE_NAME = '"><img src=x onerror=window.__pwned=1>{{ 7*7 }} \u202egnp.csv'
FILE_NAME_SHOWN = '"><img src=x onerror=window.__pwned=1>{{ 7*7 }} gnp.csv'
SITE_TITLE = "St. Louis crime data"
# Characters no page may show: C0 controls but tab and line breaks, DEL, C1, bidirectional and zero-width
# controls, the byte-order mark, tag characters.
INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
    r"\U000e0000-\U000e007f]"
)


def shown(name: str) -> str:
    """A payload as a reader sees it in a page's text: controls dropped, breaks as spaces (make_hostile.VISIBLE),
    surrounding spaces trimmed as the readers trim them, cut to 200 characters with an ellipsis."""
    value = make_hostile.VISIBLE.get(name, PAYLOADS[name]).strip()
    return value if len(value) <= 200 else value[:199] + "\u2026"


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory, site_config) -> tuple[Path, Path]:
    """The hostile raw files, neighborhood table, boundaries and claims, built into a whole site."""
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    shutil.copytree(HOSTILE / "raw", raw)
    (raw / "legacy" / "march2021.csv").rename(raw / "legacy" / FILE_NAME)
    folder = HOSTILE / "places"
    config = config_module.with_place_files(
        site_config, folder / "neighborhoods.csv", folder / "neighborhoods.geojson", folder / "districts.geojson"
    )
    # The hostile points lie in the made-up places inside the box, not all inside St. Louis's city limits.
    geography = dataclasses.replace(config.geography, city_limits=None)
    config = dataclasses.replace(config, claims=HOSTILE / "claims.csv", geography=geography)
    build.run([raw], build_dir=root / "build", site_dir=root / "site", config=config)
    return root / "build", root / "site"


# ----- the fixture files ----------------------------------------------------------------------------------------


def test_the_fixture_files_are_what_the_generator_writes():
    expected = make_hostile.fixture_files()
    committed = {
        path.relative_to(HOSTILE).as_posix(): path.read_bytes()
        for path in HOSTILE.rglob("*")
        if path.is_file() and path.suffix != ".pyc" and path.name != "make_hostile.py"
    }
    assert sorted(committed) == sorted(expected)
    assert [name for name in expected if committed[name] != expected[name]] == []


def test_every_free_text_column_holds_payloads():
    """Each text column of each raw file holds every short payload in some row (codes and dates do not)."""
    codes = {
        "MonthReportedtoMSHP",
        "CodedMonth",
        "Coded Month",
        "DateOccured",
        "DateOccur",
        "Date Occur",
        "Count",
        "Crime",
        "District",
        "Neighborhood",
        "XCoord",
        "YCoord",
        "X-Coord",
        "Y-Coord",
        "NewCrimeIndicator",
        "UnfoundedCrimeIndicator",
        "AdministrativeAdjustmentIndicator",
        "FlagCrime",
        "FlagUnfounded",
        "FlagAdministrative",
        "Flag-Crime",
        "Flag-Unfounded",
        "Flag-Administrative",
        "IncidentDate",
        "NIBRS",
        "SRS_UCR",
        "IncidentTopSRS_UCR",
        "NbhdNum",
        "Latitude",
        "Longitude",
        "LastSuppDate",
    }
    # A number or code the reader tolerates a bad value in (the value is then unknown): payloads in some rows.
    some_rows = {"ILEADSAddress", "ILEADS-Address", "OccurredFromTime", "FirearmUsed"}
    short = [value.replace("\r\n", "\n") for name, value in PAYLOADS.items() if name not in make_hostile.LONG]
    for path in sorted((HOSTILE / "raw").rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.DictReader(handle))
        for column in sorted(set(records[0]) - codes):
            cells = "\n".join(record[column] for record in records).replace("\r\n", "\n")
            missing = [value for value in short if value not in cells]
            if column in some_rows:
                assert len(missing) < len(short), f"{path.name} column {column}"
            else:
                assert missing == [], f"{path.name} column {column}"


# ----- the chart SVGs, as built ----------------------------------------------------------------------------------

CHART_SVG = re.compile(r'<figure class="chart" id="([^"]+)">.*?<div class="chart-static">(<svg\b.*?</svg>)</div>')


def chart_svgs(site_dir: Path) -> dict[tuple[str, str], str]:
    """(page, chart id) -> the SVG in the chart's view, for every chart of every built page."""
    return {
        (path.relative_to(site_dir).as_posix(), chart_id): svg
        for path in sorted(site_dir.rglob("*.html"))
        for chart_id, svg in CHART_SVG.findall(path.read_text(encoding="utf-8"))
    }


def test_the_chart_svgs_pass_the_check_and_hold_no_payload(hostile_site):
    """Every SVG passes the check (drawing elements only, no on* attribute, no reference outside itself). No
    payload reaches one: the data's text went only into the marks' labels (a map point's block and neighborhood),
    which the SVG drops; tests/test_static_charts.py shows hostile axis labels stay text."""
    _, site_dir = hostile_site
    svgs = chart_svgs(site_dir)
    assert len(svgs) > 20
    for (page, chart_id), svg in svgs.items():
        root = ElementTree.fromstring(static_charts.checked(svg, chart_id))
        text = " ".join([*root.itertext(), *(value for element in root.iter() for value in element.attrib.values())])
        assert "__pwned" not in text and make_hostile.EVIL_HOST not in text, f"{page} {chart_id}"


# ----- the pages, in Chromium -------------------------------------------------------------------------------------

# Every chart drawn by Vega (charts.js, once the page is idle) or failed: hovers then reach Vega's marks, with
# tooltips, not the static SVG's.
CHARTS_DRAWN = browser.CHARTS_DRAWN

FINDINGS = """() => {
  const urlAttributes = ["href", "src", "srcset", "action", "formaction", "poster", "data", "xlink:href",
                         "background", "ping", "style"];
  const handlers = [], scriptUrls = [], payloadHosts = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const where = `${element.tagName.toLowerCase()} ${attribute.name}="${attribute.value.slice(0, 80)}"`;
      if (name.startsWith("on")) handlers.push(where);
      if (!urlAttributes.includes(name)) continue;
      // Browsers ignore controls and whitespace in a URL's scheme, and its case.
      const squeezed = attribute.value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, "").toLowerCase();
      if (/(^|[,;(\\s])(javascript|vbscript|data:text\\/html)/.test(squeezed) || squeezed.startsWith("javascript:")) {
        scriptUrls.push(where);
      }
      if (squeezed.includes("evil.example")) payloadHosts.push(where);
    }
  }
  const scripts = [...document.querySelectorAll("script")].map(script => ({
    src: script.getAttribute("src") || script.getAttribute("href") || "",
    resolved: script.src ? String(script.src) : "",
    type: script.getAttribute("type") || "",
    id: script.id,
    className: script.getAttribute("class") || "",
    text: script.textContent,
  }));
  const views = [...document.querySelectorAll(".chart-view")];
  return {
    pwned: typeof window.__pwned !== "undefined",
    handlers, scriptUrls, payloadHosts, scripts,
    text: document.body.innerText,
    title: document.title,
    headings: [...document.querySelectorAll("h1")].map(heading => {
      const copy = heading.cloneNode(true);
      copy.querySelectorAll(".headerlink").forEach(link => link.remove());
      return copy.textContent;
    }),
    nav: [...document.querySelectorAll(".md-nav__link")].map(link => link.textContent.trim()),
    links: [...document.querySelectorAll("a[href]")].map(a => a.href),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    charts: views.length,
    failedCharts: views.filter(view => !view.querySelector("svg")).map(view => view.closest("figure").id),
  };
}"""


@dataclass(repr=False)
class Visit:
    dialogs: list[str]
    requests: list[str]
    errors: list[str]
    found: dict


def visit(context, url: str) -> Visit:
    page = context.new_page()
    dialogs, requests, errors = [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url, wait_until="load")
    page.wait_for_function(CHARTS_DRAWN, timeout=browser.WAIT_MS)
    found = page.evaluate(FINDINGS)
    page.close()
    return Visit(dialogs, requests, errors, found)


@pytest.fixture(scope="module")
def visits(hostile_site, chromium) -> tuple[str, dict[str, Visit]]:
    """Every page of the hostile site, visited once at a phone's width (390 px): the base URL and what each
    page held."""
    _, site_dir = hostile_site
    context = browser.new_context(chromium, viewport={"width": 390, "height": 844})
    try:
        with browser.serve(site_dir) as base:
            found = {path: visit(context, base + path) for path in browser.site_pages(site_dir)}
    finally:
        context.close()
    return base, found


def on_every_page(visits, check) -> dict[str, object]:
    """page -> what `check` found wrong there, for the pages where it found anything."""
    _, found = visits
    problems = {path: check(item) for path, item in found.items()}
    return {path: problem for path, problem in problems.items() if problem}


def test_every_page_was_visited(visits, hostile_site):
    _, found = visits
    assert len(found) == len(browser.site_pages(hostile_site[1])) > 40
    assert {"", "crimes/homicide/", "maps/recent/", "claims/", "data-quality/"} <= set(found)


def test_no_page_runs_injected_code(visits):
    assert on_every_page(visits, lambda v: v.dialogs or v.found["pwned"] or v.errors) == {}


def test_no_element_has_an_event_handler_attribute(visits):
    assert on_every_page(visits, lambda v: v.found["handlers"]) == {}


def test_no_link_or_source_is_a_script_url(visits):
    assert on_every_page(visits, lambda v: v.found["scriptUrls"]) == {}
    assert on_every_page(visits, lambda v: [url for url in v.found["links"] if not url.startswith("http")]) == {}


def test_pages_load_nothing_from_a_payload_host(visits):
    base, _ = visits
    assert on_every_page(visits, lambda v: [url for url in v.requests if not url.startswith(base)]) == {}
    assert on_every_page(visits, lambda v: v.found["payloadHosts"]) == {}


MATERIAL_INLINE_SCRIPTS = ("__md_scope=new URL(", "var target=document.getElementById(location.hash.slice(1))")


def foreign_scripts(item: Visit, base: str) -> list[str]:
    """Scripts that are neither the site's own files, a chart spec, Material's configuration nor Material's
    two inline scripts."""
    foreign = []
    for script in item.found["scripts"]:
        if script["src"]:
            ok = script["resolved"].startswith(base + "assets/") and "pwned" not in script["resolved"]
        elif script["type"] == "application/json":
            ok = script["className"] == "chart-spec" or script["id"] == "__config"
            json.loads(script["text"])  # a payload that broke out of the JSON would make it invalid
        else:
            ok = script["text"].startswith(MATERIAL_INLINE_SCRIPTS) and "pwned" not in script["text"]
        if not ok:
            foreign.append(json.dumps(script)[:200])
    return foreign


def test_every_script_is_the_sites_own(visits):
    base, _ = visits
    assert on_every_page(visits, lambda v: foreign_scripts(v, base)) == {}


def test_hostile_text_breaks_no_chart(visits):
    assert on_every_page(visits, lambda v: v.found["failedCharts"]) == {}
    _, found = visits
    assert sum(item.found["charts"] for item in found.values()) > 40


def test_no_page_scrolls_sideways_on_a_phone(visits):
    """Values of 10,000 characters without a space must wrap or scroll inside their own box."""
    assert on_every_page(visits, lambda v: v.found["overflow"] > 0 and v.found["overflow"]) == {}


def test_no_control_or_format_character_reaches_the_text(visits):
    def invisible(item: Visit) -> list[str]:
        return sorted({f"U+{ord(c):04X}" for c in INVISIBLE.findall(item.found["text"] + item.found["title"])})

    assert on_every_page(visits, invisible) == {}


def test_descriptions_show_as_typed_on_their_crime_page(visits, categories):
    """Row k of every raw file has payload k as its description and UCR class k % 8 + 1 (make_hostile)."""
    _, found = visits
    slugs = {c.ucr_class: c.slug for c in categories}
    missing = []
    for index, name in enumerate(PAYLOADS):
        page = found[f"crimes/{slugs[index % 8 + 1]}/"]
        if shown(name) not in page.found["text"]:
            missing.append(name)
    assert missing == []


def test_neighborhood_names_show_as_typed_in_headings_titles_and_the_navigation(visits):
    _, found = visits
    for number, key in enumerate(make_hostile.NEIGHBORHOOD_NAMES, start=1):
        [path] = [path for path in found if path.startswith(f"neighborhoods/{number}-")]
        page = found[path].found
        assert page["headings"] == [shown(key)], key
        assert page["title"] == f"{shown(key)} - {SITE_TITLE}", key
        assert shown(key) in page["nav"], key
        assert len(path) < 80  # the 10,000-character name gives a short address
    index = found["neighborhoods/"].found["text"]
    assert all(shown(key) in index for key in make_hostile.NEIGHBORHOOD_NAMES)


def test_the_file_name_shows_as_typed(visits):
    _, found = visits
    assert FILE_NAME_SHOWN in found["data-quality/"].found["text"]
    assert FILE_NAME_SHOWN in found["downloads/"].found["text"]


def test_claims_show_as_typed(visits):
    _, found = visits
    page = found["claims/"].found
    with (HOSTILE / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_value = {value: name for name, value in PAYLOADS.items()}
    for row in rows:
        for column in ("statement", "who", "said_on", "source", "note"):
            name = by_value[row[column]]
            assert shown(name) in page["text"], (column, name)
    assert sorted(link for link in page["links"] if "example.org" in link) == sorted(row["url"] for row in rows)


# ----- the map's tooltips and the search --------------------------------------------------------------------------

TOOLTIP = """() => {
  const tip = document.getElementById("vg-tooltip-element");
  if (!tip || !tip.classList.contains("visible")) return null;
  return {
    text: tip.innerText,
    tags: [...tip.querySelectorAll("*")].map(element => element.tagName.toLowerCase()),
    handlers: [...tip.querySelectorAll("*")].flatMap(element => [...element.attributes])
      .filter(attribute => attribute.name.toLowerCase().startsWith("on")).length,
  };
}"""


# Each map's marks that have a tooltip: the points, and the shaded neighborhoods (the layer over the outlines).
MAP_MARKS = {
    "maps/recent/": "#chart-recent-map g.mark-symbol.role-mark path",
    "maps/": "#chart-neighborhood-map g.mark-shape.role-mark.layer_1_marks path",
}


def hover_each(page, selector: str) -> list[dict]:
    """Move the mouse onto each element in turn; the tooltip each one shows."""
    marks = page.locator(selector)
    tips = []
    for index in range(marks.count()):
        box = marks.nth(index).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(TOOLTIP, timeout=browser.WAIT_MS)
        tips.append(page.evaluate(TOOLTIP))
        page.mouse.move(1, 1)
        # hidden again before the next mark, so the next wait cannot see this mark's tooltip
        page.wait_for_function(f"() => ({TOOLTIP})() === null", timeout=browser.WAIT_MS)
    return tips


@pytest.fixture(scope="module")
def tooltips(hostile_site, chromium) -> tuple[dict[str, list[dict]], list[str]]:
    """Hover every point of the 28-day map and every shaded neighborhood of the rate map: the tooltips, whether
    anything ran, and any dialogs."""
    _, site_dir = hostile_site
    context = browser.new_context(chromium, viewport={"width": 1280, "height": 1000})
    dialogs: list[str] = []
    tips = {}
    try:
        with browser.serve(site_dir) as base:
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for path, selector in MAP_MARKS.items():
                page.goto(base + path, wait_until="load")
                page.wait_for_function(CHARTS_DRAWN, timeout=browser.WAIT_MS)
                tips[path] = hover_each(page, selector)
                assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        context.close()
    return tips, dialogs


def tooltip_problems(tips: list[dict]) -> list[str]:
    """Markup in tooltips beyond vega-tooltip's own table, event handlers, invisible characters."""
    problems = [f"<{tag}>" for tip in tips for tag in tip["tags"] if tag not in ("table", "tbody", "tr", "td")]
    problems += [f"{tip['handlers']} handler(s)" for tip in tips if tip["handlers"]]
    return problems + INVISIBLE.findall("".join(tip["text"] for tip in tips))


def test_map_tooltips_show_the_block_as_text(tooltips):
    """No payload reaches a map tooltip: a block is built from parsed parts (issue 12), and a street field that
    is a payload is `unknown block`, which is never mapped. What the tooltips do show is plain text."""
    by_page, dialogs = tooltips
    tips = by_page["maps/recent/"]
    assert dialogs == []
    assert tooltip_problems(tips) == []
    text = "\n".join(tip["text"] for tip in tips)
    assert [name for name in PAYLOADS if shown(name) in text and len(shown(name)) > 3] == []
    blocks = [line for tip in tips for line in tip["text"].split("\n") if " block " in line]
    assert all(privacy_scan.LABEL.fullmatch(block) for block in blocks)


def test_map_tooltips_show_neighborhood_names_as_text(tooltips):
    by_page, _ = tooltips
    tips = by_page["maps/"]
    assert tooltip_problems(tips) == []
    text = "\n".join(tip["text"] for tip in tips)
    # The park (number 12) has no rate, so it is not shaded and has no tooltip.
    names = make_hostile.NEIGHBORHOOD_NAMES[: make_hostile.PARK - 1]
    assert [name for name in names if shown(name) not in text] == []


def test_search_results_show_payloads_as_text(hostile_site, chromium):
    _, site_dir = hostile_site
    context = browser.new_context(chromium, viewport={"width": 1280, "height": 1000})
    dialogs: list[str] = []
    try:
        with browser.serve(site_dir) as base:
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(base, wait_until="load")
            search = page.locator("input.md-search__input")
            search.fill("EDIRREVO")  # a whole token: the index splits on spaces
            # Material reads the query on keyup (or when its index is ready), not on the input event fill() sends:
            # without a key, the query is lost whenever the index was ready before the fill.
            search.press("End")
            page.wait_for_selector(".md-search-result__item", timeout=browser.WAIT_MS)
            found = page.evaluate(
                """() => {
                  const results = document.querySelector(".md-search-result");
                  const elements = [...results.querySelectorAll("*")];
                  return {
                    pwned: typeof window.__pwned !== "undefined",
                    tags: [...new Set(elements.map(element => element.tagName.toLowerCase()))],
                    handlers: elements.flatMap(element => [...element.attributes])
                      .filter(attribute => attribute.name.toLowerCase().startsWith("on")).length,
                    text: results.innerText,
                  };
                }"""
            )
    finally:
        context.close()
    assert not found["pwned"] and dialogs == []
    assert found["handlers"] == 0
    assert not {"script", "img", "iframe", "svg", "style"} & set(found["tags"])
    assert "window.__pwned=1" in found["text"]


# ----- the published data ---------------------------------------------------------------------------------------


def published_payload(value: str) -> str:
    """A payload as the published files give it: as read from the raw file, whose line breaks are read as LF,
    with surrounding spaces trimmed."""
    return value.replace("\r\n", "\n").strip()


def test_the_incident_files_keep_the_text_as_published(hostile_site, tmp_path):
    build_dir, site_dir = hostile_site
    # The yearly files joined by the downloads page's command, as a reader joins them (values with line breaks)
    page = (build_dir / "docs" / "downloads" / "index.md").read_text(encoding="utf-8")
    text = published.joined_by_page_command(site_dir / "downloads", page, tmp_path)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows == published.incident_rows(site_dir / "downloads")
    expected = {published_payload(value) for value in PAYLOADS.values()}
    for era in ("ucr", "nibrs"):
        descriptions = {row["description"] for row in rows if row["era"] == era}
        assert expected <= descriptions, era
        complaints = "\n".join(row["complaint"] for row in rows if row["era"] == era)
        assert [value for value in expected if value not in complaints] == [], era
    blocks = {row["block"] for row in rows if row["block"]}  # built from parsed parts: no payload is one
    assert UNKNOWN_BLOCK in blocks and all(privacy_scan.LABEL.fullmatch(block) for block in blocks)
    assert [value for value in expected if value in blocks] == []
    assert FILE_NAME in {row["source_file"].split("/")[-1] for row in rows}
    table = pq.read_table(site_dir / "downloads" / "incidents.parquet", columns=["description"])
    assert expected <= set(table.column("description").to_pylist())


def test_the_data_package_names_the_hostile_file_and_validates(hostile_site):
    _, site_dir = hostile_site
    package = json.loads((site_dir / "downloads" / "datapackage.json").read_text(encoding="utf-8"))
    assert f"legacy/{FILE_NAME}" in [raw["name"] for raw in package["provenance"]["raw_files"]]
    report = frictionless.validate(site_dir / "downloads" / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_neighborhood_names_are_published_as_in_the_table(hostile_site):
    _, site_dir = hostile_site
    with (site_dir / "downloads" / "neighborhood_rates.csv").open(encoding="utf-8", newline="") as handle:
        names = {row["neighborhood_name"] for row in csv.DictReader(handle)}
    assert {" ".join(PAYLOADS[key].split()) for key in make_hostile.NEIGHBORHOOD_NAMES} <= names
