"""The one Jinja environment, the context every page shares, the citywide pages and the navigation."""

from __future__ import annotations

import jinja2
import pytest

from crimesite import pages, place_pages
from crimesite.cache import Cache
from crimesite.placemetrics import UNKNOWN_LABEL
from crimesite.static_charts import Charts


def test_a_missing_variable_is_an_error():
    with pytest.raises(jinja2.UndefinedError):
        pages.environment().from_string("{{ nowhere }}").render()


def test_our_own_text_is_set_as_it_is_and_the_text_filter_escapes_a_raw_value():
    template = pages.environment().from_string("{{ city }}: {{ name | text }} {{ 1234 | n }}")
    assert template.render(city="St. Louis", name="<b>x</b>") == "St. Louis: &#60;b&#62;x&#60;/b&#62; 1,234"


def test_every_page_shares_the_site_context(fixture_site_data):
    render = pages.renderer(fixture_site_data)
    about = render("about.md.j2")  # made from the shared context alone
    assert fixture_site_data.config.agency in about and "St&#46;" not in about


def test_the_unknown_location_label_is_the_one_constant(fixture_site_data, tmp_path):
    data, figures = fixture_site_data, Charts(Cache.at(tmp_path))
    districts = pages.renderer(data)("districts.md.j2", place_pages.district_index(data, figures, data.places))
    assert f"counted under **{UNKNOWN_LABEL}**" in districts
    assert f"| {UNKNOWN_LABEL} |" in districts


def test_the_citywide_pages_are_rendered_with_the_renderer_they_are_given(fixture_site_data, tmp_path):
    rendered = []

    def render(template: str, page: object = None, **context: object) -> str:
        rendered.append(template)
        return template

    made = pages.render_pages(fixture_site_data, Charts(Cache.at(tmp_path)), render)
    assert made["index.md"] == "home.md.j2" and made["crimes/homicide.md"] == "crime.md.j2"
    assert rendered.count("crime.md.j2") == len(fixture_site_data.part1)
    assert rendered.count("year.md.j2") == len(fixture_site_data.cover.years)
    assert "revisions.md" in made  # the fixture's NIBRS releases revise their months


def test_the_navigation_lists_each_crime_and_year_newest_first(fixture_site_data):
    nav = pages.navigation(fixture_site_data)
    sections = [next(iter(item)) for item in nav]
    assert sections[:3] == ["Home", "Crimes", "Years"] and "Methodology" in sections
    crimes = nav[1]["Crimes"]
    assert crimes[0] == "crimes/index.md" and crimes[1] == {"Homicide": "crimes/homicide.md"}
    years = [next(iter(entry)) for entry in nav[2]["Years"][1:]]
    assert years == sorted(years, reverse=True) and years[0] == "2024"
    data = [next(iter(entry)) for entry in nav[sections.index("Data")]["Data"]]
    assert data == ["Downloads", "Data dictionary", "Data quality", "Revisions"]
