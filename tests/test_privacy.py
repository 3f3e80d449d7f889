"""Issue 12: no published byte may place a sexual offense or give a position finer than the block.

One test per way the leak was found (on the fixtures of tests/fixtures/privacy/, written by make_privacy.py), then
the scan of every published byte of a real build (tests/privacy_scan.py)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from crimesite import geo, privacy, publish, sources
from tests import privacy_scan
from tests.conftest import FIXTURES

PRIVACY = FIXTURES / "privacy"


@pytest.fixture(scope="module")
def table(context) -> pd.DataFrame:
    read, _ = sources.load(sources.discover([PRIVACY]), context)
    return privacy.withhold_incidents(read)


def rows_of(table: pd.DataFrame, complaint: str | None = None, file: str | None = None) -> pd.DataFrame:
    if complaint is not None:
        return table[table["complaint"] == complaint]
    return table[table["source_file"].astype(str) == file]


def test_every_row_of_a_complaint_with_a_rape_is_withheld_even_across_files(table, categories):
    published = publish.incident_table(table, privacy.block_positions(table))
    for complaint in ("15-000001", "15-000002"):  # the rape row of 15-000002 comes in the next month's file
        rows = published[published["complaint"] == complaint]
        assert len(rows) >= 2 and rows["category"].astype(str).isin(["rape"]).any()
        assert (rows["location_status"] == "withheld").all()
        assert rows["block"].isna().all() and rows["latitude"].isna().all() and rows["longitude"].isna().all()
    robbery = published[
        (published["complaint"] == "15-000002") & (published["source_file"] == "legacy_2015/march2015.csv")
    ]
    assert len(robbery) == 1  # the file itself shows no rape: only the cross-file rule withholds it
    assert (published.loc[published["complaint"] == "15-000003", "location_status"] == "ok").all()
    assert len(published) == len(table)  # withheld rows stay in every count


def test_rows_without_a_complaint_are_one_incident_at_the_same_time_and_place(table):
    old = publish.incident_table(table, privacy.block_positions(table))
    old = old[old["source_file"] == "legacy_2013/march2013.csv"].set_index("source_line")
    assert list(old["location_status"].astype(str)) == ["withheld", "withheld", "ok"]
    assert old.loc[4, "block"] == "5100 block S BROADWAY"


def test_a_nibrs_fondling_withholds_the_counted_assault_of_its_incident(table):
    nibrs = table[table["era"] == "nibrs"]
    assert not nibrs["category"].astype(str).isin(["sex-offenses"]).any()  # 11D is not a counted unit...
    assault = nibrs[nibrs["complaint"].str.strip() == "24-000100"]
    assert len(assault) == 1 and assault["sexual_incident"].all()  # ...but its incident's assault is withheld
    other = nibrs[nibrs["complaint"].str.strip() == "24-000101"]
    assert not other["sexual_incident"].any()


def test_a_block_position_leaves_withheld_rows_out_so_map_and_downloads_agree(table, categories):
    positions = privacy.block_positions(table)
    block = "5100 block S BROADWAY"
    located = table[(table["block"] == block) & ~table["sexual_incident"] & (table["location_status"] == "ok")]
    assert len(located) == 3 and table[(table["block"] == block) & table["sexual_incident"]].shape[0] >= 4
    expected = located[["longitude", "latitude"]].mean().round(privacy.POINT_DECIMALS)
    assert positions.loc[block, "longitude"] == expected["longitude"]
    assert positions.loc[block, "latitude"] == expected["latitude"]
    published = publish.incident_table(table, positions)
    shown = published[published["block"] == block][["longitude", "latitude"]].drop_duplicates()
    assert shown.to_numpy().tolist() == [[expected["longitude"], expected["latitude"]]]


def test_a_row_without_a_usable_block_gets_no_position():
    frame = pd.DataFrame(
        {
            "block": pd.Series(["100 block A ST", geo.UNKNOWN_BLOCK, None], dtype="string"),
            "location_status": pd.Categorical(["ok", "ok", "ok"]),
            "sexual_incident": [False, False, False],
            "longitude": [-90.2, -90.25, -90.3],
            "latitude": [38.6, 38.61, 38.62],
        }
    )
    longitude, latitude = privacy.published_positions(frame, privacy.block_positions(frame))
    assert longitude.tolist()[0] == -90.2 and longitude.iloc[1:].isna().all() and latitude.iloc[1:].isna().all()


@pytest.mark.parametrize(
    ("number", "street", "label"),
    [
        ("", "3712A MAIN ST", "3700 block MAIN ST"),
        ("", "#3712 MAIN ST", "3700 block MAIN ST"),
        ("", "S BROADWAY 3712", "3700 block S BROADWAY"),
        ("", "APT 2, 3712 MAIN ST", "3700 block MAIN ST"),
        ("", "UNIT 3712 MAIN ST", geo.UNKNOWN_BLOCK),
        ("", "1201-1249 N GRAND BLVD", "1200 block N GRAND BLVD"),
        ("", "３７１２ MAIN ST", "3700 block MAIN ST"),  # full-width digits
        ("", "12 MAIN ST", "0 block MAIN ST"),
        ("0", "XY(90289785,101148263)", geo.UNKNOWN_BLOCK),  # real legacy street fields
        ("0", "(90289785,101148263)", geo.UNKNOWN_BLOCK),
        ("0", "@WILLMORE PARK : XY(87749513,9", geo.UNKNOWN_BLOCK),
        ("0", "UNKNOWN 20-050582", geo.UNKNOWN_BLOCK),
        ("1515A", "S 7TH ST", "1500 block S 7TH ST"),
        ("ABC", "S 7TH ST", geo.UNKNOWN_BLOCK),
        ("0", "270 / RIVERVIEW DR", "270 / RIVERVIEW DR"),
        ("0", "70 E / N BROADWAY", "70 E / N BROADWAY"),
        ("", "620 S TAYLOR AVE", "600 block S TAYLOR AVE"),
        ("0", "I 44 WESTBOUND / S.7TH ST", "I 44 WESTBOUND / S.7TH ST"),
        ("0", "EUCLID APT 412", "EUCLID"),
    ],
)
def test_block_labels_are_built_from_parsed_parts(number, street, label):
    built = geo.to_block(pd.Series([number], dtype="string"), pd.Series([street], dtype="string"))
    assert built.tolist() == [label]
    assert privacy_scan.LABEL.fullmatch(label)


def test_the_scan_finds_each_class_of_leak_in_a_made_up_site(tmp_path):
    """The scan itself can fail: a site that publishes a house number, a fine coordinate, a state-plane pair and
    a withheld incident's block is caught on each."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "march2015.csv").write_text(
        (PRIVACY / "legacy_2015" / "march2015.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    site, build = tmp_path / "site", tmp_path / "build"
    (site / "downloads").mkdir(parents=True)
    (build / "docs").mkdir(parents=True)
    header = "source_file,source_line,complaint,block,latitude,longitude,location_status\n"
    rows = (
        header
        + "march2015.csv,3,15-000001,5100 block S BROADWAY,38.5712,-90.25,ok\n"
        + "march2015.csv,5,15-000003,5105 S BROADWAY,38.571,-90.25,ok\n"
        + "march2015.csv,5,15-000003,XY(90289785,101148263),,,ok\n"
    )
    # published as the site publishes the incident table: a gzip CSV per year, which the scan must decompress
    (site / "downloads" / "incidents-2015.csv.gz").write_bytes(gzip.compress(rows.encode("utf-8"), mtime=0))
    (build / "docs" / "page.md").write_text("at 894672.5 and 995003\n", encoding="utf-8")
    leaks = privacy_scan.scan(build, site, raw, [])
    assert leaks["house number"] and leaks["fine coordinate"] and leaks["block label"]
    assert leaks["state-plane figure"] and leaks["withheld incident located"]


def test_no_published_byte_of_the_real_site_locates_a_withheld_incident_or_an_address(real_site, site_config):
    """The real site as `make site` builds it: every SLMPD file in data/raw/, the City's places."""
    build_dir, site_dir = real_site
    places = site_config.places
    boundaries = [places.neighborhood_boundaries, places.district_boundaries]
    leaks = privacy_scan.scan(build_dir, site_dir, site_config.raw_dir, boundaries)
    assert {kind: found[:5] for kind, found in leaks.items() if found} == {}
