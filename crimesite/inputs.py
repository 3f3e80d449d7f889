"""What the build knows of each raw file it read, for the pages and the published files (no reader code here:
the pages ask this module, not crimesite.sources)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileInfo:
    """What the data-quality page says about one raw file."""

    name: str
    sha256: str
    format: str
    layout: str
    rows: int  # rows of the incident table from this file: every legacy row; NIBRS: each counted crime kept
    count_sum: int
    had_bom: bool
    cp1252_bytes: int
    months: tuple[str, ...]  # counting months of its rows
    covers: tuple[str, ...]  # months this file is the source for (legacy: its months; NIBRS: its release's months)
    not_counted: int = 0  # rows read but left out as not crimes (generic CSV: codes with an empty UCR class)
    raw_rows: int = 0  # data rows in the file as published (the header not counted)
