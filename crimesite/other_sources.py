"""Yearly figures another source publishes for the city (site.yml `other_sources:`), e.g. the state's UCR counts
as the Real-Time Crime Index compiles them. They are shown beside the counts made from the raw files and never
added to them. The only I/O is load_figures."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimesite.config import OtherSource
from crimesite.errors import DataError, Problem
from crimesite.reference import Category

COLUMNS = ["source", "year", "measure", "value", "months", "as_of", "source_file"]
# Besides the Part I category slugs, the file has the two totals the state publishes; together they are its
# Part I total (the state's totals leave out arson).
VIOLENT, PROPERTY = "violent", "property"
TOTALS = (VIOLENT, PROPERTY)
PART1 = "part1"
EXPECTED = {
    "source": "the source's name",
    "year": "a year (four digits)",
    "measure": None,  # the measures allowed, named in the message
    "value": "a whole number, 0 or more",
    "months": "the number of months the figure covers, 1 to 12",
    "as_of": "the date of the copy, YYYY-MM-DD",
}
DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


@dataclass(frozen=True)
class Figure:
    """One yearly figure of the other source."""

    value: int
    as_of: str  # the date of the copy it was read from (YYYY-MM-DD)


@dataclass(frozen=True)
class OtherFigures:
    """The other source and its yearly figures: one row per year and measure (the newest copy of each)."""

    source: OtherSource
    yearly: pd.DataFrame  # year, measure, value, as_of: whole years only
    table: pd.DataFrame  # every row of the file, typed
    content: bytes  # the file as it was read: published unchanged

    def figure(self, measure: str, year: int) -> Figure | None:
        """The source's figure for a category slug (or `part1`: violent + property) and year; None without one."""
        if measure == PART1:
            parts = [self.figure(total, year) for total in TOTALS]
            if any(part is None for part in parts):
                return None
            return Figure(sum(part.value for part in parts), max(part.as_of for part in parts))
        rows = self.yearly[(self.yearly["year"] == year) & (self.yearly["measure"] == measure)]
        if rows.empty:
            return None
        return Figure(int(rows["value"].iloc[0]), str(rows["as_of"].iloc[0]))

    def series(self, measure: str) -> pd.DataFrame:
        """year, value, as_of for one measure, by year."""
        rows = self.yearly[self.yearly["measure"] == measure]
        return rows[["year", "value", "as_of"]].sort_values("year").reset_index(drop=True)

    def measures(self) -> set[str]:
        return set(self.yearly["measure"])


def measure_names(categories: tuple[Category, ...]) -> tuple[str, ...]:
    """The measures a file may hold: the Part I category slugs and the state's two totals."""
    return (*(c.slug for c in categories if c.part == 1), *TOTALS)


def check_rows(path: Path, table: pd.DataFrame, categories: tuple[Category, ...]) -> list[Problem]:
    """One problem per bad value, naming the file, line and column."""
    measures = measure_names(categories)
    problems = []
    for line, row in enumerate(table.to_dict("records"), start=2):
        wrong = {
            "source": not row["source"].strip(),
            "year": not re.fullmatch(r"\d{4}", row["year"]),
            "measure": row["measure"] not in measures,
            "value": not row["value"].isdigit(),
            "months": not (row["months"].isdigit() and 1 <= int(row["months"]) <= 12),
            "as_of": not DATE.fullmatch(row["as_of"]),
        }
        problems += [
            Problem(str(path), line, column, row[column], EXPECTED[column] or f"one of {', '.join(measures)}")
            for column, bad in wrong.items()
            if bad
        ]
    return problems


def newest_whole_years(table: pd.DataFrame) -> pd.DataFrame:
    """One row per year and measure: the newest copy of a figure for the whole year (a partial year's figure is
    no yearly figure)."""
    whole = table[table["months"] == 12].sort_values(["year", "measure", "as_of"])
    newest = whole.drop_duplicates(["year", "measure"], keep="last")
    return newest[["year", "measure", "value", "as_of"]].reset_index(drop=True)


def load_figures(source: OtherSource, categories: tuple[Category, ...]) -> OtherFigures:
    """The source's file, checked; a bad value stops the build with one line per problem."""
    path = source.file
    content = path.read_bytes()
    table = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    if list(table.columns) != COLUMNS:
        raise DataError([Problem(str(path), 1, "(header)", ",".join(table.columns), ",".join(COLUMNS))])
    problems = check_rows(path, table, categories)
    keys = table[["year", "measure", "as_of"]].apply(tuple, axis=1)
    for line in keys[keys.duplicated()].index + 2:
        problems.append(
            Problem(
                str(path),
                int(line),
                "as_of",
                table["as_of"][line - 2],
                "one row per year, measure and copy (this one is given twice)",
            )
        )
    if problems:
        raise DataError(problems)
    typed = table.astype({"year": "int64", "value": "int64", "months": "int64"})
    return OtherFigures(source, newest_whole_years(typed), typed, content)
