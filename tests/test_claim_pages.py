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
