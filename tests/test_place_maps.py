"""The maps: by neighborhood and by district, and the last 28 days, from the fixture SiteData."""

from __future__ import annotations

import dataclasses

import pytest

from crimesite import place_maps
from crimesite.cache import Cache
from crimesite.static_charts import Charts
from tests.conftest import shown


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> Charts:
    return Charts(Cache.at(tmp_path_factory.mktemp("svg")))


def test_the_maps_page_has_both_maps_with_their_tables(fixture_site_data, figures):
    page = place_maps.maps_page(fixture_site_data, figures, fixture_site_data.places)
    for kind in ("neighborhood", "district"):
        section = page[f"{kind}s"]
        assert section["available"] and f'id="chart-{kind}-map"' in shown(section["chart"])
        assert f'<table id="table-{kind}-values">' in shown(section["table"])


def test_a_neighborhood_name_from_the_table_is_escaped_in_the_map_table(fixture_site_data, figures):
    table = shown(place_maps.neighborhood_map(fixture_site_data, figures, fixture_site_data.places)["table"])
    assert "<script>alert(1)</script>" not in table and "&#60;script&#62;alert&#40;1&#41;" in table


def test_without_boundaries_the_areas_are_ranked_instead(fixture_site_data, figures):
    places = fixture_site_data.places
    bare = dataclasses.replace(places, geography=dataclasses.replace(places.geography, district_shapes=None))
    data = dataclasses.replace(fixture_site_data, places=bare)
    section = place_maps.district_map(data, figures, bare)
    assert not section["available"] and section["reason"] == "no district boundary file is configured"
    assert 'id="chart-district-ranked"' in shown(section["chart"])


def test_the_recent_map_counts_what_it_shows(fixture_site_data, figures):
    recent = place_maps.recent_map(fixture_site_data, figures, fixture_site_data.places)
    assert recent["available"] and 'id="chart-recent-map"' in shown(recent["chart"])
    assert "Rape" not in shown(recent["counts"])  # sexual offenses are never mapped
