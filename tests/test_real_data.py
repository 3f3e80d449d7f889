"""The 144 real legacy files: every yearly and monthly count, checked against an independent count."""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

import pytest

from crimesite import paths

PUBLISHED_HOMICIDES = {2014: 159}  # the City's published figure


@pytest.fixture(scope="module")
def real_build(real_site) -> Path:
    return real_site[0]


@pytest.fixture(scope="module")
def independent_counts(legacy_dir) -> tuple[Counter, Counter]:
    """Sum `Count` by coded month and UCR class with nothing but the csv module."""
    with open(paths.REFERENCE_DIR / "ucr_classes.csv", newline="") as handle:
        slug = {int(row["ucr_class"]): row["slug"] for row in csv.DictReader(handle)}
    by_year, by_month = Counter(), Counter()
    for path in sorted(legacy_dir.glob("*.csv.gz")):
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


def read_download(build_dir: Path, name: str) -> dict[tuple[str, str], int]:
    with open(build_dir / "docs" / "downloads" / name, newline="") as handle:
        return {(row[0], row[1]): int(row[2]) for row in list(csv.reader(handle))[1:]}


def test_all_144_files_are_read(real_build):
    quality = (real_build / "docs" / "data-quality.md").read_text()
    assert "The build read **144** files with **644,056** rows" in quality


def test_homicides_match_the_published_figure(real_build):
    annual = read_download(real_build, "annual_counts.csv")
    for year, published in PUBLISHED_HOMICIDES.items():
        assert annual[(str(year), "homicide")] == published


def test_every_yearly_count_matches_an_independent_sum(real_build, independent_counts):
    by_year, _ = independent_counts
    annual = read_download(real_build, "annual_counts.csv")
    expected = {(str(year), slug): count for (year, slug), count in by_year.items()}
    assert len(annual) == 12 * 26
    assert annual == {key: expected.get(key, 0) for key in annual}


def test_every_monthly_count_matches_an_independent_sum(real_build, independent_counts):
    _, by_month = independent_counts
    monthly = read_download(real_build, "monthly_counts.csv")
    assert len(monthly) == 144 * 26
    assert monthly == {key: by_month.get(key, 0) for key in monthly}


def test_the_real_data_is_not_marked_as_sample(real_build):
    assert "sample_data: false" in (real_build / "mkdocs.generated.yml").read_text()
    assert "Data through December 2019" in (real_build / "docs" / "index.md").read_text()


def test_the_2014_homicide_claim_is_checked_and_matches(real_build):
    claims_page = (real_build / "docs" / "claims.md").read_text()
    assert "| 159 homicides in 2014 | 159 | 159 | **Matches** |" in claims_page
    assert (
        "| 263 homicides in 2020 | 263 | n/a | **Not checkable** | 263 | **Matches** | Not in SLMPD&#39;s files in "
        "this build &#40;2020&#41;&#46; The State UCR &#40;RTCI&#41; figure is 263" in claims_page
    )
