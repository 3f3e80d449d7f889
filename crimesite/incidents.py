"""The canonical incident table: its columns, their types and meaning, and validate().

This is the one place the columns are defined; the data dictionary (data/README.md) is checked
against it by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

OCCURRED_STATUSES = ("ok", "missing", "unparseable", "placeholder", "after_counting_month")
LOCATION_STATUSES = ("ok", "missing", "outside_bounds", "outside_city")
ERAS = ("ucr", "nibrs")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    description: str
    example: str
    allowed: str = ""
    unknown: str = "never unknown"


COLUMNS: tuple[Column, ...] = (
    Column(
        "source_file", "category", "Raw file the row came from, relative to the raw-data folder", "january2019.csv.gz"
    ),
    Column("source_line", "int32", "Line number of the row in that file (the header is line 1)", "2"),
    Column(
        "era",
        "category",
        "Reporting system of the source file",
        "ucr",
        "`ucr` (UCR summary files: one row per raw row, counted +1 or -1), "
        "`nibrs` (NIBRS incident files: one row per counted crime)",
    ),
    Column(
        "complaint",
        "string",
        "The police complaint or incident number; several rows can share one",
        "19-060382",
        "",
        "empty when the file has no such number",
    ),
    Column(
        "year",
        "int16",
        "Year the crime is counted in",
        "2019",
    ),
    Column("month", "int8", "Month the crime is counted in (1-12), as `year`", "12", "1-12"),
    Column(
        "occurred_at",
        "datetime64[s]",
        "Date and time the crime occurred (the start, when the file gives a range)",
        "2019-11-30 22:15:00",
        "",
        "empty when missing, unparseable or a placeholder; see `occurred_status`",
    ),
    Column(
        "occurred_status",
        "category",
        "Whether `occurred_at` is usable",
        "ok",
        "`ok`, `missing`, `unparseable`, `placeholder` (e.g. 01/01/1900), `after_counting_month`",
    ),
    Column(
        "count",
        "int8",
        "+1 adds a crime to the total, -1 removes one (unfounded or reclassified); totals are sums of this column",
        "1",
        "`1`, `-1`",
    ),
    Column("flag_new", "bool", "First coding of the crime", "True"),
    Column("flag_unfounded", "bool", "Investigation found no crime happened", "False"),
    Column("flag_administrative", "bool", "Classification changed or corrected", "False"),
    Column(
        "crime_code",
        "string",
        "The offense code in the file, with any leading zero the file dropped restored",
        "010000",
    ),
    Column("ucr_class", "int8", "UCR class of the offense code", "1", "1-26"),
    Column("category", "category", "Category slug from `data/reference/ucr_classes.csv`", "homicide"),
    Column("part", "int8", "UCR Part (1: the eight index crimes, 2: the other classes)", "1", "`1`, `2`"),
    Column("description", "string", "The police description of the offense, as published", "HOMICIDE"),
    Column(
        "district",
        "Int8",
        "Police district",
        "3",
        "`places.district_numbers` in `site.yml`",
        "empty when the file gives 0, blank or a number outside that range",
    ),
    Column(
        "neighborhood",
        "Int16",
        "Neighborhood number (the neighborhood table names it)",
        "18",
        "`places.neighborhood_numbers` in `site.yml`",
        "empty when the file gives 0, blank or a number outside that range",
    ),
    Column(
        "block",
        "string",
        "The block, not the address: the street number rounded down to the hundred, and the street",
        "3700 block S BROADWAY",
        "",
        "empty when the file has no street",
    ),
    Column(
        "latitude",
        "float64",
        "WGS84 latitude (converted when the file uses another coordinate system)",
        "38.6045",
        "",
        "empty unless `location_status` is `ok`",
    ),
    Column(
        "longitude",
        "float64",
        "WGS84 longitude, as `latitude`",
        "-90.2194",
        "",
        "empty unless `location_status` is `ok`",
    ),
    Column(
        "location_status",
        "category",
        "Whether the coordinates are usable",
        "ok",
        "`ok`, `missing` (0 or blank), `outside_bounds` (outside the city's box), `outside_city` (inside the box, "
        "outside the city limits)",
    ),
    Column(
        "firearm",
        "boolean",
        "A firearm was used, as the file records it",
        "True",
        "`True`, `False`",
        "empty when the file does not say",
    ),
    Column(
        "sexual_incident",
        "bool",
        "The row's incident holds a sexual offense (UCR 02 or 17, NIBRS 11A-11D, 36A, 36B, or a class "
        "`data/reference/ucr_classes.csv` marks `sexual_offense`), in any row of the same complaint or incident "
        "number, or (files without one) at the same occurrence time and place. The readers mark what each file "
        "shows; `privacy.withhold_incidents` extends it across files. Such rows are counted but never located. "
        "Not published: the published `location_status` is `withheld` instead",
        "False",
        "`True`, `False`",
    ),
)
# Canonical columns that no published file holds as such.
UNPUBLISHED: tuple[str, ...] = ("sexual_incident",)

NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)


def mark_outside_city(table: pd.DataFrame, inside: np.ndarray) -> pd.DataFrame:
    """The table with the located rows that are not `inside` the city limits (a mask over the located rows, in
    order) set to `outside_city`, without coordinates, like a point outside the box."""
    located = (table["location_status"] == "ok").to_numpy()
    outside = np.zeros(len(table), dtype=bool)
    outside[located] = ~inside
    marked = table.copy()
    # On the codes (the canonical categories), not on 700,000 status strings.
    codes = fixed_categories(marked["location_status"], LOCATION_STATUSES).codes
    status = np.where(outside, LOCATION_STATUSES.index("outside_city"), codes)
    marked["location_status"] = pd.Categorical.from_codes(status, categories=LOCATION_STATUSES)
    for column in ("latitude", "longitude"):
        marked[column] = marked[column].mask(outside)
    return marked


def empty() -> pd.DataFrame:
    """A table with the canonical columns and no rows."""
    return conform(pd.DataFrame({name: pd.Series([], dtype="object") for name in NAMES}))


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Put the columns in canonical order with canonical dtypes."""
    frame = frame.loc[:, list(NAMES)]
    converted = {}
    for column in COLUMNS:
        series = frame[column.name]
        if column.dtype == "category":
            categories = {"era": ERAS, "occurred_status": OCCURRED_STATUSES, "location_status": LOCATION_STATUSES}.get(
                column.name
            )
            converted[column.name] = fixed_categories(series, categories) if categories else sorted_categories(series)
        elif column.dtype == "datetime64[s]":
            converted[column.name] = series.astype("datetime64[s]")
        else:
            converted[column.name] = series.astype(column.dtype)
    return pd.DataFrame(converted, index=pd.RangeIndex(len(frame)))


def fixed_categories(series: pd.Series, categories: tuple[str, ...]) -> pd.Categorical:
    """`series` as a categorical of exactly `categories` (another value becomes NaN), as pd.Categorical makes it.
    Text is looked up by Arrow: pandas would turn 700,000 Arrow strings into Python strings first (a second)."""
    if isinstance(series.dtype, pd.CategoricalDtype):  # recoded; a value not in `categories` becomes NaN
        return pd.Categorical(series.cat.set_categories(categories))
    codes = pc.index_in(pa.array(series, type=pa.string()), value_set=pa.array(categories, type=pa.string()))
    return pd.Categorical.from_codes(codes.fill_null(-1).to_numpy(zero_copy_only=False), categories=categories)


def sorted_categories(series: pd.Series) -> pd.Series:
    """A categorical whose categories are the values present, sorted, however the table was put together (rows
    read together or file by file from the cache must give the same table)."""
    series = series.astype("category").cat.remove_unused_categories()
    categories = series.cat.categories
    return series if categories.is_monotonic_increasing else series.cat.reorder_categories(sorted(categories))


def validate(frame: pd.DataFrame, neighborhood_numbers: tuple[int, int]) -> None:
    """Raise ValueError when the table breaks a rule the pages rely on. `neighborhood_numbers` is the
    configured range (lowest, highest) of neighborhood numbers."""
    problems = []
    if tuple(frame.columns) != NAMES:
        problems.append(f"columns are {list(frame.columns)}, expected {list(NAMES)}")
    else:
        for column in COLUMNS:
            actual = str(frame[column.name].dtype)
            if actual != column.dtype and not (column.dtype == "string" and actual in ("str", "string")):
                problems.append(f"column {column.name} has dtype {actual}, expected {column.dtype}")
    if problems:
        raise ValueError("incident table: " + "; ".join(problems))
    low, high = neighborhood_numbers
    # rule -> the column it is about, and where the rows keep it
    checks = {
        "count is +1 or -1": ("count", frame["count"].isin([1, -1])),
        "month is 1-12": ("month", frame["month"].between(1, 12)),
        "ucr_class is 1-26": ("ucr_class", frame["ucr_class"].between(1, 26)),
        "part is 1 or 2": ("part", frame["part"].isin([1, 2])),
        "category is set": ("category", frame["category"].notna()),
        f"neighborhood is {low}-{high} or empty": (
            "neighborhood",
            frame["neighborhood"].isna() | frame["neighborhood"].between(low, high),
        ),
        "coordinates only where location_status is ok": (
            "latitude",
            (frame["location_status"] == "ok") == frame["latitude"].notna(),
        ),
    }
    for rule, (column, ok) in checks.items():
        bad = frame.loc[~ok.fillna(False).astype(bool)]
        if len(bad):
            first = bad.iloc[0]
            value = first[column].item() if hasattr(first[column], "item") else first[column]  # 13, not np.int8(13)
            raise ValueError(
                f"incident table: {len(bad)} row(s) break the rule '{rule}', "
                f"first at {first['source_file']}:{first['source_line']} (column {column}, value {value!r})"
            )
