"""The pieces every page is made of: Markdown and HTML tables, and a chart with its static copy."""

from __future__ import annotations

from html import escape as html_escape

import altair as alt
from markupsafe import Markup

from crimesite import escape
from crimesite.static_charts import Charts

LONG_TABLE_ROWS = 15


def md_table(headers: list[str], rows: list[list[object]], align: str) -> Markup:
    """A Markdown table; `align` has one letter per column, l or r. Cells are set as given: our own words and
    numbers as they are, a value from a raw or reference file as the caller escaped it (escape.text)."""
    marks = {"l": ":--", "r": "--:"}
    lines = [
        "| " + " | ".join(str(h) for h in headers) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return Markup("\n".join(lines))


def md_data_table(label: str, headers: list[str], rows: list[list[object]], align: str) -> Markup:
    """A Markdown table (its links stay MkDocs links, checked and resolved) in the labelled region, scrollable
    by keyboard, that html_table puts its tables in: for a chart's table that links to other pages."""
    return Markup(
        f'<div class="data-table" role="region" aria-label="{html_escape(label, quote=True)}" tabindex="0" markdown>'
        f"\n\n{md_table(headers, rows, align)}\n\n</div>"
    )


def html_table(table_id: str, caption: str, headers: list[str], rows: list[list[object]], align: str) -> Markup:
    """An HTML data table with a caption and row headers, scrollable by keyboard; folded when long. Cells, headers
    and caption are set as given, as md_table's are."""
    head = "".join(f'<th scope="col" class="{_align(a)}">{h}</th>' for h, a in zip(headers, align, strict=True))
    body = []
    for row in rows:
        cells = [f'<th scope="row" class="{_align(align[0])}">{row[0]}</th>']
        cells += [f'<td class="{_align(a)}">{cell}</td>' for cell, a in zip(row[1:], align[1:], strict=True)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption_html = caption
    table = (
        f'<div class="data-table" role="region" aria-labelledby="{table_id}-caption" tabindex="0">'
        f'<table id="{table_id}"><caption id="{table_id}-caption">{caption_html}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    if len(rows) > LONG_TABLE_ROWS:
        table = f'<details class="data-details"><summary>The numbers: {caption_html}</summary>{table}</details>'
    return Markup(table)


def _align(letter: str) -> str:
    return "num" if letter == "r" else "text"


def chart_block(
    figures: Charts,
    chart_id: str,
    chart: alt.Chart | dict,
    title: str,
    summary: str,
    datasets: dict | None = None,
    static: bool = False,
) -> Markup:
    """A chart: the Vega-Lite spec inline (drawn by assets/javascripts/charts.js) and its summary.
    `datasets` adds named datasets (lists of rows, e.g. map features) to the spec as they are. A `static` chart
    also gets an SVG copy for readers without JavaScript (drawn by `figures` from the spec in hand); every chart
    is followed by its data table, which is what readers without JavaScript get for the others."""
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
    static_copy = (
        f'<noscript><div class="chart-static" role="img" aria-label="{label}">{figures.svg(chart_id, spec_text)}'
        "</div></noscript>"
        if static
        else ""
    )
    return Markup(
        f'<figure class="chart" id="{chart_id}">'
        f'<div class="chart-view" role="img" aria-label="{label}"></div>'
        f'<script type="application/json" class="chart-spec">{spec_text}</script>'
        f"{static_copy}<figcaption>{escape.text(summary, limit=None)}</figcaption></figure>"
    )
