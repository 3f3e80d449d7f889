"""The per-file cache: a table read through it is the same, cold, warm or partly warm, and it never serves stale
or damaged rows."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from crimesite import cache, sources
from crimesite.cache import Cache
from tests.conftest import FIXTURES


def read(folders, context, store):
    return sources.load(sources.discover(folders), context, store)


@pytest.fixture
def copied(tmp_path):
    """The legacy and NIBRS fixture files in a folder the test may change."""
    for kind in ("legacy", "nibrs"):
        shutil.copytree(FIXTURES / kind, tmp_path / "raw" / kind)
    return tmp_path / "raw"


def assert_same(left, right):
    pd.testing.assert_frame_equal(left[0], right[0])
    assert left[1] == right[1]


def test_cold_warm_and_partly_warm_reads_are_identical(copied, context, tmp_path):
    uncached = read([copied], context, None)
    store = Cache.at(tmp_path / "cache")
    cold = read([copied], context, store)
    entries = sorted(store.folder.joinpath("rows").glob("*.arrow"))
    legacy_files = [raw for raw in sources.discover([copied]) if raw.name.startswith("legacy/")]
    assert len(entries) == len(legacy_files) > 3  # one entry per legacy file; NIBRS releases are read together
    warm = read([copied], context, store)
    entries[0].unlink()
    entries[1].write_bytes(b"not an arrow file")  # damaged: read again, not trusted
    partly = read([copied], context, store)
    for other in (cold, warm, partly):
        assert_same(uncached, other)
    assert uncached[0]["source_file"].cat.categories.is_monotonic_increasing


def test_a_changed_file_is_read_again(copied, context, tmp_path):
    store = Cache.at(tmp_path / "cache")
    before, _ = read([copied], context, store)
    target = next(p for p in sorted((copied / "legacy").iterdir()) if p.suffix == ".csv")
    lines = target.read_bytes().splitlines(keepends=True)
    target.write_bytes(b"".join(lines[:-1]))  # the last row is gone
    after, _ = read([copied], context, store)
    name = f"legacy/{target.name}"
    assert (after["source_file"] == name).sum() == (before["source_file"] == name).sum() - 1
    assert_same(read([copied], context, None), (after, _))


def test_the_key_covers_code_and_settings(context, tmp_path, monkeypatch):
    store = Cache.at(tmp_path)
    assert store.key("rows", "a.csv", "abc", repr(context)) != store.key("rows", "a.csv", "abd", repr(context))
    assert store.key("rows", "a.csv", "abc", "x") != store.key("rows", "b.csv", "abc", "x")
    store.write_text("svg", "k", ".svg", "<svg/>")
    monkeypatch.setattr(cache.importlib.metadata, "version", lambda name: "0-other")
    other = Cache.at(tmp_path)
    assert other.salt != store.salt  # another library version: every entry misses
    assert other.folder.parent == store.folder.parent
    assert Cache.at(None).folder is None


def test_a_cache_is_pruned_only_when_asked(tmp_path, monkeypatch):
    old = Cache.at(tmp_path)
    old.write_text("svg", "k", ".svg", "<svg/>")
    monkeypatch.setattr(cache.importlib.metadata, "version", lambda name: "0-other")
    current = Cache.at(tmp_path)
    current.write_text("svg", "k", ".svg", "<svg/>")
    assert old.read_text("svg", "k", ".svg") == "<svg/>"  # making a cache removes nothing
    assert current.prune() == [old.folder]
    assert not old.folder.exists() and current.read_text("svg", "k", ".svg") == "<svg/>"
    assert Cache.at(None).prune() == []


def test_one_fingerprint_covers_code_and_library_versions(monkeypatch):
    assert set(cache.RESULT_LIBRARIES) <= set(cache.OUTPUT_LIBRARIES)  # a cached result is part of the output
    before = cache.code_fingerprint()
    monkeypatch.setattr(cache.importlib.metadata, "version", lambda name: "0-other")
    assert cache.code_fingerprint() != before
    assert cache.library_versions(("pandas", "altair")) == {"pandas": "0-other", "altair": "0-other"}


def test_nibrs_releases_are_kept_split_into_rows(copied, context, tmp_path):
    store = Cache.at(tmp_path / "cache")
    cold = read([copied], context, store)
    nibrs_files = [raw for raw in sources.discover([copied]) if raw.name.startswith("nibrs/")]
    assert len(list(store.folder.joinpath("prepared").glob("*.arrow"))) == len(nibrs_files) > 1
    warm = read([copied], context, store)
    assert_same(cold, warm)
    assert_same(read([copied], context, None), warm)
