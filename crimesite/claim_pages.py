"""The claims page (official statements against the data) and the goal tracker."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimesite import claims as claims_module
from crimesite import escape, months
from crimesite.config import Goal, OtherSource
from crimesite.other_sources import Figure as OtherFigure
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
    headers = ["Claim", "Claimed", f"In {data.config.agency_short}'s files", "Verdict"]
    if other is not None:
        headers += [other.source.label, "Verdict"]
    return ClaimsPage(
        table=md_table(
            [*headers, "Why"],
            [claim_row(data, item) for item in data.claims],
            "lrrl" + ("rl" if other is not None else "") + "l",
        ),
        details=[claim_details(item.claim) for item in data.claims],
        counts={verdict: sum(1 for item in data.claims if item.verdict == verdict) for verdict in VERDICT_LABELS},
        other=other.source if other is not None else None,
        other_description=other.source.description if other is not None else None,  # site.yml: our own words
        count_close_percent=f"{claims_module.COUNT_CLOSE_SHARE * 100:g}",
        percent_tolerance=claims_module.PERCENT_TOLERANCE,
        share_tolerance=claims_module.SHARE_TOLERANCE,
        partial_share_minimum=claims_module.PARTIAL_SHARE_MINIMUM,
    )


def claim_row(data: SiteData, item: claims_module.Check) -> list[str]:
    """A claim's row: the statement, its figure, the raw files' figure and verdict, the other source's when
    checked against it, and why."""
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
        row += [format_figure(claim.measure, item.other.computed), f"**{VERDICT_LABELS[item.other.verdict]}**"]
        why += " " + sentence(item.other.reason)
    return [*row, why]


def claim_details(claim: claims_module.Claim) -> dict:
    """The notes under the table for a claim: who said it, when, the source, its link and note (escaped)."""
    return {
        "claim": claim,
        "who": escape.text(claim.who),
        "said_on": escape.text(said_on_label(claim)),
        "source": escape.text(claim.source),
        "url": claim.url,
        "note": escape.text(claim.note),
    }


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
    """Baseline, target path and actual figures for one measure of a goal."""
    years = range(goal.baseline_year, goal.target_year + 1)
    actual = {year: actual_figure(data, measure, year) for year in years}
    others = {year: data.other.figure(measure, year) if data.other is not None else None for year in years}
    baseline, baseline_source = goal_baseline(data, goal, measure, actual[goal.baseline_year], others)
    target = round(baseline * (1 - goal.reduction_percent / 100)) if baseline is not None else None
    path = goal_path(goal, baseline, target)
    complete = [year for year in years[1:] if data.cover.is_complete(year)]
    other_years = [year for year in years[1:] if others[year] is not None]
    return GoalMeasure(
        name=measure_name(data, measure),
        baseline=baseline,
        baseline_source=baseline_source,
        target=target,
        gap=path_gap(path, complete, actual),
        other_gap=path_gap(
            path, other_years, {year: found.value for year, found in others.items() if found is not None}
        ),
        other_has_none=data.other is not None and not other_years and others[goal.baseline_year] is None,
        table=goal_table(data, goal, actual, others, path),
    )


def path_gap(path: dict[int, float], years: list[int], values: dict[int, int | None]) -> GoalGap | None:
    """The last of `years` (its figure in `values`) against the path to the goal; None without a path or years."""
    if not path or not years:
        return None
    return GoalGap(years[-1], values[years[-1]], round(path[years[-1]]))


def actual_figure(data: SiteData, measure: str, year: int) -> int | None:
    """The raw files' figure for a measure (a category slug or `shootings`) in a year; None when no file stands
    for any month of it, or when a month lacks the shootings."""
    if data.cover.months_in(year) == 0:
        return None
    if measure == "shootings":
        rows = data.shootings[data.shootings["month"].map(months.year_of) == year]
        return None if rows["shootings"].isna().any() else int(rows["shootings"].sum())
    return int(data.annual.loc[(data.annual["year"] == year) & (data.annual["category"] == measure), "count"].sum())


def goal_baseline(
    data: SiteData, goal: Goal, measure: str, computed: int | None, others: dict[int, OtherFigure | None]
) -> tuple[int | None, str | None]:
    """A goal's baseline and where it comes from: the raw files' count (`computed`) for the whole baseline year;
    failing that, the other source's figure; failing that, the City's own. (None, None) without any."""
    year = goal.baseline_year
    if computed is not None and data.cover.is_complete(year):
        return computed, "computed from the data"
    lacking = (
        f"{data.config.agency_short}'s files in this build hold {data.cover.months_in(year)} of the 12 "
        f"months of {year}, and a part of a year is no baseline"
    )
    found = others[year]
    if found is not None:
        return found.value, f"the {data.other.source.label} figure (copy of {found.as_of}), because {lacking}"
    if measure == "shootings":
        return None, None
    official = [
        c.claim
        for c in data.claims
        if c.claim.measure == "count" and c.claim.category == measure and c.claim.year == year
    ]
    if not official:
        return None, None
    statement = escape.text(official[0].statement)
    return int(official[0].figure), f"the City's published figure ({statement}), because {lacking}"


def goal_path(goal: Goal, baseline: int | None, target: int | None) -> dict[int, float]:
    """Each year's figure on a straight path from the baseline to the target ({} without a baseline)."""
    if baseline is None or target is None:
        return {}
    span = goal.target_year - goal.baseline_year
    return {
        year: baseline - (baseline - target) * (year - goal.baseline_year) / span
        for year in range(goal.baseline_year, goal.target_year + 1)
    }


def goal_table(
    data: SiteData,
    goal: Goal,
    actual: dict[int, int | None],
    others: dict[int, OtherFigure | None],
    path: dict[int, float],
) -> MdTable:
    """A row per year of a goal: the path, the raw files' figure, the months in data and the other source's."""
    headers = ["Year", "On the path to the goal", f"In {data.config.agency_short}'s files", "Months in data"]
    if data.other is not None:
        headers.append(data.other.source.label)
    rows = []
    for year in range(goal.baseline_year, goal.target_year + 1):
        row = [
            str(year),
            "n/a" if not path else f"{path[year]:,.0f}",
            "n/a" if actual[year] is None else f"{actual[year]:,}",
            f"{data.cover.months_in(year)}",
        ]
        if data.other is not None:
            found = others[year]
            row.append("n/a" if found is None else f"{found.value:,}")
        rows.append(row)
    return md_table(headers, rows, "lrrr" + "r" * (data.other is not None))


def measure_name(data: SiteData, measure: str) -> str:
    """A goal measure's name, escaped: a name from the categories file."""
    name = {"shootings": "Shootings"}.get(measure) or next(c.name for c in data.categories if c.slug == measure)
    return escape.text(name)


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
