"""Counts the pages show. DataFrame in, DataFrame out; no I/O.

Every total is a sum of the `count` column (+1/-1), never a count of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimesite.reference import Category

ROLLING_MONTHS = 12


@dataclass(frozen=True)
class Coverage:
    """Which counting months the data holds."""

    months: tuple[str, ...]  # YYYY-MM, sorted
    first: str
    last: str
    missing: tuple[str, ...]  # months between first and last with no rows at all

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(int(self.first[:4]), int(self.last[:4]) + 1))

    def months_in(self, year: int) -> int:
        return sum(1 for month in self.months if month.startswith(f"{year:04d}-"))

    def is_complete(self, year: int) -> bool:
        return self.months_in(year) == 12


def month_labels(frame: pd.DataFrame) -> pd.Series:
    return (
        frame["year"].astype(int).astype(str).str.zfill(4) + "-" + frame["month"].astype(int).astype(str).str.zfill(2)
    )


def coverage(incidents: pd.DataFrame) -> Coverage:
    if incidents.empty:
        raise ValueError("no incidents: the raw files hold no rows")
    present = sorted(set(month_labels(incidents[["year", "month"]].drop_duplicates())))
    span = pd.period_range(present[0], present[-1], freq="M").strftime("%Y-%m").tolist()
    missing = tuple(month for month in span if month not in set(present))
    return Coverage(tuple(present), present[0], present[-1], missing)


def annual_counts(incidents: pd.DataFrame, categories: tuple[Category, ...], cover: Coverage) -> pd.DataFrame:
    """year, category, count for every year in the data and every category (zeros included)."""
    sums = incidents.groupby(["year", "category"], observed=True)["count"].sum()
    grid = pd.MultiIndex.from_product([list(cover.years), [c.slug for c in categories]], names=["year", "category"])
    table = sums.reindex(grid, fill_value=0).astype("int64").reset_index()
    table["year"] = table["year"].astype("int64")
    return table


def monthly_counts(incidents: pd.DataFrame, categories: tuple[Category, ...], cover: Coverage) -> pd.DataFrame:
    """month (YYYY-MM), category, count for every month the data covers and every category.

    Months inside the range with no file at all are left out rather than shown as zero.
    """
    keyed = incidents.assign(month_label=month_labels(incidents))
    sums = keyed.groupby(["month_label", "category"], observed=True)["count"].sum()
    grid = pd.MultiIndex.from_product([list(cover.months), [c.slug for c in categories]], names=["month", "category"])
    return sums.reindex(grid, fill_value=0).astype("int64").reset_index()


def rolling_sum(monthly: pd.DataFrame, cover: Coverage) -> pd.DataFrame:
    """The 12-month rolling sum per category; empty where the 12 months are not all in the data."""
    span = pd.period_range(cover.first, cover.last, freq="M").strftime("%Y-%m")
    wide = monthly.pivot(index="month", columns="category", values="count").reindex(span)
    rolled = wide.rolling(ROLLING_MONTHS, min_periods=ROLLING_MONTHS).sum()
    long = rolled.reset_index(names="month").melt(id_vars="month", var_name="category", value_name="rolling_12")
    long = long[long["month"].isin(set(cover.months))]
    long["rolling_12"] = long["rolling_12"].astype("Int64")
    return long.reset_index(drop=True)


def with_change(current: pd.Series, previous: pd.Series) -> pd.DataFrame:
    """Counts side by side with the change and the percentage change (none when the base is 0)."""
    table = pd.DataFrame({"current": current, "previous": previous}).fillna(0).astype("int64")
    table["change"] = table["current"] - table["previous"]
    base = table["previous"].where(table["previous"] > 0)
    table["percent_change"] = (table["change"] / base * 100).round(1)
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
    months = {f"{year:04d}-{m:02d}" for m in range(1, through_month + 1)}
    return monthly[monthly["month"].isin(months)].groupby("category")["count"].sum()


def top_descriptions(incidents: pd.DataFrame, category: str, year: int, limit: int = 10) -> pd.DataFrame:
    """The most frequent descriptions (by summed count) within a category and year."""
    rows = incidents[(incidents["category"] == category) & (incidents["year"] == year)]
    sums = rows.groupby("description", observed=True)["count"].sum()
    sums = sums[sums != 0].reset_index().sort_values(["count", "description"], ascending=[False, True])
    return sums.head(limit).reset_index(drop=True)


def quality_summary(incidents: pd.DataFrame) -> pd.DataFrame:
    """Rows and net counts for each problem that does not change a total."""
    checks = {
        "No usable coordinates (0 or blank)": incidents["location_status"] == "missing",
        "Coordinates outside the city's box": incidents["location_status"] == "outside_bounds",
        "No district (0 or blank)": incidents["district"].isna(),
        "No neighborhood (0, blank or not 1-88)": incidents["neighborhood"].isna(),
        "No street": incidents["block"].isna(),
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
