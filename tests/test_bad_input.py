"""Input the reader cannot interpret stops the build with one line per problem, and writes nothing."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crimesite import paths, sources
from crimesite.errors import DataError, Problem
from tests.conftest import FIXTURES

HEADER_20 = (FIXTURES / "legacy" / "february2014_20_columns.csv").read_text().splitlines()[0]
GOOD_ROW = (
    "14-000101,2014-02,2/3/2014 8:05,Y, , ,1, ,31111,3,ROBBERY,3712,S BROADWAY,18, , ,3712,BROADWAY,905000,1005000"
)


def write(folder: Path, name: str, *lines: str) -> Path:
    path = folder / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def problems_for(path: Path, context) -> list[str]:
    with pytest.raises(DataError) as caught:
        sources.load(sources.discover([path]), context)
    return [str(problem) for problem in caught.value.problems]


def with_field(field: int, value: str) -> str:
    fields = GOOD_ROW.split(",")
    fields[field] = value
    return ",".join(fields)


def test_non_numeric_count(tmp_path, context):
    path = write(tmp_path, "feb.csv", HEADER_20, GOOD_ROW, with_field(6, "x"), with_field(6, "2"))
    assert problems_for(path, context) == [
        f"{path}:3: column Count: value 'x': expected +1 or -1",
        f"{path}:4: column Count: value '2': expected +1 or -1",
    ]


def test_unparseable_crime_code(tmp_path, context):
    path = write(tmp_path, "feb.csv", HEADER_20, with_field(8, "ABC"), with_field(8, "990000"), with_field(8, ""))
    found = problems_for(path, context)
    assert [line.split(": expected")[0] for line in found] == [
        f"{path}:2: column Crime: value 'ABC'",
        f"{path}:3: column Crime: value '990000'",
        f"{path}:4: column Crime: value ''",
    ]
    assert all("UCR class 01-26" in line for line in found)


def test_unparseable_coded_month(tmp_path, context):
    path = write(tmp_path, "feb.csv", HEADER_20, with_field(1, "2014-13"), with_field(1, "Feb 2014"))
    assert problems_for(path, context) == [
        f"{path}:2: column CodedMonth: value '2014-13': expected a month as YYYY-MM",
        f"{path}:3: column CodedMonth: value 'Feb 2014': expected a month as YYYY-MM",
    ]


def test_unknown_header(tmp_path, context):
    path = write(tmp_path, "other.csv", "Date,Offense,Count", "2014-02-01,THEFT,1")
    [problem] = problems_for(path, context)
    assert problem.startswith(f"{path}:1: column (header): value 'Date,Offense,Count': expected a known header")


def test_an_html_error_page_saved_as_csv(tmp_path, context):
    path = write(tmp_path, "march.csv", "<!DOCTYPE html>", "<html><body>404 Not Found</body></html>")
    [problem] = problems_for(path, context)
    assert f"{path}:1: column (header)" in problem


def test_a_truncated_row(tmp_path, context):
    path = write(tmp_path, "feb.csv", HEADER_20, GOOD_ROW, GOOD_ROW[:40])
    [problem] = problems_for(path, context)
    assert problem == f"{path}:3: column (row): value {GOOD_ROW[:40]!r}: expected 20 fields as in the header, found 8"


def test_a_row_with_an_open_quote(tmp_path, context):
    path = write(tmp_path, "feb.csv", HEADER_20, GOOD_ROW, with_field(10, '"ROBBERY'))
    [problem] = problems_for(path, context)
    assert problem.startswith(f"{path}:3: column (row)")


def test_empty_file(tmp_path, context):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    [problem] = problems_for(path, context)
    assert problem == f"{path}:1: column (header): value '': expected a header line naming the columns"


def test_gz_name_on_a_file_that_is_not_gzip(tmp_path, context):
    path = write(tmp_path, "feb.csv.gz", HEADER_20, GOOD_ROW)
    [problem] = problems_for(path, context)
    assert problem.startswith(f"{path}:1: column (file)")
    assert "not gzip" in problem


def test_a_truncated_gzip_file(tmp_path, context):
    data = gzip.compress(("\n".join([HEADER_20, GOOD_ROW] * 50)).encode())
    path = tmp_path / "feb.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    [problem] = problems_for(path, context)
    assert problem.startswith(f"{path}:1: column (file)")


def test_problems_in_several_files_are_all_listed(tmp_path, context):
    write(tmp_path, "a.csv", HEADER_20, with_field(6, "x"))
    write(tmp_path, "b.csv", HEADER_20, with_field(1, "2014-02"), with_field(8, "XYZ"))
    found = problems_for(tmp_path, context)
    assert len(found) == 2
    assert "a.csv:2: column Count" in found[0] and "b.csv:3: column Crime" in found[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, str(paths.ROOT / "build_data.py"), *args], capture_output=True, text=True, env=env, check=False
    )


def test_the_cli_prints_one_line_per_problem_and_writes_nothing(tmp_path):
    bad = write(tmp_path, "feb.csv", HEADER_20, with_field(6, "x"), with_field(8, "ABC"))
    build_dir, site_dir = tmp_path / "build", tmp_path / "site"
    result = run_cli("--raw", str(bad), "--build-dir", str(build_dir), "--site-dir", str(site_dir))
    assert result.returncode == 1
    lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error: ")]
    assert len(lines) == 2
    assert ":2: column Count: value 'x'" in lines[0]
    assert ":3: column Crime: value 'ABC'" in lines[1]
    assert result.stderr.strip().splitlines()[-1] == "build stopped: 2 problem(s) in the raw files; nothing was written"
    assert "Traceback" not in result.stderr
    assert not build_dir.exists() and not site_dir.exists()


def test_the_cli_writes_github_annotations_in_actions(tmp_path):
    """In GitHub Actions each problem is an ::error command naming the file (relative to the working folder,
    which is the repository there), the line, and in its message the column and the value."""
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    write(raw, "feb.csv", HEADER_20, GOOD_ROW, with_field(6, "x"), with_field(8, '"AB%C\nD"'))
    env = {**os.environ, "GITHUB_ACTIONS": "true", "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    result = subprocess.run(
        [
            sys.executable,
            str(paths.ROOT / "build_data.py"),
            "--raw",
            "data/raw/feb.csv",
            "--no-site",
            "--build-dir",
            "out",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 2  # the newline inside the second value did not split its annotation
    count, crime = annotations
    assert count.startswith("::error file=data/raw/feb.csv,line=3::")
    assert "column Count" in count and "value 'x'" in count
    assert crime.startswith("::error file=data/raw/feb.csv,line=4::")
    assert (
        "column Crime" in crime and "value 'AB%25C\\nD'" in crime
    )  # % encoded; repr() already wrote the newline as \\n
    assert not (tmp_path / "out").exists()


def test_an_annotation_escapes_a_file_name_that_holds_its_separators():
    problem = Problem("data/raw/june,2019:v2.csv", 3, "Count", "x", "+1 or -1")
    assert problem.github_annotation().startswith("::error file=data/raw/june%2C2019%3Av2.csv,line=3::data/raw/june")
