"""How each release changed the numbers: the monthly counts as they stood once each release was in.

Only the releases whose files replace earlier versions of incidents have a history (SLMPD's NIBRS releases: each
re-sends the incidents that changed, and the newest version wins). A legacy UCR file counts an adjustment in the
month it was coded, so a legacy month never changes after its own file. The counts as of the last release are the
site's monthly counts; the counts as of release k are what a build from the releases up to k would count.
DataFrame in, DataFrame out; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from crimesite import months
from crimesite.sources.common import Release, ReleaseHistory

LATEST_SHOWN = 3  # the latest releases whose changes the Revisions page lists
GROWTH_MONTHS = 6  # months charted release by release: the latest that have had at least two releases
COMPLETENESS_STEPS = (1, 2, 3)  # a month's count after one, two and three releases


@dataclass(frozen=True)
class Revisions:
    """The counts of every release: `counts` has one row per release, month covered as of that release, and
    category (rank, release, month, count), zeros included."""

    releases: tuple[Release, ...]
    counts: pd.DataFrame

    @property
    def latest(self) -> int:
        return len(self.releases) - 1

    @cached_property
    def first_rank(self) -> dict[str, int]:
        """month (YYYY-MM) -> the rank of the first release that carried counts for it."""
        firsts = self.counts.groupby("month")["rank"].min()
        return {str(month): int(rank) for month, rank in firsts.items()}

    def latest_ranks(self, count: int) -> range:
        """The ranks of the latest `count` releases (fewer when there are fewer), newest first."""
        return range(self.latest, max(self.latest - count, -1), -1)

    def releases_so_far(self, month: str) -> int:
        """How many releases have carried counts for the month: from the one first covering it to the latest."""
        return self.latest - self.first_rank[month] + 1 if month in self.first_rank else 0

    def as_of(self, rank: int) -> pd.DataFrame:
        """month, category, count as they stood once the release at `rank` was in."""
        return self.counts[self.counts["rank"] == rank][["month", "category", "count"]].reset_index(drop=True)

    def total(self, rank: int, months: list[str], slugs: list[str]) -> int | None:
        """The sum of the categories over the months as of the release; None unless every month was covered."""
        rows = self.counts[
            (self.counts["rank"] == rank) & self.counts["month"].isin(months) & self.counts["category"].isin(slugs)
        ]
        return int(rows["count"].sum()) if rows["month"].nunique() == len(set(months)) else None


def release_counts(
    history: ReleaseHistory,
    slugs: list[str],
    methods_break: str | None,
    other_months: set[str] | frozenset = frozenset(),
) -> Revisions:
    """The counts as of each release, by the rules split_counted applies: a unit dated before the methods break,
    or after the last month of its own version's file, is not counted, and a month is counted only once a file
    stands for it (`other_months`: the months other files stand for, counted from the first release on). `slugs`:
    the categories the releases count (Part I)."""
    start = methods_break or ""
    deltas = history.deltas
    kept = deltas[
        (deltas["month"] >= start) & (deltas["month"] <= deltas["file_last"]) & deltas["category"].isin(slugs)
    ]
    first: dict[str, int] = {month: 0 for month in other_months if month >= start}
    for rank, release in enumerate(history.releases):
        for month in release.months:
            if month >= start:
                first.setdefault(month, rank)
    counted = sorted(first)
    ranks = list(range(len(history.releases)))
    sums = kept.groupby(["rank", "month", "category"])["delta"].sum()
    grid = pd.MultiIndex.from_product([ranks, counted, slugs], names=["rank", "month", "category"])
    table = sums.reindex(grid, fill_value=0).astype("int64").reset_index(name="count")
    table["count"] = table.groupby(["month", "category"], sort=False)["count"].cumsum()
    table = table[table["rank"] >= table["month"].map(first)]
    labels = np.array([release.label for release in history.releases], dtype=object)
    table.insert(1, "release", labels[table["rank"].to_numpy()])
    return Revisions(history.releases, table.reset_index(drop=True))


def published_table(revisions: Revisions) -> pd.DataFrame:
    """downloads/revisions.csv: release, month, category, count, in release order, then month, then category."""
    return revisions.counts[["release", "month", "category", "count"]].reset_index(drop=True)


@dataclass(frozen=True)
class Change:
    month: str
    category: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


def changes_at(revisions: Revisions, rank: int) -> list[Change]:
    """What the release at `rank` changed in the months the release before already counted, largest first (then
    by month and category order)."""
    if rank == 0:
        return []
    before = revisions.as_of(rank - 1).set_index(["month", "category"])["count"]
    after = revisions.as_of(rank).set_index(["month", "category"])["count"].reindex(before.index)
    order = {slug: place for place, slug in enumerate(dict.fromkeys(revisions.counts["category"]))}
    pairs = zip(before.index, before.to_numpy(), after.to_numpy(), strict=True)
    changed = [Change(month, category, int(old), int(new)) for (month, category), old, new in pairs if old != new]
    return sorted(changed, key=lambda c: (-abs(c.change), c.month, order[c.category]))


def new_months(revisions: Revisions, rank: int) -> list[str]:
    """The months the release at `rank` was the first to count."""
    return sorted(month for month, first in revisions.first_rank.items() if first == rank)


def growth_months(revisions: Revisions) -> list[str]:
    """The months charted release by release: first counted by a one-month release and counted by at least two
    releases so far; the latest GROWTH_MONTHS of them."""
    monthly = [month for month in revisions.first_rank if one_month_release(revisions, month)]
    return sorted(month for month in monthly if revisions.releases_so_far(month) >= 2)[-GROWTH_MONTHS:]


def one_month_release(revisions: Revisions, month: str) -> bool:
    return len(revisions.releases[revisions.first_rank[month]].months) == 1


def growth(revisions: Revisions, slug: str, months: list[str]) -> pd.DataFrame:
    """month, release, rank, count of one category for the charted months, release by release."""
    counts = revisions.counts
    rows = counts[(counts["category"] == slug) & counts["month"].isin(months)]
    return rows[["month", "release", "rank", "count"]].sort_values(["month", "rank"]).reset_index(drop=True)


@dataclass(frozen=True)
class Completeness:
    releases: int  # the count after this many releases
    percent: float  # ... as a percent of the latest release's count, averaged over the months
    months: int  # how many months the average is over


def completeness(revisions: Revisions, slugs: list[str]) -> list[Completeness]:
    """For the months first counted by a one-month release: the total of `slugs` after 1, 2, 3 releases as a percent
    of the latest release's, averaged over the months that have had that many releases and at least one more."""
    found = []
    for step in COMPLETENESS_STEPS:
        shares = []
        for month, first in sorted(revisions.first_rank.items()):
            if not one_month_release(revisions, month) or revisions.releases_so_far(month) < step + 1:
                continue
            latest = revisions.total(revisions.latest, [month], slugs)
            if latest:
                shares.append(revisions.total(first + step - 1, [month], slugs) / latest * 100)
        if shares:
            found.append(Completeness(step, round(float(np.mean(shares)), 1), len(shares)))
    return found


def year_as_of(revisions: Revisions, year: int, slugs: list[str], rank: int) -> int | None:
    """A year's count of the categories as of a release: the sum of its months, only when all 12 were covered."""
    return revisions.total(rank, months.of_year(year), slugs)


def from_table(frame: pd.DataFrame) -> Revisions:
    """The counts read back from downloads/revisions.csv (rows in release order): the releases are known by their
    labels and by the months each was the first to count."""
    labels = list(dict.fromkeys(frame["release"].astype(str)))
    rank = {label: place for place, label in enumerate(labels)}
    counts = frame.assign(release=frame["release"].astype(str), month=frame["month"].astype(str))
    counts.insert(0, "rank", counts["release"].map(rank).astype("int64"))
    firsts = counts.groupby("month")["rank"].min()
    releases = tuple(
        Release(label, "", tuple(sorted(str(m) for m in firsts[firsts == place].index)))
        for place, label in enumerate(labels)
    )
    return Revisions(releases, counts[["rank", "release", "month", "category", "count"]].reset_index(drop=True))


SUMMARY_CHANGES = 10  # the largest changes the summary lists


def summary(revisions: Revisions, markdown: bool = False, shown: int = LATEST_SHOWN) -> str:
    """A short summary of the latest releases for a person (the fetch workflow's job summary and commit message):
    for each, the months it was the first to count, the months it changed, and its largest changes."""
    lines = [
        f"Revisions: {len(revisions.releases)} releases, {revisions.releases[0].label} to "
        f"{revisions.releases[-1].label}."
    ]
    for rank in revisions.latest_ranks(shown):
        label = revisions.releases[rank].label
        changes = changes_at(revisions, rank)
        first = ", ".join(new_months(revisions, rank)) or "none"
        changed = ", ".join(sorted({c.month for c in changes})) or "none"
        name = f"**Release {label}**" if markdown else f"Release {label}"
        note = "" if rank else " (the first release: nothing to compare with)"
        lines += ["", f"{name}: first counts {first}; months changed: {changed}{note}"]
        if changes:
            lines += ["", f"Largest changes ({min(len(changes), SUMMARY_CHANGES)} of {len(changes)}):", ""]
            lines += change_lines(changes[:SUMMARY_CHANGES], markdown)
    return "\n".join(lines) + "\n"


def change_lines(changes: list[Change], markdown: bool) -> list[str]:
    if not markdown:
        return [f"  {c.month} {c.category}: {c.before:,} -> {c.after:,} ({c.change:+,})" for c in changes]
    return ["| Month | Category | Before | After | Change |", "| :-- | :-- | --: | --: | --: |"] + [
        f"| {c.month} | {c.category} | {c.before:,} | {c.after:,} | {c.change:+,} |" for c in changes
    ]
