"""Official statements, each set beside the figure the data gives. DataFrame in, records out; no I/O but load."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from crimesite import metrics, revisions
from crimesite.errors import Problem
from crimesite.other_sources import OtherFigures
from crimesite.reference import Category

MEASURES = ("count", "percent_change", "firearm_share")
COLUMNS = [
    "id",
    "statement",
    "measure",
    "category",
    "year",
    "base_year",
    "figure",
    "who",
    "said_on",
    "source",
    "url",
    "note",
]
# Optional, after `note`: whether `said_on` is approximate (true, false or empty for false). A claims file without
# it is read as it is.
APPROXIMATE = "said_on_approximate"
FLAGS = {"true": True, "false": False, "": False}
PART1 = "part1"
# The claims page links each source as it is (a Markdown autolink): only a plain web address may be one.
URL = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    measure: str
    category: str
    year: int
    base_year: int | None
    figure: float
    who: str
    said_on: str
    source: str
    url: str
    note: str
    said_on_approximate: bool = False


@dataclass(frozen=True)
class OtherCheck:
    """A claim set beside the other source's figures."""

    computed: float | None  # the other source's figure, when it has one
    verdict: str
    reason: str


@dataclass(frozen=True)
class Vintage:
    """An earlier release's count that the claim matches when the latest count does not."""

    release: str  # the release's label (2024-02, 2021-2023)
    value: int


@dataclass(frozen=True)
class Check:
    claim: Claim
    computed: float | None  # the data's figure, when it can be computed at all
    verdict: str  # matches, close, differs, not checkable
    reason: str
    other: OtherCheck | None = None  # None when the site has no other source
    vintage: Vintage | None = None  # the claim matches the count as of an earlier release, not the latest


def load_claims(path: Path, categories: tuple[Category, ...]) -> tuple[Claim, ...]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) not in (COLUMNS, [*COLUMNS, APPROXIMATE]):
        raise ValueError(f"{path}: columns are {list(table.columns)}, expected {COLUMNS} (and {APPROXIMATE})")
    slugs = {c.slug for c in categories} | {PART1}
    claims = []
    for line, row in enumerate(table.to_dict("records"), start=2):
        if row["measure"] not in MEASURES or row["category"] not in slugs:
            raise ValueError(f"{path}:{line}: measure must be one of {MEASURES} and category a slug or {PART1}")
        try:
            year, figure = int(row["year"]), float(row["figure"])
            base = int(row["base_year"]) if row["base_year"] else None
        except ValueError as error:
            raise ValueError(f"{path}:{line}: year, base_year and figure must be numbers ({error})") from None
        if row["url"] and not URL.fullmatch(row["url"]):
            expected = "empty or a web address (http:// or https://, no spaces, quotes or angle brackets)"
            raise ValueError(str(Problem(str(path), line, "url", row["url"], expected)))
        if row["measure"] == "percent_change" and base is None:
            raise ValueError(f"{path}:{line}: a percent_change claim needs base_year")
        approximate = row.get(APPROXIMATE, "")
        if approximate not in FLAGS:
            raise ValueError(str(Problem(str(path), line, APPROXIMATE, approximate, "true, false or empty")))
        fields = {**row, "year": year, "base_year": base, "figure": figure, APPROXIMATE: FLAGS[approximate]}
        claims.append(Claim(**fields))
    return tuple(claims)


def annual_value(annual: pd.DataFrame, category: str, year: int, categories: tuple[Category, ...]) -> int | None:
    """The year's count of the category (or all Part I); None when the files do not count it that year."""
    slugs = [c.slug for c in categories if c.part == 1] if category == PART1 else [category]
    rows = annual[(annual["year"] == year) & annual["category"].isin(slugs)]
    return None if rows["count"].isna().any() else int(rows["count"].sum())


def not_counted(category: str, year: int) -> str:
    return f"the files do not count {category} in {year} (Part II is not counted from the NIBRS files)"


def coverage_gap(cover: metrics.Coverage, year: int, agency: str) -> str | None:
    """Why a year's total cannot be compared, or None when all 12 months are in the data."""
    months = cover.months_in(year)
    if months == 12:
        return None
    if months == 0:
        return f"not in {agency}'s files in this build ({year})"
    return f"{agency}'s files in this build hold only {months} of the 12 months of {year}"


# How near a figure must be: the same tolerances for the raw files and for the other source, so that the two
# verdicts can be read side by side. (tolerance for `matches`, tolerance for `close`); a count's are in crimes.
COUNT_CLOSE_SHARE = 0.02  # a count is close within 2% of the claimed figure (at least 2 crimes)
PERCENT_TOLERANCE = (1.0, 3.0)  # percentage points
SHARE_TOLERANCE = (2.0, 5.0)
# A share from part of a year is judged only with at least this many crimes behind it (the whole year is judged
# whatever its size: it is the whole count, not a sample).
PARTIAL_SHARE_MINIMUM = 30


def judge_count(value: float, claimed: float, subject: str) -> tuple[str, str]:
    return judge(value - claimed, 0.0, "crimes", close=max(2.0, abs(claimed) * COUNT_CLOSE_SHARE), subject=subject)


def judge_percent(value: float, claimed: float, subject: str) -> tuple[str, str]:
    tolerance, close = PERCENT_TOLERANCE
    return judge(value - claimed, tolerance, "percentage points", close=close, subject=subject)


def check(
    claim: Claim,
    annual: pd.DataFrame,
    counted: pd.DataFrame,
    cover: metrics.Coverage,
    categories: tuple[Category, ...],
    agency: str = "the agency",
    other: OtherFigures | None = None,
) -> Check:
    """The claim against the raw files' counts, and against the other source's figures when there is one."""
    checked = check_files(claim, annual, counted, cover, categories, agency)
    if other is None:
        return checked
    return Check(claim, checked.computed, checked.verdict, checked.reason, check_other(claim, other))


def check_files(
    claim: Claim,
    annual: pd.DataFrame,
    counted: pd.DataFrame,
    cover: metrics.Coverage,
    categories: tuple[Category, ...],
    agency: str,
) -> Check:
    if claim.measure == "count":
        gap = coverage_gap(cover, claim.year, agency)
        value = annual_value(annual, claim.category, claim.year, categories) if cover.months_in(claim.year) else None
        if gap:
            return Check(claim, value, "not checkable", gap)
        if value is None:
            return Check(claim, None, "not checkable", not_counted(claim.category, claim.year))
        return Check(claim, value, *judge_count(value, claim.figure, "the data"))
    if claim.measure == "percent_change":
        gaps = [g for g in (coverage_gap(cover, claim.base_year, agency), coverage_gap(cover, claim.year, agency)) if g]
        if gaps:
            return Check(claim, None, "not checkable", "; ".join(gaps))
        before = annual_value(annual, claim.category, claim.base_year, categories)
        after = annual_value(annual, claim.category, claim.year, categories)
        if before is None or after is None:
            year = claim.base_year if before is None else claim.year
            return Check(claim, None, "not checkable", not_counted(claim.category, year))
        change = metrics.percent_change(after, before)
        if change is None:
            return Check(claim, None, "not checkable", f"nothing was counted in {claim.base_year}")
        value = round(change, 1)
        verdict, reason = judge_percent(value, claim.figure, "the data")
        if cover.year_era(claim.base_year) != cover.year_era(claim.year):
            reason += (
                "; the two years are on either side of the methods break, so the change mixes two counting systems"
            )
        return Check(claim, value, verdict, reason)
    return check_share(claim, counted, cover, agency)


def check_share(claim: Claim, counted: pd.DataFrame, cover: metrics.Coverage, agency: str) -> Check:
    """A share is a proportion, so the months of a year that are in the data can be judged (and say so) when they
    hold enough crimes; a count of part of a year cannot."""
    total, armed, unknown = metrics.firearm_share(counted, claim.category, claim.year)
    share = round(armed / total * 100, 1) if total else None
    gap = coverage_gap(cover, claim.year, agency)
    if cover.months_in(claim.year) == 0:
        return Check(claim, share, "not checkable", gap)
    if cover.year_era(claim.year) != "nibrs" or share is None:
        return Check(claim, share, "not checkable", "the legacy files do not record the weapon of a homicide")
    if gap and total < PARTIAL_SHARE_MINIMUM:
        reason = f"{gap}, with {total} so far ({armed} with a firearm): too few to judge a share from part of a year"
        return Check(claim, share, "not checkable", reason)
    tolerance, close = SHARE_TOLERANCE
    verdict, reason = judge(share - claim.figure, tolerance, "percentage points", close=close, subject="the data")
    reason += f" ({armed:,} of {total:,})"
    if gap:
        reason += f"; {gap}, so the share is of those months only"
    if unknown:
        reason += f"; the weapon is not recorded for {unknown} of the {total}"
    return Check(claim, share, verdict, reason)


def check_other(claim: Claim, other: OtherFigures) -> OtherCheck:
    """The claim against the other source. `part1` is its violent + property total (the state leaves out arson),
    so that like is compared with like."""
    label = other.source.label
    scope = " (violent + property crimes; arson is not in its totals)" if claim.category == PART1 else ""
    if claim.measure == "firearm_share":
        return OtherCheck(None, "not checkable", f"{label} does not give the weapon")
    if claim.measure == "count":
        found = other.figure(claim.category, claim.year)
        if found is None:
            return OtherCheck(None, "not checkable", f"{label} has no figure for {claim.year}")
        verdict, reason = judge_count(found.value, claim.figure, "it")
        text = f"the {label} figure is {found.value:,}{scope}, copy of {found.as_of}: {reason}"
        return OtherCheck(float(found.value), verdict, text)
    before, after = other.figure(claim.category, claim.base_year), other.figure(claim.category, claim.year)
    missing = [str(year) for year, found in ((claim.base_year, before), (claim.year, after)) if found is None]
    if missing:
        return OtherCheck(None, "not checkable", f"{label} has no figure for {' and '.join(missing)}")
    change = metrics.percent_change(after.value, before.value)
    if change is None:
        return OtherCheck(None, "not checkable", f"{label} gives 0 for {claim.base_year}")
    value = round(change, 1)
    verdict, reason = judge_percent(value, claim.figure, "it")
    copies = before.as_of if before.as_of == after.as_of else f"{before.as_of} and {after.as_of}"
    text = (
        f"{label} gives {before.value:,} in {claim.base_year} and {after.value:,} in {claim.year}{scope}, "
        f"copy of {copies}, a change of {value:+.1f}%: {reason}"
    )
    return OtherCheck(value, verdict, text)


# A unit's singular and plural, and the words for a figure above and below the claim.
UNITS = {
    "crimes": ("crime", "crimes", "more", "fewer"),
    "percentage points": ("percentage point", "percentage points", "higher", "lower"),
}
POSSESSIVE = {"it": "its"}


def difference_text(difference: float, unit: str, subject: str = "the data") -> str:
    """'the data counts 1 crime more', 'its figure is 2.5 percentage points lower': the size in words, not a sign
    ('+1 crimes'). `subject`: who gives the figure ('the data', or 'it' for the other source)."""
    singular, plural, above, below = UNITS[unit]
    size = abs(difference)
    name = singular if size == 1 else plural
    side = above if difference > 0 else below
    if unit == "crimes":
        return f"{subject} counts {size:g} {name} {side}"
    owner = POSSESSIVE.get(subject, subject + "'s")
    return f"{owner} figure is {size:g} {name} {side}"


def judge(
    difference: float, tolerance: float, unit: str, close: float | None = None, subject: str = "the data"
) -> tuple[str, str]:
    close = close if close is not None else tolerance * 3
    size = abs(difference)
    text = difference_text(difference, unit, subject) if difference else f"{subject} gives the same figure"
    if difference == 0:
        return "matches", text
    if size <= tolerance:
        return "matches", text + " (within rounding)"
    if size <= close:
        return "close", text
    return "differs", text


def check_all(
    claims: tuple[Claim, ...],
    annual: pd.DataFrame,
    counted: pd.DataFrame,
    cover: metrics.Coverage,
    categories: tuple[Category, ...],
    agency: str = "the agency",
    other: OtherFigures | None = None,
) -> list[Check]:
    return [check(claim, annual, counted, cover, categories, agency, other) for claim in claims]


def with_vintages(
    checks: list[Check], history: revisions.Revisions | None, categories: tuple[Category, ...]
) -> list[Check]:
    """The checks, each count that does not match the latest figure noting the latest earlier release whose count
    it matches (by the same rule: judge_count), when there is one. A year as of a release is the sum of its months
    as of that release, only when all 12 were covered then."""
    if history is None:
        return checks
    return [replace(check, vintage=earlier_match(check, history, categories)) for check in checks]


def earlier_match(check: Check, history: revisions.Revisions, categories: tuple[Category, ...]) -> Vintage | None:
    claim = check.claim
    if claim.measure != "count" or check.verdict == "matches":
        return None
    slugs = [c.slug for c in categories if c.part == 1] if claim.category == PART1 else [claim.category]
    for rank in range(history.latest - 1, -1, -1):
        value = revisions.year_as_of(history, claim.year, slugs, rank)
        if value is not None and judge_count(value, claim.figure, "the data")[0] == "matches":
            return Vintage(history.releases[rank].label, value)
    return None
