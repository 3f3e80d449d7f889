"""Static SVG copies of charts, for readers without JavaScript, rendered at build time by vl-convert.

A chart marked static gets, inside its figure, `<noscript><div class="chart-static">` with a placeholder; after
the pages are rendered, `fill` replaces each placeholder with the SVG of the spec beside it. A browser that runs
scripts never parses <noscript> content, so the SVG costs those readers no DOM and only a few compressed KB.
Each SVG is cached by the hash of its spec: a rebuild renders only the charts whose data changed (vl-convert
takes about 45 ms a chart, holding the GIL, so this is the part worth caching).
"""

from __future__ import annotations

import json
import re

from crimesite.cache import Cache

PLACEHOLDER = "<!-- static chart -->"
STATIC_WIDTH = 640  # a chart drawn to its container's width gets this width in the static copy
_FIGURE = re.compile(
    r'<figure class="chart" id="(?P<id>[^"]+)">(?:(?!</figure>).)*?'
    r'<script type="application/json" class="chart-spec">(?P<spec>[^<]*)</script>'
    r'(?P<before><noscript><div class="chart-static"[^>]*>)' + re.escape(PLACEHOLDER),
    re.S,
)
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')


def fill(pages: dict[str, str], store: Cache) -> dict[str, str]:
    """The pages with every static-chart placeholder replaced by its chart's SVG."""
    return {path: _FIGURE.sub(lambda m: m.group(0).replace(PLACEHOLDER, svg_for(m, store)), text)
            if PLACEHOLDER in text else text for path, text in pages.items()}  # fmt: skip


def svg_for(match: re.Match, store: Cache) -> str:
    chart_id, spec_text = match.group("id"), match.group("spec")
    key = store.key("svg", chart_id, spec_text)
    svg = store.read_text("svg", key, ".svg")
    if svg is None:
        svg = render(json.loads(spec_text), chart_id)
        store.write_text("svg", key, ".svg", svg)
    return svg


def render(spec: dict, chart_id: str) -> str:
    """The chart as one line of SVG whose ids cannot clash with another chart's on the same page."""
    import vl_convert

    if spec.get("width") == "container":
        spec = {**spec, "width": STATIC_WIDTH}
    svg = vl_convert.vegalite_to_svg(spec)
    svg = _ID.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", svg)
    return " ".join(svg.split("\n"))  # a blank line would end the HTML block in Markdown
