"""manifest.json read and written, and the bundled sample's listing (crimesite.manifest)."""

from __future__ import annotations

import hashlib
import json

import pytest

from crimesite import manifest
from crimesite.errors import FetchError

ENTRY = manifest.Entry("raw/a.csv", "https://example.org/a.csv", "ab" * 32, 12, "2026-01-05T00:00:00Z", etag='"1"')


def test_a_manifest_reads_back_what_was_written_without_the_empty_fields(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(manifest.manifest_json([ENTRY]), encoding="utf-8")
    assert manifest.read_manifest(path) == {"raw/a.csv": ENTRY}
    written = json.loads(path.read_text(encoding="utf-8"))["files"][0]
    assert set(written) == {*manifest.ENTRY_KEYS, "etag"}


def test_no_manifest_is_no_entries(tmp_path):
    assert manifest.read_manifest(tmp_path / "manifest.json") == {}


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ([{"path": "raw/a.csv"}], "not a fetch manifest (KeyError('url, sha256, bytes, retrieved_at'))"),
        ([ENTRY.to_json(), ENTRY.to_json()], "lists a path twice"),
    ],
)
def test_a_malformed_manifest_stops_the_fetch(tmp_path, files, problem):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"files": files}), encoding="utf-8")
    with pytest.raises(FetchError) as caught:
        manifest.read_manifest(path)
    assert caught.value.problems == [f"{path}: {problem}; fix or remove it"]


def test_the_sample_is_the_listed_files_still_as_listed(tmp_path):
    """A listed file changed since, or one the fetch replaces anyway, is not the sample to remove."""
    same, changed, incoming = tmp_path / "same.csv", tmp_path / "changed.csv", tmp_path / "incoming.csv"
    lines = []
    for path in (same, changed, incoming):
        path.write_text(f"{path.name}\n", encoding="utf-8")
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    (tmp_path / manifest.SAMPLE_LISTING).write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    changed.write_text("edited\n", encoding="utf-8")
    assert manifest.sample_files(tmp_path, {incoming}) == [tmp_path / manifest.SAMPLE_LISTING, same]


def test_a_raw_folder_without_the_listing_holds_no_sample(tmp_path):
    (tmp_path / "january2019.csv").write_text("x\n", encoding="utf-8")
    assert manifest.sample_files(tmp_path, set()) == []
