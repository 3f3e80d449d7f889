import dataclasses
from pathlib import Path

import pytest
import yaml

from crimesite import config, paths


def test_the_repository_config_loads(site_config):
    assert site_config.city == "St. Louis"
    assert site_config.raw_dir == paths.ROOT / "data" / "raw"
    assert site_config.geography.source_crs == "ESRI:102696"


def test_unknown_keys_are_rejected():
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    data["colour"] = "blue"
    with pytest.raises(ValueError, match=r"unknown key.*colour"):
        config.parse_config(data, paths.ROOT)
    data.pop("colour")
    data["geography"]["projection"] = "x"
    with pytest.raises(ValueError, match=r"unknown key.*geography.*projection"):
        config.parse_config(data, paths.ROOT)


def test_missing_keys_are_rejected():
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    del data["city"]
    with pytest.raises(ValueError, match=r"missing key.*city"):
        config.parse_config(data, paths.ROOT)


def test_bounds_must_be_a_box():
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    data["geography"]["bounds"] = [-90.16, 38.53, -90.33, 38.78]
    with pytest.raises(ValueError, match="bounds"):
        config.parse_config(data, paths.ROOT)


def test_the_slmpd_reader_needs_a_methods_break_and_no_csv_mapping(site_config):
    assert site_config.reader.format == "slmpd" and site_config.reader.csv is None
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    data["methods_break"] = None
    with pytest.raises(ValueError, match="methods_break is needed"):
        config.parse_config(data, paths.ROOT)
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    data["reader"]["csv"] = {"era": "ucr"}
    with pytest.raises(ValueError, match=r"reader\.csv is only read"):
        config.parse_config(data, paths.ROOT)
    data["reader"] = {"format": "slmpd", "columns": {}}
    with pytest.raises(ValueError, match=r"unknown key.*reader.*columns"):
        config.parse_config(data, paths.ROOT)


def repository_data() -> dict:
    return yaml.safe_load(paths.SITE_CONFIG.read_text())


def test_the_unknown_keys_of_a_list_entry_are_named_once_with_the_section():
    data = repository_data()
    data["fetch"]["files"][0] |= {"mirror": "x", "checksum": "y"}
    with pytest.raises(ValueError) as caught:
        config.parse_config(data, paths.ROOT)
    assert str(caught.value) == "site config: unknown key(s) in fetch.files: checksum, mirror"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["places"].update(population_year="soon"), "site config: places.population_year is wrong: "),
        (lambda d: d.update(geography="x"), "site config: geography must be a mapping"),
        (lambda d: d.update(goals={"a": 1}), "site config: goals must be a list"),
        (lambda d: d.update(methods_break="2021-13"), "site config: methods_break must be a month as YYYY-MM"),
        (lambda d: d["places"].update(min_population=-1), "site config: places.min_population must be 0 or more"),
        (lambda d: d["goals"][0].update(said_on_approximate="yes"), "site config: goals.said_on_approximate must be"),
        (lambda d: d.update(other_sources=d["other_sources"] * 2), "site config: other_sources must list at most one"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_key(change, message):
    data = repository_data()
    change(data)
    with pytest.raises(ValueError) as caught:
        config.parse_config(data, paths.ROOT)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_paths_are_read_from_the_folder_of_site_yml():
    data = repository_data()
    data["places"]["neighborhood_table"] = ""
    loaded = config.parse_config(data, Path("/fork"))
    assert loaded.raw_dir == Path("/fork/data/raw")
    assert loaded.places.neighborhood_boundaries == Path("/fork/data/reference/neighborhoods.geojson")
    assert loaded.places.neighborhood_table is None, "a blank path is not configured"
    assert loaded.fetch.folder == Path("/fork/data")


def test_optional_keys_take_their_defaults():
    data = repository_data()
    for key in ("max_file_mb", "max_gzip_ratio"):
        del data["reader"][key]
    del data["geography"]["city_limits"]
    data["fetch"]["listing"]["pins"] = None
    goal = data["goals"][0]
    for key in ("said_on", "said_on_approximate", "source"):
        del goal[key]
    loaded = config.parse_config(data, paths.ROOT)
    assert loaded.geography.city_limits is None and loaded.fetch.listing.pins == ()
    assert (loaded.goals[0].said_on, loaded.goals[0].said_on_approximate, loaded.goals[0].source) == ("", False, "")


def test_a_config_changed_by_hand_is_checked_too(site_config):
    with pytest.raises(ValueError, match=r"geography\.bounds must be \[west, south, east, north\]"):
        dataclasses.replace(site_config.geography, bounds=(-90.16, 38.53, -90.33, 38.78))
    with pytest.raises(ValueError, match="methods_break is needed"):
        dataclasses.replace(site_config, methods_break=None)
