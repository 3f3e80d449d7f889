"""Every chart's SVG, drawn at build time by static_charts.Charts (at once, or in the process pool), cached,
and checked before it reaches a page."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree
from concurrent.futures.process import BrokenProcessPool

import altair as alt
import jsonschema
import pandas as pd
import pytest

from crimesite import static_charts
from crimesite.cache import Cache
from crimesite.page_blocks import chart_block
from crimesite.static_charts import Charts
from tests.conftest import shown

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
ID = re.compile(r'\bid="([^"]+)"')
REFERENCE = re.compile(r'(?:url\(#|href="#)([^")]+)')
NEW_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><text>new</text></svg>'  # what a stubbed renderer draws


def shown_chart(*args, **kwargs) -> str:
    return shown(chart_block(*args, **kwargs))


def bar_chart(labels: list[str]) -> alt.Chart:
    frame = pd.DataFrame({"label": labels, "count": range(1, len(labels) + 1)})
    return alt.Chart(frame).mark_bar(clip=True).encode(x="label:N", y="count:Q")  # clip: the SVG has a clip path


def test_a_chart_holds_its_svg_in_its_view_before_its_spec_and_caption(tmp_path):
    block = shown_chart(Charts(Cache.at(tmp_path)), "chart-one", bar_chart(["x", "y"]), "One", "Summary one.")
    assert block.count("<svg") == 1 and "<noscript>" not in block
    assert block.startswith(
        '<figure class="chart" id="chart-one"><div class="chart-view" role="img" aria-label="Chart: One. '
    )
    assert '"><div class="chart-static"><svg ' in block
    assert block.index("</svg></div></div>") < block.index('<script type="application/json" class="chart-spec">')
    assert block.endswith("<figcaption>Summary one&#46;</figcaption></figure>")  # the summary is escaped
    assert "\n" not in block  # one HTML block for Markdown


def test_ids_inside_two_svgs_on_one_page_do_not_clash(tmp_path):
    figures = Charts(Cache.at(tmp_path))
    page = "\n\n".join(shown_chart(figures, f"chart-{n}", bar_chart(["x", "y"]), "T", "S.") for n in ("a", "b"))
    ids = ID.findall(page)
    assert len(ids) == len(set(ids))
    referenced = REFERENCE.findall(page)
    assert referenced and set(referenced) <= set(ids)  # every clip path still points at its own chart


def test_labels_from_the_data_stay_text_in_the_svg(tmp_path):
    hostile = ["<script>window.__pwned=1</script>", '" onmouseover="x', "javascript:alert(1)", "[x](http://e.x)"]
    block = shown_chart(Charts(Cache.at(tmp_path)), "chart-x", bar_chart(hostile), "T", "S.")
    (svg,) = SVG.findall(block)
    root = ElementTree.fromstring(svg)  # one SVG element, whatever the labels hold
    texts = {element.text for element in root.iter() if element.text}
    assert {label for label in hostile if len(label) < 20} <= texts  # Vega cuts longer labels: shorter ones whole
    assert "<script" not in svg and "&lt;script&gt;" in svg
    attributes = [name for element in root.iter() for name in element.attrib]
    assert not [name for name in attributes if name.lower().startswith("on")]


def test_an_svg_does_not_depend_on_the_charts_drawn_before_it_in_the_process():
    spec = bar_chart(["x", "y"]).to_dict()
    first = static_charts.render(spec, "chart-x")
    static_charts.render(bar_chart(["z"]).to_dict(), "chart-y")  # vl-convert's clip counter runs on
    assert static_charts.render(spec, "chart-x") == first
    assert 'id="chart-x-clip1"' in first and "url(#chart-x-clip1)" in first


def test_an_svg_keeps_what_it_shows_and_drops_the_marks_labels_and_sub_pixel_digits():
    label = 'a" role="x" > url(#b)'
    svg = static_charts.render(bar_chart([label, "c"]).to_dict(), "chart-x")
    root = ElementTree.fromstring(svg)
    assert label in {element.text for element in root.iter()}  # the axis label, whole
    names = {name for element in root.iter() for name in element.attrib}
    assert not {name for name in names if name == "role" or name.startswith("aria-")}
    numbers = [n for element in root.iter() for n in re.findall(r"\d+\.(\d+)", element.get("transform", ""))]
    assert numbers and max(len(digits) for digits in numbers) <= 2
    assert (
        static_charts.slimmed('<g role="x" transform="translate(1.23456,-0.001)"/>')
        == '<g transform="translate(1.23,-0)"/>'
    )


def test_a_cached_svg_is_reused_and_a_changed_spec_is_rendered_again(tmp_path, monkeypatch):
    figures = Charts(Cache.at(tmp_path))
    first = shown_chart(figures, "chart-x", bar_chart(["x", "y"]), "T", "S.")
    monkeypatch.setattr(static_charts, "render", lambda spec, chart_id: NEW_SVG)
    assert shown_chart(figures, "chart-x", bar_chart(["x", "y"]), "T", "S.") == first
    changed = shown_chart(figures, "chart-x", bar_chart(["x", "z"]), "T", "S.")
    assert NEW_SVG in changed


def test_without_a_cache_every_chart_is_rendered(monkeypatch):
    drawn = []
    monkeypatch.setattr(static_charts, "render", lambda spec, chart_id: drawn.append(chart_id) or NEW_SVG)
    figures = Charts(Cache.at(None))
    for _ in range(2):
        shown_chart(figures, "chart-x", bar_chart(["x", "y"]), "T", "S.")
    assert drawn == ["chart-x", "chart-x"]


def test_the_validate_flag_checks_an_assembled_spec_against_the_schema(tmp_path):
    broken = {"layer": [{"mark": "no-such-mark"}]}
    with pytest.raises(ValueError, match="chart-bad"):  # no schema check: vl-convert refuses it
        shown_chart(Charts(Cache.at(tmp_path), validate=False), "chart-bad", dict(broken), "T", "S.")
    with pytest.raises(jsonschema.ValidationError):
        shown_chart(Charts(Cache.at(tmp_path), validate=True), "chart-bad", dict(broken), "T", "S.")


# ----- the process pool -----------------------------------------------------------------------------------------


def pool_page(figures: Charts) -> str:
    """Three charts (one of them twice) on one page, as the build renders them."""
    charts = [("chart-a", ["x", "y"]), ("chart-b", ["<b>", "&amp;"]), ("chart-a", ["x", "y"]), ("chart-c", ["z"])]
    return "\n\n".join(shown_chart(figures, chart_id, bar_chart(labels), "T", "S.") for chart_id, labels in charts)


def test_the_pool_draws_what_a_serial_build_draws(tmp_path):
    serial = pool_page(Charts(Cache.at(tmp_path / "serial")))
    figures = Charts(Cache.at(tmp_path / "pool"), parallel=True)
    page = pool_page(figures)
    assert "<svg" not in page and page.count(static_charts.PLACEHOLDER) == 4
    assert len(figures.pending) == 3  # the chart shown twice is drawn once
    assert figures.fill({"p.md": page, "q.md": "no chart"}) == {"p.md": serial, "q.md": "no chart"}
    assert not figures.pending


def test_cached_svgs_need_no_pool(tmp_path, monkeypatch):
    store = Cache.at(tmp_path)
    drawn = pool_page(Charts(store))

    def no_pool():
        raise AssertionError("a chart was sent to the pool")

    monkeypatch.setattr(static_charts, "pool", no_pool)
    figures = Charts(store, parallel=True)
    assert pool_page(figures) == drawn and not figures.pending
    assert not static_charts.prestart(store)  # an unchanged rebuild starts no pool either


def test_a_drawn_svg_is_cached_when_filled(tmp_path, monkeypatch):
    store = Cache.at(tmp_path)
    figures = Charts(store, parallel=True)
    filled = figures.fill({"p.md": pool_page(figures)})["p.md"]
    monkeypatch.setattr(static_charts, "pool", lambda: pytest.fail("a cached chart was sent to the pool"))
    assert pool_page(Charts(store, parallel=True)) == filled


def test_a_chart_the_pool_fails_on_fails_the_fill(tmp_path):
    figures = Charts(Cache.at(tmp_path), parallel=True)
    page = shown_chart(figures, "chart-bad", {"layer": [{"mark": "no-such-mark"}]}, "T", "S.")
    with pytest.raises(ValueError, match="chart-bad"):
        figures.fill({"p.md": page})


def test_a_pool_whose_worker_died_is_replaced_by_the_next_build(tmp_path):
    figures = Charts(Cache.at(tmp_path), parallel=True)
    figures.pending["0" * static_charts.KEY_LENGTH] = static_charts.pool().submit(os._exit, 1)
    with pytest.raises(BrokenProcessPool):
        figures.fill({})
    assert not figures.pending
    assert static_charts.pool().submit(int, "7").result() == 7  # a new pool


def test_a_placeholder_with_no_svg_is_refused():
    key = "0" * static_charts.KEY_LENGTH
    with pytest.raises(ValueError, match="no SVG drawn"):
        static_charts.with_svgs(f"a {static_charts.placeholder(key)} b", {"1" * static_charts.KEY_LENGTH: "<svg/>"})
    assert static_charts.with_svgs(f"a {static_charts.placeholder(key)} b", {key: "<svg/>"}) == "a <svg/> b"


def test_a_cold_cache_starts_the_pool_before_the_pages(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(static_charts, "pool", lambda: started.append(True))
    assert static_charts.prestart(Cache.at(tmp_path)) and static_charts.prestart(Cache.at(None))
    assert started == [True, True]


# ----- the check every SVG passes -------------------------------------------------------------------------------

OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
BAD_SVGS = {
    "a script": f"{OPEN}<script>alert(1)</script></svg>",
    "a foreignObject": f"{OPEN}<foreignObject><div>x</div></foreignObject></svg>",
    "an HTML element": f'{OPEN}<div xmlns="http://www.w3.org/1999/xhtml">x</div></svg>',
    "an image": f'{OPEN}<image href="#x"/></svg>',
    "a style element": f"{OPEN}<style>*{{fill:red}}</style></svg>",
    "an event handler": f'{OPEN}<g onload="alert(1)"/></svg>',
    "an event handler in capitals": f'{OPEN}<g ONCLICK="alert(1)"/></svg>',
    "a link out": f'{OPEN}<g href="http://evil.example/"/></svg>',
    "an xlink out": f'{OPEN}<g xlink:href="javascript:alert(1)"/></svg>',
    "a url() out": f'{OPEN}<path fill="url(http://evil.example/x.svg#p)"/></svg>',
    "a quoted url() out": f"{OPEN}<path style=\"fill:url('//evil.example/x')\"/></svg>",
    "an import": f"{OPEN}<path style=\"@import 'x.css'\"/></svg>",
    "a markdown attribute": f'{OPEN}<g markdown="1"/></svg>',
    "an id of another chart": f'{OPEN}<clipPath id="clip1"/></svg>',
    "a reference to no id": f'{OPEN}<path clip-path="url(#chart-x-clip2)"/></svg>',
    "a second line": f"{OPEN}<g/>\n</svg>",
    "a comment": f"{OPEN}<!-- x --></svg>",
    "an entity": f'<!DOCTYPE svg [<!ENTITY a "aaaa">]>{OPEN}<text>&a;</text></svg>',
    "broken XML": f"{OPEN}<g></svg>",
}


@pytest.mark.parametrize("svg", BAD_SVGS.values(), ids=BAD_SVGS.keys())
def test_the_check_refuses_an_svg_that_is_more_than_a_drawing(svg):
    with pytest.raises(ValueError, match=r"^chart-x: "):
        static_charts.checked(svg, "chart-x")


def test_the_check_passes_a_drawing_with_its_own_references():
    svg = (
        f'{OPEN}<defs><clipPath id="chart-x-clip1"><rect width="1" height="1"/></clipPath></defs>'
        '<path clip-path="url(#chart-x-clip1)" fill="#1f4e79"/><g xlink:href="#chart-x-clip1"/>'
        '<text aria-label="&lt;script&gt; onload=x">javascript:x</text></svg>'
    )
    assert static_charts.checked(svg, "chart-x") == svg


def test_every_svg_of_the_real_site_is_checked_and_its_ids_are_unique_on_its_page(real_site):
    """Every built HTML page: each chart's SVG passes the check, no id is given twice on the page, and every
    #reference inside an SVG points at an id of the page."""
    _, site_dir = real_site
    figure = re.compile(r'<figure class="chart" id="([^"]+)">.*?<div class="chart-static">(<svg\b.*?</svg>)</div>')
    svgs = 0
    for path in sorted(site_dir.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        for chart_id, svg in figure.findall(html):
            static_charts.checked(svg, chart_id)
            svgs += 1
        ids = ID.findall(html)
        assert len(ids) == len(set(ids)), f"{path}: {sorted(i for i in set(ids) if ids.count(i) > 1)[:3]}"
        in_svgs = {ref for svg in SVG.findall(html) for ref in REFERENCE.findall(svg)}
        assert in_svgs <= set(ids), path
    assert svgs > 200  # every chart of the site
