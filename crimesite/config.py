"""The site configuration (site.yml) loaded into dataclasses; unknown keys are rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

from crimesite import paths


@dataclass(frozen=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True)
class Geography:
    source_crs: str
    bounds: tuple[float, float, float, float]
    districts_since: str


@dataclass(frozen=True)
class TableColumns:
    """Column names of the neighborhood table, as the city publishes it."""

    number: str
    name: str
    park: str
    population: str
    district: str


@dataclass(frozen=True)
class Places:
    """Where the neighborhood table and the boundary files are; any path may be null (not configured)."""

    neighborhood_table: Path | None
    table_columns: TableColumns
    neighborhood_boundaries: Path | None
    neighborhood_key: str  # the GeoJSON property holding the neighborhood number
    district_boundaries: Path | None
    district_key: str
    population_year: int
    min_population: int  # no rate per 1,000 residents below this population


@dataclass(frozen=True)
class Goal:
    statement: str
    who: str
    measures: tuple[str, ...]
    baseline_year: int
    target_year: int
    reduction_percent: float


@dataclass(frozen=True)
class SiteConfig:
    city: str
    site_title: str
    agency: str
    agency_short: str
    raw_dir: Path
    categories: Path
    methods_break: str
    claims: Path
    geography: Geography
    places: Places
    sources: tuple[Source, ...]
    goals: tuple[Goal, ...]


def _check_keys(section: str, data: object, cls: type) -> dict:
    if not isinstance(data, dict):
        raise ValueError(f"site config: {section} must be a mapping")
    allowed = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - allowed)
    missing = sorted(allowed - set(data))
    if unknown:
        raise ValueError(f"site config: unknown key(s) in {section}: {', '.join(unknown)}")
    if missing:
        raise ValueError(f"site config: missing key(s) in {section}: {', '.join(missing)}")
    return data


def parse_config(data: object, root: Path) -> SiteConfig:
    top = _check_keys("the top level", data, SiteConfig)
    geo = _check_keys("geography", top["geography"], Geography)
    bounds = tuple(float(v) for v in geo["bounds"])
    if len(bounds) != 4 or not (bounds[0] < bounds[2] and bounds[1] < bounds[3]):
        raise ValueError("site config: geography.bounds must be [west, south, east, north]")
    if not re.fullmatch(r"\d{4}-\d{2}", str(top["methods_break"])):
        raise ValueError("site config: methods_break must be a month as YYYY-MM")
    sources = tuple(Source(**_check_keys("sources", s, Source)) for s in top["sources"])
    return SiteConfig(
        city=str(top["city"]),
        site_title=str(top["site_title"]),
        agency=str(top["agency"]),
        agency_short=str(top["agency_short"]),
        raw_dir=root / top["raw_dir"],
        categories=root / top["categories"],
        methods_break=str(top["methods_break"]),
        claims=root / top["claims"],
        geography=Geography(str(geo["source_crs"]), bounds, str(geo["districts_since"])),
        places=parse_places(top["places"], root),
        sources=sources,
        goals=tuple(parse_goal(goal) for goal in top["goals"]),
    )


def parse_places(data: object, root: Path) -> Places:
    section = _check_keys("places", data, Places)
    columns = _check_keys("places.table_columns", section["table_columns"], TableColumns)

    def optional_path(value: object) -> Path | None:
        return None if value in (None, "") else root / str(value)

    if int(section["min_population"]) < 0:
        raise ValueError("site config: places.min_population must be 0 or more")
    return Places(
        neighborhood_table=optional_path(section["neighborhood_table"]),
        table_columns=TableColumns(**{key: str(value) for key, value in columns.items()}),
        neighborhood_boundaries=optional_path(section["neighborhood_boundaries"]),
        neighborhood_key=str(section["neighborhood_key"]),
        district_boundaries=optional_path(section["district_boundaries"]),
        district_key=str(section["district_key"]),
        population_year=int(section["population_year"]),
        min_population=int(section["min_population"]),
    )


def parse_goal(data: object) -> Goal:
    goal = _check_keys("goals", data, Goal)
    if not int(goal["baseline_year"]) < int(goal["target_year"]):
        raise ValueError("site config: a goal's baseline_year must come before its target_year")
    return Goal(
        statement=str(goal["statement"]),
        who=str(goal["who"]),
        measures=tuple(str(m) for m in goal["measures"]),
        baseline_year=int(goal["baseline_year"]),
        target_year=int(goal["target_year"]),
        reduction_percent=float(goal["reduction_percent"]),
    )


def load_config(path: Path = paths.SITE_CONFIG) -> SiteConfig:
    with path.open(encoding="utf-8") as handle:
        return parse_config(yaml.safe_load(handle), path.parent)


def with_place_files(config: SiteConfig, table: Path | None, neighborhoods: Path | None, districts: Path | None):
    """The same configuration reading its neighborhood table and boundaries from other files."""
    places = replace(config.places, neighborhood_table=table, neighborhood_boundaries=neighborhoods,
                     district_boundaries=districts)  # fmt: skip
    return replace(config, places=places)
