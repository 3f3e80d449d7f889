"""Input the reader cannot interpret stops the build with one line per problem, and writes nothing."""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
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


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true", **(env or {})}
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


# ----- broken files, as real runs of build_data.py ---------------------------------------------------------------

NIBRS_FILE = FIXTURES / "nibrs" / "Crime-01-2024.csv"
LEGACY_LINES = [HEADER_20, GOOD_ROW, with_field(0, "14-000102")]


def crlf(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def garbage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def halved(data: bytes) -> bytes:
    return data[: len(data) // 2]


# name -> the files of the raw folder (name -> bytes), and for each error line expected: (file, line, column,
# the start of the value, a phrase of what was expected)
BROKEN = {
    "truncated mid-row": (
        {"feb.csv": ("\r\n".join(LEGACY_LINES) + "\r\n" + GOOD_ROW[:40]).encode()},
        [("feb.csv", 4, "(row)", GOOD_ROW[:20], "20 fields as in the header, found 8")],
    ),
    "truncated inside a quoted field": (
        {"feb.csv": crlf(*LEGACY_LINES)[:-2] + b'\r\n14-000103,2014-02,"2/3/2014 8:05,Y'},
        [("feb.csv", 4, "(row)", '14-000103,2014-02,"2/3', "a quote is left open")],
    ),
    "truncated gzip": (
        {"feb.csv.gz": halved(gzip.compress(crlf(*LEGACY_LINES * 40), mtime=0))},
        [("feb.csv.gz", 1, "(file)", "feb.csv.gz", "a readable file (Compressed file ended")],
    ),
    "semicolons": (
        {"feb.csv": crlf(*(line.replace(",", ";") for line in LEGACY_LINES))},
        [("feb.csv", 1, "(header)", "Complaint;CodedMonth;", "separated by semicolons, not commas")],
    ),
    "tabs": (
        {"feb.csv": crlf(*(line.replace(",", "\t") for line in LEGACY_LINES))},
        [("feb.csv", 1, "(header)", "Complaint\tCodedMonth", "separated by tabs, not commas")],
    ),
    "header only": (
        {"feb.csv": crlf(HEADER_20), "jan.csv": crlf(HEADER_20, with_field(1, "2014-01"))},
        [("feb.csv", 2, "(row)", "", "at least one row after the header")],
    ),
    "empty file": (
        {"feb.csv": b"", "mar.csv": crlf(HEADER_20, with_field(1, "2014-03"))},
        [("feb.csv", 1, "(header)", "", "a header line naming the columns")],
    ),
    "binary garbage": (
        {"feb.csv": garbage(5000, 1), "mar.csv.gz": gzip.compress(garbage(5000, 2), mtime=0)},
        [
            ("feb.csv", 1, "(file)", "feb.csv", "this is binary data"),
            ("mar.csv.gz", 1, "(file)", "mar.csv.gz", "this is binary data"),
        ],
    ),
    "an Excel workbook": (
        {"feb.csv": b"PK\x03\x04" + garbage(2000, 3)},
        [("feb.csv", 1, "(file)", "feb.csv", "a ZIP archive")],
    ),
    "an HTML error page": (
        {"march.csv": crlf("<!DOCTYPE html>", "<html><head><title>404 Not Found</title></head></html>")},
        [("march.csv", 1, "(header)", "<!DOCTYPE html>", "this is an HTML page")],
    ),
    "UTF-16": (
        {
            "feb.csv": "\r\n".join(LEGACY_LINES).encode("utf-16"),
            "mar.csv": "\r\n".join(LEGACY_LINES).replace("2014-02", "2014-03").encode("utf-16-le"),
        },
        [
            ("feb.csv", 1, "(file)", "feb.csv", "this is UTF-16 text (save it as UTF-8)"),
            ("mar.csv", 1, "(file)", "mar.csv", "UTF-16 text without a byte-order mark"),
        ],
    ),
    "the same file twice": (
        {"feb.csv": crlf(*LEGACY_LINES), "copy/feb.csv": crlf(*LEGACY_LINES)},
        [("feb.csv", 1, "(file)", "feb.csv", "a file different from copy/feb.csv")],
    ),
    "one coded month in two files": (
        {"feb.csv": crlf(*LEGACY_LINES), "feb-again.csv": crlf(HEADER_20, with_field(0, "14-000999"))},
        [("feb.csv", 2, "CodedMonth", "2014-02", "one file only; 2014-02 is also in feb-again.csv")],
    ),
    "a file name that hides its end": (
        {"feb\u202ecsv.txt.csv": crlf(HEADER_20, with_field(6, "x"))},
        [("feb\\u202ecsv.txt.csv", 2, "Count", "x", "+1 or -1")],
    ),
}


def write_raw(folder: Path, files: dict[str, bytes]) -> Path:
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


@pytest.fixture(scope="module")
def broken_runs(tmp_path_factory) -> dict[str, tuple[Path, Path, subprocess.CompletedProcess]]:
    """Each case of BROKEN in its own raw folder, run through build_data.py (three at a time: most of a run is
    starting Python): the raw folder, the output folder and the finished process."""
    root = tmp_path_factory.mktemp("broken")

    def run(number: int, case: str) -> tuple[str, tuple[Path, Path, subprocess.CompletedProcess]]:
        raw, out = write_raw(root / f"case{number}" / "raw", BROKEN[case][0]), root / f"case{number}" / "out"
        return case, (
            raw,
            out,
            run_cli("--raw", str(raw), "--build-dir", str(out / "build"), "--site-dir", str(out / "site")),
        )

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(run, range(len(BROKEN)), BROKEN))


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_file_stops_the_build_with_one_line_per_problem(broken_runs, case):
    raw, out, result = broken_runs[case]
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    expected = BROKEN[case][1]
    assert len(errors) == len(expected), result.stderr
    for line, (name, number, column, value, phrase) in zip(errors, expected, strict=True):
        assert line.startswith(f"error: {raw}/{name}:{number}: column {column}: value {value!r}"[:-1]), line
        assert phrase in line, line
    assert result.stderr.strip().splitlines()[-1].startswith("build stopped: ")
    assert not out.exists()  # nothing written, no staging folder left


def test_a_file_that_is_only_its_header_is_named_even_alone(tmp_path):
    raw = write_raw(tmp_path / "raw", {"feb.csv": crlf(HEADER_20)})
    result = run_cli("--raw", str(raw), "--no-site", "--build-dir", str(tmp_path / "build"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: {raw}/feb.csv:2: column (row): value '': expected at least one row after the header" in (
        result.stderr.splitlines()
    )


def quality_page(build_dir: Path) -> str:
    return (build_dir / "docs" / "data-quality.md").read_text(encoding="utf-8")


def test_a_legacy_occurrence_date_in_the_future_is_a_data_quality_entry(tmp_path):
    """A DateOccur after the coded month (here years after every file) is kept, counted in its coded month
    and listed; a coded month after every other file's is the newest month, not an error."""
    future = with_field(0, "14-000777").replace("2/3/2014 8:05", "2/3/2031 8:05")
    raw = write_raw(
        tmp_path / "raw", {"feb.csv": crlf(*LEGACY_LINES, future), "mar.csv": crlf(HEADER_20, with_field(1, "2014-03"))}
    )
    build_dir = tmp_path / "build"
    result = run_cli("--raw", str(raw), "--no-site", "--build-dir", str(build_dir))
    assert result.returncode == 0, result.stderr
    assert "| Occurrence date after the month it is counted in | 1 | 1 |" in quality_page(build_dir)
    annual = (build_dir / "docs" / "downloads" / "annual_counts.csv").read_text().splitlines()
    assert "2014,robbery,4,ucr,1" in annual  # the three February rows and the March one
    assert not any(line.startswith("2031,") for line in annual)


def test_a_nibrs_date_after_its_release_is_left_out_and_listed(tmp_path):
    """A NIBRS crime is counted in the month it occurred: one dated after the month of its own release (here
    2031) cannot be right, and is left out of every total and listed on the data-quality page."""
    lines = NIBRS_FILE.read_text(encoding="utf-8").splitlines()
    future = lines[1].replace("2024-01-05", "2031-01-05").replace("24000001", "24000999")
    raw = write_raw(tmp_path / "raw", {"Crime-01-2024.csv": crlf(*lines, future)})
    build_dir = tmp_path / "build"
    result = run_cli("--raw", str(raw), "--no-site", "--build-dir", str(build_dir))
    assert result.returncode == 0, result.stderr
    assert "NIBRS crimes dated after the last month of the release that holds them: **1**." in quality_page(build_dir)
    monthly = (build_dir / "docs" / "downloads" / "monthly_counts.csv").read_text()
    assert "2031" not in monthly
    assert "2024-01,homicide,2," in monthly  # the two victims of 24000001; 24000999 is not counted


# ----- a failing build leaves the last good one as it was ---------------------------------------------------------


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.endswith((".tmp", ".old")))


@pytest.fixture
def built(tmp_path) -> tuple[Path, Path, Path, dict[str, str], dict[str, str]]:
    """A site built by build_data.py from two good legacy files: the raw folder, build/, site/ and their hashes."""
    raw = write_raw(
        tmp_path / "raw", {"feb.csv": crlf(*LEGACY_LINES), "mar.csv": crlf(HEADER_20, with_field(1, "2014-03"))}
    )
    build_dir, site_dir = tmp_path / "build", tmp_path / "site"
    result = run_cli("--raw", str(raw), "--build-dir", str(build_dir), "--site-dir", str(site_dir), "--quiet")
    assert result.returncode == 0, result.stderr
    return raw, build_dir, site_dir, tree_hashes(build_dir), tree_hashes(site_dir)


FAILING_MKDOCS = """import pathlib, sys
# Stands in for MkDocs: writes part of a site into the folder it was given, then fails.
out = pathlib.Path(sys.argv[sys.argv.index("-d") + 1])
(out / "half").mkdir(parents=True, exist_ok=True)
(out / "half" / "index.html").write_text("<html>half a site</html>")
print("ERROR    -  Config value 'theme': something went wrong", file=sys.stderr)
sys.exit(1)
"""


def test_a_failing_build_leaves_the_last_site_and_build_folder_untouched(built, tmp_path):
    raw, build_dir, site_dir, build_before, site_before = built
    tmp = tmp_path
    # Bad data: stopped before anything is written.
    (raw / "apr.csv").write_bytes(crlf(HEADER_20, with_field(1, "2014-04"), with_field(6, "x")))
    result = run_cli("--raw", str(raw), "--build-dir", str(build_dir), "--site-dir", str(site_dir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{raw}/apr.csv:3: column Count" in result.stderr
    assert (tree_hashes(build_dir), tree_hashes(site_dir), leftovers(tmp)) == (build_before, site_before, [])
    # Good data, but MkDocs fails (after writing half a site): the new pages are not swapped in either.
    (raw / "apr.csv").write_bytes(crlf(HEADER_20, with_field(1, "2014-04")))
    fake = tmp_path / "fake"
    (fake / "mkdocs").mkdir(parents=True)
    (fake / "mkdocs" / "__init__.py").write_text("")
    (fake / "mkdocs" / "__main__.py").write_text(FAILING_MKDOCS)
    result = run_cli(
        "--raw",
        str(raw),
        "--build-dir",
        str(build_dir),
        "--site-dir",
        str(site_dir),
        "--quiet",
        env={"PYTHONPATH": str(fake)},
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"\nerror: mkdocs build failed; {site_dir} was left as it was:\n" in "\n" + result.stderr
    assert "something went wrong" in result.stderr
    assert (tree_hashes(build_dir), tree_hashes(site_dir), leftovers(tmp)) == (build_before, site_before, [])
    # The same input with a working MkDocs builds (nothing stale was left to trip it).
    result = run_cli("--raw", str(raw), "--build-dir", str(build_dir), "--site-dir", str(site_dir), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "2014-04" in (site_dir / "downloads" / "monthly_counts.csv").read_text()
    assert leftovers(tmp) == []
