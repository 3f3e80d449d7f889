#!/usr/bin/env python3
"""Measure what the revision log adds to a cold build, and print a revision table (figures only: nothing passes
or fails).

A cold build (no cache, no site) of the raw files, with build.run's own stage timings; the time of the part of the
read that walks the releases (slmpd_nibrs.release_history, timed by wrapping it for this run only) and of the
`revisions` stage (revisions.release_counts); then, from that build's downloads/revisions.csv, the counts of the
categories asked for in each month as of each release.

example:
  python benchmarks/revisions.py                                  # data/raw: homicide and larceny
  python benchmarks/revisions.py --categories homicide robbery --raw data/raw/nibrs data/raw/nibrs_2024_03_04
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crimesite import build, paths
from crimesite.sources import slmpd_nibrs


def timed_history(spent: list[float]):
    """slmpd_nibrs.release_history, adding its wall time to `spent`."""
    original = slmpd_nibrs.release_history

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    return wrapper


def revision_table(build_dir: Path, categories: list[str]) -> pd.DataFrame:
    counts = pd.read_csv(build_dir / "docs" / "downloads" / "revisions.csv", dtype={"release": str, "month": str})
    releases = list(dict.fromkeys(counts["release"]))
    chosen = counts[counts["category"].isin(categories)]
    table = chosen.pivot_table(index=["category", "month"], columns="release", values="count", aggfunc="sum")
    return table.reindex(columns=releases).astype("Int64")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw", nargs="+", type=Path, default=[paths.RAW_DIR], help="raw files or folders")
    parser.add_argument("--categories", nargs="+", default=["homicide", "larceny"], help="category slugs to show")
    args = parser.parse_args(argv)
    spent: list[float] = []
    slmpd_nibrs.release_history = timed_history(spent)
    with tempfile.TemporaryDirectory() as folder:
        build_dir = Path(folder) / "build"
        timings = build.run(args.raw, build_dir=build_dir, site_dir=None, cache_dir=None)
        total = sum(timings.stages.values())
        print("stage               seconds")
        for name, seconds in timings.stages.items():
            print(f"{name:<18} {seconds:8.2f}")
        print(f"{'total':<18} {total:8.2f}")
        walk, counts = sum(spent), timings.stages.get("revisions", 0.0)
        print(f"\nrelease walk (inside read)  {walk:6.2f} s")
        print(f"revisions stage             {counts:6.2f} s")
        print(f"added by the revision log   {walk + counts:6.2f} s ({(walk + counts) / total * 100:.1f}% of the build)")
        with pd.option_context("display.width", 160):
            print("\n" + revision_table(build_dir, args.categories).to_string(na_rep="-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
