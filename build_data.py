#!/usr/bin/env python3
"""Build the crime-data site from raw police department CSV files. See README.md."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from crimesite import build, paths
from crimesite.errors import DataError

MAX_PROBLEMS_SHOWN = 200

EPILOG = """examples:
  python build_data.py                                   # data/raw/ (the bundled sample) -> build/ and site/
  python build_data.py --raw ../shared/data/slmpd/legacy # every legacy file in that folder
  python build_data.py --raw data/raw/january2019.csv --no-site
"""


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Read SLMPD monthly crime files (.csv, .CSV, .csv.gz) and build the Markdown pages, "
        "charts and downloads, then the static site with MkDocs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--raw",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="raw files or folders to read (default: data/raw/ from site.yml)",
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=paths.BUILD_DIR,
        help="where the generated MkDocs input goes (default: build/)",
    )
    parser.add_argument(
        "--site-dir", type=Path, default=paths.SITE_DIR, help="where the static site goes (default: site/)"
    )
    parser.add_argument("--no-site", action="store_true", help="build the pages and data only, not the site")
    parser.add_argument("--quiet", action="store_true", help="log only warnings and errors")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    return make_parser().parse_args(argv)


def report(error: DataError) -> None:
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
        print(problem.github_annotation() if annotate else f"error: {problem}", file=sys.stderr)
    hidden = len(error.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        print(f"error: ... and {hidden} more problem(s)", file=sys.stderr)
    print(f"build stopped: {len(error.problems)} problem(s) in the raw files; nothing was written", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        build.run(args.raw, args.build_dir, None if args.no_site else args.site_dir)
    except DataError as error:
        report(error)
        return 1
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        print("build stopped; nothing was written", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
