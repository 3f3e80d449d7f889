"""What every page is made from: the counts, the coverage, the files and the checks, typed."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from crimesite import claims as claims_module
from crimesite import metrics, months
from crimesite.config import SiteConfig
from crimesite.inputs import FileInfo
from crimesite.other_sources import OtherFigures
from crimesite.placemetrics import PlaceData
from crimesite.reference import Category
from crimesite.revisions import Revisions


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
    places: PlaceData  # counts by district and neighborhood, the weekly reports
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
        return months.year_of(self.cover.last)

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
        return months.year_of(self.cover.methods_break)
