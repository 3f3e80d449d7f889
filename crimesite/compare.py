"""How the headline numbers of one build differ from another's, as Markdown (the pull-request job summary).

    python -m crimesite.compare OLD_DOWNLOADS_DIR NEW_DOWNLOADS_DIR

Reads `annual_counts.csv` (year, category, count, era; see build.downloads()) from both folders and lists every
year and category whose count changed, the years and categories added or removed, or says that nothing
changed. Every value read from the files is escaped before it reaches the Markdown.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from crimesite import escape

ANNUAL = "annual_counts.csv"
REQUIRED_COLUMNS = ("year", "category", "count")
NO_ROW = "\u2014"  # em dash: no such row in that build
NOT_COUNTED = "not counted"  # an empty count: the files do not count that category (Part II from NIBRS files)

Key = tuple[int, str]


@dataclass(frozen=True)
class Counts:
    """One build's annual counts, keyed by (year, category), with categories in the order the file lists them."""

    values: dict[Key, int | str]  # a count, or NOT_COUNTED
    categories: tuple[str, ...]

    @property
    def years(self) -> set[int]:
        return {year for year, _ in self.values}


@dataclass(frozen=True)
class Change:
    year: int
    category: str
    old: int | str | None  # None: the row is not in the old build; NOT_COUNTED: its count is empty
    new: int | str | None  # None: the row is not in the new build


@dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]
    years_added: tuple[int, ...]
    years_removed: tuple[int, ...]
    categories_added: tuple[str, ...]
    categories_removed: tuple[str, ...]
    compared: int  # rows in both builds


def read_counts(folder: Path) -> Counts:
    """annual_counts.csv of a build's downloads folder; a bad value raises ValueError naming file, line, column."""
    path = folder / ANNUAL
    if not path.is_file():
        raise ValueError(f"{path}: not found (expected a build's downloads folder)")
    values: dict[Key, int | str] = {}
    categories: dict[str, None] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}:1: column {missing[0]}: value '': expected a header naming {REQUIRED_COLUMNS}")
        for row in reader:
            line = reader.line_num
            year = parse_int(path, line, "year", row["year"])
            count = NOT_COUNTED if row["count"] == "" else parse_int(path, line, "count", row["count"])
            category = row["category"] or ""
            if (year, category) in values:
                raise ValueError(
                    f"{path}:{line}: column category: value {category!r}: expected each year and category once"
                )
            values[(year, category)] = count
            categories.setdefault(category)
    return Counts(values, tuple(categories))


def parse_int(path: Path, line: int, column: str, value: str | None) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        raise ValueError(f"{path}:{line}: column {column}: value {value!r}: expected a whole number") from None


def compare(old: Counts, new: Counts) -> Comparison:
    """Every (year, category) whose count differs or that is in one build only, in year then category order."""
    order = {category: i for i, category in enumerate(dict.fromkeys(new.categories + old.categories))}
    keys = sorted(old.values.keys() | new.values.keys(), key=lambda key: (key[0], order[key[1]]))
    changes = tuple(
        Change(year, category, old.values.get((year, category)), new.values.get((year, category)))
        for year, category in keys
        if old.values.get((year, category)) != new.values.get((year, category))
    )
    return Comparison(
        changes=changes,
        years_added=tuple(sorted(new.years - old.years)),
        years_removed=tuple(sorted(old.years - new.years)),
        categories_added=tuple(c for c in new.categories if c not in old.categories),
        categories_removed=tuple(c for c in old.categories if c not in new.categories),
        compared=len(old.values.keys() & new.values.keys()),
    )


def fmt_count(value: int | str | None) -> str:
    return NO_ROW if value is None else value if isinstance(value, str) else f"{value:,}"


def fmt_difference(change: Change) -> str:
    if change.old is None:
        return "added"
    if change.new is None:
        return "removed"
    if isinstance(change.old, str) or isinstance(change.new, str):
        return "n/a"
    return f"{change.new - change.old:+,}"


def fmt_list(values: tuple[object, ...]) -> str:
    return ", ".join(escape.text(value) for value in values) if values else "none"


def to_markdown(result: Comparison, old_label: str = "old", new_label: str = "new") -> str:
    """The comparison as GitHub-flavoured Markdown; every value from the files goes through escape.text()."""
    old_name, new_name = escape.text(old_label), escape.text(new_label)
    lines = [f"## Headline numbers: {new_name} compared with {old_name}", ""]
    if not result.changes:
        lines.append(
            f"Nothing changed: all {result.compared:,} annual counts (year and category) in `{ANNUAL}` are the "
            f"same in {new_name} as in {old_name}."
        )
        return "\n".join(lines) + "\n"
    lines += [
        f"{len(result.changes):,} annual counts (year and category) in `{ANNUAL}` differ.",
        "",
        f"- Years added: {fmt_list(result.years_added)}; years removed: {fmt_list(result.years_removed)}.",
        f"- Categories added: {fmt_list(result.categories_added)}; "
        f"categories removed: {fmt_list(result.categories_removed)}.",
        "",
        f"| Year | Category | {old_name} | {new_name} | Difference |",
        "| --: | :-- | --: | --: | --: |",
    ]
    lines += [
        f"| {escape.text(c.year)} | {escape.text(c.category)} | {fmt_count(c.old)} | {fmt_count(c.new)} | "
        f"{fmt_difference(c)} |"
        for c in result.changes
    ]
    return "\n".join(lines) + "\n"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m crimesite.compare",
        description=f"Print, as Markdown, how {ANNUAL} differs between two builds' downloads folders.",
        epilog="example:\n  python -m crimesite.compare base/build/docs/downloads build/docs/downloads "
        ">> $GITHUB_STEP_SUMMARY",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("old", type=Path, metavar="OLD_DOWNLOADS_DIR", help="downloads folder of the build before")
    parser.add_argument("new", type=Path, metavar="NEW_DOWNLOADS_DIR", help="downloads folder of the build after")
    parser.add_argument("--old-label", default="old", help="what to call the old build (default: old)")
    parser.add_argument("--new-label", default="new", help="what to call the new build (default: new)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = compare(read_counts(args.old), read_counts(args.new))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(to_markdown(result, args.old_label, args.new_label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
