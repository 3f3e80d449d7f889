"""The repository's real data (data/raw/: SLMPD's 156 legacy files and four NIBRS releases) built as a fresh clone's
`make site` builds it: every yearly and monthly legacy count checked against an independent count, the City's
published figures, and the places (names from the table, rates, maps)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import html
import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from crimesite import manifest, months, paths
from tests import page_parts

PUBLISHED_HOMICIDES = {2014: 159}  # the City's published figure, which the data reproduces
LEGACY_FOLDERS = ("legacy", "legacy_2020")
LEGACY_YEARS = range(2008, 2021)
# Data rows in the files (from the shared data's own README, counted apart from this code): legacy 644,056 + 44,720,
# NIBRS 11,381 + 11,841.
RAW_ROWS = 644_056 + 44_720 + 11_381 + 11_841


@pytest.fixture(scope="module")
def real_build(real_site) -> Path:
    return real_site[0]


def legacy_files() -> list[Path]:
    return sorted(p for folder in LEGACY_FOLDERS for p in (paths.RAW_DIR / folder).glob("*.csv.gz"))


@pytest.fixture(scope="module")
def independent_counts() -> tuple[Counter, Counter]:
    """Sum `Count` by coded month and UCR class over the legacy files with nothing but the csv module."""
    with open(paths.REFERENCE_DIR / "ucr_classes.csv", newline="") as handle:
        slug = {int(row["ucr_class"]): row["slug"] for row in csv.DictReader(handle)}
    by_year, by_month = Counter(), Counter()
    for path in legacy_files():
        text = gzip.decompress(path.read_bytes()).decode("utf-8-sig", errors="replace")
        rows = csv.reader(io.StringIO(text))
        header = [name.replace(" ", "").replace("-", "").lower() for name in next(rows)]
        month_at = header.index("codedmonth") if "codedmonth" in header else header.index("monthreportedtomshp")
        count_at, crime_at = header.index("count"), header.index("crime")
        for row in rows:
            if not row:
                continue
            ucr_class = int(row[crime_at].strip().rjust(6, "0")[:2])
            month = row[month_at].strip()
            by_year[(int(month[:4]), slug[ucr_class])] += int(row[count_at])
            by_month[(month, slug[ucr_class])] += int(row[count_at])
    return by_year, by_month


def read_download(build_dir: Path, name: str) -> dict[tuple[str, str], str]:
    with open(build_dir / "docs" / "downloads" / name, newline="") as handle:
        return {(row[0], row[1]): row[2] for row in list(csv.reader(handle))[1:]}


def nibrs_files() -> list[Path]:
    return sorted(paths.RAW_DIR.glob("nibrs*/*.csv.gz"))


def held_months(build_dir: Path) -> list[str]:
    """The months monthly_counts.csv holds (the months some file stands for), sorted."""
    return sorted({month for month, _ in read_download(build_dir, "monthly_counts.csv")})


def test_the_repository_holds_156_legacy_files_and_four_nibrs_releases():
    assert len(legacy_files()) == 156
    assert len(list((paths.RAW_DIR / "legacy_2020").glob("*.csv.gz"))) == 12
    assert [p.name for p in nibrs_files()] == [f"Crime-0{m}-2024.csv.gz" for m in range(1, 5)]


def test_every_file_is_read_and_each_figure_says_what_it_counts(real_build):
    quality = (real_build / "docs" / "data-quality.md").read_text()
    files, rows = re.search(r"The build read \*\*([\d,]+)\*\* files with \*\*([\d,]+)\*\* rows", quality).groups()
    assert (files, rows) == (f"{len(legacy_files()) + len(nibrs_files())}", f"{RAW_ROWS:,}")
    # the January 2024 release: 5,875 rows as published (csv module's count), and the crimes the incident table keeps
    # from it in their newest version
    january = re.search(r"Crime&#45;01&#45;2024&#46;csv&#46;gz</th>(.*?)</tr>", quality).group(1)
    read, counted = re.findall(r'class="num">([\d,]+)<', january)[:2]
    incidents = pd.read_parquet(real_build / "docs" / "downloads" / "incidents.parquet", columns=["source_file"])
    assert read == "5,875"
    assert counted == f"{(incidents['source_file'] == 'nibrs/Crime-01-2024.csv.gz').sum():,}"
    held = held_months(real_build)
    gaps = [months.run_label(*run) for run in months.runs(set(months.span(held[0], held[-1])) - set(held))]
    assert gaps == ["January 2021 to December 2023"]
    assert re.search(r"no crime is counted for them: (.*)\.", quality)[1].split("; ") == gaps


def test_homicides_match_the_published_figure(real_build):
    annual = read_download(real_build, "annual_counts.csv")
    for year, published in PUBLISHED_HOMICIDES.items():
        assert annual[(str(year), "homicide")] == str(published)


def test_every_legacy_yearly_count_matches_an_independent_sum(real_build, independent_counts):
    by_year, _ = independent_counts
    annual = read_download(real_build, "annual_counts.csv")
    legacy = {key: int(value) for key, value in annual.items() if int(key[0]) in LEGACY_YEARS}
    assert len(legacy) == len(LEGACY_YEARS) * 26
    assert legacy == {key: by_year.get((int(key[0]), key[1]), 0) for key in legacy}


def test_every_legacy_monthly_count_matches_an_independent_sum(real_build, independent_counts):
    _, by_month = independent_counts
    monthly = read_download(real_build, "monthly_counts.csv")
    legacy = {key: int(value) for key, value in monthly.items() if key[0] < "2021"}
    assert len(legacy) == 156 * 26
    assert legacy == {key: by_month.get(key, 0) for key in legacy}


def test_the_real_data_is_not_marked_as_sample(real_build):
    assert yaml.safe_load((real_build / "mkdocs.generated.yml").read_text())["extra"]["sample_data"] is False


def test_the_home_page_names_the_months_the_data_covers_and_the_gap(real_build):
    held = held_months(real_build)
    home = (real_build / "docs" / "index.md").read_text()
    found = re.search(r"\*\*Data through (.*?)\*\* \(([\d,]+) monthly files, (.*?) to (.*?); none for (.*?)\)\.", home)
    assert found, "the home page does not say what the data covers"
    through, files, first, last, gaps = found.groups()
    assert (through, first, last) == (months.label(held[-1]), months.label(held[0]), months.label(held[-1]))
    assert (through, first) == ("April 2024", "January 2008")
    assert files == str(len(legacy_files()) + len(nibrs_files()))
    assert gaps == "January 2021 to December 2023"  # the gap, named


def test_the_2014_and_2020_homicide_claims_are_checked(real_build):
    rows = page_parts.markdown_rows((real_build / "docs" / "claims.md").read_text())
    assert page_parts.row_starting(rows, "159 homicides in 2014")[1:4] == ["159", "159", "**Matches**"]
    # The 2020 files give one homicide more than the City's figure; the state's figure (the second source) matches.
    row = page_parts.row_starting(rows, "263 homicides in 2020")
    assert row[1:6] == ["263", "264", "**Close**", "263", "**Matches**"]
    assert row[6].startswith("The data counts 1 crime more")
    checked = pd.read_csv(real_build / "docs" / "downloads" / "claims_checked.csv").set_index("statement")
    assert checked.loc["263 homicides in 2020", ["figure_in_data", "figure_other_source"]].tolist() == [264, 263]


def test_88_neighborhood_pages_are_named_from_the_table(real_site, site_config):
    _, site_dir = real_site
    with open(site_config.places.neighborhood_table, newline="") as handle:
        names = {int(row["NHD_NUM"]): row["NHD_NAME"] for row in csv.DictReader(handle)}
    assert site_config.places.neighborhood_table == paths.REFERENCE_DIR / "neighborhoods.csv"
    pages = sorted((site_dir / "neighborhoods").glob("*/index.html"))
    assert len(pages) == 88 == len(names)
    for page in pages:
        number = int(page.parent.name.split("-")[0])
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S).group(1)
        assert names[number] in html.unescape(title), page.parent.name
    assert (site_dir / "neighborhoods" / "1-carondelet" / "index.html").is_file()


def test_carondelet_has_the_rate_and_population_of_the_download(real_site):
    build_dir, site_dir = real_site
    rates = pd.read_csv(build_dir / "docs" / "downloads" / "neighborhood_rates.csv")
    [part1] = rates[(rates["neighborhood"] == 1) & (rates["category"] == "part1")].itertuples()
    assert part1.population == 7734  # its 2020 population, from the table
    page = (build_dir / "docs" / "neighborhoods" / "1-carondelet.md").read_text(encoding="utf-8")
    assert re.search(r"^([\d,]+) residents \((\d{4}) census\)", page, re.M).groups() == ("7,734", "2020")
    rate, year = re.search(r"\*\*([\d.,]+) Part I crimes per 1,000 residents\*\* in (\d{4})", page).groups()
    assert (rate, int(year)) == (f"{part1.rate_per_1000:,.1f}", part1.year)
    assert (site_dir / "neighborhoods" / "1-carondelet" / "index.html").is_file()


def test_the_maps_page_draws_the_neighborhoods_and_the_recent_map_has_points(real_site):
    _, site_dir = real_site
    maps = (site_dir / "maps" / "index.html").read_text(encoding="utf-8")
    assert "geoshape" in page_parts.chart_marks(maps) and "no neighborhood boundary file is configured" not in maps
    recent = (site_dir / "maps" / "recent" / "index.html").read_text(encoding="utf-8")
    specs = page_parts.chart_specs(recent)
    points = [v for spec in specs for v in spec.get("datasets", {}).values() if isinstance(v, str)]
    assert points and len(points[0].splitlines()) > 500


def test_the_manifest_lists_every_data_file_with_its_checksum_and_source():
    entries = manifest.read_manifest(paths.ROOT / "data" / "manifest.json")
    data = paths.ROOT / "data"
    on_disk = {
        p.relative_to(data).as_posix()
        for folder in ("raw", "reference")
        for p in (data / folder).rglob("*")
        if p.is_file() and p.name != "ucr_classes.csv"
    }
    assert set(entries) == on_disk and len(on_disk) == 165
    for path, entry in entries.items():
        content = (data / path).read_bytes()
        assert entry.sha256 == hashlib.sha256(content).hexdigest() and entry.bytes == len(content), path
        assert entry.source and entry.url.startswith(("http://", "https://")), path
    assert all("gzip-compressed copy" in entries[p].source for p in on_disk if p.startswith("raw/"))


def test_part_ii_of_2024_is_not_counted_rather_than_zero(real_build, categories):
    annual = read_download(real_build, "annual_counts.csv")
    monthly = read_download(real_build, "monthly_counts.csv")
    part2 = [c.slug for c in categories if c.part == 2]
    assert part2 and all(annual[("2024", slug)] == "" for slug in part2)
    assert all(monthly[("2024-03", slug)] == "" for slug in part2)
    assert all(annual[("2020", slug)] != "" for slug in part2)  # the legacy files count Part II
    assert int(annual[("2024", "burglary")]) > 0


def test_the_city_limits_leave_no_located_point_outside_the_city(real_site, site_config):
    """The box geography.bounds let points of St. Louis County through; the City limits polygon does not."""
    import numpy as np

    from crimesite import geo, places

    build_dir, site_dir = real_site
    rings = places.read_city_limits(site_config.geography.city_limits)
    recent = (site_dir / "maps" / "recent" / "index.html").read_text(encoding="utf-8")
    specs = page_parts.chart_specs(recent)
    (points,) = [v for spec in specs for v in spec.get("datasets", {}).values() if isinstance(v, str)]
    rows = list(csv.DictReader(points.splitlines()))
    lon, lat = np.array([float(r["x"]) for r in rows]), np.array([float(r["y"]) for r in rows])
    assert geo.inside_rings(lon, lat, rings).all()
    incidents = pd.read_parquet(
        build_dir / "docs" / "downloads" / "incidents.parquet", columns=["location_status", "latitude"]
    )
    outside = incidents["location_status"] == "outside_city"
    assert outside.sum() > 100 and incidents.loc[outside, "latitude"].isna().all()
    rows = page_parts.markdown_rows((build_dir / "docs" / "data-quality.md").read_text())
    assert (
        page_parts.row_starting(rows, "Coordinates inside the box but outside the city limits")[1]
        == f"{outside.sum():,}"
    )
