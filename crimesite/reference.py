"""Reference tables kept as data under data/reference/."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimesite.errors import DataError, Problem


@dataclass(frozen=True)
class Category:
    ucr_class: int
    slug: str
    name: str
    plural: str  # how a sentence names several: "194 homicides"
    part: int
    sexual_offense: bool


def load_categories(path: Path) -> tuple[Category, ...]:
    """The UCR classes and their slugs, in class order."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = ["ucr_class", "slug", "name", "plural", "part", "sexual_offense"]
    if list(table.columns) != expected:
        raise ValueError(f"{path}: columns are {list(table.columns)}, expected {expected}")
    categories = []
    for line, row in enumerate(table.itertuples(index=False), start=2):
        # Slugs go into addresses, file names and code spans: letters, digits and hyphens only.
        bad_slug = not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row.slug)
        bad_flag = row.part not in ("1", "2") or row.sexual_offense not in ("true", "false")
        if bad_slug or bad_flag or not row.ucr_class.isdigit():
            raise ValueError(f"{path}:{line}: bad row {tuple(row)}")
        categories.append(
            Category(int(row.ucr_class), row.slug, row.name, row.plural, int(row.part), row.sexual_offense == "true")
        )
    if len({c.ucr_class for c in categories}) != len(categories) or len({c.slug for c in categories}) != len(
        categories
    ):
        raise ValueError(f"{path}: ucr_class and slug must be unique")
    return tuple(sorted(categories, key=lambda c: c.ucr_class))


OFFENSE_CODE_COLUMNS = ("code", "ucr_class")


def display(path: Path) -> str:
    """How an error names a file: relative to the working directory when it is under it."""
    relative = os.path.relpath(path.resolve())
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def load_offense_codes(path: Path, categories: tuple[Category, ...]) -> dict[str, int | None]:
    """The generic CSV reader's code table: each offense code of the agency and its UCR class, or None when
    the class is empty (the code is not a crime the site counts, such as a lost-property report).
    Columns other than `code` and `ucr_class` are notes for people and are not read."""
    classes = {c.ucr_class for c in categories}
    shown = display(path)
    codes: dict[str, int | None] = {}
    problems: list[Problem] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        if any(column not in header for column in OFFENSE_CODE_COLUMNS):
            expected = "a header with the columns code and ucr_class"
            raise DataError([Problem(shown, 1, "(header)", ",".join(header), expected)])
        reader.fieldnames = header
        for record in reader:
            line = reader.line_num
            code, ucr_class = (record["code"] or "").strip(), (record["ucr_class"] or "").strip()
            if not code:
                problems.append(Problem(shown, line, "code", "", "an offense code"))
            elif code in codes:
                problems.append(Problem(shown, line, "code", code, "each code once"))
            elif ucr_class and not (ucr_class.isdigit() and int(ucr_class) in classes):
                expected = f"empty (not counted) or a UCR class of the categories file ({min(classes)}-{max(classes)})"
                problems.append(Problem(shown, line, "ucr_class", ucr_class, expected))
            else:
                codes[code] = int(ucr_class) if ucr_class else None
    if problems:
        raise DataError(problems)
    if not codes:
        raise DataError([Problem(shown, 1, "code", "", "at least one offense code")])
    return codes
