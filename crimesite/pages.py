"""Markdown pages rendered with Jinja2 from the metrics; every raw-file value is escaped."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path

import altair as alt
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from crimesite import charts, escape, metrics, paths, revisions, static_charts
from crimesite import claims as claims_module
from crimesite.config import SiteConfig
from crimesite.inputs import FileInfo
from crimesite.other_sources import OtherFigures
from crimesite.reference import Category
from crimesite.revisions import Revisions

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
LONG_TABLE_ROWS = 15
CODES_SHOWN = 12  # offense codes named on a crime page; the methodology page lists them all
# Checking every spec against the Vega-Lite schema doubles the time pages take; the tests switch it on.
VALIDATE_CHARTS = False


@dataclass(frozen=True)
class SiteData:
    """Everything the pages are made from."""

    config: SiteConfig
    categories: tuple[Category, ...]
    incidents: pd.DataFrame  # every row read
    counted: pd.DataFrame  # the rows the series count (covered months, right era)
    excluded: pd.DataFrame  # the rows left out of the series, listed on the data-quality page
    claims: tuple[claims_module.Check, ...]
    files: tuple[FileInfo, ...]
    cover: metrics.Coverage
    annual: pd.DataFrame  # every category
    monthly: pd.DataFrame  # every category
    rolling: pd.DataFrame  # every category
    shootings: pd.DataFrame  # by month: firearm aggravated assaults and homicides
    sample: bool
    places: object  # placemetrics.PlaceData: counts by district and neighborhood, the weekly reports
    offense_codes: dict[str, int | None] = field(default_factory=dict)  # generic CSV reader: code -> UCR class
    other: OtherFigures | None = None  # another source's yearly figures (site.yml other_sources), shown beside ours
    revisions: Revisions | None = None  # the counts as of each release; None without releases that revise (NIBRS)

    @property
    def part1(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.part == 1)

    @property
    def part2(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.part == 2)

    @property
    def latest_year(self) -> int:
        return int(self.cover.last[:4])

    @property
    def break_month(self) -> str | None:
        """The methods break, when the series reach both sides of it."""
        return self.cover.methods_break if self.cover.spans_break else None

    @property
    def break_year(self) -> int | None:
        """The year the methods break falls in, when the series reach both sides of it: the yearly charts run
        through every year, those without a file included, and put the marker before it."""
        if not self.cover.spans_break:
            return None
        return int(self.cover.methods_break[:4])


# ----- formatting -------------------------------------------------------------------------------


def fmt_int(value: int) -> Markup:
    return Markup(f"{int(value):,}")


NOT_COUNTED = "not counted"  # a count the files do not give (NIBRS files and Part II): missing, not zero


def fmt_count(value) -> Markup:
    """A count, or "not counted" where the count is missing (NA)."""
    return Markup(NOT_COUNTED) if pd.isna(value) else fmt_int(value)


def fmt_change(value: int) -> Markup:
    return Markup(f"{int(value):+,}" if value else "0")


def fmt_percent(value: float | None) -> Markup:
    if value is None or pd.isna(value):
        return Markup("n/a")
    return Markup(f"{value:+.1f}%" if value else "0.0%")


PLAIN_CODE = re.compile(r"[A-Za-z0-9_./ -]+")


def as_code(value: object) -> Markup:
    """A name from a file or the configuration (a column name, a code, a path) set as code. Plain names go in
    Markdown backticks; anything else is escaped inside an HTML code element (in backticks the escapes
    would show literally)."""
    text = str(value)
    if PLAIN_CODE.fullmatch(text) and text.strip() == text:
        return Markup(f"`{text}`")
    return Markup(f"<code>{escape.text(text)}</code>")


def nav_title(name: str) -> str:
    """A navigation title from a data file (a category or neighborhood name). Material puts titles into
    the page as HTML, so the title is escaped HTML (overrides/main.html escapes the <title> element again)."""
    return str(escape.text(name))


def month_name(label: str) -> str:
    """'December 2019' from '2019-12'."""
    return f"{MONTH_NAMES[int(label[5:7]) - 1]} {label[:4]}"


def direction(change: int) -> str:
    return "up" if change > 0 else "down" if change < 0 else "unchanged"


# ----- building blocks --------------------------------------------------------------------------


def md_table(headers: list[str], rows: list[list[object]], align: str) -> Markup:
    """A Markdown table; `align` has one letter per column, l or r. Cells are escaped unless Markup."""
    marks = {"l": ":--", "r": "--:"}
    lines = [
        "| " + " | ".join(escape.text(h) for h in headers) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(escape.text(cell) for cell in row) + " |" for row in rows]
    return Markup("\n".join(lines))


def md_data_table(label: str, headers: list[str], rows: list[list[object]], align: str) -> Markup:
    """A Markdown table (its links stay MkDocs links, checked and resolved) in the labelled region, scrollable
    by keyboard, that html_table puts its tables in: for a chart's table that links to other pages."""
    return Markup(
        f'<div class="data-table" role="region" aria-label="{html_escape(label, quote=True)}" tabindex="0" markdown>'
        f"\n\n{md_table(headers, rows, align)}\n\n</div>"
    )


def html_table(table_id: str, caption: str, headers: list[str], rows: list[list[object]], align: str) -> Markup:
    """An HTML data table with a caption and row headers, scrollable by keyboard; folded when long."""
    head = "".join(
        f'<th scope="col" class="{_align(a)}">{escape.text(h)}</th>' for h, a in zip(headers, align, strict=True)
    )
    body = []
    for row in rows:
        cells = [f'<th scope="row" class="{_align(align[0])}">{escape.text(row[0])}</th>']
        cells += [
            f'<td class="{_align(a)}">{escape.text(cell)}</td>' for cell, a in zip(row[1:], align[1:], strict=True)
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption_html = escape.text(caption)
    table = (
        f'<div class="data-table" role="region" aria-labelledby="{table_id}-caption" tabindex="0">'
        f'<table id="{table_id}"><caption id="{table_id}-caption">{caption_html}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    if len(rows) > LONG_TABLE_ROWS:
        table = f'<details class="data-details"><summary>The numbers: {caption_html}</summary>{table}</details>'
    return Markup(table)


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


def month_run_label(first: str, last: str) -> str:
    """For tables whose month column is YYYY-MM."""
    return first if first == last else f"{first} to {last}"


def month_name_run_label(first: str, last: str) -> str:
    """For tables whose month column is the month's name."""
    return month_name(first) if first == last else f"{month_name(first)} to {month_name(last)}"


def month_only_run_label(first: str, last: str) -> str:
    """For tables of one year's months, named without the year."""
    names = MONTH_NAMES[int(first[5:]) - 1], MONTH_NAMES[int(last[5:]) - 1]
    return names[0] if first == last else f"{names[0]} to {names[1]}"


def gap_sentence(runs: tuple[tuple, ...], label: Callable[[object, object], str], low: object, high: object) -> str:
    """A chart summary's sentence naming the runs without a file inside low..high (empty when there are none)."""
    inside = [label(first, last) for first, last in runs if low < first and last < high]
    return f" No files stand for {', '.join(inside)}." if inside else ""


def _align(letter: str) -> str:
    return "num" if letter == "r" else "text"


def chart_block(
    chart_id: str, chart: alt.Chart | dict, title: str, summary: str, datasets: dict | None = None, static: bool = False
) -> Markup:
    """A chart: the Vega-Lite spec inline (drawn by assets/javascripts/charts.js) and its summary.
    `datasets` adds named datasets (lists of rows, e.g. map features) to the spec as they are. A `static` chart
    also gets an SVG copy for readers without JavaScript (filled in by static_charts.fill); every chart is
    followed by its data table, which is what readers without JavaScript get for the others."""
    if isinstance(chart, dict):  # a spec charts.py assembled itself
        spec = chart
        if VALIDATE_CHARTS:
            alt.TopLevelLayerSpec.validate(spec)
    else:
        spec = chart.to_dict(validate=VALIDATE_CHARTS)
    spec.pop("$schema", None)
    if "description" in spec:  # the summary, which can name places: Vega shows it as the chart's description
        spec["description"] = escape.plain(spec["description"], limit=None)
    if datasets:
        spec.setdefault("datasets", {}).update(datasets)
    label = html_escape(f"Chart: {escape.plain(title)}. The numbers are in the table that follows.", quote=True)
    return Markup(
        f'<figure class="chart" id="{chart_id}">'
        f'<div class="chart-view" role="img" aria-label="{label}"></div>'
        f'<script type="application/json" class="chart-spec">{escape.json_for_script(spec)}</script>'
        + (
            f'<noscript><div class="chart-static" role="img" aria-label="{label}">{static_charts.PLACEHOLDER}'
            "</div></noscript>"
            if static
            else ""
        )
        + f"<figcaption>{escape.text(summary, limit=None)}</figcaption></figure>"
    )


def coverage_label(data: SiteData, year: int) -> str:
    months = data.cover.months_in(year)
    return "Whole year" if months == 12 else "Part of the year"


# ----- page contexts ------------------------------------------------------------------------------


def months_label(year: int, through: int) -> str:
    """'2020' for a whole year, else 'January to April 2024'."""
    return str(year) if through == 12 else f"January to {MONTH_NAMES[through - 1]} {year}"


def has_months(cover: metrics.Coverage, year: int, through: int) -> bool:
    """Whether the data holds every month from January to `through` of `year`."""
    return all(f"{year:04d}-{m:02d}" in cover.months for m in range(1, through + 1))


def part1_comparison(data: SiteData, year: int, through: int, previous: int | None) -> dict:
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
        cells = [Markup(f"[{escape.text(category.name)}](crimes/{category.slug}.md)"), fmt_int(row.current)]
        if previous is not None:
            cells += [fmt_int(row.previous), fmt_change(row.change), fmt_percent(row.percent_change)]
        rows.append(cells)
    total = table.sum()
    cells = [Markup("**All Part I crimes**"), fmt_int(total.current)]
    if previous is not None:
        total_pct = total.change / total.previous * 100 if total.previous else None
        cells += [fmt_int(total.previous), fmt_change(total.change), fmt_percent(total_pct)]
    rows.append(cells)
    headers = ["Crime", str(year)] + ([str(previous), "Change", "% change"] if previous is not None else [])
    return {
        "period": months_label(year, through),
        "prior": months_label(previous, through) if previous is not None else None,
        "partial": through != 12,
        "crosses_break": previous is not None and data.cover.year_era(year) != data.cover.year_era(previous),
        "table": md_table(headers, rows, "lr" + ("rrr" if previous is not None else "")),
    }


def headline(data: SiteData) -> dict:
    """The comparisons the home page opens with: the latest months' Part I counts against the same months of
    the year before. When the data has no files for those months of the year before (January to April 2024
    with no 2023), against the same months of the last year that has them (2020, across the methods break),
    and then the latest whole year against the year before it (2020 against 2019).

    The latest months come first: they are the newest figures, the ones "data through" promises and readers
    come for; the text right above them says which year they are set against and that it was counted under
    another system. The whole-year comparison follows as the latest like-for-like one. No table is a column
    of n/a: without an earlier year holding the months, the counts are shown alone."""
    year = data.latest_year
    through = 12 if data.cover.is_complete(year) else int(data.cover.last[5:7])
    earlier = [y for y in reversed(data.cover.years) if y < year and has_months(data.cover, y, through)]
    latest = part1_comparison(data, year, through, earlier[0] if earlier else None)
    whole = None
    if through != 12 and not has_months(data.cover, year - 1, through):
        complete = [y for y in reversed(data.cover.years) if y < year and data.cover.is_complete(y)]
        if complete:
            before = complete[0] - 1 if data.cover.is_complete(complete[0] - 1) else None
            whole = part1_comparison(data, complete[0], 12, before)
    return {
        "latest": latest,
        "whole": whole,
        # The same months of the year before, when the data has no files for them.
        "missing_prior": None if has_months(data.cover, year - 1, through) else months_label(year - 1, through),
    }


def releases_so_far(data: SiteData) -> int | None:
    """How many releases have carried counts for the latest month, when it is a month releases revise (NIBRS)."""
    if data.revisions is None or data.cover.era(data.cover.last) != "nibrs":
        return None
    return data.revisions.releases_so_far(data.cover.last) or None


def yearly_frame(data: SiteData, slug: str) -> pd.DataFrame:
    frame = data.annual[data.annual["category"] == slug][["year", "count"]].copy()
    frame["coverage"] = [coverage_label(data, int(y)) for y in frame["year"]]
    return frame.reset_index(drop=True)


def homicide_trend(data: SiteData) -> dict:
    frame = yearly_frame(data, "homicide")
    first, last = frame.iloc[0], frame.iloc[-1]
    peak = frame.loc[frame["count"].idxmax()]
    summary = (
        f"Homicides counted by {data.config.agency_short} each year from {int(first.year)} to {int(last.year)}: "
        f"{int(first['count']):,} in {int(first.year)}, {int(last['count']):,} in {int(last.year)}; "
        f"the most was {int(peak['count']):,} in {int(peak.year)}."
        + gap_sentence(data.cover.missing_year_runs, year_run_label, int(first.year), int(last.year))
    )
    return {
        "chart": chart_block(
            "chart-homicide-years",
            charts.yearly_bars(frame, "Homicides", summary, data.break_year, data.cover.missing_years),
            "Homicides by year",
            summary,
            static=True,
        ),
        "table": html_table(
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
    }


def crime_page(data: SiteData, category: Category) -> dict:
    slug = category.slug
    yearly = yearly_frame(data, slug)
    shares = metrics.part1_share(data.annual, data.categories)
    share = shares[shares["category"] == slug].set_index("year")["share"]
    monthly = data.monthly[data.monthly["category"] == slug][["month", "count"]].reset_index(drop=True)
    monthly["segment"] = metrics.segments(monthly["month"], data.cover)
    rolling = data.rolling[(data.rolling["category"] == slug) & data.rolling["rolling_12"].notna()]
    rolling = rolling[["month", "rolling_12"]].reset_index(drop=True)
    rolling["segment"] = metrics.segments(rolling["month"], data.cover)
    codes = sorted(code for code, ucr_class in data.offense_codes.items() if ucr_class == category.ucr_class)
    latest = yearly.iloc[-1]
    name = category.plural if int(latest["count"]) != 1 else category.name.lower()
    year = int(latest.year)
    summary_years = (
        f"{category.name} counted each year, {int(yearly.iloc[0].year)} to {year}: "
        + ", ".join(f"{int(r.year)}: {int(r.count):,}" for r in yearly.itertuples())
        + "."
        + gap_sentence(data.cover.missing_year_runs, year_run_label, int(yearly.iloc[0].year), year)
    )
    peak_month = monthly.loc[monthly["count"].idxmax()]
    summary_months = (
        f"{category.name} by month, {month_name(data.cover.first)} to {month_name(data.cover.last)}; "
        f"the highest month was {month_name(peak_month.month)} with {int(peak_month['count']):,}."
        + gap_sentence(data.cover.missing_month_runs, month_name_run_label, data.cover.first, data.cover.last)
    )
    other = other_yearly(data, slug)
    other_label = data.other.source.label if other is not None else ""
    counts = yearly.set_index("year")["count"]
    years = sorted({int(y) for y in counts.index} | {int(y) for y in (other["year"] if other is not None else [])})
    other_values = other.set_index("year")["value"] if other is not None else pd.Series(dtype="int64")
    headers = ["Year", category.name, "Share of Part I (%)", "Months in data"]
    if other is not None:
        headers.append(data.other.source.label)
        summary_years += (
            f" {data.other.source.label}, a separate source drawn as diamonds: "
            + ", ".join(f"{int(r.year)}: {int(r.value):,}" for r in other.itertuples())
            + "."
        )
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
    context = {
        "category": category,
        "name": name,
        "latest_year": year,
        "latest_count": int(latest["count"]),
        "latest_partial": not data.cover.is_complete(year),
        "months_in_latest": data.cover.months_in(year),
        "latest_share": share.get(year),
        "chart_years": chart_block(
            f"chart-{slug}-years",
            charts.yearly_bars(
                yearly, category.name, summary_years, data.break_year, data.cover.missing_years, other, other_label
            ),
            f"{category.name} by year",
            summary_years,
            static=True,
        ),
        "table_years": html_table(
            f"table-{slug}-years",
            f"{category.name} by year",
            headers,
            with_gap_rows(
                table_rows, years, metrics.runs([y for y in data.cover.missing_years if y not in years]), year_run_label
            ),
            "lrrr" + ("r" if other is not None else ""),
        ),
        "other": other_note(data, other),
        "chart_months": chart_block(
            f"chart-{slug}-months",
            charts.monthly_line(
                monthly, "count", category.name, summary_months, data.break_month, data.cover.missing_month_runs
            ),
            f"{category.name} by month",
            summary_months,
        ),
        "table_months": html_table(
            f"table-{slug}-months",
            f"{category.name} by month",
            ["Month", category.name],
            with_gap_rows(
                [[r.month, fmt_int(r.count)] for r in monthly.itertuples()],
                list(monthly["month"]),
                data.cover.missing_month_runs,
                month_run_label,
            ),
            "lr",
        ),
        "rolling": None,
        "previous": None,
        "descriptions": None,
        "codes": codes[:CODES_SHOWN],
        "more_codes": max(0, len(codes) - CODES_SHOWN),
    }
    if len(rolling):
        last = rolling.iloc[-1]
        summary_rolling = (
            f"The 12-month rolling sum of {name}: each point adds up the 12 months ending that month. "
            f"For the 12 months to {month_name(last.month)} it was {int(last.rolling_12):,}."
        )
        context["rolling"] = {
            "chart": chart_block(
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
            "table": html_table(
                f"table-{slug}-rolling",
                f"{category.name}, 12-month rolling sum",
                ["12 months to", "Sum"],
                with_gap_rows(
                    [[r.month, fmt_int(r.rolling_12)] for r in rolling.itertuples()],
                    list(rolling["month"]),
                    data.cover.missing_month_runs,
                    month_run_label,
                ),
                "lr",
            ),
        }
    if len(yearly) > 1:
        before = yearly.iloc[-2]
        change = int(latest["count"]) - int(before["count"])
        context["previous"] = {
            "year": int(before.year),
            "count": int(before["count"]),
            "change": change,
            "direction": direction(change),
            "percent": fmt_percent(change / before["count"] * 100 if before["count"] else None),
            "comparable": data.cover.months_in(year) == data.cover.months_in(int(before.year)),
        }
    descriptions = metrics.top_descriptions(data.counted, slug, year)
    if len(descriptions):
        context["descriptions"] = md_table(
            ["Description as published", "Count"],
            [[row.description, fmt_int(row.count)] for row in descriptions.itertuples()],
            "lr",
        )
    return context


def other_yearly(data: SiteData, slug: str) -> pd.DataFrame | None:
    """The other source's yearly figures for a category (year, value, source, as_of), or None without any."""
    if data.other is None:
        return None
    series = data.other.series(slug)
    return series.assign(source=data.other.source.name) if len(series) else None


def other_note(data: SiteData, other: pd.DataFrame | None) -> dict | None:
    """What a page says about the other source under its yearly table."""
    if other is None:
        return None
    copies = sorted(set(other["as_of"]))
    return {
        "source": data.other.source,
        "description": escape.text(data.other.source.description, limit=None),
        "copies": ", ".join(copies[:-1]) + (" and " if len(copies) > 1 else "") + copies[-1],
    }


def year_page(data: SiteData, year: int) -> dict:
    annual = data.annual.set_index(["year", "category"])["count"]
    has_previous = year - 1 in data.cover.years

    def rows_for(categories: tuple[Category, ...], link: bool) -> list[list[object]]:
        rows = []
        for category in categories:
            current = annual.get((year, category.slug), 0)
            label = Markup(f"[{escape.text(category.name)}](../crimes/{category.slug}.md)") if link else category.name
            if has_previous:
                previous = annual.get((year - 1, category.slug), 0)
                if pd.isna(current) or pd.isna(previous):
                    rows.append([label, fmt_count(current), fmt_count(previous), "n/a", "n/a"])
                    continue
                pct = (current - previous) / previous * 100 if previous else None
                rows.append(
                    [label, fmt_int(current), fmt_int(previous), fmt_change(current - previous), fmt_percent(pct)]
                )
            else:
                rows.append([label, fmt_count(current)])
        return rows

    headers = ["Crime", str(year), str(year - 1), "Change", "% change"] if has_previous else ["Crime", str(year)]
    align = "lrrrr" if has_previous else "lr"
    part1 = pd.DataFrame(
        {"name": [c.name for c in data.part1], "count": [int(annual.get((year, c.slug), 0)) for c in data.part1]}
    )
    summary = (
        f"Part I crimes counted in {year}: "
        + ", ".join(
            f"{r.name.lower()} {int(r.count):,}" for r in part1.sort_values("count", ascending=False).itertuples()
        )
        + "."
    )
    month_rows = []
    monthly = data.monthly.set_index(["month", "category"])["count"]
    months = [m for m in data.cover.months if m.startswith(f"{year:04d}-")]
    for month in months:  # the month's name alone (the caption gives the year), so that the table is narrower
        month_rows.append(
            [MONTH_NAMES[int(month[5:]) - 1]] + [fmt_int(monthly.get((month, c.slug), 0)) for c in data.part1]
        )
    # The year's months from its first to its last in the range of the data: the missing ones say so.
    first, last = max(f"{year:04d}-01", data.cover.first), min(f"{year:04d}-12", data.cover.last)
    year_gaps = metrics.clipped_runs(data.cover.missing_month_runs, first, last)
    month_rows = with_gap_rows(month_rows, months, year_gaps, month_only_run_label, span=(first, last))
    return {
        "year": year,
        "era": data.cover.year_era(year),
        "previous_era": data.cover.year_era(year - 1) if has_previous else None,
        "months": data.cover.months_in(year),
        "missing": [month_name(m) for m in data.cover.missing if m.startswith(f"{year:04d}-")],
        "has_previous": has_previous,
        "previous_months": data.cover.months_in(year - 1),
        "chart": chart_block(
            f"chart-year-{year}", charts.category_bars(part1, summary), f"Part I crimes in {year}", summary, static=True
        ),
        "part1_table": md_data_table(f"Part I crimes in {year}", headers, rows_for(data.part1, True), align),
        "part1_total": fmt_int(part1["count"].sum()),
        "part2_table": md_table(headers, rows_for(data.part2, False), align),
        "months_table": html_table(
            f"table-year-{year}-months",
            f"Part I crimes by month, {year}",
            ["Month"] + [c.name for c in data.part1],
            month_rows,
            "l" + "r" * len(data.part1),
        ),
    }


def year_index(data: SiteData) -> Markup:
    annual = data.annual.set_index(["year", "category"])["count"]
    rows = []
    years = sorted(data.cover.years, reverse=True)
    for year in years:
        counts = [int(annual.get((year, c.slug), 0)) for c in data.part1]
        rows.append(
            [Markup(f"[{year}]({year}.md)"), data.cover.months_in(year), fmt_int(sum(counts))]
            + [fmt_int(n) for n in counts]
        )
    rows = with_gap_rows(rows, years, data.cover.missing_year_runs, year_run_label, descending=True)
    headers = ["Year", "Months in data", "Part I total"] + [c.name for c in data.part1]
    return md_table(headers, rows, "lrr" + "r" * len(data.part1))


def crime_index(data: SiteData) -> Markup:
    annual = data.annual.set_index(["year", "category"])["count"]
    year = data.latest_year
    rows = [
        [Markup(f"[{escape.text(c.name)}]({c.slug}.md)"), f"{c.ucr_class:02d}", fmt_int(annual.get((year, c.slug), 0))]
        for c in data.part1
    ]
    return md_table(["Crime", "UCR class", str(year)], rows, "lrr")


FILE_COLUMNS = ("File", "Layout", "Rows read", "Rows counted", "Net count", "Months", "Stands for", "BOM",
                "cp1252 bytes", "SHA-256 (start)")  # fmt: skip


def span_label(months: tuple[str, ...]) -> str:
    """The months a file stands for, as runs: '2024-01', '2021-01 to 2023-12' (a 36-month release is one span)."""
    ordinals = [pd.Period(month, freq="M").ordinal for month in sorted(months)]
    spans = [(metrics.month_of(first), metrics.month_of(last)) for first, last in metrics.runs(ordinals)]
    return ", ".join(month_run_label(first, last) for first, last in spans)


def quality_page(data: SiteData) -> dict:
    summary = metrics.quality_summary(data.incidents, data.config.places.neighborhood_numbers)
    files = [
        [
            f.name,
            f.layout,
            fmt_int(f.raw_rows),
            fmt_int(f.rows),
            fmt_int(f.count_sum),
            ", ".join(f.months),
            span_label(f.covers),
            "yes" if f.had_bom else "no",
            fmt_int(f.cp1252_bytes),
            f.sha256[:12],
        ]
        for f in data.files
    ]
    left_out = data.excluded.groupby("reason")["count"].sum() if len(data.excluded) else pd.Series(dtype="int64")
    return {
        "excluded_early": fmt_int(left_out.get(metrics.EARLY_NIBRS, 0)),
        "excluded_uncovered": fmt_int(left_out.get(metrics.UNCOVERED_MONTH, 0)),
        "excluded_after_file": fmt_int(left_out.get(metrics.AFTER_FILE, 0)),
        "after_file": after_file_table(data),
        "summary": md_table(
            ["What", "Rows", "Net count"],
            [[r.problem, fmt_int(r.rows), fmt_int(r.net_count)] for r in summary.itertuples()],
            "lrr",
        ),
        "files": html_table(
            "table-files",
            "Raw files read",
            list(FILE_COLUMNS),
            files,
            "llrrrlllrl",
        ),
        # As runs ("January 2021 to December 2023"): 36 month names one by one were cut off by the text limit.
        "missing": [month_name_run_label(first, last) for first, last in data.cover.missing_month_runs],
        "raw_rows": fmt_int(sum(f.raw_rows for f in data.files)),
        "rows": fmt_int(len(data.incidents)),
        "not_counted": fmt_int(sum(f.not_counted for f in data.files)),
        "files_count": len(data.files),
        "places_not_found": list(data.places.geography.not_found),
    }


def after_file_table(data: SiteData) -> Markup:
    """The rows left out for a date after their own release's last month: file, line, their month and the months
    the release stands for (empty when there are none). No offense and no place: the list only says where to look
    in the raw files."""
    if data.excluded.empty:
        return Markup("")
    after = data.excluded[data.excluded["reason"] == metrics.AFTER_FILE]
    after = after.assign(label=metrics.month_labels(after)).drop_duplicates(["source_file", "source_line"])
    releases = {f.name: month_name_run_label(min(f.covers), max(f.covers)) for f in data.files if f.covers}
    rows = [
        [name, str(int(row.source_line)), month_name(row.label), releases[name]]
        for row in after.sort_values(["source_file", "source_line"]).itertuples()
        for name in (str(row.source_file),)
    ]
    return md_table(["File", "Line", "Dated in", "Release for"], rows, "lrll") if rows else Markup("")


VERDICT_LABELS = {"matches": "Matches", "close": "Close", "differs": "Differs", "not checkable": "Not checkable"}


def format_figure(measure: str, value: float | None) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    if measure == "count":
        return f"{int(value):,}"
    if measure == "percent_change":
        return f"{value:+.1f}%"
    return f"{value:.1f}%"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def said_on_label(claim: claims_module.Claim) -> str:
    if not claim.said_on:
        return "date not recorded"
    return f"{claim.said_on} (approximate date)" if claim.said_on_approximate else claim.said_on


def vintage_note(data: SiteData, vintage: claims_module.Vintage) -> str:
    return f"matches {data.config.agency_short}'s count as of the {vintage.release} release ({vintage.value:,})"


def claims_page(data: SiteData) -> dict:
    """Each claim beside the raw files' figure and, when the site has one, the other source's: a verdict
    against each, never one figure made of both."""
    other = data.other
    rows = []
    for item in data.claims:
        claim = item.claim
        row = [claim.statement, format_figure(claim.measure, claim.figure),
               format_figure(claim.measure, item.computed), Markup(f"**{VERDICT_LABELS[item.verdict]}**")]  # fmt: skip
        why = sentence(item.reason)
        if item.vintage is not None:
            why += " " + sentence(vintage_note(data, item.vintage))
        if item.other is not None:
            row += [
                format_figure(claim.measure, item.other.computed),
                Markup(f"**{VERDICT_LABELS[item.other.verdict]}**"),
            ]
            why += " " + sentence(item.other.reason)
        rows.append([*row, escape.text(why, limit=None)])  # our own words and numbers: never cut short
    files = f"In {data.config.agency_short}'s files"
    headers = ["Claim", "Claimed", files, "Verdict"]
    if other is not None:
        headers += [other.source.label, "Verdict"]
    details = [
        {
            "claim": item.claim,
            "who": item.claim.who,
            "said_on": said_on_label(item.claim),
            "source": item.claim.source,
            "url": item.claim.url,
            "note": item.claim.note,
        }
        for item in data.claims
    ]
    counts = {verdict: sum(1 for item in data.claims if item.verdict == verdict) for verdict in VERDICT_LABELS}
    return {
        "table": md_table([*headers, "Why"], rows, "lrrl" + ("rl" if other is not None else "") + "l"),
        "details": details,
        "counts": counts,
        "other": other.source if other is not None else None,
        "other_description": escape.text(other.source.description, limit=None) if other is not None else None,
        "count_close_percent": f"{claims_module.COUNT_CLOSE_SHARE * 100:g}",
        "percent_tolerance": claims_module.PERCENT_TOLERANCE,
        "share_tolerance": claims_module.SHARE_TOLERANCE,
        "partial_share_minimum": claims_module.PARTIAL_SHARE_MINIMUM,
    }


def goal_measure(data: SiteData, goal, measure: str) -> dict:
    """Baseline, target path and actual figures for one measure of a goal. The baseline is the raw files' count
    for the whole baseline year; failing that, the other source's figure; failing that, the City's own."""
    yearly = data.annual.groupby(["year", "category"])["count"].sum()
    shootings = data.shootings.assign(year=data.shootings["month"].str[:4].astype(int))
    other = data.other

    def actual(year: int) -> int | None:
        if data.cover.months_in(year) == 0:
            return None
        if measure == "shootings":
            rows = shootings[shootings["year"] == year]
            return None if rows["shootings"].isna().any() else int(rows["shootings"].sum())
        return int(yearly.get((year, measure), 0))

    def other_value(year: int) -> int | None:
        found = other.figure(measure, year) if other is not None else None
        return found.value if found is not None else None

    baseline = actual(goal.baseline_year) if data.cover.is_complete(goal.baseline_year) else None
    baseline_source = "computed from the data" if baseline is not None else None
    lacking = (
        f"{data.config.agency_short}'s files in this build hold {data.cover.months_in(goal.baseline_year)} of the 12 "
        f"months of {goal.baseline_year}, and a part of a year is no baseline"
    )
    if baseline is None and other_value(goal.baseline_year) is not None:
        found = other.figure(measure, goal.baseline_year)
        baseline = found.value
        baseline_source = f"the {other.source.label} figure (copy of {found.as_of}), because {lacking}"
    if baseline is None and measure != "shootings":
        official = [c.claim for c in data.claims if c.claim.measure == "count" and c.claim.category == measure
                    and c.claim.year == goal.baseline_year]  # fmt: skip
        if official:
            baseline = int(official[0].figure)
            baseline_source = f"the City's published figure ({official[0].statement}), because {lacking}"
    target = round(baseline * (1 - goal.reduction_percent / 100)) if baseline is not None else None
    rows = []
    span = goal.target_year - goal.baseline_year

    def path_at(year: int) -> float:
        return baseline - (baseline - target) * (year - goal.baseline_year) / span

    for year in range(goal.baseline_year, goal.target_year + 1):
        value = actual(year)
        row = [str(year), "n/a" if baseline is None else f"{path_at(year):,.0f}",
               "n/a" if value is None else f"{value:,}", f"{data.cover.months_in(year)}"]  # fmt: skip
        if other is not None:
            found = other_value(year)
            row.append("n/a" if found is None else f"{found:,}")
        rows.append(row)
    complete = [year for year in range(goal.baseline_year + 1, goal.target_year + 1) if data.cover.is_complete(year)]
    gap = None
    if baseline is not None and complete:
        year = complete[-1]
        gap = {"year": year, "actual": actual(year), "path": round(path_at(year))}
    other_years = [
        year for year in range(goal.baseline_year + 1, goal.target_year + 1) if other_value(year) is not None
    ]
    other_gap = None
    if baseline is not None and other_years:
        year = other_years[-1]
        other_gap = {"year": year, "actual": other_value(year), "path": round(path_at(year))}
    name = {"shootings": "Shootings"}.get(measure) or next(c.name for c in data.categories if c.slug == measure)
    headers = ["Year", "On the path to the goal", f"In {data.config.agency_short}'s files", "Months in data"]
    return {
        "name": name,
        "baseline": baseline,
        "baseline_source": baseline_source,
        "target": target,
        "gap": gap,
        "other_gap": other_gap,
        "other_has_none": other is not None and not other_years and other_value(goal.baseline_year) is None,
        "table": md_table(
            headers + ([other.source.label] if other is not None else []), rows, "lrrr" + "r" * (other is not None)
        ),
    }


def goals_page(data: SiteData) -> list[dict]:
    return [
        {
            "goal": goal,
            "said_on": (f"{goal.said_on} (approximate date)" if goal.said_on_approximate else goal.said_on),
            "measures": [goal_measure(data, goal, measure) for measure in goal.measures],
        }
        for goal in data.config.goals
    ]


def shootings_page(data: SiteData) -> dict:
    table = data.shootings
    frame = table[["month", "assaults"]].rename(columns={"assaults": "count"})
    frame["segment"] = metrics.segments(frame["month"], data.cover)
    summary = (
        f"Aggravated assaults with a firearm by month, {month_name(data.cover.first)} to {month_name(data.cover.last)}"
        + (f"; the reporting system changed in {month_name(data.cover.methods_break)}" if data.break_month else "")
        + "."
        + gap_sentence(data.cover.missing_month_runs, month_name_run_label, data.cover.first, data.cover.last)
    )
    rows = [
        [r.month, fmt_int(r.assaults), "n/a" if pd.isna(r.homicides) else fmt_int(r.homicides),
         "n/a" if pd.isna(r.shootings) else fmt_int(r.shootings), r.era.upper()]
        for r in table.itertuples()
    ]  # fmt: skip
    return {
        "chart": chart_block(
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
            static=True,
        ),
        "table": html_table(
            "table-shootings",
            "Shootings by month",
            ["Month", "Aggravated assaults with a firearm", "Homicides with a firearm", "Shootings", "Era"],
            with_gap_rows(rows, list(table["month"]), data.cover.missing_month_runs, month_run_label),
            "lrrrl",
        ),
        "has_legacy": (table["era"] == "ucr").any(),
    }


def offense_code_table(data: SiteData) -> Markup:
    """The generic CSV reader's code table: each offense code, its UCR class and category."""
    names = {c.ucr_class: c.name for c in data.categories}
    rows = [
        [as_code(offense_code), "" if ucr_class is None else f"{ucr_class:02d}",
         "not counted" if ucr_class is None else names[ucr_class]]
        for offense_code, ucr_class in sorted(data.offense_codes.items())
    ]  # fmt: skip
    return md_table(["Offense code", "UCR class", "Category"], rows, "lll")


def repository_path(path: Path) -> str:
    """A configured file as the repository names it (relative to its root), else its name."""
    return path.relative_to(paths.ROOT).as_posix() if path.is_relative_to(paths.ROOT) else path.name


def methodology_page(data: SiteData) -> dict:
    csv = data.config.reader.csv
    since = data.config.geography.districts_since
    return {
        "categories": category_table(data),
        "cover": data.cover,
        "codes": offense_code_table(data) if csv else None,
        "code_file": repository_path(csv.offense_codes) if csv else None,
        "categories_file": repository_path(data.config.categories),
        "districts_since": month_name(since) if since else None,
    }


def category_table(data: SiteData) -> Markup:
    rows = [[f"{c.ucr_class:02d}", c.slug, c.name, f"Part {'I' if c.part == 1 else 'II'}"] for c in data.categories]
    return md_table(["UCR class", "Slug", "Name", "Part"], rows, "llll")


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


STEP_WORDS = {1: "one release", 2: "two releases", 3: "three releases"}


def completeness_sentence(data: SiteData) -> str:
    """How complete a month's Part I count usually is after one, two and three releases, measured on the data."""
    found = revisions.completeness(data.revisions, [c.slug for c in data.part1])
    if not found:
        return ("No month counted first by a one-month release has had a later release yet, so how complete a "
                "first count is cannot be measured on this data yet.")  # fmt: skip
    parts = [f"after {STEP_WORDS[c.releases]}, {c.percent:.1f}% (measured on {plural(c.months, 'month')})"
             for c in found]  # fmt: skip
    return (
        "Measured on this data, a month's Part I count as a share of its count in the latest release, on average: "
        + "; ".join(parts)
        + "."
    )


def release_changes(data: SiteData, rank: int) -> dict:
    """What one release changed: the months it was the first to count, and the changes to the others."""
    names = {c.slug: c.name for c in data.categories}
    release = data.revisions.releases[rank]
    changes = revisions.changes_at(data.revisions, rank)
    rows = [[month_name(c.month), names[c.category], fmt_int(c.before), fmt_int(c.after), fmt_change(c.change)]
            for c in changes]  # fmt: skip
    months = sorted({c.month for c in changes})
    return {
        "label": release.label,
        "file": release.name,
        "first": rank == 0,
        "new_months": [month_name(month) for month in revisions.new_months(data.revisions, rank)],
        "changed_months": [month_name(month) for month in months],
        "count": len(changes),
        "table": md_table(["Month", "Crime", "Before", "After", "Change"], rows, "llrrr") if rows else None,
    }


def revision_chart(data: SiteData, category: Category, months: list[str]) -> dict:
    """One Part I crime: each charted month's count as of each release, as a chart with its summary and table."""
    frame = revisions.growth(data.revisions, category.slug, months)
    releases = list(dict.fromkeys(frame.sort_values("rank")["release"]))
    frame = frame.assign(month_name=frame["month"].map(month_name))
    summary = (
        f"{category.name} in each month as each release counted it. "
        + " ".join(
            f"{month_name(month)}: " + ", ".join(f"{int(r.count):,} in the {r.release} release"
                                                 for r in rows.itertuples()) + "."
            for month, rows in frame.groupby("month", sort=True)
        )
    )  # fmt: skip
    wide = frame.pivot(index="month", columns="release", values="count").reindex(columns=releases)
    rows = [[month_name(month)] + ["" if pd.isna(value) else fmt_int(value) for value in values]
            for month, values in zip(wide.index, wide.to_numpy().tolist(), strict=True)]  # fmt: skip
    return {
        "category": category,
        "chart": chart_block(
            f"chart-revisions-{category.slug}",
            charts.revision_lines(frame, releases, category.name, summary),
            f"{category.name}: counts of each month, release by release",
            summary,
            static=True,
        ),
        "table": html_table(
            f"table-revisions-{category.slug}",
            f"{category.name}: each month's count as of each release (empty: not yet released)",
            ["Month", *(f"{label} release" for label in releases)],
            rows,
            "l" + "r" * len(releases),
        ),
    }


def revisions_page(data: SiteData) -> dict:
    history = data.revisions
    latest = history.latest_ranks(revisions.LATEST_SHOWN)
    months = revisions.growth_months(history)
    return {
        "releases": [release.label for release in history.releases],
        "latest": [release_changes(data, rank) for rank in latest],
        "charts": [revision_chart(data, category, months) for category in data.part1] if months else [],
        "charted_months": [month_name(month) for month in months],
        "completeness": escape.text(completeness_sentence(data), limit=None),  # our own words: never cut short
    }


# ----- rendering -----------------------------------------------------------------------------------


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(paths.TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=lambda value: escape.text(value) if isinstance(value, str) else value,
    )
    env.filters.update(n=fmt_int, change=fmt_change, percent=fmt_percent, code=as_code)
    return env


def renderer(data: SiteData) -> Callable[..., str]:
    """A function rendering a template with the context every page shares and the page's own."""
    env = environment()
    methods_break = data.config.methods_break
    common = {
        "site": data.config,
        # SLMPD's own wording (its files, FAQ and history) is for its reader; any other reader gets neutral text.
        "slmpd": data.config.reader.format == "slmpd",
        "columns": data.config.reader.csv.columns if data.config.reader.csv else None,
        "methods_break": month_name(methods_break) if methods_break else None,
        "data_through": month_name(data.cover.last),
        "first_month": month_name(data.cover.first),
        # The months no file stands for, as runs ("January 2021 to December 2023"): a span is never read as whole.
        "missing_runs": [month_name_run_label(first, last) for first, last in data.cover.missing_month_runs],
        "sample": data.sample,
        "files_count": len(data.files),
        "monthly_files": all(len(f.covers) <= 1 for f in data.files),  # none stands for a span (2021-2023.csv)
    }

    def render(template: str, **context: object) -> str:
        return env.get_template(template).render(**common, **context)

    return render


def render_pages(data: SiteData) -> dict[str, str]:
    """The citywide pages: their paths under docs/ and their Markdown."""
    render = renderer(data)
    pages = {
        "index.md": render(
            "home.md.j2",
            headline=headline(data),
            homicides=homicide_trend(data),
            part1=data.part1,
            releases_so_far=releases_so_far(data),
        ),
        "crimes/index.md": render("crimes.md.j2", table=crime_index(data), latest_year=data.latest_year),
        "years/index.md": render("years.md.j2", table=year_index(data)),
        "methodology.md": render("methodology.md.j2", **methodology_page(data)),
        "data-quality.md": render("data_quality.md.j2", quality=quality_page(data)),
        "claims.md": render("claims.md.j2", claims=claims_page(data), claims_file=repository_path(data.config.claims)),
        "goals.md": render(
            "goals.md.j2", goals=goals_page(data), other_label=data.other.source.label if data.other else ""
        ),
        "shootings.md": render("shootings.md.j2", **shootings_page(data)),
        "about.md": render("about.md.j2"),
    }
    if data.revisions is not None:
        pages["revisions.md"] = render("revisions.md.j2", **revisions_page(data))
    for category in data.part1:
        pages[f"crimes/{category.slug}.md"] = render("crime.md.j2", **crime_page(data, category))
    for year in data.cover.years:
        pages[f"years/{year}.md"] = render("year.md.j2", **year_page(data, year))
    return pages


def navigation(data: SiteData) -> list:
    """The site navigation, for the generated MkDocs configuration."""
    return [
        {"Home": "index.md"},
        {"Crimes": ["crimes/index.md"] + [{nav_title(c.name): f"crimes/{c.slug}.md"} for c in data.part1]},
        {"Years": ["years/index.md"] + [{str(y): f"years/{y}.md"} for y in sorted(data.cover.years, reverse=True)]},
        {"Shootings": "shootings.md"},
        {"Claims vs data": "claims.md"},
        {"Goal tracker": "goals.md"},
        {"Methodology": "methodology.md"},
        {
            "Data": [
                {"Downloads": "downloads/index.md"},
                {"Data dictionary": "downloads/dictionary.md"},
                {"Data quality": "data-quality.md"},
                *([{"Revisions": "revisions.md"}] if data.revisions is not None else []),
            ]
        },
        {"About": "about.md"},
        {"Fork this site": "fork.md"},
    ]
