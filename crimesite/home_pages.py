"""The home page and the two indexes (crimes, years): the latest Part I counts and the homicide trend."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimesite import charts, escape, metrics, months
from crimesite.page_blocks import Charted, Link, MdTable, chart_block, html_table, md_table
from crimesite.page_format import (
    coverage_label,
    fmt_change,
    fmt_int,
    fmt_percent,
    gap_sentence,
    months_label,
    with_gap_rows,
    year_run_label,
)
from crimesite.sitedata import SiteData
from crimesite.static_charts import Charts


def has_months(cover: metrics.Coverage, year: int, through: int) -> bool:
    """Whether the data holds every month from January to `through` of `year`."""
    return all(month in cover.months for month in months.of_year(year, through))


@dataclass(frozen=True)
class Comparison:
    """Part I counts for some months of a year against the same months of an earlier one."""

    period: str  # 'January to April 2024', or the year
    prior: str | None  # the same of the earlier year; None: the counts alone
    partial: bool
    crosses_break: bool  # the two years were counted under different systems
    table: MdTable


@dataclass(frozen=True)
class Headline:
    """What the home page opens with (see headline)."""

    latest: Comparison
    whole: Comparison | None
    missing_prior: str | None  # the same months of the year before, when the data has no files for them


def part1_comparison(data: SiteData, year: int, through: int, previous: int | None) -> Comparison:
    """Part I counts for January to `through` of `year`, against the same months of `previous` (none: the
    counts alone, never a column of n/a). The columns are headed by the years, so that the table fits a phone;
    the heading and the text above it say which months."""
    slugs = [c.slug for c in data.part1]
    current = metrics.year_to_date(data.monthly, year, through).reindex(slugs)
    before = metrics.year_to_date(data.monthly, previous, through).reindex(slugs) if previous else current * 0
    table = metrics.with_change(current, before)
    rows = []
    for category in data.part1:
        row = table.loc[category.slug]
        cells = [Link(escape.text(category.name), f"crimes/{category.slug}.md"), fmt_int(row.current)]
        if previous is not None:
            cells += [fmt_int(row.previous), fmt_change(row.change), fmt_percent(row.percent_change)]
        rows.append(cells)
    total = table.sum()
    cells = ["**All Part I crimes**", fmt_int(total.current)]
    if previous is not None:
        total_pct = total.change / total.previous * 100 if total.previous else None
        cells += [fmt_int(total.previous), fmt_change(total.change), fmt_percent(total_pct)]
    rows.append(cells)
    headers = ["Crime", str(year)] + ([str(previous), "Change", "% change"] if previous is not None else [])
    return Comparison(
        period=months_label(year, through),
        prior=months_label(previous, through) if previous is not None else None,
        partial=through != 12,
        crosses_break=previous is not None and data.cover.year_era(year) != data.cover.year_era(previous),
        table=md_table(headers, rows, "lr" + ("rrr" if previous is not None else "")),
    )


def headline(data: SiteData) -> Headline:
    """The comparisons the home page opens with: the latest months' Part I counts against the same months of
    the year before. When the data has no files for those months of the year before (January to April 2024
    with no 2023), against the same months of the last year that has them (2020, across the methods break),
    and then the latest whole year against the year before it (2020 against 2019).

    The latest months come first: they are the newest figures, the ones "data through" promises and readers
    come for; the text right above them says which year they are set against and that it was counted under
    another system. The whole-year comparison follows as the latest like-for-like one. No table is a column
    of n/a: without an earlier year holding the months, the counts are shown alone."""
    year = data.latest_year
    through = 12 if data.cover.is_complete(year) else months.number_of(data.cover.last)
    earlier = [y for y in reversed(data.cover.years) if y < year and has_months(data.cover, y, through)]
    latest = part1_comparison(data, year, through, earlier[0] if earlier else None)
    whole = None
    if through != 12 and not has_months(data.cover, year - 1, through):
        complete = [y for y in reversed(data.cover.years) if y < year and data.cover.is_complete(y)]
        if complete:
            before = complete[0] - 1 if data.cover.is_complete(complete[0] - 1) else None
            whole = part1_comparison(data, complete[0], 12, before)
    missing_prior = None if has_months(data.cover, year - 1, through) else months_label(year - 1, through)
    return Headline(latest, whole, missing_prior)


def releases_so_far(data: SiteData) -> int | None:
    """How many releases have carried counts for the latest month, when it is a month releases revise (NIBRS)."""
    if data.revisions is None or data.cover.era(data.cover.last) != "nibrs":
        return None
    return data.revisions.releases_so_far(data.cover.last) or None


def yearly_frame(data: SiteData, slug: str) -> pd.DataFrame:
    frame = data.annual[data.annual["category"] == slug][["year", "count"]].copy()
    frame["coverage"] = [coverage_label(data, int(y)) for y in frame["year"]]
    return frame.reset_index(drop=True)


def homicide_trend(data: SiteData, figures: Charts) -> Charted:
    frame = yearly_frame(data, "homicide")
    first, last = frame.iloc[0], frame.iloc[-1]
    peak = frame.loc[frame["count"].idxmax()]
    summary = (
        f"Homicides counted by {data.config.agency_short} each year from {int(first.year)} to {int(last.year)}: "
        f"{int(first['count']):,} in {int(first.year)}, {int(last['count']):,} in {int(last.year)}; "
        f"the most was {int(peak['count']):,} in {int(peak.year)}."
        + gap_sentence(data.cover.missing_year_runs, year_run_label, int(first.year), int(last.year))
    )
    return Charted(
        chart=chart_block(
            figures,
            "chart-homicide-years",
            charts.yearly_bars(frame, "Homicides", summary, data.break_year, data.cover.missing_years),
            "Homicides by year",
            summary,
        ),
        table=html_table(
            "table-homicide-years",
            "Homicides by year",
            ["Year", "Homicides", "Months in data"],
            with_gap_rows(
                [[int(r.year), fmt_int(r.count), data.cover.months_in(int(r.year))] for r in frame.itertuples()],
                [int(year) for year in frame["year"]],
                data.cover.missing_year_runs,
                year_run_label,
            ),
            "lrr",
        ),
    )


def year_index(data: SiteData) -> MdTable:
    annual = data.annual.set_index(["year", "category"])["count"]
    rows = []
    years = sorted(data.cover.years, reverse=True)
    for year in years:
        counts = [int(annual.get((year, c.slug), 0)) for c in data.part1]
        rows.append(
            [Link(str(year), f"{year}.md"), data.cover.months_in(year), fmt_int(sum(counts))]
            + [fmt_int(n) for n in counts]
        )
    rows = with_gap_rows(rows, years, data.cover.missing_year_runs, year_run_label, descending=True)
    headers = ["Year", "Months in data", "Part I total"] + [escape.text(c.name) for c in data.part1]
    return md_table(headers, rows, "lrr" + "r" * len(data.part1))


def crime_index(data: SiteData) -> MdTable:
    annual = data.annual.set_index(["year", "category"])["count"]
    year = data.latest_year
    rows = [
        [Link(escape.text(c.name), f"{c.slug}.md"), f"{c.ucr_class:02d}", fmt_int(annual.get((year, c.slug), 0))]
        for c in data.part1
    ]
    return md_table(["Crime", "UCR class", str(year)], rows, "lrr")
