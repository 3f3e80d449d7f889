"""How the numbers are made: the methodology, data-quality and revisions pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimesite import charts, escape, metrics, months, paths, revisions
from crimesite.metrics import Coverage
from crimesite.page_blocks import Figure, HtmlTable, MdTable, as_code, chart_block, html_table, md_table
from crimesite.page_format import fmt_change, fmt_int, plural
from crimesite.reference import Category
from crimesite.sitedata import SiteData
from crimesite.static_charts import Charts


def offense_code_table(data: SiteData) -> MdTable:
    """The generic CSV reader's code table: each offense code, its UCR class and category."""
    names = {c.ucr_class: escape.text(c.name) for c in data.categories}
    rows = [
        [
            as_code(offense_code),
            "" if ucr_class is None else f"{ucr_class:02d}",
            "not counted" if ucr_class is None else names[ucr_class],
        ]
        for offense_code, ucr_class in sorted(data.offense_codes.items())
    ]
    return md_table(["Offense code", "UCR class", "Category"], rows, "lll")


def repository_path(path: Path) -> str:
    """A configured file as the repository names it (relative to its root), else its name."""
    return path.relative_to(paths.ROOT).as_posix() if path.is_relative_to(paths.ROOT) else path.name


@dataclass(frozen=True)
class MethodologyPage:
    """methodology.md.j2."""

    categories: MdTable
    cover: Coverage
    codes: MdTable | None  # the generic CSV reader's code table
    code_file: str | None
    categories_file: str
    districts_since: str | None  # the month the current district map begins, when site.yml names one


def methodology_page(data: SiteData) -> MethodologyPage:
    csv = data.config.reader.csv
    since = data.config.geography.districts_since
    return MethodologyPage(
        categories=category_table(data),
        cover=data.cover,
        codes=offense_code_table(data) if csv else None,
        code_file=repository_path(csv.offense_codes) if csv else None,
        categories_file=repository_path(data.config.categories),
        districts_since=months.label(since) if since else None,
    )


def category_table(data: SiteData) -> MdTable:
    rows = [
        [f"{c.ucr_class:02d}", escape.text(c.slug), escape.text(c.name), f"Part {'I' if c.part == 1 else 'II'}"]
        for c in data.categories
    ]
    return md_table(["UCR class", "Slug", "Name", "Part"], rows, "llll")


FILE_COLUMNS = (
    "File",
    "Layout",
    "Rows read",
    "Rows counted",
    "Net count",
    "Months",
    "Stands for",
    "BOM",
    "cp1252 bytes",
    "SHA-256 (start)",
)


def span_label(covers: tuple[str, ...]) -> str:
    """The months a file stands for, as runs: '2024-01', '2021-01 to 2023-12' (a 36-month release is one span)."""
    return months.runs_label(covers)


@dataclass(frozen=True)
class QualityPage:
    """The data-quality page's figures and tables (data_quality.md.j2 reads them as `quality`)."""

    excluded_early: str
    excluded_uncovered: str
    excluded_after_file: str
    after_file: MdTable | None
    summary: MdTable
    files: HtmlTable
    missing: list[str]  # the months no file stands for, as runs
    raw_rows: str
    rows: str
    not_counted: str
    files_count: int
    places_not_found: list[str]  # the configured place files that are not there, escaped


def quality_page(data: SiteData) -> QualityPage:
    summary = metrics.quality_summary(data.incidents, data.config.places.neighborhood_numbers)
    files = [
        [
            escape.text(f.name),
            f.layout,
            fmt_int(f.raw_rows),
            fmt_int(f.rows),
            fmt_int(f.count_sum),
            months.runs_label(f.months),  # as runs: a release re-sends incidents of many months
            span_label(f.covers),
            "yes" if f.had_bom else "no",
            fmt_int(f.cp1252_bytes),
            f.sha256[:12],
        ]
        for f in data.files
    ]
    left_out = data.excluded.groupby("reason")["count"].sum() if len(data.excluded) else pd.Series(dtype="int64")
    return QualityPage(
        excluded_early=fmt_int(left_out.get(metrics.EARLY_NIBRS, 0)),
        excluded_uncovered=fmt_int(left_out.get(metrics.UNCOVERED_MONTH, 0)),
        excluded_after_file=fmt_int(left_out.get(metrics.AFTER_FILE, 0)),
        after_file=after_file_table(data),
        summary=md_table(
            ["What", "Rows", "Net count"],
            [[r.problem, fmt_int(r.rows), fmt_int(r.net_count)] for r in summary.itertuples()],
            "lrr",
        ),
        files=html_table(
            "table-files",
            "Raw files read",
            list(FILE_COLUMNS),
            files,
            "llrrrlllrl",
        ),
        # As runs ("January 2021 to December 2023"): 36 month names one by one were cut off by the text limit.
        missing=[months.run_label(first, last) for first, last in data.cover.missing_month_runs],
        raw_rows=fmt_int(sum(f.raw_rows for f in data.files)),
        rows=fmt_int(len(data.incidents)),
        not_counted=fmt_int(sum(f.not_counted for f in data.files)),
        files_count=len(data.files),
        places_not_found=[escape.text(name) for name in data.places.geography.not_found],
    )


def after_file_table(data: SiteData) -> MdTable | None:
    """The rows left out for a date after their own release's last month: file, line, their month and the months
    the release stands for (empty when there are none). No offense and no place: the list only says where to look
    in the raw files."""
    if data.excluded.empty:
        return None
    after = data.excluded[data.excluded["reason"] == metrics.AFTER_FILE]
    after = after.assign(label=metrics.month_labels(after)).drop_duplicates(["source_file", "source_line"])
    releases = {f.name: months.run_label(min(f.covers), max(f.covers)) for f in data.files if f.covers}
    rows = [
        [escape.text(name), str(int(row.source_line)), months.label(row.label), releases[name]]
        for row in after.sort_values(["source_file", "source_line"]).itertuples()
        for name in (str(row.source_file),)
    ]
    return md_table(["File", "Line", "Dated in", "Release for"], rows, "lrll") if rows else None


STEP_WORDS = {1: "one release", 2: "two releases", 3: "three releases"}


def completeness_sentence(data: SiteData) -> str:
    """How complete a month's Part I count usually is after one, two and three releases, measured on the data."""
    found = revisions.completeness(data.revisions, [c.slug for c in data.part1])
    if not found:
        return (
            "No month counted first by a one-month release has had a later release yet, so how complete a "
            "first count is cannot be measured on this data yet."
        )
    parts = [
        f"after {STEP_WORDS[c.releases]}, {c.percent:.1f}% (measured on {plural(c.months, 'month')})" for c in found
    ]
    return (
        "Measured on this data, a month's Part I count as a share of its count in the latest release, on average: "
        + "; ".join(parts)
        + "."
    )


@dataclass(frozen=True)
class ReleaseChanges:
    """What one release changed (release_changes)."""

    label: str
    file: str  # the release's raw file, escaped
    first: bool
    new_months: list[str]
    changed_months: list[str]
    count: int
    table: MdTable | None


@dataclass(frozen=True)
class RevisionChart:
    """One Part I crime's counts release by release."""

    category: Category
    chart: Figure
    table: HtmlTable


@dataclass(frozen=True)
class RevisionsPage:
    """revisions.md.j2."""

    releases: list[str]
    latest: list[ReleaseChanges]
    charts: list[RevisionChart]
    charted_months: list[str]
    completeness: str


def release_changes(data: SiteData, rank: int) -> ReleaseChanges:
    """What one release changed: the months it was the first to count, and the changes to the others."""
    names = {c.slug: escape.text(c.name) for c in data.categories}
    release = data.revisions.releases[rank]
    changes = revisions.changes_at(data.revisions, rank)
    rows = [
        [months.label(c.month), names[c.category], fmt_int(c.before), fmt_int(c.after), fmt_change(c.change)]
        for c in changes
    ]
    changed = sorted({c.month for c in changes})
    return ReleaseChanges(
        label=release.label,
        file=escape.text(release.name),
        first=rank == 0,
        new_months=[months.label(month) for month in revisions.new_months(data.revisions, rank)],
        changed_months=[months.label(month) for month in changed],
        count=len(changes),
        table=md_table(["Month", "Crime", "Before", "After", "Change"], rows, "llrrr") if rows else None,
    )


def revision_chart(data: SiteData, figures: Charts, category: Category, charted: list[str]) -> RevisionChart:
    """One Part I crime: each charted month's count as of each release, as a chart with its summary and table."""
    frame = revisions.growth(data.revisions, category.slug, charted)
    releases = list(dict.fromkeys(frame.sort_values("rank")["release"]))
    frame = frame.assign(month_name=frame["month"].map(months.label))
    summary = f"{category.name} in each month as each release counted it. " + " ".join(
        f"{months.label(month)}: "
        + ", ".join(f"{int(r.count):,} in the {r.release} release" for r in rows.itertuples())
        + "."
        for month, rows in frame.groupby("month", sort=True)
    )
    wide = frame.pivot(index="month", columns="release", values="count").reindex(columns=releases)
    rows = [
        [months.label(month)] + ["" if pd.isna(value) else fmt_int(value) for value in values]
        for month, values in zip(wide.index, wide.to_numpy().tolist(), strict=True)
    ]
    return RevisionChart(
        category=category,
        chart=chart_block(
            figures,
            f"chart-revisions-{category.slug}",
            charts.revision_lines(frame, releases, category.name, summary),
            f"{category.name}: counts of each month, release by release",
            summary,
        ),
        table=html_table(
            f"table-revisions-{category.slug}",
            f"{escape.text(category.name)}: each month's count as of each release (empty: not yet released)",
            ["Month", *(f"{label} release" for label in releases)],
            rows,
            "l" + "r" * len(releases),
        ),
    )


def revisions_page(data: SiteData, figures: Charts) -> RevisionsPage:
    history = data.revisions
    latest = history.latest_ranks(revisions.LATEST_SHOWN)
    charted = revisions.growth_months(history)
    return RevisionsPage(
        releases=[release.label for release in history.releases],
        latest=[release_changes(data, rank) for rank in latest],
        charts=[revision_chart(data, figures, category, charted) for category in data.part1] if charted else [],
        charted_months=[months.label(month) for month in charted],
        completeness=completeness_sentence(data),
    )
