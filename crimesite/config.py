"""The site configuration (site.yml) loaded into dataclasses; unknown keys are rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
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
        sources=sources,
        goals=tuple(parse_goal(goal) for goal in top["goals"]),
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
