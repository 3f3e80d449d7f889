"""Whole sites built with MkDocs from the generated sample and from the fixtures."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crimesite import build, paths
from crimesite.errors import DataError
from tests import page_parts
from tests.conftest import FIXTURES

NOTICE = "This site was built from the bundled synthetic sample"


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def build_site(raw: Path, root: Path, config=None) -> tuple[Path, Path, build.Timings]:
    build_dir, site_dir = root / "build", root / "site"
    timings = build.run([raw], build_dir=build_dir, site_dir=site_dir, config=config)
    return build_dir, site_dir, timings


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> tuple[Path, Path]:
    build_dir, site_dir, _ = build_site(FIXTURES / "legacy", tmp_path_factory.mktemp("fixtures"))
    return build_dir, site_dir


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


class Resources(HTMLParser):
    """Every address the page would load by itself (scripts, styles, images, frames, icons)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video") and values.get("src"):
            self.loads.append(values["src"])
        if tag == "link" and values.get("href") and values.get("rel") not in ("canonical", None):
            self.loads.append(values["href"])


def test_every_page_of_a_sample_build_says_it_is_sample_data(sample_site):
    _, site_dir = sample_site
    pages = html_pages(site_dir)
    # home, 404, about, fork guide, methodology, data quality, downloads, data dictionary, shootings, claims, goals;
    # 8 crimes + index; 3 years + index; 88 neighborhoods + index; 6 districts + index;
    # weekly report for the city and 6 districts; 2 map pages
    assert len(pages) == 11 + 9 + 4 + 89 + 7 + 7 + 2
    missing = [p.relative_to(site_dir).as_posix() for p in pages if NOTICE not in p.read_text()]
    assert missing == []


def test_a_build_from_other_files_carries_no_sample_notice(fixture_site):
    _, site_dir = fixture_site
    assert all(NOTICE not in page.read_text() for page in html_pages(site_dir))


def test_downloads_are_published_with_the_site(sample_site, categories):
    _, site_dir = sample_site
    annual = (site_dir / "downloads" / "annual_counts.csv").read_text().splitlines()
    assert annual[0] == "year,category,count,era,part"
    parts = {c.slug: str(c.part) for c in categories}
    rows = [line.split(",") for line in annual[1:]]
    assert {row[1]: row[4] for row in rows} == parts
    assert all(re.fullmatch(r"-?\d+", row[2]) for row in rows)
    assert {int(row[0]) for row in rows} == {2017, 2018, 2019}
    monthly = (site_dir / "downloads" / "monthly_counts.csv").read_text().splitlines()
    assert monthly[0] == "month,category,count,era,part"
    assert len(monthly) == 1 + 36 * len(categories)


def test_the_site_loads_nothing_from_other_hosts(sample_site):
    _, site_dir = sample_site
    for page in html_pages(site_dir):
        parser = Resources()
        parser.feed(page.read_text())
        remote = [url for url in parser.loads if re.match(r"^(https?:)?//", url)]
        assert remote == [], f"{page.relative_to(site_dir)} loads {remote}"
    assert (site_dir / "assets" / "vendor" / "vega-bundle.js").stat().st_size > 500_000
    css = "".join(p.read_text(errors="ignore") for p in site_dir.rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


def test_every_chart_has_a_spec_a_summary_and_a_table(sample_site):
    _, site_dir = sample_site
    charts = 0
    for page in html_pages(site_dir):
        html = page.read_text()
        for match in re.finditer(r'<figure class="chart" id="([^"]+)">(.*?)</figure>\s*(.{0,400})', html, re.S):
            charts += 1
            chart_id, inner, after = match.groups()
            spec = json.loads(
                re.search(r'<script type="application/json" class="chart-spec">(.*?)</script>', inner, re.S).group(1)
            )
            assert ("mark" in spec or "layer" in spec) and spec["description"], chart_id
            assert "<figcaption>" in inner, chart_id
            assert "<table" in after, f"{chart_id} on {page.relative_to(site_dir)} is not followed by its table"
    assert charts >= 8 * 3 + 3 + 1


def test_homicide_page_numbers_match_the_download(sample_site):
    _, site_dir = sample_site
    annual = {
        tuple(line.split(",")[:2]): int(line.split(",")[2])
        for line in (site_dir / "downloads" / "annual_counts.csv").read_text().splitlines()[1:]
    }
    rows = page_parts.table_rows((site_dir / "crimes" / "homicide" / "index.html").read_text())
    for year in (2017, 2018, 2019):
        assert page_parts.row_starting(rows, str(year))[1] == f"{annual[(str(year), 'homicide')]:,}", year


def test_rebuilding_the_same_input_writes_the_same_bytes(sample_site, sample_raw, no_places_config, tmp_path):
    build_dir, site_dir = sample_site
    again_build, again_site, _ = build_site(sample_raw, tmp_path, no_places_config)
    assert tree_digest(again_build / "docs") == tree_digest(build_dir / "docs")
    assert tree_digest(again_site) == tree_digest(site_dir)


def test_unchanged_input_is_not_rebuilt(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / "legacy", raw)
    _, site_dir, first = build_site(raw, tmp_path)
    assert "read" in first.stages
    _, _, second = build_site(raw, tmp_path)
    assert "read" not in second.stages
    (raw / "april2013_18_columns.csv").unlink()
    _, _, third = build_site(raw, tmp_path)
    assert "read" in third.stages
    years = {line.split(",")[0] for line in (site_dir / "downloads" / "annual_counts.csv").read_text().splitlines()}
    assert "2013" not in years and "2017" in years


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / "legacy", raw)
    build_dir, site_dir, _ = build_site(raw, tmp_path)
    before_site, before_docs = tree_digest(site_dir), tree_digest(build_dir)
    text = (raw / "may2017_26_columns.csv").read_text()
    (raw / "may2017_26_columns.csv").write_text(text.replace(",1, ,265321,", ",one, ,265321,"))
    with pytest.raises(DataError):
        build_site(raw, tmp_path)
    assert tree_digest(site_dir) == before_site
    assert tree_digest(build_dir) == before_docs


def test_without_boundary_files_the_maps_fall_back_to_ranked_charts(sample_site):
    """A fork's sample build with no neighborhood table or boundaries yet."""
    _, site_dir = sample_site
    maps = html.unescape((site_dir / "maps" / "index.html").read_text(encoding="utf-8"))
    assert "no neighborhood boundary file is configured" in maps
    assert "no district boundary file is configured" in maps
    assert "so it shows counts of Part I crimes, not rates" in maps
    assert "neighborhoods.csv, neighborhoods.geojson, districts.geojson" in maps
    assert "geoshape" not in page_parts.chart_marks(maps) and "bar" in page_parts.chart_marks(maps)
    assert {"chart-district-ranked", "chart-neighborhood-ranked"} <= page_parts.element_ids(maps)
    recent = (site_dir / "maps" / "recent" / "index.html").read_text(encoding="utf-8")
    assert "no boundary file is configured" in recent and "table-recent-counts" in page_parts.element_ids(recent)
    page = (site_dir / "neighborhoods" / "35-neighborhood-35" / "index.html").read_text(encoding="utf-8")
    assert "No rate: this build has no neighborhood table" in page


def test_the_search_override_is_materials_own_partial_with_the_dialog_named():
    """overrides/partials/search.html copies Material's partial to name the search dialog (axe: aria-dialog-name);
    after an upgrade of Material the copy must follow the new partial, or the site would keep the old one."""
    import material

    own = (Path(material.__file__).parent / "templates" / "partials" / "search.html").read_text()
    copy = (paths.ROOT / "overrides" / "partials" / "search.html").read_text()
    dialog = '<div class="md-search" data-md-component="search" role="dialog">'
    named = '<div class="md-search" data-md-component="search" role="dialog" aria-label="{{ lang.t(\'search\') }}">'
    assert dialog in own
    assert without_opening_comment(copy) == without_opening_comment(own).replace(dialog, named)


def without_opening_comment(template: str) -> str:
    return template.split("-#}\n", 1)[1]
