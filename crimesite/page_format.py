"""How the pages print numbers, codes, names and runs of years or months (no page here)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from crimesite import charts, escape, months
from crimesite.sitedata import SiteData

NOT_COUNTED = "not counted"  # a count the files do not give (NIBRS files and Part II): missing, not zero


def fmt_int(value: int) -> str:
    return f"{int(value):,}"


def fmt_count(value: object) -> str:
    """A count, or "not counted" where the count is missing (NA)."""
    return NOT_COUNTED if pd.isna(value) else fmt_int(value)


def fmt_change(value: int) -> str:
    return f"{int(value):+,}" if value else "0"


def fmt_percent(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:+.1f}%" if value else "0.0%"


def nav_title(name: str) -> str:
    """A navigation title from a data file (a category or neighborhood name). Material puts titles into
    the page as HTML, so the title is escaped HTML (overrides/main.html escapes the <title> element again)."""
    return str(escape.text(name))


def direction(change: int) -> str:
    return "up" if change > 0 else "down" if change < 0 else "unchanged"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


NO_FILES = charts.NO_FILES


def with_gap_rows(
    rows: list[list[object]],
    keys: list,
    runs: tuple[tuple, ...],
    label: Callable[[object, object], object],
    descending: bool = False,
    span: tuple | None = None,
) -> list[list[object]]:
    """A yearly or monthly table's rows (one per key: a year or a YYYY-MM month, in order) with one row in
    place of each run (first, last) of keys no file stands for that falls inside `span` (low, high; default:
    the first and the last key): `label(first, last)`, then NO_FILES in every other column. A missing year or
    month is never shown as 0. Every yearly and monthly table on the site is made through here."""
    if not rows:
        return rows
    low, high = span or (min(keys), max(keys))
    gaps = [
        (first, [label(first, last)] + [NO_FILES] * (len(rows[0]) - 1))
        for first, last in runs
        if low <= first and last <= high
    ]
    ordered = sorted([*zip(keys, rows, strict=True), *gaps], key=lambda pair: pair[0], reverse=descending)
    return [row for _, row in ordered]


def year_run_label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def gap_sentence(runs: tuple[tuple, ...], label: Callable[[object, object], str], low: object, high: object) -> str:
    """A chart summary's sentence naming the runs without a file inside low..high (empty when there are none)."""
    inside = [label(first, last) for first, last in runs if low < first and last < high]
    return f" No files stand for {', '.join(inside)}." if inside else ""


def coverage_label(data: SiteData, year: int) -> str:
    return "Whole year" if data.cover.months_in(year) == 12 else "Part of the year"


def months_label(year: int, through: int) -> str:
    """'2020' for a whole year, else 'January to April 2024'."""
    return str(year) if through == 12 else f"January to {months.name_of(through)} {year}"
