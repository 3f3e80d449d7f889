"""The sample (scripts/make_sample.py) is reproducible, known to the build by its checksums, and reads cleanly."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from crimesite import build, paths, sources


def test_the_script_writes_exactly_the_files_the_committed_checksums_list(tmp_path):
    listing = tmp_path / "listing.sha256"
    subprocess.run(
        [
            sys.executable,
            str(paths.ROOT / "scripts" / "make_sample.py"),
            "--out",
            str(tmp_path / "raw"),
            "--listing",
            str(listing),
        ],
        check=True,
        capture_output=True,
    )
    assert listing.read_bytes() == paths.SAMPLE_MANIFEST.read_bytes()
    regenerated = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "raw").iterdir()}
    committed = dict(reversed(line.split()) for line in paths.SAMPLE_MANIFEST.read_text().splitlines())
    assert regenerated == committed and len(committed) == 36


def test_the_sample_is_known_as_sample_and_the_real_files_are_not(sample_raw):
    assert build.is_sample(sources.discover([sample_raw]))
    assert not build.is_sample(sources.discover([paths.RAW_DIR]))


def test_the_sample_is_small_and_covers_districts_and_neighborhoods(context, sample_raw):
    size = sum(p.stat().st_size for p in sample_raw.iterdir())
    assert size < 8_000_000
    table, infos = sources.load(sources.discover([sample_raw]), context)
    assert len(infos) == 36
    assert set(table["district"].dropna().astype(int)) == set(range(1, 7))
    assert set(table["neighborhood"].dropna().astype(int)) == set(range(1, 89))
    assert {info.layout for info in infos} == {"20 columns (June 2013 on)", "26 columns (May 2017)"}
    assert any(info.had_bom for info in infos) and any(info.cp1252_bytes for info in infos)
    assert (table["count"] == -1).any()
