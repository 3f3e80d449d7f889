#!/usr/bin/env python3
"""Rewrite the downloads section of data/README.md from the schema in crimesite/schema.py.

The data package (downloads/datapackage.json), the site's data dictionary page and this section are all
written from that one schema; tests/test_docs.py fails when the README is out of date.

example:
  python scripts/update_dictionary.py          # rewrite the section
  python scripts/update_dictionary.py --check  # exit 1 when the section is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crimesite import paths, publish, reference, schema
from crimesite.config import load_config

DICTIONARY = paths.ROOT / "data" / "README.md"


def generated_section() -> str:
    config = load_config()
    categories = reference.load_categories(config.categories)
    body = schema.dictionary_markdown(publish.published_resources(config, categories))
    return f"{schema.DICTIONARY_START}\n\n{body}\n{schema.DICTIONARY_END}"


def with_section(readme: str, section: str) -> str:
    start, end = readme.find(schema.DICTIONARY_START), readme.find(schema.DICTIONARY_END)
    if start < 0 or end < start:
        raise ValueError(f"{DICTIONARY}: the markers of the generated section are missing")
    return readme[:start] + section + readme[end + len(schema.DICTIONARY_END) :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when out of date")
    args = parser.parse_args(argv)
    readme = DICTIONARY.read_text(encoding="utf-8")
    updated = with_section(readme, generated_section())
    if args.check:
        if updated != readme:
            print(f"{DICTIONARY} is out of date: run make dictionary", file=sys.stderr)
            return 1
        return 0
    DICTIONARY.write_text(updated, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
