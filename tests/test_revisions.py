"""The revision log: the counts as of each release are what a build from the releases up to it counts, on the real
SLMPD releases (January to April 2024) and on made-up ones; the CSV, the Revisions page, the home page's
"provisional" note, the claims page's earlier-vintage note and the `revisions` summary say the same."""

from __future__ import annotations

import csv
import io
import json
import shutil
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path

import frictionless
import pandas as pd
import pytest
import yaml

import build_data
from crimesite import build, output, paths

# The real releases in release order (the order their months give).
RELEASES = [
    paths.RAW_DIR / "nibrs" / "Crime-01-2024.csv.gz",
    paths.RAW_DIR / "nibrs" / "Crime-02-2024.csv.gz",
    paths.RAW_DIR / "nibrs_2024_03_04" / "Crime-03-2024.csv.gz",
    paths.RAW_DIR / "nibrs_2024_03_04" / "Crime-04-2024.csv.gz",
]
LABELS = ["2024-01", "2024-02", "2024-03", "2024-04"]


def downloads(build_dir: Path) -> Path:
    return build_dir / "docs" / "downloads"


def read_counts(build_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(downloads(build_dir) / f"{name}.csv", dtype={"month": str, "release": str})


def part1_slugs(categories) -> list[str]:
    return [c.slug for c in categories if c.part == 1]


def nibrs_monthly(build_dir: Path, categories) -> dict[tuple[str, str], int]:
    """(month, category) -> count of the site's monthly counts, NIBRS months and Part I only."""
    monthly = read_counts(build_dir, "monthly_counts")
    rows = monthly[(monthly["era"] == "nibrs") & monthly["category"].isin(part1_slugs(categories))]
    return {(r.month, r.category): int(r.count) for r in rows.itertuples()}


def as_of(revisions: pd.DataFrame, release: str) -> dict[tuple[str, str], int]:
    rows = revisions[revisions["release"] == release]
    return {(r.month, r.category): int(r.count) for r in rows.itertuples()}


@pytest.fixture(scope="module")
def prefix_builds(tmp_path_factory) -> dict[int, Path]:
    """Builds (no site) of the first k real releases alone, k = 1 to 3: what the site said before each later
    release came in."""
    root = tmp_path_factory.mktemp("prefixes")
    builds = {}
    for k in (1, 2, 3):
        builds[k] = root / f"first-{k}" / "build"
        build.run(RELEASES[:k], build_dir=builds[k], site_dir=None, cache_dir=None)
    return builds


def test_the_counts_as_of_the_last_release_are_the_site_s_monthly_counts(real_site, categories):
    build_dir, _ = real_site
    revisions = read_counts(build_dir, "revisions")
    assert list(dict.fromkeys(revisions["release"])) == LABELS
    monthly = nibrs_monthly(build_dir, categories)
    assert set(monthly) == {(f"2024-0{m}", slug) for m in (1, 2, 3, 4) for slug in part1_slugs(categories)}
    assert as_of(revisions, LABELS[-1]) == monthly


def test_the_counts_as_of_the_last_release_are_the_monthly_counts_of_the_fixture_build(fixture_build, categories):
    revisions = read_counts(fixture_build, "revisions")
    monthly = nibrs_monthly(fixture_build, categories)
    assert monthly and as_of(revisions, revisions["release"].iloc[-1]) == monthly


def test_the_counts_as_of_each_release_are_what_a_build_of_the_releases_up_to_it_counts(
    real_site, prefix_builds, categories
):
    revisions = read_counts(real_site[0], "revisions")
    for k, build_dir in prefix_builds.items():
        assert as_of(revisions, LABELS[k - 1]) == nibrs_monthly(build_dir, categories), LABELS[k - 1]
    # The releases did change January 2024: the test compares counts that differ from one release to the next.
    assert as_of(revisions, "2024-01")[("2024-01", "larceny")] != as_of(revisions, "2024-04")[("2024-01", "larceny")]


def test_the_revisions_csv_follows_its_schema(real_site):
    folder = downloads(real_site[0])
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    [resource] = [r for r in package["resources"] if r["path"] == "revisions.csv"]
    assert [f["name"] for f in resource["schema"]["fields"]] == ["release", "month", "category", "count"]
    assert all(f["description"] for f in resource["schema"]["fields"])
    report = frictionless.validate(frictionless.Resource(resource, basepath=str(folder)))
    assert report.valid, report.flatten(["type", "note"])
    header = next(csv.reader(io.StringIO((folder / "revisions.csv").read_text(encoding="utf-8"))))
    assert header == ["release", "month", "category", "count"]
    assert "revisions.csv" in (folder / "SHA256SUMS").read_text()
    assert "revisions.csv" in (paths.ROOT / "data" / "README.md").read_text(encoding="utf-8")  # the dictionary


def release_changes(before: dict, after: dict) -> list[tuple[str, str, int, int]]:
    """What changed between two builds in the months both count: (month, category, before, after)."""
    return [
        (month, slug, before[(month, slug)], after[(month, slug)])
        for month, slug in sorted(before)
        if after[(month, slug)] != before[(month, slug)]
    ]


def month_name(label: str) -> str:
    return pd.Period(label, freq="M").strftime("%B %Y")


def section(page: str, heading: str) -> str:
    start = page.index(heading)
    end = page.find("\n#", start + len(heading))
    return page[start : end if end != -1 else len(page)]


def test_the_revisions_page_names_what_each_latest_release_changed(real_site, prefix_builds, categories):
    page = (real_site[0] / "docs" / "revisions.md").read_text(encoding="utf-8")
    names = {c.slug: c.name for c in categories}
    counts = {k: nibrs_monthly(build_dir, categories) for k, build_dir in prefix_builds.items()}
    counts[4] = nibrs_monthly(real_site[0], categories)
    for k in (2, 3, 4):  # the latest three releases
        text = section(page, f"### The {LABELS[k - 1]} release")
        changes = release_changes(counts[k - 1], counts[k])
        assert changes, k
        rows = [line for line in text.splitlines() if line.startswith("| ") and "2024 |" in line]
        assert len(rows) == len(changes)
        for month, slug, before, after in changes:
            assert f"| {month_name(month)} | {names[slug]} | {before:,} | {after:,} | {after - before:+,} |" in rows
        sizes = [abs(int(row.split("|")[-2])) for row in rows]
        assert sizes == sorted(sizes, reverse=True)  # largest first
    assert "legacy month never changes" in page
    # After one release: January, February and March; after two: January and February; after three: January.
    assert all(f"measured on {n})" in page for n in ("3 months", "2 months", "1 month"))


def test_the_completeness_sentence_is_measured_on_the_data(real_site, prefix_builds, categories):
    """After one release: January (release 1), February (release 2) and March (release 3) against April's build."""
    page = (real_site[0] / "docs" / "revisions.md").read_text(encoding="utf-8")
    latest = nibrs_monthly(real_site[0], categories)
    firsts = {"2024-01": 1, "2024-02": 2, "2024-03": 3}

    def total(counts: dict, month: str) -> int:
        return sum(value for (m, _), value in counts.items() if m == month)

    shares = [
        total(nibrs_monthly(prefix_builds[k], categories), month) / total(latest, month) * 100
        for month, k in firsts.items()
    ]
    assert f"after one release, {sum(shares) / len(shares):.1f}% (measured on 3 months)" in page


def test_the_home_page_says_how_many_releases_the_latest_month_has_had(real_site, tmp_path):
    home = (real_site[0] / "docs" / "index.md").read_text(encoding="utf-8")
    assert "April 2024: [provisional: 1 release so far](revisions.md)." in home  # only the April release has April
    # The same month released twice (a release re-published under another name): two releases so far.
    raw = tmp_path / "raw"
    raw.mkdir()
    for release in RELEASES[2:]:
        shutil.copy(release, raw / release.name)
    shutil.copy(RELEASES[3], raw / "2024-04-republished.csv.gz")
    build_dir = tmp_path / "build"
    build.run([raw], build_dir=build_dir, site_dir=None, cache_dir=None)
    home = (build_dir / "docs" / "index.md").read_text(encoding="utf-8")
    assert "April 2024: [provisional: 2 releases so far](revisions.md)." in home


def navigation_paths(build_dir: Path) -> list[str]:
    def walk(items) -> list[str]:
        found = []
        for item in items:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            found += walk(value) if isinstance(value, list) else [value]
        return found

    return walk(yaml.safe_load((build_dir / output.GENERATED_CONFIG).read_text(encoding="utf-8"))["nav"])


def test_the_revisions_page_is_in_the_navigation_beside_data_quality(real_site):
    nav = navigation_paths(real_site[0])
    assert nav[nav.index("data-quality.md") + 1] == "revisions.md"


def test_the_summary_lists_the_largest_changes_of_the_latest_releases(real_site, prefix_builds, categories):
    counts = nibrs_monthly(prefix_builds[3], categories), nibrs_monthly(real_site[0], categories)
    changes = release_changes(*counts)
    out = io.StringIO()
    with redirect_stdout(out):
        assert build_data.main(["revisions", "--markdown", "--build-dir", str(real_site[0]), "--quiet"]) == 0
    text = out.getvalue()
    assert text.startswith("Revisions: 4 releases, 2024-01 to 2024-04.\n")
    latest = text[text.index("**Release 2024-04**") : text.index("**Release 2024-03**")]
    assert "first counts 2024-04; months changed: 2024-01, 2024-02, 2024-03" in latest
    assert f"Largest changes ({min(10, len(changes))} of {len(changes)}):" in latest
    rows = [line for line in latest.splitlines() if line.startswith("| 2024-")]
    lines = {
        f"| {month} | {slug} | {before:,} | {after:,} | {after - before:+,} |": abs(after - before)
        for month, slug, before, after in changes
    }
    assert len(rows) == min(10, len(changes)) and set(rows) <= set(lines)
    assert [lines[row] for row in rows] == sorted(lines.values(), reverse=True)[: len(rows)]  # the largest, first


def test_a_build_without_nibrs_releases_has_no_revisions(sample_site):
    build_dir, _ = sample_site
    assert not (downloads(build_dir) / "revisions.csv").exists()
    assert not (build_dir / "docs" / "revisions.md").exists()
    assert "provisional" not in (build_dir / "docs" / "index.md").read_text(encoding="utf-8")
    package = json.loads((downloads(build_dir) / "datapackage.json").read_text(encoding="utf-8"))
    assert "revisions.csv" not in {r["path"] for r in package["resources"]}
    assert "revisions.md" not in navigation_paths(build_dir)
    out = io.StringIO()
    with redirect_stdout(out):
        assert build_data.main(["revisions", "--build-dir", str(build_dir), "--quiet"]) == 0
    assert "no revisions" in out.getvalue()


NIBRS_HEADER = (
    "IncidentDate,OccurredFromTime,IncidentNum,Offense,NIBRS,NIBRSCategory,SRS_UCR,CrimeAgainst,FelMisdCit,"
    "IncidentTopSRS_UCR,IncidentLocation,IntersectionOtherLoc,District,Neighborhood,NbhdNum,Latitude,Longitude,"
    "IncidentSupplemented,LastSuppDate,VictimNum,FirearmUsed,IncidentNature"
)


def nibrs_row(date: str, number: str, code: str, ucr: str, supplemented: str, victim: str = "1") -> str:
    """One offense row of a made-up NIBRS release: `code` the NIBRS offense, `ucr` its SRS_UCR class."""
    return (
        f"{date},12:00:00,{number},OFFENSE {code},{code},Category,{ucr},Person,NULL,{ucr},1200 MARKET ST,NULL,"
        f"4,Downtown West,36,38.6290,-90.2000,{'Yes' if supplemented else 'No'},{supplemented or 'NULL'},"
        f"{victim},Yes,Made up"
    )


@pytest.fixture(scope="module")
def vintage_build(tmp_path_factory, site_config) -> Path:
    """Two made-up releases: the whole of 2023 with three homicides (one of them with two victims, so four
    victims), then January 2024, which re-sends two of them: 23-000002, now a justifiable homicide (09C: not a
    murder, so it leaves the count; a newer LastSuppDate wins), and 23-000003 in an older version (an earlier
    LastSuppDate: it does not win). As of the 2023 release, 2023 has 4 homicides; as of the January 2024 one, 2.
    The claims: 4 homicides in 2023 (the earlier count) and 2 (the latest)."""
    root = tmp_path_factory.mktemp("vintage")
    raw = root / "raw"
    raw.mkdir()
    whole_year = [
        nibrs_row("2023-03-05", "23-000001", "09A", "01", "2023-03-20"),
        nibrs_row("2023-06-10", "23-000002", "09A", "01", "2023-06-11"),
        nibrs_row("2023-06-10", "23-000002", "09A", "01", "2023-06-11", victim="2"),
        nibrs_row("2023-11-30", "23-000003", "09A", "01", "2023-12-02"),
    ]
    january = [
        nibrs_row("2023-06-10", "23-000002", "09C", "", "2024-01-15"),
        nibrs_row("2023-11-30", "23-000003", "13A", "04", "2023-12-01"),
        nibrs_row("2024-01-08", "24-000001", "09A", "01", ""),
    ]
    for name, rows in (("2023-2023.csv", whole_year), ("2024-01.csv", january)):
        (raw / name).write_text("\n".join([NIBRS_HEADER, *rows]) + "\n", encoding="utf-8")
    claims = root / "claims.csv"
    claims.write_text(
        "id,statement,measure,category,year,base_year,figure,who,said_on,source,url,note\n"
        "earlier,4 homicides in 2023,count,homicide,2023,,4,Made-up office,2024-01-02,Test,,\n"
        "latest,2 homicides in 2023,count,homicide,2023,,2,Made-up office,2024-02-02,Test,,\n",
        encoding="utf-8",
    )
    build_dir = root / "build"
    build.run([raw], build_dir=build_dir, site_dir=None, config=replace(site_config, claims=claims), cache_dir=None)
    return build_dir


def test_a_newer_version_that_is_no_longer_counted_leaves_the_count(vintage_build):
    revisions = read_counts(vintage_build, "revisions")
    first, latest = as_of(revisions, "2023-2023"), as_of(revisions, "2024-01")
    assert (first[("2023-03", "homicide")], first[("2023-06", "homicide")], first[("2023-11", "homicide")]) == (1, 2, 1)
    assert (latest[("2023-03", "homicide")], latest[("2023-06", "homicide")], latest[("2023-11", "homicide")]) == (
        1,
        0,
        1,
    )
    assert latest[("2023-11", "aggravated-assault")] == 0  # the older version re-sent does not replace the newer
    assert ("2024-01", "homicide") not in first and latest[("2024-01", "homicide")] == 1


def test_the_claims_page_notes_a_figure_that_matches_an_earlier_release(vintage_build):
    page = (vintage_build / "docs" / "claims.md").read_text(encoding="utf-8")
    [earlier] = [line for line in page.splitlines() if line.startswith("| 4 homicides in 2023 |")]
    [latest] = [line for line in page.splitlines() if line.startswith("| 2 homicides in 2023 |")]
    assert "| 4 | 2 | **Close** |" in earlier  # 2 crimes fewer than claimed: close (within 2 crimes), no match
    assert "Matches SLMPD's count as of the 2023-2023 release (4)" in earlier
    assert "release" not in latest and "| 2 | 2 | **Matches** |" in latest


def test_the_monthly_fetch_puts_the_revision_summary_in_its_job_summary_and_commit_message():
    workflow = yaml.safe_load((paths.ROOT / ".github" / "workflows" / "fetch-data.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["fetch"]["steps"]
    names = [step.get("name") for step in steps]
    summary = steps[names.index("Summarise the revisions")]
    assert names.index("Summarise the revisions") == names.index("Check that the new data builds") + 1
    assert summary["if"] == steps[names.index("Check that the new data builds")]["if"]
    assert "build_data.py revisions --markdown" in summary["run"] and '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    assert '> "$message"' in summary["run"] and 'message="$RUNNER_TEMP/commit-message.txt"' in summary["run"]
    commit = steps[names.index("Commit and push to main")]["run"]
    assert '-F "$RUNNER_TEMP/commit-message.txt"' in commit
    assert "${{" not in summary["run"] and "${{" not in commit
