"""The NIBRS reader: counting units, the newest-version rule, idempotence, and the real 2024 files."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from crimesite import build, metrics, sources
from crimesite.errors import DataError
from tests.conftest import FIXTURES

NIBRS = FIXTURES / "nibrs"
JANUARY, FEBRUARY = NIBRS / "Crime-01-2024.csv", NIBRS / "Crime-02-2024.csv"


def counted(paths: list[Path], context) -> tuple[dict[tuple[str, str], int], pd.DataFrame, list]:
    table, infos = sources.load(sources.discover(paths), context)
    cover = metrics.coverage({m for info in infos for m in info.covers}, "2021-01")
    kept, _ = metrics.split_counted(table, cover)
    labels = metrics.month_labels(kept)
    sums = kept.groupby([labels, kept["category"].astype(str)])["count"].sum()
    return {key: int(value) for key, value in sums.items()}, kept, infos


# Worked out by hand from the two fixture files:
# - incident 24000001: two 09A victims in January, a third victim added in the February release -> 3 homicides;
# - incident 24000005: an aggravated assault in January, re-sent in February as 09A (the victim died)
#   -> 1 homicide and no aggravated assault;
# - 24000004 is 09C (justifiable homicide): not counted;
# - 24000003: robbery with a simple assault -> 1 robbery (the hierarchy rule);
# - 24000011: arson and burglary -> 1 burglary (top class) and 1 arson (arson is always counted);
# - 23000099 (December 2023) and 20056840 (December 2020) are re-sends for months not in the data.
EXPECTED = {
    ("2024-01", "homicide"): 4,
    ("2024-01", "aggravated-assault"): 1,
    ("2024-01", "robbery"): 1,
    ("2024-01", "vehicle-theft"): 1,
    ("2024-02", "burglary"): 2,
    ("2024-02", "arson"): 1,
    ("2024-02", "rape"): 1,
    ("2024-02", "larceny"): 1,
}


def test_counting_units_and_the_newest_version_rule(context):
    totals, _, infos = counted([NIBRS], context)
    assert totals == EXPECTED
    assert [info.covers for info in infos] == [("2024-01",), ("2024-02",)]


def test_files_in_another_order_or_under_other_names_give_the_same_result(tmp_path, context):
    # Names that sort the other way round: release order comes from the contents, not the names.
    shutil.copy(JANUARY, tmp_path / "z-january.csv")
    shutil.copy(FEBRUARY, tmp_path / "a-february.csv")
    totals, _, _ = counted([tmp_path], context)
    assert totals == EXPECTED
    reversed_totals, _, _ = counted([FEBRUARY, JANUARY], context)
    assert reversed_totals == EXPECTED


def test_the_same_files_twice_give_the_same_result(tmp_path, context):
    for path in (JANUARY, FEBRUARY):
        shutil.copy(path, tmp_path / path.name)
        shutil.copy(path, tmp_path / f"copy-{path.name}")
    totals, _, _ = counted([tmp_path], context)
    assert totals == EXPECTED


def test_an_older_release_alone_counts_its_own_version(context):
    totals, _, _ = counted([JANUARY], context)
    assert totals[("2024-01", "homicide")] == 2  # before the February release added a victim and a death
    assert totals[("2024-01", "aggravated-assault")] == 2


def test_both_date_forms_quoting_and_null(context):
    _, kept, _ = counted([NIBRS], context)
    february = kept[kept["complaint"] == "24-000012"].iloc[0]
    assert february["occurred_at"] == pd.Timestamp("2024-02-14 22:00:00")
    assert february["description"] == "RAPE 1ST DEGREE"
    assert february["block"] == "5100 block NATURAL BRIDGE AVE"
    outside = kept[kept["complaint"] == "24-000006"].iloc[0]
    assert pd.isna(outside["neighborhood"])  # G-88, "NA (Outside City)"
    assert outside["location_status"] == "missing"
    assert not outside["firearm"]
    homicide = kept[(kept["complaint"] == "24-000001")]
    assert len(homicide) == 3 and homicide["firearm"].all()
    assert set(homicide["crime_code"]) == {"09A"}


def test_legacy_and_nibrs_files_mix(context):
    totals, _, infos = counted([FIXTURES / "legacy", NIBRS], context)
    assert {info.format for info in infos} == {"slmpd-legacy", "slmpd-nibrs"}
    assert totals[("2013-04", "homicide")] == 3 and totals[("2024-01", "homicide")] == 4


def test_an_unreadable_incident_date_stops_the_build(tmp_path, context):
    lines = JANUARY.read_text().splitlines()
    lines[2] = lines[2].replace("2024-01-05", "Jan 5th", 1)
    path = tmp_path / "Crime-01-2024.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        sources.load(sources.discover([path]), context)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{path}:3: column IncidentDate: value 'Jan 5th'")


def test_the_break_is_marked_and_the_downloads_carry_the_era(tmp_path):
    build_dir = tmp_path / "build"
    build.run([FIXTURES / "legacy", NIBRS], build_dir=build_dir, site_dir=None)
    docs = build_dir / "docs"
    assert "UCR | NIBRS" in (docs / "crimes" / "homicide.md").read_text()
    annual = (docs / "downloads" / "annual_counts.csv").read_text().splitlines()
    assert "2017,homicide,1,ucr,1" in annual and "2024,homicide,4,nibrs,1" in annual
    quality = (docs / "data-quality.md").read_text()
    assert "NIBRS crimes dated before January 2021: **1**" in quality
    shootings = (docs / "downloads" / "shootings_monthly.csv").read_text().splitlines()
    assert shootings[0] == "month,assaults,homicides,shootings,era"
    assert "2024-01,1,4,5,nibrs" in shootings  # 24000002 (assault) and four homicide victims, all with a firearm
    assert any(line.startswith("2013-04,") and line.endswith(",,,ucr") for line in shootings)


# ----- the real files -------------------------------------------------------------------------------


def independent_homicide_victims(folder: Path) -> dict[str, int]:
    """09A victims by month of IncidentDate in the newest version of each incident, with the csv module."""
    versions: dict[str, tuple[tuple[str, int], list[dict]]] = {}
    for order, path in enumerate(sorted(folder.glob("Crime-*.csv.gz"))):  # Crime-01-2024 before Crime-02-2024
        rows = list(csv.DictReader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8-sig"))))
        by_incident: dict[str, list[dict]] = {}
        for row in rows:
            by_incident.setdefault(row["IncidentNum"].strip(), []).append(row)
        for incident, incident_rows in by_incident.items():
            supp = max((r["LastSuppDate"][:10] for r in incident_rows if r["LastSuppDate"] != "NULL"), default="")
            key = (supp, order)
            if incident not in versions or key > versions[incident][0]:
                versions[incident] = (key, incident_rows)
    victims: dict[str, set] = {}
    for incident, (_, incident_rows) in versions.items():
        for row in incident_rows:
            if row["NIBRS"] == "09A":
                victims.setdefault(row["IncidentDate"][:7], set()).add((incident, row["VictimNum"]))
    return {month: len(keys) for month, keys in victims.items()}


def test_real_january_february_2024_homicide_victims(tmp_path, nibrs_dir):
    build_dir = tmp_path / "build"
    build.run([nibrs_dir], build_dir=build_dir, site_dir=None)
    with open(build_dir / "docs" / "downloads" / "monthly_counts.csv", newline="") as handle:
        monthly = {(r["month"], r["category"]): r["count"] for r in csv.DictReader(handle)}
    expected = {month: str(count) for month, count in independent_homicide_victims(nibrs_dir).items()}
    assert monthly[("2024-01", "homicide")] == expected["2024-01"]
    assert monthly[("2024-02", "homicide")] == expected["2024-02"]
    assert sorted({month for month, _ in monthly}) == ["2024-01", "2024-02"]


def test_the_goal_tracker_uses_the_other_sources_baseline_when_the_year_is_not_in_the_data(tmp_path):
    build_dir = tmp_path / "build"
    build.run([NIBRS], build_dir=build_dir, site_dir=None)
    goals = (build_dir / "docs" / "goals.md").read_text()
    assert "Baseline (2024): **150**, the State UCR (RTCI) figure (copy of 2025-02-18)" in goals
    assert "Target for 2028: **120**" in goals
    assert "No whole year after the baseline is in SLMPD's files yet" in goals


def test_neighborhoods_are_reconciled_by_name_when_the_number_is_unusable(context):
    from crimesite.sources.slmpd_nibrs import reconcile_neighborhoods

    numbers = pd.Series(["57", "57", "NULL", "", "G-88", "3", "99"])
    names = pd.Series(
        [
            "JeffVanderLou",
            "JeffVanderLou",
            "Jeff Vander Lou",
            "JEFFVANDERLOU",
            "NA (Outside City)",
            "Tower Grove South",
            "Tower Grove South",
        ]
    )
    reconciled = reconcile_neighborhoods(numbers, names, context.neighborhood_numbers)
    assert reconciled.tolist()[:4] == [57, 57, 57, 57]
    assert pd.isna(reconciled.iloc[4])  # outside the city: reported as unknown, not dropped
    assert reconciled.tolist()[5:] == [3, 3]  # 99 is not a neighborhood; the name says 3
