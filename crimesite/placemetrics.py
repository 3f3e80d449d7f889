"""Counts by place: neighborhoods and districts by year, rates per 1,000 residents, the weekly reports and
the block-level points of the incident map. DataFrame in, DataFrame out; no I/O."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimesite import metrics, privacy, weekly
from crimesite.places import UNKNOWN, Geography
from crimesite.reference import Category

MAP_DAYS = 28
UNKNOWN_LABEL = "Unknown location"  # the place 0: crimes without a usable neighborhood or district


@dataclass(frozen=True)
class PlaceData:
    geography: Geography
    districts_since: str | None  # YYYY-MM: the first month of the district map in use; None: one map throughout
    neighborhood_annual: pd.DataFrame  # year, place, category, count (place 0: unknown location)
    district_annual: pd.DataFrame  # the same, from districts_since on
    rate_year: int  # the year rates and ranks are for: the latest whole year
    neighborhood_rates: pd.DataFrame  # place, category (or "part1"), count, population, rate, rank
    district_rates: pd.DataFrame
    week_start: pd.Timestamp
    week_end: pd.Timestamp
    weekly_city: pd.DataFrame  # weekly.report for place "all"
    weekly_districts: pd.DataFrame
    weekly_neighborhoods: pd.DataFrame
    weekly_series: pd.DataFrame  # week_start, district, category, count: the latest 52 weeks
    recent_points: pd.DataFrame  # x, y, category, block, n: the map's last 28 days, by block
    block_positions: pd.DataFrame  # block -> longitude, latitude: privacy.block_positions, once per build
    coded_share: float | None  # percent of a month's last-week crimes coded within that month (legacy)


def place_data(
    counted: pd.DataFrame,
    incidents: pd.DataFrame,
    categories: tuple[Category, ...],
    cover: metrics.Coverage,
    geography: Geography,
    districts_since: str | None,
) -> PlaceData:
    part1 = [c for c in categories if c.part == 1]
    slugs = [c.slug for c in part1]
    neighborhoods = [UNKNOWN, *(n.number for n in geography.neighborhoods)]
    districts = [UNKNOWN, *geography.districts]
    neighborhood_annual = metrics.place_annual(counted, slugs, list(cover.years), "neighborhood", neighborhoods)
    district_annual = metrics.place_annual(
        counted, slugs, list(cover.years), "district", districts, since=districts_since
    )
    complete = [year for year in cover.years if cover.is_complete(year)]
    rate_year = complete[-1] if complete else cover.years[-1]
    city = weekly.daily_counts(counted, None, slugs)
    by_district = weekly.daily_counts(counted, "district", slugs, since=districts_since)
    by_neighborhood = weekly.daily_counts(counted, "neighborhood", slugs)
    series = pd.concat(
        [
            weekly.weekly_series(city, cover, ["all"], slugs),
            weekly.weekly_series(by_district, cover, districts, slugs),
        ]
    ).rename(columns={"place": "district"})
    start, end = weekly.week_dates(cover)
    positions = privacy.block_positions(incidents)
    return PlaceData(
        geography=geography,
        districts_since=districts_since,
        neighborhood_annual=neighborhood_annual,
        district_annual=district_annual,
        rate_year=rate_year,
        neighborhood_rates=rates(neighborhood_annual, rate_year, neighborhood_population(geography)),
        district_rates=rates(district_annual, rate_year, district_population(geography)),
        week_start=pd.Timestamp(start),
        week_end=pd.Timestamp(end),
        weekly_city=weekly.report(city, cover, ["all"], slugs),
        weekly_districts=weekly.report(by_district, cover, districts, slugs, since=districts_since),
        weekly_neighborhoods=weekly.report(by_neighborhood, cover, neighborhoods, slugs),
        weekly_series=series.reset_index(drop=True),
        recent_points=recent_points(counted, positions, part1, cover),
        block_positions=positions,
        coded_share=weekly.coded_by_month_end(counted, cover),
    )


def neighborhood_population(geography: Geography) -> dict[int, int]:
    """Residents of each neighborhood that gets a rate (not parks, not below the minimum population)."""
    return {n.number: int(n.population) for n in geography.neighborhoods if geography.has_rate(n)}


def district_population(geography: Geography) -> dict[int, int]:
    """Residents of each district, adding up the neighborhoods assigned to it (each wholly to the district
    it mostly lies in, so the figure is approximate). Empty without a neighborhood table."""
    if not geography.from_table:
        return {}
    totals: dict[int, int] = {}
    for place in geography.neighborhoods:
        if place.district is not None and place.population is not None:
            totals[place.district] = totals.get(place.district, 0) + int(place.population)
    return {district: people for district, people in totals.items() if people >= geography.min_population}


def rates(annual: pd.DataFrame, year: int, population: dict[int, int]) -> pd.DataFrame:
    """place, category (each Part I category and `part1`), count, population, rate per 1,000 residents and
    rank by rate (1 = highest) for one year. Places without a population have no rate and no rank; the
    unknown location (0) is left out."""
    rows = annual[(annual["year"] == year) & (annual["place"] != UNKNOWN)]
    if rows.empty:
        return pd.DataFrame(columns=["place", "category", "count", "population", "rate", "rank"])
    total = rows.groupby("place", as_index=False)["count"].sum().assign(category="part1")
    table = pd.concat([rows[["place", "category", "count"]], total], ignore_index=True)
    table["population"] = table["place"].map(population).astype("Int64")
    table["rate"] = (table["count"] / table["population"].astype("Float64") * 1000).round(1)
    table["rank"] = table.groupby("category")["rate"].rank(method="min", ascending=False).astype("Int64")
    return table.sort_values(["category", "place"]).reset_index(drop=True)


def recent_points(
    counted: pd.DataFrame, positions: pd.DataFrame, part1: list[Category], cover: metrics.Coverage
) -> pd.DataFrame:
    """The last 28 days of crimes (ending with the weekly report's week) as block-level points.

    A point is its block's position from privacy.block_positions (`positions`), the one the downloads give, so
    it marks the block and never the address. Rows of an incident with a sexual offense, and rows without a
    block, are never mapped. Crimes at the same point in the same category are one point with their number, n."""
    names = {c.slug: c.name for c in part1 if not c.sexual_offense}
    end = weekly.latest_week_end(cover)
    start = end - pd.Timedelta(days=MAP_DAYS - 1)
    columns = ["category", "occurred_status", "location_status", "occurred_at", "block", "longitude", "latitude"]
    rows = counted[[*columns, "sexual_incident", "count"]]  # only the columns needed: filtering all costs more
    rows = rows[
        rows["category"].isin(list(names))
        & (rows["occurred_status"] == "ok")
        & (rows["occurred_at"] >= start)
        & (rows["occurred_at"] < end + pd.Timedelta(days=1))
    ]
    x, y = privacy.published_positions(rows, positions)
    rows, x, y = rows[x.notna()], x[x.notna()], y[x.notna()]
    points = pd.DataFrame(
        {
            "x": x.to_numpy(float),
            "y": y.to_numpy(float),
            "category": rows["category"].astype(str).map(names),
            "block": rows["block"].astype(str),
            "count": rows["count"].astype("int64"),
        }
    )
    grouped = points.groupby(["x", "y", "category", "block"], as_index=False)["count"].sum()
    grouped = grouped[grouped["count"] > 0].rename(columns={"count": "n"})
    return grouped.sort_values(["category", "x", "y", "block"]).reset_index(drop=True)
