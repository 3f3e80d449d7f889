"""crimesite.compare: the pull-request summary of how annual_counts.csv changes, on small hand-made files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crimesite import compare, paths

HEADER = "year,category,count,era\n"


def downloads(folder: Path, rows: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "annual_counts.csv").write_text(HEADER + rows, encoding="utf-8")
    return folder


def summary(tmp_path: Path, old_rows: str, new_rows: str) -> str:
    old = compare.read_counts(downloads(tmp_path / "old", old_rows))
    new = compare.read_counts(downloads(tmp_path / "new", new_rows))
    return compare.to_markdown(compare.compare(old, new), "main", "this pull request")


def table_rows(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.splitlines() if line.startswith("| ")][2:]  # without the header and rule
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


BASE = "2018,homicide,187,ucr\n2018,robbery,1500,ucr\n2019,homicide,194,ucr\n2019,robbery,1400,ucr\n"


def test_nothing_changed_is_said_plainly(tmp_path):
    markdown = summary(tmp_path, BASE, BASE)
    assert "Nothing changed: all 4 annual counts" in markdown
    assert "|" not in markdown


def test_a_changed_count_shows_old_new_and_difference(tmp_path):
    new = BASE.replace("2019,homicide,194", "2019,homicide,200").replace("2018,robbery,1500", "2018,robbery,1498")
    markdown = summary(tmp_path, BASE, new)
    assert "2 annual counts (year and category) in `annual_counts.csv` differ." in markdown
    assert table_rows(markdown) == [
        ["2018", "robbery", "1,500", "1,498", "-2"],
        ["2019", "homicide", "194", "200", "+6"],
    ]
    assert "| Year | Category | main | this pull request | Difference |" in markdown


def test_an_added_year_is_listed_with_its_counts(tmp_path):
    markdown = summary(tmp_path, BASE, BASE + "2020,homicide,263,ucr\n2020,robbery,1200,ucr\n")
    assert "Years added: 2020; years removed: none." in markdown
    assert "Categories added: none; categories removed: none." in markdown
    assert table_rows(markdown) == [
        ["2020", "homicide", "\u2014", "263", "added"],
        ["2020", "robbery", "\u2014", "1,200", "added"],
    ]


def test_a_removed_year_and_an_added_category(tmp_path):
    new = "2019,homicide,194,ucr\n2019,robbery,1400,ucr\n2019,arson,80,ucr\n"
    markdown = summary(tmp_path, BASE, new)
    assert "Years added: none; years removed: 2018." in markdown
    assert "Categories added: arson; categories removed: none." in markdown
    assert table_rows(markdown) == [
        ["2018", "homicide", "187", "\u2014", "removed"],
        ["2018", "robbery", "1,500", "\u2014", "removed"],
        ["2019", "arson", "\u2014", "80", "added"],
    ]


def test_a_removed_category(tmp_path):
    markdown = summary(tmp_path, BASE, "2018,homicide,187,ucr\n2019,homicide,194,ucr\n")
    assert "categories removed: robbery." in markdown
    assert [row[:2] for row in table_rows(markdown)] == [["2018", "robbery"], ["2019", "robbery"]]


def test_category_text_from_the_file_cannot_break_out_of_the_table(tmp_path):
    hostile = '"<script>alert(1)</script> | **x** [y](http://e.x)\nz"'
    markdown = summary(tmp_path, BASE, BASE + f"2019,{hostile},5,ucr\n")
    assert "<script>" not in markdown and "**x**" not in markdown and "](http" not in markdown
    rows = table_rows(markdown)
    assert len(rows) == 1 and len(rows[0]) == 5  # the | in the category did not add a cell
    assert rows[0][1].startswith("&#60;script&#62;alert&#40;1&#41;")
    assert "Categories added: &#60;script&#62;" in markdown


def test_labels_are_escaped_too(tmp_path):
    old = compare.read_counts(downloads(tmp_path / "old", BASE))
    new = compare.read_counts(downloads(tmp_path / "new", BASE.replace("194", "195")))
    markdown = compare.to_markdown(compare.compare(old, new), "main", "<b>pr</b>")
    assert "<b>" not in markdown


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2019,homicide,x,ucr\n", ":2: column count: value 'x': expected a whole number"),
        ("2019,homicide,1,ucr\n20x9,robbery,1,ucr\n", ":3: column year: value '20x9': expected a whole number"),
        ("2019,homicide,1,ucr\n2019,homicide,2,ucr\n", ":3: column category: value 'homicide': expected each"),
    ],
)
def test_a_bad_file_names_file_line_column_and_value(tmp_path, rows, message):
    folder = downloads(tmp_path / "d", rows)
    with pytest.raises(ValueError, match="annual_counts.csv" + message.replace("(", r"\(")):
        compare.read_counts(folder)


def test_the_cli_prints_markdown_and_fails_on_a_missing_file(tmp_path):
    old = downloads(tmp_path / "old", BASE)
    new = downloads(tmp_path / "new", BASE.replace("1400", "1401"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "crimesite.compare", *args], capture_output=True, text=True, cwd=paths.ROOT
        )

    result = run(str(old), str(new), "--old-label", "main", "--new-label", "this pull request")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## Headline numbers: this pull request compared with main\n")
    assert "| 2019 | robbery | 1,400 | 1,401 | +1 |" in result.stdout
    missing = run(str(old), str(tmp_path / "nowhere"))
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert "nowhere/annual_counts.csv: not found" in missing.stderr


def test_two_builds_of_the_sample_compare_as_unchanged(tmp_path, categories, sample_raw, no_places_config):
    """The real file format: the published annual_counts.csv is what read_counts() reads."""
    from crimesite import build

    build.run([sample_raw], build_dir=tmp_path / "build", site_dir=None, config=no_places_config)
    folder = tmp_path / "build" / "docs" / "downloads"
    counts = compare.read_counts(folder)
    assert len(counts.values) == 3 * len(categories) and counts.categories[0] == "homicide"
    summary = compare.to_markdown(compare.compare(counts, counts))
    assert f"Nothing changed: all {3 * len(categories)} annual counts" in summary


def test_an_empty_count_is_not_counted_never_zero(tmp_path):
    """annual_counts.csv leaves Part II of the NIBRS years empty: not counted, which is not a change to 0."""
    old = "2024,homicide,53,nibrs\n2024,vandalism,,nibrs\n"
    counts = compare.read_counts(downloads(tmp_path / "old", old))
    assert counts.values[(2024, "vandalism")] == compare.NOT_COUNTED
    assert "Nothing changed: all 2 annual counts" in summary(tmp_path / "same", old, old)
    markdown = summary(tmp_path / "counted", old, old.replace("vandalism,,", "vandalism,40,"))
    assert table_rows(markdown) == [["2024", "vandalism", "not counted", "40", "n/a"]]
