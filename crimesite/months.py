"""Counting months: made, compared and printed here, on `pandas.Period` (monthly).

The tables and the published files hold a month as its key, "YYYY-MM" text (it sorts as the months do);
everything else asks this module for a month's year, number, name, neighbours and runs instead of slicing
the text. Every function takes a key or a Period.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
KEY = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
LOWER_NAMES = tuple(name.lower() for name in NAMES)

MonthLike = str | pd.Period


def period(month: MonthLike) -> pd.Period:
    """The month as a monthly Period, from "2024-03" or a Period; anything else is a ValueError (pandas alone
    would read "March" as March of this year)."""
    if isinstance(month, pd.Period):
        return month
    if not KEY.fullmatch(month):
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return pd.Period(month, freq="M")


def of(year: int, number: int) -> pd.Period:
    return pd.Period(year=year, month=number, freq="M")


def key(month: MonthLike) -> str:
    """'2024-03': the form the tables and the published files hold."""
    return period(month).strftime("%Y-%m")


def key_of(year: int, number: int) -> str:
    return f"{year:04d}-{number:02d}"


def keys_of(years: pd.Series, numbers: pd.Series) -> pd.Series:
    """key_of for whole columns (a table's year and month columns): text built at once, not row by row."""
    return years.astype(int).astype(str).str.zfill(4) + "-" + numbers.astype(int).astype(str).str.zfill(2)


def year_of(month: MonthLike) -> int:
    return period(month).year


def number_of(month: MonthLike) -> int:
    """1 for January."""
    return period(month).month


def name_of(number: int) -> str:
    """'March' for 3."""
    return NAMES[number - 1]


def label(month: MonthLike) -> str:
    """'March 2024'."""
    found = period(month)
    return f"{NAMES[found.month - 1]} {found.year}"


def shifted(month: MonthLike, by: int) -> str:
    """The key of the month `by` months later (earlier when negative)."""
    return key(period(month) + by)


def span(first: MonthLike, last: MonthLike) -> list[str]:
    """Every month's key from first to last, both included (empty when last is before first)."""
    return pd.period_range(period(first), period(last), freq="M").strftime("%Y-%m").tolist()


def of_year(year: int, through: int = 12) -> list[str]:
    """The keys of January to `through` of a year."""
    return [key_of(year, number) for number in range(1, through + 1)]


def years(months: Iterable[MonthLike]) -> tuple[int, ...]:
    """The years the months fall in, sorted, each once."""
    return tuple(sorted({year_of(month) for month in months}))


def runs(months: Iterable[MonthLike]) -> tuple[tuple[str, str], ...]:
    """Months as runs of consecutive months, each (first, last) as keys: 2024-01, 2024-02, 2024-05 gives
    (("2024-01", "2024-02"), ("2024-05", "2024-05"))."""
    found: list[list[pd.Period]] = []
    for month in sorted({period(month) for month in months}):
        if found and month == found[-1][1] + 1:
            found[-1][1] = month
        else:
            found.append([month, month])
    return tuple((key(first), key(last)) for first, last in found)


def run_label(first: MonthLike, last: MonthLike) -> str:
    """'March 2024' or 'March 2024 to May 2024'."""
    return label(first) if period(first) == period(last) else f"{label(first)} to {label(last)}"


def key_run_label(first: MonthLike, last: MonthLike) -> str:
    """For tables whose month column is the key: '2024-03' or '2021-01 to 2023-12'."""
    return key(first) if period(first) == period(last) else f"{key(first)} to {key(last)}"


def runs_label(months: Iterable[MonthLike]) -> str:
    """The months as runs of keys: '2024-01', '2021-01 to 2023-12, 2024-02'."""
    return ", ".join(key_run_label(first, last) for first, last in runs(months))


def run_label_in_year(first: MonthLike, last: MonthLike) -> str:
    """For tables of one year's months, named without the year: 'March' or 'March to May'."""
    start, end = NAMES[number_of(first) - 1], NAMES[number_of(last) - 1]
    return start if period(first) == period(last) else f"{start} to {end}"
