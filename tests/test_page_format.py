"""How the pages print numbers, codes, names and runs of years."""

from __future__ import annotations

import pandas as pd

from crimesite import page_format
from crimesite.page_format import NO_FILES


def test_numbers_changes_and_percents():
    assert page_format.fmt_int(12345) == "12,345"
    assert page_format.fmt_count(pd.NA) == page_format.NOT_COUNTED and page_format.fmt_count(7) == "7"
    assert (page_format.fmt_change(3), page_format.fmt_change(-1200), page_format.fmt_change(0)) == (
        "+3",
        "-1,200",
        "0",
    )
    assert page_format.fmt_percent(None) == "n/a" and page_format.fmt_percent(float("nan")) == "n/a"
    assert (page_format.fmt_percent(12.345), page_format.fmt_percent(0)) == ("+12.3%", "0.0%")


def test_a_navigation_title_from_a_file_is_escaped():
    assert "<" not in page_format.nav_title("<script>alert(1)</script> Heights")
    assert page_format.nav_title("Old Downtown") == "Old Downtown"


def test_runs_of_years_without_files_become_one_row_and_never_zero():
    rows = [[2019, "5"], [2024, "7"]]
    filled = page_format.with_gap_rows(rows, [2019, 2024], ((2020, 2023),), page_format.year_run_label)
    assert filled == [[2019, "5"], ["2020–2023", NO_FILES], [2024, "7"]]
    descending = page_format.with_gap_rows(rows, [2019, 2024], ((2020, 2023),), page_format.year_run_label, True)
    assert [row[0] for row in descending] == [2024, "2020–2023", 2019]
    outside = page_format.with_gap_rows(rows, [2019, 2024], ((2025, 2025),), page_format.year_run_label)
    assert outside == rows  # a run past the last key is not the table's


def test_a_gap_sentence_names_the_runs_inside_the_span_only():
    runs = ((2016, 2016), (2018, 2023))
    assert (
        page_format.gap_sentence(runs, page_format.year_run_label, 2013, 2024) == " No files stand for 2016, 2018–2023."
    )
    assert page_format.gap_sentence(runs, page_format.year_run_label, 2016, 2017) == ""


def test_months_label_names_a_part_of_a_year():
    assert page_format.months_label(2020, 12) == "2020"
    assert page_format.months_label(2024, 4) == "January to April 2024"


def test_direction_and_plural():
    assert [page_format.direction(n) for n in (2, -2, 0)] == ["up", "down", "unchanged"]
    assert (page_format.plural(1, "month"), page_format.plural(1200, "month")) == ("1 month", "1,200 months")
