"""The claims page (official statements against the data) and the goal tracker."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimesite import claims as claims_module
from crimesite import escape, months
from crimesite.config import Goal, OtherSource
from crimesite.page_blocks import MdTable, md_table
from crimesite.sitedata import SiteData

VERDICT_LABELS = {"matches": "Matches", "close": "Close", "differs": "Differs", "not checkable": "Not checkable"}


def format_figure(measure: str, value: float | None) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    if measure == "count":
        return f"{int(value):,}"
    if measure == "percent_change":
        return f"{value:+.1f}%"
    return f"{value:.1f}%"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def said_on_label(claim: claims_module.Claim) -> str:
    if not claim.said_on:
        return "date not recorded"
    return f"{claim.said_on} (approximate date)" if claim.said_on_approximate else claim.said_on


def vintage_note(data: SiteData, vintage: claims_module.Vintage) -> str:
    return f"matches {data.config.agency_short}'s count as of the {vintage.release} release ({vintage.value:,})"


@dataclass(frozen=True)
class ClaimsPage:
    """The claims page's table and notes (claims.md.j2 reads them as `claims`)."""

    table: MdTable
    details: list[dict]  # per claim: the claim, who said it, when, the source, its link and note (escaped)
    counts: dict[str, int]  # claims by verdict
    other: OtherSource | None
    other_description: str | None
    count_close_percent: str
    percent_tolerance: tuple[float, float]
    share_tolerance: tuple[float, float]
    partial_share_minimum: int


def claims_page(data: SiteData) -> ClaimsPage:
    """Each claim beside the raw files' figure and, when the site has one, the other source's: a verdict
    against each, never one figure made of both."""
    other = data.other
    rows = []
    for item in data.claims:
        claim = item.claim
        row = [
            escape.text(claim.statement),
            format_figure(claim.measure, claim.figure),
            format_figure(claim.measure, item.computed),
            f"**{VERDICT_LABELS[item.verdict]}**",
        ]
        why = sentence(item.reason)
        if item.vintage is not None:
            why += " " + sentence(vintage_note(data, item.vintage))
        if item.other is not None:
            row += [
                format_figure(claim.measure, item.other.computed),
                f"**{VERDICT_LABELS[item.other.verdict]}**",
            ]
            why += " " + sentence(item.other.reason)
        rows.append([*row, why])
    files = f"In {data.config.agency_short}'s files"
    headers = ["Claim", "Claimed", files, "Verdict"]
    if other is not None:
        headers += [other.source.label, "Verdict"]
    details = [
        {
            "claim": item.claim,
            "who": escape.text(item.claim.who),
            "said_on": escape.text(said_on_label(item.claim)),
            "source": escape.text(item.claim.source),
            "url": item.claim.url,
            "note": escape.text(item.claim.note),
        }
        for item in data.claims
    ]
    counts = {verdict: sum(1 for item in data.claims if item.verdict == verdict) for verdict in VERDICT_LABELS}
    return ClaimsPage(
        table=md_table([*headers, "Why"], rows, "lrrl" + ("rl" if other is not None else "") + "l"),
        details=details,
        counts=counts,
        other=other.source if other is not None else None,
        other_description=other.source.description if other is not None else None,  # site.yml: our own words
        count_close_percent=f"{claims_module.COUNT_CLOSE_SHARE * 100:g}",
        percent_tolerance=claims_module.PERCENT_TOLERANCE,
        share_tolerance=claims_module.SHARE_TOLERANCE,
        partial_share_minimum=claims_module.PARTIAL_SHARE_MINIMUM,
    )


@dataclass(frozen=True)
class GoalGap:
    """How far a year's figure is from the path to a goal."""

    year: int
    actual: int | None
    path: int


@dataclass(frozen=True)
class GoalMeasure:
    """One measure of a goal: its baseline, target and path, year by year."""

    name: str  # escaped: a name from the categories file
    baseline: int | None
    baseline_source: str | None
    target: int | None
    gap: GoalGap | None  # the latest whole year on the path, against the raw files' count
    other_gap: GoalGap | None  # the same against the other source's figure
    other_has_none: bool
    table: MdTable


def goal_measure(data: SiteData, goal: Goal, measure: str) -> GoalMeasure:
    """Baseline, target path and actual figures for one measure of a goal. The baseline is the raw files' count
    for the whole baseline year; failing that, the other source's figure; failing that, the City's own."""
    yearly = data.annual.groupby(["year", "category"])["count"].sum()
    shootings = data.shootings.assign(year=data.shootings["month"].map(months.year_of))
    other = data.other

    def actual(year: int) -> int | None:
        if data.cover.months_in(year) == 0:
            return None
        if measure == "shootings":
            rows = shootings[shootings["year"] == year]
            return None if rows["shootings"].isna().any() else int(rows["shootings"].sum())
        return int(yearly.get((year, measure), 0))

    def other_value(year: int) -> int | None:
        found = other.figure(measure, year) if other is not None else None
        return found.value if found is not None else None

    baseline = actual(goal.baseline_year) if data.cover.is_complete(goal.baseline_year) else None
    baseline_source = "computed from the data" if baseline is not None else None
    lacking = (
        f"{data.config.agency_short}'s files in this build hold {data.cover.months_in(goal.baseline_year)} of the 12 "
        f"months of {goal.baseline_year}, and a part of a year is no baseline"
    )
    if baseline is None and other_value(goal.baseline_year) is not None:
        found = other.figure(measure, goal.baseline_year)
        baseline = found.value
        baseline_source = f"the {other.source.label} figure (copy of {found.as_of}), because {lacking}"
    if baseline is None and measure != "shootings":
        official = [
            c.claim
            for c in data.claims
            if c.claim.measure == "count" and c.claim.category == measure and c.claim.year == goal.baseline_year
        ]
        if official:
            baseline = int(official[0].figure)
            baseline_source = f"the City's published figure ({escape.text(official[0].statement)}), because {lacking}"
    target = round(baseline * (1 - goal.reduction_percent / 100)) if baseline is not None else None
    rows = []
    span = goal.target_year - goal.baseline_year

    def path_at(year: int) -> float:
        return baseline - (baseline - target) * (year - goal.baseline_year) / span

    for year in range(goal.baseline_year, goal.target_year + 1):
        value = actual(year)
        row = [
            str(year),
            "n/a" if baseline is None else f"{path_at(year):,.0f}",
            "n/a" if value is None else f"{value:,}",
            f"{data.cover.months_in(year)}",
        ]
        if other is not None:
            found = other_value(year)
            row.append("n/a" if found is None else f"{found:,}")
        rows.append(row)
    complete = [year for year in range(goal.baseline_year + 1, goal.target_year + 1) if data.cover.is_complete(year)]
    gap = None
    if baseline is not None and complete:
        year = complete[-1]
        gap = GoalGap(year, actual(year), round(path_at(year)))
    other_years = [
        year for year in range(goal.baseline_year + 1, goal.target_year + 1) if other_value(year) is not None
    ]
    other_gap = None
    if baseline is not None and other_years:
        year = other_years[-1]
        other_gap = GoalGap(year, other_value(year), round(path_at(year)))
    name = {"shootings": "Shootings"}.get(measure) or next(c.name for c in data.categories if c.slug == measure)
    name = escape.text(name)  # a name from the categories file
    headers = ["Year", "On the path to the goal", f"In {data.config.agency_short}'s files", "Months in data"]
    return GoalMeasure(
        name=name,
        baseline=baseline,
        baseline_source=baseline_source,
        target=target,
        gap=gap,
        other_gap=other_gap,
        other_has_none=other is not None and not other_years and other_value(goal.baseline_year) is None,
        table=md_table(
            headers + ([other.source.label] if other is not None else []), rows, "lrrr" + "r" * (other is not None)
        ),
    )


@dataclass(frozen=True)
class GoalSection:
    """One goal on the goal tracker."""

    goal: Goal
    said_on: str
    measures: list[GoalMeasure]


def goals_page(data: SiteData) -> list[GoalSection]:
    return [
        GoalSection(
            goal,
            f"{goal.said_on} (approximate date)" if goal.said_on_approximate else goal.said_on,
            [goal_measure(data, goal, measure) for measure in goal.measures],
        )
        for goal in data.config.goals
    ]
