"""The place pages: districts, neighborhoods and the weekly reports (their maps: place_maps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from crimesite import charts, escape, months
from crimesite.page_blocks import Charted, Link, MdTable, Sortable, TitledTables, chart_block, html_table, md_table
from crimesite.page_format import (
    coverage_label,
    fmt_change,
    fmt_int,
    gap_sentence,
    nav_title,
    with_gap_rows,
    year_run_label,
)
from crimesite.place_format import (
    WeekContext,
    count_text,
    neighborhood_path,
    rate_text,
    sortable,
    week_context,
    weekly_table,
)
from crimesite.place_maps import district_map, maps_page, recent_map
from crimesite.placemetrics import UNKNOWN_LABEL, PlaceData
from crimesite.places import UNKNOWN, Neighborhood
from crimesite.sitedata import SiteData
from crimesite.static_charts import Charts


@dataclass(frozen=True)
class PlaceComparison:
    """The latest year's Part I counts for one place against the year before."""

    latest: int
    previous: int | None  # None: the data has no year before
    partial: bool
    months: int  # months of the latest year in the data
    crosses_break: bool
    total: int
    table: MdTable


def latest_comparison(data: SiteData, annual: pd.DataFrame) -> PlaceComparison:
    """The latest year's Part I counts for one place (`annual`: its rows only) against the year before."""
    years = sorted(int(y) for y in annual["year"].unique())
    rows = annual.set_index(["year", "category"])["count"]
    latest = years[-1]
    previous = latest - 1 if latest - 1 in years else None
    table_rows = []
    for category in data.part1:
        current = int(rows.get((latest, category.slug), 0))
        row = [Link(escape.text(category.name), f"../crimes/{category.slug}.md"), fmt_int(current)]
        if previous is not None:
            before = int(rows.get((previous, category.slug), 0))
            row += [fmt_int(before), fmt_change(current - before)]
        table_rows.append(row)
    total_now = int(sum(rows.get((latest, c.slug), 0) for c in data.part1))
    total_rows = ["**All Part I crimes**", fmt_int(total_now)]
    if previous is not None:
        total_before = int(sum(rows.get((previous, c.slug), 0) for c in data.part1))
        total_rows += [
            fmt_int(total_before),
            fmt_change(total_now - total_before),
        ]
    table_rows.append(total_rows)
    headers = ["Crime", f"{latest}"] + ([f"{previous}", "Change"] if previous is not None else [])
    partial = not data.cover.is_complete(latest)
    return PlaceComparison(
        latest=latest,
        previous=previous,
        partial=partial,
        months=data.cover.months_in(latest),
        crosses_break=previous is not None and data.cover.year_era(latest) != data.cover.year_era(previous),
        total=total_now,
        table=md_table(headers, table_rows, "lr" + ("rr" if previous is not None else "")),
    )


def place_trend(data: SiteData, figures: Charts, rows: pd.DataFrame, chart_id: str, label: str) -> Charted:
    """Part I crimes by year for one place (`rows`: its rows only): a chart and a table by category."""
    by_year = rows.groupby("year", as_index=False)["count"].sum()
    by_year["coverage"] = [coverage_label(data, int(y)) for y in by_year["year"]]
    wide = rows.pivot(index="year", columns="category", values="count")
    summary = (
        f"Part I crimes in {label} each year: "
        + ", ".join(f"{int(r.year)}: {int(r.count):,}" for r in by_year.itertuples())
        + "."
        + gap_sentence(
            data.cover.missing_year_runs, year_run_label, int(by_year["year"].min()), int(by_year["year"].max())
        )
    )
    totals = by_year.set_index("year")["count"]
    table_rows = with_gap_rows(
        [
            [int(year), fmt_int(totals[year])] + [fmt_int(values[c.slug]) for c in data.part1]
            for year, values in zip(wide.index, wide.to_dict(orient="records"), strict=True)
        ],
        [int(year) for year in wide.index],
        data.cover.missing_year_runs,
        year_run_label,
    )
    return Charted(
        chart=chart_block(
            figures,
            f"chart-{chart_id}-years",
            charts.yearly_bars(by_year, "Part I crimes", summary, data.break_year, data.cover.missing_years),
            f"Part I crimes by year in {label}",
            summary,
        ),
        table=html_table(
            f"table-{chart_id}-years",
            f"Part I crimes by year in {escape.text(label)}",
            ["Year", "Part I total"] + [escape.text(c.name) for c in data.part1],
            table_rows,
            "lr" + "r" * len(data.part1),
        ),
    )


def crime_mix(
    data: SiteData, figures: Charts, place_rows: pd.DataFrame, year: int, chart_id: str, label: str
) -> Charted:
    rows = place_rows[place_rows["year"] == year].set_index("category")["count"]
    frame = pd.DataFrame(
        {"name": [c.name for c in data.part1], "count": [int(rows.get(c.slug, 0)) for c in data.part1]}
    )
    total = int(frame["count"].sum())
    ordered = frame.sort_values(["count", "name"], ascending=[False, True])
    summary = (
        f"Part I crimes in {label} in {year}: "
        + ", ".join(f"{r.name.lower()} {int(r.count):,}" for r in ordered.itertuples())
        + "."
    )
    return Charted(
        chart=chart_block(
            figures, f"chart-{chart_id}-mix", charts.category_bars(frame, summary), f"Crime mix, {year}", summary
        ),
        table=html_table(
            f"table-{chart_id}-mix",
            f"Part I crimes in {escape.text(label)} in {year}, by crime",
            ["Crime", "Crimes", "Share (%)"],
            [
                [escape.text(r.name), fmt_int(r.count), f"{r.count / total * 100:.1f}" if total else "n/a"]
                for r in ordered.itertuples()
            ],
            "lrr",
        ),
    )


@dataclass(frozen=True)
class NeighborhoodIndex:
    """neighborhoods.md.j2: every neighborhood with its counts and rate."""

    table: Sortable
    rate_year: int
    rate_months: int
    latest: int
    latest_partial: bool
    city_rate_year: int
    city_latest: int
    unknown_rate_year: int
    count: int
    residential: int
    parks: int
    from_table: bool
    population_year: int | None
    min_population: int


@dataclass(frozen=True)
class NeighborhoodPage:
    """neighborhood.md.j2: one neighborhood."""

    place: Neighborhood
    district_link: str | None
    has_rate: bool  # only places with a counted population have one
    rate: str
    rank: int | None
    rated_count: int
    rate_year: int
    rate_months: int
    population_year: int | None
    min_population: int
    from_table: bool
    comparison: PlaceComparison
    trend: Charted
    mix: Charted
    weekly: TitledTables
    week: WeekContext


@dataclass(frozen=True)
class DistrictIndex:
    """districts.md.j2: every district with its counts, and the map."""

    table: Sortable
    since: str | None
    district_count: int
    rate_year: int
    first_year: int | None
    map: dict


@dataclass(frozen=True)
class DistrictPage:
    """district.md.j2: one police district."""

    number: int
    since: str | None
    district_count: int
    comparison: PlaceComparison
    trend: Charted
    mix: Charted
    rate: str
    rate_year: int
    rate_months: int
    population: int | None
    neighborhoods: list[dict]  # name (escaped) and link of each of its neighborhoods
    weekly: TitledTables
    week: WeekContext


@dataclass(frozen=True)
class WeeklyPage:
    """weekly.md.j2: the weekly report, citywide (district None) or for one district."""

    district: int | None
    districts: tuple[int, ...]
    table: TitledTables
    week: WeekContext


def neighborhood_index(data: SiteData, places: PlaceData) -> NeighborhoodIndex:
    geography = places.geography
    annual = places.neighborhood_annual
    latest = int(annual["year"].max())
    totals = annual.groupby(["year", "place"])["count"].sum()
    city = annual.groupby("year")["count"].sum()
    return NeighborhoodIndex(
        table=neighborhood_table(places, totals, latest),
        rate_year=places.rate_year,
        rate_months=data.cover.months_in(places.rate_year),
        latest=latest,
        latest_partial=not data.cover.is_complete(latest),
        city_rate_year=int(city[places.rate_year]),
        city_latest=int(city[latest]),
        unknown_rate_year=int(totals.get((places.rate_year, UNKNOWN), 0)),
        count=len(geography.neighborhoods),
        residential=sum(1 for n in geography.neighborhoods if not n.park),
        parks=sum(1 for n in geography.neighborhoods if n.park),
        from_table=geography.from_table,
        population_year=geography.population_year,
        min_population=geography.min_population,
    )


def neighborhood_table(places: PlaceData, totals: pd.Series, latest: int) -> Sortable:
    """Every neighborhood's residents, Part I count and rate in the rate year, and its count in the latest year
    (`totals`: Part I count by year and place), the incidents of no known place last; the latest year's column
    only when it is not the rate year."""
    rates = places.neighborhood_rates
    part1 = rates[rates["category"] == "part1"].set_index("place")
    rows = [
        neighborhood_row(place, part1, totals, places.rate_year, latest) for place in places.geography.neighborhoods
    ]
    rows.append(
        [
            0,
            UNKNOWN_LABEL,
            "n/a",
            "n/a",
            fmt_int(totals.get((places.rate_year, UNKNOWN), 0)),
            "n/a",
            "n/a",
            fmt_int(totals.get((latest, UNKNOWN), 0)),
        ]
    )
    headers = [
        "No.",
        "Neighborhood",
        "District",
        "Residents",
        f"Part I {places.rate_year}",
        "Per 1,000",
        "Rank",
        f"Part I {latest}",
    ]
    if latest == places.rate_year:
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return sortable(md_table(headers, rows, "rlrrrrr" + ("r" if len(headers) == 8 else "")))


def neighborhood_row(
    place: Neighborhood, part1: pd.DataFrame, totals: pd.Series, rate_year: int, latest: int
) -> list[object]:
    """A neighborhood's row of the index, linked to its page (`part1`: Part I rate and rank by place)."""
    rate = part1["rate"].get(place.number)
    rank = part1["rank"].get(place.number)
    return [
        place.number,
        Link(escape.text(place.name), f"{place.slug}.md"),
        "n/a" if place.district is None else place.district,
        "park or other area" if place.park else ("n/a" if place.population is None else fmt_int(place.population)),
        fmt_int(totals.get((rate_year, place.number), 0)),
        rate_text(rate),
        "n/a" if rank is None or pd.isna(rank) else int(rank),
        fmt_int(totals.get((latest, place.number), 0)),
    ]


def neighborhood_page(
    data: SiteData, figures: Charts, places: PlaceData, place: Neighborhood, annual: pd.DataFrame
) -> NeighborhoodPage:
    rates = places.neighborhood_rates
    mine = rates[(rates["place"] == place.number) & (rates["category"] == "part1")]
    rated = rates[(rates["category"] == "part1") & rates["rate"].notna()]
    rate = mine["rate"].iloc[0] if len(mine) else None
    rank = mine["rank"].iloc[0] if len(mine) else None
    label = place.name
    comparison = latest_comparison(data, annual)
    return NeighborhoodPage(
        place=place,
        district_link=None if place.district is None else f"../districts/{place.district}.md",
        has_rate=rate is not None and not pd.isna(rate),  # only places with a counted population have one
        rate=rate_text(rate),
        rank=None if rank is None or pd.isna(rank) else int(rank),
        rated_count=len(rated),
        rate_year=places.rate_year,
        rate_months=data.cover.months_in(places.rate_year),
        population_year=places.geography.population_year,
        min_population=places.geography.min_population,
        from_table=places.geography.from_table,
        comparison=comparison,
        trend=place_trend(data, figures, annual, f"n{place.number}", label),
        mix=crime_mix(data, figures, annual, comparison.latest, f"n{place.number}", label),
        weekly=weekly_table(data, places.weekly_neighborhoods, place.number),
        week=week_context(data, places),
    )


def district_index(data: SiteData, figures: Charts, places: PlaceData) -> DistrictIndex:
    annual = places.district_annual
    latest = int(annual["year"].max())
    totals = annual.groupby(["year", "place"])["count"].sum()
    part1 = places.district_rates[places.district_rates["category"] == "part1"].set_index("place")
    rows = []
    for number in places.geography.districts:
        rows.append(
            [
                Link(f"District {number}", f"{number}.md"),
                count_text(part1["population"].get(number)),
                fmt_int(totals.get((places.rate_year, number), 0)),
                rate_text(part1["rate"].get(number)),
                fmt_int(totals.get((latest, number), 0)),
            ]
        )
    rows.append(
        [
            UNKNOWN_LABEL,
            "n/a",
            fmt_int(totals.get((places.rate_year, UNKNOWN), 0)),
            "n/a",
            fmt_int(totals.get((latest, UNKNOWN), 0)),
        ]
    )
    headers = ["District", "Residents (approx.)", f"Part I {places.rate_year}", "Per 1,000", f"Part I {latest}"]
    if latest == places.rate_year:
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return DistrictIndex(
        table=sortable(md_table(headers, rows, "lrrr" + ("r" if len(headers) == 5 else ""))),
        since=months.label(places.districts_since) if places.districts_since else None,
        district_count=len(places.geography.districts),
        rate_year=places.rate_year,
        first_year=int(annual["year"].min()) if len(annual) else None,
        map=district_map(data, figures, places),
    )


def district_page(data: SiteData, figures: Charts, places: PlaceData, number: int) -> DistrictPage:
    annual = places.district_annual[places.district_annual["place"] == number]
    label = f"District {number}"
    comparison = latest_comparison(data, annual)
    part1 = places.district_rates[places.district_rates["category"] == "part1"].set_index("place")
    members = [n for n in places.geography.neighborhoods if n.district == number]
    return DistrictPage(
        number=number,
        since=months.label(places.districts_since) if places.districts_since else None,
        district_count=len(places.geography.districts),
        comparison=comparison,
        trend=place_trend(data, figures, annual, f"d{number}", label),
        mix=crime_mix(data, figures, annual, comparison.latest, f"d{number}", label),
        rate=rate_text(part1["rate"].get(number)),
        rate_year=places.rate_year,
        rate_months=data.cover.months_in(places.rate_year),
        population=None if pd.isna(population := part1["population"].get(number)) else int(population),
        neighborhoods=[{"name": escape.text(n.name), "link": f"../{neighborhood_path(n)}"} for n in members],
        weekly=weekly_table(data, places.weekly_districts, number),
        week=week_context(data, places),
    )


def weekly_page(data: SiteData, places: PlaceData, district: int | None) -> WeeklyPage:
    if district is None:
        table = weekly_table(data, places.weekly_city, "all")
    else:
        table = weekly_table(data, places.weekly_districts, district)
    return WeeklyPage(
        district=district,
        districts=places.geography.districts,
        table=table,
        week=week_context(data, places),
    )


def render_place_pages(data: SiteData, figures: Charts, render: Callable[..., str]) -> dict[str, str]:
    """The place pages: their paths under docs/ and their Markdown."""
    places = data.places
    pages = {
        "neighborhoods/index.md": render("neighborhoods.md.j2", neighborhood_index(data, places)),
        "districts/index.md": render("districts.md.j2", district_index(data, figures, places)),
        "weekly/index.md": render("weekly.md.j2", weekly_page(data, places, None)),
        "maps/index.md": render("maps.md.j2", **maps_page(data, figures, places)),
        "maps/recent.md": render("recent.md.j2", **recent_map(data, figures, places)),
    }
    by_place = dict(tuple(places.neighborhood_annual.groupby("place")))
    for place in places.geography.neighborhoods:
        context = neighborhood_page(data, figures, places, place, by_place[place.number])
        pages[neighborhood_path(place)] = render("neighborhood.md.j2", context)
    for number in places.geography.districts:
        pages[f"districts/{number}.md"] = render("district.md.j2", district_page(data, figures, places, number))
        pages[f"weekly/district-{number}.md"] = render("weekly.md.j2", weekly_page(data, places, number))
    return pages


def place_navigation(places: PlaceData) -> list:
    geography = places.geography
    groups: dict[str, list] = {}
    for place in geography.neighborhoods:
        group = f"District {place.district}" if place.district is not None else "District not known"
        groups.setdefault(group, []).append({nav_title(place.name): neighborhood_path(place)})
    return [
        {"Districts": ["districts/index.md"] + [{f"District {d}": f"districts/{d}.md"} for d in geography.districts]},
        {"Neighborhoods": ["neighborhoods/index.md"] + [{group: groups[group]} for group in sorted(groups)]},
        {
            "Weekly report": ["weekly/index.md"]
            + [{f"District {d}": f"weekly/district-{d}.md"} for d in geography.districts]
        },
        {"Maps": ["maps/index.md", {"Last 28 days": "maps/recent.md"}]},
    ]
