"""Gaps are shown as gaps: years and months no file stands for are marked "no files" on every time-series chart
and every yearly or monthly table, and never shown as 0.

The fixture files (tests/fixtures/legacy and tests/fixtures/nibrs) stand for April 2013, February 2014, July 2015,
May 2017, and January and February 2024: 2016 and 2018 to 2023 have no file, nor do most months in between.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import vl_convert

from crimesite import charts, home_pages, metrics, page_format
from tests.conftest import shown

FIXTURE_MONTHS = ("2013-04", "2014-02", "2015-07", "2017-05", "2024-01", "2024-02")
MISSING_YEARS = {2016, 2018, 2019, 2020, 2021, 2022, 2023}
ALL_MONTHS = pd.period_range("2013-04", "2024-02", freq="M").strftime("%Y-%m").tolist()
MISSING_MONTHS = {month for month in ALL_MONTHS if month not in FIXTURE_MONTHS}
SPEC = re.compile(r'<script type="application/json" class="chart-spec">(.*?)</script>', re.S)


def units(spec: dict) -> list[tuple[dict, list[dict]]]:
    """Every single-mark view of a (layered) spec with the rows of its dataset."""
    found = []

    def walk(node: dict, data: dict | None) -> None:
        data = node.get("data", data)
        if "mark" in node:
            found.append((node, spec.get("datasets", {}).get((data or {}).get("name"), [])))
        for child in node.get("layer", []):
            walk(child, data)

    walk(spec, None)
    return found


def time_series_specs(docs: Path) -> list[tuple[str, dict]]:
    specs = []
    for page in sorted(docs.rglob("*.md")):
        for text in SPEC.findall(page.read_text()):
            spec = json.loads(text)
            fields = {unit["encoding"].get("x", {}).get("field") for unit, _ in units(spec) if "encoding" in unit}
            if fields & {"year", "month"} and not any("geoshape" in str(unit["mark"]) for unit, _ in units(spec)):
                specs.append((page.relative_to(docs).as_posix(), spec))
    return specs


def mark_type(unit: dict) -> str:
    return unit["mark"] if isinstance(unit["mark"], str) else unit["mark"]["type"]


def test_every_yearly_chart_runs_through_the_missing_years_and_marks_them(fixture_build):
    yearly = [(page, spec) for page, spec in time_series_specs(fixture_build / "docs") if "year" in json.dumps(spec)]
    checked = 0
    for page, spec in yearly:
        views = units(spec)
        bars = [(u, rows) for u, rows in views if mark_type(u) == "bar" and u["encoding"].get("y", {}).get("field")]
        if not bars:
            continue
        checked += 1
        ((bar, rows),) = bars
        years = [row["year"] for row in rows]
        # The axis also runs through the years of another source's points (the crime pages' diamonds).
        other_years = [row["year"] for u, rows in views if mark_type(u) == "point" for row in rows]
        domain = bar["encoding"]["x"]["scale"]["domain"]
        assert domain == list(range(min(years + other_years), max(years + other_years) + 1)), page
        assert not MISSING_YEARS & set(years), f"{page}: a year without a file has a bar (a 0)"
        gap_rows = [
            row for u, rows in views if mark_type(u) == "text" for row in rows if row.get("label") == "no files"
        ]
        gap_years = {row["year"] for row in gap_rows}
        assert gap_years == {year for year in MISSING_YEARS if min(years) < year < max(years)}, page
        bands = [u for u, rows in views if mark_type(u) == "bar" and "y" not in u["encoding"]]
        assert bands and all(u["encoding"]["x"]["scale"]["domain"] == domain for u in bands), page
        # The methods break (January 2021) stays marked, before 2021 on the axis.
        rules = [rows for u, rows in views if mark_type(u) == "rule"]
        assert rules == [[{"label": charts.BREAK_LABEL, "year": 2021}]], page
        # 13 or more bars do not print their labels on top of each other: Vega drops every other label when
        # they would overlap, and the labels stay upright under their bars whatever layer is drawn first.
        spec.pop("$schema", None)
        (axis,) = [axis for axis in vl_convert.vegalite_to_vega(spec)["axes"] if axis["orient"] == "bottom"]
        assert axis["labelOverlap"] in ("parity", "greedy", True), page
        assert (axis["labelAngle"], axis["labelAlign"], axis["labelBaseline"]) == (0, "center", "top"), page
    assert checked >= 8 + 1 + 6  # each crime page, the home page, each district (neighborhoods too)


def test_every_monthly_chart_marks_the_months_without_a_file_and_draws_no_0_for_them(fixture_build):
    checked = 0
    for page, spec in time_series_specs(fixture_build / "docs"):
        views = units(spec)
        lines = [(u, rows) for u, rows in views if mark_type(u) == "line"]
        if not lines:
            continue
        checked += 1
        ((_, rows),) = lines
        months = sorted(row["month"] for row in rows)
        assert not MISSING_MONTHS & set(months), f"{page}: a month without a file is on the line"
        bands = [rows for u, rows in views if mark_type(u) == "rect"]
        assert len(bands) == 1, page
        covered = set()
        for band in bands[0]:
            end = pd.Period(band["end"], freq="M") - 1  # the band ends where the month after the run starts
            covered |= set(pd.period_range(band["start"], end, freq="M").strftime("%Y-%m"))
        assert covered == {m for m in MISSING_MONTHS if months[0] < m < months[-1]}, page
        labels = [row["label"] for u, rows in views if mark_type(u) == "text" for row in rows if "middle" in row]
        assert labels and set(labels) == {"no files"}, page
    assert checked >= 8 + 1  # each crime page's months chart, the shootings chart


def table_rows(page: str, caption_pattern: str) -> list[tuple[str, list[str]]]:
    tables = re.findall(r"<caption[^>]*>([^<]*)</caption>(.*?)</table>", page, re.S)
    rows = []
    for caption, body in tables:
        if re.search(caption_pattern, caption):
            for row in re.findall(r"<tr><th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", body, re.S):
                rows.append((html.unescape(row[0]), re.findall(r"<td[^>]*>(.*?)</td>", row[1])))
    return rows


def test_every_yearly_table_has_a_no_files_row_for_each_run_of_missing_years(fixture_build):
    docs = fixture_build / "docs"
    checked = 0
    for page in sorted(docs.rglob("*.md")):
        rows = table_rows(page.read_text(), r"by year")
        if not rows:
            continue
        checked += 1
        gaps = [label for label, cells in rows if set(cells) == {"no files"}]
        years = [int(label) for label, cells in rows if "no files" not in cells]
        # A year the files miss but another source has (the crime pages' last column) is a row of its own.
        other_only = [
            int(label) for label, cells in rows if set(cells[:-1]) == {"no files"} and cells[-1] != "no files"
        ]
        assert len(gaps) + len(years) + len(other_only) == len(rows), f"{page}: a row mixes counts and 'no files'"
        assert years == sorted(years) and not MISSING_YEARS & set(years), page
        assert gaps == [
            page_format.year_run_label(first, last)
            for first, last in metrics.runs(sorted(MISSING_YEARS - set(other_only)))
            if min(years) < first and last < max(years)
        ], page
    assert checked >= 8 + 1 + 6
    index = (docs / "years" / "index.md").read_text()
    assert re.search(r"^\| 2018–2023 \|( no files \|){10}$", index, re.M)
    assert re.search(r"^\| 2016 \|( no files \|){10}$", index, re.M)


def test_every_monthly_table_names_the_missing_months_and_has_no_0_for_them(fixture_build):
    docs = fixture_build / "docs"
    homicide = table_rows((docs / "crimes" / "homicide.md").read_text(), r"by month$")
    assert [label for label, _ in homicide] == [
        "2013-04",
        "2013-05 to 2014-01",
        "2014-02",
        "2014-03 to 2015-06",
        "2015-07",
        "2015-08 to 2017-04",
        "2017-05",
        "2017-06 to 2023-12",
        "2024-01",
        "2024-02",
    ]
    shootings = table_rows((docs / "shootings.md").read_text(), r"by month$")
    assert [label for label, _ in shootings] == [label for label, _ in homicide]
    for label, cells in homicide + shootings:
        assert (set(cells) == {"no files"}) == (" to " in label)
    year = table_rows((docs / "years" / "2014.md").read_text(), r"by month")
    assert [label for label, _ in year] == ["January", "February", "March to December"]
    assert year[0][1] == ["no files"] * 8 and "no files" not in year[1][1]
    # The first and the last year run from the first and to the last month of the data, not past it.
    first = table_rows((docs / "years" / "2013.md").read_text(), r"by month")
    assert [label for label, _ in first] == ["April", "May to December"]
    last = table_rows((docs / "years" / "2024.md").read_text(), r"by month")
    assert [label for label, _ in last] == ["January", "February"]


def test_monthly_downloads_leave_the_missing_months_out(fixture_build):
    monthly = pd.read_csv(fixture_build / "docs" / "downloads" / "monthly_counts.csv", dtype={"month": str})
    assert sorted(set(monthly["month"])) == list(FIXTURE_MONTHS)


@pytest.mark.parametrize(
    ("values", "expected"), [([], ()), ([5], ((5, 5),)), ([1, 2, 3, 7, 9, 10], ((1, 3), (7, 7), (9, 10)))]
)
def test_runs_group_consecutive_values(values, expected):
    assert metrics.runs(values) == expected


def test_coverage_names_the_missing_years_and_runs_of_months():
    cover = metrics.coverage(["2019-11", "2019-12", "2020-01", "2024-01", "2024-03"], "2021-01")
    assert cover.span_years == (2019, 2020, 2021, 2022, 2023, 2024)
    assert cover.missing_years == (2021, 2022, 2023)
    assert cover.missing_month_runs == (("2020-02", "2023-12"), ("2024-02", "2024-02"))


def headline_for(months: list[str], categories) -> dict:
    """home_pages.headline for data that holds `months`, with 1 of each Part I crime a month in 2019, 2 in 2020
    and 3 in 2024 (a stand-in for SiteData: the headline reads only these)."""
    cover = metrics.coverage(months, "2021-01")
    part1 = tuple(c for c in categories if c.part == 1)
    per_month = {2019: 1, 2020: 2, 2023: 5, 2024: 3}
    monthly = pd.DataFrame(
        [{"month": m, "category": c.slug, "count": per_month[int(m[:4])]} for m in months for c in part1]
    )
    data = SimpleNamespace(cover=cover, monthly=monthly, part1=part1, latest_year=int(cover.last[:4]))
    return home_pages.headline(data)


def table_lines(table: object) -> list[str]:
    return shown(table).splitlines()


def test_home_page_compares_the_latest_months_with_the_last_year_that_has_them_and_the_latest_whole_year(
    categories,
):
    months = [f"{y}-{m:02d}" for y in (2019, 2020) for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 5)]
    headline = headline_for(months, categories)
    latest, whole = headline.latest, headline.whole
    assert headline.missing_prior == "January to April 2023"
    assert (latest.period, latest.prior, latest.crosses_break) == (
        "January to April 2024",
        "January to April 2020",
        True,
    )
    lines = table_lines(latest.table)
    assert lines[0] == "| Crime | 2024 | 2020 | Change | % change |"
    assert lines[-1] == "| **All Part I crimes** | 96 | 64 | +32 | +50.0% |"  # 8 crimes x 4 months x 3 and x 2
    assert (whole.period, whole.prior, whole.crosses_break) == ("2020", "2019", False)
    assert table_lines(whole.table)[-1] == "| **All Part I crimes** | 192 | 96 | +96 | +100.0% |"
    assert "n/a" not in shown(latest.table) + shown(whole.table)


def test_home_page_shows_the_counts_alone_rather_than_a_column_of_n_a(categories):
    headline = headline_for(["2019-06", "2024-01", "2024-02"], categories)
    assert headline.latest.prior is None and headline.whole is None
    assert table_lines(headline.latest.table)[0] == "| Crime | 2024 |"
    assert "n/a" not in shown(headline.latest.table)


def test_home_page_compares_with_the_year_before_when_it_has_the_same_months(categories):
    months = [f"2023-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 5)]
    headline = headline_for(months, categories)
    assert headline.missing_prior is None and headline.whole is None
    assert headline.latest.prior == "January to April 2023" and not headline.latest.crosses_break
    assert table_lines(headline.latest.table)[-1] == "| **All Part I crimes** | 96 | 160 | -64 | -40.0% |"


def test_the_yearly_legend_names_only_the_kinds_of_year_the_chart_shows():
    whole = pd.DataFrame({"year": [2018, 2019], "count": [5, 6], "coverage": ["Whole year", "Whole year"]})
    spec = charts.yearly_bars(whole, "Crimes", "d").to_dict(validate=False)
    assert spec["encoding"]["color"]["scale"] == {"domain": ["Whole year"], "range": [charts.INK]}
    mixed = whole.assign(coverage=["Whole year", "Part of the year"])
    spec = charts.yearly_bars(mixed, "Crimes", "d").to_dict(validate=False)
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Whole year", "Part of the year"]
    # Without a gap or a break inside the years shown, the chart is a single view, with no marker layer.
    assert "layer" not in charts.yearly_bars(whole, "Crimes", "d", 2021, (2017, 2020)).to_dict(validate=False)
