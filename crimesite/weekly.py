"""CompStat-style weekly figures: counts by date of occurrence for Monday-to-Sunday weeks. DataFrame in,
DataFrame out; no I/O.

Weeks are numbered back from the latest complete week: week 0 ends on its Sunday, week 1 is the week
before, week 52 is the same week a year earlier (364 days, so the weekdays line up).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from crimesite import metrics, months
from crimesite.metrics import Coverage

# Below this count, in either period, a percentage change is noise and is not shown.
MIN_COUNT_FOR_PERCENT = 20
# The usual range of a week (or 28 days): the same week and the two either side of it, in each of up
# to this many earlier years.
RANGE_YEARS = 5
RANGE_NEIGHBOURS = 2
MIN_RANGE_YEARS = 2  # fewer earlier years than this: no verdict
WEEKS = 52 * RANGE_YEARS + RANGE_NEIGHBOURS + 4
ABOVE, WITHIN, BELOW, NO_HISTORY = "above usual range", "within usual range", "below usual range", "not enough history"


def data_end(cover: Coverage) -> pd.Timestamp:
    """The last day of the last month the data covers."""
    return months.period(cover.last).end_time.normalize()


def month_key(day: pd.Timestamp) -> str:
    """The key of the month a day falls in."""
    return months.key_of(day.year, day.month)


def latest_week_end(cover: Coverage) -> pd.Timestamp:
    """The Sunday that ends the latest complete Monday-to-Sunday week in the data."""
    last = data_end(cover)
    return last - pd.Timedelta(days=(last.day_of_week + 1) % 7)


def daily_counts(counted: pd.DataFrame, key: str | None, slugs: list[str], since: str | None = None) -> pd.DataFrame:
    """place, category, date, count: crimes by day of occurrence (rows without a usable date are left out).

    `key` is the column that names the place (an unknown place is 0); None gives the whole city as `all`.
    `since` (YYYY-MM) leaves out crimes dated earlier, e.g. before the district map in use began.
    """
    columns = ["occurred_status", "occurred_at", "category", "count"] + ([key] if key else [])
    rows = counted[columns]  # only the columns needed: filtering the whole table costs more than the sums
    rows = rows[(rows["occurred_status"] == "ok") & rows["category"].isin(slugs)]
    dates = rows["occurred_at"].dt.normalize()
    if since is not None:
        keep = dates >= pd.Timestamp(f"{since}-01")
        rows, dates = rows[keep], dates[keep]
    place = "all" if key is None else rows[key].fillna(0).astype("int64")
    frame = pd.DataFrame({"place": place, "category": rows["category"], "date": dates}, index=rows.index)
    frame["count"] = rows["count"].astype("int64")
    sums = frame.groupby(["place", "category", "date"], observed=True, as_index=False)["count"].sum()
    sums["category"] = sums["category"].astype(str)
    sums["date"] = sums["date"].astype("datetime64[s]")
    return sums


def usable_weeks(end: pd.Timestamp, cover: Coverage, since: str | None = None) -> np.ndarray:
    """For weeks 0..WEEKS-1: whether the data covers every day of the week, on the same side of the methods
    break as week 0 (counts from the two systems are not comparable), and not before `since`."""
    covered = set(cover.months)
    current_era = cover.era(month_key(end))
    usable = np.zeros(WEEKS, dtype=bool)
    for week in range(WEEKS):
        last = end - pd.Timedelta(days=7 * week)
        first = last - pd.Timedelta(days=6)
        touched = {month_key(first), month_key(last)}
        usable[week] = (
            touched <= covered
            and {cover.era(m) for m in touched} == {current_era}
            and (since is None or month_key(first) >= since)
        )
    return usable


def week_matrix(daily: pd.DataFrame, end: pd.Timestamp, places: list, slugs: list[str]) -> pd.DataFrame:
    """One row per (place, category), one column per week number 0..WEEKS-1, zeros filled."""
    days_back = (end - daily["date"]).dt.days
    recent = daily[(days_back >= 0) & (days_back < 7 * WEEKS)]
    week = (end - recent["date"]).dt.days // 7
    sums = recent.assign(week=week).groupby(["place", "category", "week"])["count"].sum()
    wide = sums.unstack("week", fill_value=0).reindex(columns=range(WEEKS), fill_value=0)
    grid = pd.MultiIndex.from_product([places, slugs], names=["place", "category"])
    return wide.reindex(grid, fill_value=0).astype("int64")


def report(
    daily: pd.DataFrame, cover: Coverage, places: list, slugs: list[str], since: str | None = None
) -> pd.DataFrame:
    """The weekly report for each (place, category): the week, the prior week, the last 28 days and the
    same 28 days a year earlier, year to date and the prior year to the same date, and the usual ranges
    of the week and of the 28 days. Counts the data cannot give are empty (<NA>)."""
    end = latest_week_end(cover)
    matrix = week_matrix(daily, end, places, slugs).to_numpy()
    usable = usable_weeks(end, cover, since)

    def window(first: int, weeks: int) -> np.ndarray:
        if first + weeks > WEEKS or not usable[first : first + weeks].all():
            return np.full(len(matrix), np.nan)
        return matrix[:, first : first + weeks].sum(axis=1).astype(float)

    table = pd.DataFrame(index=pd.MultiIndex.from_product([places, slugs], names=["place", "category"]))
    table["week"] = window(0, 1)
    table["prior_week"] = window(1, 1)
    table["last_28_days"] = window(0, 4)
    table["year_earlier_28_days"] = window(52, 4)
    for name, weeks in (("week", 1), ("28_days", 4)):
        history = [
            window(52 * years + shift, weeks)
            for years in range(1, RANGE_YEARS + 1)
            for shift in range(-RANGE_NEIGHBOURS, RANGE_NEIGHBOURS + 1)
        ]
        years_with_history = sum(
            1 for years in range(1, RANGE_YEARS + 1) if usable[52 * years : 52 * years + weeks].all()
        )
        stacked = np.vstack(history)
        enough = years_with_history >= MIN_RANGE_YEARS
        # A count's range starts at 0: the legacy files' -1 corrections can make a week's sum negative, but
        # a range of "-1 to 5" crimes means nothing to a reader.
        table[f"{name}_low"] = np.maximum(np.nanmin(stacked, axis=0), 0) if enough else np.nan
        table[f"{name}_high"] = np.maximum(np.nanmax(stacked, axis=0), 0) if enough else np.nan
    this_year, last_year = year_to_date(daily, end, places, slugs, cover)
    table["year_to_date"] = this_year
    table["prior_year_to_date"] = last_year
    return table.astype("Int64").reset_index()


def year_to_date(daily: pd.DataFrame, end: pd.Timestamp, places: list, slugs: list[str], cover: Coverage):
    """January 1 to `end`, and January 1 of the year before to the same date; the prior year is empty when
    the data does not cover it or it lies on the other side of the methods break."""
    prior_end = end - pd.DateOffset(years=1)  # 29 February becomes 28 February
    grid = pd.MultiIndex.from_product([places, slugs], names=["place", "category"])

    def total(first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
        rows = daily[(daily["date"] >= first) & (daily["date"] <= last)]
        return rows.groupby(["place", "category"])["count"].sum().reindex(grid, fill_value=0).to_numpy()

    current = total(pd.Timestamp(end.year, 1, 1), end)
    first_prior = pd.Timestamp(end.year - 1, 1, 1)
    spanned = months.span(month_key(first_prior), month_key(prior_end))
    comparable = set(spanned) <= set(cover.months) and {cover.era(m) for m in spanned} == {cover.era(month_key(end))}
    prior = total(first_prior, prior_end) if comparable else np.full(len(grid), np.nan)
    return current, prior


def weekly_series(daily: pd.DataFrame, cover: Coverage, places: list, slugs: list[str], weeks: int = 52):
    """week_start, place, category, count for the latest `weeks` complete weeks the data covers."""
    end = latest_week_end(cover)
    matrix = week_matrix(daily, end, places, slugs)
    usable = usable_weeks(end, cover)
    kept = [w for w in range(weeks) if usable[w]]
    long = matrix[kept].stack().rename("count").reset_index().rename(columns={"level_2": "week"})
    long["week_start"] = [(end - pd.Timedelta(days=7 * int(w) + 6)).strftime("%Y-%m-%d") for w in long["week"]]
    return long.sort_values(["week_start", "place", "category"])[["week_start", "place", "category", "count"]]


def percent_change(current: object, previous: object) -> float | None:
    """metrics.percent_change, or None when either count is missing or too small to mean something (the weekly
    rule: MIN_COUNT_FOR_PERCENT)."""
    if pd.isna(current) or pd.isna(previous):
        return None
    if int(current) < MIN_COUNT_FOR_PERCENT or int(previous) < MIN_COUNT_FOR_PERCENT:
        return None
    return metrics.percent_change(int(current), int(previous))


def verdict(value: object, low: object, high: object) -> str:
    """Where a count falls against the usual range of the same weeks in earlier years."""
    if pd.isna(value) or pd.isna(low) or pd.isna(high):
        return NO_HISTORY
    if value > high:
        return ABOVE
    if value < low:
        return BELOW
    return WITHIN


def week_dates(cover: Coverage) -> tuple[dt.date, dt.date]:
    end = latest_week_end(cover)
    return (end - pd.Timedelta(days=6)).date(), end.date()


def coded_by_month_end(counted: pd.DataFrame, cover: Coverage, months_after: int = 2) -> float | None:
    """How complete the latest week is likely to be: of the legacy crimes that happened in the last 7 days
    of a month (and were coded within `months_after` months), the percentage coded in that same month.
    None when the data cannot tell (no legacy months followed by `months_after` covered months)."""
    covered = set(cover.months)
    rows = counted[["era", "occurred_status", "flag_new", "occurred_at", "year", "month"]]
    rows = rows[(rows["era"] == "ucr") & (rows["occurred_status"] == "ok") & rows["flag_new"]]
    occurred = rows["occurred_at"]
    rows = rows[(occurred.dt.days_in_month - occurred.dt.day) < 7]  # the last 7 days of its month
    occurred = rows["occurred_at"]
    usable = {
        m
        for m in covered
        if all(months.shifted(m, k) in covered for k in range(1, months_after + 1)) and cover.era(m) == "ucr"
    }
    occurred_index = occurred.dt.year * 12 + occurred.dt.month
    lag = rows["year"].astype(int) * 12 + rows["month"].astype(int) - occurred_index
    labels = months.keys_of(occurred.dt.year, occurred.dt.month)
    sample = labels.isin(usable) & lag.between(0, months_after)
    if not sample.any():
        return None
    return float((lag[sample] == 0).mean() * 100)
