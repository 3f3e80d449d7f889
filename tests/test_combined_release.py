"""SLMPD's combined 2021-2023 release: one NIBRS file that stands for the 36 months January 2021 to December 2023.

We have no copy of the real file: benchmarks/synthetic.py writes one (here small: scale 0.02, about 3,600 rows) and
a 2024 release that re-sends some of its 2023 incidents, changed. They are built through the real build with the
real releases of January to April 2024 (data/raw/nibrs*/) and the real legacy file of December 2020, so that no
month from December 2020 to April 2024 lacks a file. The expected counts are worked out here, with the csv module,
from the rows of the files: the newest version of each incident (latest LastSuppDate, then the later release),
counted by the FBI's hierarchy rule.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import html
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from crimesite import build, output, paths, sources
from tests import published

sys.path.insert(0, str(paths.ROOT / "benchmarks"))
import synthetic  # benchmarks/ is not a package: on the path above

SEED, SCALE = 7, 0.02
COMBINED = synthetic.COMBINED_NAME  # 2021-2023.csv
RESENT = synthetic.resent_name()  # 2024-01-resent.csv
STALE = "2024-02-stale.csv"  # written here: older versions of combined incidents, which must not replace them
LEGACY = paths.RAW_DIR / "legacy_2020" / "december2020.csv.gz"
REAL_RELEASES = sorted(path for name in ("nibrs", "nibrs_2024_03_04") for path in (paths.RAW_DIR / name).glob("*.gz"))
# The last month each release stands for, as its name says (release order: by that month, then by name).
LAST_MONTH = {COMBINED: "2023-12", RESENT: "2024-01", STALE: "2024-02"}
LAST_MONTH |= {path.name: f"{path.name[9:13]}-{path.name[6:8]}" for path in REAL_RELEASES}  # Crime-01-2024.csv.gz
COVERED = pd.period_range("2020-12", "2024-04", freq="M").strftime("%Y-%m").tolist()
COMBINED_MONTHS = pd.period_range("2021-01", "2023-12", freq="M").strftime("%Y-%m").tolist()
SLUGS = {
    1: "homicide",
    2: "rape",
    3: "robbery",
    4: "aggravated-assault",
    5: "burglary",
    6: "larceny",
    7: "vehicle-theft",
    8: "arson",
}
HIERARCHY = (1, 2, 3, 4, 5, 7, 6)  # the FBI's order, vehicle theft above larceny; arson is counted besides
PER_VICTIM = {1, 2, 4}
TYPO_DATE = "2025-03-14"  # a burglary of 2022 whose date became a typo
EARLY_DATE = "2020-12-20"  # a robbery of 2021 whose date is before the methods break


# ----- the files, and what they should count (worked out here) --------------------------------------------------


def read_rows(data: bytes, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode(encoding, errors="replace")
    return [{key: value.strip() for key, value in row.items()} for row in csv.DictReader(io.StringIO(text))]


def write_rows(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("ascii")


def incident_number(row: dict[str, str]) -> str:
    return row["IncidentNum"].replace("-", "")


def complaint(number: str) -> str:
    """The published spelling of an incident number: 23000033 is 23-000033."""
    return f"{number[:2]}-{number[2:]}"


def day(text: str) -> str:
    """YYYY-MM-DD of a date in any of the releases' forms; '' when missing."""
    if text in ("", "NULL"):
        return ""
    if "/" in text:
        month, day_, year = text.split()[0].split("/")
        return f"{year}-{int(month):02d}-{int(day_):02d}"
    return text[:10]


def by_incident(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(incident_number(row), []).append(row)
    return grouped


def newest_versions(releases: dict[str, list[dict[str, str]]]) -> dict[str, tuple[str, list[dict[str, str]]]]:
    """incident -> (release, rows) of its newest version: the latest LastSuppDate (day), then the later release."""
    best: dict[str, tuple[tuple[str, str, str], str, list[dict[str, str]]]] = {}
    for name, rows in releases.items():
        for incident, incident_rows in by_incident(rows).items():
            key = (max(day(row["LastSuppDate"]) for row in incident_rows), LAST_MONTH[name], name)
            if incident not in best or key > best[incident][0]:
                best[incident] = (key, name, incident_rows)
    return {incident: (name, rows) for incident, (_, name, rows) in best.items()}


def offense_class(row: dict[str, str]) -> int | None:
    if row["NIBRS"] == "09A":
        return 1
    if row["NIBRS"] in ("11A", "11B", "11C"):
        return 2
    given = row["SRS_UCR"]
    return int(given) if given.isdigit() and 3 <= int(given) <= 8 else None


def victim(row: dict[str, str]) -> str:
    text = "" if row["VictimNum"] == "NULL" else row["VictimNum"]
    return text.lstrip("0") or "0" if text.isdigit() else text


def units(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    """(month, category) of each crime an incident's rows count: its most serious offense, once per victim for
    homicide, rape and aggravated assault, once otherwise; and an arson besides."""
    classes = [offense_class(row) for row in rows]
    found = []
    ranked = [HIERARCHY.index(c) for c in classes if c in HIERARCHY]
    if ranked:
        top = HIERARCHY[min(ranked)]
        top_rows = [row for row, c in zip(rows, classes, strict=True) if c == top]
        if top in PER_VICTIM:
            top_rows = list({victim(row): row for row in reversed(top_rows)}.values())
        else:
            top_rows = top_rows[:1]
        found += [(day(row["IncidentDate"])[:7], SLUGS[top]) for row in top_rows]
    arson = [row for row, c in zip(rows, classes, strict=True) if c == 8]
    found += [(day(row["IncidentDate"])[:7], SLUGS[8]) for row in arson[:1]]
    return found


def expected_counts(releases: dict[str, list[dict[str, str]]]) -> tuple[Counter, Counter]:
    """(month, category) -> crimes counted, and reason -> crimes left out ('early', 'after')."""
    counted, left_out = Counter(), Counter()
    for name, rows in newest_versions(releases).values():
        for month, category in units(rows):
            if month < "2021-01":
                left_out["early"] += 1
            elif month > LAST_MONTH[name]:
                left_out["after"] += 1
            elif month in COVERED:
                counted[(month, category)] += 1
    return counted, left_out


def legacy_counts(path: Path) -> Counter:
    """(2020-12, category) -> the sum of Count over the file's rows of that UCR class (the code's first 2 digits)."""
    sums: Counter = Counter()
    for row in read_rows(path.read_bytes(), "cp1252"):  # stray cp1252 bytes in a location name
        ucr_class = int(row["Crime"]) // 10000
        if ucr_class in SLUGS:
            sums[(row["CodedMonth"], SLUGS[ucr_class])] += int(row["Count"])
    return sums


def pick(incidents: dict[str, list[dict[str, str]]], taken: set[str], count: int, test) -> list[str]:
    """The first `count` incidents (by number) that pass `test` and are in no other file."""
    chosen = [number for number in sorted(incidents) if number not in taken and test(incidents[number])][:count]
    assert len(chosen) == count
    taken.update(chosen)
    return chosen


def single(ucr_class: str, year: str):
    return lambda rows: len(rows) == 1 and rows[0]["SRS_UCR"] == ucr_class and rows[0]["IncidentDate"][:4] == year


def stale_version(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The incident as a homicide, supplemented two days before the combined release's version."""
    older = (pd.Timestamp(max(day(row["LastSuppDate"]) for row in rows)) - pd.Timedelta(days=2)).strftime("%Y-%m-%d")
    changed = {
        "Offense": "HOMICIDE",
        "NIBRS": "09A",
        "NIBRSCategory": "Murder and Nonnegligent Manslaughter",
        "SRS_UCR": "01",
        "CrimeAgainst": "Person",
        "IncidentTopSRS_UCR": "01",
    }
    changed["LastSuppDate"] = older
    return [{**row, **changed, "VictimNum": "1"} for row in rows]


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> SimpleNamespace:
    """The generated combined release with a typo date and a date before 2021 put in, the re-sending release, the
    stale one, all written into a folder; with the rows of every NIBRS release the build reads."""
    folder = tmp_path_factory.mktemp("combined") / "raw"
    folder.mkdir()
    combined = read_rows(synthetic.combined_release(SEED, SCALE))
    resent = read_rows(synthetic.resent_release(SEED, SCALE))
    real = {path.name: read_rows(path.read_bytes()) for path in REAL_RELEASES}
    incidents = by_incident(combined)
    taken = {incident_number(row) for rows in [resent, *real.values()] for row in rows}
    [typo] = pick(incidents, taken, 1, single("05", "2022"))
    [early] = pick(incidents, taken, 1, single("03", "2021"))
    stale = pick(
        incidents,
        taken,
        5,
        lambda rows: (
            rows[0]["IncidentDate"][:4] == "2023"
            and all(row["LastSuppDate"] != "NULL" for row in rows)
            and all(offense_class(row) not in (1, 8) for row in rows)
        ),
    )
    for row in combined:
        number = incident_number(row)
        row["IncidentDate"] = {typo: TYPO_DATE, early: EARLY_DATE}.get(number, row["IncidentDate"])
    stale_rows = [row for number in stale for row in stale_version(incidents[number])]
    files = {COMBINED: combined, RESENT: resent, STALE: stale_rows}
    for name, rows in files.items():
        (folder / name).write_bytes(write_rows(rows))
    typo_line = next(i for i, row in enumerate(combined) if incident_number(row) == typo) + 2  # the header is line 1
    return SimpleNamespace(
        folder=folder,
        files=files,
        real=real,
        typo=typo,
        typo_line=typo_line,
        early=early,
        stale=stale,
        resent=sorted(by_incident(resent)),
    )


@pytest.fixture(scope="module")
def combined_build(releases, tmp_path_factory) -> Path:
    build_dir = tmp_path_factory.mktemp("combined-build") / "build"
    raw = [LEGACY, paths.RAW_DIR / "nibrs", paths.RAW_DIR / "nibrs_2024_03_04", releases.folder]
    build.run(raw, build_dir=build_dir, site_dir=None, cache_dir=None)
    return build_dir


def downloads(build_dir: Path, name: str) -> list[dict[str, str]]:
    with open(build_dir / "docs" / "downloads" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def published_incidents(build_dir: Path) -> pd.DataFrame:
    """The incident rows of every yearly file, every cell as text."""
    return pd.DataFrame(published.incident_rows(build_dir / "docs" / "downloads"))


def published_counts(build_dir: Path) -> dict[tuple[str, str], str]:
    return {(row["month"], row["category"]): row["count"] for row in downloads(build_dir, "monthly_counts.csv")}


def page(build_dir: Path, name: str) -> str:
    return html.unescape((build_dir / "docs" / name).read_text(encoding="utf-8"))


def files_table(quality: str) -> list[dict[str, str]]:
    """The data-quality page's table of raw files, one dict per file."""
    table = re.search(r'<table id="table-files">.*?</table>', quality, re.S).group(0)
    rows = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# ----- coverage ---------------------------------------------------------------------------------------------------


def test_the_36_months_are_covered_and_the_file_is_listed_once_with_its_span(combined_build):
    quality = page(combined_build, "data-quality.md")
    assert "Every month from December 2020 to April 2024 has a file." in quality
    listed = [row for row in files_table(quality) if row["File"] == COMBINED]
    assert len(listed) == 1 and listed[0]["Stands for"] == "2021-01 to 2023-12"
    assert {row["File"]: row["Stands for"] for row in files_table(quality)}["Crime-03-2024.csv.gz"] == "2024-03"
    assert sorted({month for month, _ in published_counts(combined_build)}) == COVERED
    home = page(combined_build, "index.md")
    # One file stands for 36 months: the files are not called monthly, and no month is said to be missing.
    assert "**Data through April 2024** (8 files, December 2020 to April 2024)." in home
    years = page(combined_build, "years/index.md")
    assert "no files" not in years
    for year in (2021, 2022, 2023):
        assert re.search(rf"^\| \[{year}\]\({year}\.md\) \| 12 \|", years, re.M), year
    generated = (combined_build / output.GENERATED_CONFIG).read_text(encoding="utf-8")
    assert "data_through: April 2024" in generated


def test_the_period_comes_from_the_manifest_when_the_name_gives_none(releases, tmp_path, site_config, context):
    raw = tmp_path / "raw"
    raw.mkdir()
    data = (releases.folder / COMBINED).read_bytes()
    (raw / "release.csv").write_bytes(data)
    [unnamed] = sources.discover([raw])
    _, infos = sources.load([unnamed], context)
    assert infos[0].covers == ("2025-03",)  # without the manifest: the month of its newest IncidentDate (the typo)
    entry = {
        "path": "raw/release.csv",
        "url": "https://www.slmpd.org/CrimeReports/2021-2023.csv",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "retrieved_at": "2026-12-01T00:00:00Z",
    }
    config = dataclasses.replace(site_config, fetch=dataclasses.replace(site_config.fetch, folder=tmp_path))
    config.fetch.manifest.write_text(json.dumps({"files": [entry]}), encoding="utf-8")  # tmp_path/manifest.json
    build_dir = tmp_path / "build"
    build.run([raw], build_dir=build_dir, site_dir=None, config=config, cache_dir=None)
    quality = page(build_dir, "data-quality.md")
    assert [row["Stands for"] for row in files_table(quality) if row["File"] == "release.csv"] == ["2021-01 to 2023-12"]
    assert "Every month from January 2021 to December 2023 has a file." in quality
    assert sorted({month for month, _ in published_counts(build_dir)}) == COMBINED_MONTHS


# ----- the newest version wins ------------------------------------------------------------------------------------


def test_the_newest_version_wins_across_releases(releases, combined_build):
    counted, _ = expected_counts(releases.files | releases.real)
    published = published_counts(combined_build)
    nibrs_months = [month for month in COVERED if month >= "2021-01"]
    for month in nibrs_months:
        for category in SLUGS.values():
            assert published[(month, category)] == str(counted[(month, category)]), (month, category)
    # The re-sent versions change the counts: without them the same months would count otherwise.
    without_resent, _ = expected_counts({COMBINED: releases.files[COMBINED]} | releases.real)
    assert any(without_resent[(m, c)] != counted[(m, c)] for m in COMBINED_MONTHS for c in SLUGS.values())


def test_a_resent_incident_is_counted_once_as_its_newer_version(releases, combined_build):
    published = published_incidents(combined_build)
    combined = by_incident(releases.files[COMBINED])
    resent = by_incident(releases.files[RESENT])
    moved = [n for n in releases.resent if day(resent[n][0]["IncidentDate"]) != day(combined[n][0]["IncidentDate"])]
    assert moved
    for number in moved:
        rows = published[published["complaint"] == complaint(number)]
        newer = units(resent[number])
        assert set(rows["source_file"]) <= {RESENT} and len(rows) == len(newer), number
        months = sorted(f"{int(r.year):04d}-{int(r.month):02d}" for r in rows.itertuples())
        assert months == sorted(month for month, _ in newer), number
        assert sorted(rows["category"]) == sorted(category for _, category in newer), number


def test_an_older_version_in_a_later_release_does_not_replace(releases, combined_build):
    published = published_incidents(combined_build)
    combined = by_incident(releases.files[COMBINED])
    for number in releases.stale:
        rows = published[published["complaint"] == complaint(number)]
        assert set(rows["source_file"]) <= {COMBINED}, number
        assert "homicide" not in set(rows["category"]), number
        assert sorted(rows["category"]) == sorted(category for _, category in units(combined[number])), number


# ----- dates outside the release ----------------------------------------------------------------------------------


def test_a_combined_row_dated_after_2023_is_left_out_and_listed(releases, combined_build):
    _, left_out = expected_counts(releases.files | releases.real)
    quality = page(combined_build, "data-quality.md")
    after = re.search(r"NIBRS crimes dated after the last month of the release that holds them: \*\*(\d+)\*\*", quality)
    assert after and int(after.group(1)) == left_out["after"] >= 1
    listed = f"| {COMBINED} | {releases.typo_line} | March 2025 | January 2021 to December 2023 |"
    assert listed in quality
    assert not [key for key in published_counts(combined_build) if key[0] > "2024-04"]


def test_the_methods_break_leaves_rows_before_2021_to_the_legacy_files(releases, combined_build):
    _, left_out = expected_counts(releases.files | releases.real)
    quality = page(combined_build, "data-quality.md")
    assert f"NIBRS crimes dated before January 2021: **{left_out['early']}**." in quality
    published = published_counts(combined_build)
    legacy = legacy_counts(LEGACY)
    for category in SLUGS.values():
        assert published[("2020-12", category)] == str(legacy[("2020-12", category)]), category
    eras = {row["month"]: row["era"] for row in downloads(combined_build, "monthly_counts.csv")}
    assert eras["2020-12"] == "ucr" and {eras[month] for month in COMBINED_MONTHS} == {"nibrs"}
    incidents = published_incidents(combined_build)
    early = incidents[incidents["complaint"] == complaint(releases.early)]
    assert early["year"].tolist() == ["2020"] and early["category"].tolist() == ["robbery"]  # in the table, not counted


# ----- the revision log -------------------------------------------------------------------------------------------


def revision_counts(build_dir: Path) -> dict[str, dict[tuple[str, str], int]]:
    """downloads/revisions.csv as release -> (month, category) -> count, the releases in the file's order."""
    found: dict[str, dict[tuple[str, str], int]] = {}
    for row in downloads(build_dir, "revisions.csv"):
        found.setdefault(row["release"], {})[(row["month"], row["category"])] = int(row["count"])
    return found


def test_the_revision_log_starts_with_the_combined_release_and_ends_at_the_site_s_counts(releases, combined_build):
    log = revision_counts(combined_build)
    first, *_, last = log
    assert first == "2021-2023"
    # As of the combined release alone: its own newest versions, in its 36 months (2020-12 is the legacy file's).
    alone, _ = expected_counts({COMBINED: releases.files[COMBINED]})
    assert sorted({month for month, _ in log[first]}) == COMBINED_MONTHS
    assert log[first] == {key: alone[key] for key in log[first]}
    # As of the last release: the site's monthly counts, every NIBRS month and Part I category.
    published = published_counts(combined_build)
    assert sorted({month for month, _ in log[last]}) == [month for month in COVERED if month >= "2021-01"]
    assert log[last] == {key: int(published[key]) for key in log[last]}
    # The re-sent 2023 incidents show as changes to 2023 months in the release that re-sent them.
    changed = {
        month
        for release in list(log)[1:]
        for month in COMBINED_MONTHS
        if any(log[release].get((month, c)) != log[first].get((month, c)) for c in SLUGS.values())
    }
    # Only months of incidents a later release sends (re-sent ones, and older real incidents the 2024 releases
    # re-send, which count once 2021-2023 is covered) can change.
    combined = by_incident(releases.files[COMBINED])
    later = [rows for name, rows in (releases.files | releases.real).items() if name != COMBINED]
    touched = {
        day(row["IncidentDate"])[:7]
        for rows in later
        for n, versions in by_incident(rows).items()
        for row in versions + combined.get(n, [])
    }
    assert changed and changed <= touched
