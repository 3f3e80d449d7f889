"""Every chart's SVG, rendered at build time by vl-convert: what a reader sees as soon as the page is there.

Each figure holds, in its view, `<div class="chart-static">` with the SVG of the spec beside it, asked of
`Charts.svg` by the chart block that has the spec in hand; assets/javascripts/charts.js draws the interactive
chart in its place later (on interaction or when the page is idle). Each SVG is cached by the hash of its spec:
a rebuild renders only the charts whose data changed.

vl-convert takes about 40 ms a chart and holds the GIL, so threads do not help: the charts the cache lacks are
drawn in a pool of processes (`pool`, one a core) while the pages go on rendering. The page then holds a
placeholder (`placeholder`), which `Charts.fill` replaces with the SVG once every page is rendered. Every SVG is
checked (`checked`) before it is cached: vl-convert writes the data's text into it, and the page sets it as HTML.
"""

from __future__ import annotations

import atexit
import functools
import json
import multiprocessing
import os
import re
import xml.etree.ElementTree as ElementTree
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from crimesite.cache import Cache

# A chart drawn to its container's width is drawn this wide in all (axes and legend included): a phone's page
# width (390 px less the page's margins), where the SVG is shown at its own size. A wider screen shows it at the
# same size until the interactive chart, as high and as wide as the page, takes its place.
STATIC_WIDTH = 350
FIT_WIDTH = {"type": "fit-x", "contains": "padding"}
_TAG = re.compile(r"<[^>]+>")
_UNSHOWN = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')
_SHOWN_NUMBERS = re.compile(r'(\s(?:d|transform)=)"([^"]*)"')
_FINE_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_ID_OR_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')

# The placeholder of an SVG still being drawn: an element no escaped value can form, since every `<` from the data
# reaches a page as a character reference (escape.text) or as \u003c (escape.json_for_script). The cache key
# that follows has a fixed length, so the placeholder is found by plain string search.
PLACEHOLDER = "<crimesite-pending-svg "
KEY_LENGTH = 64  # hex digits of a sha256 (Cache.key)

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# The elements vl-convert draws charts with. Anything else is refused: a script, a foreignObject (HTML inside the
# SVG), an image or a use (which load other documents), a style (CSS can load URLs), an <a>.
DRAWING_ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "path",
        "line",
        "rect",
        "circle",
        "ellipse",
        "polygon",
        "polyline",
        "text",
        "tspan",
        "title",
        "desc",
        "defs",
        "clipPath",
        "linearGradient",
        "radialGradient",
        "stop",
    }
)
_URL = re.compile(r"url\(\s*(?P<quote>['\"]?)(?P<target>[^)]*)\)", re.I)


@dataclass
class Charts:
    """What the page builders draw their charts with: the SVG cache, whether every chart spec is checked against
    the Vega-Lite schema (the golden test build checks them all; a site build skips it: it is a quarter of the
    page time), and whether the SVGs the cache lacks are drawn in the process pool (`parallel`: the page gets a
    placeholder until `fill`) or at once, here."""

    store: Cache
    validate: bool = False
    parallel: bool = False
    pending: dict[str, Future[str]] = field(default_factory=dict)  # cache key -> its SVG, being drawn

    def svg(self, chart_id: str, spec_text: str) -> str:
        """The SVG of a chart's spec (as the page holds it: escape.json_for_script), from the cache when there;
        else drawn, or (parallel) its placeholder."""
        key = self.store.key("svg", chart_id, spec_text)
        svg = self.store.read_text("svg", key, ".svg")
        if svg is not None:
            return svg
        if not self.parallel:
            svg = render_text(spec_text, chart_id)
            self.store.write_text("svg", key, ".svg", svg)
            return svg
        if key not in self.pending:  # the same chart on two pages is drawn once
            self.pending[key] = pool().submit(render_text, spec_text, chart_id)
        return placeholder(key)

    def fill(self, pages: dict[str, str]) -> dict[str, str]:
        """The pages with every placeholder replaced by its SVG, once drawn (and cached)."""
        if not self.pending:
            return pages
        try:
            drawn = {key: future.result() for key, future in self.pending.items()}  # a chart's ValueError is raised
        except BrokenProcessPool:
            pool.cache_clear()  # a worker died (killed, out of memory): the next build starts a new pool
            raise
        finally:
            self.pending.clear()
        for key, svg in drawn.items():
            self.store.write_text("svg", key, ".svg", svg)
        return {path: with_svgs(text, drawn) for path, text in pages.items()}


def placeholder(key: str) -> str:
    return f"{PLACEHOLDER}{key}>"


def with_svgs(text: str, drawn: dict[str, str]) -> str:
    """`text` with each placeholder replaced by the SVG of its key in `drawn`."""
    if PLACEHOLDER not in text:
        return text
    first, *rest = text.split(PLACEHOLDER)
    pieces = [first]
    for piece in rest:
        key, close = piece[:KEY_LENGTH], piece[KEY_LENGTH : KEY_LENGTH + 1]
        if close != ">" or key not in drawn:
            raise ValueError(f"a chart placeholder with no SVG drawn for it: {key!r}")
        pieces += [drawn[key], piece[KEY_LENGTH + 1 :]]
    return "".join(pieces)


def render_text(spec_text: str, chart_id: str) -> str:
    """The checked SVG of a spec as the page holds it (what a pool worker is given: the JSON is parsed there)."""
    try:
        svg = render(json.loads(spec_text), chart_id)
    except ValueError as error:  # vl-convert's own (a spec it cannot draw): named by the chart, as a check's
        raise ValueError(f"{chart_id}: vl-convert cannot draw the spec: {error}") from None
    return checked(svg, chart_id)


def render(spec: dict, chart_id: str) -> str:
    """The chart as one line of SVG whose ids cannot clash with another chart's on the same page."""
    import vl_convert

    if spec.get("width") == "container":
        spec = {**spec, "width": STATIC_WIDTH, "autosize": FIT_WIDTH}
    svg = slimmed(own_ids(vl_convert.vegalite_to_svg(spec), chart_id))
    return " ".join(svg.split("\n"))  # a blank line would end the HTML block in Markdown


def slimmed(svg: str) -> str:
    """`svg` without what no reader gets: the marks' own roles and labels (the SVG is inside the view, whose
    role="img" and label make its content presentational: half the bytes of a map, gzipped, one label a point),
    and positions finer than a hundredth of a pixel. Done tag by tag: vl-convert escapes every < and > in text and
    values, so a tag ends at the first >, and in it every value is delimited by its quotes."""
    return _TAG.sub(lambda tag: _SHOWN_NUMBERS.sub(_rounded, _UNSHOWN.sub("", tag.group())), svg)


def _rounded(attribute: re.Match) -> str:
    numbers = _FINE_NUMBER.sub(lambda n: f"{float(n.group()):.2f}".rstrip("0").rstrip("."), attribute.group(2))
    return f'{attribute.group(1)}"{numbers}"'


def own_ids(svg: str, chart_id: str) -> str:
    """`svg` with each id (and each reference to it) the chart's own: prefixed with the chart id, and numbered in
    the order they first appear. vl-convert numbers its clip paths and gradients by a counter that runs on through
    the process (clip7 is the seventh of the process), so the same chart would come out different from another
    worker, or after other charts."""
    renamed: dict[str, str] = {}

    def own(match: re.Match) -> str:
        name = match.group(2)
        if name not in renamed:
            renamed[name] = f"{chart_id}-{name.rstrip('0123456789')}{len(renamed) + 1}"
        return f"{match.group(1)}{renamed[name]}"

    return _TAG.sub(lambda tag: _ID_OR_REFERENCE.sub(own, tag.group()), svg)  # in tags: a label's url(#x) is text


def checked(svg: str, chart_id: str) -> str:
    """`svg` when it is a chart's drawing and nothing more (else ValueError naming the chart): one line (the HTML
    block Markdown passes through as it is), no markup but the drawing elements, no event handler, no reference
    outside itself, and every id of its own (prefixed with the chart id) with every reference resolved."""
    if "\n" in svg or "\r" in svg:
        raise ValueError(f"{chart_id}: the SVG is more than one line (Markdown would end its HTML block)")
    if "<!" in svg or "<?" in svg:  # a doctype (entities), a comment or CDATA, a processing instruction
        raise ValueError(f"{chart_id}: the SVG holds a declaration, comment or processing instruction")
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as error:
        raise ValueError(f"{chart_id}: the SVG is not well-formed XML: {error}") from None
    ids: set[str] = set()
    references: set[str] = set()
    for element in root.iter():
        check_element(element, chart_id)
        for name, value in element.attrib.items():
            check_attribute(name, value, chart_id)
            references |= local_references(name, value)
        if "id" in element.attrib:
            ids.add(element.attrib["id"])
    check_ids(ids, references, chart_id)
    return svg


def check_element(element: ElementTree.Element, chart_id: str) -> None:
    tag = str(element.tag)
    if not tag.startswith(SVG_NS) or tag[len(SVG_NS) :] not in DRAWING_ELEMENTS:
        raise ValueError(f"{chart_id}: the SVG holds a <{tag}> element, which no chart draws with")


def check_attribute(name: str, value: str, chart_id: str) -> None:
    local = name.rsplit("}", 1)[-1].lower()
    if local.startswith("on"):
        raise ValueError(f"{chart_id}: the SVG has an event handler attribute {name}")
    if local == "markdown":  # md_in_html would render the element's content as Markdown
        raise ValueError(f"{chart_id}: the SVG has a markdown attribute")
    if local == "href" and not value.startswith("#"):
        raise ValueError(f"{chart_id}: the SVG links outside itself: {name}={value!r}")
    for url in _URL.finditer(value):
        if not url.group("target").lstrip("'\"").startswith("#"):
            raise ValueError(f"{chart_id}: the SVG refers outside itself: {name}={value!r}")
    if "@import" in value.lower() or "javascript:" in value.lower():
        raise ValueError(f"{chart_id}: the SVG has a script or import in {name}={value!r}")


def local_references(name: str, value: str) -> set[str]:
    """The ids an attribute points at: url(#id) in any value, #id in an href."""
    found = {url.group("target").strip("'\"")[1:] for url in _URL.finditer(value)}
    if name in ("href", XLINK_HREF):
        found.add(value[1:])
    return found


def check_ids(ids: set[str], references: set[str], chart_id: str) -> None:
    foreign = sorted(i for i in ids if not i.startswith(f"{chart_id}-"))
    if foreign:
        raise ValueError(f"{chart_id}: SVG ids not prefixed with the chart id: {foreign[:3]}")
    unresolved = sorted(references - ids)
    if unresolved:
        raise ValueError(f"{chart_id}: the SVG refers to ids it does not hold: {unresolved[:3]}")


@functools.cache
def pool() -> ProcessPoolExecutor:
    """The process's pool of SVG renderers (one a core), started on first use and reused by every later build in
    this process (the test suite builds many times); stopped at exit. Its workers are spawned, not forked: forking
    a process in which vl-convert has started its runtime deadlocks. A spawned worker imports the main module, so
    a script that builds keeps its work under `if __name__ == "__main__":` (build_data.py and benchmarks/ do)."""
    workers = os.cpu_count() or 1
    started = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=warm_up)
    for _ in range(workers):  # each submission starts a worker (as long as none is idle) rather than the first chart
        started.submit(int)
    atexit.register(started.shutdown, cancel_futures=True)
    return started


def prestart(store: Cache) -> bool:
    """Start the pool now (the build calls this before its read stage, which the workers' start-up then
    overlaps) when every chart will be drawn: no cache, or no SVG cached by this code. A cache with SVGs
    (an unchanged rebuild) starts no pool: a chart it lacks starts it then. True when started."""
    if store.folder is not None and (store.folder / "svg").is_dir():
        return False
    pool()
    return True


def warm_up() -> None:
    """A worker's start: vl-convert imported and its runtime started by one small chart, before the first real
    one."""
    render({"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x"}}}, "warm-up")
