#!/usr/bin/env python3
"""Write the sample: synthetic monthly files in SLMPD's legacy format (for tests, and for a fork with no data yet).

The crimes are made up (seeded, so every run writes the same bytes); the format is real: the real
column names and layouts, and the quirks of the real files (byte-order mark, a stray cp1252 byte,
M/D/YYYY dates, crime codes without their leading zero or padded with a space, blank flags as a
single space, 0 for an unknown district or neighborhood, 0/0 coordinates, a placeholder date,
-1 rows for unfounded and reclassified crimes, identical rows for several victims).

The build knows the sample by the checksums in scripts/sample.sha256 and marks every page of a site built
from it as sample data.

example:
  python scripts/make_sample.py                        # writes sample-raw/*.csv (what `make sample` does)
  python scripts/make_sample.py --listing              # ... and rewrites scripts/sample.sha256 after a change here
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "sample-raw"
LISTING = Path(__file__).resolve().parent / "sample.sha256"  # crimesite.paths.SAMPLE_MANIFEST
SEED = 20240101
FIRST_YEAR, LAST_YEAR = 2017, 2019
MONTHS = (
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
HEADER_20 = (
    "Complaint,CodedMonth,DateOccur,FlagCrime,FlagUnfounded,FlagAdministrative,Count,FlagCleanup,Crime,"
    "District,Description,ILEADSAddress,ILEADSStreet,Neighborhood,LocationName,LocationComment,CADAddress,"
    "CADStreet,XCoord,YCoord"
)
HEADER_26 = (
    "Complaint,Coded Month,Date Occur,Flag-Crime,Flag-Unfounded,Flag-Administrative,Count,Flag Cleanup,"
    "Crime,ILeads Add,ILeads Approve,District,Beat,Description,ILEADS-Address,ILEADS-Street,Neighborhood,"
    "ILeads Asg,ILeads Type,Location Name,Location Comment,CAD-Address,CAD-Street,X-Coord,Y-Coord,"
    "Date Crime Coded"
)

# UCR class -> (mean crimes a month, [(six-digit code, description)]).
OFFENSES = {
    1: (14.0, [("010000", "HOMICIDE")]),
    2: (7.0, [("021000", "RAPE -- FORCIBLE"), ("022100", "RAPE-ATTEMPT FORCIBLE RAPE/FORCIBLE INCEST")]),
    3: (
        38.0,
        [
            ("031111", "ROBBERY-HIGHWAY  /FIREARM USED/SUCCESSFUL"),
            ("034111", "ROBBERY-HIGHWAY  /STRNGARM/NO INJ/SUCCESS"),
        ],
    ),
    4: (
        85.0,
        [
            ("041011", "AGG.ASSAULT-FIREARM/CITIZEN ADULT 1ST DEGREE"),
            ("043011", "AGG.ASSAULT-OTH DANG WEP/CTZEN ADLT 3RD DEGREE"),
        ],
    ),
    5: (
        55.0,
        [
            ("052511", "BURGLARY-RESDNCE/UNK TIM/FORC ENT/UNOCCUPIED"),
            ("051211", "BURGLARY-RESIDENCE/DAY/FORCE ENT/UNOCCUPIED"),
        ],
    ),
    6: (
        210.0,
        [
            ("069700", "LARCENY-MTR VEH PARTS UNDER $500"),
            ("065700", "LARCENY-FROM MTR VEH UNDER $500"),
            ("065600", "LARCENY-FROM MTR VEH $500 - $24,999"),
        ],
    ),
    7: (55.0, [("071101", "AUTO THEFT-PERM RETNT/UNRECOV OVER 48HR"), ("071102", "AUTO THEFT-PERM RETNT/JOY RIDE")]),
    8: (4.0, [("081400", "ARSON-KNOWINGLY BURNING/SUCCESS")]),
    9: (75.0, [("090100", "SIMPLE ASSAULT-ADULT/NO INJURY"), ("090300", "ASSAULT, ADULT, AGE 17 AND UP-DOMESTIC")]),
    10: (3.0, [("100000", "FORGERY")]),
    11: (11.0, [("115400", "STLG BY DECEIT/IDENTITY THEFT REPORT")]),
    12: (1.0, [("120000", "EMBEZZLEMENT-VALUE OVER $150")]),
    13: (5.0, [("130000", "STOLEN PROPERTY-BUYING,RECEIVING,POSSESSING,ET")]),
    14: (58.0, [("141010", "DESTRUCTION OF PROPERTY-MALICIOUS/PRIV PROP")]),
    15: (11.0, [("151000", "WEAPONS-STATE VIOL/UNLWFL USE/POSSESSION")]),
    16: (0.8, [("160000", "PROSTITUTION")]),
    17: (
        5.0,
        [("179210", "SEX OFFNS-CHILD MOLESTATION-FIRST DEGREE"), ("172000", "SEX OFFNS-EXPOSURE/EXPOSING PERSON")],
    ),
    18: (24.0, [("181000", "DRUGS-POSSESSION/MARIJUANA"), ("182000", "DRUGS-POSSESSION/HEROIN")]),
    20: (2.0, [("200000", "FAMILY & CHILD CRIME-ENDANGR WELF CHILD")]),
    21: (6.0, [("210000", "DUI-DRVING WHILE INTOXICATED")]),
    22: (3.0, [("220000", "LIQUOR LAWS-OTHR UNSPEC LIQ OFFNSE")]),
    24: (14.0, [("240000", "DISORDERLY CONDUCT-PEACE DSTRB/INDIVIDUAL")]),
    25: (3.0, [("250000", "LOITERING-BEGGING")]),
    26: (58.0, [("265321", "LEAVING SCENE OF ACCIDENT"), ("269000", "PUBLIC ORDER-TRESPASSING")]),
}
STREETS = (
    "S BROADWAY",
    "N BROADWAY",
    "GRAVOIS AVE",
    "CHEROKEE ST",
    "DELMAR BLVD",
    "MARTIN LUTHER KING DR",
    "NATURAL BRIDGE AVE",
    "KINGSHIGHWAY BLVD",
    "GRAND BLVD",
    "CHIPPEWA ST",
    "MORGAN FORD RD",
    "JEFFERSON AVE",
    "FLORISSANT AVE",
    "WEST FLORISSANT AVE",
    "OLIVE ST",
    "LOCUST ST",
    "WASHINGTON AVE",
    "MANCHESTER AVE",
    "HAMPTON AVE",
    "ARSENAL ST",
    "CALIFORNIA AVE",
    "MERAMEC ST",
    "GOODFELLOW BLVD",
    "PAGE BLVD",
    "EASTON AVE",
    "LINDELL BLVD",
    "RUSSELL BLVD",
    "TUCKER BLVD",
    "PARK AVE",
    "LAFAYETTE AVE",
)
PLACES = ("SINGLE FAMILY RESIDENCE", "APARTMENT", "PARKING LOT", "GAS STATION", "CONVENIENCE STORE", " ")


def poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method is exact and fast enough for these small means.
    if mean > 60:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def month_rows(rng: random.Random, year: int, month: int) -> list[dict[str, str]]:
    season = 1 + 0.18 * math.sin((month - 4) / 12 * 2 * math.pi)
    trend = 1 - 0.04 * (year - FIRST_YEAR)
    rows = []
    for ucr_class, (mean, offenses) in OFFENSES.items():
        for _ in range(poisson(rng, mean * season * trend)):
            code, description = rng.choice(offenses)
            victims = 1 + (ucr_class in (1, 4, 9) and rng.random() < 0.12)
            row = crime(rng, year, month, code, description)
            rows.extend(dict(row) for _ in range(victims))
    rows.extend(adjustments(rng, year, month))
    rng.shuffle(rows)
    for number, row in enumerate(rows, start=1):
        row["Complaint"] = f"{year % 100:02d}-{month * 4000 + number:06d}"
    return rows


def crime(rng: random.Random, year: int, month: int, code: str, description: str, count: int = 1) -> dict[str, str]:
    neighborhood = rng.randint(1, 88)
    unknown_place = rng.random() < 0.01
    no_coordinates = rng.random() < 0.025
    day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
    occurred_year, occurred_month = (
        (year, month) if rng.random() > 0.06 else (year - rng.randint(0, 3), rng.randint(1, 12))
    )
    occurred = f"{occurred_month:02d}/{day:02d}/{occurred_year} {hour:02d}:{minute:02d}"
    if rng.random() < 0.002:
        occurred = "01/01/1900 00:00"
    number = rng.randint(1, 69) * 100 + rng.randint(0, 99)
    street = rng.choice(STREETS)
    code_text = code.lstrip("0") if rng.random() < 0.9 else " " + code.lstrip("0")
    return {
        "Complaint": "",
        "CodedMonth": f"{year}-{month:02d}",
        "DateOccur": occurred,
        "FlagCrime": "Y" if count == 1 else " ",
        "FlagUnfounded": " ",
        "FlagAdministrative": " ",
        "Count": str(count),
        "FlagCleanup": " ",
        "Crime": code_text,
        "District": "0" if unknown_place else str((neighborhood - 1) % 6 + 1),
        "Description": description,
        "ILEADSAddress": str(number),
        "ILEADSStreet": street,
        "Neighborhood": "0" if unknown_place else str(neighborhood),
        "LocationName": rng.choice(PLACES),
        "LocationComment": " ",
        "CADAddress": str(number),
        "CADStreet": street.split(" ", 1)[-1] if " " in street else street,
        "XCoord": "0" if no_coordinates else f"{rng.uniform(873000, 912000):.1f}",
        "YCoord": "0" if no_coordinates else f"{rng.uniform(995000, 1050000):.1f}",
    }


def adjustments(rng: random.Random, year: int, month: int) -> list[dict[str, str]]:
    """Unfounded crimes (-1) and reclassifications (-1 old class, +1 new class)."""
    rows = []
    for _ in range(poisson(rng, 6)):
        code, description = rng.choice(OFFENSES[rng.choice((3, 5, 6, 7))][1])
        row = crime(rng, year, month, code, description, count=-1)
        row["FlagUnfounded"] = "Y"
        rows.append(row)
    if rng.random() < 0.3:
        # An aggravated-assault victim who later died: -1 aggravated assault, +1 homicide.
        old = crime(rng, year, month, "041011", "AGG.ASSAULT-FIREARM/CITIZEN ADULT 1ST DEGREE", count=-1)
        new = dict(old, Crime="10000", Description="HOMICIDE", Count="1")
        for row in (old, new):
            row["FlagAdministrative"] = "Y"
        rows.extend([old, new])
    return rows


def render(rows: list[dict[str, str]], year: int, month: int) -> bytes:
    """The file's bytes, with the quirk this month carries in the real files' manner."""
    layout_26 = (year, month) == (2017, 5)
    short_dates = month in (3, 9)
    header = HEADER_26 if layout_26 else HEADER_20
    lines = [header]
    for row in rows:
        values = dict(row)
        if short_dates:
            values["DateOccur"] = unpad_date(values["DateOccur"])
        lines.append(to_line(values, layout_26))
    newline = "\n" if (year, month) == (2018, 6) else "\r\n"
    text = newline.join(lines) + newline
    data = text.encode("utf-8")
    if (year, month) == (2017, 1):
        data = b"\xef\xbb\xbf" + data
    if (year, month) in ((2017, 1), (2019, 12)):
        data = data.replace(b"CONVENIENCE STORE", b"MARSHA\x92S CONVENIENCE STORE", 1)
    return data


def unpad_date(value: str) -> str:
    date, time = value.split(" ")
    month, day, year = date.split("/")
    hour, minute = time.split(":")
    return f"{int(month)}/{int(day)}/{year} {int(hour)}:{minute}"


def csv_field(value: str) -> str:
    return f'"{value}"' if "," in value else value


def to_line(values: dict[str, str], layout_26: bool) -> str:
    if not layout_26:
        return ",".join(csv_field(values[name]) for name in HEADER_20.split(","))
    extra = {
        "ILeads Add": "",
        "ILeads Approve": "",
        "Beat": str(int(values["District"]) * 100 + 11),
        "ILeads Asg": "",
        "ILeads Type": "",
        "Date Crime Coded": "",
    }
    renamed = {
        "Coded Month": "CodedMonth",
        "Date Occur": "DateOccur",
        "Flag-Crime": "FlagCrime",
        "Flag-Unfounded": "FlagUnfounded",
        "Flag-Administrative": "FlagAdministrative",
        "Flag Cleanup": "FlagCleanup",
        "ILEADS-Address": "ILEADSAddress",
        "ILEADS-Street": "ILEADSStreet",
        "Location Name": "LocationName",
        "Location Comment": "LocationComment",
        "CAD-Address": "CADAddress",
        "CAD-Street": "CADStreet",
        "X-Coord": "XCoord",
        "Y-Coord": "YCoord",
    }
    fields = []
    for name in HEADER_26.split(","):
        value = extra[name] if name in extra else values[renamed.get(name, name)]
        fields.append(csv_field(value))
    return ",".join(fields)


def write_sample(folder: Path) -> list[Path]:
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            path = folder / f"{MONTHS[month - 1]}{year}.csv"
            path.write_bytes(render(month_rows(rng, year, month), year, month))
            written.append(path)
    return written


def sample_listing(written: list[Path]) -> str:
    """The `sha256sum` listing of the sample files, by name."""
    return "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in sorted(written))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (default: sample-raw/)")
    parser.add_argument(
        "--listing",
        nargs="?",
        type=Path,
        const=LISTING,
        default=None,
        help="also write the files' checksums here (default: scripts/sample.sha256)",
    )
    args = parser.parse_args(argv)
    written = write_sample(args.out)
    print(f"wrote {len(written)} sample files to {args.out}", file=sys.stderr)
    if args.listing is not None:
        args.listing.write_text(sample_listing(written), encoding="utf-8")
        print(f"wrote their checksums to {args.listing}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
