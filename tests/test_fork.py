"""A fork for a made-up city, Riverton, built from config and data files only (tests/fixtures/forkcity/).

The expected counts are worked out by hand from the 41 rows of the two fixture files (see the comments);
the generic CSV reader is also tested on small files of its own.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml

from crimesite import build, config, output, paths, reference
from crimesite.errors import DataError
from crimesite.sources import discover, load
from tests.conftest import FIXTURES

FORK = FIXTURES / "forkcity"
PART1 = ("homicide", "rape", "robbery", "aggravated-assault", "burglary", "larceny", "vehicle-theft", "arson")
# Counted by the `Reported On` year. 2023: homicides RPD-23-0001, -0010; rape -0015; robbery -0007; aggravated
# assaults -0006, -0012, -0020; burglaries -0003, -0014; larcenies -0002, -0009, -0013, -0019; vehicle thefts
# -0004, -0016; arson -0017. 2024: homicides RPD-24-0002 and two victims of -0009; rape -0016; robberies -0004,
# -0018; aggravated assaults -0005, -0011, -0015, -0020; burglaries -0001 (occurred in December 2023, reported
# in January 2024) and -0010; larcenies -0003, -0007, -0013, -0017; vehicle thefts -0006, -0014; no arson.
# The lost-property rows (code 9900) are not counted.
HAND_COUNTS = {
    2023: dict(zip(PART1, (2, 1, 1, 3, 2, 4, 2, 1), strict=True)),
    2024: dict(zip(PART1, (3, 1, 2, 4, 2, 4, 2, 0), strict=True)),
}
NEIGHBORHOODS = {
    "1-mill-creek": "Mill Creek",
    "2-harbor-point": "Harbor Point",
    "3-old-orchard": "Old Orchard",
    "4-riverside-park": "Riverside Park",
}
OTHER_CITY = re.compile(r"st\.?\s*louis|slmpd|missouri", re.IGNORECASE)


@pytest.fixture(scope="module")
def fork_config() -> config.SiteConfig:
    return config.load_config(FORK / "site.yml")


@pytest.fixture(scope="module")
def fork_site(fork_config, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("riverton")
    build.run([fork_config.raw_dir], root / "build", root / "site", config=fork_config)
    return root / "build", root / "site"


def page(build_dir: Path, relative: str) -> str:
    """A generated Markdown page with its character references resolved, as a reader sees it."""
    return html.unescape((build_dir / "docs" / relative).read_text(encoding="utf-8"))


# ----- the whole site -----------------------------------------------------------------------------------------


def test_counts_per_year_and_category_are_the_hand_counts(fork_site):
    build_dir, _ = fork_site
    text = (build_dir / "docs" / "downloads" / "annual_counts.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    counts = {(int(r["year"]), r["category"]): int(r["count"]) for r in rows if r["part"] == "1"}
    assert counts == {(year, slug): n for year, by_slug in HAND_COUNTS.items() for slug, n in by_slug.items()}
    assert {r["era"] for r in rows} == {"nibrs"}
    home = page(build_dir, "index.md")
    assert "| **All Part I crimes** | 18 | 16 | +2 | +12.5% |" in home


def test_part2_offenses_and_uncounted_codes(fork_site):
    build_dir, _ = fork_site
    year = page(build_dir, "years/2023.md")
    # RPD-23-0005 simple assault (class 09), -0011 drug possession (18), -0018 vandalism (14).
    for line in ("| Other assaults | 1 |", "| Drug abuse violations | 1 |", "| Vandalism | 1 |", "| Fraud | 0 |"):
        assert line in year
    quality = page(build_dir, "data-quality.md")
    # 41 rows, 2 lost-property reports (not counted)
    assert "The build read **2** files with **41** rows (data rows as published," in quality
    assert "holds **39** rows." in quality
    assert "Another **2** rows have an offense code that the code table marks as" in quality
    robbery = page(build_dir, "crimes/robbery.md")
    assert "UCR class 03, RPD offense codes\n`0310`, `0320`. Counted in the month of the\n`Reported On` date" in robbery
    methodology = page(build_dir, "methodology.md")
    assert "| `9900` |  | not counted |" in methodology
    assert "| `0320` | 03 | Robbery |" in methodology


def test_neighborhood_and_district_pages_carry_the_made_up_places(fork_site):
    build_dir, site_dir = fork_site
    for slug, name in NEIGHBORHOODS.items():
        built = (site_dir / "neighborhoods" / slug / "index.html").read_text(encoding="utf-8")
        assert re.search(rf"<h1[^>]*>{re.escape(name)}", html.unescape(built)), slug
    for number in (1, 2):
        assert (site_dir / "districts" / str(number) / "index.html").is_file()
    assert not (site_dir / "districts" / "3").exists()
    index = page(build_dir, "neighborhoods/index.md")
    # Part I in 2024: Mill Creek 5 of 4,200 residents (1.2 per 1,000), Harbor Point 5 of 3,100 (1.6),
    # Old Orchard 5 of 5,800 (0.9); Riverside Park is a park; RPD-24-0015 has area 0.
    assert "| 1 | [Mill Creek](1-mill-creek.md) | 1 | 4,200 | 5 | 1.2 | 2 |" in index
    assert "| 2 | [Harbor Point](2-harbor-point.md) | 1 | 3,100 | 5 | 1.6 | 1 |" in index
    assert "| 3 | [Old Orchard](3-old-orchard.md) | 2 | 5,800 | 5 | 0.9 | 3 |" in index
    assert "| 4 | [Riverside Park](4-riverside-park.md) | 2 | park or other area | 2 | n/a | n/a |" in index
    assert "| 0 | Unknown location | n/a | n/a | 1 | n/a | n/a |" in index
    district = page(build_dir, "districts/1.md")
    assert "| **All Part I crimes** | 10 | 7 | +3 |" in district  # Mill Creek and Harbor Point: 5 + 5, 4 + 3


def test_claims_goals_and_shootings_follow_the_data(fork_site):
    build_dir, _ = fork_site
    claims = page(build_dir, "claims.md")
    assert "| 2 homicides in 2023 | 2 | 2 | **Matches** |" in claims
    assert "| Serious crime up 20% in 2024 | +20.0% | +12.5% | **Differs** |" in claims  # (18 - 16) / 16
    goals = page(build_dir, "goals.md")
    # Shootings: firearm aggravated assaults and homicides. 2023: RPD-23-0001, -0006, -0020;
    # 2024: RPD-24-0002, both rows of -0009, -0005, -0015.
    assert "### Homicide\n\nBaseline (2023): **2**, computed from the data.\nTarget for 2027: **1**." in goals
    assert "### Shootings\n\nBaseline (2023): **3**, computed from the data.\nTarget for 2027: **2**." in goals
    assert "the count was **5**" in goals


def test_the_city_is_named_and_no_other_city_is(fork_site):
    _, site_dir = fork_site
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "<title>Riverton crime data</title>" in home
    assert "Riverton Police Department (RPD)" in html.unescape(home)
    published = [p for p in site_dir.rglob("*") if p.is_file() and p.suffix in (".html", ".csv", ".json", ".xml")]
    assert any(p.suffix == ".csv" for p in published)
    found = [
        p.relative_to(site_dir).as_posix()
        for p in published
        if OTHER_CITY.search(html.unescape(p.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_addresses_are_published_as_blocks_only(fork_site):
    _, site_dir = fork_site
    texts = [p.read_text(encoding="utf-8") for p in site_dir.rglob("*") if p.suffix in (".html", ".csv", ".json")]
    assert not any("4567 BIRCH" in text for text in texts)
    recent = (site_dir / "maps" / "recent" / "index.html").read_text(encoding="utf-8")
    assert "4500 block BIRCH LN" in recent  # RPD-24-0017, December 10, 2024: in the last 28 days


def test_the_fork_guide_is_in_the_navigation(fork_site):
    build_dir, site_dir = fork_site
    generated = yaml.safe_load((build_dir / output.GENERATED_CONFIG).read_text(encoding="utf-8"))
    assert {"Fork this site": "fork.md"} in generated["nav"]
    assert "Fork this site for another city" in (site_dir / "fork" / "index.html").read_text(encoding="utf-8")


def test_the_guide_shows_the_fixture_configuration():
    guide = (paths.ROOT / "docs" / "fork.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", guide, re.S).group(1)
    fixture = (FORK / "site.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(example) == yaml.safe_load(fixture)
    assert not OTHER_CITY.search(guide)  # the guide is part of every fork's site


def test_unknown_codes_and_bad_dates_stop_the_build_naming_file_line_and_column(fork_config, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(fork_config.raw_dir, raw)
    with (raw / "riverton_2024.csv").open("a", encoding="utf-8") as handle:
        handle.write("RPD-24-0099,12/30/2024,2024-12-29,10:00,0999,NEW CODE,1,1,10 ELM ST,41.02,-100.48,\n")
        handle.write("RPD-24-0100,30/12/2024,2024-12-29,10:00,0610,THEFT,1,1,10 ELM ST,41.02,-100.48,\n")
        handle.write("RPD-24-0101,12/30/2024,2024-12-29,10:00,0610,THEFT,1,one,10 ELM ST,41.02,north,maybe\n")
    with pytest.raises(DataError) as caught:
        build.run([raw], tmp_path / "build", tmp_path / "site", config=fork_config)
    found = {(Path(p.file).name, p.line, p.column, p.value) for p in caught.value.problems}
    assert found == {
        ("riverton_2024.csv", 23, "Offense Code", "0999"),
        ("riverton_2024.csv", 24, "Reported On", "30/12/2024"),
        ("riverton_2024.csv", 25, "Area", "one"),
        ("riverton_2024.csv", 25, "Longitude (WGS84)", "north"),
        ("riverton_2024.csv", 25, "Firearm", "maybe"),
    }
    assert "an offense code listed in offense_codes.csv" in str(caught.value.problems[0])
    assert not (tmp_path / "build").exists() and not (tmp_path / "site").exists()


# ----- the reader on small files ---------------------------------------------------------------------------------


def fork_data() -> dict:
    return yaml.safe_load((FORK / "site.yml").read_text(encoding="utf-8"))


def read(tmp_path: Path, text: str, data: dict | None = None):
    """The canonical table read from one CSV file with the Riverton configuration (or `data`)."""
    site = config.parse_config(data or fork_data(), FORK)
    categories = reference.load_categories(site.categories)
    path = tmp_path / "incidents.csv"
    path.write_text(text, encoding="utf-8")
    table, _ = load(discover([path]), build.read_context(site, categories))
    return table


HEADER = (
    "Case No,Reported On,Occurred On,Occurred Time,Offense Code,Offense,Precinct,Area,Location,"
    "Latitude (WGS84),Longitude (WGS84),Firearm\n"
)


def test_the_reader_maps_each_column(tmp_path):
    table = read(
        tmp_path,
        HEADER
        + "A-1,2/3/2024,2024-01-31,22:05,0410,AGG ASSAULT - GUN,2,3,3712 ORCHARD AVE,41.03,-100.43,Y\n"
        + "A-2,02/10/2024,NULL,,0620,,UNK,9,ORCHARD AVE / ELM ST,0,0,\n"
        + "A-3,02/11/2024,2024-02-11,,9900,LOST PROPERTY,1,1,1 ELM ST,41.02,-100.48,N\n",
    )
    assert len(table) == 2  # A-3's code is not counted
    first, second = table.iloc[0], table.iloc[1]
    assert (first["complaint"], int(first["year"]), int(first["month"])) == ("A-1", 2024, 2)  # the Reported On month
    assert str(first["occurred_at"]) == "2024-01-31 22:05:00"
    assert (first["crime_code"], first["category"], int(first["part"])) == ("0410", "aggravated-assault", 1)
    assert (int(first["district"]), int(first["neighborhood"])) == (2, 3)
    assert first["block"] == "3700 block ORCHARD AVE"
    assert (first["latitude"], first["longitude"], first["location_status"]) == (41.03, -100.43, "ok")
    assert bool(first["firearm"]) is True and first["era"] == "nibrs" and int(first["count"]) == 1
    assert second["occurred_status"] == "missing" and str(second["occurred_at"]) == "NaT"
    assert second["description"] == "0620"  # no description: the code stands in
    assert str(second["district"]) == "<NA>" and str(second["neighborhood"]) == "<NA>"  # missing; 9 is not 1-4
    assert second["block"] == "ORCHARD AVE / ELM ST" and second["location_status"] == "missing"
    assert str(second["firearm"]) == "<NA>"


def test_the_reader_takes_counts_and_projected_coordinates(tmp_path):
    data = fork_data()
    columns = data["reader"]["csv"]["columns"]
    columns.update(
        counted=None,
        occurred_time=None,
        count="Adj",
        latitude=None,
        longitude=None,
        x="X",
        y="Y",
        address=None,
        house_number="No",
        street="Street",
    )
    data["reader"]["csv"]["date_formats"] = ["%d.%m.%Y %H:%M"]
    # UTM zone 14N (metres): easting 500,000 is its central meridian, 99 degrees west; a degree of latitude is
    # about 111 km, so northing 4,538,500 (scaled by 0.9996 on the meridian) is close to 41 degrees north.
    data["geography"]["source_crs"] = "EPSG:32614"
    data["geography"]["bounds"] = [-99.1, 40.9, -98.9, 41.1]
    header = "Case No,Occurred On,Offense Code,Offense,Precinct,Area,No,Street,X,Y,Firearm,Adj\n"
    table = read(
        tmp_path,
        header
        + "B-1,05.03.2024 14:30,0710,AUTO THEFT,2,4,58,PARK LOOP,500000,4538500,,1\n"
        + "B-1,07.04.2024 09:00,0710,AUTO THEFT,2,4,58,PARK LOOP,500000,4538500,,-1\n"
        + "B-2,07.04.2024 10:00,0710,AUTO THEFT,2,4,,PARK LOOP,0,0,,1\n"
        + "B-3,07.04.2024 11:00,0710,AUTO THEFT,2,4,1250,PARK LOOP,600000,4538500,,1\n",
        data,
    )
    assert table["count"].tolist() == [1, -1, 1, 1]
    assert table["month"].tolist() == [3, 4, 4, 4]  # counted when it occurred: no counted column
    assert table["block"].tolist() == ["0 block PARK LOOP", "0 block PARK LOOP", "PARK LOOP", "1200 block PARK LOOP"]
    assert table["location_status"].tolist() == ["ok", "ok", "missing", "outside_bounds"]  # B-3 is 100 km east
    assert table["longitude"].round(6).tolist()[:2] == [-99.0, -99.0]
    assert table["latitude"].round(1).tolist()[:2] == [41.0, 41.0]
    assert table["latitude"].iloc[2:].isna().all()


def test_a_count_other_than_plus_or_minus_one_is_a_problem(tmp_path):
    data = fork_data()
    data["reader"]["csv"]["columns"]["count"] = "Adj"
    text = HEADER.replace("\n", ",Adj\n") + "C-1,02/03/2024,2024-02-02,10:00,0610,THEFT,1,1,1 ELM ST,41.02,-100.48,,2\n"
    with pytest.raises(DataError) as caught:
        read(tmp_path, text, data)
    assert [(p.line, p.column, p.value, p.expected) for p in caught.value.problems] == [(2, "Adj", "2", "+1 or -1")]


def test_a_file_without_the_mapped_columns_is_refused_with_their_names(tmp_path):
    text = HEADER.replace("Offense Code", "OffenseCode") + "A-1,2/3/2024,2024-01-31,22:05,0410,X,2,3,1 ELM,,,\n"
    with pytest.raises(DataError) as caught:
        read(tmp_path, text)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, "(header)")
    assert problem.expected.endswith("missing: Offense Code")


# ----- the configuration -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["reader"]["csv"].update(firearm_yes=[True]), "quoted strings"),  # YAML read an unquoted Yes
        (lambda d: d["reader"]["csv"]["columns"].pop("firearm"), r"missing key.*reader.csv.columns.*firearm"),
        (lambda d: d["reader"]["csv"]["columns"].update(offense_code=None), "offense_code is needed"),
        (lambda d: d["reader"]["csv"]["columns"].update(x="X"), "both of x/y"),
        (lambda d: d["reader"]["csv"].update(era="summary"), "era must be one of"),
        (lambda d: d.update(methods_break="2021-01"), "methods_break must be null"),
        (lambda d: d["places"].update(neighborhood_numbers=[4, 1]), "neighborhood_numbers"),
        (lambda d: d["reader"].update(format="excel"), "reader.format must be one of"),
    ],
)
def test_bad_reader_settings_are_refused(change, message):
    data = fork_data()
    change(data)
    with pytest.raises(ValueError, match=message):
        config.parse_config(data, FORK)


def test_a_code_table_row_with_an_unknown_class_is_refused(tmp_path, categories):
    table = tmp_path / "codes.csv"
    table.write_text("code,ucr_class\n0110,01\n0110,01\n0200,27\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        reference.load_offense_codes(table, categories)
    assert [(p.line, p.column, p.value) for p in caught.value.problems] == [(3, "code", "0110"), (4, "ucr_class", "27")]
