"""Places and weeks: district and neighborhood pages, maps, rates and the weekly reports."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from crimesite import metrics, places, weekly
from crimesite.errors import DataError
from tests.conftest import FIXTURES

MAP_PAYLOAD_LIMIT = 300_000


# ----- weekly maths on rows with known answers ---------------------------------------------------------

# (date of occurrence, count): burglaries in district 1. The data covers January 2016 to January 2019, so
# the latest complete week is Monday 21 to Sunday 27 January 2019.
WEEKLY_ROWS = [
    ("2019-01-21", 1),
    ("2019-01-21", 1),
    ("2019-01-22", -1),
    ("2019-01-27", 1),  # this week: 2
    ("2019-01-20", 1),  # the prior week
    ("2019-01-28", 1),
    ("2019-01-28", 1),  # after the week: never counted
    ("2019-01-06", 1),
    ("2018-12-31", 1),  # the week of 31 December 2018 to 6 January 2019
    ("2018-12-30", 1),  # before the last 28 days
    ("2018-01-01", 1),
    ("2018-01-01", 1),
    ("2018-01-01", 1),
    ("2018-01-28", 1),  # the same 28 days a year earlier
    ("2017-12-31", 1),
]


@pytest.fixture(scope="module")
def weekly_case():
    frame = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime([d for d, _ in WEEKLY_ROWS]).astype("datetime64[s]"),
            "occurred_status": "ok",
            "category": "burglary",
            "count": [c for _, c in WEEKLY_ROWS],
            "district": pd.array([1] * len(WEEKLY_ROWS), dtype="Int8"),
            "neighborhood": pd.array([None] * len(WEEKLY_ROWS), dtype="Int16"),
        }
    )
    months = pd.period_range("2016-01", "2019-01", freq="M").strftime("%Y-%m")
    cover = metrics.coverage(list(months), "2021-01")
    daily = weekly.daily_counts(frame, "district", ["burglary"])
    return daily, cover


def test_the_latest_complete_week_ends_on_the_last_sunday_in_the_data(weekly_case):
    _, cover = weekly_case
    assert [str(d) for d in weekly.week_dates(cover)] == ["2019-01-21", "2019-01-27"]


def test_weekly_report_counts_match_the_hand_counts(weekly_case):
    daily, cover = weekly_case
    row = weekly.report(daily, cover, [1], ["burglary"]).iloc[0]
    assert row["week"] == 2  # two on Monday, one unfounded, one on Sunday
    assert row["prior_week"] == 1
    assert row["last_28_days"] == 5  # 31 December to 27 January
    assert row["year_earlier_28_days"] == 4  # 1 to 28 January 2018: 364 days earlier, same weekdays
    assert row["year_to_date"] == 4  # 1 to 27 January 2019: 31 December is last year
    assert row["prior_year_to_date"] == 3  # 1 to 27 January 2018
    assert (row["week_low"], row["week_high"]) == (0, 1)
    assert (row["28_days_low"], row["28_days_high"]) == (0, 4)
    assert weekly.verdict(row["week"], row["week_low"], row["week_high"]) == weekly.ABOVE
    assert weekly.verdict(row["last_28_days"], row["28_days_low"], row["28_days_high"]) == weekly.ABOVE


def test_a_week_that_spans_the_new_year_is_one_week(weekly_case):
    daily, cover = weekly_case
    series = weekly.weekly_series(daily, cover, [1], ["burglary"]).set_index("week_start")["count"]
    assert series["2018-12-31"] == 2  # Monday 31 December and Sunday 6 January
    assert series["2019-01-21"] == 2
    assert len(series) == 52 and series.index.max() == "2019-01-21"
    _, prior = weekly.year_to_date(daily, pd.Timestamp("2019-01-06"), [1], ["burglary"], cover)
    current, _ = weekly.year_to_date(daily, pd.Timestamp("2019-01-06"), [1], ["burglary"], cover)
    assert (int(current[0]), int(prior[0])) == (1, 3)  # 1-6 January 2019; 1-6 January 2018


def test_a_usual_range_starts_at_0_when_a_correction_makes_an_earlier_week_negative():
    # A year earlier, the same week holds only a -1 (a crime unfounded that week): its sum is -1, but a range
    # of crimes reads "0-1", never "-1-1".
    rows = [("2019-01-21", 1), ("2018-01-23", -1), ("2017-01-24", 1)]
    frame = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime([d for d, _ in rows]).astype("datetime64[s]"),
            "occurred_status": "ok",
            "category": "burglary",
            "count": [c for _, c in rows],
            "district": pd.array([1] * len(rows), dtype="Int8"),
        }
    )
    cover = metrics.coverage(list(pd.period_range("2016-01", "2019-01", freq="M").strftime("%Y-%m")), "2021-01")
    row = weekly.report(weekly.daily_counts(frame, "district", ["burglary"]), cover, [1], ["burglary"]).iloc[0]
    assert (row["week_low"], row["week_high"]) == (0, 1)
    assert (row["28_days_low"], row["28_days_high"]) == (0, 1)


def test_history_from_the_other_side_of_the_methods_break_is_not_used(weekly_case):
    daily, _ = weekly_case
    months = pd.period_range("2016-01", "2019-01", freq="M").strftime("%Y-%m")
    cover = metrics.coverage(list(months), "2018-06")  # a break in mid-2018
    row = weekly.report(daily, cover, [1], ["burglary"]).iloc[0]
    assert pd.isna(row["year_earlier_28_days"]) and pd.isna(row["prior_year_to_date"])
    assert pd.isna(row["week_low"])  # no earlier year on this side of the break


def test_the_share_coded_by_month_end_counts_late_codings():
    # three crimes in the last week of January 2018 (one coded in February), one earlier in January
    frame = pd.DataFrame(
        {
            "era": "ucr",
            "occurred_status": "ok",
            "flag_new": True,
            "occurred_at": pd.to_datetime(["2018-01-25", "2018-01-31", "2018-01-30", "2018-01-10"]),
            "year": [2018, 2018, 2018, 2018],
            "month": [1, 1, 2, 2],
        }
    )
    cover = metrics.coverage(["2018-01", "2018-02", "2018-03"], "2021-01")
    assert weekly.coded_by_month_end(frame, cover) == pytest.approx(200 / 3)
    assert weekly.coded_by_month_end(frame, metrics.coverage(["2018-01", "2018-02"], "2021-01")) is None


def test_percent_change_needs_two_large_enough_counts():
    assert weekly.percent_change(19, 40) is None
    assert weekly.percent_change(40, 19) is None
    assert weekly.percent_change(30, 20) == 50.0
    assert weekly.percent_change(pd.NA, 30) is None


# ----- reference files ------------------------------------------------------------------------------------


def test_boundaries_are_simplified_and_wound_for_d3(fixture_places_config):
    shapes = places.read_boundaries(FIXTURES / "places" / "neighborhoods.geojson", "NHD_NUM")
    assert [f["id"] for f in shapes["features"]][:3] == [2, 16, 18]
    for feature in shapes["features"]:
        exterior = [tuple(p) for p in feature["geometry"]["coordinates"][0][0]]
        assert places.signed_area(exterior) < 0, "exterior rings must be clockwise for d3-geo"


def test_real_boundaries_shrink_to_a_small_payload(site_config):
    config = site_config.places
    shapes = places.read_boundaries(config.neighborhood_boundaries, config.neighborhood_key)
    assert len(shapes["features"]) == 88
    assert len(json.dumps(shapes, separators=(",", ":"))) < 60_000
    table = places.read_neighborhood_table(config.neighborhood_table, config)
    assert len(table) == 88 and sum(n.park for n in table) == 9
    assert {f["id"] for f in shapes["features"]} == {n.number for n in table}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "NHD_NUM,NHD_NAME,is_park_or_nonresidential,pop_2020,district_6_by_polygon_overlap\n1,A,maybe,10,1\n",
            "neighborhoods.csv:2: column is_park_or_nonresidential: value 'maybe': expected true or false",
        ),
        (
            "NHD_NUM,NHD_NAME,is_park_or_nonresidential,pop_2020,district_6_by_polygon_overlap\n1,A,False,10,1\nx,B,False,1,1\n",
            "neighborhoods.csv:3: column NHD_NUM: value 'x': expected a whole number, 1 or more",
        ),
        (
            "NHD_NUM,NHD_NAME,is_park_or_nonresidential,pop_2020,district_6_by_polygon_overlap\n1,A,False,10,1\n1,B,False,1,1\n",
            "neighborhoods.csv:3: column NHD_NUM: value '1': expected each number once",
        ),
        ("NHD_NUM,NAME\n1,A\n", "neighborhoods.csv:1: column NHD_NAME: value 'NHD_NUM,NAME'"),
    ],
)
def test_a_bad_neighborhood_table_names_file_line_and_column(tmp_path, fixture_places_config, text, expected):
    path = tmp_path / "neighborhoods.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        places.read_neighborhood_table(path, fixture_places_config.places)
    assert str(caught.value.problems[0]).startswith(expected)


def test_a_bad_boundary_file_names_the_feature(tmp_path):
    path = tmp_path / "districts.geojson"
    features = [
        {"type": "Feature", "properties": {"DISTNO": "one"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with pytest.raises(DataError) as caught:
        places.read_boundaries(path, "DISTNO")
    assert str(caught.value.problems[0]) == (
        "districts.geojson:1: column features[0].properties.DISTNO: value 'one': expected a number"
    )
    path.write_text("<html>Not found</html>")
    with pytest.raises(DataError, match="problem"):
        places.read_boundaries(path, "DISTNO")


# ----- the real legacy data, built into a site with the City's neighborhoods -------------------------------


def read_rows(build_dir: Path, name: str) -> list[dict[str, str]]:
    with open(build_dir / "docs" / "downloads" / name, newline="") as handle:
        return list(csv.DictReader(handle))


def test_place_totals_with_the_unknown_bucket_add_up_to_the_city(real_site):
    build_dir, _ = real_site
    city = Counter()
    for row in read_rows(build_dir, "annual_counts.csv"):
        if row["part"] == "1":
            city[(row["year"], row["category"])] += int(row["count"])
    by_neighborhood, by_district = Counter(), Counter()
    for row in read_rows(build_dir, "neighborhood_annual_counts.csv"):
        by_neighborhood[(row["year"], row["category"])] += int(row["count"])
    for row in read_rows(build_dir, "district_annual_counts.csv"):
        by_district[(row["year"], row["category"])] += int(row["count"])
    assert by_neighborhood == city
    assert len(city) == 14 * 8  # 2008-2020 and 2024
    assert by_district == {key: value for key, value in city.items() if key[0] >= "2014"}
    unknown = sum(
        int(r["count"]) for r in read_rows(build_dir, "neighborhood_annual_counts.csv") if r["neighborhood"] == "0"
    )
    assert unknown > 0  # the bucket is real, not empty


def test_download_columns_are_as_documented(real_site):
    build_dir, _ = real_site
    heads = {}
    for name in ("neighborhood_annual_counts.csv", "district_annual_counts.csv", "weekly_counts.csv"):
        with open(build_dir / "docs" / "downloads" / name, newline="") as handle:
            heads[name] = next(csv.reader(handle))
    assert heads == {
        "neighborhood_annual_counts.csv": ["year", "neighborhood", "neighborhood_name", "category", "count"],
        "district_annual_counts.csv": ["year", "district", "category", "count"],
        "weekly_counts.csv": ["week_start", "district", "category", "count"],
    }
    weeks = read_rows(build_dir, "weekly_counts.csv")
    # the weeks the data covers on the NIBRS side of the break: Monday January 1 to Sunday April 28, 2024
    assert len({r["week_start"] for r in weeks}) == 17
    assert {r["district"] for r in weeks} == {"all", "0", "1", "2", "3", "4", "5", "6"}
    for week in {r["week_start"] for r in weeks}:
        rows = [r for r in weeks if r["week_start"] == week and r["category"] == "burglary"]
        city = sum(int(r["count"]) for r in rows if r["district"] == "all")
        assert city == sum(int(r["count"]) for r in rows if r["district"] != "all"), week


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def test_every_place_page_exists_and_is_linked(real_site, site_config):
    _, site_dir = real_site
    with open(site_config.places.neighborhood_table, newline="") as handle:
        expected = {(int(r["NHD_NUM"]), r["NHD_NAME"]) for r in csv.DictReader(handle)}
    pages = sorted(p.parent.name for p in (site_dir / "neighborhoods").glob("*/index.html"))
    assert len(pages) == 88
    assert {int(name.split("-")[0]) for name in pages} == {number for number, _ in expected}
    index = Links()
    index.feed((site_dir / "neighborhoods" / "index.html").read_text(encoding="utf-8"))
    assert {h.rstrip("/") for h in index.hrefs} >= set(pages)
    districts = Links()
    districts.feed((site_dir / "districts" / "index.html").read_text(encoding="utf-8"))
    assert {h.rstrip("/") for h in districts.hrefs} >= {"1", "2", "3", "4", "5", "6"}
    for number in range(1, 7):
        assert (site_dir / "districts" / str(number) / "index.html").is_file()
        assert (site_dir / "weekly" / f"district-{number}" / "index.html").is_file()
    # the navigation reaches every place page too (the home page carries the whole nav)
    carondelet = (site_dir / "neighborhoods" / "1-carondelet" / "index.html").read_text(encoding="utf-8")
    assert "Carondelet" in carondelet and "per 1,000 residents" in carondelet


COORDINATE = re.compile(r"-?\d{2}\.\d{4,}")
SPEC = re.compile(r'(<script type="application/json" class="chart-spec">)(.*?)(</script>)', re.S)


def without_boundaries(html: str) -> str:
    """The page with the boundary geometry taken out of its chart specs (boundaries are public shapes,
    published at 4 decimals); everything else stays to be searched."""

    def strip(match: re.Match) -> str:
        spec = json.loads(match.group(2))
        for rows in spec.get("datasets", {}).values():
            for row in rows:
                if isinstance(row, dict) and row.get("type") == "Feature":
                    row["geometry"] = None
        return match.group(1) + json.dumps(spec) + match.group(3)

    # The charts' SVGs hold pixel positions (translate(46.6,38.55)), not places, and no mark's label (the map
    # points' longitude and latitude went there: static_charts.slimmed drops them); tests/privacy_scan.py still
    # reads every page, SVGs included, for state-plane figures and addresses.
    return SVG.sub("", SPEC.sub(strip, html))


SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def test_no_output_holds_a_coordinate_finer_than_the_block(real_site):
    _, site_dir = real_site
    checked = 0
    for path in sorted(site_dir.rglob("*")):
        if path.suffix not in (".html", ".csv", ".json", ".xml") or "assets" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        text = without_boundaries(text) if path.suffix == ".html" else text
        for match in COORDINATE.finditer(text):
            value = float(match.group())
            assert not (38.4 < value < 38.9 or -90.4 < value < -90.1), (
                f"{path.relative_to(site_dir)}: {match.group()} is finer than a block"
            )
        checked += 1
    assert checked > 100


def chart_specs(html: str) -> list[dict]:
    return [
        json.loads(m) for m in re.findall(r'<script type="application/json" class="chart-spec">(.*?)</script>', html)
    ]


def test_the_incident_map_has_blocks_and_no_sexual_offense(real_site, categories):
    _, site_dir = real_site
    html = (site_dir / "maps" / "recent" / "index.html").read_text(encoding="utf-8")
    (spec,) = chart_specs(html)
    (points,) = [values for values in spec["datasets"].values() if isinstance(values, str)]  # the CSV of points
    rows = list(csv.DictReader(points.splitlines()))
    assert len(rows) > 500
    sexual = {c.name for c in categories if c.sexual_offense}
    assert sexual and not sexual & {r["category"] for r in rows}
    for row in rows:
        assert len(row["x"].split(".")[1]) <= 3 and len(row["y"].split(".")[1]) <= 3
        # a hundred-block, an intersection, a street or a place name: never a house number
        number = re.match(r"\d+\s+[A-Za-z]", row["block"])  # a number before a name ("18TH ST" is a street)
        if number:
            assert re.match(r"(0|\d*00) block ", row["block"]), row["block"]


def test_every_page_keeps_its_map_payload_small(real_site):
    _, site_dir = real_site
    heaviest = 0
    for path in site_dir.rglob("index.html"):
        specs = re.findall(r'class="chart-spec">(.*?)</script>', path.read_text(encoding="utf-8"))
        maps = sum(len(s.encode()) for s in specs if '"geoshape"' in s)
        heaviest = max(heaviest, maps)
        assert maps < MAP_PAYLOAD_LIMIT, f"{path}: {maps} bytes of map specs"
    assert heaviest > 30_000  # the maps are there


def test_the_weekly_page_says_which_week_and_how_to_read_it(real_site):
    _, site_dir = real_site
    html = (site_dir / "weekly" / "index.html").read_text(encoding="utf-8")
    assert "April 22, 2024 to April 28, 2024" in html
    assert "Recent weeks are incomplete" in html and "at least 20" in html
    share = re.search(r"files, (\d+)% of the crimes that happened in the last week of a month", html)
    assert share and 50 < int(share.group(1)) < 100


def test_a_page_address_stays_short_whatever_the_name():
    slug = places.slugify("W" * 10_000)
    assert slug == "w" * places.SLUG_CHARS
    assert places.slugify("-" * 500 + "a") == "a"
    assert places.slugify("\u202e\u0000") == "neighborhood"


def map_spec(page: str, chart_id: str) -> dict:
    figure = re.search(rf'<figure class="chart" id="{chart_id}">.*?class="chart-spec">(.*?)</script>', page, re.S)
    return json.loads(figure.group(1))


def test_each_map_option_has_its_own_summary_and_districts_are_labelled(fixture_build):
    page = (fixture_build / "docs" / "maps" / "index.md").read_text()
    districts = map_spec(page, "chart-district-map")
    summaries = districts["usermeta"]["summaries"]
    assert list(summaries) == [
        "aggravated-assault",
        "arson",
        "burglary",
        "homicide",
        "larceny",
        "part1",
        "rape",
        "robbery",
        "vehicle-theft",
    ]
    assert summaries["part1"] == districts["description"]
    # The district table's homicide column, most first, is what the homicide summary says.
    table = re.search(r'<table id="table-district-values">(.*?)</table>', page, re.S).group(1)
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>(.*?)</tr>', table)
    column = headers.index("Homicide") - 1
    counts = {name: int(re.findall(r"<td[^>]*>(.*?)</td>", cells)[column]) for name, cells in rows}
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    assert (
        summaries["homicide"]
        == "Homicide by police district in 2024: " + ", ".join(f"{name} {count:,}" for name, count in ordered) + "."
    )
    labels = [layer for layer in districts["layer"] if layer.get("mark", {}).get("type") == "text"]
    assert [layer["encoding"]["text"]["field"] for layer in labels] == ["label", "label"]
    assert all(layer["data"] == {"name": "districts"} for layer in labels)
    neighborhoods = map_spec(page, "chart-neighborhood-map")
    assert set(neighborhoods["usermeta"]["summaries"]) == set(summaries)
    assert not [layer for layer in neighborhoods["layer"] if layer.get("mark", {}).get("type") == "text"]
