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
