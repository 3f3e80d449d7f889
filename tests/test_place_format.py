"""How the place pages print dates, rates, weekly changes and the weekly report."""

from __future__ import annotations

import pandas as pd

from crimesite import page_blocks, place_format, weekly
from tests.conftest import shown


def test_dates_rates_and_counts():
    assert place_format.date_label(pd.Timestamp(2024, 2, 5)) == "February 5, 2024"
    assert (place_format.rate_text(None), place_format.rate_text(12.345)) == ("n/a", "12.3")
    assert (place_format.count_text(pd.NA), place_format.count_text(1234)) == ("n/a", "1,234")


def test_a_change_gives_its_percent_only_past_the_minimum_count():
    big = weekly.MIN_COUNT_FOR_PERCENT * 2
    assert place_format.change_text(big, big // 2).endswith("(+100%)")
    assert place_format.change_text(1, 0) == "+1"
    assert place_format.change_text(pd.NA, 3) == "n/a"


def test_the_usual_range_marks_what_is_outside_it():
    assert place_format.usual_text(9, 1, 5).startswith("**above**")
    assert place_format.usual_text(3, 1, 5) == "within (1–5)"


def test_the_weekly_report_is_three_tables_linking_each_crime(fixture_site_data):
    table = shown(place_format.weekly_table(fixture_site_data, fixture_site_data.places.weekly_city, "all"))
    assert [line for line in table.splitlines() if line.startswith("**")] == [
        "**The week**",
        "**The last 28 days**",
        "**The year to date**",
    ]
    assert table.count("[Homicide](../crimes/homicide.md)") == 3


def test_a_sortable_table_is_marked_for_tablesort():
    table = page_blocks.md_table(["a"], [], "l")
    assert shown(place_format.sortable(table)) == '<div class="sortable" markdown>\n\n| a |\n| :-- |\n\n</div>'
