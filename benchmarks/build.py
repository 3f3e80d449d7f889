#!/usr/bin/env python3
"""Measure the build at scale and print the figures beside the targets (figures only: nothing passes or fails).

For each scale of synthetic data in the real SLMPD formats (benchmarks/synthetic.py: scale 1 is 650,000 rows,
scale 10 is 6.5 million), or for a folder of real files, every run in a fresh process:
  a. a first build with an empty cache: the data stage (every stage before mkdocs) and `mkdocs build`;
  b. a rebuild with unchanged input;
  c. a rebuild after adding one month (the next NIBRS month at the same scale; with --raw, the file --add names);
  d. the peak memory of each run: the build process, and `mkdocs build` (its child process);
  e. the read floor: pd.read_csv of the same files, default options and all-strings, and the data stage as a
     multiple of it;
  f. page weight: each page's HTML plus the chart files it loads, gzip-compressed (level 6); the Vega bundle,
     the theme's assets and the search index once, apart; and the size of the whole site and of its downloads
     (the bytes of its files, as GitHub Pages counts them against its 1 GB);
  g. scaling: the 10x figures over the 1x figures.

Targets: data stage < 10 s at 1x and <= 4x the read floor; unchanged rebuild < 2 s; add one month < 4 s; 10x
within 16 GB and no worse than linear; the heaviest page (HTML + chart files) < 300 KB compressed; the site
<= 60 MB at 1x and <= 600 MB at 10x. Rebuild
targets are compared with build.run's own time; the runs table also gives the whole process (Python start,
imports), which is what `make site` waits for.

The City's neighborhood table and boundaries are read from ../shared/data when they are there, so the place
pages and maps are part of the figures. Generated data is kept under benchmarks/output/data/ and reused while
the generator and its parameters are unchanged; each scale's figures are saved to
benchmarks/output/bench-<scale>.json, so that a 10x run alone still prints its scaling against the last 1x.

example:
  python benchmarks/build.py                                   # 1x synthetic data
  python benchmarks/build.py --scale 1 10                      # 1x and 10x, and the scaling
  python benchmarks/build.py --raw ../shared/data/slmpd/legacy # real files (--add FILE: a month to add)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402 (benchmarks/ is not a package)

OUTPUT = HERE / "output"
ONE_RUN = HERE / "one_run.py"
MKDOCS = "mkdocs build"
GZIP_LEVEL = 6
MIB = 1024 * 1024
TARGETS = {
    "data_1x": 10.0,  # s
    "floor_multiple": 4.0,
    "unchanged": 2.0,  # s
    "added": 4.0,  # s
    "memory_10x": 16 * 1024,  # MiB
    "page": 300_000,  # bytes, gzip
    "site_1x": 60.0,  # MB (10^6 bytes)
    "site_10x": 600.0,
}


# ---------------------------------------------------------------- one run in a fresh process


@dataclass
class Run:
    stages: dict[str, float]  # wall seconds of each build.Timings stage
    cpu_stages: dict[str, float]  # CPU seconds of each stage: every thread's, and mkdocs' for its own
    main_cpu_stages: dict[str, float]  # ... the main thread's alone
    wall: float  # build.run
    cpu: float  # every thread's and mkdocs'
    process: float  # the whole process: Python start, imports, build.run
    build_mib: float  # peak resident memory of the build process
    mkdocs_mib: float  # ... and of mkdocs build, its child process
    peak_stage: str  # the stage the build process's memory was highest in (sampled)
    cache_dir: bool  # whether build.run took a cache_dir (the content-hash cache)

    @property
    def mkdocs(self) -> float:
        return self.stages.get(MKDOCS, 0.0)

    @property
    def data(self) -> float:
        """Everything in build.run before mkdocs, including what no stage times (writing the docs folder)."""
        return self.wall - self.mkdocs

    @property
    def data_cpu(self) -> float:
        return self.cpu - self.cpu_stages.get(MKDOCS, 0.0)

    @property
    def other_threads_cpu(self) -> float:
        """CPU time of the threads beside the main one during the data stages (incident files, vl-convert, Arrow)."""
        return sum(
            cpu - self.main_cpu_stages.get(stage, 0.0) for stage, cpu in self.cpu_stages.items() if stage != MKDOCS
        )


def in_fresh_process(kind: str, args: dict) -> tuple[dict, float, float]:
    """one_run.py's result, the process's wall time and its peak memory (MiB)."""
    command = [sys.executable, str(ONE_RUN), kind, json.dumps(args)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        # os.wait4 gives this child's own resource usage, so each run's peak is its own.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{kind} run failed (exit {process.returncode}):\n{err.read().decode()[-6000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    return result, wall, usage.ru_maxrss / 1024


def build_run(raw: list[Path], root: Path, profile: Path | None = None) -> Run:
    args = {
        "raw": [str(p) for p in raw],
        "root": str(root),
        "cache_dir": str(root / "cache"),
        "profile": str(profile) if profile else None,
    }
    result, wall, _ = in_fresh_process("build", args)
    return Run(
        stages=result["stages"],
        cpu_stages=result["cpu_stages"],
        wall=result["wall"],
        main_cpu_stages=result["main_cpu_stages"],
        cpu=result["cpu"],
        process=wall,
        build_mib=result["self_kib"] / 1024,
        mkdocs_mib=result["mkdocs_kib"] / 1024,
        peak_stage=result["peak_stage"],
        cache_dir=result["cache_dir"],
    )


@dataclass
class Floor:
    default: float
    strings: float
    default_cpu: float
    strings_cpu: float
    default_mib: float
    strings_mib: float


def read_floor(files: list[Path], repeats: int = 2) -> Floor:
    """The best of `repeats` reads of each kind (each in a fresh process): a busy machine only slows a run down."""
    names = [str(p) for p in files]
    best = {}
    for strings in (False, True):
        tries = [in_fresh_process("read", {"files": names, "strings": strings}) for _ in range(repeats)]
        best[strings] = min(tries, key=lambda attempt: attempt[0]["wall"])
    (default, _, default_mib), (strings, _, strings_mib) = best[False], best[True]
    return Floor(default["wall"], strings["wall"], default["cpu"], strings["cpu"], default_mib, strings_mib)


# ---------------------------------------------------------------- page weight

LOADS = (
    re.compile(r'<(?:script|img|iframe|source|embed)\b[^>]*?\bsrc="([^"]+)"'),
    re.compile(r'<link\b[^>]*?\bhref="([^"]+)"'),
    re.compile(r'<object\b[^>]*?\bdata="([^"]+)"'),
    re.compile(r'\bdata-(?:src|spec|url)="([^"]+)"'),
)
CHART_SPEC = re.compile(r'<script type="application/json" class="chart-spec">(.*?)</script>', re.S)
PAGE_FILES = (".json", ".geojson", ".svg", ".csv", ".topojson")  # chart specs and data a page loads
VEGA_BUNDLE = "assets/vendor/vega-bundle.js"
SEARCH_INDEX = "search/search_index.json"


@dataclass
class Page:
    path: str
    html: int  # gzip bytes
    files: int  # gzip bytes of the chart files it loads
    inline_specs: int  # bytes of inline chart specs, uncompressed (part of the HTML)

    @property
    def total(self) -> int:
        return self.html + self.files


@dataclass
class PageWeights:
    pages: list[Page]
    vega: int
    assets: int  # the theme's and the site's own scripts, styles, fonts and images, each once
    asset_files: int
    search_index: int

    @property
    def heaviest(self) -> Page:
        return self.pages[0]


def gzip_size(path: Path, sizes: dict[Path, int]) -> int:
    if path not in sizes:
        sizes[path] = len(gzip.compress(path.read_bytes(), compresslevel=GZIP_LEVEL))
    return sizes[path]


def loaded_files(page: Path, html: str, site: Path) -> set[Path]:
    """Local files the page loads (scripts, styles, images, chart files), not the pages it links to."""
    found = set()
    for pattern in LOADS:
        for reference in pattern.findall(html):
            if re.match(r"^(?:[a-z]+:|//|#)", reference):
                continue
            reference = reference.split("#")[0].split("?")[0]
            base = site if reference.startswith("/") else page.parent
            target = Path(os.path.normpath(base / reference.lstrip("/")))
            if target.is_file() and target.suffix != ".html":
                found.add(target)
    return found


def page_weights(site: Path) -> PageWeights:
    sizes: dict[Path, int] = {}
    pages, shared = [], set()
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        own = 0
        for target in loaded_files(page, html, site):
            relative = target.relative_to(site).as_posix()
            if target.suffix in PAGE_FILES and not relative.startswith("assets/"):
                own += gzip_size(target, sizes)
            else:
                shared.add(target)
        inline = sum(len(spec.encode()) for spec in CHART_SPEC.findall(html))
        where = page.parent.relative_to(site).as_posix() + "/" if page.name == "index.html" else page.name
        pages.append(Page(where.replace("./", "/"), gzip_size(page, sizes), own, inline))
    vega = site / VEGA_BUNDLE
    others = shared - {vega}
    index = site / SEARCH_INDEX
    return PageWeights(
        pages=sorted(pages, key=lambda p: -p.total),
        vega=gzip_size(vega, sizes) if vega.is_file() else 0,
        assets=sum(gzip_size(p, sizes) for p in others),
        asset_files=len(others),
        search_index=gzip_size(index, sizes) if index.is_file() else 0,
    )


# ---------------------------------------------------------------- one scale


@dataclass
class Figures:
    label: str
    rows: int
    files: int
    input_mb: float
    first: Run
    unchanged: Run
    added: Run | None
    floor: Floor
    weights: PageWeights
    downloads_mb: float
    site_mb: float
    measured_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M"))

    @property
    def floor_multiple(self) -> float:
        return self.first.data / self.floor.default

    @property
    def floor_multiple_cpu(self) -> float:
        return self.first.data_cpu / self.floor.default_cpu


def raw_files(raw: Path) -> list[Path]:
    return sorted(p for p in raw.rglob("*") if p.is_file() and p.name.endswith((".csv", ".CSV", ".csv.gz")))


def measure(label: str, raw: Path, add: Path | None, rows: int, profile: Path | None) -> Figures:
    files = raw_files(raw)
    size = sum(p.stat().st_size for p in files) / 1e6
    counted = f"{rows:,} rows in " if rows else ""
    print(f"\n== {label}: {counted}{len(files)} files ({size:,.0f} MB) from {raw}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        root = Path(tmp)
        first = build_run([raw], root)
        print_run("a. first build (empty cache)", first)
        site = root / "site"
        weights = page_weights(site)
        downloads, whole = folder_mb(site / "downloads"), folder_mb(site)
        unchanged = build_run([raw], root)
        print_run("b. unchanged input", unchanged)
        added = None
        if add is not None:
            added = build_run([raw, add], root)
            print_run("c. one month added", added)
    floor = read_floor(files)
    print(
        f"   e. read floor: pd.read_csv {floor.default:.2f} s (cpu {floor.default_cpu:.2f} s, "
        f"{floor.default_mib:,.0f} MB); all strings {floor.strings:.2f} s (cpu {floor.strings_cpu:.2f} s, "
        f"{floor.strings_mib:,.0f} MB)",
        flush=True,
    )
    if profile is not None:
        with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
            build_run([raw], Path(tmp), profile=profile)
        print_profile(profile)
    return Figures(label, rows, len(files), size, first, unchanged, added, floor, weights, downloads, whole)


def folder_mb(folder: Path) -> float:
    """The bytes of the files under `folder` (`du -sb` adds the directories' own few kB), in MB."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def print_run(title: str, run: Run) -> None:
    print(
        f"   {title:<29} data {run.data:7.2f} s (cpu {run.data_cpu:7.2f} s)  mkdocs {run.mkdocs:6.2f} s  "
        f"process {run.process:7.2f} s  peak {run.build_mib:6,.0f} MB ({where(run.peak_stage)}), mkdocs "
        f"{run.mkdocs_mib:4,.0f} MB",
        flush=True,
    )


def where(stage: str) -> str:
    """'in read', or 'after mkdocs build' for one_run.py's '(after mkdocs build)'."""
    return stage.strip("()") if stage.startswith("(") else f"in {stage}"


def print_profile(path: Path) -> None:
    import pstats

    print(f"\n   profile of one more first build (not timed; {path.relative_to(HERE.parent)}):")
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(r"crimesite", 30)


# ---------------------------------------------------------------- report


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def kilobytes(value: float) -> str:
    return f"{value / 1000:,.1f} KB"


def megabytes(value: float) -> str:
    return f"{value:,.0f} MB" if value < 10_000 else f"{value / 1024:,.1f} GB"


def print_details(f: Figures) -> None:
    """Each stage of runs a and c: wall, CPU of every thread, CPU of the main thread."""
    shown = [("a", f.first), *([("c", f.added)] if f.added else [])]
    heading = "".join(f"  {name}: wall      cpu     main" for name, _ in shown)
    print(f"\n{f.label}: stages{'':<28}{heading}")
    stages = list(dict.fromkeys(stage for _, run in shown for stage in run.stages))
    for stage in stages:
        cells = "".join(
            f"{run.stages.get(stage, 0.0):9.2f}{run.cpu_stages.get(stage, 0.0):9.2f}"
            f"{run.main_cpu_stages.get(stage, 0.0):9.2f}"
            for _, run in shown
        )
        print(f"   {stage:<34}{cells}")
    unstaged = "".join(
        f"{run.data - sum(v for k, v in run.stages.items() if k != MKDOCS):9.2f}{'':18}" for _, run in shown
    )
    print(f"   {'(in no stage: writing build/docs)':<34}{unstaged}")
    print("   (cpu: every thread and mkdocs; main: the main thread alone. The incident files are written on a second")
    print("   thread beside pages+charts; vl-convert renders the static charts on its own threads.)")
    w = f.weights
    print(f"   f. {len(w.pages)} pages; the heaviest by gzip HTML + the chart files it loads:")
    for page in w.pages[:5]:
        print(
            f"   {kilobytes(page.total):>10}  {page.path:<30} HTML {kilobytes(page.html)}, files "
            f"{kilobytes(page.files)}; inline chart specs {kilobytes(page.inline_specs)} uncompressed"
        )
    print(
        f"   loaded once: Vega bundle {kilobytes(w.vega)}, theme and site assets {kilobytes(w.assets)} in "
        f"{w.asset_files} files; search index {kilobytes(w.search_index)} (all gzip)"
    )
    print(f"   site {f.site_mb:,.1f} MB, of which the published downloads {f.downloads_mb:,.1f} MB")


def runs(f: Figures) -> list[Run]:
    return [r for r in (f.first, f.unchanged, f.added) if r is not None]


def build_peak(f: Figures) -> float:
    return max(r.build_mib for r in runs(f))


def both_peak(f: Figures) -> float:
    """The build process stays alive while mkdocs runs: at worst their peaks add up."""
    return max(r.build_mib + r.mkdocs_mib for r in runs(f))


def timed(wall: float, cpu: float) -> str:
    return f"{seconds(wall)} (cpu {seconds(cpu)})"


@dataclass(frozen=True)
class Row:
    """A line of the summary: a figure of each scale and, where a target applies, whether the figure meets it."""

    name: str
    value: Callable[[Figures], str]
    meets: Callable[[Figures], bool | None] = lambda f: None


ROWS = (
    Row(
        "data stage, first build (1x: < 10 s)",
        lambda f: timed(f.first.data, f.first.data_cpu),
        lambda f: f.first.data < TARGETS["data_1x"] if f.label == "1x" else None,
    ),
    Row("read floor: pd.read_csv", lambda f: timed(f.floor.default, f.floor.default_cpu)),
    Row("  ... all strings", lambda f: timed(f.floor.strings, f.floor.strings_cpu)),
    Row(
        "data stage / read floor (<= 4x)",
        lambda f: f"{f.floor_multiple:.1f}x (cpu {f.floor_multiple_cpu:.1f}x)",
        lambda f: f.floor_multiple <= TARGETS["floor_multiple"],
    ),
    Row("mkdocs build, first build", lambda f: timed(f.first.mkdocs, f.first.cpu_stages.get(MKDOCS, 0.0))),
    Row(
        "unchanged rebuild (< 2 s)",
        lambda f: timed(f.unchanged.wall, f.unchanged.cpu),
        lambda f: f.unchanged.wall < TARGETS["unchanged"],
    ),
    Row("  ... whole process", lambda f: seconds(f.unchanged.process)),
    Row(
        "add one month (< 4 s)",
        lambda f: timed(f.added.wall, f.added.cpu) if f.added else "",
        lambda f: f.added.wall < TARGETS["added"] if f.added else None,
    ),
    Row("  ... whole process", lambda f: seconds(f.added.process) if f.added else ""),
    Row("peak memory: build process", lambda f: megabytes(build_peak(f))),
    Row("  ... mkdocs build", lambda f: megabytes(max(r.mkdocs_mib for r in runs(f)))),
    Row(
        "  ... both (10x: within 16 GB)",
        lambda f: megabytes(both_peak(f)),
        lambda f: both_peak(f) <= TARGETS["memory_10x"] if f.label == "10x" else None,
    ),
    Row(
        "site size (1x <= 60 MB, 10x <= 600 MB)",
        lambda f: f"{f.site_mb:,.1f} MB",
        lambda f: f.site_mb <= TARGETS[f"site_{f.label}"] if f"site_{f.label}" in TARGETS else None,
    ),
    Row("  ... downloads", lambda f: f"{f.downloads_mb:,.1f} MB"),
    Row(
        "heaviest page, gzip (< 300 KB)",
        lambda f: kilobytes(f.weights.heaviest.total),
        lambda f: f.weights.heaviest.total < TARGETS["page"],
    ),
)


def cell(row: Row, f: Figures) -> str:
    text = row.value(f)
    meets = row.meets(f) if text else None
    return text if meets is None else f"{text} {'ok' if meets else 'OVER'}"


def print_summary(figures: list[Figures], earlier: dict[str, Figures]) -> None:
    width = 32
    print(f"\n{'figure (target)':<40}" + "".join(f"{f.label:>{width}}" for f in figures))
    for row in ROWS:
        print(f"{row.name:<40}" + "".join(f"{cell(row, f):>{width}}" for f in figures))
    by_label = {f.label: f for f in figures}
    small, large = by_label.get("1x") or earlier.get("1x"), by_label.get("10x")
    if small is not None and large is not None:
        print_scaling(small, large, "" if "1x" in by_label else f" (1x from the run of {small.measured_at})")


def print_scaling(small: Figures, large: Figures, note: str) -> None:
    data = large.first.data / small.first.data
    cpu = large.first.data_cpu / small.first.data_cpu
    memory = build_peak(large) / build_peak(small)
    print(f"\ng. scaling 10x / 1x{note}; linear is 10x")
    print(f"   data stage   {data:5.1f}x (cpu {cpu:.1f}x) {'ok' if data <= 10 else 'OVER'}")
    print(
        f"   peak memory  {memory:5.1f}x (build process: {megabytes(build_peak(small))} -> "
        f"{megabytes(build_peak(large))})"
    )
    print(
        f"   site size    {large.site_mb / small.site_mb:5.1f}x ({small.site_mb:,.1f} MB -> {large.site_mb:,.1f} MB; "
        f"downloads {small.downloads_mb:,.1f} MB -> {large.downloads_mb:,.1f} MB)"
    )
    print("   cpu by stage (main thread; the other threads apart, since they run beside several stages):")
    pairs = [
        (stage, small.first.main_cpu_stages.get(stage), value)
        for stage, value in large.first.main_cpu_stages.items()
        if stage != MKDOCS
    ]
    pairs.append((MKDOCS, small.first.cpu_stages.get(MKDOCS), large.first.cpu_stages.get(MKDOCS, 0.0)))
    pairs.append(("other threads", small.first.other_threads_cpu, large.first.other_threads_cpu))
    for stage, base, value in pairs:
        if base and base > 0.005:
            print(f"     {stage:<16} {base:8.2f} s -> {value:8.2f} s  {value / base:5.1f}x")


# ---------------------------------------------------------------- saved figures


def saved_path(label: str) -> Path:
    return OUTPUT / f"bench-{label}.json"


def save(f: Figures) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    saved_path(f.label).write_text(json.dumps(asdict(f), indent=1), encoding="utf-8")


def load(label: str) -> Figures | None:
    path = saved_path(label)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        data["first"], data["unchanged"] = Run(**data["first"]), Run(**data["unchanged"])
        data["added"] = Run(**data["added"]) if data["added"] else None
        data["floor"] = Floor(**data["floor"])
        weights = data["weights"]
        weights["pages"] = [Page(**page) for page in weights["pages"]]
        data["weights"] = PageWeights(**weights)
        return Figures(**data)
    except (KeyError, TypeError):  # saved by an older version of this script
        return None


# ---------------------------------------------------------------- main


def synthetic_figures(scale: float, seed: int, profile: bool) -> Figures:
    label = f"{scale:g}x"
    start = time.perf_counter()
    data = synthetic.ensure(synthetic.Spec(scale=scale, seed=seed), OUTPUT / "data")
    how = f"generated in {time.perf_counter() - start:.1f} s" if data.seconds else "reused"
    print(f"synthetic {label}: {how}: {data.raw.parent.relative_to(HERE.parent)}", flush=True)
    figures = measure(label, data.raw, data.extra, data.rows, OUTPUT / f"profile-{label}.prof" if profile else None)
    save(figures)
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0], help="synthetic data scales (default: 1)")
    parser.add_argument("--seed", type=int, default=2024, help="the synthetic data's seed (default: %(default)s)")
    parser.add_argument("--raw", type=Path, help="measure a folder of real files instead of synthetic data")
    parser.add_argument("--add", type=Path, help="with --raw: a file or folder to add for run c")
    parser.add_argument("--profile", action="store_true", help="also profile one more first build (not timed)")
    args = parser.parse_args(argv)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    if args.raw is not None:
        if not args.raw.is_dir():
            print(f"no such folder: {args.raw}", file=sys.stderr)
            return 1
        profile = OUTPUT / "profile-real.prof" if args.profile else None
        figures = [measure("real files", args.raw, args.add, 0, profile)]
    else:
        figures = [synthetic_figures(scale, args.seed, args.profile) for scale in sorted(args.scale)]
    for f in figures:
        print_details(f)
    earlier = {label: found for label in ("1x",) if (found := load(label)) is not None}
    print_summary(figures, earlier)
    if not figures[0].first.cache_dir:
        print("\nnote: this build.run takes no cache_dir: there was no content-hash cache in runs a-c")
    print("Figures vary with the machine's load: cpu times vary less than wall times.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
