"""crimesite.build's stages: the cache is passed in and pruned only as a step of a build that succeeded, nothing is
written to a cache when there is none, only the read stage reads input files, and the site's date is the data's
last month."""

from __future__ import annotations

import builtins
import calendar
import io
from dataclasses import replace
from pathlib import Path

import pytest

from crimesite import build, metrics, output, paths
from crimesite.cache import Cache
from tests.conftest import FIXTURES

RAW = [FIXTURES / "legacy", FIXTURES / "nibrs"]


def stale_entry(cache_dir: Path) -> Path:
    """An entry of another code version, as an older build leaves it."""
    entry = cache_dir / "content" / "0123456789abcdef" / "svg" / "old.svg"
    entry.parent.mkdir(parents=True)
    entry.write_text("<svg/>", encoding="utf-8")
    return entry


def test_a_cache_is_pruned_only_once_the_build_succeeds(tmp_path, fixture_places_config):
    cache_dir = tmp_path / "cache"
    entry = stale_entry(cache_dir)
    assert Cache.at(cache_dir).folder.parent == entry.parents[2]
    assert entry.exists()  # making the cache removes nothing
    broken = replace(fixture_places_config, claims=tmp_path / "claims.csv")  # no such file: the read stage fails
    with pytest.raises(FileNotFoundError):
        build.run(RAW, tmp_path / "build", None, config=broken, cache_dir=cache_dir)
    assert entry.exists()
    build.run(RAW, tmp_path / "build", None, config=fixture_places_config, cache_dir=cache_dir)
    assert not entry.parents[1].exists()  # the other version's folder is gone ...
    current = Cache.at(cache_dir).folder
    assert [folder.name for folder in (cache_dir / "content").iterdir()] == [current.name]
    assert any(current.joinpath("rows").glob("*.arrow"))  # ... and this build's entries are kept


def test_a_build_without_a_cache_writes_no_cache(tmp_path, fixture_places_config, monkeypatch):
    cache_dir = tmp_path / "default-cache"
    monkeypatch.setattr(paths, "CACHE_DIR", cache_dir)
    build.run(RAW, tmp_path / "build", None, config=fixture_places_config, cache_dir=None)
    assert not cache_dir.exists()
    assert (tmp_path / "build" / "docs" / output.VENDOR_BUNDLE).stat().st_size > 100_000


def test_the_vega_bundle_is_kept_only_in_the_folder_given(tmp_path):
    made = output.vega_bundle(None)
    assert list(tmp_path.iterdir()) == []
    assert output.vega_bundle(tmp_path) == made
    assert [path.name.startswith("vega-bundle-") for path in tmp_path.iterdir()] == [True]


def test_only_the_read_stage_opens_files(fixture_places_config, monkeypatch):
    config = fixture_places_config
    files = build.sources.discover(RAW)
    inputs = build.read(files, config, Cache.at(None))
    assert inputs.places.listed and inputs.places.district_shapes and inputs.claims

    def refused(*args, **kwargs):
        raise AssertionError(f"a file was opened after the read stage: {args[:1]}")

    monkeypatch.setattr(builtins, "open", refused)
    monkeypatch.setattr(io, "open", refused)
    table, cover = build.validate(inputs, config)
    history = build.release_revisions(inputs.loaded.history, inputs.categories, config, inputs.loaded.files)
    data = build.site_data(config, inputs, table, cover, history)
    assert data.places.geography.neighborhood_shapes is inputs.places.neighborhood_shapes
    assert len(data.claims) == len(inputs.claims)


def test_the_site_date_is_the_first_day_of_the_last_month():
    cover = metrics.coverage({"2023-11", "2024-01", "2024-03"}, None)
    assert build.source_date_epoch(cover.last) == calendar.timegm((2024, 3, 1, 0, 0, 0))
    with pytest.raises(ValueError, match="not a month"):
        build.source_date_epoch("March 2024")


def test_kept_docs_give_the_site_its_date_from_their_stamp(tmp_path, fixture_places_config, monkeypatch):
    build_dir = tmp_path / "build"
    build.run(RAW, build_dir, None, config=fixture_places_config, cache_dir=None)
    assert output.read_stamp(build_dir / output.LAST_MONTH) == "2024-02"
    dates = []
    monkeypatch.setattr(output, "build_site", lambda docs, site, epoch: dates.append((docs, epoch)))
    timings = build.run(RAW, build_dir, tmp_path / "site", config=fixture_places_config, cache_dir=None)
    assert "read" not in timings.stages  # the input is unchanged: the docs are kept as they are
    assert dates == [(build_dir, calendar.timegm((2024, 2, 1, 0, 0, 0)))]
