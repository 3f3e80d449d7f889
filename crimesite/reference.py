"""Reference tables kept as data under data/reference/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


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
