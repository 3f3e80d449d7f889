"""The methodology, data-quality and revisions pages, from the fixture SiteData."""

from __future__ import annotations

import dataclasses

from crimesite import method_pages
from crimesite.cache import Cache
from crimesite.static_charts import Charts
from tests.conftest import shown


def test_a_files_months_are_shown_as_runs():
    assert method_pages.span_label(("2021-01", "2021-02", "2021-03", "2024-02")) == "2021-01 to 2021-03, 2024-02"


def test_the_category_table_lists_every_category(fixture_site_data):
    lines = shown(method_pages.category_table(fixture_site_data)).splitlines()
    assert len(lines) == 2 + len(fixture_site_data.categories)
    assert lines[2].startswith("| 01 | homicide | Homicide | Part I |")


def test_a_raw_file_name_is_escaped_on_the_data_quality_page(fixture_site_data):
    hostile = dataclasses.replace(fixture_site_data.files[0], name="<img src=x onerror=alert(1)>.csv")
    data = dataclasses.replace(fixture_site_data, files=(hostile, *fixture_site_data.files[1:]))
    quality = method_pages.quality_page(data)
    assert "<img" not in shown(quality.files) and "&#60;img src&#61;x" in shown(quality.files)
    assert quality.files_count == len(data.files)


def test_the_revisions_page_charts_each_part1_crime(fixture_site_data, tmp_path):
    page = method_pages.revisions_page(fixture_site_data, Charts(Cache.at(tmp_path)))
    assert page.releases and page.latest
    assert [chart.category for chart in page.charts] == list(fixture_site_data.part1)
    assert all("<svg" in shown(chart.chart) for chart in page.charts)
