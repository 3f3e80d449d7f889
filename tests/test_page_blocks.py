"""The pieces pages are made of: Markdown and HTML tables and the chart figure."""

from __future__ import annotations

import altair as alt
import pandas as pd

from crimesite import escape
from crimesite.cache import Cache
from crimesite.page_blocks import LONG_TABLE_ROWS, Code, as_code, chart_block, html_table, md_data_table, md_table
from crimesite.static_charts import Charts
from tests.conftest import shown


def shown_table(*args) -> str:
    return shown(html_table(*args))


def test_a_markdown_table_aligns_each_column():
    table = shown(md_table(["Crime", "2024"], [["Homicide", "12"]], "lr"))
    assert table.splitlines() == ["| Crime | 2024 |", "| :-- | --: |", "| Homicide | 12 |"]


def test_a_long_html_table_is_folded_and_a_short_one_is_not():
    short = shown_table("t", "Caption", ["Year", "Count"], [[2024, "1"]], "lr")
    long = shown_table("t", "Caption", ["Year", "Count"], [[y, "1"] for y in range(LONG_TABLE_ROWS + 1)], "lr")
    assert "<details" not in short
    assert long.startswith('<details class="data-details"><summary>The numbers: Caption</summary>')
    assert '<th scope="row" class="text">2024</th><td class="num">1</td>' in short


def test_a_data_table_region_escapes_its_label_as_an_attribute():
    region = shown(md_data_table('Part I "crimes" <2024>', ["Crime"], [["x"]], "l"))
    assert 'aria-label="Part I &quot;crimes&quot; &lt;2024&gt;"' in region


def test_a_chart_carries_its_svg_spec_and_summary(tmp_path):
    chart = alt.Chart(pd.DataFrame({"x": ["a"], "y": [1]})).mark_bar().encode(x="x:N", y="y:Q")
    summary = "Counts in <script>x</script> Heights."
    block = shown(chart_block(Charts(Cache.at(tmp_path)), "chart-x", chart, "T", summary))
    assert block.startswith('<figure class="chart" id="chart-x">') and block.endswith("</figcaption></figure>")
    assert 'class="chart-spec">{' in block and "<svg " in block and "<noscript>" not in block
    assert f"<figcaption>{escape.text(summary, limit=None)}</figcaption>" in block  # a summary can name places


def test_a_plain_code_goes_in_backticks_and_any_other_is_escaped_in_a_code_element():
    assert shown(as_code("data/reference/codes.csv")) == "`data/reference/codes.csv`"
    hostile = shown(as_code("<b>`x`</b>"))
    assert hostile.startswith("<code>") and "<b>" not in hostile and "`" not in hostile
    assert shown(Code("ab12", css="hash")) == '<code class="hash">ab12</code>'
