"""Golden test: the whole Markdown output built from the fixture files, compared with tests/golden/.

The golden pages hold Markdown only: each chart's Vega-Lite spec and static SVG is replaced by a placeholder
naming the chart, and their hashes go to tests/golden/charts.txt, one line per chart, so that a golden diff fits
on a screen and a vl-convert upgrade changes one file of hashes, not every page. The specs and SVGs are checked
apart: every spec against the Vega-Lite schema altair ships, every SVG as XML.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import jsonschema
import pandas as pd
import pytest
import yaml

from crimesite import months, output, static_charts
from tests.conftest import GOLDEN

COMPARED_SUFFIXES = (".md", ".csv", ".yml")
CHARTS = "charts.txt"  # under tests/golden/: page, chart id, spec hash, SVG hash
HASH_DIGITS = 16  # of the sha256: enough to tell two versions apart, short enough to read
NO_SVG = "-"

# A spec is the script element of class chart-spec, an SVG is <svg ...>...</svg>: nothing else about the markup
# around them (the figure, its view) is assumed.
_CHART_PART = re.compile(
    r'(?P<spec><script\b[^>]*\bclass="chart-spec"[^>]*>(?P<json>.*?)</script>)|(?P<svg><svg\b.*?</svg>)', re.S
)
_ID = re.compile(r'\bid="([^"]+)"')
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_REFERENCE = re.compile(r'(?:url\(#|href="#)([^")]+)')


@dataclass
class Chart:
    page: str
    chart_id: str
    spec: str  # the JSON text, as the page holds it
    svg: str | None = None

    def line(self) -> str:
        """The chart's line in charts.txt."""
        svg = short_hash(self.svg) if self.svg is not None else NO_SVG
        return f"{self.page} {self.chart_id} {short_hash(self.spec)} {svg}"


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_DIGITS]


def split_charts(page: str, text: str) -> tuple[str, list[Chart]]:
    """The page with each chart spec and SVG replaced by a placeholder, and its charts in page order. A chart is
    named by the last id attribute before its SVG (or its spec); an SVG belongs to the spec after it (the SVG is
    in the chart's view, the spec follows the view)."""
    pieces: list[str] = []
    charts: list[Chart] = []
    chart_id, position, svg, svg_at = None, 0, None, 0
    for match in _CHART_PART.finditer(text):
        before = text[position : match.start()]
        pieces.append(before)
        chart_id = (_ID.findall(before) or [chart_id])[-1]
        position = match.end()
        if match.group("svg") is not None:
            if svg is not None:
                raise ValueError(f"{page}: offset {svg_at}: an SVG with no chart spec after it")
            svg, svg_at = match.group("svg"), match.start()
            pieces.append(f"<!-- chart svg: {chart_id} -->")
            continue
        if chart_id is None:
            raise ValueError(f"{page}: offset {match.start()}: a chart spec with no id attribute before it")
        charts.append(Chart(page, chart_id, match.group("json"), svg))
        pieces.append(f"<!-- chart spec: {chart_id} -->")
        svg = None
    if svg is not None:
        raise ValueError(f"{page}: offset {svg_at}: an SVG with no chart spec after it")
    pieces.append(text[position:])
    return "".join(pieces), charts


def generated_files(build_dir: Path) -> dict[str, str]:
    """The text files of a build, each gzip-compressed CSV (the incident table's years) as its CSV text, under
    its name without .gz: the golden files hold the published rows, not their compressed bytes."""
    files = {}
    for path in sorted(build_dir.rglob("*")):
        relative = path.relative_to(build_dir).as_posix()
        if not path.is_file() or relative.startswith("mkdocs.yml"):
            continue
        if relative.endswith(".csv.gz"):
            files[relative.removesuffix(".gz")] = gzip.decompress(path.read_bytes()).decode("utf-8")
        elif path.suffix in COMPARED_SUFFIXES:
            files[relative] = path.read_text(encoding="utf-8")
    return files


def golden_files(build_dir: Path) -> tuple[dict[str, str], list[Chart]]:
    """The files as tests/golden/ holds them (charts.txt included), and every chart of the pages."""
    files, charts = {}, []
    for relative, text in generated_files(build_dir).items():
        if relative.endswith(".md"):
            text, found = split_charts(relative, text)
            charts += found
        files[relative] = text
    files[CHARTS] = "".join(f"{chart.line()}\n" for chart in charts)
    return files, charts


@pytest.fixture(scope="module")
def fixture_charts(fixture_build) -> list[Chart]:
    return golden_files(fixture_build)[1]


def test_generated_markdown_matches_golden(fixture_build, update_golden):
    actual, _ = golden_files(fixture_build)
    if update_golden:
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for relative, text in actual.items():
            target = GOLDEN / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    expected = {
        path.relative_to(GOLDEN).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(GOLDEN.rglob("*"))
        if path.is_file()
    }
    assert sorted(actual) == sorted(expected), "pages added or removed: run pytest --update-golden and review"
    for relative in expected:
        assert actual[relative] == expected[relative], f"{relative} differs: run pytest --update-golden and review"


def test_golden_pages_hold_no_chart_spec_or_svg():
    for path in GOLDEN.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "chart-spec" not in text and "<svg" not in text, path


def test_every_chart_spec_is_valid_vega_lite(fixture_charts):
    schema = alt.load_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    for chart in fixture_charts:
        errors = [error.message for error in validator.iter_errors(json.loads(chart.spec))]
        assert not errors, f"{chart.page} {chart.chart_id}: {errors[:3]}"


def test_every_chart_has_a_checked_svg(fixture_charts):
    assert len(fixture_charts) >= 10
    for chart in fixture_charts:
        assert chart.svg is not None, f"{chart.page} {chart.chart_id}: no SVG"
        root = ElementTree.fromstring(static_charts.checked(chart.svg, chart.chart_id))
        assert root.tag == "{http://www.w3.org/2000/svg}svg", f"{chart.page} {chart.chart_id}"


def test_ids_are_unique_on_each_page_and_every_reference_in_an_svg_resolves(fixture_build):
    pages = sorted((fixture_build / "docs").rglob("*.md"))
    referenced = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        ids = _ID.findall(text)
        assert len(ids) == len(set(ids)), f"{path.name}: {sorted(i for i in set(ids) if ids.count(i) > 1)[:3]}"
        references = {ref for svg in _SVG.findall(text) for ref in _REFERENCE.findall(svg)}
        assert references <= set(ids), f"{path.name}: {sorted(references - set(ids))[:3]}"
        referenced += len(references)
    assert referenced > 0  # the maps' gradients at least


def test_chart_ids_are_unique_on_each_page(fixture_charts):
    named = [(chart.page, chart.chart_id) for chart in fixture_charts]
    assert len(named) == len(set(named))


def test_split_charts_names_each_spec_and_svg_by_its_chart():
    page = (
        '<figure id="chart-a"><div class="chart-static"><svg xmlns="http://www.w3.org/2000/svg"><g id="chart-a-clip"/>'
        '</svg></div><script type="application/json" class="chart-spec">{"mark":"bar"}</script></figure>\n'
        'text\n<figure id="chart-b"><script class="chart-spec" type="application/json">{"mark":"line"}</script>'
        "</figure>"
    )
    text, charts = split_charts("p.md", page)
    assert text == (
        '<figure id="chart-a"><div class="chart-static"><!-- chart svg: chart-a --></div><!-- chart spec: chart-a -->'
        '</figure>\ntext\n<figure id="chart-b"><!-- chart spec: chart-b --></figure>'
    )
    specs = [(chart.chart_id, chart.spec) for chart in charts]
    assert specs == [("chart-a", '{"mark":"bar"}'), ("chart-b", '{"mark":"line"}')]
    assert charts[0].svg is not None and charts[0].svg.endswith("</svg>") and charts[1].svg is None
    line_hash = hashlib.sha256(b'{"mark":"line"}').hexdigest()[:HASH_DIGITS]
    assert charts[1].line() == f"p.md chart-b {line_hash} -"


def test_split_charts_rejects_an_svg_without_its_spec():
    with pytest.raises(ValueError, match=r"p\.md: offset 10: an SVG with no chart spec after it"):
        split_charts("p.md", '<p id="x">' + "<svg></svg>")
    with pytest.raises(ValueError, match=r"p\.md: offset 10: an SVG with no chart spec after it"):
        split_charts("p.md", '<p id="x">' + "<svg></svg><svg></svg>")


def read_download(build_dir: Path, name: str) -> pd.DataFrame:
    """A published CSV as text cells (an empty count stays empty, not NaN)."""
    return pd.read_csv(build_dir / "docs" / "downloads" / f"{name}.csv", dtype=str, keep_default_na=False)


def test_fixture_pages_cover_every_year_and_part1_crime(fixture_build, categories):
    docs = fixture_build / "docs"
    for year in (2013, 2014, 2015, 2017, 2024):  # the years the fixture files cover
        assert (docs / "years" / f"{year}.md").exists()
    assert not (docs / "years" / "2016.md").exists()  # no file for 2016: no page, no zeros
    for category in categories:
        assert (docs / "crimes" / f"{category.slug}.md").exists() == (category.part == 1)


def test_partial_year_pages_count_and_name_the_months_without_a_file(fixture_build):
    held = set(read_download(fixture_build, "monthly_counts")["month"])
    inside = set(months.span(min(held), max(held)))
    for year in months.years(held):
        page = (fixture_build / "docs" / "years" / f"{year}.md").read_text(encoding="utf-8")
        found = re.search(r"\*\*Only (\d+) of the 12 months of (\d{4}) are in the data\*\*", page)
        assert found, f"{year}: no partial-year notice"
        assert (int(found[1]), int(found[2])) == (len([m for m in held if months.year_of(m) == year]), year)
        missing = [months.label(m) for m in months.of_year(year) if m in inside and m not in held]
        listed = re.search(r"Missing inside the range: (.*?)\.\n", page)
        assert (listed[1].split(", ") if listed else []) == missing, year


def test_data_quality_names_the_runs_of_months_without_a_file(fixture_build):
    held = set(read_download(fixture_build, "monthly_counts")["month"])
    gaps = set(months.span(min(held), max(held))) - held
    quality = (fixture_build / "docs" / "data-quality.md").read_text(encoding="utf-8")
    listed = re.search(r"These months inside the range have no file, so no crime is counted for them: (.*)\.", quality)
    assert listed, "the data-quality page names no missing months"
    assert listed[1].split("; ") == [months.run_label(first, last) for first, last in months.runs(gaps)]


def test_a_build_from_real_format_files_has_no_sample_flag(fixture_build):
    config = yaml.safe_load((fixture_build / output.GENERATED_CONFIG).read_text(encoding="utf-8"))
    assert config["extra"]["sample_data"] is False


def test_annual_counts_hold_every_category_and_add_up_the_monthly_counts(fixture_build, categories):
    annual = read_download(fixture_build, "annual_counts")
    monthly = read_download(fixture_build, "monthly_counts")
    assert list(annual.columns) == ["year", "category", "count", "era", "part"]
    assert list(monthly.columns) == ["month", "category", "count", "era", "part"]
    held_years = months.years(monthly["month"])
    assert len(annual) == len(held_years) * len(categories)  # every category in every year, zeros included
    assert len(monthly) == monthly["month"].nunique() * len(categories)  # only months that have a file
    by_year = monthly.assign(year=monthly["month"].map(lambda m: str(months.year_of(m))))
    for (year, category), rows in by_year.groupby(["year", "category"]):
        counted = annual[(annual["year"] == year) & (annual["category"] == category)]
        assert len(counted) == 1, (year, category)
        expected = "" if (rows["count"] == "").all() else str(sum(int(c or 0) for c in rows["count"]))
        assert counted["count"].iloc[0] == expected, (year, category)


def test_annual_counts_of_the_fixture_files(fixture_build):
    annual = read_download(fixture_build, "annual_counts").set_index(["year", "category"])
    assert annual.loc[("2013", "homicide")].tolist() == ["3", "ucr", "1"]
    assert annual.loc[("2015", "homicide")].tolist() == ["1", "ucr", "1"]
    assert annual.loc[("2013", "aggravated-assault")].tolist() == ["-1", "ucr", "1"]
    assert annual.loc[("2024", "homicide")].tolist() == ["4", "nibrs", "1"]


def test_monthly_counts_of_the_fixture_files(fixture_build):
    monthly = read_download(fixture_build, "monthly_counts").set_index(["month", "category"])
    assert monthly.loc[("2014-02", "vehicle-theft")].tolist() == ["2", "ucr", "1"]
    assert monthly.loc[("2024-01", "homicide")].tolist() == ["4", "nibrs", "1"]
