"""The claims page and the goal tracker, from the fixture SiteData."""

from __future__ import annotations

import dataclasses

from crimesite import claim_pages
from tests.conftest import shown

HOSTILE = "<script>alert(1)</script> [link](x) **loud**"


def test_figures_are_printed_by_measure():
    assert claim_pages.format_figure("count", 1234.0) == "1,234"
    assert claim_pages.format_figure("percent_change", -15.0) == "-15.0%"
    assert claim_pages.format_figure("share", 90.0) == "90.0%"
    assert claim_pages.format_figure("count", None) == "n/a"


def test_a_claim_from_the_claims_file_is_escaped_and_our_verdicts_are_not(fixture_site_data):
    first = fixture_site_data.claims[0]
    hostile = dataclasses.replace(first, claim=dataclasses.replace(first.claim, statement=HOSTILE, who=HOSTILE))
    data = dataclasses.replace(fixture_site_data, claims=(hostile, *fixture_site_data.claims[1:]))
    page = claim_pages.claims_page(data)
    assert "<script>" not in shown(page.table) and "[link](x)" not in shown(page.table)
    assert "<script>" not in page.details[0]["who"]
    assert "**Matches**" in shown(page.table) or "**Differs**" in shown(page.table)
    assert sum(page.counts.values()) == len(data.claims)


def test_each_goal_measure_has_a_row_per_year_of_its_path(fixture_site_data):
    goals = claim_pages.goals_page(fixture_site_data)
    assert goals, "site.yml names no goal"
    goal = goals[0].goal
    measure = goals[0].measures[0]
    years = goal.target_year - goal.baseline_year + 1
    assert [row[0] for row in measure.table.rows] == [str(y) for y in range(goal.baseline_year, goal.target_year + 1)]
    assert len(measure.table.rows) == years


def test_the_path_to_a_goal_runs_straight_from_the_baseline_to_the_target(fixture_site_data):
    goal = dataclasses.replace(fixture_site_data.config.goals[0], baseline_year=2020, target_year=2024)
    assert claim_pages.goal_path(goal, 100, 60) == {2020: 100, 2021: 90, 2022: 80, 2023: 70, 2024: 60}
    assert claim_pages.goal_path(goal, None, None) == {}


def test_a_baseline_year_outside_the_files_falls_back_to_the_citys_published_figure(fixture_site_data):
    goal = dataclasses.replace(fixture_site_data.config.goals[0], baseline_year=1990, target_year=1995)
    first = fixture_site_data.claims[0]
    published = dataclasses.replace(
        first, claim=dataclasses.replace(first.claim, measure="count", category="homicide", year=1990, figure=42.0)
    )
    data = dataclasses.replace(fixture_site_data, claims=(published,), other=None)
    baseline, source = claim_pages.goal_baseline(data, goal, "homicide", None, {1990: None})
    assert baseline == 42
    assert source.startswith("the City's published figure (") and "hold 0 of the 12 months of 1990" in source
    assert claim_pages.goal_baseline(data, goal, "shootings", None, {1990: None}) == (None, None)
