"""The published files: the data package validates, every file is described and checksummed, the yearly gzip CSVs
and the Parquet file hold the same incident rows, and the incident rows keep the privacy rules of the maps."""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import io
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
from tests import published
from tests.conftest import FIXTURES

PAGES = {"index.md", "dictionary.md", "datapackage.json", "SHA256SUMS"}
INCIDENT_SCHEMA = "incidents.schema.json"


def downloads(build_dir: Path) -> Path:
    return build_dir / "docs" / "downloads"


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def errors(report: frictionless.Report) -> list[str]:
    return [f"{task.name}: {error.type}: {error.note}" for task in report.tasks for error in task.errors]


def test_the_data_package_passes_frictionless_validate(fixture_build):
    folder = downloads(fixture_build)
    report = frictionless.validate(folder / "datapackage.json")
    assert errors(report) == []
    assert report.valid
    resources = descriptor(folder)["resources"]
    assert len(report.tasks) == len(resources)
    years = sorted(pd.read_parquet(folder / "incidents.parquet", columns=["year"])["year"].unique())
    assert len(years) > 3
    yearly = [r["name"] for r in resources if r["path"].startswith("incidents-")]
    assert yearly == [f"incidents-{year}" for year in years]  # one resource per counting year, in year order
    assert len(resources) == len(years) + 1 + 12  # and the Parquet file, the aggregates (revisions.csv too)


def rewrite_gzip(path: Path, old: str, new: str) -> None:
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert old in text
    path.write_bytes(gzip.compress(text.replace(old, new, 1).encode("utf-8"), mtime=0))


def with_matching_checksum(folder: Path, path: str) -> None:
    """The package's hash and size of the file at `path` made to match its (edited) bytes."""
    package = descriptor(folder)
    resource = next(r for r in package["resources"] if r["path"] == path)
    resource["hash"] = "sha256:" + hashlib.sha256((folder / path).read_bytes()).hexdigest()
    resource["bytes"] = (folder / path).stat().st_size
    (folder / "datapackage.json").write_text(json.dumps(package))


def test_validation_catches_a_changed_file_and_a_value_outside_the_schema(fixture_build, tmp_path):
    folder = tmp_path / "downloads"
    shutil.copytree(downloads(fixture_build), folder)
    annual = folder / "annual_counts.csv"
    annual.write_text(annual.read_text().replace("2013,homicide,3,", "2013,homicide,4,"))
    assert any("hash-count" in e for e in errors(frictionless.validate(folder / "datapackage.json")))

    # The same edit with the checksums made to match is caught by the schema: an unknown category.
    annual.write_text(annual.read_text().replace("2013,homicide,4,", "2013,homicide-ish,3,"))
    with_matching_checksum(folder, "annual_counts.csv")
    found = errors(frictionless.validate(folder / "datapackage.json"))
    assert found and all(e.startswith("annual_counts: constraint-error") for e in found)


def test_validation_reads_each_yearly_file_through_the_shared_schema(fixture_build, tmp_path):
    folder = tmp_path / "downloads"
    shutil.copytree(downloads(fixture_build), folder)
    yearly = folder / "incidents-2024.csv.gz"
    rewrite_gzip(yearly, ',"nibrs",', ',"NIBRS",')
    found = errors(frictionless.validate(folder / "datapackage.json"))
    assert any(e.startswith("incidents-2024: hash-count") for e in found)
    with_matching_checksum(folder, yearly.name)
    found = errors(frictionless.validate(folder / "datapackage.json"))
    # `era` allows `ucr` and `nibrs` only: a rule of incidents.schema.json, which the resource names by its path
    assert found and all(e.startswith("incidents-2024: constraint-error") for e in found)


def test_every_published_file_is_described_and_checksummed(fixture_build):
    folder = downloads(fixture_build)
    package = descriptor(folder)
    published_files = {p.name for p in folder.iterdir()} - PAGES - {INCIDENT_SCHEMA}
    assert {r["path"] for r in package["resources"]} == published_files
    sums = dict(line.split("  ")[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == published_files | {INCIDENT_SCHEMA, "datapackage.json"}
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for resource in package["resources"]:
        content = (folder / resource["path"]).read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        assert sums[resource["path"]] == digest
        assert resource.get("hash", f"sha256:{resource.get('sha256')}") == f"sha256:{digest}"
        if resource["path"].endswith((".csv", ".csv.gz")):
            text = gzip.decompress(content) if resource.get("compression") == "gz" else content
            assert resource["rows"] == sum(1 for _ in csv.reader(io.StringIO(text.decode(), newline=""))) - 1
        table_schema = published.resource_schema(folder, resource)
        fields = [f["name"] for f in table_schema["fields"]]
        key = table_schema.get("primaryKey", [])
        assert set(key) <= set(fields) and key, resource["name"]


def test_the_incident_schema_is_written_once_and_named_by_every_incident_resource(fixture_build, published_specs):
    folder = downloads(fixture_build)
    incident = [r for r in descriptor(folder)["resources"] if r["path"].startswith("incidents")]
    assert len(incident) > 3 and {r["schema"] for r in incident} == {INCIDENT_SCHEMA}
    assert json.loads((folder / INCIDENT_SCHEMA).read_text()) == published_specs["incidents"].table_schema()


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


CASTS = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "datetime": "datetime64[s]", "string": "string"}


def from_text(column: pd.Series, kind: str) -> pd.Series:
    """A CSV column (every cell as text) as its Table Schema type says; an empty cell is missing."""
    missing = column == ""
    if kind == "boolean":
        assert column.isin(["true", "false", ""]).all(), column.name
        return column.map({"true": True, "false": False}).where(~missing).astype("boolean")
    if kind == "datetime":
        return pd.to_datetime(column.where(~missing), format="%Y-%m-%dT%H:%M:%S").astype("datetime64[s]")
    if kind in ("integer", "number"):
        return pd.to_numeric(column.where(~missing)).astype(CASTS[kind])
    return column.where(~missing).astype("string")


def from_parquet(column: pd.Series, kind: str) -> pd.Series:
    """A Parquet column as the same type (an empty string is missing, as in the CSV files)."""
    typed = column.astype(CASTS[kind])
    return typed.mask(typed == "") if kind == "string" else typed


def typed(frame: pd.DataFrame, table_schema: dict, convert) -> pd.DataFrame:
    return pd.DataFrame({f["name"]: convert(frame[f["name"]], f["type"]) for f in table_schema["fields"]})


def same_rows_in_every_format(folder: Path) -> pd.DataFrame:
    """Assert that the yearly gzip CSVs, one after the other, are the Parquet file row by row and column by column
    (typed by the published schema), that each holds only its year, and that the rows are the package's; returns
    the table."""
    resources = {r["path"]: r for r in descriptor(folder)["resources"]}
    whole = resources["incidents.parquet"]
    table_schema = published.resource_schema(folder, whole)
    names = [f["name"] for f in table_schema["fields"]]
    years = published.yearly_files(folder)
    assert {p.name for p in folder.glob("incidents*")} == {p.name for p in years.values()} | {
        "incidents.parquet",
        INCIDENT_SCHEMA,
    }  # no whole-table CSV any more
    frames = []
    for year, path in years.items():
        resource = resources[path.name]
        assert resource["name"] == f"incidents-{year}" and resource["compression"] == "gz"
        assert published.resource_schema(folder, resource) == table_schema
        text = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(text.columns) == names
        assert len(text) == resource["rows"] > 0
        assert set(text["year"]) == {str(year)}, path.name  # only its own counting year
        covered = (text["year"] + "-" + text["month"].str.zfill(2)).agg(["min", "max"]).tolist()
        assert covered == [resource["temporal"]["start"], resource["temporal"]["end"]]
        frames.append(text)
    joined = typed(pd.concat(frames, ignore_index=True), table_schema, from_text)
    parquet = pd.read_parquet(folder / "incidents.parquet")
    assert list(parquet.columns) == names
    assert len(parquet) == whole["rows"] == sum(resources[p.name]["rows"] for p in years.values())
    parquet = typed(parquet, table_schema, from_parquet)
    pd.testing.assert_frame_equal(joined, parquet, check_exact=True)
    return parquet


def test_the_yearly_files_and_the_parquet_file_hold_the_same_rows(fixture_build):
    table = same_rows_in_every_format(downloads(fixture_build))
    assert len(table) > 20 and table["year"].nunique() > 3
    assert table[["year", "month"]].apply(tuple, axis=1).is_monotonic_increasing  # in counting order


def test_the_downloads_page_command_joins_the_years_into_one_csv(fixture_build, fixture_site_data, tmp_path):
    """The command run by `sh` on the fixture's yearly files, made again with line breaks in every description
    (a value may hold one; the command must drop the header lines only), gives the Parquet file's rows."""
    page = (downloads(fixture_build) / "index.md").read_text(encoding="utf-8")
    data = fixture_site_data
    resource = next(r for r in publish.published_resources(data.config, data.categories) if r.name == "incidents")
    located = publish.incident_table(data.incidents, data.places.block_positions)
    table = publish.schema_columns("incidents", located, resource)
    table["description"] = "LINE1\nLINE2\r\n" + table["description"].fillna("") + '\n"source_file",'
    files, joined = tmp_path / "files", tmp_path / "joined"
    files.mkdir(), joined.mkdir()
    for item in publish.incident_files(table):
        (files / item.path.removeprefix("downloads/")).write_bytes(item.content)
    assert len(published.yearly_files(files)) > 3
    text = published.joined_by_page_command(files, page, joined)
    table_schema = json.loads((downloads(fixture_build) / INCIDENT_SCHEMA).read_text())
    rows = typed(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), table_schema, from_text)
    parquet = typed(pd.read_parquet(files / "incidents.parquet"), table_schema, from_parquet)
    assert parquet["description"].str.startswith("LINE1\nLINE2\r\n").all()
    pd.testing.assert_frame_equal(rows, parquet, check_exact=True)


def test_the_yearly_files_are_the_same_bytes_when_made_again(fixture_site_data, fixture_build):
    """gzip without a time or a file name in its header: the files depend on the rows alone."""
    made = publish.incident_contents(fixture_site_data)
    again = publish.incident_contents(fixture_site_data)
    assert [(f.path, f.content) for f in made] == [(f.path, f.content) for f in again]
    for item in made:
        assert (fixture_build / "docs" / item.path).read_bytes() == item.content  # as the build published them
        if item.year is not None:
            header = item.content[:10]
            assert header[:3] == b"\x1f\x8b\x08" and header[3] == 0 and header[4:8] == b"\0\0\0\0"  # no name, no time


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
    specs = publish.published_resources(site_config, categories)
    generated = schema.dictionary_markdown(specs)
    readme = (paths.ROOT / "data" / "README.md").read_text()
    start, end = readme.index(schema.DICTIONARY_START), readme.index(schema.DICTIONARY_END)
    assert readme[start + len(schema.DICTIONARY_START) : end].strip() == generated.strip(), "run make dictionary"
    page = (downloads(fixture_build) / "dictionary.md").read_text()
    assert generated.strip() in page
    package = descriptor(downloads(fixture_build))
    by_name = {r.name: r for r in specs}
    for resource in package["resources"]:
        spec = by_name[resource["name"].split("-")[0]]
        table_schema = published.resource_schema(downloads(fixture_build), resource)
        assert table_schema == spec.table_schema()
        for field in table_schema["fields"]:
            assert f"| `{field['name']}` | {field['description'].replace('|', chr(92) + '|')} |" in page


def test_the_dictionary_names_every_column_the_files_have(fixture_build):
    folder = downloads(fixture_build)
    page = (folder / "dictionary.md").read_text()
    for path in [*folder.glob("*.csv"), *published.yearly_files(folder).values()]:
        text = published.yearly_text(path) if path.suffix == ".gz" else path.read_text()
        header = text.splitlines()[0].replace('"', "").split(",")
        section = page[page.index(f"`{published.YEARLY.sub('incidents-YYYY.csv.gz', path.name)}`") :]
        for column in header:
            assert f"| `{column}` |" in section, f"{path.name}: {column}"


# ----- the real legacy files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published_specs(site_config, categories) -> dict[str, schema.Resource]:
    return {r.name: r for r in publish.published_resources(site_config, categories)}


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


def test_real_yearly_files_and_parquet_file_hold_the_same_rows(real_site, real_incidents):
    table = same_rows_in_every_format(downloads(real_site[0]))
    assert table["year"].unique().tolist() == list(range(2008, 2025))  # legacy 2008-2020, NIBRS 2021-2024
    assert len(table) == len(real_incidents) > 690_000


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
    # frictionless checks 5,000 rows of each incident file (all 695,911 take minutes) and every aggregate in full.
    aggregates = [r["path"] for r in package["resources"] if not r["path"].startswith("incidents")]
    report = frictionless.validate(folder / "datapackage.json", limit_rows=5_000)
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
