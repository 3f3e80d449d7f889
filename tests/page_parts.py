"""What the tests read out of built pages instead of looking for substrings: table rows, element ids, chart specs
and their marks, Markdown table rows."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

_SPEC = re.compile(r'<script\b[^>]*\bclass="chart-spec"[^>]*>(.*?)</script>', re.S)


class _Tables(HTMLParser):
    """The text of every cell (th or td) of every table row, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td") and self.rows:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    """Every table row of an HTML page as the text of its cells (entities decoded, spaces collapsed)."""
    parser = _Tables()
    parser.feed(page)
    return parser.rows


def row_starting(rows: list[list[str]], first: str) -> list[str]:
    """The one row whose first cell is `first` (a ValueError when there is none or more than one)."""
    found = [row for row in rows if row and row[0] == first]
    if len(found) != 1:
        raise ValueError(f"{len(found)} rows start with {first!r}")
    return found[0]


def element_ids(page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page))


def chart_specs(page: str) -> list[dict]:
    """The Vega-Lite spec of every chart on the page (HTML or Markdown)."""
    return [json.loads(text) for text in _SPEC.findall(page)]


def _marks(spec: object) -> Iterator[str]:
    if isinstance(spec, dict):
        mark = spec.get("mark")
        if mark is not None:
            yield mark if isinstance(mark, str) else mark["type"]
        for key, value in spec.items():
            if key != "datasets":
                yield from _marks(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _marks(item)


def chart_marks(page: str) -> set[str]:
    """Every mark type the page's charts draw, layers included."""
    return {mark for spec in chart_specs(page) for mark in _marks(spec)}


def markdown_rows(markdown: str) -> list[list[str]]:
    """Every row of every Markdown table as its cells' text (entities decoded); separator rows left out."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|") and line.endswith("|") and not re.fullmatch(r"\|( *:?-+:? *\|)+", line):
            cells = re.split(r"(?<!\\)\|", line[1:-1])
            rows.append([html.unescape(cell.strip()) for cell in cells])
    return rows
