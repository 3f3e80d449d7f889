"""Static SVG copies of charts for readers without JavaScript."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from crimesite import pages, static_charts
from crimesite.cache import Cache


def bar_chart(labels: list[str]) -> alt.Chart:
    frame = pd.DataFrame({"label": labels, "count": range(1, len(labels) + 1)})
    return alt.Chart(frame).mark_bar(clip=True).encode(x="label:N", y="count:Q")  # clip: the SVG has a clip path


def page_with(*blocks: str) -> dict[str, str]:
    return {"a.md": "# A\n\n" + "\n\n".join(blocks) + "\n", "b.md": "# B\n\nno charts\n"}


def test_a_static_chart_is_filled_with_its_svg_and_others_are_not(tmp_path):
    static = pages.chart_block("chart-one", bar_chart(["x", "y"]), "One", "Summary one.", static=True)
    live_only = pages.chart_block("chart-two", bar_chart(["x", "y"]), "Two", "Summary two.")
    filled = static_charts.fill(page_with(static, live_only), Cache.at(tmp_path))
    assert filled["b.md"] == "# B\n\nno charts\n"
    page = filled["a.md"]
    assert static_charts.PLACEHOLDER not in page
    assert page.count("<svg") == 1
    svg_at = page.index("<svg")
    assert page.index('id="chart-one"') < svg_at < page.index('id="chart-two"')
    assert page[page.rindex("<noscript>", 0, svg_at) :].startswith('<noscript><div class="chart-static" role="img"')
    assert "\n\n" not in page[svg_at : page.index("</svg>")]  # one HTML block for Markdown


def test_ids_inside_two_svgs_on_one_page_do_not_clash(tmp_path):
    blocks = [pages.chart_block(f"chart-{n}", bar_chart(["x", "y"]), "T", "S.", static=True) for n in ("a", "b")]
    page = static_charts.fill(page_with(*blocks), Cache.at(tmp_path))["a.md"]
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    referenced = re.findall(r"url\(#([^)]+)\)", page)
    assert referenced and set(referenced) <= set(ids)  # every clip path still points at its own chart


def test_labels_from_the_data_stay_text_in_the_svg(tmp_path):
    hostile = "<script>window.__pwned=1</script>"
    block = pages.chart_block("chart-x", bar_chart([hostile, "ok"]), "T", "S.", static=True)
    page = static_charts.fill(page_with(block), Cache.at(tmp_path))["a.md"]
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


def test_a_cached_svg_is_reused_and_a_changed_spec_is_rendered_again(tmp_path, monkeypatch):
    store = Cache.at(tmp_path)
    block = pages.chart_block("chart-x", bar_chart(["x", "y"]), "T", "S.", static=True)
    first = static_charts.fill(page_with(block), store)
    monkeypatch.setattr(static_charts, "render", lambda spec, chart_id: "<svg>new</svg>")
    assert static_charts.fill(page_with(block), store) == first
    changed = pages.chart_block("chart-x", bar_chart(["x", "z"]), "T", "S.", static=True)
    assert "<svg>new</svg>" in static_charts.fill(page_with(changed), store)["a.md"]
