#!/usr/bin/env python3
"""Write deterministic synthetic SLMPD raw files (legacy UCR and NIBRS monthly files) at any scale.

The files are in the real formats, as the readers in crimesite/sources/ accept them: the three legacy
header layouts (18 columns to May 2013, 20 from June 2013, 26 in May 2017, `Ycoord` in some months),
space-padded crime codes, unset flags as a space, -1 rows (unfounded, administrative), dates with and
without leading zeros, placeholder and late dates, missing and far-away coordinates, stray cp1252
bytes, BOMs, LF and CRLF files; NIBRS files with one row per offense and victim, re-sent older
incidents with a later LastSuppDate, unquoted or fully quoted forms, ISO or US dates, NULL or empty
missing values, padded incident numbers, `G-88` neighborhood codes and the NIBRS spelling of names.

The mix of crime codes, NIBRS offenses, neighborhoods (share of crimes, centre and spread in State
Plane feet, district in each era) and streets with their block numbers comes from the tables in
benchmarks/output/reference/, which derive_reference.py writes from the real files in the repository's data/ (counts
only, no rows). Scale 1 is 650,000 rows:
legacy months 2008-2020 and NIBRS months 2021-2024, shared as in the real publication; scale 10 has
ten times the rows in every month. `--extra` also writes the month after the last NIBRS month into
OUT/extra/ (the "add one month" benchmark). The same seed and scale always write the same bytes.

`--combined` writes instead SLMPD's one release for 2021-2023 (`2021-2023.csv`, about 180,000 rows and 41 MB at
scale 1) and a 2024 release that re-sends some of its 2023 incidents, changed, into OUT/combined/.

example:
  python benchmarks/synthetic.py /tmp/synthetic --scale 1 --extra --check
  python benchmarks/synthetic.py /tmp/combined --combined --check
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "output" / "reference"  # written by derive_reference.py from data/raw/ and data/reference/
ROWS_AT_SCALE_1 = 650_000
LEGACY_MONTHS = ("2008-01", "2020-12")
NIBRS_MONTHS = ("2021-01", "2024-12")
# NIBRS incidents re-sent in the first months come from incidents of the year before the switch.
POOL_START = "2020-01"
RESEND_MONTHS = 24
NIBRS_BASE = 5700  # rows of a NIBRS release a month, before the seasons
NEW_SHARE = 0.70  # of a NIBRS file's rows: incidents of its own month; the rest are re-sent older ones
SEASON = np.array([0.92, 0.80, 0.95, 0.98, 1.05, 1.07, 1.10, 1.09, 1.04, 1.03, 0.95, 0.90])
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
DAY_MINUTES = 24 * 60
STATE_PLANE = "ESRI:102696"  # Missouri State Plane East, NAD83, US feet (site.yml's source_crs)
BLOCK_FEET = 330.0  # a St. Louis block, roughly: consecutive hundreds lie this far apart

LEGACY_18 = (
    "MonthReportedtoMSHP,DateOccured,NewCrimeIndicator,UnfoundedCrimeIndicator,"
    "AdministrativeAdjustmentIndicator,Count,Crime,District,Description,ILEADSAddress,ILEADSStreet,"
    "Neighborhood,LocationName,LocationComment,CADAddress,CADStreet,XCoord,YCoord"
)
LEGACY_20 = (
    "Complaint,CodedMonth,DateOccur,FlagCrime,FlagUnfounded,FlagAdministrative,Count,FlagCleanup,Crime,"
    "District,Description,ILEADSAddress,ILEADSStreet,Neighborhood,LocationName,LocationComment,"
    "CADAddress,CADStreet,XCoord,YCoord"
)
LEGACY_26 = (
    "Complaint,Coded Month,Date Occur,Flag-Crime,Flag-Unfounded,Flag-Administrative,Count,Flag Cleanup,"
    "Crime,ILeads Add,ILeads Approve,District,Beat,Description,ILEADS-Address,ILEADS-Street,Neighborhood,"
    "ILeads Asg,ILeads Type,Location Name,Location Comment,CAD-Address,CAD-Street,X-Coord,Y-Coord,"
    "Date Crime Coded"
)
NIBRS_HEADER = (
    "IncidentDate,OccurredFromTime,IncidentNum,Offense,NIBRS,NIBRSCategory,SRS_UCR,CrimeAgainst,"
    "FelMisdCit,IncidentTopSRS_UCR,IncidentLocation,IntersectionOtherLoc,District,Neighborhood,"
    "NbhdNum,Latitude,Longitude,IncidentSupplemented,LastSuppDate,VictimNum,FirearmUsed,"
    "IncidentNature"
)

# (count, FlagCrime, FlagUnfounded, FlagAdministrative, share of rows), as in the 2008-2019 files.
LEGACY_FLAGS = (
    ("-1", " ", "Y", " ", 0.0043),  # unfounded
    ("-1", " ", " ", "Y", 0.0048),  # administrative adjustment
    ("-1", " ", " ", " ", 0.0063),  # other reversal of an earlier month's crime
    ("1", " ", " ", "Y", 0.0049),
    ("1", " ", " ", " ", 0.0017),
)
# Share of NIBRS incidents that used a firearm, by NIBRS code of the first offense; others: OTHER_FIREARM.
FIREARM_SHARE = {"09A": 0.9, "13A": 0.6, "120": 0.45, "520": 0.8}
OTHER_FIREARM = 0.03
BOM_MONTHS = ("2017-01", "2018-05")  # as in the real files; the first also has cp1252 bytes
STREET_SUFFIX = r" (AVE|ST|BLVD|DR|PL|CT|LN|RD|TER|PKWY|PLZ|WAY|SQ|ROW|HWY)$"


@dataclass(frozen=True)
class Spec:
    """What decides the generated bytes."""

    scale: float = 1.0
    seed: int = 2024

    def key(self) -> str:
        """Changes when the parameters, this file or the reference tables change: reuse generated data only then."""
        ensure_reference()
        digest = hashlib.sha256(f"{self.scale!r}/{self.seed}/{LEGACY_MONTHS}/{NIBRS_MONTHS}".encode())
        for path in [Path(__file__).resolve(), *sorted(REFERENCE.glob("*.csv"))]:
            digest.update(path.read_bytes())
        return digest.hexdigest()[:12]


Columns = dict[str, np.ndarray]  # a table as equally long numpy arrays (much faster to index than a DataFrame)


@dataclass(frozen=True)
class Tables:
    codes: Columns  # legacy crime codes: code, description, p (share of rows)
    streets: Columns  # one row per (neighborhood, street): its blocks' position, the neighborhood's districts
    offenses: Columns  # NIBRS offenses: p_first, the share of incidents they start; p_other, of the later rows


# ---------------------------------------------------------------- reference tables and month sizes


REFERENCE_TABLES = ("legacy_codes.csv", "neighborhoods.csv", "streets.csv", "nibrs_offenses.csv")


def ensure_reference() -> None:
    """Derive the reference tables from the repository's real files when they are not there yet."""
    if all((REFERENCE / name).exists() for name in REFERENCE_TABLES):
        return
    import derive_reference

    if derive_reference.main() != 0:
        raise SystemExit(f"{REFERENCE} is missing and data/raw/ is not there to derive it")


def read_reference(name: str) -> pd.DataFrame:
    ensure_reference()
    return pd.read_csv(REFERENCE / name, keep_default_na=False, dtype=str)


def as_columns(frame: pd.DataFrame) -> Columns:
    return {name: frame[name].to_numpy(dtype=object) for name in frame.columns}


def take(columns: Columns, index: np.ndarray) -> Columns:
    return {name: values[index] for name, values in columns.items()}


@cache
def tables(seed: int) -> Tables:
    codes = read_reference("legacy_codes.csv")
    hoods = read_reference("neighborhoods.csv").set_index("number", drop=False)
    streets = read_reference("streets.csv")
    offenses = read_reference("nibrs_offenses.csv")
    first = offenses[offenses["role"] == "first"]
    other = offenses[offenses["role"] == "other"]
    both = as_columns(pd.concat([first, other], ignore_index=True))
    both["p_first"] = np.concatenate([share(first["rows"]), np.zeros(len(other))])
    both["p_other"] = np.concatenate([np.zeros(len(first)), share(other["rows"])])
    both["srs"] = pd.to_numeric(pd.Series(both["SRS_UCR"]), errors="coerce").to_numpy(dtype=float)
    return Tables(
        codes={**as_columns(codes), "p": share(codes["rows"])},
        streets=place_streets(streets, hoods, seed),
        offenses=both,
    )


def share(counts: pd.Series) -> np.ndarray:
    weights = counts.astype(float).to_numpy()
    return weights / weights.sum()


def place_streets(streets: pd.DataFrame, hoods: pd.DataFrame, seed: int) -> Columns:
    """Each street of a neighborhood is a straight line of blocks near the neighborhood's centre, running
    along one of the two axes of the (slightly rotated) street grid."""
    rng = np.random.default_rng([seed, 1])
    hood = hoods.loc[streets["neighborhood"]]
    spread_x = hood["spread_x"].astype(float).to_numpy()
    spread_y = hood["spread_y"].astype(float).to_numpy()
    first = streets["first_hundred"].astype(int).to_numpy()
    last = np.maximum(streets["last_hundred"].astype(int).to_numpy(), first)
    angle = np.where(rng.random(len(streets)) < 0.5, 0.0, np.pi / 2) + np.deg2rad(8)
    return {
        "street": streets["street"].to_numpy(dtype=object),
        "neighborhood": streets["neighborhood"].to_numpy(dtype=object),
        "p": share(streets["rows"]),
        "first": first,
        "blocks": last - first + 1,
        "x0": hood["x"].astype(float).to_numpy() + rng.normal(0, 0.5, len(streets)) * spread_x,
        "y0": hood["y"].astype(float).to_numpy() + rng.normal(0, 0.5, len(streets)) * spread_y,
        "dx": np.cos(angle),
        "dy": np.sin(angle),
        "district_9": hood["district_9"].to_numpy(dtype=object),
        "district_6": hood["district_6"].to_numpy(dtype=object),
        "nibrs_name": hood["nibrs_name"].to_numpy(dtype=object),
    }


def months(first: str, last: str) -> pd.PeriodIndex:
    return pd.period_range(first, last, freq="M")


def month_weight(month: pd.Period) -> float:
    """Rows of a month relative to others: legacy files shrink from about 5,400 rows a month in 2008 to 3,700 in
    2020, NIBRS files (one row per offense, with re-sent incidents) hold about 5,700; both peak in summer."""
    if month < pd.Period(NIBRS_MONTHS[0], "M"):
        years = (month.ordinal - pd.Period(LEGACY_MONTHS[0], "M").ordinal) / 12
        base = 5400 - 130 * years
    else:
        base = NIBRS_BASE
    return base * SEASON[month.month - 1]


@cache
def month_rows(spec: Spec) -> dict[pd.Period, int]:
    """Rows of every legacy and NIBRS month: 650,000 in all at scale 1, spread by month_weight. The rows of
    each month at scale k are k times those at scale 1, so that scales compare month by month."""
    every = months(LEGACY_MONTHS[0], LEGACY_MONTHS[1]).append(months(NIBRS_MONTHS[0], NIBRS_MONTHS[1]))
    weights = np.array([month_weight(m) for m in every])
    exact = weights / weights.sum() * ROWS_AT_SCALE_1
    rows = np.floor(exact).astype(int)
    rows[np.argsort(exact - rows)[::-1][: ROWS_AT_SCALE_1 - rows.sum()]] += 1  # largest remainders
    return {m: round(r * spec.scale) for m, r in zip(every, rows, strict=True)}


def rows_of(spec: Spec, month: pd.Period) -> int:
    """A month's rows, also for the months before and after the generated range (NIBRS pool, extra month)."""
    known = month_rows(spec)
    if month in known:
        return known[month]
    last = pd.Period(NIBRS_MONTHS[1], "M")
    return round(NIBRS_BASE * SEASON[month.month - 1] * known[last] / month_weight(last))


# ---------------------------------------------------------------- shared pieces


def rng_for(spec: Spec, kind: int, month: pd.Period) -> np.random.Generator:
    return np.random.default_rng([spec.seed, kind, month.year, month.month])


def csv_field(values: pa.Array) -> pa.Array:
    """A CSV field: quoted (with doubled quotes) where the value holds a comma or a quote."""
    needs = pc.or_(pc.match_substring(values, ","), pc.match_substring(values, '"'))
    if not pc.any(needs).as_py():
        return values
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def strings(values: np.ndarray | pd.Series | list) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def zero_padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(strings(numbers), width, "0")


def without_leading_zeros(text: pa.Array) -> pa.Array:
    """'01/05/2024 08:10' -> '1/5/2024 8:10', as some months write dates."""
    for pattern, replacement in ((r"^0(\d)", r"\1"), (r"/0(\d)", r"/\1"), (r" 0(\d)", r" \1")):
        text = pc.replace_substring_regex(text, pattern, replacement)
    return text


def timestamps(minutes: np.ndarray) -> pa.Array:
    return pa.array(minutes.astype("datetime64[m]").astype("datetime64[s]"))


@dataclass
class Places:
    """Where each row happened: block, address, State Plane coordinates, neighborhood and districts."""

    number: np.ndarray  # house number, 0 at an intersection
    street: np.ndarray  # object array of street names ("A / B" at an intersection)
    x: np.ndarray
    y: np.ndarray
    neighborhood: np.ndarray  # strings
    district_9: np.ndarray
    district_6: np.ndarray
    nibrs_name: np.ndarray


def draw_places(rng: np.random.Generator, streets: Columns, n: int) -> Places:
    """Blocks of the real street index, weighted by their crimes; 8% of rows at an intersection of two streets
    of the same neighborhood."""
    pick = rng.choice(len(streets["p"]), size=n, p=streets["p"])
    chosen = take(streets, pick)
    block = (rng.random(n) * chosen["blocks"]).astype(int)
    along = (block - chosen["blocks"] / 2 + rng.random(n)) * BLOCK_FEET
    across = rng.normal(0, 25, n)
    number = (chosen["first"] + block) * 100 + rng.integers(0, 100, n)
    street = chosen["street"].copy()
    corner = rng.random(n) < 0.08
    # The cross street: another street of the same neighborhood (a neighbour in the street index).
    cross = np.minimum(pick[corner] + 1 + rng.integers(0, 5, corner.sum()), len(streets["p"]) - 1)
    same = streets["neighborhood"][cross] == chosen["neighborhood"][corner]
    cross = np.where(same, cross, np.maximum(pick[corner] - 1, 0))
    joined = pc.binary_join_element_wise(strings(street[corner]), strings(streets["street"][cross]), " / ")
    street[corner] = pc.utf8_slice_codeunits(joined, 0, 30).to_numpy(zero_copy_only=False)
    number[corner] = 0
    return Places(
        number=number,
        street=street,
        x=chosen["x0"] + along * chosen["dx"] - across * chosen["dy"],
        y=chosen["y0"] + along * chosen["dy"] + across * chosen["dx"],
        neighborhood=chosen["neighborhood"],
        district_9=chosen["district_9"],
        district_6=chosen["district_6"],
        nibrs_name=chosen["nibrs_name"],
    )


def join_lines(header: str, columns: list[pa.Array], newline: str, quote_all: bool = False) -> str:
    """The CSV text: fields quoted where needed, or all of them (as some NIBRS releases are)."""
    if quote_all:
        columns = [pc.binary_join_element_wise('"', pc.replace_substring(c, '"', '""'), '"', "") for c in columns]
    else:
        columns = [csv_field(c) for c in columns]
    lines = pc.binary_join_element_wise(*columns, ",").to_pylist()
    return newline.join([header, *lines]) + newline


# ---------------------------------------------------------------- legacy files


@dataclass(frozen=True)
class LegacyQuirks:
    layout: str  # "18", "20" or "26"
    short_dates: bool  # M/D/YYYY H:MM
    ycoord: bool  # header spells Ycoord
    bom: bool
    cp1252_rows: int  # rows whose location name holds a cp1252 apostrophe (0x92)
    newline: str


def legacy_quirks(spec: Spec, month: pd.Period) -> LegacyQuirks:
    rng = rng_for(spec, 99, month)
    draws = rng.random(6)
    if month == pd.Period("2017-05", "M"):
        layout = "26"
    elif month < pd.Period("2013-06", "M"):
        layout = "18"
    else:
        layout = "20"
    return LegacyQuirks(
        layout=layout,
        short_dates=layout == "26" or (month.year >= 2011 and draws[0] < 0.2),
        ycoord=layout == "20" and draws[1] < 0.05,
        bom=str(month) in BOM_MONTHS,
        cp1252_rows=int(rng.integers(1, 6)) if draws[3] < 0.12 or str(month) == BOM_MONTHS[0] else 0,
        newline="\n" if draws[4] < 0.03 else "\r\n",
    )


def legacy_file(spec: Spec, month: pd.Period) -> bytes:
    """One month's legacy file, as bytes on disk."""
    rng = rng_for(spec, 1, month)
    quirks = legacy_quirks(spec, month)
    table = tables(spec.seed)
    n = rows_of(spec, month)
    codes = take(table.codes, rng.choice(len(table.codes["p"]), size=n, p=table.codes["p"]))
    places = draw_places(rng, table.streets, n)
    flags = pick_flags(rng, n)
    occurred = occurrence_minutes(rng, month, n, reversal=flags[0] == "-1")
    order = np.argsort(occurred, kind="stable")  # the files list crimes by occurrence

    code = codes["code"].astype(int)
    code_text = strings(code)
    if quirks.layout != "26":  # codes below 100000 lose their zero but are padded back to six characters
        code_text = pc.utf8_lpad(code_text, 6, " ")
    date_text = pc.strftime(timestamps(occurred), format="%m/%d/%Y %H:%M")
    if quirks.short_dates:
        date_text = without_leading_zeros(date_text)
    x, y = legacy_coordinates(rng, places.x, places.y)
    district = places.district_9 if month < pd.Period("2014-01", "M") else places.district_6
    district = np.where(rng.random(n) < 0.004, "0", district)
    neighborhood = np.where(rng.random(n) < 0.005, "0", places.neighborhood)
    address = np.where(rng.random(n) < 0.001, "", strings(places.number).to_numpy(zero_copy_only=False))
    street = strings(places.street)
    cad_street = pc.replace_substring_regex(pc.replace_substring_regex(street, r"^[NSEW] ", ""), STREET_SUFFIX, "")
    location_name = np.full(n, " ", dtype=object)
    location_name[rng.choice(n, size=min(quirks.cp1252_rows, n), replace=False)] = "MARSHAM\u2019S LOUNGE"
    comment = np.where(rng.random(n) < 0.04, np.array(["APT 1S", "APT 2S", "APT 3S"])[rng.integers(0, 3, n)], " ")
    description = strings(codes["description"])
    if quirks.layout == "26":  # May 2017 pads descriptions and streets with spaces
        description = pc.utf8_rpad(description, 50, " ")
        street = pc.utf8_rpad(street, 20, " ")
    coded = f"{month.year:04d}-{month.month:02d}"
    columns = {
        "coded": pa.array(np.full(n, coded)),
        "date": date_text,
        "flag_crime": strings(flags[1]),
        "flag_unfounded": strings(flags[2]),
        "flag_admin": strings(flags[3]),
        "count": strings(flags[0]),
        "crime": code_text,
        "district": strings(district),
        "description": description,
        "address": strings(address),
        "street": street,
        "neighborhood": strings(neighborhood),
        "location_name": strings(location_name),
        "comment": strings(comment),
        "cad_address": strings(address),
        "cad_street": cad_street,
        "x": x,
        "y": y,
    }
    if quirks.layout != "18":
        columns["complaint"] = complaint_numbers(rng, spec, occurred, month)
        columns["cleanup"] = pa.array(np.full(n, " "))
    columns = {name: column.take(pa.array(order)) for name, column in columns.items()}
    header, ordered = legacy_layout(quirks, columns, month, rng, n)
    text = join_lines(header, ordered, quirks.newline)
    data = text.encode("cp1252" if quirks.cp1252_rows else "ascii")
    return b"\xef\xbb\xbf" + data if quirks.bom else data


def pick_flags(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Count, FlagCrime, FlagUnfounded and FlagAdministrative of each row."""
    shares = [row[4] for row in LEGACY_FLAGS]
    kinds = rng.choice(len(LEGACY_FLAGS) + 1, size=n, p=[*shares, 1 - sum(shares)])
    normal = ("1", "Y", " ", " ")
    columns = [np.array([row[i] for row in LEGACY_FLAGS] + [normal[i]])[kinds] for i in range(4)]
    return columns[0], columns[1], columns[2], columns[3]


def occurrence_minutes(rng: np.random.Generator, month: pd.Period, n: int, reversal: np.ndarray) -> np.ndarray:
    """When each crime occurred, in minutes since 1970: mostly in the coded month or a few days before, some
    years before (late reports), a few after the coded month, a handful on the placeholder 01/01/1900."""
    start = np.datetime64(month.start_time.date(), "m").astype(np.int64)
    length = month.days_in_month * DAY_MINUTES
    minutes = start + (rng.random(n) * length).astype(np.int64)
    minutes -= (rng.exponential(4 * DAY_MINUTES, n) * np.where(reversal, 15, 1)).astype(np.int64)
    minutes = np.maximum(minutes, start - 20 * 365 * DAY_MINUTES)
    kind = rng.random(n)
    old = kind < 0.08
    minutes[old] = start - (rng.random(old.sum()) * 3 * 365 * DAY_MINUTES).astype(np.int64)
    very_old = (kind >= 0.08) & (kind < 0.10)
    minutes[very_old] = start - ((3 + rng.random(very_old.sum()) * 27) * 365 * DAY_MINUTES).astype(np.int64)
    late = (kind >= 0.10) & (kind < 0.1005)
    minutes[late] = start + length + (rng.random(late.sum()) * 20 * DAY_MINUTES).astype(np.int64)
    placeholder = (kind >= 0.1005) & (kind < 0.10053)
    minutes[placeholder] = np.datetime64("1900-01-01T00:00", "m").astype(np.int64)
    return minutes


def legacy_coordinates(rng: np.random.Generator, x: np.ndarray, y: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """XCoord with one decimal, YCoord whole feet mostly; 2.3% of rows 0 or empty, a few far outside the city."""
    x = np.round(x, 1)
    y = np.where(rng.random(len(y)) < 0.7, np.round(y), np.round(y, 1))
    kind = rng.random(len(x))
    x_text, y_text = strings(x), strings(y)
    zero = pa.array(kind < 0.021)
    empty = pa.array((kind >= 0.021) & (kind < 0.023))
    far = pa.array((kind >= 0.023) & (kind < 0.0232))
    x_text = pc.if_else(far, "203.56", pc.if_else(empty, "", pc.if_else(zero, "0", x_text)))
    y_text = pc.if_else(far, "12451.84", pc.if_else(empty, "", pc.if_else(zero, "0", y_text)))
    return x_text, y_text


def complaint_numbers(rng: np.random.Generator, spec: Spec, occurred: np.ndarray, month: pd.Period) -> pa.Array:
    """YY-NNNNNN: the year the crime was reported (its occurrence year when that was later than 2000)."""
    year = occurred.astype("datetime64[m]").astype("datetime64[Y]").astype(int) + 1970
    year = np.where(year < 2000, month.year, year)
    top = max(1000, min(999_999, int(65_000 * spec.scale)))
    number = zero_padded(rng.integers(1, top, len(occurred)), 6)
    return pc.binary_join_element_wise(zero_padded(year % 100, 2), number, "-")


def legacy_layout(
    quirks: LegacyQuirks, c: dict[str, pa.Array], month: pd.Period, rng: np.random.Generator, n: int
) -> tuple[str, list[pa.Array]]:
    common_tail = [c["location_name"], c["comment"], c["cad_address"], c["cad_street"], c["x"], c["y"]]
    if quirks.layout == "18":
        flags = [c["flag_crime"], c["flag_unfounded"], c["flag_admin"], c["count"], c["crime"], c["district"]]
        body = [c["coded"], c["date"], *flags, c["description"], c["address"], c["street"], c["neighborhood"]]
        return LEGACY_18, [*body, *common_tail]
    if quirks.layout == "20":
        header = LEGACY_20.replace("YCoord", "Ycoord") if quirks.ycoord else LEGACY_20
        flags = [c["flag_crime"], c["flag_unfounded"], c["flag_admin"], c["count"], c["cleanup"], c["crime"]]
        body = [c["complaint"], c["coded"], c["date"], *flags, c["district"], c["description"], c["address"]]
        return header, [*body, c["street"], c["neighborhood"], *common_tail]
    day = f"{month.month}/{int(month.days_in_month * 0.5)}/{month.year}"
    coded_on = f"{(month + 1).month}/1/{(month + 1).year}"
    beat = pc.binary_join_element_wise(c["district"], zero_padded(rng.integers(1, 40, n), 2), "")
    assigned = strings(rng.integers(300, 320, n))
    flags = [c["flag_crime"], c["flag_unfounded"], c["flag_admin"], c["count"], c["cleanup"], c["crime"]]
    body = [
        c["complaint"],
        c["coded"],
        c["date"],
        *flags,
        pa.array(np.full(n, f"{day} 16:16")),
        pa.array(np.full(n, day)),
        c["district"],
        beat,
        c["description"],
        c["address"],
        c["street"],
        c["neighborhood"],
        assigned,
        pa.array(np.full(n, "")),
    ]
    tail = [c["location_name"], c["comment"], c["cad_address"], c["cad_street"], c["x"], c["y"]]
    return LEGACY_26, [*body, *tail, pa.array(np.full(n, coded_on))]


# ---------------------------------------------------------------- NIBRS files

ROWS_PER_INCIDENT = np.array([0.69, 0.20, 0.055, 0.022, 0.013, 0.006, 0.004, 0.01])


@dataclass
class Pool:
    """The incidents first reported in one month: `rows` has one row per offense (and victim), `sizes` the
    rows of each incident (incident numbers number, number + 1, ...)."""

    rows: Columns
    first_number: int
    sizes: np.ndarray


def nibrs_pools(spec: Spec, last: pd.Period) -> dict[pd.Period, Pool]:
    """Incidents of every month from POOL_START to `last`, generated in order (incident numbers run on within
    a year), so a month's incidents are the same whichever files are written."""
    pools: dict[pd.Period, Pool] = {}
    counters: dict[int, int] = {}
    victims = 0
    for month in months(POOL_START, str(last)):
        first_number = (month.year % 100) * 1_000_000 + counters.get(month.year, 0) + 1
        pool = nibrs_incidents(spec, month, first_number, victims)
        counters[month.year] = counters.get(month.year, 0) + len(pool.sizes)
        victims += int((pool.rows["victim"] > 0).sum())
        pools[month] = pool
    return pools


def incident_sizes(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Rows of each incident (one per offense and victim), adding up to `rows`."""
    sizes = rng.choice(len(ROWS_PER_INCIDENT), size=rows, p=ROWS_PER_INCIDENT / ROWS_PER_INCIDENT.sum()) + 1
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), rows)) + 1]
    sizes[-1] -= int(sizes.sum()) - rows
    return sizes[sizes > 0]


def nibrs_incidents(spec: Spec, month: pd.Period, first_number: int, first_victim: int) -> Pool:
    rng = rng_for(spec, 2, month)
    table = tables(spec.seed)
    offenses = table.offenses
    sizes = incident_sizes(rng, round(rows_of(spec, month) * NEW_SHARE))
    incidents = len(sizes)
    start = month_start(month)
    date = start + (rng.random(incidents) * month.days_in_month * DAY_MINUTES).astype(np.int64)
    first = rng.choice(len(offenses["p_first"]), size=incidents, p=offenses["p_first"])
    firearm_share = np.array([FIREARM_SHARE.get(code, OTHER_FIREARM) for code in offenses["NIBRS"]])
    firearm = rng.random(incidents) < firearm_share[first]
    places = draw_places(rng, table.streets, incidents)
    end = start + month.days_in_month * DAY_MINUTES
    supp = np.where(rng.random(incidents) < 0.35, -1, date + (rng.random(incidents) * (end - date)).astype(np.int64))

    incident = np.repeat(np.arange(incidents), sizes)
    position = np.arange(len(incident)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    other = rng.choice(len(offenses["p_other"]), size=len(incident), p=offenses["p_other"])
    offense = np.where(position == 0, first[incident], other)
    person = offenses["CrimeAgainst"][offense] == "Person"
    top = incident_tops(offenses["srs"][offense], sizes)[incident]
    rows = {
        "number": first_number + incident,
        "offense": offense,
        "nature": first[incident],
        "top": top,
        "victim": np.where(person, first_victim + np.cumsum(person), 0),
        "date": date[incident],
        "firearm": firearm[incident],
        "supp": supp[incident],
        "address_number": places.number[incident],
        "street": places.street[incident],
        "x": places.x[incident],
        "y": places.y[incident],
        "neighborhood": places.neighborhood[incident],
        "name": places.nibrs_name[incident],
        "district": places.district_6[incident],
        "other_location": rng.random(incidents)[incident],
    }
    return Pool(rows, first_number, sizes)


def incident_tops(srs: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Each incident's most serious UCR class (the lowest number) from the classes of its rows, in incident order
    (`sizes` rows each); NaN when none of its offenses has one."""
    top = np.minimum.reduceat(np.nan_to_num(srs, nan=99.0), np.cumsum(sizes) - sizes)
    return np.where(top == 99.0, np.nan, top)


def month_start(month: pd.Period) -> int:
    return int(np.datetime64(month.start_time.date(), "m").astype(np.int64))


def nibrs_release(spec: Spec, month: pd.Period, pools: dict[pd.Period, Pool]) -> Columns:
    """The rows of one month's release: its own month's incidents and re-sent older ones (updated this month),
    weighted towards the last few months."""
    rng = rng_for(spec, 3, month)
    own = pools[month].rows
    wanted = rows_of(spec, month) - len(own["number"])
    earlier = [pools[month - back] for back in range(1, RESEND_MONTHS + 1) if month - back in pools]
    if wanted <= 0 or not earlier:
        return own
    numbers = np.concatenate([pool.first_number + np.arange(len(pool.sizes)) for pool in earlier])
    sizes = np.concatenate([pool.sizes for pool in earlier])
    weights = np.concatenate([np.full(len(pool.sizes), 0.55**i) for i, pool in enumerate(earlier)])
    take_n = min(len(numbers), int(wanted / 1.3) + 10)
    picked = rng.choice(len(numbers), size=take_n, replace=False, p=weights / weights.sum())
    picked = picked[np.cumsum(sizes[picked]) <= wanted]
    chosen = np.sort(numbers[picked])
    updated = month_start(month) + (rng.random(len(chosen)) * month.days_in_month * DAY_MINUTES).astype(np.int64)
    parts = [own]
    for pool in earlier:
        keep = np.isin(pool.rows["number"], chosen)
        if keep.any():
            part = take(pool.rows, keep)
            part["supp"] = updated[np.searchsorted(chosen, part["number"])]
            parts.append(part)
    return concat(parts)


def concat(parts: list[Columns]) -> Columns:
    """The rows of several tables with the same columns, one after the other."""
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


@dataclass(frozen=True)
class NibrsStyle:
    quoted: bool
    us_dates: bool  # 1/5/2024 12:00:00 AM
    supp_form: str  # "fraction" (2024-01-29 08:55:56.3400000), "date" (2024-02-05) or "us" (2/10/2024 9:15:00 AM)
    missing: str  # "NULL" or ""


def nibrs_style(spec: Spec, month: pd.Period) -> NibrsStyle:
    draw = rng_for(spec, 98, month).random()
    if draw < 0.4:
        return NibrsStyle(quoted=False, us_dates=False, supp_form="fraction", missing="NULL")
    if draw < 0.7:
        return NibrsStyle(quoted=False, us_dates=False, supp_form="date", missing="NULL")
    return NibrsStyle(quoted=True, us_dates=True, supp_form="us", missing="NULL" if draw < 0.9 else "")


def nibrs_file(spec: Spec, month: pd.Period, pools: dict[pd.Period, Pool]) -> bytes:
    rows = nibrs_release(spec, month, pools)
    return nibrs_text(rng_for(spec, 4, month), nibrs_style(spec, month), tables(spec.seed).offenses, rows)


def nibrs_text(rng: np.random.Generator, style: NibrsStyle, offenses: Columns, rows: Columns) -> bytes:
    """A NIBRS release's bytes from its rows, in the release's style: by date, an incident's rows together."""
    rows = take(rows, np.lexsort((rows["number"], rows["date"])))
    n = len(rows["number"])
    offense = take(offenses, rows["offense"])

    def maybe(values: pa.Array, absent: np.ndarray) -> pa.Array:
        return pc.if_else(pa.array(absent), "NULL", values)

    date = timestamps(rows["date"])
    if style.us_dates:
        incident_date = without_leading_zeros(pc.strftime(date, format="%m/%d/%Y 12:00:00 AM"))
    else:
        incident_date = pc.strftime(date, format="%Y-%m-%d")
    no_supp = rows["supp"] < 0
    columns = [
        incident_date,
        maybe(pc.strftime(date, format="%H:%M:00"), rng.random(n) < 0.005),
        pc.utf8_rpad(strings(rows["number"]), 12, " "),
        strings(offense["Offense"]),
        strings(offense["NIBRS"]),
        strings(offense["NIBRSCategory"]),
        strings(offense["SRS_UCR"]),
        strings(offense["CrimeAgainst"]),
        strings(offense["FelMisdCit"]),
        maybe(zero_padded(np.nan_to_num(rows["top"]).astype(int), 2), np.isnan(rows["top"])),
        strings(location_text(rows)),
        strings(other_location(rows)),
        strings(np.where(rng.random(n) < 0.002, "0", rows["district"])),
    ]
    outside = rng.random(n) < 0.002
    lat, lon = to_wgs84(rows["x"], rows["y"])
    no_place = rng.random(n) < 0.008
    columns += [
        strings(np.where(outside, "NA (Outside City)", rows["name"])),
        strings(np.where(outside, "G-88", rows["neighborhood"])),
        maybe(strings(np.round(lat, 6)), no_place),
        maybe(strings(np.round(lon, 6)), no_place),
        strings(np.where(no_supp, "No", "Yes")),
        maybe(supplement_text(rng, style, np.where(no_supp, rows["date"], rows["supp"])), no_supp),
        maybe(strings(rows["victim"]), rows["victim"] == 0),
        strings(np.where(rows["firearm"], "Yes", "No")),
        strings(offenses["IncidentNature"][rows["nature"]]),
    ]
    if style.missing == "":
        columns = [pc.if_else(pc.equal(column, "NULL"), "", column) for column in columns]
    return join_lines(NIBRS_HEADER, columns, "\n", quote_all=style.quoted).encode("ascii")


def supplement_text(rng: np.random.Generator, style: NibrsStyle, minutes: np.ndarray) -> pa.Array:
    """LastSuppDate in the release's form."""
    stamp = timestamps(minutes)
    if style.supp_form == "date":
        return pc.strftime(stamp, format="%Y-%m-%d")
    if style.supp_form == "us":
        return without_leading_zeros(pc.strftime(stamp, format="%m/%d/%Y %I:%M:%S %p"))
    second = zero_padded(rng.integers(0, 60, len(minutes)), 2)
    hundredths = zero_padded(rng.integers(0, 100, len(minutes)), 2)
    return pc.binary_join_element_wise(
        pc.strftime(stamp, format="%Y-%m-%d %H:%M"), ":", second, ".", hundredths, "00000", ""
    )


def location_text(rows: Columns) -> pa.Array:
    """'8025 S BROADWAY'; at an intersection 'A / B' or 'A AND B'; sometimes the street alone."""
    street = strings(rows["street"])
    with_number = pc.binary_join_element_wise(strings(rows["address_number"]), street, " ")
    corner = pc.if_else(pa.array(rows["number"] % 2 == 0), pc.replace_substring(street, " / ", " AND "), street)
    alone = pa.array(rows["other_location"] > 0.98)
    return pc.if_else(pa.array(rows["address_number"] == 0), corner, pc.if_else(alone, street, with_number))


def other_location(rows: Columns) -> np.ndarray:
    """IntersectionOtherLoc: mostly NULL, else an apartment letter or the street."""
    draw = rows["other_location"]
    return np.where(draw < 0.85, "NULL", np.where(draw < 0.9, "A", rows["street"]))


@cache
def _transformer():
    from pyproj import Transformer

    return Transformer.from_crs(STATE_PLANE, "EPSG:4326", always_xy=True)


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _transformer().transform(x.astype(float), y.astype(float))
    return np.asarray(lat), np.asarray(lon)


# ---------------------------------------------------------------- the combined 2021-2023 release

COMBINED_MONTHS = ("2021-01", "2023-12")
COMBINED_NAME = "2021-2023.csv"  # as SLMPD names it: release_period reads the 36 months from the name
COMBINED_ROWS = 180_000  # rows of SLMPD's combined file (about 41 MB), matched at scale 1
# As Crime-01-2024, the earliest NIBRS file we have: unquoted, ISO dates, LastSuppDate with fractions, NULL.
COMBINED_STYLE = NibrsStyle(quoted=False, us_dates=False, supp_form="fraction", missing="NULL")
RESENT_SHARE = 0.04  # of the combined release's 2023 incidents: re-sent, changed, by the release after it
RESENT_MONTH = "2024-01"
DATE_CHANGE_DAYS = 45  # a re-sent incident whose date changed moves back by up to this many days


@cache
def combined_spec(seed: int, scale: float) -> Spec:
    """The monthly generator's parameters whose incidents of 2021-2023 add up to COMBINED_ROWS * scale rows: the
    combined release holds each incident once (the monthly files hold re-sends besides)."""
    unit = Spec(1.0, seed)
    rows = sum(round(rows_of(unit, month) * NEW_SHARE) for month in months(*COMBINED_MONTHS))
    return Spec(scale * COMBINED_ROWS / rows, seed)


@cache
def combined_pools(seed: int, scale: float) -> dict[pd.Period, Pool]:
    return nibrs_pools(combined_spec(seed, scale), pd.Period(COMBINED_MONTHS[1], "M"))


def combined_release(seed: int = 2024, scale: float = 1.0) -> bytes:
    """SLMPD's one release for January 2021 to December 2023 (`COMBINED_NAME`): every incident of those months
    once, with the multi-row incidents, victims, offenses and places of the monthly generator, in COMBINED_STYLE.
    About 180,000 rows and 41 MB at scale 1; the same seed and scale always give the same bytes."""
    spec = combined_spec(seed, scale)
    pools = combined_pools(seed, scale)
    rows = concat([pools[month].rows for month in months(*COMBINED_MONTHS)])
    rng = rng_for(spec, 5, pd.Period(COMBINED_MONTHS[1], "M"))
    return nibrs_text(rng, COMBINED_STYLE, tables(seed).offenses, rows)


def resent_release(seed: int = 2024, scale: float = 1.0, month: str = RESENT_MONTH) -> bytes:
    """A later release that re-sends RESENT_SHARE of the combined release's 2023 incidents, each with a
    LastSuppDate in `month` (newer than any in the combined release) and changed: half of them a new first offense
    (drawn as first offenses are), the others an earlier IncidentDate. Its own month's incidents are left out:
    with the real releases of 2024 it tests the rule that the newest version of an incident wins."""
    release = pd.Period(month, "M")
    spec = combined_spec(seed, scale)
    rng = rng_for(spec, 6, release)
    pools = combined_pools(seed, scale)
    year = [pools[m] for m in months("2023-01", "2023-12")]
    numbers = np.concatenate([pool.first_number + np.arange(len(pool.sizes)) for pool in year])
    chosen = np.sort(rng.choice(numbers, size=max(1, round(len(numbers) * RESENT_SHARE)), replace=False))
    rows = concat([take(pool.rows, np.isin(pool.rows["number"], chosen)) for pool in year])
    _, first_row, sizes = np.unique(rows["number"], return_index=True, return_counts=True)
    incident = np.repeat(np.arange(len(sizes)), sizes)
    offenses = tables(seed).offenses
    new_offense = rng.random(len(sizes)) < 0.5
    drawn = rng.choice(len(offenses["p_first"]), size=len(sizes), p=offenses["p_first"])
    offense = rows["offense"].copy()
    offense[first_row[new_offense]] = drawn[new_offense]
    rows["offense"] = offense
    rows["nature"] = offense[first_row][incident]
    rows["top"] = incident_tops(offenses["srs"][offense], sizes)[incident]
    moved = (rng.random(len(sizes)) * DATE_CHANGE_DAYS * DAY_MINUTES).astype(np.int64) + DAY_MINUTES
    rows["date"] = rows["date"] - np.where(new_offense, 0, moved)[incident]
    updated = month_start(release) + (rng.random(len(sizes)) * release.days_in_month * DAY_MINUTES).astype(np.int64)
    rows["supp"] = updated[incident]
    return nibrs_text(rng, nibrs_style(spec, release), offenses, rows)


# ---------------------------------------------------------------- writing


def legacy_name(month: pd.Period) -> str:
    return f"legacy/{MONTH_NAMES[month.month - 1]}{month.year}.csv"


def nibrs_name(month: pd.Period) -> str:
    return f"nibrs/{month.year:04d}-{month.month:02d}.csv"


def extra_month() -> pd.Period:
    return pd.Period(NIBRS_MONTHS[1], "M") + 1


def write(folder: Path, spec: Spec, extra: bool = False) -> dict[str, int]:
    """Write the raw files into folder/raw (and the extra month into folder/extra); file name -> data rows."""
    written = {}
    for month in months(*LEGACY_MONTHS):
        written[legacy_name(month)] = write_file(folder / "raw" / legacy_name(month), legacy_file(spec, month))
    last = extra_month() if extra else pd.Period(NIBRS_MONTHS[1], "M")
    pools = nibrs_pools(spec, last)
    for month in months(NIBRS_MONTHS[0], str(last)):
        where = "extra" if month > pd.Period(NIBRS_MONTHS[1], "M") else "raw"
        written[nibrs_name(month)] = write_file(folder / where / nibrs_name(month), nibrs_file(spec, month, pools))
    return written


def resent_name(month: str = RESENT_MONTH) -> str:
    return f"{month}-resent.csv"  # release_period reads the month from the name


def write_combined(folder: Path, seed: int, scale: float) -> dict[str, int]:
    """Write the combined 2021-2023 release and the later release that re-sends some of its incidents into
    folder/combined; file name -> data rows."""
    return {
        COMBINED_NAME: write_file(folder / "combined" / COMBINED_NAME, combined_release(seed, scale)),
        resent_name(): write_file(folder / "combined" / resent_name(), resent_release(seed, scale)),
    }


def write_file(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data.count(b"\n") - 1


@dataclass(frozen=True)
class Dataset:
    raw: Path  # the folder of monthly files (legacy/ and nibrs/)
    extra: Path  # a folder holding the next month's NIBRS file (nibrs/YYYY-MM.csv)
    rows: int  # data rows in raw
    seconds: float  # time taken to generate, 0 when reused


def ensure(spec: Spec, root: Path) -> Dataset:
    """The data set for `spec` under root, generated unless a complete one with the same key is there."""
    folder = root / f"synthetic-{spec.scale:g}x-{spec.key()}"
    done = folder / "COMPLETE"
    extra = folder / "extra"
    if done.is_file():
        return Dataset(folder / "raw", extra, int(done.read_text(encoding="utf-8").split()[0]), 0.0)
    for stale in root.glob(f"synthetic-{spec.scale:g}x-*"):  # an older generator's files at this scale
        remove_tree(stale)
    start = time.perf_counter()
    written = write(folder, spec, extra=True)
    rows = sum(count for name, count in written.items() if (folder / "raw" / name).is_file())
    done.write_text(f"{rows} rows\n", encoding="utf-8")
    return Dataset(folder / "raw", extra, rows, time.perf_counter() - start)


def remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def check(folder: Path, written: dict[str, int]) -> int:
    """Read the generated files with the build's own readers and compare what they found with what was written."""
    sys.path.insert(0, str(HERE.parent))
    from crimesite import build, config, sources

    site = config.load_config()
    context = build.read_context(site, build.reference.load_categories(site.categories))
    files = sources.discover([path for name in ("raw", "extra", "combined") if (path := folder / name).is_dir()])
    table, infos = sources.load(files, context)
    layouts = pd.Series([f"{info.format}: {info.layout}" for info in infos]).value_counts()
    print(f"read back {len(files)} files, {len(table):,} canonical rows")
    for layout, count in layouts.sort_index().items():
        print(f"  {count:4d} files  {layout}")
    legacy = {info.name: info.rows for info in infos if info.format == "slmpd-legacy"}
    wrong = [name for name, rows in legacy.items() if written.get(name) != rows]
    bom = sum(info.had_bom for info in infos)
    cp1252 = sum(info.cp1252_bytes > 0 for info in infos)
    print(f"  files with a BOM: {bom}; with cp1252 bytes: {cp1252}")
    print(f"  count -1 rows: {(table['count'] == -1).sum():,}; without location: {table['latitude'].isna().sum():,}")
    if wrong:
        print(f"legacy files whose rows differ from those written: {wrong[:5]}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, help="where raw/ (and extra/) are written")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 650,000 rows (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--extra", action="store_true", help="also write the next month into FOLDER/extra/")
    parser.add_argument("--check", action="store_true", help="read the files back with the build's readers")
    parser.add_argument(
        "--combined",
        action="store_true",
        help=f"write only the combined release {COMBINED_NAME} (1 = {COMBINED_ROWS:,} rows) and "
        f"{resent_name()}, which re-sends some of its incidents, into FOLDER/combined/",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.combined:
        written = write_combined(args.folder, args.seed, args.scale)
    else:
        written = write(args.folder, Spec(args.scale, args.seed), extra=args.extra)
    seconds = time.perf_counter() - start
    print(f"wrote {len(written)} files, {sum(written.values()):,} rows in {seconds:.1f} s to {args.folder}")
    return check(args.folder, written) if args.check else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
