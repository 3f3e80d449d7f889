"""Metrics on five-row frames whose answers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from crimesite import metrics


def frame(rows: list[tuple[int, int, str, int]]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["year", "month", "category", "count"])
    table["category"] = table["category"].astype("category")
    return table


def cover_of(table: pd.DataFrame) -> metrics.Coverage:
    """Coverage as the legacy files give it: each month with rows is covered."""
    return metrics.coverage(set(metrics.month_labels(table)), "2021-01")


@pytest.fixture
def part1(categories):
    return tuple(c for c in categories if c.part == 1)


def test_totals_are_sums_of_count_not_row_counts(part1):
    table = frame(
        [
            (2019, 1, "homicide", 1),
            (2019, 1, "homicide", 1),
            (2019, 2, "homicide", -1),
            (2019, 2, "aggravated-assault", 1),
            (2020, 1, "homicide", 1),
        ]
    )
    cover = cover_of(table)
    annual = metrics.annual_counts(table, part1, cover).set_index(["year", "category"])["count"]
    assert annual[(2019, "homicide")] == 1
    assert annual[(2019, "aggravated-assault")] == 1
    assert annual[(2020, "homicide")] == 1
    assert annual[(2019, "arson")] == 0  # every category appears, with 0 when nothing was counted
    assert len(annual) == 2 * len(part1)


def test_months_without_any_file_are_missing_not_zero(part1):
    table = frame([(2019, 1, "homicide", 1), (2019, 3, "homicide", 2), (2019, 3, "arson", 1)])
    cover = cover_of(table)
    assert cover.months == ("2019-01", "2019-03")
    assert cover.missing == ("2019-02",)
    assert not cover.is_complete(2019) and cover.months_in(2019) == 2
    monthly = metrics.monthly_counts(table, part1, cover)
    assert sorted(set(monthly["month"])) == ["2019-01", "2019-03"]
    homicides = monthly[monthly["category"] == "homicide"].set_index("month")["count"]
    assert homicides.to_dict() == {"2019-01": 1, "2019-03": 2}


def test_rolling_sum_needs_twelve_months(part1):
    rows = [(2018 + (m - 1) // 12, (m - 1) % 12 + 1, "homicide", m) for m in range(1, 14)]  # 1, 2, ... 13
    table = frame(rows)
    cover = cover_of(table)
    monthly = metrics.monthly_counts(table, part1, cover)
    rolled = metrics.rolling_sum(monthly, cover)
    homicide = rolled[rolled["category"] == "homicide"].set_index("month")["rolling_12"]
    assert homicide.isna().sum() == 11
    assert homicide["2018-12"] == sum(range(1, 13))
    assert homicide["2019-01"] == sum(range(2, 14))


def test_rolling_sum_is_empty_when_a_month_is_missing(part1):
    rows = [(2018, m, "homicide", 1) for m in range(1, 13) if m != 6] + [(2019, 1, "homicide", 1)]
    table = frame(rows)
    cover = cover_of(table)
    rolled = metrics.rolling_sum(metrics.monthly_counts(table, part1, cover), cover)
    assert rolled[rolled["category"] == "homicide"]["rolling_12"].isna().all()


def test_change_has_no_percentage_from_zero():
    table = metrics.with_change(pd.Series({"a": 5, "b": 3, "c": 0}), pd.Series({"a": 4, "b": 0, "c": 0}))
    assert table.loc["a", "change"] == 1 and table.loc["a", "percent_change"] == 25.0
    assert table.loc["b", "change"] == 3 and pd.isna(table.loc["b", "percent_change"])
    assert table.loc["c", "change"] == 0


def test_a_percent_change_needs_a_base():
    assert metrics.percent_change(30, 20) == 50.0
    assert metrics.percent_change(1, 3) == pytest.approx(-66.6667, abs=1e-4)  # unrounded: callers round
    assert metrics.percent_change(5, -2) == -350.0  # a rise read as a fall: with_change shows none for it
    assert metrics.percent_change(5, 0) is None and metrics.percent_change(pd.NA, 3) is None
    table = metrics.with_change(pd.Series({"a": 5, "b": 1}), pd.Series({"a": -2, "b": 3}))
    assert pd.isna(table.loc["a", "percent_change"]) and table.loc["b", "percent_change"] == -66.7


def test_coverage_years_and_runs_come_from_the_month_keys():
    cover = metrics.coverage({"2019-11", "2019-12", "2020-02", "2022-01"}, None)
    assert cover.years == (2019, 2020, 2022) and cover.span_years == (2019, 2020, 2021, 2022)
    assert cover.months_of(2019) == ("2019-11", "2019-12") and cover.months_in(2021) == 0
    assert cover.missing_month_runs == (("2020-01", "2020-01"), ("2020-03", "2021-12"))
    assert cover.missing_year_runs == ((2021, 2021),)
    table = pd.DataFrame({"year": [2019, 987], "month": [3, 11]})
    assert metrics.month_labels(table).tolist() == ["2019-03", "0987-11"]


def test_share_of_part1(categories):
    annual = pd.DataFrame({"year": [2019] * 3, "category": ["homicide", "larceny", "fraud"], "count": [1, 3, 50]})
    shares = metrics.part1_share(annual, categories).set_index("category")["share"]
    assert shares.to_dict() == {"homicide": 25.0, "larceny": 75.0}  # Part II (fraud) is not in the base


def test_year_to_date_compares_the_same_months(part1):
    table = frame(
        [
            (2018, 1, "homicide", 1),
            (2018, 2, "homicide", 1),
            (2018, 7, "homicide", 5),
            (2019, 1, "homicide", 2),
            (2019, 2, "homicide", 1),
        ]
    )
    cover = cover_of(table)
    monthly = metrics.monthly_counts(table, part1, cover)
    assert metrics.year_to_date(monthly, 2019, 2)["homicide"] == 3
    assert metrics.year_to_date(monthly, 2018, 2)["homicide"] == 2


def test_a_part_the_files_of_an_era_do_not_count_is_missing_not_zero(categories):
    """SLMPD's NIBRS files give no Part II: their months count Part II as missing, the legacy months as counted."""
    table = frame([(2020, 12, "other-assaults", 3), (2021, 1, "homicide", 1), (2021, 2, "homicide", 1)])
    cover = metrics.coverage({"2020-12", "2021-01", "2021-02"}, "2021-01", uncounted=(("nibrs", 2),))
    annual = metrics.annual_counts(table, categories, cover).set_index(["year", "category"])["count"]
    assert annual[(2020, "other-assaults")] == 3 and annual[(2020, "vandalism")] == 0
    assert pd.isna(annual[(2021, "other-assaults")]) and pd.isna(annual[(2021, "vandalism")])
    assert annual[(2021, "homicide")] == 2 and annual[(2021, "arson")] == 0  # Part I: counted, zeros included
    monthly = metrics.monthly_counts(table, categories, cover).set_index(["month", "category"])["count"]
    assert monthly[("2020-12", "other-assaults")] == 3
    assert pd.isna(monthly[("2021-01", "other-assaults")]) and monthly[("2021-01", "homicide")] == 1
    everything = metrics.coverage({"2021-01"}, "2021-01")  # a reader that counts every part
    assert metrics.annual_counts(table, categories, everything)["count"].notna().all()
