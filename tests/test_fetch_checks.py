"""What a downloaded file must hold (crimesite.fetch_checks): checked on small files, no server."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from crimesite import fetch_checks, paths, sources, textio

LEGACY = paths.ROOT / "data" / "raw" / "legacy" / "january2019.csv.gz"
LEGACY_HEADER = gzip.decompress(LEGACY.read_bytes()).splitlines()[0]


def expect(folder: Path) -> fetch_checks.Expect:
    return fetch_checks.Expect(folder / "raw", sources.SLMPD_READERS, folder / "table.csv", ("NHD_NUM", "NHD_NAME"))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("table.csv", "table"),
        ("raw/january2019.csv.gz", "incidents"),
        ("raw/nibrs/2024-01.CSV", "incidents"),
        ("reference/areas.GeoJSON", "geojson"),
        ("reference/other.csv", None),
        ("raw/notes.txt", None),
    ],
)
def test_a_destination_says_what_the_file_must_be(tmp_path, name, kind):
    assert fetch_checks.content_kind(tmp_path / name, expect(tmp_path)) == kind


def test_a_destination_of_no_known_kind_cannot_be_checked(tmp_path):
    problem = fetch_checks.kind_problem(tmp_path / "raw" / "notes.txt", expect(tmp_path))
    assert problem is not None and problem.startswith("cannot check what notes.txt should hold: ")
    assert fetch_checks.kind_problem(tmp_path / "raw" / "a.csv", expect(tmp_path)) is None


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("raw/a.csv", b"\xef\xbb\xbf  <!DOCTYPE html><p>Sign in", fetch_checks.WEB_PAGE),
        ("raw/a.csv.gz", gzip.compress(b"<html>"), fetch_checks.WEB_PAGE + " (gzip-compressed)"),
        ("raw/a.csv.gz", b"Complaint\n", "not a readable file (file name ends in .gz but the content is not gzip)"),
        ("raw/a.csv", b"Case,When\n1,2\n", "not a crime file the build can read: its header is 'Case,When'"),
        ("raw/a.csv", LEGACY_HEADER + b"\n", None),
        ("table.csv", b"NHD_NUM,Name\n1,Downtown\n", "the neighborhood table lacks column(s) NHD_NAME: 'NHD_NUM,Name'"),
        ("table.csv", b"NHD_NUM,NHD_NAME\n1,Downtown\n", None),
        ("a.geojson", b'{"type": "Feature"}', "not a GeoJSON FeatureCollection (type 'Feature')"),
        ("a.geojson", b'{"type": "FeatureCollection"}', "a GeoJSON FeatureCollection without a list of features"),
        ("a.geojson", b'{"type": "FeatureCollection", "features": []}', None),
    ],
)
def test_the_content_is_what_its_destination_expects(tmp_path, name, content, problem):
    staged = tmp_path / "staged"
    staged.write_bytes(content)
    assert fetch_checks.content_problem(staged, tmp_path / name, expect(tmp_path)) == problem


def test_a_header_is_read_from_the_first_bytes_only(tmp_path):
    staged = tmp_path / "a.csv.gz"
    staged.write_bytes(gzip.compress(b"x" * (fetch_checks.HEAD_BYTES * 2)))
    assert fetch_checks.read_head(staged, staged.name) == b"x" * fetch_checks.HEAD_BYTES
    with pytest.raises(textio.NotGzipError):
        staged.write_bytes(b"plain")
        fetch_checks.read_head(staged, staged.name)


def test_a_long_header_is_shown_cut():
    shown = fetch_checks.shown(["c" * 150, "d" * 150])
    assert shown == repr("c" * 150 + "," + "d" * 49 + "...")
