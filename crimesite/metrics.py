"""Counts the pages show. DataFrame in, DataFrame out; no I/O.

Every total is a sum of the `count` column (+1/-1), never a count of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from crimesite import months
from crimesite.geo import UNKNOWN_BLOCK
from crimesite.reference import Category

ROLLING_MONTHS = 12
EARLY_NIBRS = "nibrs_before_break"
UNCOVERED_MONTH = "month_not_in_data"
AFTER_FILE = "dated_after_its_file"


@dataclass(frozen=True)
class Coverage:
    """Which counting months the data stands for, and where the methods break falls."""

    months: tuple[str, ...]  # YYYY-MM, sorted
    first: str
    last: str
    missing: tuple[str, ...]  # months between first and last that no file stands for
    methods_break: str | None  # first month of the NIBRS era; None when the data has one era
    single_era: str = "ucr"  # the era of every month when there is no methods break
    uncounted: tuple[tuple[str, int], ...] = ()  # (era, UCR part) the readers do not count: missing, not zero

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(self._months_by_year)

    @cached_property
    def _months_by_year(self) -> dict[int, tuple[str, ...]]:
        found: dict[int, list[str]] = {}
        for month in self.months:
            found.setdefault(months.year_of(month), []).append(month)
        return {year: tuple(found[year]) for year in sorted(found)}

    def months_of(self, year: int) -> tuple[str, ...]:
        """The year's months in the data."""
        return self._months_by_year.get(year, ())

    def months_in(self, year: int) -> int:
        return len(self.months_of(year))

    def is_complete(self, year: int) -> bool:
        return self.months_in(year) == 12

    def era(self, month: str) -> str:
        if self.methods_break is None:
            return self.single_era
        return "nibrs" if month >= self.methods_break else "ucr"

    def year_era(self, year: int) -> str:
        eras = {self.era(month) for month in self.months_of(year)}
        return eras.pop() if len(eras) == 1 else "ucr+nibrs"

    def counts_part(self, month: str, part: int) -> bool:
        """Whether the files of this month count crimes of this UCR Part at all."""
        return (self.era(month), part) not in self.uncounted

    @property
    def span_years(self) -> tuple[int, ...]:
        """Every year from the first in the data to the last, the years no file stands for included."""
        return tuple(range(months.year_of(self.first), months.year_of(self.last) + 1))

    @property
    def missing_years(self) -> tuple[int, ...]:
        """The years between the first and the last that no file stands for (no month in the data)."""
        return tuple(year for year in self.span_years if self.months_in(year) == 0)

    @property
    def missing_month_runs(self) -> tuple[tuple[str, str], ...]:
        """The missing months as runs of consecutive months, each (first, last) as YYYY-MM."""
        return months.runs(self.missing)

    @property
    def missing_year_runs(self) -> tuple[tuple[int, int], ...]:
        """The missing years as runs of consecutive years, each (first, last)."""
        return runs(list(self.missing_years))

    @property
    def spans_break(self) -> bool:
        return self.methods_break is not None and self.first < self.methods_break <= self.last


def runs(values: list[int]) -> tuple[tuple[int, int], ...]:
    """Sorted integers (years: months.runs is for months) as runs of consecutive ones, each (first, last):
    [1, 2, 3, 7] gives ((1, 3), (7, 7))."""
    found: list[tuple[int, int]] = []
    for value in values:
        if found and value == found[-1][1] + 1:
            found[-1] = (found[-1][0], value)
        else:
            found.append((value, value))
    return tuple(found)


def clipped_runs(runs_: tuple[tuple[str, str], ...], first: str, last: str) -> tuple[tuple[str, str], ...]:
    """The parts of the runs (first, last) that fall inside first..last (labels that sort, e.g. YYYY-MM)."""
    return tuple((max(a, first), min(b, last)) for a, b in runs_ if a <= last and b >= first)


def month_labels(frame: pd.DataFrame) -> pd.Series:
    """Each row's counting month, as its key."""
    return months.keys_of(frame["year"], frame["month"])


def coverage(
    covered: set[str] | list[str],
    methods_break: str | None,
    single_era: str = "ucr",
    uncounted: tuple[tuple[str, int], ...] = (),
) -> Coverage:
    """Coverage from the months the raw files stand for; `single_era` is the era of all months when there is
    no methods break; `uncounted` the (era, UCR part) pairs the readers do not count."""
    present = sorted(set(covered))
    if not present:
        raise ValueError("no data: the raw files hold no rows")
    span = months.span(present[0], present[-1])
    missing = tuple(month for month in span if month not in set(present))
    return Coverage(tuple(present), present[0], present[-1], missing, methods_break, single_era, uncounted)


def split_counted(
    incidents: pd.DataFrame, cover: Coverage, file_months: dict[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows counted in the series, and the rows left out: NIBRS crimes dated before the methods break
    (the legacy files count that period), crimes dated after the last month their own file stands for
    (`file_months`: file name -> that month), and crimes in a month whose own file is not in the data.

    "After its file" is how a date in the future is told without a clock, so that a build does not depend on
    the day it runs: a file cannot report a crime that had not happened when it was written, so the date is a
    typo (SLMPD's FAQ says as much). Only NIBRS rows can be: they are counted in the month they occurred. A
    legacy row is counted in its coded month, which is always one of its file's months; a legacy occurrence
    date after the coded month is kept and counted (`occurred_status` `after_counting_month`). A coded month
    after every other file's is simply the newest month."""
    labels = month_labels(incidents)
    early_nibrs = (incidents["era"] == "nibrs") & (labels < (cover.methods_break or ""))
    after_file = ~early_nibrs & (labels > last_file_months(incidents["source_file"], file_months or {}))
    kept = labels.isin(set(cover.months)) & ~early_nibrs & ~after_file
    reason = np.select([early_nibrs, after_file], [EARLY_NIBRS, AFTER_FILE], default=UNCOVERED_MONTH)
    excluded = incidents[~kept].assign(reason=reason[~kept.to_numpy()])
    return incidents[kept].reset_index(drop=True), excluded.reset_index(drop=True)


def last_file_months(source_file: pd.Series, file_months: dict[str, str]) -> pd.Series:
    """For each row, the last month its file stands for ("9999-99" when not given): looked up once per file."""
    names = source_file.astype("category")
    limits = np.array([file_months.get(str(name), "9999-99") for name in names.cat.categories], dtype=object)
    return pd.Series(limits[names.cat.codes.to_numpy()], index=source_file.index)


def segments(keys: pd.Series, cover: Coverage) -> pd.Series:
    """A number per month that changes after a gap in the data or at the methods break, so lines break there."""
    if keys.empty:
        return pd.Series([], index=keys.index, dtype="int64")
    ordinal = pd.PeriodIndex(keys, freq="M").astype("int64")
    gap = pd.Series(ordinal, index=keys.index).diff().fillna(1) != 1
    era_change = keys.map(cover.era) != keys.map(cover.era).shift(1)
    era_change.iloc[0] = False
    return (gap | era_change).cumsum()


def annual_counts(incidents: pd.DataFrame, categories: tuple[Category, ...], cover: Coverage) -> pd.DataFrame:
    """year, category, count for every year in the data and every category (zeros included). The count is
    missing (NA), not 0, for a category whose Part the files of some month of that year do not count."""
    sums = incidents.groupby(["year", "category"], observed=True)["count"].sum()
    grid = pd.MultiIndex.from_product([list(cover.years), [c.slug for c in categories]], names=["year", "category"])
    table = sums.reindex(grid, fill_value=0).astype("Int64").reset_index()
    table["year"] = table["year"].astype("int64")
    parts = {c.slug: c.part for c in categories}
    counted = {
        (year, part): all(cover.counts_part(m, part) for m in cover.months_of(year))
        for year in cover.years
        for part in set(parts.values())
    }
    known = [counted[(year, parts[slug])] for year, slug in zip(table["year"], table["category"], strict=True)]
    table["count"] = table["count"].where(known)
    return table


def monthly_counts(incidents: pd.DataFrame, categories: tuple[Category, ...], cover: Coverage) -> pd.DataFrame:
    """month (YYYY-MM), category, count for every month the data covers and every category.

    Months inside the range with no file at all are left out rather than shown as zero; a category whose Part
    the month's files do not count is missing (NA).
    """
    keyed = incidents.assign(month_label=month_labels(incidents))
    sums = keyed.groupby(["month_label", "category"], observed=True)["count"].sum()
    grid = pd.MultiIndex.from_product([list(cover.months), [c.slug for c in categories]], names=["month", "category"])
    table = sums.reindex(grid, fill_value=0).astype("Int64").reset_index()
    parts = {c.slug: c.part for c in categories}
    known = [cover.counts_part(m, parts[slug]) for m, slug in zip(table["month"], table["category"], strict=True)]
    table["count"] = table["count"].where(known)
    return table


def rolling_sum(monthly: pd.DataFrame, cover: Coverage) -> pd.DataFrame:
    """The 12-month rolling sum per category; empty where the 12 months are not all in the data or
    straddle the methods break."""
    span = months.span(cover.first, cover.last)
    wide = monthly.pivot(index="month", columns="category", values="count").reindex(span)
    era = pd.Series([cover.era(month) for month in span], index=span)
    rolled = pd.concat(
        [part.rolling(ROLLING_MONTHS, min_periods=ROLLING_MONTHS).sum() for _, part in wide.groupby(era.values)]
    ).reindex(span)
    long = rolled.reset_index(names="month").melt(id_vars="month", var_name="category", value_name="rolling_12")
    long = long[long["month"].isin(set(cover.months))]
    long["rolling_12"] = long["rolling_12"].astype("Int64")
    return long.reset_index(drop=True)


def percent_change(current: float, previous: float) -> float | None:
    """The change from `previous` to `current` in percent of `previous`, unrounded; None when there is no base
    (`previous` missing or 0). The one percentage change: tables, weekly figures and claims all ask here."""
    if pd.isna(current) or pd.isna(previous) or previous == 0:
        return None
    return (current - previous) / previous * 100


def with_change(current: pd.Series, previous: pd.Series) -> pd.DataFrame:
    """Counts side by side with the change and the percentage change (none when the base is 0, or negative:
    more corrections than crimes)."""
    table = pd.DataFrame({"current": current, "previous": previous}).fillna(0).astype("int64")
    table["change"] = table["current"] - table["previous"]
    pairs = zip(table["current"].tolist(), table["previous"].tolist(), strict=True)
    changes = [percent_change(now, before) if before > 0 else None for now, before in pairs]
    table["percent_change"] = pd.Series(changes, index=table.index, dtype="float64").round(1)
    return table


def part1_share(annual: pd.DataFrame, categories: tuple[Category, ...]) -> pd.DataFrame:
    """Each Part I category's share (percent) of the Part I total, by year."""
    slugs = [c.slug for c in categories if c.part == 1]
    part1 = annual[annual["category"].isin(slugs)].copy()
    totals = part1.groupby("year")["count"].transform("sum")
    part1["share"] = (part1["count"] / totals.where(totals != 0) * 100).round(1)
    return part1.reset_index(drop=True)


def year_to_date(monthly: pd.DataFrame, year: int, through_month: int) -> pd.Series:
    """Per category, the sum of January to `through_month` of `year`."""
    wanted = set(months.of_year(year, through_month))
    return monthly[monthly["month"].isin(wanted)].groupby("category")["count"].sum()


def top_descriptions(incidents: pd.DataFrame, category: str, year: int, limit: int = 10) -> pd.DataFrame:
    """The most frequent descriptions (by summed count) within a category and year."""
    rows = incidents[(incidents["category"] == category) & (incidents["year"] == year)]
    sums = rows.groupby("description", observed=True)["count"].sum()
    sums = sums[sums != 0].reset_index().sort_values(["count", "description"], ascending=[False, True])
    return sums.head(limit).reset_index(drop=True)


def shootings(counted: pd.DataFrame, cover: Coverage) -> pd.DataFrame:
    """By month: aggravated assaults and homicides with a firearm. Legacy homicides do not say the weapon."""
    armed = counted[counted["firearm"].fillna(False).astype(bool)]
    keyed = armed.assign(month_label=month_labels(armed))
    sums = keyed.groupby(["month_label", "category"], observed=True)["count"].sum().unstack(fill_value=0)
    table = pd.DataFrame(index=pd.Index(cover.months, name="month"))
    table["assaults"] = (
        sums["aggravated-assault"].reindex(table.index, fill_value=0) if "aggravated-assault" in sums else 0
    )
    homicides = sums["homicide"].reindex(table.index, fill_value=0) if "homicide" in sums else 0
    nibrs = table.index.map(cover.era) == "nibrs"
    table["homicides"] = pd.Series(homicides, index=table.index).where(nibrs).astype("Int64")
    table["shootings"] = (table["assaults"] + table["homicides"]).astype("Int64")
    table["era"] = table.index.map(cover.era)
    return table.reset_index()


def firearm_share(counted: pd.DataFrame, category: str, year: int) -> tuple[int, int, int]:
    """For one category and year: crimes counted, of which with a firearm, and of which the weapon is unknown."""
    rows = counted[(counted["category"] == category) & (counted["year"] == year)]
    total = int(rows["count"].sum())
    armed = int(rows.loc[rows["firearm"].fillna(False).astype(bool), "count"].sum())
    unknown = int(rows.loc[rows["firearm"].isna(), "count"].sum())
    return total, armed, unknown


def quality_summary(incidents: pd.DataFrame, neighborhood_numbers: tuple[int, int]) -> pd.DataFrame:
    """Rows and net counts for each problem that does not change a total."""
    low, high = neighborhood_numbers
    checks = {
        "No usable coordinates (0 or blank)": incidents["location_status"] == "missing",
        "Coordinates outside the city's box": incidents["location_status"] == "outside_bounds",
        "Coordinates inside the box but outside the city limits": incidents["location_status"] == "outside_city",
        "No district (0 or blank)": incidents["district"].isna(),
        f"No neighborhood (0, blank or not {low}-{high})": incidents["neighborhood"].isna(),
        "No street": incidents["block"].isna(),
        f"Street that reads as no block (published as '{UNKNOWN_BLOCK}')": incidents["block"] == UNKNOWN_BLOCK,
        "Location withheld: the incident holds a sexual offense": incidents["sexual_incident"].astype(bool),
        "Occurrence date is a placeholder (before 1901)": incidents["occurred_status"] == "placeholder",
        "Occurrence date missing": incidents["occurred_status"] == "missing",
        "Occurrence date unreadable": incidents["occurred_status"] == "unparseable",
        "Occurrence date after the month it is counted in": incidents["occurred_status"] == "after_counting_month",
    }
    rows = [
        {"problem": name, "rows": int(mask.sum()), "net_count": int(incidents.loc[mask, "count"].sum())}
        for name, mask in checks.items()
    ]
    return pd.DataFrame(rows)


def place_annual(
    counted: pd.DataFrame, slugs: list[str], years: list[int], key: str, places: list[int], since: str | None = None
) -> pd.DataFrame:
    """year, place, category, count for every place (0 = unknown location) and category, zeros included,
    so the places of a year add up to the city's total. `since` (YYYY-MM) drops earlier months, e.g.
    before the district map in use began."""
    rows = counted[["year", "month", "category", "count", key]]
    rows = rows[rows["category"].isin(slugs)]
    if since is not None:
        start = months.year_of(since) * 100 + months.number_of(since)
        rows = rows[(rows["year"].astype(int) * 100 + rows["month"].astype(int)) >= start]
        years = [year for year in years if year >= months.year_of(since)]
    keyed = rows.assign(place=rows[key].fillna(0).astype("int64"))
    sums = keyed.groupby(["year", "place", "category"], observed=True)["count"].sum()
    sums.index = sums.index.set_levels(sums.index.levels[2].astype(str), level=2)
    grid = pd.MultiIndex.from_product([years, sorted(places), slugs], names=["year", "place", "category"])
    table = sums.reindex(grid, fill_value=0).astype("int64").reset_index()
    table["year"] = table["year"].astype("int64")
    return table
