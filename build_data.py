#!/usr/bin/env python3
"""Build the crime-data site from raw police department CSV files, or fetch the official files. See README.md."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import pandas as pd
import yaml

from crimesite import build, fetch, fetch_checks, paths, publish, revisions
from crimesite.config import SiteConfig, load_config
from crimesite.errors import DataError, FetchError
from crimesite.sources import RawPathError

MAX_PROBLEMS_SHOWN = 200

EPILOG = """examples:
  python build_data.py                                   # data/raw/ (SLMPD's files) -> build/ and site/
  python build_data.py --raw ../shared/data/slmpd/legacy # every legacy file in that folder
  python build_data.py --raw data/raw/january2019.csv --no-site
  python build_data.py fetch                             # download the official files named in site.yml
  python build_data.py fetch --config other-city.yml     # ... named in another site config
  python build_data.py revisions --markdown              # what the latest releases changed, from build/
"""


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Read SLMPD monthly crime files (.csv, .CSV, .csv.gz) and build the Markdown pages, "
        "charts and downloads, then the static site with MkDocs. With `fetch`: download the official raw "
        "files listed in the site config into data/ instead.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=("build", "fetch", "revisions"),
        default="build",
        help="what to do (default: build); revisions: summarise what the latest releases changed, from the "
        "revisions.csv of the last build in --build-dir",
    )
    parser.add_argument(
        "--config", type=Path, default=paths.SITE_CONFIG, metavar="PATH", help="site config file (default: site.yml)"
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
    parser.add_argument("--markdown", action="store_true", help="revisions: write the summary as Markdown")
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
    parser = make_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "fetch" and (
        args.raw or args.no_site or args.build_dir != paths.BUILD_DIR or args.site_dir != paths.SITE_DIR
    ):
        parser.error("fetch takes only --config and --quiet")
    if args.command != "revisions" and args.markdown:
        parser.error("--markdown is for the revisions command")
    if args.command == "revisions" and (args.raw or args.no_site or args.site_dir != paths.SITE_DIR):
        parser.error("revisions takes only --build-dir, --markdown, --config and --quiet")
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        config = load_config(args.config)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"error: {args.config}: {error}", file=sys.stderr)
        return 1
    if args.command == "revisions":
        return run_revisions(args.build_dir, args.markdown)
    return run_fetch(config) if args.command == "fetch" else run_build(args, config)


def run_revisions(build_dir: Path, markdown: bool) -> int:
    """Print what the latest releases changed, read from the build's downloads/revisions.csv."""
    if not (build_dir / "docs").is_dir():
        print(f"error: {build_dir / 'docs'}: no build there; run `python build_data.py` first", file=sys.stderr)
        return 1
    path = build_dir / "docs" / publish.DOWNLOADS / f"{publish.REVISIONS}.csv"
    if not path.is_file():
        print("No release in this build revises a month (no NIBRS releases): there are no revisions.")
        return 0
    table = pd.read_csv(path, dtype={"release": str, "month": str, "category": str, "count": "int64"})
    print(revisions.summary(revisions.from_table(table), markdown), end="")
    return 0


def run_build(args: argparse.Namespace, config: SiteConfig) -> int:
    try:
        build.run(args.raw, args.build_dir, None if args.no_site else args.site_dir, config=config)
    except DataError as error:
        report(error)
        return 1
    except RawPathError as error:
        for message in error.messages:
            print(f"error: {message}", file=sys.stderr)
        print("build stopped; nothing was written", file=sys.stderr)
        return 1
    except OSError as error:  # a folder that cannot be written, a full disk
        print(f"error: {os_error_line(error)}", file=sys.stderr)
        print("build stopped; nothing was written", file=sys.stderr)
        return 1
    except (ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        print("build stopped; nothing was written", file=sys.stderr)
        return 1
    return 0


def os_error_line(error: OSError) -> str:
    """'PATH: Permission denied': the path and what the system said, on one line."""
    if error.filename is None or error.strerror is None:
        return str(error)
    return f"{error.filename}: {error.strerror}"


def run_fetch(config: SiteConfig) -> int:
    try:
        fetch.run(config.fetch, fetch_checks.expectations(config))
    except FetchError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        folder = os.path.relpath(config.fetch.folder)
        folder = folder if not folder.startswith("..") else str(config.fetch.folder)
        stopped = f"fetch stopped: {len(error.problems)} problem(s); {folder} was not changed"
        print(stopped, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
