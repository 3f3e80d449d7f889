"""How the place pages print dates, rates, weekly changes and the weekly report's tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimesite import escape, weekly
from crimesite.page_blocks import Link, MdTable, Sortable, TitledTables, md_table
from crimesite.page_format import fmt_int
from crimesite.placemetrics import PlaceData
from crimesite.places import Neighborhood
from crimesite.sitedata import SiteData


def sortable(table: MdTable) -> Sortable:
    """A Markdown table that assets/javascripts/tablesort.js lets readers sort by any column."""
    return Sortable(table)


def date_label(day: pd.Timestamp) -> str:
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def neighborhood_path(place: Neighborhood) -> str:
    return f"neighborhoods/{place.slug}.md"


def rate_text(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.1f}"


def change_text(current: object, previous: object) -> str:
    if pd.isna(current) or pd.isna(previous):
        return "n/a"
    difference = int(current) - int(previous)
    percent = weekly.percent_change(current, previous)
    text = f"{difference:+,}" if difference else "0"
    return text + (f" ({percent:+.0f}%)" if percent is not None else "")


def usual_text(value: object, low: object, high: object) -> str:
    verdict = weekly.verdict(value, low, high)
    if verdict == weekly.NO_HISTORY:
        return "n/a"
    marker = {weekly.ABOVE: "**above**", weekly.BELOW: "**below**", weekly.WITHIN: "within"}[verdict]
    return f"{marker} ({int(low):,}–{int(high):,})"


def count_text(value: object) -> str:
    return "n/a" if pd.isna(value) else fmt_int(value)


def weekly_table(data: SiteData, report: pd.DataFrame, place: object) -> TitledTables:
    """The weekly report as three narrow tables, the week, the last 28 days and the year to date, rather than one
    of 11 columns that a page cuts off even at 1280 px. Every page that shows it sits one folder down, as the
    crime pages do."""
    rows = report[report["place"] == place].set_index("category")
    parts = {
        "The week": (
            ["This week", "Prior week", "Against the usual range"],
            lambda r: [
                count_text(r["week"]),
                count_text(r["prior_week"]),
                usual_text(r["week"], r["week_low"], r["week_high"]),
            ],
            "rrl",
        ),
        "The last 28 days": (
            ["Last 28 days", "A year earlier", "Change", "Against the usual range"],
            lambda r: [
                count_text(r["last_28_days"]),
                count_text(r["year_earlier_28_days"]),
                change_text(r["last_28_days"], r["year_earlier_28_days"]),
                usual_text(r["last_28_days"], r["28_days_low"], r["28_days_high"]),
            ],
            "rrrl",
        ),
        "The year to date": (
            ["Year to date", "Prior year to date", "Change"],
            lambda r: [
                count_text(r["year_to_date"]),
                count_text(r["prior_year_to_date"]),
                change_text(r["year_to_date"], r["prior_year_to_date"]),
            ],
            "rrr",
        ),
    }
    picked = {c.slug: rows.loc[c.slug] for c in data.part1}  # once for the three tables: .loc is the cost here
    tables = []
    for title, (headers, cells, align) in parts.items():
        table_rows = [[Link(escape.text(c.name), f"../crimes/{c.slug}.md"), *cells(picked[c.slug])] for c in data.part1]
        tables.append((title, md_table(["Crime", *headers], table_rows, "l" + align)))
    return TitledTables(tuple(tables))


@dataclass(frozen=True)
class WeekContext:
    """The latest week and the rules of the weekly report, as every page that shows it says them."""

    week_start: str
    week_end: str
    window_start: str  # the first day of the last 28 days
    year_start: str
    min_count: int
    range_years: int
    range_neighbours: int
    min_range_years: int
    coded_share: str | None  # the share of a month's last week coded within the month, when measured


def week_context(data: SiteData, places: PlaceData) -> WeekContext:
    end = places.week_end
    return WeekContext(
        week_start=date_label(places.week_start),
        week_end=date_label(end),
        window_start=date_label(end - pd.Timedelta(days=27)),
        year_start=date_label(pd.Timestamp(end.year, 1, 1)),
        min_count=weekly.MIN_COUNT_FOR_PERCENT,
        range_years=weekly.RANGE_YEARS,
        range_neighbours=weekly.RANGE_NEIGHBOURS,
        min_range_years=weekly.MIN_RANGE_YEARS,
        coded_share=None if places.coded_share is None else f"{places.coded_share:.0f}",
    )
