"""crimesite.weekly: which weeks the data covers, their months, and the weekly rule for a percentage change (the
report's sums against hand counts are in tests/test_places.py)."""

from __future__ import annotations

import pandas as pd

from crimesite import metrics, months, weekly


def cover_of(first: str, last: str, methods_break: str | None = None, missing: tuple[str, ...] = ()):
    return metrics.coverage([m for m in months.span(first, last) if m not in missing], methods_break)


def test_a_day_falls_in_the_month_of_its_key():
    assert weekly.month_key(pd.Timestamp("2019-01-31")) == "2019-01"
    assert weekly.month_key(pd.Timestamp("2020-02-29 23:59")) == "2020-02"


def test_the_data_ends_on_the_last_day_of_its_last_month():
    assert weekly.data_end(cover_of("2023-01", "2024-02")) == pd.Timestamp("2024-02-29")
    assert weekly.latest_week_end(cover_of("2023-01", "2024-02")) == pd.Timestamp("2024-02-25")  # a Sunday


def test_a_week_is_usable_only_when_every_day_is_covered_on_week_0s_side_of_the_break():
    cover = cover_of("2017-01", "2019-01", methods_break="2018-06")
    end = weekly.latest_week_end(cover)  # Sunday 27 January 2019
    usable = weekly.usable_weeks(end, cover)
    assert usable[0] and usable[3]  # 31 December 2018 to 6 January 2019: both months covered
    assert not usable[40]  # April 2018: before the methods break
    gap = cover_of("2017-01", "2019-01", methods_break="2018-06", missing=("2018-12",))
    assert weekly.usable_weeks(end, gap)[2] and not weekly.usable_weeks(end, gap)[3]  # a day in a missing month
    since = weekly.usable_weeks(end, cover, since="2019-01")
    assert since[2] and not since[3]  # a week that starts before `since` is left out


def test_the_year_earlier_is_compared_only_when_covered_on_the_same_side():
    day = pd.Timestamp("2018-01-03")
    daily = pd.DataFrame({"place": ["all"], "category": ["burglary"], "date": [day], "count": [4]})
    end = pd.Timestamp("2019-01-27")
    current, prior = weekly.year_to_date(daily, end, ["all"], ["burglary"], cover_of("2017-06", "2019-01"))
    assert (current[0], prior[0]) == (0, 4)
    _, cut = weekly.year_to_date(daily, end, ["all"], ["burglary"], cover_of("2018-02", "2019-01"))
    assert pd.isna(cut[0])  # January 2018 is not in the data


def test_a_weekly_percent_change_is_metrics_change_above_the_minimum_count():
    floor = weekly.MIN_COUNT_FOR_PERCENT
    assert weekly.percent_change(floor + 5, floor) == metrics.percent_change(floor + 5, floor) == 25.0
    assert weekly.percent_change(floor - 1, floor * 3) is None
    assert weekly.percent_change(pd.NA, floor) is None
