"""Every chart's SVG, rendered at build time by vl-convert: what a reader sees as soon as the page is there.

Each figure holds, in its view, `<div class="chart-static">` with the SVG of the spec beside it, asked of
`Charts.svg` by the chart block that has the spec in hand; assets/javascripts/charts.js draws the interactive
chart in its place later (on interaction or when the page is idle). Each SVG is cached by the hash of its spec:
a rebuild renders only the charts whose data changed (vl-convert takes about 45 ms a chart, holding the GIL, so
this is the part worth caching).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from crimesite.cache import Cache

# A chart drawn to its container's width is drawn this wide in all (axes and legend included): a phone's page
# width (390 px less the page's margins), where the SVG is shown at its own size. A wider screen shows it at the
# same size until the interactive chart, as high and as wide as the page, takes its place.
STATIC_WIDTH = 350
FIT_WIDTH = {"type": "fit-x", "contains": "padding"}
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')


@dataclass(frozen=True)
class Charts:
    """What the page builders draw their charts with: the SVG cache, and whether every chart spec is checked
    against the Vega-Lite schema (the golden test build checks them all; a site build skips it: it is a quarter
    of the page time)."""

    store: Cache
    validate: bool = False

    def svg(self, chart_id: str, spec_text: str) -> str:
        """The SVG of a chart's spec (as the page holds it: escape.json_for_script), from the cache when there."""
        key = self.store.key("svg", chart_id, spec_text)
        svg = self.store.read_text("svg", key, ".svg")
        if svg is None:
            svg = render(json.loads(spec_text), chart_id)
            self.store.write_text("svg", key, ".svg", svg)
        return svg


def render(spec: dict, chart_id: str) -> str:
    """The chart as one line of SVG whose ids cannot clash with another chart's on the same page."""
    import vl_convert

    if spec.get("width") == "container":
        spec = {**spec, "width": STATIC_WIDTH, "autosize": FIT_WIDTH}
    svg = vl_convert.vegalite_to_svg(spec)
    svg = _ID.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", svg)
    return " ".join(svg.split("\n"))  # a blank line would end the HTML block in Markdown
