#!/usr/bin/env python3
"""Time the cold data stage on the real files: each stage's wall time, CPU time of the whole process (every
thread) and CPU time of the main thread (figures only: nothing passes or fails).

Each run is a fresh build.run into a temporary folder with an empty cache and no MkDocs (site_dir=None), in
this process, so the files are in the OS cache after the first run. With --no-svg the static SVGs are not
drawn (static_charts.render returns a constant for this run only), which leaves the data stage's own work:
reading, validating, counting and building the pages. Several runs print each one and then the lowest of each
figure (the least disturbed by other work on the machine).

example:
  python benchmarks/data_stage.py                     # one cold run of data/raw/, SVGs drawn
  python benchmarks/data_stage.py --runs 3 --no-svg   # three runs without the SVGs, and the lowest figures
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crimesite import build, static_charts


@dataclass
class StageClock(build.Timings):
    """build.Timings that also keeps each stage's CPU time: the process's (all threads) and the main thread's."""

    cpu: dict[str, float] = field(default_factory=dict)
    main_cpu: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        process, thread = time.process_time(), time.thread_time()
        with super().stage(name):
            yield
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - process
        self.main_cpu[name] = self.main_cpu.get(name, 0.0) + time.thread_time() - thread


def cold_run(raw: list[Path] | None) -> tuple[StageClock, float, float]:
    """One build with an empty cache: its stage clock, and the whole run's wall and CPU seconds."""
    clock = StageClock()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        wall, cpu = time.perf_counter(), time.process_time()
        build.run(raw, build_dir=root / "build", site_dir=None, cache_dir=root / "cache", timings=clock)
        return clock, time.perf_counter() - wall, time.process_time() - cpu


def table(clock: StageClock, wall: float, cpu: float) -> str:
    lines = [f"{'stage':14s} {'wall s':>7s} {'CPU s':>7s} {'main s':>7s}"]
    for name, seconds in clock.stages.items():
        lines.append(f"{name:14s} {seconds:7.2f} {clock.cpu.get(name, 0):7.2f} {clock.main_cpu.get(name, 0):7.2f}")
    lines.append(f"{'whole run':14s} {wall:7.2f} {cpu:7.2f}")
    return "\n".join(lines)


def lowest(runs: list[tuple[StageClock, float, float]]) -> tuple[StageClock, float, float]:
    """Each figure's lowest value over the runs."""
    best = StageClock()
    for attribute in ("stages", "cpu", "main_cpu"):
        figures = [getattr(clock, attribute) for clock, _, _ in runs]
        setattr(best, attribute, {name: min(f.get(name, 0.0) for f in figures) for name in figures[0]})
    return best, min(wall for _, wall, _ in runs), min(cpu for _, _, cpu in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="cold runs to make (default 1)")
    parser.add_argument("--no-svg", action="store_true", help="leave the static SVGs out (a constant instead)")
    parser.add_argument("--raw", type=Path, nargs="+", help="raw files or folders (default: site.yml's raw_dir)")
    options = parser.parse_args()
    if options.no_svg:
        static_charts.render = lambda spec, chart_id: "<svg></svg>"
    runs = []
    for number in range(1, options.runs + 1):
        runs.append(cold_run(options.raw))
        print(f"run {number}\n{table(*runs[-1])}\n", flush=True)
    if len(runs) > 1:
        print(f"lowest of {len(runs)} runs\n{table(*lowest(runs))}")


if __name__ == "__main__":
    main()
