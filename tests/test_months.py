"""crimesite.months: keys, labels, spans and runs of counting months."""

import pandas as pd
import pytest

from crimesite import months


def test_key_and_parts_round_trip_through_period() -> None:
    march = months.period("2024-03")
    assert isinstance(march, pd.Period)
    assert (months.key(march), months.year_of("2024-03"), months.number_of(march)) == ("2024-03", 2024, 3)
    assert months.key(months.of(2008, 1)) == months.key_of(2008, 1) == "2008-01"


def test_shifted_crosses_years() -> None:
    assert months.shifted("2023-12", 1) == "2024-01"
    assert months.shifted("2024-01", -13) == "2022-12"


def test_labels() -> None:
    assert months.label("2019-12") == "December 2019"
    assert months.name_of(9) == "September"
    assert months.run_label("2024-01", "2024-01") == "January 2024"
    assert months.run_label("2023-11", "2024-02") == "November 2023 to February 2024"
    assert months.run_label_in_year("2024-03", "2024-05") == "March to May"
    assert months.key_run_label("2021-01", "2023-12") == "2021-01 to 2023-12"


def test_span_and_year() -> None:
    assert months.span("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert months.span("2024-02", "2024-01") == []
    assert months.of_year(2024, through=3) == ["2024-01", "2024-02", "2024-03"]
    assert len(months.of_year(2020)) == 12
    assert months.years(["2021-05", "2019-01", "2021-01"]) == (2019, 2021)


def test_runs_sort_and_merge_consecutive_months() -> None:
    given = ["2024-05", "2023-12", "2024-01", "2024-02", "2024-05"]
    assert months.runs(given) == (("2023-12", "2024-02"), ("2024-05", "2024-05"))
    assert months.runs_label(given) == "2023-12 to 2024-02, 2024-05"
    assert months.runs([]) == ()


@pytest.mark.parametrize("text", ["2024-13", "24-01", "March"])
def test_a_malformed_key_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        months.period(text)
