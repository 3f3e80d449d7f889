"""Counting rules that used to fail silently (issues 12 and 13): a release's month from its name, dates after it,
incident and victim spellings, and the NIBRS-to-summary rules. Fixtures: tests/fixtures/counting/make_counting.py."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml

from crimesite import metrics, output, paths, sources
from crimesite.sources.slmpd_nibrs import period_label, release_period, text_period
from tests.conftest import FIXTURES
from tests.fixtures.counting import make_counting
from tests.test_bad_input import quality_page, run_cli

COUNTING = FIXTURES / "counting"


def test_the_fixture_files_are_what_the_generator_writes():
    expected = make_counting.fixture_files()
    committed = {
        path.relative_to(COUNTING).as_posix(): path.read_bytes().decode("utf-8") for path in COUNTING.rglob("*.csv")
    }
    assert committed == expected


def counted(paths: list[Path], context) -> tuple[dict[tuple[str, str], int], pd.DataFrame, list]:
    table, infos = sources.load(sources.discover(paths), context)
    cover = metrics.coverage({m for info in infos for m in info.covers}, "2021-01")
    kept, _ = metrics.split_counted(table, cover, {info.name: max(info.covers) for info in infos})
    sums = kept.groupby([metrics.month_labels(kept), kept["category"].astype(str)])["count"].sum()
    return {key: int(value) for key, value in sums.items()}, kept, infos


# ----- a release's period comes from its name --------------------------------------------------------------------


def month(text: str) -> pd.Period:
    return pd.Period(text, freq="M")


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Crime-01-2024.csv.gz", "2024-01", "2024-01"),
        ("nibrs/2024-01.csv", "2024-01", "2024-01"),
        ("January2024.csv", "2024-01", "2024-01"),
        ("Downloadable-NIBRS-Crime-File-March-2024-CSV.csv", "2024-03", "2024-03"),
        ("https://slmpd.org/wp-content/uploads/2024/05/SEPT2023.CSV", "2023-09", "2023-09"),
        ("Crime-12-2024.csv", "2024-12", "2024-12"),
        ("2021-2023.csv", "2021-01", "2023-12"),
        ("raw/nibrs/2021-03_2021-05.csv", "2021-03", "2021-05"),
    ],
)
def test_a_release_name_gives_its_period(name, first, last):
    assert release_period(name) == (month(first), month(last))


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("January 2024", "2024-01", "2024-01"),
        ("Jan. 2024", "2024-01", "2024-01"),
        ("Sept. 2025", "2025-09", "2025-09"),
        ("NIBRS Crime File - March  2024 (CSV)", "2024-03", "2024-03"),
        ("2021-2023", "2021-01", "2023-12"),
        ("2021 - 2023", "2021-01", "2023-12"),
        ("2021\u20132023", "2021-01", "2023-12"),
        ("Crime-01-2024", "2024-01", "2024-01"),
    ],
)
def test_a_link_text_gives_its_period(text, first, last):
    assert text_period(text) == (month(first), month(last))


@pytest.mark.parametrize("text", ["Download CSV", "Latest data", "2024", "Mayhem 2024"])
def test_a_link_text_without_a_month_gives_none(text):
    assert text_period(text) is None


@pytest.mark.parametrize("name", ["release.csv", "mayhem2024.csv", "2024.csv", "Crime-13-2024.csv", "2023-2021.csv"])
def test_a_name_without_a_month_gives_none(name):
    assert release_period(name) is None


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2024-01", "2024-01"),
        ("2021-01", "2023-12"),
        ("2021-03", "2021-05"),
        ("2022-01", "2022-12"),
        ("2023-12", "2024-02"),
    ],
)
def test_a_period_label_reads_back_as_its_period(first, last):
    label = period_label(month(first), month(last))
    assert release_period(f"raw/nibrs/{label}.csv") == (month(first), month(last))


def test_a_release_stands_for_its_named_month_not_the_month_most_rows_are_in(context):
    """4 re-sent December rows and 2 January ones: the release is January's, and counts January's crimes."""
    totals, _, infos = counted([COUNTING / "majority"], context)
    assert [info.covers for info in infos] == [("2024-01",)]
    assert totals == {("2024-01", "burglary"): 1, ("2024-01", "larceny"): 1}


def test_without_a_month_in_its_name_a_release_stands_for_its_newest_incident_month(context):
    _, _, infos = counted([COUNTING / "unnamed"], context)
    assert [info.covers for info in infos] == [("2024-01",)]


def test_the_fetch_manifest_names_a_release_saved_under_another_name(context):
    [raw] = sources.discover([COUNTING / "unnamed"])
    named = dataclasses.replace(context, release_names={raw.sha256: "https://slmpd.org/x/2024/03/February2024.csv"})
    _, infos = sources.load([raw], named)
    assert [info.covers for info in infos] == [("2024-02",)]


def test_a_year_span_release_stands_for_every_month_of_it(tmp_path, context):
    shutil.copy(COUNTING / "unnamed" / "release.csv", tmp_path / "2023-2024.csv")
    _, infos = sources.load(sources.discover([tmp_path]), context)
    assert infos[0].covers == tuple(pd.period_range("2023-01", "2024-12", freq="M").strftime("%Y-%m"))


def test_a_nibrs_crime_after_its_release_month_is_listed_and_moves_nothing(tmp_path):
    """The February robbery in the January release is left out and listed; January stays the last month and
    is not reported missing."""
    build_dir = tmp_path / "build"
    result = run_cli("--raw", str(COUNTING / "majority"), "--no-site", "--build-dir", str(build_dir))
    assert result.returncode == 0, result.stderr
    page = quality_page(build_dir)
    assert "NIBRS crimes dated after the last month of the release that holds them: **1**." in page
    assert "Every month from January 2024 to January 2024 has a file." in page
    monthly = (build_dir / "docs" / "downloads" / "monthly_counts.csv").read_text().splitlines()
    assert [line for line in monthly if line.startswith("2024-02") or line.startswith("2023")] == []
    assert "2024-01,burglary,1,nibrs,1" in monthly and "2024-01,robbery,0,nibrs,1" in monthly
    generated = yaml.safe_load((build_dir / output.GENERATED_CONFIG).read_text(encoding="utf-8"))
    assert generated["extra"]["data_through"] == "January 2024"


def test_a_legacy_row_coded_after_its_files_month_stops_the_build(tmp_path):
    path = COUNTING / "future" / "january2019.csv"
    build_dir = tmp_path / "build"
    result = run_cli("--raw", str(path), "--no-site", "--build-dir", str(build_dir))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    [raw] = sources.discover([path])
    expected = "expected a coded month no later than 2019-01"
    assert errors[0].startswith(f"error: {raw.display}:4: column CodedMonth: value '2099-12': {expected}")
    assert not build_dir.exists()


# ----- incident and victim numbers -------------------------------------------------------------------------------


def test_spellings_of_one_incident_or_victim_count_once(context):
    """24000777 / 024000777 with victims 1, 2 / 01, 02: two aggravated assaults in the newest version;
    24-000778 / 24000778 with victims 1 / 01 in one release: one; 24000779 / 24-000779: one robbery."""
    totals, kept, _ = counted([COUNTING / "spellings"], context)
    assert totals == {
        ("2024-01", "aggravated-assault"): 2,
        ("2024-01", "robbery"): 1,
        ("2024-02", "aggravated-assault"): 1,
    }
    assert sorted(set(kept["complaint"])) == ["24-000777", "24-000778", "24-000779"]
    assert set(kept.loc[kept["complaint"] == "24-000777", "source_file"]) == {"Crime-02-2024.csv"}


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("24000777", "24-000777"),
        ("024000777", "24-000777"),
        ("24-000777", "24-000777"),
        ("24-777", "24-000777"),
        ("5000123", "05-000123"),
        ("19-060382", "19-060382"),
        ("A-17 x", "A-17 x"),
        ("124000777", "124000777"),
    ],
)
def test_the_canonical_incident_number(given, canonical):
    assert sources.common.canonical_incident_numbers(pd.Series([given])).tolist() == [canonical]


# ----- the NIBRS-to-summary rules --------------------------------------------------------------------------------


def test_the_hierarchy_rule_and_its_exceptions(context):
    """tests/fixtures/counting/make_counting.py hierarchy(): rape is 11A, 11B or 11C whatever SRS_UCR says, not 11D
    (101-106: 5 rapes); robbery over burglary, larceny and aggravated assault (107, 113); burglary over larceny
    (108, 110); a vehicle theft over the theft from it (109); arson on top of anything (110); aggravated assault per
    victim over burglary (111: 2); a homicide over an assault on another victim (112)."""
    totals, kept, _ = counted([COUNTING / "hierarchy"], context)
    assert totals == {
        ("2024-03", "rape"): 5,
        ("2024-03", "robbery"): 2,
        ("2024-03", "burglary"): 2,
        ("2024-03", "vehicle-theft"): 1,
        ("2024-03", "arson"): 1,
        ("2024-03", "aggravated-assault"): 2,
        ("2024-03", "homicide"): 1,
    }
    categories = kept.groupby("complaint")["category"].agg(lambda c: sorted(c.astype(str)))
    assert categories["24-000106"] == ["rape"]
    assert categories["24-000109"] == ["vehicle-theft"]
    assert categories["24-000110"] == ["arson", "burglary"]
    assert categories["24-000113"] == ["robbery"]
    assert "24-000104" not in categories


def test_the_data_quality_page_lists_each_crime_dated_after_its_release(tmp_path):
    build_dir = tmp_path / "build"
    result = run_cli("--raw", str(COUNTING / "majority"), "--no-site", "--build-dir", str(build_dir))
    assert result.returncode == 0, result.stderr
    assert "| Crime&#45;01&#45;2024&#46;csv | 8 | February 2024 | January 2024 |" in quality_page(build_dir)


# ----- the four real 2024 releases -------------------------------------------------------------------------------

# The summary rules written out again, apart from the reader: NIBRS codes by category, most serious first.
INDEPENDENT_ORDER = (
    ("homicide", {"09A"}),
    ("rape", {"11A", "11B", "11C"}),
    ("robbery", {"120"}),
    ("aggravated-assault", {"13A"}),
    ("burglary", {"220"}),
    ("vehicle-theft", {"240"}),
    ("larceny", {f"23{letter}" for letter in "ABCDEFGH"}),
)
PER_VICTIM = {"homicide", "rape", "aggravated-assault"}
SUPP_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%m/%d/%Y %I:%M:%S %p")


def day_of(text: str) -> str:
    """A LastSuppDate as YYYY-MM-DD ('' for NULL or empty)."""
    text = text.strip()
    if text in ("", "NULL"):
        return ""
    for form in SUPP_FORMATS:
        try:
            return datetime.strptime(text[:26] if "." in text else text, form).strftime("%Y-%m-%d")
        except ValueError:
            continue
    raise ValueError(text)


def incident_month(text: str) -> str:
    text = text.strip().split(" ")[0]
    return text[:7] if "-" in text else datetime.strptime(text, "%m/%d/%Y").strftime("%Y-%m")


def independent_counts(paths: list[Path]) -> dict[tuple[str, str], int]:
    """(month, category) -> crimes in the newest version of each incident, with the csv module."""
    versions: dict[str, tuple[tuple[str, int], list[dict]]] = {}
    for order, path in enumerate(sorted(paths, key=lambda p: p.name)):  # Crime-01-2024 ... Crime-04-2024
        text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
        by_incident: dict[str, list[dict]] = {}
        for row in csv.DictReader(io.StringIO(text)):
            by_incident.setdefault(row["IncidentNum"].strip(), []).append(row)
        for incident, rows in by_incident.items():
            key = (max(day_of(r["LastSuppDate"]) for r in rows), order)
            if incident not in versions or key > versions[incident][0]:
                versions[incident] = (key, rows)
    counts: dict[tuple[str, str], int] = {}
    for rows in (rows for _, rows in versions.values()):
        month = incident_month(rows[0]["IncidentDate"])
        codes = {r["NIBRS"].strip() for r in rows}
        for category, mine in INDEPENDENT_ORDER:
            if codes & mine:
                victims = {r["VictimNum"].strip().lstrip("0") for r in rows if r["NIBRS"].strip() in mine}
                counts[(month, category)] = counts.get((month, category), 0) + (
                    len(victims) if category in PER_VICTIM else 1
                )
                break
        if "200" in codes:
            counts[(month, "arson")] = counts.get((month, "arson"), 0) + 1
    return counts


def test_the_real_2024_releases_follow_the_summary_rules(tmp_path):
    folders = [paths.RAW_DIR / "nibrs", paths.RAW_DIR / "nibrs_2024_03_04"]
    build_dir = tmp_path / "build"
    result = run_cli("--raw", *map(str, folders), "--no-site", "--build-dir", str(build_dir))
    assert result.returncode == 0, result.stderr
    with open(build_dir / "docs" / "downloads" / "monthly_counts.csv", newline="") as handle:
        built = {(r["month"], r["category"]): int(r["count"]) for r in csv.DictReader(handle) if r["part"] == "1"}
    expected = independent_counts([path for folder in folders for path in folder.glob("Crime-*.csv.gz")])
    months = ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert sorted({month for month, _ in built}) == months
    assert {key: value for key, value in built.items() if value} == {
        key: value for key, value in expected.items() if key[0] in months
    }
