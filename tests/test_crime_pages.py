"""A crime's page, a year's page and the shootings page, from the fixture SiteData."""

from __future__ import annotations

import dataclasses

import pytest

from crimesite import crime_pages
from crimesite.cache import Cache
from crimesite.static_charts import Charts
from tests.conftest import shown

HOSTILE = "<img src=x onerror=alert(1)> *DESC*"


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> Charts:
    return Charts(Cache.at(tmp_path_factory.mktemp("svg")))


def test_a_crime_page_has_its_charts_and_counts(fixture_site_data, figures):
    homicide = fixture_site_data.part1[0]
    page = crime_pages.crime_page(fixture_site_data, figures, homicide)
    assert (page.category, page.latest_year, page.latest_partial) == (homicide, 2024, True)
    assert page.months_in_latest == 2
    assert 'id="chart-homicide-years"' in shown(page.chart_years) and "<svg" in shown(page.chart_years)
    assert "<svg" in shown(page.chart_months)  # every chart has its SVG
    assert '<table id="table-homicide-months">' in shown(page.table_months)


def test_descriptions_from_the_raw_files_are_escaped(fixture_site_data, figures):
    counted = fixture_site_data.counted.copy()
    counted.loc[counted["category"] == "homicide", "description"] = HOSTILE
    data = dataclasses.replace(fixture_site_data, counted=counted)
    descriptions = shown(crime_pages.crime_page(data, figures, data.part1[0]).descriptions)
    assert "<img" not in descriptions and "*DESC*" not in descriptions
    assert "&#60;img src&#61;x" in descriptions


def test_a_year_page_names_its_missing_months(fixture_site_data, figures):
    page = crime_pages.year_page(fixture_site_data, figures, 2014)
    assert page.months == 1
    assert page.missing[:2] == ["January 2014", "March 2014"]
    assert "<svg" in shown(page.chart)


def test_the_shootings_page_knows_the_legacy_era(fixture_site_data, figures):
    page = crime_pages.shootings_page(fixture_site_data, figures)
    assert page.has_legacy
    assert "<svg" in shown(page.chart) and '<table id="table-shootings">' in shown(page.table)
