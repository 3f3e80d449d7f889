"""SiteData: what every page is made from, with the years and the methods break the pages ask it for."""

from __future__ import annotations

from crimesite.placemetrics import PlaceData


def test_the_parts_split_the_categories(fixture_site_data):
    data = fixture_site_data
    assert {c.part for c in data.part1} == {1} and {c.part for c in data.part2} == {2}
    assert len(data.part1) + len(data.part2) == len(data.categories)
    assert [c.slug for c in data.part1][:2] == ["homicide", "rape"]


def test_the_latest_year_and_the_break_come_from_the_coverage(fixture_site_data):
    data = fixture_site_data
    assert (data.cover.first, data.cover.last) == ("2013-04", "2024-02")
    assert data.latest_year == 2024
    assert (data.break_month, data.break_year) == ("2021-01", 2021)  # the files reach both sides of it


def test_places_are_typed(fixture_site_data):
    assert isinstance(fixture_site_data.places, PlaceData)
