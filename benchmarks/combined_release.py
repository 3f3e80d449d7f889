#!/usr/bin/env python3
"""Measure what SLMPD's combined 2021-2023 release adds to the data stage (figures only: nothing passes or fails).

We have no copy of the real file (about 41 MB, 180,000 rows): synthetic.combined_release writes one at that size
in the form of an early NIBRS release, and synthetic.resent_release a 2024 release that re-sends some of its 2023
incidents, changed. Each run is a data-only build (build.run with site_dir=None: every stage before MkDocs) in a
fresh process with an empty cache:
  a. the real files in data/raw/ alone (legacy 2008-2020, NIBRS January to April 2024);
  b. the same with the combined release and the re-sending release beside them.
For each: the data stage, the read stage (every reader, the newest-version rule included), and the peak memory of
the build process; then what b adds to a. Target: data stage < 10 s at 1x (benchmarks/build.py's), here with
the real files as well. The generated files are kept in benchmarks/output/combined/ (never in data/raw/).

example:
  python benchmarks/combined_release.py              # scale 1: 180,000 rows
  python benchmarks/combined_release.py --scale 0.1 --repeats 1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import astuple, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build  # noqa: E402 (benchmarks/ is not a package)
import synthetic  # noqa: E402

RAW = HERE.parent / "data" / "raw"
OUTPUT = HERE / "output"  # write_combined writes into OUTPUT/combined/


@dataclass(frozen=True)
class DataRun:
    data: float  # s, build.run without MkDocs
    read: float  # s, the read stage
    data_cpu: float  # s, CPU time of every thread in build.run (varies less with the machine's load)
    read_cpu: float
    peak_mib: float  # the build process's peak resident memory


def data_run(raw: list[Path]) -> DataRun:
    """One data-only build of `raw` in a fresh process, with an empty cache."""
    with tempfile.TemporaryDirectory(prefix="bench-combined-") as root:
        args = {"raw": [str(p) for p in raw], "root": root, "cache_dir": str(Path(root) / "cache"), "site": False}
        result, _, _ = build.in_fresh_process("build", args)
    stages, cpu = result["stages"], result["cpu_stages"]
    return DataRun(result["wall"], stages["read"], result["cpu"], cpu["read"], result["self_kib"] / 1024)


def best_run(raw: list[Path], repeats: int) -> DataRun:
    """The fastest of `repeats` runs, figure by figure (a busy machine only slows a run down); the highest peak."""
    runs = [data_run(raw) for _ in range(repeats)]
    return DataRun(
        min(run.data for run in runs),
        min(run.read for run in runs),
        min(run.data_cpu for run in runs),
        min(run.read_cpu for run in runs),
        max(run.peak_mib for run in runs),
    )


def write_release(folder: Path, seed: int, scale: float) -> tuple[dict[str, int], float]:
    """The combined release and the re-sending one in folder/combined; their data rows, and the seconds taken."""
    start = time.perf_counter()
    written = synthetic.write_combined(folder, seed, scale)
    return written, time.perf_counter() - start


def print_run(title: str, run: DataRun, sign: str = "") -> None:
    data, read = f"{run.data:{sign}6.2f} s (cpu {run.data_cpu:{sign}6.2f} s)", f"{run.read:{sign}6.2f} s (cpu "
    read += f"{run.read_cpu:{sign}6.2f} s)"
    print(f"  {title:38s} data stage {data}   read {read}   peak {run.peak_mib:{sign}6,.0f} MB")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 180,000 rows (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2024, help="the synthetic data's seed (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each build, the fastest kept (default: 2)")
    args = parser.parse_args(argv)
    written, seconds = write_release(OUTPUT, args.seed, args.scale)
    folder = OUTPUT / "combined"
    for name, rows in written.items():
        size = (folder / name).stat().st_size
        print(f"{name}: {rows:,} rows, {size / 1e6:.1f} MB ({size / build.MIB:.1f} MiB)")
    print(f"generated in {seconds:.1f} s into {folder.relative_to(HERE.parent)}", flush=True)
    alone = best_run([RAW], args.repeats)
    both = best_run([RAW, folder], args.repeats)
    print(f"data-only builds, fresh process, empty cache, best of {args.repeats}:")
    print_run("data/raw alone", alone)
    print_run(f"data/raw + {synthetic.COMBINED_NAME} + re-sends", both)
    added = DataRun(*(b - a for a, b in zip(astuple(alone), astuple(both), strict=True)))
    print_run("added by the combined release", added, "+")
    target = build.TARGETS["data_1x"]
    print(f"target: data stage < {target:g} s at 1x; with the combined release: {both.data:.2f} s")
    print("Figures vary with the machine's load.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
