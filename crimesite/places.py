"""The places pages are made for: neighborhoods (names, parks, population) and police districts, with
their boundaries simplified for the web. Reads the files named in site.yml's `places` section."""

from __future__ import annotations

import csv
import itertools
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crimesite.config import PlacesConfig
from crimesite.errors import DataError, Problem

log = logging.getLogger(__name__)

UNKNOWN = 0  # the place number of the "unknown location" bucket
# Boundaries are rounded to 4 decimals (about 10 m) and simplified within 0.0001 degree: invisible at
# city scale, and it keeps a page's map payload small.
DECIMALS = 4
TOLERANCE = 0.0001
TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0", ""}


@dataclass(frozen=True)
class Neighborhood:
    number: int
    name: str
    slug: str
    park: bool  # a park or other non-residential area: no rate
    population: int | None
    district: int | None  # the district it lies (mostly) in, for grouping


@dataclass(frozen=True)
class Geography:
    """What the place pages and maps are made from, and which configured files were not found."""

    neighborhoods: tuple[Neighborhood, ...]
    districts: tuple[int, ...]
    neighborhood_shapes: dict | None  # GeoJSON FeatureCollection, feature id = number
    district_shapes: dict | None
    from_table: bool  # names and populations come from the neighborhood table
    not_found: tuple[str, ...]  # configured files that do not exist
    min_population: int
    population_year: int

    def has_rate(self, place: Neighborhood) -> bool:
        return not place.park and place.population is not None and place.population >= self.min_population


SLUG_CHARS = 60  # a page's file name must stay well under the 255 bytes file systems allow, whatever the name


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")
    return slug[:SLUG_CHARS].rstrip("-") or "neighborhood"


def placeholder(number: int, district: int | None) -> Neighborhood:
    return Neighborhood(number, f"Neighborhood {number}", f"{number}-neighborhood-{number}", False, None, district)


def existing(path: Path | None, not_found: list[str]) -> Path | None:
    if path is None:
        return None
    if not path.is_file():
        log.warning("places: %s not found; pages that need it say so", path)
        not_found.append(path.name)
        return None
    return path


@dataclass(frozen=True)
class PlaceFiles:
    """What the configured place files hold, read in the build's read stage (None: no such file)."""

    listed: tuple[Neighborhood, ...] | None  # the neighborhood table's rows
    neighborhood_shapes: dict | None
    district_shapes: dict | None
    not_found: tuple[str, ...]  # configured files that do not exist


def read_place_files(config: PlacesConfig) -> PlaceFiles:
    not_found: list[str] = []
    table_path = existing(config.neighborhood_table, not_found)
    listed = read_neighborhood_table(table_path, config) if table_path is not None else None
    shapes_path = existing(config.neighborhood_boundaries, not_found)
    districts_path = existing(config.district_boundaries, not_found)
    neighborhood_shapes = read_boundaries(shapes_path, config.neighborhood_key) if shapes_path else None
    district_shapes = read_boundaries(districts_path, config.district_key) if districts_path else None
    return PlaceFiles(listed, neighborhood_shapes, district_shapes, tuple(not_found))


def geography(
    config: PlacesConfig, files: PlaceFiles, seen_neighborhoods: dict[int, int | None], seen_districts: set[int]
) -> Geography:
    """Neighborhoods from the table when there is one, otherwise those seen in the data (with their most
    common district); districts from the boundary file and the data. No I/O: `files` holds what was read."""
    listed = files.listed
    if listed is not None:
        # A number the data uses that the table lacks still gets a page, so no crime drops out of the places.
        extra = [placeholder(n, d) for n, d in seen_neighborhoods.items() if n not in {p.number for p in listed}]
        neighborhoods = tuple(sorted(listed + tuple(extra), key=lambda n: n.number))
    else:
        neighborhoods = tuple(placeholder(n, d) for n, d in sorted(seen_neighborhoods.items()))
    districts = set(seen_districts)
    if files.district_shapes:
        districts |= {feature["id"] for feature in files.district_shapes["features"]}
    return Geography(
        neighborhoods=neighborhoods,
        districts=tuple(sorted(districts)),
        neighborhood_shapes=files.neighborhood_shapes,
        district_shapes=files.district_shapes,
        from_table=listed is not None,
        not_found=files.not_found,
        min_population=config.min_population,
        population_year=config.population_year,
    )


def read_neighborhood_table(path: Path, config: PlacesConfig) -> tuple[Neighborhood, ...]:
    columns = config.table_columns
    problems: list[Problem] = []
    rows: list[Neighborhood] = []
    lines: list[int] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in vars(columns).values() if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(
                [
                    Problem(path.name, 1, name, ",".join(reader.fieldnames or []), "a column of that name")
                    for name in missing
                ]
            )
        for record in reader:
            line = reader.line_num

            def bad(column: str, expected: str, line: int = line, record: dict = record) -> None:
                problems.append(Problem(path.name, line, column, record[column] or "", expected))

            number = _to_int(record[columns.number])
            if number is None or number < 1:
                bad(columns.number, "a whole number, 1 or more")
                continue
            name = " ".join((record[columns.name] or "").split())
            if not name:
                bad(columns.name, "a name")
            park = (record[columns.park] or "").strip().lower()
            if park not in TRUE_WORDS | FALSE_WORDS:
                bad(columns.park, "true or false")
            population = _to_int(record[columns.population])
            if record[columns.population].strip() and (population is None or population < 0):
                bad(columns.population, "a whole number, 0 or more, or empty")
            district = _to_int(record[columns.district])
            if record[columns.district].strip() and (district is None or district < 1):
                bad(columns.district, "a district number or empty")
            rows.append(
                Neighborhood(number, name, f"{number}-{slugify(name)}", park in TRUE_WORDS, population, district)
            )
            lines.append(line)
    seen: set[int] = set()
    for line, row in zip(lines, rows, strict=True):
        if row.number in seen:
            problems.append(Problem(path.name, line, columns.number, str(row.number), "each number once"))
        seen.add(row.number)
    if problems:
        raise DataError(problems)
    if not rows:
        raise DataError([Problem(path.name, 1, columns.number, "", "at least one neighborhood")])
    return tuple(sorted(rows, key=lambda n: n.number))


def _to_int(value: str | None) -> int | None:
    text = (value or "").strip()
    if re.fullmatch(r"-?\d+(\.0+)?", text):
        return int(float(text))
    return None


def read_city_limits(path: Path) -> tuple[np.ndarray, ...]:
    """Every ring (outer rings and holes) of the (Multi)Polygons in a GeoJSON file, as (n, 2) arrays of longitude
    and latitude; a file with none stops the build."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError([Problem(path.name, getattr(error, "lineno", 1), "-", str(error)[:60], "GeoJSON")]) from None
    features = data.get("features") if isinstance(data, dict) else None
    geometries = [(feature or {}).get("geometry") or {} for feature in features or []]
    polygons = [
        polygon
        for geometry in geometries
        for polygon in (
            geometry["coordinates"]
            if geometry.get("type") == "MultiPolygon"
            else [geometry["coordinates"]]
            if geometry.get("type") == "Polygon"
            else []
        )
    ]
    rings = tuple(np.asarray(ring, dtype=float)[:, :2] for polygon in polygons for ring in polygon if len(ring) >= 3)
    if not rings:
        raise DataError(
            [
                Problem(
                    path.name,
                    1,
                    "features",
                    str(len(features or [])),
                    "a GeoJSON FeatureCollection with a Polygon or MultiPolygon",
                )
            ]
        )
    return rings


def read_boundaries(path: Path, key: str) -> dict:
    """A GeoJSON FeatureCollection of (Multi)Polygons keyed by the number in property `key`, simplified,
    with exterior rings clockwise as d3-geo (and so Vega) expects."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError([Problem(path.name, getattr(error, "lineno", 1), "-", str(error)[:60], "GeoJSON")]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not data.get("features"):
        raise DataError(
            [
                Problem(
                    path.name,
                    1,
                    "type",
                    str(data.get("type") if isinstance(data, dict) else data)[:60],
                    "a GeoJSON FeatureCollection with features",
                )
            ]
        )
    numbers: list[int] = []
    polygons: list[list] = []
    problems = []
    for index, feature in enumerate(data["features"]):
        where = f"features[{index}]"
        properties = feature.get("properties") or {}
        number = _to_int(str(properties.get(key, "")))
        geometry = feature.get("geometry") or {}
        if number is None:
            problems.append(Problem(path.name, 1, f"{where}.properties.{key}", str(properties.get(key)), "a number"))
            continue
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(path.name, 1, f"{where}.geometry.type", str(geometry.get("type")), "a polygon"))
            continue
        numbers.append(number)
        polygons.append(geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]])
    problems += [
        Problem(path.name, 1, f"properties.{key}", str(n), "each number once")
        for n in sorted({n for n in numbers if numbers.count(n) > 1})
    ]
    if problems:
        raise DataError(problems)
    features = [
        {"type": "Feature", "id": number, "properties": {"number": number}, "geometry": multipolygon(simplified)}
        for number, simplified in zip(numbers, simplify_features(polygons), strict=True)
    ]
    return {"type": "FeatureCollection", "features": sorted(features, key=lambda f: f["id"])}


Point = tuple[float, float]


def multipolygon(polygons: list) -> dict:
    return {"type": "MultiPolygon", "coordinates": polygons}


def simplify_features(polygons: list[list]) -> list[list]:
    """Each feature's polygons (a list of polygons per feature) simplified as one map: every stretch of border
    between two junctions is simplified once and shared by the rings along it, so neighbours keep one border
    (simplifying each ring on its own kept a shared point on one side and dropped it on the other: gaps and
    overlaps). Exterior rings come out clockwise, holes counter-clockwise."""
    rings = [[[round_ring(ring) for ring in polygon] for polygon in feature] for feature in polygons]
    junctions = find_junctions([ring for feature in rings for polygon in feature for ring in polygon])
    arcs: dict[tuple[Point, ...], list[Point]] = {}
    simplified = []
    for feature in rings:
        kept = (wind_polygon([simplify_ring(ring, junctions, arcs) for ring in polygon]) for polygon in feature)
        simplified.append([polygon for polygon in kept if polygon])
    return simplified


def round_ring(ring: list) -> list[Point]:
    """The ring's points rounded to DECIMALS, each once in a row, closed (first point = last point)."""
    points = [(round(float(x), DECIMALS), round(float(y), DECIMALS)) for x, y, *_ in ring]
    points = [point for index, point in enumerate(points) if index == 0 or point != points[index - 1]]
    return points + points[:1] if points and points[0] != points[-1] else points


def find_junctions(rings: list[list[Point]]) -> set[Point]:
    """The points where borders meet or part: a point whose neighbours differ from one pass through it to
    another (two rings, or one ring twice). Between two junctions, every ring has the same points."""
    neighbours: dict[Point, set[frozenset[Point]]] = defaultdict(set)
    for ring in rings:
        cycle = ring[:-1]
        for index, point in enumerate(cycle):
            neighbours[point].add(frozenset((cycle[index - 1], cycle[(index + 1) % len(cycle)])))
    return {point for point, seen in neighbours.items() if len(seen) > 1}


def simplify_ring(ring: list[Point], junctions: set[Point], arcs: dict[tuple[Point, ...], list[Point]]) -> list[Point]:
    """The ring cut at its junctions (a ring with none at its lowest point, so whoever shares it cuts it there
    too) and put back together from the simplified arcs; `arcs` holds each arc simplified once, as first met."""
    if len(ring) < 4:
        return ring
    cycle = ring[:-1]
    cuts = junctions.intersection(cycle) or {min(cycle)}
    start = next(index for index, point in enumerate(cycle) if point in cuts)
    points = cycle[start:] + cycle[: start + 1]
    joined, arc = points[:1], points[:1]
    for point in points[1:]:
        arc.append(point)
        if point in cuts:
            joined += simplify_arc(arc, arcs)[1:]
            arc = [point]
    if ring[0] not in joined:
        return joined
    first = joined.index(ring[0])  # start where the ring did, so a ring the simplification leaves reads the same
    return joined[first:-1] + joined[: first + 1]


def simplify_arc(arc: list[Point], arcs: dict[tuple[Point, ...], list[Point]]) -> list[Point]:
    """The arc simplified, in its own direction. An arc is simplified once, read in one direction (the lesser of
    the two), so the rings on either side of it keep the same points."""
    forward = tuple(arc)
    backward = forward[::-1]
    key = min(forward, backward)
    if key not in arcs:
        arcs[key] = douglas_peucker(list(key))
    return arcs[key] if key == forward else arcs[key][::-1]


def douglas_peucker(points: list[Point]) -> list[Point]:
    """The points within TOLERANCE of the line, end points kept; a closed line (a whole ring) is first split at its
    point farthest from the start, so it keeps an area, and one of fewer than five points is kept whole."""
    last = len(points) - 1
    keep = {0, last}
    stack = [(0, last)]
    if points[0] == points[last]:
        if len(points) < 5:
            return points
        far = max(range(1, last), key=lambda i: _distance(points[i], points[0], points[0]))
        keep.add(far)
        stack = [(0, far), (far, last)]
    while stack:
        start, end = stack.pop()
        if end - start < 2:
            continue
        index = max(range(start + 1, end), key=lambda i: _distance(points[i], points[start], points[end]))
        if _distance(points[index], points[start], points[end]) > TOLERANCE:
            keep.add(index)
            stack += [(start, index), (index, end)]
    return [points[index] for index in sorted(keep)]


def wind_polygon(rings: list[list[Point]]) -> list:
    """The polygon with its exterior clockwise and its holes counter-clockwise, as d3-geo (and so Vega) expects;
    a ring that vanished at this scale is dropped, and with its exterior the polygon."""
    wound = []
    for index, points in enumerate(rings):
        if len(points) < 4:
            if index == 0:
                return []
            continue
        if (signed_area(points) < 0) != (index == 0):
            points = points[::-1]
        wound.append([list(point) for point in points])
    return wound


def signed_area(points: list[Point]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(points)) / 2


def _distance(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5
