"""Addresses become blocks: no label the site or the downloads show holds a house number."""

from __future__ import annotations

import json

import pandas as pd

from crimesite import geo


def test_blocks_round_house_numbers_down_even_inside_the_street_field():
    cases = {  # (number, street) -> block; the street-field cases are real SLMPD rows
        ("3712", "S BROADWAY "): "3700 block S BROADWAY",
        ("99", "PINE ST"): "0 block PINE ST",
        ("0", "MORRISON LN / 14TH ST"): "MORRISON LN / 14TH ST",
        ("0", "3035 CASS / VASHON H"): "3000 block CASS / VASHON H",
        ("", "2020 DUNNICA AVE / GUSTINE AVE"): "2000 block DUNNICA AVE / GUSTINE AVE",
        ("0", "270 / RIVERVIEW DR"): "270 / RIVERVIEW DR",  # Interstate 270, not a house
        ("0", "70 E / N BROADWAY"): "70 E / N BROADWAY",
        ("0", "170 EASTBOUND / CARRIE"): "100 block EASTBOUND / CARRIE",  # read as a house, rounded
        ("", "2821 MERAMEC ST,"): "2800 block MERAMEC ST",
        ("0", "UNKNOWN"): geo.UNKNOWN_BLOCK,
    }
    numbers = pd.Series([number for number, _ in cases], dtype="string")
    streets = pd.Series([street for _, street in cases], dtype="string")
    assert geo.to_block(numbers, streets).tolist() == list(cases.values())


def test_no_street_gives_no_block():
    blocks = geo.to_block(pd.Series(["12", None], dtype="string"), pd.Series(["  ", ""], dtype="string"))
    assert blocks.isna().all()


def test_points_inside_a_polygon_with_a_hole_and_a_notch():
    """A 4 x 4 square with a notch cut into its east side and a square hole: the even-odd rule, by hand."""
    import numpy as np

    outer = np.array([[0, 0], [4, 0], [4, 1.5], [2.5, 2], [4, 2.5], [4, 4], [0, 4]], dtype=float)
    hole = np.array([[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5]], dtype=float)
    points = {  # (lon, lat) -> inside?
        (3, 3): True,
        (1, 3): True,
        (3.5, 2): False,  # in the notch
        (2, 2): True,  # beside the notch's tip
        (1, 1): False,  # in the hole
        (1.8, 1): True,  # beside the hole
        (5, 2): False,
        (-1, 2): False,
        (2, 4.5): False,
    }
    lon = np.array([p[0] for p in points], dtype=float)
    lat = np.array([p[1] for p in points], dtype=float)
    assert geo.inside_rings(lon, lat, (outer, hole)).tolist() == list(points.values())
    assert geo.inside_rings(lon, lat, ()).tolist() == [False] * len(points)


SQUARE = {"type": "Polygon", "coordinates": [[[-90.3, 38.5], [-90.25, 38.5], [-90.25, 38.55], [-90.3, 38.55]]]}


def test_without_a_city_limits_file_the_box_alone_limits_the_locations(tmp_path):
    from crimesite import build

    table = pd.DataFrame(
        {
            "location_status": pd.Categorical(["ok", "ok", "missing"]),
            "latitude": [38.6, 38.52, None],
            "longitude": [-90.2, -90.28, None],
        }
    )
    assert build.within_city_limits(table, build.read_city_limits(None)) is table
    assert build.read_city_limits(tmp_path / "city_limits.geojson") is None  # named, not there
    features = [{"type": "Feature", "properties": {}, "geometry": SQUARE}]
    (tmp_path / "city_limits.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    marked = build.within_city_limits(table, build.read_city_limits(tmp_path / "city_limits.geojson"))
    assert marked["location_status"].tolist() == ["outside_city", "ok", "missing"]
    assert marked["latitude"].isna().tolist() == [True, False, True]
    assert table["location_status"].tolist() == ["ok", "ok", "missing"]  # the input is left as it was


def test_a_city_limits_file_without_a_polygon_stops_the_build_naming_it(tmp_path):
    import pytest

    from crimesite import places
    from crimesite.errors import DataError

    path = tmp_path / "city_limits.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"geometry": {"type": "Point"}}]}))
    with pytest.raises(DataError) as raised:
        places.read_city_limits(path)
    assert "city_limits.geojson" in str(raised.value.problems[0])
    path.write_text("{not json")
    with pytest.raises(DataError):
        places.read_city_limits(path)
