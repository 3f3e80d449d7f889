"""Boundary simplification (crimesite.places): a border two places share is simplified once, the same on both sides."""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from crimesite import paths, places

REFERENCE = paths.ROOT / "data" / "reference"


def rounded_points(polygons: list) -> set[tuple[float, float]]:
    return {(round(x, places.DECIMALS), round(y, places.DECIMALS)) for p in polygons for ring in p for x, y, *_ in ring}


def shared_vertex_mismatches(path: Path, key: str) -> tuple[int, int]:
    """How many points two or more places share in the file, and of those how many the simplified boundaries
    keep on one side of the border and drop on the other."""
    owners: dict[tuple[float, float], set[int]] = defaultdict(set)
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for point in rounded_points(polygons):
            owners[point].add(int(float(feature["properties"][key])))
    kept = {
        f["id"]: rounded_points(f["geometry"]["coordinates"]) for f in places.read_boundaries(path, key)["features"]
    }
    shared = {point: numbers for point, numbers in owners.items() if len(numbers) > 1}
    mismatched = [point for point, numbers in shared.items() if len({point in kept[n] for n in numbers}) > 1]
    return len(shared), len(mismatched)


@pytest.mark.parametrize(
    ("name", "key", "shared_points"), [("neighborhoods", "NHD_NUM", 1611), ("districts", "DISTNO", 392)]
)
def test_real_borders_keep_the_same_points_on_both_sides(name, key, shared_points):
    # Simplifying each ring on its own kept 186 of the 1,611 shared neighborhood points on one side only.
    assert shared_vertex_mismatches(REFERENCE / f"{name}.geojson", key) == (shared_points, 0)


# A border that wiggles by less than the tolerance (0.00004 degrees) at 0.0005 and more (0.0003) at 0.0007.
BORDER = [(1.0, 1.001), (1.0, 1.0008), (1.0003, 1.0007), (1.0, 1.0006), (1.00004, 1.0005), (1.0, 1.0)]


def test_a_shared_border_is_simplified_once_for_both_sides():
    left = [(0.999, 1.001), *BORDER, (0.999, 1.0), (0.999, 1.001)]
    right = [(1.0, 1.001), (1.001, 1.001), (1.001, 1.0), *BORDER[::-1]]
    simplified = places.simplify_features([[[left]], [[right]]])
    borders = [{tuple(p) for p in f[0][0]} & set(BORDER) for f in simplified]
    assert borders[0] == borders[1]
    assert (1.00004, 1.0005) not in borders[0], "a wiggle within the tolerance is dropped"
    assert (1.0003, 1.0007) in borders[0], "a wiggle past the tolerance is kept"
    for feature in simplified:
        assert places.signed_area([tuple(p) for p in feature[0][0]]) < 0, "exterior rings clockwise for d3-geo"


def test_junctions_are_where_borders_meet_or_part():
    left = [(0.0, 1.0), (1.0, 1.0), (1.0, 0.5), (1.0, 0.0), (0.0, 0.0), (0.0, 1.0)]
    right = [(1.0, 1.0), (2.0, 1.0), (2.0, 0.0), (1.0, 0.0), (1.0, 0.5), (1.0, 1.0)]
    # (1, 1) and (1, 0) end the shared edge; (1, 0.5) lies inside it, with the same neighbours on both sides.
    assert places.find_junctions([left, right]) == {(1.0, 1.0), (1.0, 0.0)}
    assert places.find_junctions([left]) == set()


def test_an_island_and_the_hole_it_fills_are_simplified_alike():
    island = [(0.0, 0.0), (0.00002, 0.001), (0.0, 0.002), (0.002, 0.002), (0.002, 0.0), (0.0, 0.0)]
    hole = island[2:-1] + island[:3]  # the same ring started elsewhere and run the other way
    hole = hole[::-1]
    frame = [(-1.0, -1.0), (-1.0, 1.0), (1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)]
    simplified = places.simplify_features([[[island]], [[frame, hole]]])
    kept_island, kept_hole = {tuple(p) for p in simplified[0][0][0]}, {tuple(p) for p in simplified[1][0][1]}
    assert kept_island == kept_hole and len(kept_island) == 4
    assert places.signed_area([tuple(p) for p in simplified[1][0][1]]) > 0, "holes counter-clockwise"


def test_douglas_peucker_keeps_the_ends_and_what_strays_past_the_tolerance():
    line = [(0.0, 0.0), (1.0, 0.00005), (2.0, 0.0), (2.0, 1.0), (3.0, 1.0)]
    assert places.douglas_peucker(line) == [(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (3.0, 1.0)]
    small_ring = [(0.0, 0.0), (0.0, 0.00001), (0.00001, 0.0), (0.0, 0.0)]
    assert places.douglas_peucker(small_ring) == small_ring, "a ring of under five points is kept whole"


def test_a_ring_that_vanishes_drops_its_polygon():
    speck = [(0.0, 0.0), (0.00001, 0.0), (0.0, 0.0)]
    assert places.simplify_features([[[speck]]]) == [[]]
