"""The bundled sample is reproducible from its script and reads without a problem."""

from __future__ import annotations

import subprocess
import sys

from crimesite import paths, sources


def test_the_script_writes_exactly_the_committed_sample(tmp_path):
    subprocess.run(
        [sys.executable, str(paths.ROOT / "scripts" / "make_sample.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    committed = {p.name: p.read_bytes() for p in paths.RAW_DIR.iterdir() if p.is_file()}
    regenerated = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(regenerated) == sorted(committed)
    assert all(regenerated[name] == committed[name] for name in committed)


def test_the_sample_is_small_and_covers_districts_and_neighborhoods(context):
    size = sum(p.stat().st_size for p in paths.RAW_DIR.iterdir())
    assert size < 8_000_000
    table, infos = sources.load(sources.discover([paths.RAW_DIR]), context)
    assert len(infos) == 36
    assert set(table["district"].dropna().astype(int)) == set(range(1, 7))
    assert set(table["neighborhood"].dropna().astype(int)) == set(range(1, 89))
    assert {info.layout for info in infos} == {"20 columns (June 2013 on)", "26 columns (May 2017)"}
    assert any(info.had_bom for info in infos) and any(info.cp1252_bytes for info in infos)
    assert (table["count"] == -1).any()
