"""The legacy reader on one fixture per format variant seen in the real files."""

from __future__ import annotations

import gzip
import inspect
import shutil
from pathlib import Path

import pandas as pd
import pytest

from crimesite import config, geo, sources
from crimesite.errors import DataError
from crimesite.inputs import FileInfo
from crimesite.sources import generic_csv, slmpd_legacy, slmpd_nibrs
from crimesite.sources.common import FormatReader
from tests.conftest import FIXTURES

LEGACY = FIXTURES / "legacy"


def load(paths: list[Path], context) -> tuple[pd.DataFrame, list[FileInfo]]:
    return sources.load(sources.discover(paths), context)


def totals(table: pd.DataFrame) -> dict[tuple[str, str], int]:
    month = table["year"].astype(str) + "-" + table["month"].astype(int).map("{:02d}".format)
    sums = table.groupby([month, table["category"].astype(str)])["count"].sum()
    return {key: int(value) for key, value in sums.items() if value != 0}


@pytest.fixture(scope="module")
def fixture_table(context):
    return load([LEGACY], context)


def test_every_variant_is_read_and_counted_by_summing_count(fixture_table):
    table, infos = fixture_table
    assert {info.layout for info in infos} == {
        "18 columns (2008 to May 2013)",
        "20 columns (June 2013 on)",
        "26 columns (May 2017)",
    }
    # Counted by hand from the fixture files: identical rows are two victims or two vehicles,
    # -1 rows subtract, and a reclassified assault moves from aggravated assault to homicide.
    assert totals(table) == {
        ("2013-04", "homicide"): 3,
        ("2013-04", "aggravated-assault"): -1,
        ("2013-04", "larceny"): 1,
        ("2013-04", "burglary"): -1,
        ("2013-04", "sex-offenses"): 1,
        ("2014-02", "robbery"): 1,
        ("2014-02", "vehicle-theft"): 2,
        ("2014-02", "vandalism"): 1,
        ("2014-02", "aggravated-assault"): 1,
        ("2015-07", "aggravated-assault"): 1,
        ("2015-07", "larceny"): 1,
        ("2015-07", "homicide"): 1,
        ("2017-05", "all-other"): 1,
        ("2017-05", "homicide"): 1,
        ("2017-05", "rape"): 1,
    }
    assert len(table) == 7 + 5 + 3 + 3  # rows in the four files


def row(table: pd.DataFrame, file_start: str, line: int) -> pd.Series:
    match = table[table["source_file"].astype(str).str.startswith(file_start) & (table["source_line"] == line)]
    assert len(match) == 1
    return match.iloc[0]


def test_crime_codes_get_their_leading_zero_back_even_when_space_padded(fixture_table):
    table, _ = fixture_table
    homicide = row(table, "april2013", 2)
    assert homicide["crime_code"] == "010000"
    assert homicide["ucr_class"] == 1 and homicide["part"] == 1
    quoted = row(table, "april2013", 6)
    assert quoted["crime_code"] == "067601"
    assert quoted["description"] == "LARCENY-FROM BUILDING $500 - $24,999"


def test_flags_written_as_a_single_space_are_false(fixture_table):
    table, _ = fixture_table
    reclassified = row(table, "april2013", 4)
    assert reclassified["count"] == -1
    assert not reclassified["flag_new"] and not reclassified["flag_unfounded"]
    assert reclassified["flag_administrative"]
    unfounded = row(table, "april2013", 7)
    assert unfounded["flag_unfounded"] and unfounded["count"] == -1


def test_unknown_places_and_coordinates_are_kept_and_marked(fixture_table):
    table, _ = fixture_table
    intersection = row(table, "april2013", 7)
    assert pd.isna(intersection["neighborhood"])
    assert intersection["location_status"] == "missing"
    assert pd.isna(intersection["latitude"])
    assert intersection["block"] == "OLIVE ST / 14TH ST"  # an intersection is kept as written
    outside = row(table, "february2014", 5)
    assert outside["location_status"] == "outside_bounds"
    assert pd.isna(outside["district"])
    blank = row(table, "february2014", 6)
    assert blank["location_status"] == "missing"


def test_state_plane_feet_become_wgs84_inside_the_city(fixture_table):
    table, _ = fixture_table
    located = table[table["location_status"] == "ok"]
    assert located["latitude"].between(38.53, 38.78).all()
    assert located["longitude"].between(-90.33, -90.16).all()
    # 1400 Morrison Ln (State Plane 904294.5, 1013566) is in the Soulard area, about 38.61 N, 90.20 W.
    morrison = row(table, "april2013", 2)
    assert morrison["latitude"] == pytest.approx(38.611, abs=0.01)
    assert morrison["longitude"] == pytest.approx(-90.206, abs=0.01)


def test_addresses_are_generalised_to_the_block(fixture_table):
    table, _ = fixture_table
    assert row(table, "february2014", 2)["block"] == "3700 block S BROADWAY"
    assert row(table, "may2017", 2)["block"] == "1700 block HAMILTON AVE"


def test_both_date_forms_and_placeholders(fixture_table):
    table, _ = fixture_table
    assert row(table, "february2014", 2)["occurred_at"] == pd.Timestamp("2014-02-03 08:05")
    assert row(table, "april2013", 2)["occurred_at"] == pd.Timestamp("2013-04-02 10:15")
    placeholder = row(table, "april2013", 8)
    assert placeholder["occurred_status"] == "placeholder" and pd.isna(placeholder["occurred_at"])
    later = row(table, "february2014", 5)
    assert later["occurred_status"] == "after_counting_month"
    assert row(table, "february2014", 6)["occurred_status"] == "missing"


def test_padded_text_is_trimmed(fixture_table):
    table, _ = fixture_table
    padded = row(table, "may2017", 2)
    assert padded["description"] == "LEAVING SCENE OF ACCIDENT"
    assert padded["complaint"] == "17-022207"


def test_bom_cp1252_and_mixed_newlines_keep_true_line_numbers(fixture_table):
    table, infos = fixture_table
    info = next(i for i in infos if i.name.startswith("july2015"))
    assert info.had_bom and info.cp1252_bytes == 1
    assert info.rows == 3  # the blank line is not a row
    homicide = row(table, "july2015", 5)  # after a blank line 4
    assert homicide["category"] == "homicide"


def test_a_gzipped_copy_reads_the_same(tmp_path, context):
    original = LEGACY / "april2013_18_columns.csv"
    packed = tmp_path / "april2013.csv.gz"
    packed.write_bytes(gzip.compress(original.read_bytes(), mtime=0))
    plain, _ = load([original], context)
    zipped, _ = load([packed], context)
    columns = [c for c in plain.columns if c != "source_file"]
    pd.testing.assert_frame_equal(plain[columns], zipped[columns])


def test_only_csv_files_are_read(tmp_path, context):
    shutil.copy(LEGACY / "may2017_26_columns.csv", tmp_path / "may2017.CSV")
    (tmp_path / "notes.txt").write_text("not data")
    (tmp_path / "manifest.json").write_text("{}")
    found = sources.discover([tmp_path])
    assert [raw.name for raw in found] == ["may2017.CSV"]


def test_the_same_file_twice_would_double_count_and_is_refused(tmp_path, context):
    shutil.copy(LEGACY / "may2017_26_columns.csv", tmp_path / "may2017.csv")
    shutil.copy(LEGACY / "may2017_26_columns.csv", tmp_path / "may2017-copy.csv")
    with pytest.raises(DataError) as caught:
        load([tmp_path], context)
    assert any("same content" in str(problem) for problem in caught.value.problems)


def test_one_coded_month_in_two_files_is_refused(tmp_path, context):
    text = (LEGACY / "may2017_26_columns.csv").read_text()
    (tmp_path / "may2017.csv").write_text(text)
    (tmp_path / "may2017-resent.csv").write_text(text.replace("17-022207", "17-999999"))
    with pytest.raises(DataError) as caught:
        load([tmp_path], context)
    messages = [str(problem) for problem in caught.value.problems]
    assert len(messages) == 1
    assert "2017-05 is also in may2017-resent.csv" in messages[0] or "2017-05 is also in may2017.csv" in messages[0]


def test_legacy_firearm_comes_from_the_description(fixture_table):
    table, _ = fixture_table
    assert row(table, "april2013", 4)["firearm"]  # AGG.ASSAULT-FIREARM/CITIZEN ADULT 1ST DEGREE
    assert pd.isna(row(table, "april2013", 2)["firearm"])  # HOMICIDE: the weapon is not said
    from crimesite.sources.slmpd_legacy import firearm_from_description

    flags = firearm_from_description(
        pd.Series(
            [
                "ROBBERY-HIGHWAY  /FIREARM USED/SUCCESSFUL",
                "ROBBERY-HIGHWAY  /STRNGARM/NO INJ/SUCCESS",
                "AGG.ASSAULT-OTH DANG WEP/CTZEN ADLT 3RD DEGREE",
                "LARCENY-FROM MTR VEH UNDER $500",
            ]
        )
    )
    assert flags.tolist() == [True, False, False, pd.NA]


def configured_csv_reader() -> generic_csv.GenericCsvReader:
    forked = config.load_config(FIXTURES / "forkcity" / "site.yml")
    assert forked.reader.csv is not None
    return generic_csv.GenericCsvReader(forked.reader.csv)


@pytest.mark.parametrize("reader", [slmpd_legacy, slmpd_nibrs, configured_csv_reader()], ids=["legacy", "nibrs", "csv"])
def test_each_reader_is_a_format_reader(reader):
    typed: FormatReader = reader  # what a type checker checks; isinstance checks the members are there
    assert isinstance(typed, FormatReader)
    for method in ("detect", "expected_header", "prepare", "to_incidents"):
        wanted = [name for name in inspect.signature(getattr(FormatReader, method)).parameters if name != "self"]
        assert list(inspect.signature(getattr(reader, method)).parameters) == wanted, method
    assert isinstance(reader.FORMAT, str) and isinstance(reader.PER_FILE, bool)


def test_a_module_without_a_member_is_no_format_reader():
    assert not isinstance(geo, FormatReader)


def test_only_nibrs_files_are_read_together():
    assert [reader.PER_FILE for reader in sources.readers(None)] == [True, False]
    assert [reader.PER_FILE for reader in sources.readers(configured_csv_reader().settings)] == [True]


def test_an_unknown_header_names_what_each_reader_tried_reads(tmp_path):
    assert sources.expected_header(sources.readers(None), ["Date"]) == sources.SLMPD_HEADERS
    assert slmpd_legacy.HEADERS in sources.SLMPD_HEADERS and slmpd_nibrs.HEADERS in sources.SLMPD_HEADERS
    [csv_reader] = sources.readers(configured_csv_reader().settings)
    assert sources.expected_header((csv_reader,), ["Date"]).startswith("a header with the columns named in site.yml")
