"""A page per Part I crime, a page per year and the shootings page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimesite import charts, escape, metrics, months
from crimesite.config import OtherSource
from crimesite.home_pages import yearly_frame
from crimesite.page_blocks import (
    Charted,
    DataRegion,
    Figure,
    HtmlTable,
    Link,
    MdTable,
    chart_block,
    html_table,
    md_data_table,
    md_table,
)
from crimesite.page_format import (
    NO_FILES,
    direction,
    fmt_change,
    fmt_count,
    fmt_int,
    fmt_percent,
    gap_sentence,
    with_gap_rows,
    year_run_label,
)
from crimesite.reference import Category
from crimesite.sitedata import SiteData
from crimesite.static_charts import Charts

CODES_SHOWN = 12  # offense codes named on a crime page; the methodology page lists them all


@dataclass(frozen=True)
class PreviousYear:
    """A crime's latest yearly count against the year before."""

    year: int
    count: int
    change: int
    direction: str  # up, down, unchanged
    percent: str
    comparable: bool  # both years hold as many months


@dataclass(frozen=True)
class OtherNote:
    """What a page says about the other source under its yearly table."""

    source: OtherSource
    description: str
    copies: str  # the dates of the copies its figures come from


@dataclass(frozen=True)
class CrimePage:
    """crime.md.j2: one Part I crime."""

    category: Category
    name: str  # the crime in the text, plural unless the latest count is 1 (escaped: from the categories file)
    latest_year: int
    latest_count: int
    latest_partial: bool
    months_in_latest: int
    latest_share: float | None
    chart_years: Figure
    table_years: HtmlTable
    other: OtherNote | None
    chart_months: Figure
    table_months: HtmlTable
    rolling: Charted | None
    previous: PreviousYear | None
    descriptions: MdTable | None
    codes: list[str]  # the generic CSV reader's offense codes for it, the first CODES_SHOWN
    more_codes: int


def crime_page(data: SiteData, figures: Charts, category: Category) -> CrimePage:
    slug = category.slug
    yearly = yearly_frame(data, slug)
    shares = metrics.part1_share(data.annual, data.categories)
    share = shares[shares["category"] == slug].set_index("year")["share"]
    monthly = monthly_counts(data, slug)
    rolling = rolling_counts(data, slug)
    codes = sorted(code for code, ucr_class in data.offense_codes.items() if ucr_class == category.ucr_class)
    latest = yearly.iloc[-1]
    name = category.plural if int(latest["count"]) != 1 else category.name.lower()
    year = int(latest.year)
    other = other_yearly(data, slug)
    return CrimePage(
        category=category,
        name=escape.text(name),
        latest_year=year,
        latest_count=int(latest["count"]),
        latest_partial=not data.cover.is_complete(year),
        months_in_latest=data.cover.months_in(year),
        latest_share=share.get(year),
        chart_years=years_chart(data, figures, category, yearly, other),
        table_years=years_table(data, category, yearly, share, other),
        other=other_note(data, other),
        chart_months=months_chart(data, figures, category, monthly),
        table_months=months_table(data, category, monthly),
        rolling=rolling_sum(data, figures, category, name, rolling) if len(rolling) else None,
        previous=previous_year(data, yearly) if len(yearly) > 1 else None,
        descriptions=description_table(data, slug, year),
        codes=codes[:CODES_SHOWN],
        more_codes=max(0, len(codes) - CODES_SHOWN),
    )


def monthly_counts(data: SiteData, slug: str) -> pd.DataFrame:
    """A crime's counts by month (month, count, segment)."""
    monthly = data.monthly[data.monthly["category"] == slug][["month", "count"]].reset_index(drop=True)
    monthly["segment"] = metrics.segments(monthly["month"], data.cover)
    return monthly


def rolling_counts(data: SiteData, slug: str) -> pd.DataFrame:
    """A crime's 12-month rolling sums where it has one (month, rolling_12, segment)."""
    rolling = data.rolling[(data.rolling["category"] == slug) & data.rolling["rolling_12"].notna()]
    rolling = rolling[["month", "rolling_12"]].reset_index(drop=True)
    rolling["segment"] = metrics.segments(rolling["month"], data.cover)
    return rolling


def years_summary(data: SiteData, category: Category, yearly: pd.DataFrame, other: pd.DataFrame | None) -> str:
    """The yearly chart's text: each year's count, the years missing and the other source's figures."""
    first, last = int(yearly.iloc[0].year), int(yearly.iloc[-1].year)
    summary = (
        f"{category.name} counted each year, {first} to {last}: "
        + ", ".join(f"{int(r.year)}: {int(r.count):,}" for r in yearly.itertuples())
        + "."
        + gap_sentence(data.cover.missing_year_runs, year_run_label, first, last)
    )
    if other is None:
        return summary
    return (
        summary
        + f" {data.other.source.label}, a separate source drawn as diamonds: "
        + ", ".join(f"{int(r.year)}: {int(r.value):,}" for r in other.itertuples())
        + "."
    )


def years_chart(
    data: SiteData, figures: Charts, category: Category, yearly: pd.DataFrame, other: pd.DataFrame | None
) -> Figure:
    """A crime's counts by year as bars, the other source's figures as diamonds."""
    summary = years_summary(data, category, yearly, other)
    other_label = data.other.source.label if other is not None else ""
    return chart_block(
        figures,
        f"chart-{category.slug}-years",
        charts.yearly_bars(
            yearly, category.name, summary, data.break_year, data.cover.missing_years, other, other_label
        ),
        f"{category.name} by year",
        summary,
    )


def years_table(
    data: SiteData, category: Category, yearly: pd.DataFrame, share: pd.Series, other: pd.DataFrame | None
) -> HtmlTable:
    """A crime's counts, share of Part I and months by year, with the other source's figures beside them."""
    shown = escape.text(category.name)  # the category file's name, as tables and captions set it
    counts = yearly.set_index("year")["count"]
    years = sorted({int(y) for y in counts.index} | {int(y) for y in (other["year"] if other is not None else [])})
    other_values = other.set_index("year")["value"] if other is not None else pd.Series(dtype="int64")
    headers = ["Year", shown, "Share of Part I (%)", "Months in data"]
    if other is not None:
        headers.append(data.other.source.label)
    # A year the files miss but the other source has gets a row of its own (NO_FILES beside the other figure);
    # the years neither has are runs of NO_FILES rows.
    table_rows = []
    for row_year in years:
        row = (
            [
                row_year,
                fmt_int(counts[row_year]),
                "n/a" if pd.isna(share.get(row_year)) else f"{share.get(row_year):.1f}",
                data.cover.months_in(row_year),
            ]
            if row_year in counts.index
            else [row_year, NO_FILES, NO_FILES, NO_FILES]
        )
        if other is not None:
            row.append(fmt_int(other_values[row_year]) if row_year in other_values.index else "n/a")
        table_rows.append(row)
    gaps = metrics.runs([y for y in data.cover.missing_years if y not in years])
    return html_table(
        f"table-{category.slug}-years",
        f"{shown} by year",
        headers,
        with_gap_rows(table_rows, years, gaps, year_run_label),
        "lrrr" + ("r" if other is not None else ""),
    )


def months_chart(data: SiteData, figures: Charts, category: Category, monthly: pd.DataFrame) -> Figure:
    """A crime's counts by month as a line, with its highest month in the text."""
    peak_month = monthly.loc[monthly["count"].idxmax()]
    summary = (
        f"{category.name} by month, {months.label(data.cover.first)} to {months.label(data.cover.last)}; "
        f"the highest month was {months.label(peak_month.month)} with {int(peak_month['count']):,}."
        + gap_sentence(data.cover.missing_month_runs, months.run_label, data.cover.first, data.cover.last)
    )
    return chart_block(
        figures,
        f"chart-{category.slug}-months",
        charts.monthly_line(monthly, "count", category.name, summary, data.break_month, data.cover.missing_month_runs),
        f"{category.name} by month",
        summary,
    )


def months_table(data: SiteData, category: Category, monthly: pd.DataFrame) -> HtmlTable:
    """A crime's counts by month, the months no file stands for as runs of gap rows."""
    shown = escape.text(category.name)
    return html_table(
        f"table-{category.slug}-months",
        f"{shown} by month",
        ["Month", shown],
        with_gap_rows(
            [[r.month, fmt_int(r.count)] for r in monthly.itertuples()],
            list(monthly["month"]),
            data.cover.missing_month_runs,
            months.key_run_label,
        ),
        "lr",
    )


def rolling_sum(data: SiteData, figures: Charts, category: Category, name: str, rolling: pd.DataFrame) -> Charted:
    """The 12-month rolling sum of a crime (`rolling`: month, rolling_12, segment), charted."""
    slug, shown = category.slug, escape.text(category.name)
    last = rolling.iloc[-1]
    summary_rolling = (
        f"The 12-month rolling sum of {name}: each point adds up the 12 months ending that month. "
        f"For the 12 months to {months.label(last.month)} it was {int(last.rolling_12):,}."
    )
    return Charted(
        chart=chart_block(
            figures,
            f"chart-{slug}-rolling",
            charts.monthly_line(
                rolling,
                "rolling_12",
                "12-month sum",
                summary_rolling,
                data.break_month,
                data.cover.missing_month_runs,
            ),
            f"{category.name}, 12-month rolling sum",
            summary_rolling,
        ),
        table=html_table(
            f"table-{slug}-rolling",
            f"{shown}, 12-month rolling sum",
            ["12 months to", "Sum"],
            with_gap_rows(
                [[r.month, fmt_int(r.rolling_12)] for r in rolling.itertuples()],
                list(rolling["month"]),
                data.cover.missing_month_runs,
                months.key_run_label,
            ),
            "lr",
        ),
    )


def previous_year(data: SiteData, yearly: pd.DataFrame) -> PreviousYear:
    """The latest year of a crime's counts (`yearly`: year, count) against the year before it."""
    latest, before = yearly.iloc[-1], yearly.iloc[-2]
    change = int(latest["count"]) - int(before["count"])
    return PreviousYear(
        year=int(before.year),
        count=int(before["count"]),
        change=change,
        direction=direction(change),
        percent=fmt_percent(change / before["count"] * 100 if before["count"] else None),
        comparable=data.cover.months_in(int(latest.year)) == data.cover.months_in(int(before.year)),
    )


def description_table(data: SiteData, slug: str, year: int) -> MdTable | None:
    """The descriptions a crime's rows of `year` carry most, as the raw files spell them (None without any)."""
    descriptions = metrics.top_descriptions(data.counted, slug, year)
    if not len(descriptions):
        return None
    return md_table(
        ["Description as published", "Count"],
        [[escape.text(row.description), fmt_int(row.count)] for row in descriptions.itertuples()],
        "lr",
    )


def other_yearly(data: SiteData, slug: str) -> pd.DataFrame | None:
    """The other source's yearly figures for a category (year, value, source, as_of), or None without any."""
    if data.other is None:
        return None
    series = data.other.series(slug)
    return series.assign(source=data.other.source.name) if len(series) else None


def other_note(data: SiteData, other: pd.DataFrame | None) -> OtherNote | None:
    """What a page says about the other source under its yearly table."""
    if other is None:
        return None
    copies = sorted(set(other["as_of"]))
    copies_text = ", ".join(copies[:-1]) + (" and " if len(copies) > 1 else "") + copies[-1]
    return OtherNote(data.other.source, data.other.source.description, copies_text)  # site.yml: our own words


@dataclass(frozen=True)
class YearPage:
    """year.md.j2: one year's counts."""

    year: int
    era: str  # ucr or nibrs
    previous_era: str | None  # None: the data has no year before
    months: int  # months of the year in the data
    missing: list[str]  # the year's months no file stands for
    has_previous: bool
    previous_months: int
    chart: Figure
    part1_table: DataRegion
    part1_total: str
    part2_table: MdTable
    months_table: HtmlTable


def year_page(data: SiteData, figures: Charts, year: int) -> YearPage:
    annual = data.annual.set_index(["year", "category"])["count"]
    has_previous = year - 1 in data.cover.years
    headers = ["Crime", str(year), str(year - 1), "Change", "% change"] if has_previous else ["Crime", str(year)]
    align = "lrrrr" if has_previous else "lr"
    part1 = pd.DataFrame(
        {"name": [c.name for c in data.part1], "count": [int(annual.get((year, c.slug), 0)) for c in data.part1]}
    )
    part1_rows = year_rows(annual, year, data.part1, link=True, has_previous=has_previous)
    return YearPage(
        year=year,
        era=data.cover.year_era(year),
        previous_era=data.cover.year_era(year - 1) if has_previous else None,
        months=data.cover.months_in(year),
        missing=[months.label(m) for m in data.cover.missing if months.year_of(m) == year],
        has_previous=has_previous,
        previous_months=data.cover.months_in(year - 1),
        chart=year_chart(figures, year, part1),
        part1_table=md_data_table(f"Part I crimes in {year}", headers, part1_rows, align),
        part1_total=fmt_int(part1["count"].sum()),
        part2_table=md_table(
            headers, year_rows(annual, year, data.part2, link=False, has_previous=has_previous), align
        ),
        months_table=year_months_table(data, year),
    )


def year_rows(
    annual: pd.Series, year: int, categories: tuple[Category, ...], link: bool, has_previous: bool
) -> list[list[object]]:
    """A row per category of its count in `year` (`annual`: count by year and category) and, when the data has
    the year before, that year's count and the change; `link` names each category with a link to its page."""
    rows: list[list[object]] = []
    for category in categories:
        current = annual.get((year, category.slug), 0)
        name = escape.text(category.name)
        label = Link(name, f"../crimes/{category.slug}.md") if link else name
        if not has_previous:
            rows.append([label, fmt_count(current)])
            continue
        previous = annual.get((year - 1, category.slug), 0)
        if pd.isna(current) or pd.isna(previous):
            rows.append([label, fmt_count(current), fmt_count(previous), "n/a", "n/a"])
            continue
        pct = (current - previous) / previous * 100 if previous else None
        rows.append([label, fmt_int(current), fmt_int(previous), fmt_change(current - previous), fmt_percent(pct)])
    return rows


def year_chart(figures: Charts, year: int, part1: pd.DataFrame) -> Figure:
    """The year's Part I counts (`part1`: name, count) as bars, the largest first in the text."""
    summary = (
        f"Part I crimes counted in {year}: "
        + ", ".join(
            f"{r.name.lower()} {int(r.count):,}" for r in part1.sort_values("count", ascending=False).itertuples()
        )
        + "."
    )
    return chart_block(
        figures,
        f"chart-year-{year}",
        charts.category_bars(part1, summary),
        f"Part I crimes in {year}",
        summary,
    )


def year_months_table(data: SiteData, year: int) -> HtmlTable:
    """The year's Part I counts by month, from its first to its last month in the range of the data: the
    missing ones say so."""
    monthly = data.monthly.set_index(["month", "category"])["count"]
    in_year = [month for month in data.cover.months if months.year_of(month) == year]
    # the month's name alone (the caption gives the year), so that the table is narrower
    month_rows = [
        [months.name_of(months.number_of(month))] + [fmt_int(monthly.get((month, c.slug), 0)) for c in data.part1]
        for month in in_year
    ]
    first, last = max(months.key_of(year, 1), data.cover.first), min(months.key_of(year, 12), data.cover.last)
    year_gaps = metrics.clipped_runs(data.cover.missing_month_runs, first, last)
    return html_table(
        f"table-year-{year}-months",
        f"Part I crimes by month, {year}",
        ["Month"] + [escape.text(c.name) for c in data.part1],
        with_gap_rows(month_rows, in_year, year_gaps, months.run_label_in_year, span=(first, last)),
        "l" + "r" * len(data.part1),
    )


@dataclass(frozen=True)
class ShootingsPage:
    """shootings.md.j2: firearm assaults and homicides by month."""

    chart: Figure
    table: HtmlTable
    has_legacy: bool  # the legacy files give the homicides by firearm; the NIBRS ones do not


def shootings_page(data: SiteData, figures: Charts) -> ShootingsPage:
    table = data.shootings
    frame = table[["month", "assaults"]].rename(columns={"assaults": "count"})
    frame["segment"] = metrics.segments(frame["month"], data.cover)
    summary = (
        f"Aggravated assaults with a firearm by month, {months.label(data.cover.first)} to "
        f"{months.label(data.cover.last)}"
        + (f"; the reporting system changed in {months.label(data.cover.methods_break)}" if data.break_month else "")
        + "."
        + gap_sentence(data.cover.missing_month_runs, months.run_label, data.cover.first, data.cover.last)
    )
    rows = [
        [
            r.month,
            fmt_int(r.assaults),
            "n/a" if pd.isna(r.homicides) else fmt_int(r.homicides),
            "n/a" if pd.isna(r.shootings) else fmt_int(r.shootings),
            r.era.upper(),
        ]
        for r in table.itertuples()
    ]
    return ShootingsPage(
        chart=chart_block(
            figures,
            "chart-shootings",
            charts.monthly_line(
                frame,
                "count",
                "Aggravated assaults with a firearm",
                summary,
                data.break_month,
                data.cover.missing_month_runs,
            ),
            "Aggravated assaults with a firearm by month",
            summary,
        ),
        table=html_table(
            "table-shootings",
            "Shootings by month",
            ["Month", "Aggravated assaults with a firearm", "Homicides with a firearm", "Shootings", "Era"],
            with_gap_rows(rows, list(table["month"]), data.cover.missing_month_runs, months.key_run_label),
            "lrrrl",
        ),
        has_legacy=(table["era"] == "ucr").any(),
    )
