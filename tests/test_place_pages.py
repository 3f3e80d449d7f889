"""The district, neighborhood and weekly pages and their navigation, from the fixture SiteData."""

from __future__ import annotations

from crimesite import place_pages
from crimesite.cache import Cache
from crimesite.placemetrics import UNKNOWN_LABEL
from crimesite.static_charts import Charts
from tests.conftest import shown


def test_the_neighborhood_index_links_each_place_with_its_name_escaped(fixture_site_data):
    index = place_pages.neighborhood_index(fixture_site_data, fixture_site_data.places)
    assert "<script>" not in shown(index.table)
    assert "](33-script-alert-1-script-heights.md)" in shown(index.table)
    assert f"| 0 | {UNKNOWN_LABEL} |" in shown(index.table)
    assert index.count == len(fixture_site_data.places.geography.neighborhoods)


def test_a_neighborhood_page_has_its_trend_mix_and_weekly_report(fixture_site_data, tmp_path):
    data, places = fixture_site_data, fixture_site_data.places
    place = places.geography.neighborhoods[0]
    annual = places.neighborhood_annual[places.neighborhood_annual["place"] == place.number]
    page = place_pages.neighborhood_page(data, Charts(Cache.at(tmp_path)), places, place, annual)
    assert page.place == place and page.district_link == f"../districts/{place.district}.md"
    assert f'id="chart-n{place.number}-years"' in shown(page.trend.chart)
    assert f'id="chart-n{place.number}-mix"' in shown(page.mix.chart)
    assert "**The week**" in shown(page.weekly)


def test_the_navigation_groups_neighborhoods_by_district(fixture_site_data):
    nav = place_pages.place_navigation(fixture_site_data.places)
    assert [next(iter(item)) for item in nav] == ["Districts", "Neighborhoods", "Weekly report", "Maps"]
    groups = nav[1]["Neighborhoods"][1:]
    assert [next(iter(group)) for group in groups] == sorted(next(iter(group)) for group in groups)
    titles = [title for group in groups for entry in next(iter(group.values())) for title in entry]
    assert all("<" not in title for title in titles)  # a name from the table is escaped for the navigation
