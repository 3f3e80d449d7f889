"""The home page's comparisons and homicide trend, and the crime and year indexes, from the fixture SiteData."""

from __future__ import annotations

from crimesite import home_pages
from crimesite.cache import Cache
from crimesite.static_charts import Charts
from tests.conftest import shown


def test_the_crime_index_links_every_part1_crime_with_its_latest_count(fixture_site_data):
    lines = shown(home_pages.crime_index(fixture_site_data)).splitlines()
    assert lines[0] == "| Crime | UCR class | 2024 |"
    assert len(lines) == 2 + len(fixture_site_data.part1)
    assert lines[2].startswith("| [Homicide](homicide.md) | 01 | ")


def test_the_year_index_marks_the_years_without_files(fixture_site_data):
    table = shown(home_pages.year_index(fixture_site_data))
    assert "| [2024](2024.md) | 2 |" in table
    assert "| 2018–2023 | no files |" in table


def test_the_headline_sets_the_latest_months_against_the_last_year_that_has_them(fixture_site_data):
    headline = home_pages.headline(fixture_site_data)
    assert headline.latest.period == "January to February 2024"
    assert headline.missing_prior == "January to February 2023"


def test_the_homicide_trend_is_a_static_chart_with_its_table(fixture_site_data, tmp_path):
    trend = home_pages.homicide_trend(fixture_site_data, Charts(Cache.at(tmp_path)))
    assert 'id="chart-homicide-years"' in shown(trend.chart) and "<svg" in shown(trend.chart)
    assert '<table id="table-homicide-years">' in shown(trend.table)
