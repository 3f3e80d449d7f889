"""The pieces every page is made of: Markdown and HTML tables, and a chart with its SVG."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape as html_escape
from typing import ClassVar

import altair as alt

from crimesite import escape
from crimesite.static_charts import Charts

LONG_TABLE_ROWS = 15
Cell = object  # a cell as it is to be set: our own text or number, a raw value escaped (escape.text), or a Link


@dataclass(frozen=True)
class Block:
    """A fragment of a page, set by the macro of templates/_macros.md.j2 named `macro` wherever a template (or
    another block) places it."""

    macro: ClassVar[str]


@dataclass(frozen=True)
class Link(Block):
    """A Markdown link; `text` as it is to be set (a raw name escaped by the caller)."""

    macro: ClassVar[str] = "link"
    text: str
    href: str


@dataclass(frozen=True)
class MdTable(Block):
    """A Markdown table; `align` has one letter per column, l or r."""

    macro: ClassVar[str] = "md_table"
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: str


@dataclass(frozen=True)
class DataRegion(Block):
    """A Markdown table in the labelled region, scrollable by keyboard, that html_table puts its tables in;
    `label` is an attribute value, escaped."""

    macro: ClassVar[str] = "data_region"
    label: str
    table: MdTable


@dataclass(frozen=True)
class Sortable(Block):
    """A Markdown table that assets/javascripts/tablesort.js lets readers sort by any column."""

    macro: ClassVar[str] = "sortable"
    table: MdTable


@dataclass(frozen=True)
class TitledTables(Block):
    """Tables one after another, each under its bold title."""

    macro: ClassVar[str] = "titled_tables"
    parts: tuple[tuple[str, MdTable], ...]


@dataclass(frozen=True)
class HtmlTable(Block):
    """An HTML data table with a caption and row headers, scrollable by keyboard; folded in <details> when long."""

    macro: ClassVar[str] = "html_table"
    table_id: str
    caption: str
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: str

    @property
    def folded(self) -> bool:
        return len(self.rows) > LONG_TABLE_ROWS


@dataclass(frozen=True)
class Figure(Block):
    """A chart: its Vega-Lite spec (JSON that cannot close its script element), its accessible label (an escaped
    attribute value), its SVG drawn at build time, and its summary as the caption (escaped)."""

    macro: ClassVar[str] = "figure"
    chart_id: str
    label: str
    spec: str
    svg: str
    summary: str
    controls: bool = False  # the spec binds a parameter to an input (a map's menu), which Vega puts after the view


@dataclass(frozen=True)
class Code(Block):
    """Text set as code: in Markdown backticks when `backticks`, else in an HTML code element of class `css`
    (empty: none)."""

    macro: ClassVar[str] = "code"
    text: str
    backticks: bool = False
    css: str = ""


PLAIN_CODE = re.compile(r"[A-Za-z0-9_./ -]+")


def as_code(value: object) -> Code:
    """A name from a file or the configuration (a column name, a code, a path) set as code. Plain names go in
    Markdown backticks; anything else is escaped inside an HTML code element (in backticks the escapes
    would show literally)."""
    text = str(value)
    if PLAIN_CODE.fullmatch(text) and text.strip() == text:
        return Code(text, backticks=True)
    return Code(escape.text(text))


@dataclass(frozen=True)
class Charted:
    """A chart and the table of its numbers, which follows it (what readers without JavaScript get)."""

    chart: Figure
    table: HtmlTable


def md_table(headers: list[Cell], rows: list[list[Cell]], align: str) -> MdTable:
    """A Markdown table. Cells are set as given: our own words and numbers as they are, a value from a raw or
    reference file as the caller escaped it (escape.text)."""
    return MdTable(tuple(headers), tuple(tuple(row) for row in rows), align)


def md_data_table(label: str, headers: list[Cell], rows: list[list[Cell]], align: str) -> DataRegion:
    """A Markdown table (its links stay MkDocs links, checked and resolved) in a labelled region: for a chart's
    table that links to other pages."""
    return DataRegion(html_escape(label, quote=True), md_table(headers, rows, align))


def html_table(table_id: str, caption: str, headers: list[Cell], rows: list[list[Cell]], align: str) -> HtmlTable:
    """An HTML data table; cells, headers and caption are set as given, as md_table's are."""
    return HtmlTable(table_id, caption, tuple(headers), tuple(tuple(row) for row in rows), align)


def chart_block(
    figures: Charts,
    chart_id: str,
    chart: alt.Chart | dict,
    title: str,
    summary: str,
    datasets: dict | None = None,
) -> Figure:
    """A chart: its SVG, drawn at build time by `figures` from the spec in hand, which every reader sees as soon
    as the page is; the Vega-Lite spec inline, which assets/javascripts/charts.js draws in the SVG's place (with
    tooltips and menus) once the reader interacts or the page is idle; its summary; and, after it, the table of
    its numbers. `datasets` adds named datasets (lists of rows, e.g. map features) to the spec as they are."""
    if isinstance(chart, dict):  # a spec charts.py assembled itself
        spec = chart
        if figures.validate:
            alt.TopLevelLayerSpec.validate(spec)
    else:
        spec = chart.to_dict(validate=figures.validate)
    spec.pop("$schema", None)
    if "description" in spec:  # the summary, which can name places: Vega shows it as the chart's description
        spec["description"] = escape.plain(spec["description"], limit=None)
    if datasets:
        spec.setdefault("datasets", {}).update(datasets)
    label = html_escape(f"Chart: {escape.plain(title)}. The numbers are in the table that follows.", quote=True)
    spec_text = escape.json_for_script(spec)
    svg = figures.svg(chart_id, spec_text)
    controls = any("bind" in parameter for parameter in spec.get("params", ()))
    return Figure(chart_id, label, spec_text, svg, escape.text(summary, limit=None), controls)
