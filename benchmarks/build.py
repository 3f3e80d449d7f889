#!/usr/bin/env python3
"""Time each build stage on the real SLMPD legacy files and print the figures (no pass/fail).

Targets on the 2-core machine: the data stage (everything before `mkdocs build`) under 10 s for the
144 files (644,056 rows); a second run with unchanged input under 2 s.

The City's neighborhood table and boundaries are read from ../shared/data when they are there (as a
deployment has them after fetch), so the place pages and maps are part of the timing; the page also
prints the heaviest map payload.

example:
  python benchmarks/build.py                       # reads ../shared/data/slmpd/legacy
  python benchmarks/build.py --raw /path/to/files
"""

from __future__ import annotations

import argparse
import logging
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crimesite import build, config, paths

SHARED = paths.ROOT.parent / "shared" / "data"
DEFAULT_RAW = SHARED / "slmpd" / "legacy"
DATA_STAGES = ("discover", "read", "validate", "metrics", "pages+charts", "downloads")


def peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def site_config() -> config.SiteConfig:
    loaded = config.load_config()
    table = SHARED / "reference" / "neighborhoods.csv"
    if not table.is_file():
        return loaded
    geo = SHARED / "geo"
    return config.with_place_files(
        loaded, table, geo / "stl_neighborhoods_88_wgs84.geojson", geo / "slmpd_districts_6_wgs84.geojson"
    )


def timed_run(raw: Path, root: Path) -> tuple[build.Timings, float]:
    start = time.perf_counter()
    timings = build.run([raw], build_dir=root / "build", site_dir=root / "site", config=site_config())
    return timings, time.perf_counter() - start


def map_payloads(site_dir: Path) -> list[tuple[int, str]]:
    """Bytes of map chart specs per page, heaviest first."""
    sizes = []
    for page in site_dir.rglob("index.html"):
        specs = re.findall(r'class="chart-spec">(.*?)</script>', page.read_text(encoding="utf-8"))
        maps = sum(len(spec.encode()) for spec in specs if '"geoshape"' in spec)
        if maps:
            sizes.append((maps, page.parent.relative_to(site_dir).as_posix() or "/"))
    return sorted(sizes, reverse=True)


def print_run(title: str, timings: build.Timings, wall: float) -> None:
    print(f"\n{title}")
    for stage, seconds in timings.stages.items():
        print(f"  {stage:<14} {seconds:7.2f} s")
    data = sum(timings.stages.get(stage, 0.0) for stage in DATA_STAGES)
    print(f"  {'data stage':<14} {data:7.2f} s   (everything before mkdocs build)")
    print(f"  {'total':<14} {wall:7.2f} s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="folder of raw files (default: %(default)s)")
    args = parser.parse_args(argv)
    if not args.raw.is_dir():
        print(f"no such folder: {args.raw}", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        print(f"raw files: {args.raw} ({len(list(args.raw.glob('*')))} files)")
        first, wall = timed_run(args.raw, root)
        print_run("first build (nothing cached)", first, wall)
        second, wall = timed_run(args.raw, root)
        print_run("second build, unchanged input", second, wall)
        pages = list((root / "site").rglob("*.html"))
        size = sum(p.stat().st_size for p in (root / "site").rglob("*") if p.is_file())
        print(f"\nsite: {len(pages)} pages, {size / 1e6:.1f} MB")
        for maps, where in map_payloads(root / "site")[:3]:
            print(f"  map payload {maps / 1000:6.1f} KB  {where}")
        downloads = sorted((root / "site" / "downloads").iterdir(), key=lambda p: -p.stat().st_size)
        print(f"downloads: {sum(p.stat().st_size for p in downloads) / 1e6:.1f} MB in {len(downloads)} files")
        for path in downloads[:4]:
            print(f"  {path.stat().st_size / 1e6:7.1f} MB  {path.name}")
    print(f"peak memory of the build process: {peak_mb(resource.RUSAGE_SELF):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
