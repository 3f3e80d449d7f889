"""The published files: the data package validates, every file is described and checksummed, the three
incident formats hold the same rows, and the incident rows keep the privacy rules of the maps."""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from crimesite import build, paths, publish, schema
from tests.conftest import FIXTURES

PAGES = {"index.md", "dictionary.md", "datapackage.json", "SHA256SUMS"}


def downloads(build_dir: Path) -> Path:
    return build_dir / "docs" / "downloads"


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def errors(report: frictionless.Report) -> list[str]:
    return [f"{task.name}: {error.type}: {error.note}" for task in report.tasks for error in task.errors]


def test_the_data_package_passes_frictionless_validate(fixture_build):
    report = frictionless.validate(downloads(fixture_build) / "datapackage.json")
    assert errors(report) == []
    assert report.valid
    assert len(report.tasks) == len(descriptor(downloads(fixture_build))["resources"]) == 15  # revisions.csv too


def test_validation_catches_a_changed_file_and_a_value_outside_the_schema(fixture_build, tmp_path):
    folder = tmp_path / "downloads"
    shutil.copytree(downloads(fixture_build), folder)
    annual = folder / "annual_counts.csv"
    annual.write_text(annual.read_text().replace("2013,homicide,3,", "2013,homicide,4,"))
    assert any("hash-count" in e for e in errors(frictionless.validate(folder / "datapackage.json")))

    # The same edit with the checksums made to match is caught by the schema: an unknown category.
    annual.write_text(annual.read_text().replace("2013,homicide,4,", "2013,homicide-ish,3,"))
    package = descriptor(folder)
    resource = next(r for r in package["resources"] if r["name"] == "annual_counts")
    resource["hash"] = "sha256:" + hashlib.sha256(annual.read_bytes()).hexdigest()
    resource["bytes"] = annual.stat().st_size
    (folder / "datapackage.json").write_text(json.dumps(package))
    found = errors(frictionless.validate(folder / "datapackage.json"))
    assert found and all(e.startswith("annual_counts: constraint-error") for e in found)


def test_every_published_file_is_described_and_checksummed(fixture_build):
    folder = downloads(fixture_build)
    package = descriptor(folder)
    published = {p.name for p in folder.iterdir()} - PAGES
    assert {r["path"] for r in package["resources"]} == published
    sums = dict(line.split("  ")[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == published
    for resource in package["resources"]:
        content = (folder / resource["path"]).read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        assert sums[resource["path"]] == digest
        assert resource.get("hash", f"sha256:{resource.get('sha256')}") == f"sha256:{digest}"
        if resource["path"].endswith(".csv"):
            with open(folder / resource["path"], newline="") as handle:
                assert resource["rows"] == sum(1 for _ in csv.reader(handle)) - 1
        fields = [f["name"] for f in resource["schema"]["fields"]]
        key = resource["schema"].get("primaryKey", [])
        assert set(key) <= set(fields) and key, resource["name"]


def test_the_package_says_how_fresh_the_data_is_and_where_it_came_from(fixture_build, site_config):
    package = descriptor(downloads(fixture_build))
    assert package["temporal"] == {"start": "2013-04", "end": "2024-02"}
    raw = {f["name"]: f["sha256"] for f in package["provenance"]["raw_files"]}
    on_disk = [*(FIXTURES / "legacy").glob("*.csv"), *(FIXTURES / "nibrs").glob("*.csv")]
    assert raw == {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in on_disk}
    assert package["licenses"][0]["name"] == "ODC-PDDL-1.0"
    named = (*site_config.sources, *site_config.other_sources)
    assert [s["path"] for s in package["sources"]] == [s.url for s in named]
    page = (downloads(fixture_build) / "index.md").read_text()
    assert "**Data through February 2024**" in page
    for name in raw:
        assert name.replace("-", "&#45;").replace(".", "&#46;").replace("_", "&#95;") in page


def test_the_three_incident_formats_hold_the_same_rows(fixture_build):
    folder = downloads(fixture_build)
    text = pd.read_csv(folder / "incidents.csv", dtype=str, keep_default_na=False)
    gz = pd.read_csv(folder / "incidents.csv.gz", dtype=str, keep_default_na=False)
    parquet = pd.read_parquet(folder / "incidents.parquet")
    pd.testing.assert_frame_equal(text, gz)
    assert list(parquet.columns) == list(text.columns)
    assert len(parquet) == len(text) > 20
    assert parquet["count"].astype(int).tolist() == text["count"].astype(int).tolist()
    assert parquet["category"].astype(str).tolist() == text["category"].tolist()
    assert parquet["occurred_at"].dt.strftime("%Y-%m-%dT%H:%M:%S").fillna("").tolist() == text["occurred_at"].tolist()


def test_the_manifest_urls_reach_the_package_and_the_page(tmp_path, fixture_places_config):
    raw = FIXTURES / "legacy" / "may2017_26_columns.csv"
    url = "https://example.org/files/May2017.CSV?x=<b>_1_</b>"
    entry = {
        "path": "raw/may2017.csv",
        "url": url,
        "sha256": hashlib.sha256(raw.read_bytes()).hexdigest(),
        "bytes": raw.stat().st_size,
        "retrieved_at": "2026-11-05T07:23:00Z",
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"files": [entry]}))
    fetched = replace(fixture_places_config, fetch=replace(fixture_places_config.fetch, folder=tmp_path))
    build_dir = tmp_path / "build"
    build.run([raw], build_dir=build_dir, site_dir=None, config=fetched)
    [file] = descriptor(downloads(build_dir))["provenance"]["raw_files"]
    assert file["url"] == url
    page = (downloads(build_dir) / "index.md").read_text()
    assert "1 of the 1 files were downloaded by the fetch step" in page
    assert "<b>" not in page and "example&#46;org/files/May2017&#46;CSV?x&#61;&#60;b&#62;&#95;1&#95;" in page


def test_the_dictionary_page_readme_and_package_say_the_same(fixture_build, site_config, categories):
    published = publish.published_resources(site_config, categories)
    generated = schema.dictionary_markdown(published)
    readme = (paths.ROOT / "data" / "README.md").read_text()
    start, end = readme.index(schema.DICTIONARY_START), readme.index(schema.DICTIONARY_END)
    assert readme[start + len(schema.DICTIONARY_START) : end].strip() == generated.strip(), "run make dictionary"
    page = (downloads(fixture_build) / "dictionary.md").read_text()
    assert generated.strip() in page
    package = descriptor(downloads(fixture_build))
    by_name = {r.name: r for r in published}
    for resource in package["resources"]:
        spec = by_name[resource["name"].split("-")[0]]
        assert resource["schema"] == spec.table_schema()
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` | {field['description'].replace('|', chr(92) + '|')} |" in page


def test_the_dictionary_names_every_column_the_files_have(fixture_build):
    folder = downloads(fixture_build)
    page = (folder / "dictionary.md").read_text()
    for path in folder.glob("*.csv"):
        header = path.read_text().splitlines()[0].replace('"', "").split(",")
        section = page[page.index(f"`{path.name}`") :]
        for column in header:
            assert f"| `{column}` |" in section, f"{path.name}: {column}"


# ----- the real legacy files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_incidents(real_site) -> pd.DataFrame:
    return pd.read_parquet(downloads(real_site[0]) / "incidents.parquet")


def test_real_incident_rows_keep_the_privacy_rules(real_incidents, categories):
    sexual = {c.slug for c in categories if c.sexual_offense}
    rows = real_incidents
    withheld = rows["category"].astype(str).isin(sexual)
    assert withheld.sum() > 1000  # rapes and other sexual offenses are in the table...
    hidden = rows[withheld]
    assert hidden["block"].isna().all() and hidden["latitude"].isna().all() and hidden["longitude"].isna().all()
    assert (hidden["location_status"] == schema.LOCATION_WITHHELD).all()  # ...without any location
    located = rows.dropna(subset=["latitude"])
    assert len(located) > 500_000
    assert ((located["latitude"] * 1000).round(6) % 1 == 0).all()  # never finer than 3 decimals
    assert ((located["longitude"] * 1000).round(6) % 1 == 0).all()
    per_block = located.dropna(subset=["block"]).groupby("block")[["latitude", "longitude"]].nunique()
    assert (per_block <= 1).all().all()  # one position per block: the block's, never the address
    numbers = rows["block"].dropna().str.extract(r"^(\d{3,})\s+[A-Za-z]")[0].dropna().astype(int)
    assert len(numbers) > 500_000 and (numbers % 100 == 0).all()  # a house number is always the block's


def test_real_incident_rows_add_up_to_the_published_counts(real_site, real_incidents):
    with open(downloads(real_site[0]) / "annual_counts.csv", newline="") as handle:
        annual = {(int(r["year"]), r["category"]): int(r["count"]) for r in csv.DictReader(handle) if r["count"]}
    sums = Counter()
    # the series count legacy rows before the methods break (January 2021) and NIBRS rows from it on
    counted = real_incidents[(real_incidents["era"] == "ucr") == (real_incidents["year"] < 2021)]
    for (year, category), total in counted.groupby(["year", "category"], observed=True)["count"].sum().items():
        sums[(int(year), str(category))] = int(total)
    assert {key: sums.get(key, 0) for key in annual} == annual
    assert len(annual) == 14 * 26 - 18  # 2008-2020 and 2024, less the 18 Part II categories of 2024 (empty)
    assert (real_incidents["era"] == "ucr").sum() == 644_056 + 44_720  # every row of the 156 legacy files


def test_real_package_describes_the_160_raw_files_and_validates(real_site):
    folder = downloads(real_site[0])
    package = descriptor(folder)
    raw = {f["name"]: f["sha256"] for f in package["provenance"]["raw_files"]}
    files = paths.RAW_DIR.rglob("*.csv.gz")
    assert raw == {p.relative_to(paths.RAW_DIR).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert len(raw) == 160
    urls = {f["name"]: f["url"] for f in package["provenance"]["raw_files"]}  # from data/manifest.json
    assert urls["nibrs/Crime-01-2024.csv.gz"] == "https://slmpd.org/wp-content/uploads/2024/03/January2024.csv"
    assert package["temporal"] == {"start": "2008-01", "end": "2024-04"}
    assert not package["sample"]
    # frictionless checks 20,000 rows of each incident file (all 644,056 take minutes) and every aggregate in full.
    aggregates = [r["path"] for r in package["resources"] if not r["path"].startswith("incidents")]
    report = frictionless.validate(folder / "datapackage.json", limit_rows=20_000)
    problems = [e for e in errors(report) if not re.search(r"hash-count|byte-count", e)]
    assert problems == []
    for path in aggregates:
        assert frictionless.validate(
            frictionless.Resource(next(r for r in package["resources"] if r["path"] == path), basepath=str(folder))
        ).valid, path


def test_the_publisher_imports_no_page_module_and_no_fetcher():
    code = "import sys, crimesite.publish; print(sorted(m for m in sys.modules if m.startswith('crimesite.')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=paths.ROOT)
    modules = set(ast.literal_eval(loaded.stdout))
    assert "crimesite.placemetrics" in modules
    assert not modules & {
        "crimesite.pages",
        "crimesite.place_pages",
        "crimesite.download_pages",
        "crimesite.fetch",
        "crimesite.listing",
        "crimesite.http_download",
    }
