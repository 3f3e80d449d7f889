"""`build_data.py fetch` reading SLMPD's listing page: the test server of test_fetch.py serves pages in the shapes
SLMPD's pages have had (crime_stats.shtml's table of links, /crimestats/'s tabs block) and real NIBRS releases."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from crimesite import build, config, fetch_checks
from crimesite.errors import FetchError
from crimesite.listing import held_periods, listing_kind_problem
from crimesite.manifest import read_manifest
from crimesite.sources import slmpd_nibrs
from tests.test_fetch import (
    DATA,
    FEBRUARY,
    Server,
    fetch_config,
    legacy_files,
    manifest,
    place_files,
    run,
    run_cli,
    serving,
    snapshot,
    write_site_config,
)

# The four real releases, as published (the repository keeps them gzip-compressed).
RELEASES = {
    "2024-01": DATA / "raw" / "nibrs" / "Crime-01-2024.csv.gz",
    "2024-02": DATA / "raw" / "nibrs" / "Crime-02-2024.csv.gz",
    "2024-03": DATA / "raw" / "nibrs_2024_03_04" / "Crime-03-2024.csv.gz",
    "2024-04": DATA / "raw" / "nibrs_2024_03_04" / "Crime-04-2024.csv.gz",
}
UPLOADS = "wp-content/uploads"
PAGE = "crime_stats.shtml"


def release(period: str) -> bytes:
    return gzip.decompress(RELEASES[period].read_bytes())


@pytest.fixture
def server() -> Iterator[Server]:
    with serving(DATA) as state:
        yield state


def serve(server: Server, files: dict[str, bytes], page: str, name: str = PAGE) -> str:
    """Serve `files` (paths under /files/) and the page (as text/html, under /html/); the page's address."""
    server.overrides.update(files)
    server.overrides[name] = page.encode()
    return f"{server.url}/html/{name}"


def listing_config(data: Path, page_url: str, files: list[dict] | None = None, **listing) -> config.Fetch:
    section = {"url": page_url, "to": "raw/nibrs/{period}.csv"} | listing
    return fetch_config(data, files or [], listing=section)


def crime_stats_page(url: str) -> tuple[str, dict[str, bytes], dict[str, str]]:
    """crime_stats.shtml's shape: a table of links in every form seen in 2024, some relative and some absolute,
    in mixed case, with links to other things around them. The page, the files it links to, and the period each
    file should come as (by its destination in raw/nibrs/)."""
    files = {
        f"{UPLOADS}/2024/03/2021-2023.csv": release("2024-01"),
        f"{UPLOADS}/2024/03/January2024.csv": release("2024-01"),
        f"{UPLOADS}/2024/05/Downloadable-NIBRS-Crime-File-March-2024-CSV.csv": release("2024-03"),
        f"{UPLOADS}/2024/06/May2024.CSV": release("2024-04"),
        f"{UPLOADS}/2024/07/June2024.csv.gz": RELEASES["2024-02"].read_bytes(),
    }
    page = f"""<!DOCTYPE html>
<html><head><title>Crime Statistics | SLMPD</title></head>
<body><nav><a href="/">Home</a> <a href="/about.shtml">About</a></nav>
<h1>NIBRS Crime Data</h1>
<table class="downloads">
  <tr><th>Period</th><th>File</th></tr>
  <tr><td>2021-2023</td><td><a href="/files/{UPLOADS}/2024/03/2021-2023.csv">2021-2023</a></td></tr>
  <tr><td>January 2024</td><td><a href="{url}/files/{UPLOADS}/2024/03/January2024.csv">Download CSV</a></td></tr>
  <tr><td>March 2024</td><td><a href="../files/{UPLOADS}/2024/05/Downloadable-NIBRS-Crime-File-March-2024-CSV.csv"
      >March
      2024</a></td></tr>
  <tr><td>May 2024</td><td><A HREF="/files/{UPLOADS}/2024/06/May2024.CSV">May 2024</A></td></tr>
  <tr><td>June 2024</td><td><a href="/files/{UPLOADS}/2024/07/June2024.csv.gz#data">June 2024</a></td></tr>
</table>
<p>The same file again: <a href="/files/{UPLOADS}/2024/03/January2024.csv">January 2024</a>.
<a href="/files/{UPLOADS}/2024/03/CrimeDataFAQ.pdf">Crime Data FAQ</a></p>
</body></html>
"""
    periods = {
        "raw/nibrs/2021-2023.csv": "2021-2023",
        "raw/nibrs/2024-01.csv": "2024-01",
        "raw/nibrs/2024-03.csv": "2024-03",
        "raw/nibrs/2024-05.csv": "2024-05",
        "raw/nibrs/2024-06.csv.gz": "2024-06",
    }
    return page, files, periods


def crimestats_page() -> tuple[str, dict[str, bytes]]:
    """/crimestats/'s shape: a tabs block whose link texts name the periods and whose file names do not."""
    files = {
        f"{UPLOADS}/2024/03/file1.csv": release("2024-01"),
        f"{UPLOADS}/2024/03/file2.csv": release("2024-02"),
        f"{UPLOADS}/2024/03/data.csv": release("2024-03"),
    }
    page = f"""<html><body>
<div class="tabs">
  <ul class="tab-titles"><li class="active">2024</li><li>2021-2023</li></ul>
  <div class="tab-content">
    <div class="tab-pane active">
      <p><a href="/files/{UPLOADS}/2024/03/file1.csv"><span class="icon"></span>January 2024</a></p>
      <p><a href="/files/{UPLOADS}/2024/03/file2.csv"><strong>Feb.</strong> 2024</a></p>
    </div>
    <div class="tab-pane"><p><a href="/files/{UPLOADS}/2024/03/data.csv">2021 - 2023</a></p></div>
  </div>
</div>
</body></html>
"""
    return page, files


def test_the_crime_stats_page_gives_every_link_form_its_period(tmp_path, server):
    page, files, periods = crime_stats_page(server.url)
    data = tmp_path / "data"
    summary = run(listing_config(data, serve(server, files, page)))
    assert (summary.new, summary.changed, summary.unchanged) == (5, 0, 0)
    assert summary.releases == ("2021-2023", "2024-01", "2024-03", "2024-05", "2024-06")
    entries = {entry["path"]: entry for entry in manifest(data)}
    assert {path: entry["period"] for path, entry in entries.items()} == periods
    for path, entry in entries.items():
        name = entry["url"].removeprefix(f"{server.url}/files/")
        assert (data / path).read_bytes() == files[name], path  # as served: the .csv.gz stays compressed
        assert entry["sha256"] == hashlib.sha256(files[name]).hexdigest()
    assert entries["raw/nibrs/2024-03.csv"]["listed_as"] == "March 2024"  # whitespace collapsed
    assert entries["raw/nibrs/2024-01.csv"]["listed_as"] == "Download CSV"  # the first text the address had
    assert entries["raw/nibrs/2024-06.csv.gz"]["url"] == f"{server.url}/files/{UPLOADS}/2024/07/June2024.csv.gz"
    asked = server.paths_asked()
    assert asked[0] == f"/html/{PAGE}" and len(asked) == 6  # the page, then each file once; no PDF, no pages
    # the build takes a release's months from its file name: each destination gives its period back
    for path, period in periods.items():
        assert slmpd_nibrs.period_label(*slmpd_nibrs.release_period(path)) == period


def test_the_crimestats_tabs_give_periods_by_their_link_texts(tmp_path, server):
    page, files = crimestats_page()
    data = tmp_path / "data"
    run(listing_config(data, serve(server, files, page, "crimestats/")))
    entries = {entry["path"]: (entry["url"].rsplit("/", 1)[1], entry["listed_as"]) for entry in manifest(data)}
    assert entries == {
        "raw/nibrs/2024-01.csv": ("file1.csv", "January 2024"),
        "raw/nibrs/2024-02.csv": ("file2.csv", "Feb. 2024"),
        "raw/nibrs/2021-2023.csv": ("data.csv", "2021 - 2023"),
    }
    assert (data / "raw" / "nibrs" / "2024-02.csv").read_bytes() == release("2024-02")


def test_an_address_is_asked_for_as_a_browser_would(tmp_path, server):
    """A space or a non-ASCII letter in a link is percent-encoded; the period is read from the name as written."""
    files = {
        f"{UPLOADS}/2024/03/2021%20-%202023.csv": release("2024-01"),
        f"{UPLOADS}/2024/06/Mai%C3%A92024.csv": release("2024-02"),
    }
    page = f"""<a href="/files/{UPLOADS}/2024/03/2021 - 2023.csv">NIBRS data</a>
<a href="/files/{UPLOADS}/2024/06/Maié2024.csv">June 2024</a>"""
    data = tmp_path / "data"
    summary = run(listing_config(data, serve(server, files, page)))
    assert summary.releases == ("2021-2023", "2024-06")
    assert (data / "raw" / "nibrs" / "2021-2023.csv").read_bytes() == release("2024-01")
    assert [entry["url"].removeprefix(f"{server.url}/files/") for entry in manifest(data)] == list(files)


def test_a_link_without_a_period_or_with_two_is_reported_and_skipped(tmp_path, server, caplog):
    files = {
        f"{UPLOADS}/latest.csv": release("2024-01"),
        f"{UPLOADS}/2024/04/March2024.csv": release("2024-03"),
        f"{UPLOADS}/2024/06/May2024.csv": release("2024-04"),
    }
    page = f"""<ul><li><a href="/files/{UPLOADS}/latest.csv">Latest data</a></li>
<li><a href="/files/{UPLOADS}/2024/04/March2024.csv">February 2024</a></li>
<li><a href="/files/{UPLOADS}/2024/06/May2024.csv">May 2024</a></li></ul>"""
    data = tmp_path / "data"
    with caplog.at_level(logging.INFO, logger="crimesite.listing"):
        summary = run(listing_config(data, serve(server, files, page)))
    assert summary.releases == ("2024-05",)
    assert [entry["path"] for entry in manifest(data)] == ["raw/nibrs/2024-05.csv"]
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert warnings == [
        f"skipped  the link 'Latest data' ({server.url}/files/{UPLOADS}/latest.csv): neither its text nor its file "
        "name gives a period",
        f"skipped  the link 'February 2024' ({server.url}/files/{UPLOADS}/2024/04/March2024.csv): its text gives "
        "2024-02, its file name 2024-03",
    ]
    assert f"/files/{UPLOADS}/latest.csv" not in server.paths_asked()


def test_a_page_that_lists_no_csv_file_stops_the_fetch_and_changes_nothing(tmp_path, server):
    """A page whose layout changed (the files moved elsewhere) is an error, not "nothing new"."""
    page, files, _ = crime_stats_page(server.url)
    data = tmp_path / "data"
    page_url = serve(server, files, page)
    run(listing_config(data, page_url, place_files(server.url)))
    before = snapshot(data)
    server.overrides[PAGE] = b"""<html><body><h1>Crime data has moved</h1>
<p>See our <a href="https://data.example.org/slmpd">open-data portal</a> or the <a href="faq.pdf">FAQ</a>.</p>
</body></html>"""
    server.requests.clear()
    with pytest.raises(FetchError) as caught:
        run(listing_config(data, page_url, place_files(server.url)), clock=FEBRUARY)
    assert caught.value.problems == [f"{page_url}: the listing page lists no CSV file: has its layout changed?"]
    assert server.paths_asked() == [f"/html/{PAGE}"]  # nothing else was tried
    assert snapshot(data) == before
    assert not (tmp_path / ".cache" / "fetch").exists()


def test_a_second_fetch_with_nothing_new_asks_for_each_release_conditionally(tmp_path, server):
    page, files, _ = crime_stats_page(server.url)
    data = tmp_path / "data"
    settings = listing_config(data, serve(server, files, page), legacy_files(server.url)[:1])
    run(settings)
    before = snapshot(data)
    server.requests.clear()
    summary = run(settings, clock=FEBRUARY)
    assert (summary.new, summary.changed, summary.unchanged, summary.releases) == (0, 0, 6, ())
    assert snapshot(data) == before
    [(page_path, page_headers), *file_requests] = server.requests
    assert page_path == f"/html/{PAGE}" and "If-None-Match" not in page_headers  # the page is read whole each time
    assert len(file_requests) == 6
    assert all("If-None-Match" in headers and "If-Modified-Since" in headers for _, headers in file_requests)


def test_a_changed_release_is_named_in_the_summary(tmp_path, server):
    page, files, _ = crime_stats_page(server.url)
    data = tmp_path / "data"
    settings = listing_config(data, serve(server, files, page))
    run(settings)
    server.overrides[f"{UPLOADS}/2024/06/May2024.CSV"] = release("2024-02")
    summary = run(settings, clock=FEBRUARY)
    assert (summary.new, summary.changed, summary.unchanged, summary.releases) == (0, 1, 4, ("2024-05",))
    assert (data / "raw" / "nibrs" / "2024-05.csv").read_bytes() == release("2024-02")


def test_a_pin_replaces_the_listed_link_of_its_period(tmp_path, server):
    page, files, _ = crime_stats_page(server.url)
    pinned = f"{server.url}/files/{UPLOADS}/2024/08/March2024-corrected.csv"
    files[f"{UPLOADS}/2024/08/March2024-corrected.csv"] = release("2024-04")
    data = tmp_path / "data"
    pins = [{"period": "2024-03", "url": pinned}]
    run(listing_config(data, serve(server, files, page), pins=pins))
    entries = {entry["path"]: entry for entry in manifest(data)}
    assert entries["raw/nibrs/2024-03.csv"]["url"] == pinned
    assert "listed_as" not in entries["raw/nibrs/2024-03.csv"]
    assert (data / "raw" / "nibrs" / "2024-03.csv").read_bytes() == release("2024-04")
    assert not any("Downloadable-NIBRS" in path for path in server.paths_asked())
    assert len(entries) == 5


def test_a_pin_adds_a_period_the_page_does_not_list(tmp_path, server):
    page, files, _ = crime_stats_page(server.url)
    files[f"{UPLOADS}/2024/05/Downloadable-NIBRS-Crime-File-April-2024-CSV.csv"] = release("2024-04")
    pinned = f"{server.url}/files/{UPLOADS}/2024/05/Downloadable-NIBRS-Crime-File-April-2024-CSV.csv"
    data = tmp_path / "data"
    summary = run(listing_config(data, serve(server, files, page), pins=[{"period": "2024-04", "url": pinned}]))
    assert summary.releases == ("2021-2023", "2024-01", "2024-03", "2024-04", "2024-05", "2024-06")


def test_two_links_for_one_period_stop_the_fetch_unless_one_is_pinned(tmp_path, server):
    files = {f"{UPLOADS}/2024/06/May2024.csv": release("2024-04"), f"{UPLOADS}/2024/07/May2024.csv": release("2024-03")}
    page = f"""<p><a href="/files/{UPLOADS}/2024/06/May2024.csv">May 2024</a>
<a href="/files/{UPLOADS}/2024/07/May2024.csv">May 2024 (revised)</a></p>"""
    data = tmp_path / "data"
    page_url = serve(server, files, page)
    with pytest.raises(FetchError) as caught:
        run(listing_config(data, page_url))
    first, second = (f"{server.url}/files/{UPLOADS}/2024/{folder}/May2024.csv" for folder in ("06", "07"))
    assert caught.value.problems == [
        f"{page_url}: 2 links for 2024-05: 'May 2024' ({first}), 'May 2024 (revised)' "
        f"({second}); pin one in site.yml (fetch.listing.pins)"
    ]
    assert not data.exists()
    run(listing_config(data, page_url, pins=[{"period": "2024-05", "url": second}]))
    assert (data / "raw" / "nibrs" / "2024-05.csv").read_bytes() == release("2024-03")


def test_a_listing_host_that_does_not_resolve_is_one_line_and_nothing_else_is_tried(tmp_path, server):
    data = tmp_path / "data"
    run(fetch_config(data, place_files(server.url)))
    before = snapshot(data)
    server.requests.clear()
    settings = listing_config(data, "https://no-such-host.invalid/crime_stats.shtml", place_files(server.url))
    with pytest.raises(FetchError) as caught:
        run(settings)
    [problem] = caught.value.problems
    assert problem.startswith(
        "https://no-such-host.invalid/crime_stats.shtml: cannot resolve the host name no-such-host.invalid ("
    )
    assert problem.endswith("); is the network down? 3 other file(s) not tried")
    assert server.requests == []
    assert snapshot(data) == before


@pytest.mark.parametrize(
    ("kind", "body", "problem"),
    [
        ("files", None, ": the listing page: HTTP 404 Not Found"),
        (
            "csv",
            b"IncidentDate,IncidentNum\n",
            ": the listing page is not a web page (Content-Type 'text/csv', begins b'IncidentDate,IncidentNum\\n')",
        ),
    ],
)
def test_a_listing_page_that_is_missing_or_not_a_web_page_changes_nothing(tmp_path, server, kind, body, problem):
    data = tmp_path / "data"
    run(fetch_config(data, place_files(server.url)))
    before = snapshot(data)
    if body is not None:
        server.overrides["listed.shtml"] = body
    page_url = f"{server.url}/{kind}/listed.shtml"
    with pytest.raises(FetchError) as caught:
        run(listing_config(data, page_url, place_files(server.url)))
    assert caught.value.problems == [page_url + problem]
    assert snapshot(data) == before


def test_a_web_page_served_without_its_type_is_still_read(tmp_path, server):
    """Some servers call every file application/octet-stream: a body that begins with markup is a page."""
    page, files, _ = crime_stats_page(server.url)
    server.overrides.update(files)
    server.overrides["page.shtml"] = page.encode()
    summary = run(listing_config(tmp_path / "data", f"{server.url}/files/page.shtml"))
    assert summary.new == 5


def test_a_period_held_under_another_name_is_not_fetched_again(tmp_path, server, caplog):
    """data/raw/nibrs/Crime-01-2024.csv.gz, copied in by hand, is January 2024: a fetched 2024-01.csv beside it
    would give the build two files for one release."""
    page, files, _ = crime_stats_page(server.url)
    data = tmp_path / "data"
    (data / "raw" / "nibrs").mkdir(parents=True)
    held = data / "raw" / "nibrs" / "Crime-01-2024.csv.gz"
    held.write_bytes(RELEASES["2024-01"].read_bytes())
    with caplog.at_level(logging.INFO, logger="crimesite.listing"):
        summary = run(listing_config(data, serve(server, files, page)))
    assert summary.releases == ("2021-2023", "2024-03", "2024-05", "2024-06")
    assert "2024-01: held as raw/nibrs/Crime-01-2024.csv.gz; not fetched" in caplog.messages
    assert not (data / "raw" / "nibrs" / "2024-01.csv").exists()
    assert held.read_bytes() == RELEASES["2024-01"].read_bytes()
    assert f"/files/{UPLOADS}/2024/03/January2024.csv" not in server.paths_asked()


def test_fetched_releases_build_with_a_legacy_month_and_the_places(tmp_path, server, site_config):
    """The four real 2024 releases found on the page, a legacy month and the place files, built."""
    links = "\n".join(
        f'<li><a href="/files/{UPLOADS}/2024/05/{pd.Period(period):%B%Y}.csv">{pd.Period(period):%B %Y}</a></li>'
        for period in RELEASES
    )
    files = {f"{UPLOADS}/2024/05/{pd.Period(period):%B%Y}.csv": release(period) for period in RELEASES}
    data = tmp_path / "data"
    settings = listing_config(
        data, serve(server, files, f"<ul>{links}</ul>"), legacy_files(server.url)[2:] + place_files(server.url)
    )
    run(settings)
    reference = data / "reference"
    built = config.with_place_files(
        site_config,
        reference / "neighborhoods.csv",
        reference / "neighborhoods.geojson",
        reference / "districts.geojson",
    )
    build.run([data / "raw"], build_dir=tmp_path / "build", site_dir=None, config=replace(built, fetch=settings))
    generated = yaml.safe_load((tmp_path / "build" / "mkdocs.generated.yml").read_text())
    assert generated["extra"] == {"sample_data": False, "data_through": "April 2024"}
    package = json.loads((tmp_path / "build" / "docs" / "downloads" / "datapackage.json").read_text())
    urls = {item["name"]: item["url"] for item in package["provenance"]["raw_files"]}  # from the fetched manifest
    assert urls == {"march2019.csv.gz": f"{server.url}/files/raw/legacy/march2019.csv.gz"} | {
        f"nibrs/{period}.csv": f"{server.url}/files/{UPLOADS}/2024/05/{pd.Period(period):%B%Y}.csv"
        for period in RELEASES
    }


# --- the listing in site.yml ------------------------------------------------------------------------------------


def test_the_repository_lists_the_nibrs_releases_on_slmpds_page(site_config):
    listing = site_config.fetch.listing
    assert listing is not None and listing.url == "https://www.slmpd.org/crime_stats.shtml"
    for period in ("2024-05", "2021-2023", "2021-03_2021-05"):
        path = listing.destination(period, "https://slmpd.org/x.csv")
        assert slmpd_nibrs.period_label(*slmpd_nibrs.release_period(path)) == period
        assert (site_config.fetch.folder / path).is_relative_to(site_config.raw_dir)
    assert listing.destination("2024-05", "https://slmpd.org/May2024.CSV.gz") == "raw/nibrs/2024-05.csv.gz"
    assert listing_kind_problem(listing, site_config.fetch.folder, fetch_checks.expectations(site_config)) is None


def test_the_repository_does_not_fetch_again_the_periods_data_raw_holds(site_config):
    held = held_periods(site_config.raw_dir)
    assert [path.name for period in ("2024-01", "2024-02", "2024-03", "2024-04") for path in held[period]] == [
        "Crime-01-2024.csv.gz",
        "Crime-02-2024.csv.gz",
        "Crime-03-2024.csv.gz",
        "Crime-04-2024.csv.gz",
    ]
    nibrs = {
        entry.path: entry.period
        for entry in read_manifest(site_config.fetch.manifest).values()
        if entry.path.startswith("raw/nibrs")
    }
    assert nibrs == {
        "raw/nibrs/Crime-01-2024.csv.gz": "2024-01",
        "raw/nibrs/Crime-02-2024.csv.gz": "2024-02",
        "raw/nibrs_2024_03_04/Crime-03-2024.csv.gz": "2024-03",
        "raw/nibrs_2024_03_04/Crime-04-2024.csv.gz": "2024-04",
    }


def listing_section(**listing) -> dict:
    page = {"url": "https://www.slmpd.org/crime_stats.shtml", "to": "raw/nibrs/{period}.csv"}
    return {"folder": "data", "timeout_seconds": 5, "retries": 0, "files": [], "listing": page | listing}


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        ({"url": "www.slmpd.org/crime_stats.shtml"}, r"fetch.listing: url .* must be an http or https address"),
        ({"to": "raw/nibrs/latest.csv"}, r"fetch.listing: to .* must be a .csv path with \{period\}"),
        ({"to": "raw/nibrs/{period}-{year}.csv"}, r"must be a .csv path with \{period\} and no other placeholder"),
        ({"to": "raw/nibrs/{period}.txt"}, "must be a .csv path"),
        ({"to": "../{period}.csv"}, "fetch.listing: '../2024-01.csv' must be a file path inside the fetch folder"),
        (
            {"to": "raw/nibrs/2019-{period}.csv"},
            "to gives 'raw/nibrs/2019-2024-01.csv' for 2024-01, a name the build reads as 2019-2024",
        ),
        ({"pins": [{"period": "March 2024", "url": "https://slmpd.org/a.csv"}]}, "period 'March 2024' must be written"),
        ({"pins": [{"period": "2024-3", "url": "https://slmpd.org/a.csv"}]}, "period '2024-3' must be written"),
        ({"pins": [{"period": "2024-03", "url": "a.csv"}]}, r"pins: url 'a.csv' must be an http or https address"),
        ({"pins": [{"period": "2024-03"}]}, r"missing key\(s\) in fetch.listing.pins: url"),
        (
            {
                "pins": [
                    {"period": "2024-03", "url": "https://a/x.csv"},
                    {"period": "2024-03", "url": "https://a/y.csv"},
                ]
            },
            "period.s. 2024-03 pinned twice",
        ),
        ({"pins": "2024-03"}, "fetch.listing.pins must be a list"),
        ({"mirror": "https://x"}, r"unknown key\(s\) in fetch.listing: mirror"),
    ],
)
def test_a_bad_listing_is_refused_with_one_line(listing, message):
    with pytest.raises(ValueError, match=message) as caught:
        config.parse_fetch(listing_section(**listing), Path("/site"))
    assert "\n" not in str(caught.value)


def test_a_listing_with_pins_loads():
    pins = [
        {"period": "2024-03", "url": "https://slmpd.org/wp-content/uploads/2024/05/March.csv"},
        {"period": "2021-2023", "url": "https://slmpd.org/wp-content/uploads/2024/03/2021-2023.csv"},
    ]
    listing = config.parse_fetch(listing_section(pins=pins), Path("/site")).listing
    assert listing.pins == (config.Pin("2024-03", pins[0]["url"]), config.Pin("2021-2023", pins[1]["url"]))
    assert config.parse_fetch(listing_section() | {"listing": None}, Path("/site")).listing is None


def test_a_listing_that_would_download_onto_a_fetch_file_stops_the_fetch(tmp_path, server):
    page, files, _ = crime_stats_page(server.url)
    page_url = serve(server, files, page)
    clash = [{"url": f"{server.url}/files/raw/legacy/january2019.csv.gz", "to": "raw/nibrs/2024-05.csv"}]
    with pytest.raises(FetchError) as caught:
        run(listing_config(tmp_path / "data", page_url, clash))
    assert caught.value.problems == [
        f"{server.url}/files/{UPLOADS}/2024/06/May2024.CSV: 2024-05 would go to "
        "raw/nibrs/2024-05.csv, which fetch.files downloads to"
    ]


def test_the_cli_logs_skipped_links_and_the_releases_that_came(tmp_path, server):
    files = {f"{UPLOADS}/2024/06/May2024.csv": release("2024-04"), f"{UPLOADS}/latest.csv": release("2024-01")}
    page_url = serve(
        server,
        files,
        f'<a href="/files/{UPLOADS}/2024/06/May2024.csv">May 2024</a> <a href="/files/{UPLOADS}/latest.csv">Latest</a>',
    )
    site = write_site_config(tmp_path, [])
    settings = yaml.safe_load(site.read_text())
    settings["fetch"]["listing"] = {"url": page_url, "to": "raw/nibrs/{period}.csv"}
    site.write_text(yaml.safe_dump(settings, sort_keys=False))
    result = run_cli("fetch", "--config", str(site))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    latest = f"{server.url}/files/{UPLOADS}/latest.csv"
    assert f"skipped  the link 'Latest' ({latest}): neither its text nor its file name gives a period" in lines
    assert lines[-2:] == ["fetch: 1 new, 0 changed, 0 unchanged", "fetch: releases new or changed: 2024-05"]
    assert (tmp_path / "data" / "raw" / "nibrs" / "2024-05.csv").read_bytes() == release("2024-04")


def test_the_cli_says_once_that_the_listing_host_does_not_resolve(tmp_path, server):
    site = write_site_config(tmp_path, place_files(server.url))
    settings = yaml.safe_load(site.read_text())
    settings["fetch"]["retries"] = 2
    settings["fetch"]["listing"] = {"url": "https://no-such-host.invalid/crime_stats.shtml", "to": "raw/{period}.csv"}
    site.write_text(yaml.safe_dump(settings, sort_keys=False))
    result = run_cli("fetch", "--config", str(site))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith(
        "error: https://no-such-host.invalid/crime_stats.shtml: cannot resolve"
    )
    assert lines[0].endswith("is the network down? 3 other file(s) not tried")
    assert server.requests == [] and not (tmp_path / "data").exists()
