"""Golden test: the whole Markdown output built from the fixture files, compared with tests/golden/."""

from __future__ import annotations

from pathlib import Path

from crimesite import output
from tests.conftest import GOLDEN

COMPARED_SUFFIXES = (".md", ".csv", ".yml")


def generated_files(build_dir: Path) -> dict[str, str]:
    files = {}
    for path in sorted(build_dir.rglob("*")):
        relative = path.relative_to(build_dir).as_posix()
        if path.is_file() and path.suffix in COMPARED_SUFFIXES and not relative.startswith("mkdocs.yml"):
            files[relative] = path.read_text(encoding="utf-8")
    return files


def test_generated_markdown_matches_golden(fixture_build, update_golden):
    actual = generated_files(fixture_build)
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


def test_fixture_pages_cover_every_year_and_part1_crime(fixture_build, categories):
    docs = fixture_build / "docs"
    for year in (2013, 2014, 2015, 2017, 2024):  # the years the fixture files cover
        assert (docs / "years" / f"{year}.md").exists()
    assert not (docs / "years" / "2016.md").exists()  # no file for 2016: no page, no zeros
    for category in categories:
        assert (docs / "crimes" / f"{category.slug}.md").exists() == (category.part == 1)


def test_partial_years_and_missing_months_are_said_plainly(fixture_build):
    year = (fixture_build / "docs" / "years" / "2014.md").read_text()
    assert "Only 1 of the 12 months of 2014 are in the data" in year
    quality = (fixture_build / "docs" / "data-quality.md").read_text()
    assert "These months inside the range have no file" in quality


def test_a_build_from_real_format_files_has_no_sample_flag(fixture_build):
    config = (fixture_build / output.GENERATED_CONFIG).read_text()
    assert "sample_data: false" in config


def test_downloads_hold_every_category_with_exact_columns(fixture_build, categories):
    annual = (fixture_build / "docs" / "downloads" / "annual_counts.csv").read_text().splitlines()
    assert annual[0] == "year,category,count,era,part"
    assert "2013,homicide,3,ucr,1" in annual
    assert "2015,homicide,1,ucr,1" in annual
    assert "2013,aggravated-assault,-1,ucr,1" in annual
    assert "2024,homicide,4,nibrs,1" in annual
    assert len(annual) == 1 + 5 * len(categories)  # 2013, 2014, 2015, 2017 and 2024; every category
    monthly = (fixture_build / "docs" / "downloads" / "monthly_counts.csv").read_text().splitlines()
    assert monthly[0] == "month,category,count,era,part"
    assert "2014-02,vehicle-theft,2,ucr,1" in monthly
    assert "2024-01,homicide,4,nibrs,1" in monthly
    assert len(monthly) == 1 + 6 * len(categories)  # only the six months that have a file
