"""Coordinate conversion and the block-level generalisation of addresses."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer


@lru_cache(maxsize=4)
def _transformer(source_crs: str) -> Transformer:
    return Transformer.from_crs(source_crs, "EPSG:4326", always_xy=True)


def to_wgs84(x: pd.Series, y: pd.Series, source_crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude for projected x/y; NaN in gives NaN out."""
    lon, lat = _transformer(source_crs).transform(x.to_numpy(float), y.to_numpy(float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def inside_rings(lon: np.ndarray, lat: np.ndarray, rings: tuple[np.ndarray, ...]) -> np.ndarray:
    """Whether each point lies inside the polygon the rings make (outer rings and holes alike, by the even-odd
    rule): a ray from the point eastwards crosses its edges an odd number of times. Vectorised over the points,
    one edge at a time; a point exactly on an edge may fall either way."""
    inside = np.zeros(len(lon), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, np.roll(ring, -1, axis=0), strict=True):
                spans = (y1 > lat) != (y2 > lat)
                inside ^= spans & (lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1))
    return inside


def to_block(number: pd.Series, street: pd.Series) -> pd.Series:
    """'3700 block S BROADWAY' from '3712' and 'S BROADWAY'; the street alone when there is no number."""
    street = street.str.strip()
    # Only a few rows have a number in the street field: find them with Arrow's vectorised match, then take
    # them apart (pandas' extract goes row by row in Python).
    suspect = street.str.match(HOUSE_NUMBER_IN_STREET).fillna(False).astype(bool)
    if suspect.any():
        embedded = street[suspect].str.extract(HOUSE_NUMBER_IN_STREET)
        street = street.copy()
        street[suspect] = with_hundreds(pd.to_numeric(embedded[0]), embedded[1])
    # A street number of 0 marks an intersection ("STREET1 / STREET2"), which is no address.
    block = with_hundreds(pd.to_numeric(number.str.strip(), errors="coerce"), street)
    return block.where(street != "").astype("string")


# Some street fields hold an address themselves ("3035 CASS / VASHON H", "2020 DUNNICA AVE"): a number of
# three or more digits before a name. It is rounded down to the hundred like any house number. Highway
# names ("270 / RIVERVIEW DR", "70 E / N BROADWAY") have no name right after the number, or fewer digits.
HOUSE_NUMBER_IN_STREET = r"^(\d{3,})\s+([A-Za-z].*)$"


def with_hundreds(number: pd.Series, street: pd.Series) -> pd.Series:
    """'3700 block STREET' where the number is above 0, the street as it is elsewhere."""
    has_number = number.notna() & (number > 0)
    labelled = (number // 100 * 100).astype("Int64").astype("string") + " block " + street
    return street.where(~has_number, labelled)


def split_address(location: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'8025 S BROADWAY' -> ('8025', 'S BROADWAY'); a location without a leading number is all street."""
    parts = location.str.extract(r"^\s*(\d+)\s+(.*)$")
    number = parts[0].fillna("")
    street = parts[1].where(parts[1].notna(), location).fillna("")
    return number, street
