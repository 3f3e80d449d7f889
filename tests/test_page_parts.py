"""The page readers the site and real-data tests assert with."""

from __future__ import annotations

import pytest

from tests import page_parts

PAGE = (
    '<h1 id="top">Homicide</h1><table id="table-homicide-years"><thead><tr><th>Year</th><th>Crimes</th></tr></thead>'
    '<tbody><tr><th scope="row" class="text">2017</th><td class="num">1,203</td></tr>'
    '<tr><th scope="row">2018</th><td class="num"> 9 &amp;\n 10 </td></tr></tbody></table>'
    '<figure id="chart-a"><script type="application/json" class="chart-spec">'
    '{"datasets":{"d":[{"mark":"not a mark"}]},"layer":[{"mark":"rule"},{"mark":{"type":"bar"}}]}</script></figure>'
    '<figure id="chart-b"><script class="chart-spec" type="application/json">{"mark":"geoshape"}</script></figure>'
)


def test_table_rows_give_each_cell_as_text():
    assert page_parts.table_rows(PAGE) == [["Year", "Crimes"], ["2017", "1,203"], ["2018", "9 & 10"]]


def test_row_starting_finds_exactly_one_row():
    rows = page_parts.table_rows(PAGE)
    assert page_parts.row_starting(rows, "2017") == ["2017", "1,203"]
    with pytest.raises(ValueError, match="0 rows start with '2019'"):
        page_parts.row_starting(rows, "2019")


def test_element_ids_and_chart_marks_layers_included_datasets_left_out():
    assert page_parts.element_ids(PAGE) == {"top", "table-homicide-years", "chart-a", "chart-b"}
    assert page_parts.chart_marks(PAGE) == {"rule", "bar", "geoshape"}
    assert len(page_parts.chart_specs(PAGE)) == 2


def test_markdown_rows_split_cells_and_skip_the_separator():
    markdown = "text\n| Claim | Claimed |\n| :-- | --: |\n| 159 homicides &#40;2014&#41; | 159 |\n| a \\| b | 1 |\n"
    assert page_parts.markdown_rows(markdown) == [
        ["Claim", "Claimed"],
        ["159 homicides (2014)", "159"],
        ["a \\| b", "1"],
    ]
