"""Static SVG copies of charts for readers without JavaScript, drawn by static_charts.Charts with their chart."""

from __future__ import annotations

import re

import altair as alt
import jsonschema
import pandas as pd
import pytest

from crimesite import static_charts
from crimesite.cache import Cache
from crimesite.page_blocks import chart_block
from crimesite.static_charts import Charts
from tests.conftest import shown


def shown_chart(*args, **kwargs) -> str:
    return shown(chart_block(*args, **kwargs))


def bar_chart(labels: list[str]) -> alt.Chart:
    frame = pd.DataFrame({"label": labels, "count": range(1, len(labels) + 1)})
    return alt.Chart(frame).mark_bar(clip=True).encode(x="label:N", y="count:Q")  # clip: the SVG has a clip path


def test_a_static_chart_holds_its_svg_and_others_do_not(tmp_path):
    figures = Charts(Cache.at(tmp_path))
    static = shown_chart(figures, "chart-one", bar_chart(["x", "y"]), "One", "Summary one.", static=True)
    live_only = shown_chart(figures, "chart-two", bar_chart(["x", "y"]), "Two", "Summary two.")
    assert "<svg" not in live_only and "<noscript>" not in live_only
    assert static.count("<svg") == 1
    svg_at = static.index("<svg")
    assert static.index('id="chart-one"') < svg_at
    assert static[static.rindex("<noscript>", 0, svg_at) :].startswith('<noscript><div class="chart-static" role="img"')
    assert static.index("</noscript>") < static.index("<figcaption>")
    assert "\n" not in static  # one HTML block for Markdown


def test_ids_inside_two_svgs_on_one_page_do_not_clash(tmp_path):
    figures = Charts(Cache.at(tmp_path))
    page = "\n\n".join(
        shown_chart(figures, f"chart-{n}", bar_chart(["x", "y"]), "T", "S.", static=True) for n in ("a", "b")
    )
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    referenced = re.findall(r"url\(#([^)]+)\)", page)
    assert referenced and set(referenced) <= set(ids)  # every clip path still points at its own chart


def test_labels_from_the_data_stay_text_in_the_svg(tmp_path):
    hostile = "<script>window.__pwned=1</script>"
    block = shown_chart(Charts(Cache.at(tmp_path)), "chart-x", bar_chart([hostile, "ok"]), "T", "S.", static=True)
    svg = block[block.index("<svg") : block.index("</svg>")]
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


def test_a_cached_svg_is_reused_and_a_changed_spec_is_rendered_again(tmp_path, monkeypatch):
    figures = Charts(Cache.at(tmp_path))
    first = shown_chart(figures, "chart-x", bar_chart(["x", "y"]), "T", "S.", static=True)
    monkeypatch.setattr(static_charts, "render", lambda spec, chart_id: "<svg>new</svg>")
    assert shown_chart(figures, "chart-x", bar_chart(["x", "y"]), "T", "S.", static=True) == first
    changed = shown_chart(figures, "chart-x", bar_chart(["x", "z"]), "T", "S.", static=True)
    assert "<svg>new</svg>" in changed


def test_without_a_cache_every_static_chart_is_rendered(monkeypatch):
    drawn = []
    monkeypatch.setattr(static_charts, "render", lambda spec, chart_id: drawn.append(chart_id) or "<svg></svg>")
    figures = Charts(Cache.at(None))
    for _ in range(2):
        shown_chart(figures, "chart-x", bar_chart(["x", "y"]), "T", "S.", static=True)
    assert drawn == ["chart-x", "chart-x"]


def test_the_validate_flag_checks_an_assembled_spec_against_the_schema(tmp_path):
    broken = {"layer": [{"mark": "no-such-mark"}]}
    assert "chart-bad" in shown_chart(Charts(Cache.at(tmp_path), validate=False), "chart-bad", dict(broken), "T", "S.")
    with pytest.raises(jsonschema.ValidationError):
        shown_chart(Charts(Cache.at(tmp_path), validate=True), "chart-bad", dict(broken), "T", "S.")
