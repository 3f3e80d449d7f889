"""Official statements, each set beside the figure the data gives. DataFrame in, records out; no I/O but load."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimesite import metrics
from crimesite.errors import Problem
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


@dataclass(frozen=True)
class Check:
    claim: Claim
    computed: float | None  # the data's figure, when it can be computed at all
    verdict: str  # matches, close, differs, not checkable
    reason: str


def load_claims(path: Path, categories: tuple[Category, ...]) -> tuple[Claim, ...]:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns) != COLUMNS:
        raise ValueError(f"{path}: columns are {list(table.columns)}, expected {COLUMNS}")
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
        claims.append(Claim(**{**row, "year": year, "base_year": base, "figure": figure}))
    return tuple(claims)


def annual_value(annual: pd.DataFrame, category: str, year: int, categories: tuple[Category, ...]) -> int | None:
    """The year's count of the category (or all Part I); None when the files do not count it that year."""
    slugs = [c.slug for c in categories if c.part == 1] if category == PART1 else [category]
    rows = annual[(annual["year"] == year) & annual["category"].isin(slugs)]
    return None if rows["count"].isna().any() else int(rows["count"].sum())


def not_counted(category: str, year: int) -> str:
    return f"the files do not count {category} in {year} (Part II is not counted from the NIBRS files)"


def coverage_gap(cover: metrics.Coverage, year: int) -> str | None:
    """Why a year's total cannot be compared, or None when all 12 months are in the data."""
    months = cover.months_in(year)
    if months == 12:
        return None
    if months == 0:
        return f"the data has no files for {year}"
    return f"the data has only {months} of the 12 months of {year}"


def check(claim: Claim, annual: pd.DataFrame, counted: pd.DataFrame, cover: metrics.Coverage,
          categories: tuple[Category, ...]) -> Check:  # fmt: skip
    if claim.measure == "count":
        gap = coverage_gap(cover, claim.year)
        value = annual_value(annual, claim.category, claim.year, categories) if cover.months_in(claim.year) else None
        if gap:
            return Check(claim, value, "not checkable", gap)
        if value is None:
            return Check(claim, None, "not checkable", not_counted(claim.category, claim.year))
        return Check(
            claim, value, *judge(value - claim.figure, 0.0, "crimes", close=max(2.0, abs(claim.figure) * 0.02))
        )
    if claim.measure == "percent_change":
        gaps = [g for g in (coverage_gap(cover, claim.base_year), coverage_gap(cover, claim.year)) if g]
        if gaps:
            return Check(claim, None, "not checkable", "; ".join(gaps))
        before = annual_value(annual, claim.category, claim.base_year, categories)
        after = annual_value(annual, claim.category, claim.year, categories)
        if before is None or after is None:
            year = claim.base_year if before is None else claim.year
            return Check(claim, None, "not checkable", not_counted(claim.category, year))
        if before == 0:
            return Check(claim, None, "not checkable", f"nothing was counted in {claim.base_year}")
        value = round((after - before) / before * 100, 1)
        verdict, reason = judge(value - claim.figure, 1.0, "percentage points", close=3.0)
        if cover.year_era(claim.base_year) != cover.year_era(claim.year):
            reason += (
                "; the two years are on either side of the methods break, so the change mixes two counting systems"
            )
        return Check(claim, value, verdict, reason)
    total, armed, unknown = metrics.firearm_share(counted, claim.category, claim.year)
    share = round(armed / total * 100, 1) if total else None
    gap = coverage_gap(cover, claim.year)
    if gap:
        return Check(claim, share, "not checkable", gap + (f" (so far: {armed} of {total})" if total else ""))
    if cover.year_era(claim.year) != "nibrs" or share is None:
        return Check(claim, share, "not checkable", "the legacy files do not record the weapon of a homicide")
    verdict, reason = judge(share - claim.figure, 2.0, "percentage points", close=5.0)
    if unknown:
        reason += f"; the weapon is not recorded for {unknown} of the {total}"
    return Check(claim, share, verdict, reason)


def judge(difference: float, tolerance: float, unit: str, close: float | None = None) -> tuple[str, str]:
    close = close if close is not None else tolerance * 3
    size = abs(difference)
    text = f"the data differs by {difference:+g} {unit}" if difference else "the data gives the same figure"
    if difference == 0:
        return "matches", text
    if size <= tolerance:
        return "matches", text + " (within rounding)"
    if size <= close:
        return "close", text
    return "differs", text


def check_all(claims: tuple[Claim, ...], annual: pd.DataFrame, counted: pd.DataFrame, cover: metrics.Coverage,
              categories: tuple[Category, ...]) -> list[Check]:  # fmt: skip
    return [check(claim, annual, counted, cover, categories) for claim in claims]
