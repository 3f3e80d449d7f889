"""crimesite.placemetrics: populations, rates and ranks by place, and the incident map's block points."""

from __future__ import annotations

import pandas as pd

from crimesite import metrics, placemetrics, privacy
from crimesite.places import UNKNOWN, Geography, Neighborhood
from crimesite.reference import Category

BURGLARY = Category(5, "burglary", "Burglary", "burglaries", 1, False)
RAPE = Category(2, "rape", "Rape", "rapes", 1, True)


def geography(from_table: bool = True) -> Geography:
    neighborhoods = (
        Neighborhood(1, "Ash", "1-ash", False, 1_000, 1),
        Neighborhood(2, "Birch", "2-birch", False, 3_000, 1),
        Neighborhood(3, "Park", "3-park", True, 50, 2),
        Neighborhood(4, "Tiny", "4-tiny", False, 40, 2),
    )
    return Geography(neighborhoods, (1, 2), None, None, from_table, (), 100, 2020)


def test_populations_leave_out_parks_and_small_places():
    assert placemetrics.neighborhood_population(geography()) == {1: 1_000, 2: 3_000}
    assert placemetrics.district_population(geography()) == {1: 4_000}  # district 2's 90 residents: too few
    assert placemetrics.district_population(geography(from_table=False)) == {}


def test_rates_rank_the_places_with_a_population_and_leave_out_the_unknown_place():
    annual = pd.DataFrame(
        {
            "year": [2023, 2023, 2023, 2023, 2022],
            "place": [1, 2, 4, UNKNOWN, 1],
            "category": "burglary",
            "count": [10, 12, 3, 99, 50],
        }
    )
    table = placemetrics.rates(annual, 2023, {1: 1_000, 2: 3_000}).set_index(["category", "place"])
    assert table.loc[("burglary", 1), "rate"] == 10.0 and table.loc[("burglary", 2), "rate"] == 4.0
    assert (table.loc[("burglary", 1), "rank"], table.loc[("burglary", 2), "rank"]) == (1, 2)
    assert pd.isna(table.loc[("burglary", 4), "rank"])  # no population: no rate, no rank
    assert UNKNOWN not in table.index.get_level_values("place")
    assert table.loc[("part1", 1), "count"] == 10  # the Part I total per place, for 2023 only
    assert placemetrics.rates(annual, 2019, {}).empty


def test_map_points_are_block_positions_and_never_a_withheld_incident():
    end = pd.Timestamp("2024-01-28")  # the Sunday that ends the latest complete week of January 2024
    rows = pd.DataFrame(
        {
            "category": ["burglary", "burglary", "burglary", "rape", "burglary"],
            "occurred_status": "ok",
            "location_status": "ok",
            "occurred_at": [end, end, end - pd.Timedelta(days=40), end, end],
            "block": ["100 MAIN ST", "100 MAIN ST", "100 MAIN ST", "200 OAK ST", "200 OAK ST"],
            "longitude": [-90.2001, -90.2003, -90.2002, -90.3, -90.31],
            "latitude": [38.6001, 38.6003, 38.6002, 38.7, 38.71],
            "sexual_incident": [False, False, False, True, True],
            "count": 1,
        }
    )
    cover = metrics.coverage(["2024-01"], None)
    positions = privacy.block_positions(rows)
    points = placemetrics.recent_points(rows, positions, [BURGLARY, RAPE], cover)
    assert points.to_dict("records") == [
        {"x": -90.2, "y": 38.6, "category": "Burglary", "block": "100 MAIN ST", "n": 2}  # the 40-day-old one: no
    ]
    assert list(positions.index) == ["100 MAIN ST"]  # a withheld row moves no published position
