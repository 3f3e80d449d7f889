"""The generic reader: any agency's incident CSV, read through the column mapping in site.yml.

A fork for another city writes no Python: `reader.csv` in site.yml names the file's column for each
canonical field, the date formats and the missing-value codes, and a code table in data/reference/ maps the
agency's offense codes to UCR classes. Each row is one crime, counted +1 (or by the mapped count column,
+1 or -1) in the month of its counted date (the occurred date when no counted column is mapped).

A value the build cannot interpret (an offense code not in the code table, a date in none of the formats,
a number that is not one) stops the build with the file, line, the file's column name and the value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np
import pandas as pd

from crimesite import geo, incidents
from crimesite.config import CsvColumns, CsvReader
from crimesite.errors import Problem
from crimesite.sources.common import (
    PLACEHOLDER_BEFORE,
    SEXUAL_NIBRS_CODES,
    Batch,
    ReadContext,
    Table,
    canonical_table,
    given_coordinates,
    in_bounds,
    parse_datetimes,
    place_number,
    row_keys,
    sexual_incident,
    to_number,
    yes_no_unknown,
)

FORMAT = "csv"
LAYOUT = "columns named in site.yml"
WHOLE_NUMBER = r"[+-]?\d+(\.0+)?"
FIELDS = tuple(f.name for f in fields(CsvColumns))


@dataclass(frozen=True)
class GenericCsvReader:
    """The reader configured by site.yml's `reader.csv`; a common.FormatReader, as the SLMPD reader modules are."""

    settings: CsvReader
    FORMAT: ClassVar[str] = FORMAT
    PER_FILE: ClassVar[bool] = True  # each file is read on its own (and cached by content)

    @property
    def mapping(self) -> dict[str, str]:
        """Canonical field -> the file's column name, for the mapped fields only."""
        columns = self.settings.columns
        return {name: getattr(columns, name) for name in FIELDS if getattr(columns, name) is not None}

    def missing_columns(self, header: list[str]) -> list[str]:
        """The mapped column names the header lacks (compared ignoring case and surrounding spaces)."""
        present = {name.strip().lower() for name in header}
        return [name for name in self.mapping.values() if name.strip().lower() not in present]

    def detect(self, header: list[str]) -> str | None:
        lowered = [name.strip().lower() for name in header]
        ambiguous = any(lowered.count(name.strip().lower()) > 1 for name in self.mapping.values())
        return LAYOUT if not self.missing_columns(header) and not ambiguous else None

    def expected_header(self, header: list[str]) -> str:
        missing = self.missing_columns(header)
        if missing:
            return "a header with the columns named in site.yml reader.csv.columns; missing: " + ", ".join(missing)
        return "each column named in site.yml reader.csv.columns once in the header"

    def prepare(self, table: Table) -> tuple[pd.DataFrame, dict[str, str]]:
        """The mapped columns under their canonical field names, stripped, missing-value codes as ''."""
        position = {name.strip().lower(): i for i, name in enumerate(table.header)}
        names, data = {}, {}
        for field_name, column in self.mapping.items():
            index = position[column.strip().lower()]
            names[field_name] = table.header[index]
            text = table.frame.iloc[:, index].str.strip()
            data[field_name] = text.where(~text.isin(self.settings.missing_values), "")
        return pd.DataFrame(data, index=table.frame.index), names

    def to_incidents(self, batch: Batch, context: ReadContext) -> tuple[pd.DataFrame, list[Problem]]:
        return to_incidents(batch, context, self.settings)


def to_incidents(batch: Batch, context: ReadContext, settings: CsvReader) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonical rows for a batch of files, or the problems that stop the build."""
    frame = batch.frame
    problems: list[Problem] = []

    def report(bad: pd.Series, column: str, expected: str) -> None:
        problems.extend(batch.problems(bad, column, frame[column], expected))

    code = frame["offense_code"]
    known = code.isin(list(context.offense_codes))
    report(~known, "offense_code", f"an offense code listed in {settings.offense_codes.name}")
    count = read_count(frame, report)
    counted_text = frame["counted"] if "counted" in frame else frame["occurred"]
    occurred_text = occurred_with_time(frame)
    formats = ", ".join(settings.date_formats)
    counted = parse_datetimes(counted_text, settings.date_formats)
    occurred = parse_datetimes(occurred_text, settings.date_formats)
    counted_column = "counted" if "counted" in frame else "occurred"
    report(counted.isna(), counted_column, f"a date in one of the formats of site.yml ({formats})")
    report(counted < PLACEHOLDER_BEFORE, counted_column, "a date from 1901 on (a crime is counted in its month)")
    if counted_column == "counted":
        report((frame["occurred"] != "") & occurred.isna(), "occurred", f"empty or a date ({formats})")
    coordinates = {key: read_decimal(frame, key, report) for key in ("latitude", "longitude", "x", "y") if key in frame}
    places = {key: read_place(frame, key, report) for key in ("district", "neighborhood") if key in frame}
    firearm = read_firearm(frame, settings, report)
    if problems:
        return incidents.empty(), problems

    ucr_class = code.map(context.offense_codes)
    counts = ucr_class.notna()  # a code whose class is empty is not a crime the site counts
    skipped = pd.Series(batch.file_names()[~counts.to_numpy()]).value_counts()
    batch.not_counted.update({str(name): int(rows) for name, rows in skipped.items() if rows})
    status = occurred_status(occurred_text, occurred, counted, counted_column == "counted")
    lon, lat, location_status = locate(coordinates, frame.index, context)
    empty = pd.Series("", index=frame.index)
    incident_id = frame.get("incident_id", empty)
    description = frame.get("description", empty)
    district, neighborhood = places.get("district", empty), places.get("neighborhood", empty)
    rows = pd.DataFrame(
        {
            "source_file": batch.file_names(),
            "source_line": batch.lines,
            "era": settings.era,
            "complaint": incident_id.where(incident_id != ""),
            "year": counted.dt.year,
            "month": counted.dt.month,
            "occurred_at": occurred.where(np.isin(status, ["ok", "after_counting_month"])),
            "occurred_status": status,
            "count": count,
            "flag_new": count > 0,
            "crime_code": code,
            "ucr_class": ucr_class,
            "description": description.where(description != "", code),
            "district": place_number(district, context.district_numbers),
            "neighborhood": place_number(neighborhood, context.neighborhood_numbers),
            "block": block(frame),
            "latitude": lat,
            "longitude": lon,
            "location_status": location_status,
            "firearm": firearm,
            # Before the rows that are not crimes are dropped: their incident may hold the sexual offense.
            "sexual_incident": sexual_incident(
                ucr_class.isin(list(context.sexual_classes)) | code.str.upper().isin(SEXUAL_NIBRS_CODES),
                row_keys(batch.file_index, incident_id),
            ),
        }
    )
    return canonical_table(rows[counts.to_numpy()].reset_index(drop=True), context), []


def read_count(frame: pd.DataFrame, report) -> pd.Series:
    if "count" not in frame:
        return pd.Series(1, index=frame.index)
    count = to_number(frame["count"])
    report(~count.isin([1, -1]), "count", "+1 or -1")
    return count


def occurred_with_time(frame: pd.DataFrame) -> pd.Series:
    """The occurred date, with the separate time column (when mapped and given) after a space."""
    if "occurred_time" not in frame:
        return frame["occurred"]
    time = frame["occurred_time"]
    return frame["occurred"].where((time == "") | (frame["occurred"] == ""), frame["occurred"] + " " + time)


def read_decimal(frame: pd.DataFrame, column: str, report) -> pd.Series:
    text = frame[column]
    number = to_number(text)
    report((text != "") & number.isna(), column, "a number, or empty")
    return number


def read_place(frame: pd.DataFrame, column: str, report) -> pd.Series:
    """The place number as text; anything but a whole number or a missing-value code stops the build."""
    text = frame[column]
    whole = text.str.fullmatch(WHOLE_NUMBER).fillna(False).astype(bool)
    report((text != "") & ~whole, column, "a whole number, or empty")
    return text.str.replace(r"\.0+$", "", regex=True)


def read_firearm(frame: pd.DataFrame, settings: CsvReader, report) -> pd.Series:
    if "firearm" not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="boolean")
    text = frame["firearm"]
    known = text.isin(settings.firearm_yes + settings.firearm_no)
    allowed = ", ".join(settings.firearm_yes + settings.firearm_no)
    report((text != "") & ~known, "firearm", f"one of {allowed}, or empty")
    return yes_no_unknown(text.isin(settings.firearm_yes), text.isin(settings.firearm_no))


def occurred_status(text: pd.Series, occurred: pd.Series, counted: pd.Series, separate: bool) -> np.ndarray:
    """ok, missing, placeholder or after_counting_month; these do not change a total."""
    conditions = [text == "", occurred < PLACEHOLDER_BEFORE]
    choices = ["missing", "placeholder"]
    if separate:
        counting_month_end = counted.dt.to_period("M").dt.to_timestamp() + pd.offsets.MonthBegin(1)
        conditions.append(occurred >= counting_month_end)
        choices.append("after_counting_month")
    return np.select(conditions, choices, default="ok")


def locate(
    coordinates: dict[str, pd.Series], index: pd.Index, context: ReadContext
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 coordinates inside the city's box, NaN elsewhere, and a status; 0 or empty is missing."""
    if "latitude" in coordinates:
        lat, lon = coordinates["latitude"], coordinates["longitude"]
        given = given_coordinates(lat, lon)
    elif "x" in coordinates:
        x, y = coordinates["x"], coordinates["y"]
        given = given_coordinates(x, y)
        lon, lat = geo.to_wgs84(x.where(given), y.where(given), context.source_crs)
    else:
        nothing = np.full(len(index), np.nan)
        return nothing, nothing, np.full(len(index), "missing")
    return in_bounds(lon, lat, given, context.bounds)


def block(frame: pd.DataFrame) -> pd.Series:
    """The block ('1200 block MAIN ST'), never the address: the house number rounded down to the hundred."""
    if "address" in frame:
        number, street = geo.split_address(frame["address"])
    elif "street" in frame:
        number = frame["house_number"] if "house_number" in frame else pd.Series("", index=frame.index)
        street = frame["street"]
    else:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return geo.to_block(number, street)
