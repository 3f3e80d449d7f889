"""Coordinate conversion and the block-level generalisation of addresses."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer

# The one label of a street field that cannot be read as a block: it is published as this text, never verbatim.
UNKNOWN_BLOCK = "unknown block"


@lru_cache(maxsize=4)
def _transformer(source_crs: str) -> Transformer:
    return Transformer.from_crs(source_crs, "EPSG:4326", always_xy=True)


def to_wgs84(x: pd.Series, y: pd.Series, source_crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude for projected x/y; NaN in gives NaN out."""
    lon, lat = _transformer(source_crs).transform(x.to_numpy(float), y.to_numpy(float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


# A block label is built from parsed parts, never passed through: the house number rounded down to the hundred
# ("3700 block", "0 block" for 1-99) and a street name, or the street name alone where the file gives no number
# (intersections, number 0). A street name is words of letters, ordinals (14TH), short route numbers after a
# route word or before a direction (I 64, 70 E, 246A) and the separators of intersections; anything else
# (coordinates, long numbers, brackets, colons) makes the label UNKNOWN_BLOCK.
WORD = r"[A-Z](?:[A-Z'.]*[A-Z.])?"
ROUTE_NUMBER = r"\d{1,3}[A-Z]{0,10}"  # 64, 70E, 64WB, 246A, 14TH
ROUTE_WORD = r"[A-Z]{1,3}-?\d{1,3}[A-Z]{0,3}"  # I64, I-70, E70, HWY40
TOKEN = rf"(?:{WORD}|{ROUTE_NUMBER}|{ROUTE_WORD})"
SEPARATOR = r"(?:\s*[/@&,]\s*|\s+-\s*|-\s+|\s+|(?<=\.))"
STREET_NAME = re.compile(rf"[@&/]?\s*{TOKEN}(?:{SEPARATOR}{TOKEN})*(?:\s*[/@&-])?")
MAX_STREET = 60  # characters: the longest real street fields are about 40
NO_STREET = frozenset({"UNKNOWN", "NULL", "NONE", "N/A", "NA"})  # placeholders, not a street anywhere
HAS_WORD = re.compile(r"[A-Z]{2}|\b[A-Z]\b")
# A house number first: "3712 MAIN ST", "#3712 MAIN ST", "3712A MAIN ST", "1201-1249 N GRAND BLVD".
NUMBER_FIRST = re.compile(r"#?\s*(\d+)[A-Z]?(?:\s*-\s*\d+[A-Z]?)?\s*,?\s+(.+)")
# ... or last: "S BROADWAY 3712", "S BROADWAY 4500 / I 55 SOUTHBO" (3 digits or more, not after a route word).
NUMBER_LAST = re.compile(r"(.+?)\s+#?(\d{3,})[A-Z]?(\s*/.*)?")
ROUTE_WORDS = {"I", "INTERSTATE", "HWY", "HIGHWAY", "US", "ROUTE", "RT", "EXIT", "MILE", "MM"}
# An interstate's number alone, or before a slash (or, for a two-digit one, a direction), is a route, not a
# house: "270 / RIVERVIEW DR", "70 E / N BROADWAY", "40 WEST". "620 S TAYLOR AVE" and "70 N BROADWAY" are houses.
DIRECTIONS = "E|W|N|S|EB|WB|NB|SB|EAST|WEST|NORTH|SOUTH|EASTBOUND|WESTBOUND|NORTHBOUND|SOUTHBOUND"
ROUTE_FIRST = re.compile(rf"(?:(?:40|44|55|64|70)(?:\s+(?:{DIRECTIONS}))?|170|255|270|755)\s*(?:[/@].*)?")
# A unit before the address ("APT 2, 3712 MAIN ST", "UNIT 4 - 3712 MAIN ST") or after the street ("EUCLID APT 412").
UNIT_BEFORE = re.compile(r"(?:APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|#)\.?\s*[\w-]+\s*(?:,|\s-)\s*(.+)")
UNIT_AFTER = re.compile(r"(.+?)\s+(?:APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|#)\.?\s*[\w-]*")


def normalize_text(text: str) -> str:
    """NFKC (full-width digits become digits), upper case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).upper().split())


def street_name(text: str) -> str | None:
    """The text when it reads as a street name (or an intersection of them), else None."""
    if text in NO_STREET or len(text) > MAX_STREET:
        return None
    return text if STREET_NAME.fullmatch(text) and HAS_WORD.search(text) else None


def parse_street(text: str) -> tuple[int | None, str | None]:
    """A street field (or a whole address) as (house number, street name). The number is None when there is
    none; the name is None when the text is no street (the label is then UNKNOWN_BLOCK)."""
    text = normalize_text(text).rstrip(",;")
    unit = UNIT_BEFORE.fullmatch(text)
    if unit and unit.group(1)[:1].isdigit():
        text = unit.group(1)
    if ROUTE_FIRST.fullmatch(text):
        return None, street_name(text)
    first = NUMBER_FIRST.fullmatch(text)
    if first:
        return int(first.group(1)), street_name(without_unit(first.group(2)))
    text = without_unit(text)
    last = NUMBER_LAST.fullmatch(text)
    if last and last.group(1).split()[-1] not in ROUTE_WORDS:
        name = street_name(without_unit(last.group(1)))
        rest = last.group(3)
        if rest is not None and name is not None:
            tail = street_name(rest.strip())
            name = f"{name} {tail}" if tail is not None else None
        return int(last.group(2)), name
    return None, street_name(text)


def without_unit(text: str) -> str:
    after = UNIT_AFTER.fullmatch(text)
    return after.group(1) if after and street_name(after.group(1)) else text


def parse_house_number(text: str) -> int | None:
    """A house-number field: '3712', '#3712', '3712A', '4226-4' -> 3712 / 4226; None when it is no number."""
    match = re.fullmatch(r"#?\s*(\d+)[A-Z]?(?:\s*-\s*\d*[A-Z]?)?", normalize_text(text))
    return int(match.group(1)) if match else None


# The longest house number in the real files has 6 digits; a longer "number" is a coordinate or an ID (state-plane
# figures have 7 to 9 digits), never a house, and is not rounded into a label.
MAX_HOUSE_NUMBER = 999_999


def block_label(number: int | None, name: str | None) -> str:
    if name is None or (number is not None and number > MAX_HOUSE_NUMBER):
        return UNKNOWN_BLOCK
    if number is None or number == 0:  # 0 marks an intersection ("STREET1 / STREET2"), which is no address
        return name
    return f"{number // 100 * 100} block {name}"


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
    """'3700 block S BROADWAY' from '3712' and 'S BROADWAY' (or from '' and '3712 S BROADWAY'); the street
    name alone when there is no number; UNKNOWN_BLOCK when the street field is no street name; empty when
    there is no street. The number field wins over a number in the street field; a number field that is no
    number makes the label UNKNOWN_BLOCK.

    There are some thousand distinct streets and numbers in 700,000 rows: each distinct value is parsed once."""
    street = pd.Series(street, dtype="string").fillna("")
    number = pd.Series(number, dtype="string").fillna("")
    # Factorized as Arrow strings, and the labels spread by Arrow's take: no Python string per row.
    street_codes, distinct_streets = pd.factorize(street)
    streets = distinct_streets.tolist()
    parsed = [parse_street(text) if normalize_text(text) else None for text in streets]  # None: no street
    number_codes, distinct_numbers = pd.factorize(number)
    house = [parse_house_number(text) if normalize_text(text) else -1 for text in distinct_numbers.tolist()]
    inverse, pairs = pd.factorize(street_codes.astype(np.int64) * len(house) + number_codes)
    labels = [_pair_label(parsed[s], house[n]) for s, n in zip(*np.divmod(pairs, len(house)), strict=True)]
    return pd.Series(pd.array(labels, dtype="string").take(inverse), index=street.index)


def _pair_label(street: tuple[int | None, str | None] | None, given: int | None) -> str | None:
    """The block label of a parsed street field (None: empty) and house-number field (-1: empty)."""
    if street is None:
        return None
    if given is None:
        return UNKNOWN_BLOCK
    embedded, name = street
    return block_label(given if given > 0 else embedded, name)


def split_address(location: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A whole address as to_block's (number, street): the street field holds it all, to_block takes it apart."""
    return pd.Series("", index=location.index, dtype="string"), pd.Series(location, dtype="string").fillna("")
