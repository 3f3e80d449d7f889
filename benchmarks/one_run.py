#!/usr/bin/env python3
"""One measured run, started by benchmarks/build.py in a fresh process so that its peak memory is its own.

  one_run.py build '{"raw": [...], "root": "...", "cache_dir": "...", "profile": null}'   ("site": false: no MkDocs)
  one_run.py read '{"files": [...], "strings": false}'

The last line printed is a JSON object with the figures; logs go to stderr.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import resource
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def peak_kib(who: int) -> int:
    return resource.getrusage(who).ru_maxrss  # KiB on Linux


def children_cpu() -> float:
    """CPU time of this process's waited-for children (mkdocs build)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def cpu_now() -> tuple[float, float]:
    """CPU time so far of this process's threads and its children (mkdocs build), and of the main thread alone."""
    return time.process_time() + children_cpu(), time.thread_time()


class MemorySampler:
    """Samples, from /proc, this process's resident memory (noting the stage it is in at its highest) and the
    peak (VmHWM) of any child process running `child`.

    ru_maxrss cannot give the child's peak: it counts the memory the child shared with this process between fork
    and exec."""

    def __init__(self, timings, child: str = "mkdocs", interval: float = 0.02) -> None:
        self.timings, self.child, self.interval = timings, child.encode(), interval
        self.child_kib = 0
        self.rss_kib = 0
        self.rss_stage = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            rss = status_kib(Path("/proc/self/status"), "VmRSS:")
            if rss > self.rss_kib:
                self.rss_kib, self.rss_stage = rss, self.timings.current
            for pid in children(os.getpid()):
                try:
                    if self.child not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                except OSError:  # it has just ended
                    continue
                self.child_kib = max(self.child_kib, status_kib(Path(f"/proc/{pid}/status"), "VmHWM:"))


def status_kib(path: Path, field: str) -> int:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(field)), 0)


def children(pid: int) -> list[int]:
    """Every descendant process of pid."""
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            direct = [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in direct:
            found += [child, *children(child)]
    return found


def cpu_timings(build):
    """build.Timings that also keep each stage's CPU time: of every thread and child process, which counts the
    work of a thread that runs beside the stage (the build writes the incident files on one), and of the main
    thread alone, which leaves out the work that native threads do for it (vl-convert's rendering)."""

    class CpuTimings(build.Timings):
        def __init__(self) -> None:
            super().__init__()
            self.cpu: dict[str, float] = {}
            self.main_cpu: dict[str, float] = {}
            self.current = "(before the stages)"

        @contextmanager
        def stage(self, name: str):
            every, main = cpu_now()
            self.current = name
            with super().stage(name):
                yield
            self.current = f"(after {name})"
            every_end, main_end = cpu_now()
            self.cpu[name] = self.cpu.get(name, 0.0) + every_end - every
            self.main_cpu[name] = self.main_cpu.get(name, 0.0) + main_end - main

    return CpuTimings()


def site_config():
    """site.yml, with the City's neighborhood table and boundaries from ../shared/data when they are there (as a
    deployment has them after fetch), so that the place pages and maps are part of the figures."""
    from crimesite import config

    loaded = config.load_config()
    table = SHARED / "reference" / "neighborhoods.csv"
    if not table.is_file():
        return loaded
    geo = SHARED / "geo"
    return config.with_place_files(
        loaded, table, geo / "stl_neighborhoods_88_wgs84.geojson", geo / "slmpd_districts_6_wgs84.geojson"
    )


def run_build(args: dict) -> dict:
    """build.run on the given raw paths into root/build and root/site; the stages' times and the peaks."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    from crimesite import build

    imported = time.perf_counter() - started
    root = Path(args["root"])
    options = {}
    # The content-hash cache (build.run's cache_dir) is used when this version of the build has it.
    if "cache_dir" in inspect.signature(build.run).parameters:
        options["cache_dir"] = Path(args["cache_dir"])
    profiler = None
    if args.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    config = site_config()
    timings = cpu_timings(build)
    start, (cpu_start, _) = time.perf_counter(), cpu_now()
    with MemorySampler(timings) as memory:
        build.run(
            [Path(p) for p in args["raw"]],
            build_dir=root / "build",
            site_dir=root / "site" if args.get("site", True) else None,  # "site": false, the data stage alone
            config=config,
            timings=timings,
            **options,
        )
    wall, cpu = time.perf_counter() - start, cpu_now()[0] - cpu_start
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args["profile"])
    return {
        "stages": timings.stages,
        "cpu_stages": timings.cpu,
        "main_cpu_stages": timings.main_cpu,
        "wall": wall,
        "cpu": cpu,
        "import": imported,
        "cache_dir": "cache_dir" in options,
        "self_kib": peak_kib(resource.RUSAGE_SELF),
        "mkdocs_kib": memory.child_kib,
        "peak_stage": memory.rss_stage,  # where the sampled resident memory was highest
    }


def run_read(args: dict) -> dict:
    """pd.read_csv of each file, default options (or every column as a string); the read floor."""
    import warnings

    import pandas as pd

    options = {"dtype": str, "keep_default_na": False} if args["strings"] else {}
    warnings.simplefilter("ignore")  # mixed-type columns warn at default options
    start, cpu_start = time.perf_counter(), time.process_time()
    rows = 0
    for path in args["files"]:
        # Some legacy files hold stray cp1252 bytes: replacing them is the one change from the defaults.
        rows += len(pd.read_csv(path, encoding_errors="replace", **options))
    return {
        "wall": time.perf_counter() - start,
        "cpu": time.process_time() - cpu_start,
        "rows": rows,
        "self_kib": peak_kib(resource.RUSAGE_SELF),
    }


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    kind, args = argv[0], json.loads(argv[1])
    result = run_build(args) if kind == "build" else run_read(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
