#!/usr/bin/env python3
"""Write the tables synthetic.py draws from, into benchmarks/output/reference/ (git-ignored), from the real
SLMPD files the repository holds in data/ (counts and positions only; the same bytes as ../shared/data's copies),
so that the generator runs wherever the repository does (CI included). They are derived on each machine,
never committed: the repository holds no data derived from those files beyond the tests' own assertions.

benchmarks/synthetic.py draws its rows from these tables:
  legacy_codes.csv    crime codes with 150 or more rows in the 2008-2019 legacy files, their most common
                      description and their number of rows
  neighborhoods.csv   for neighborhoods 1-88: rows, median State Plane x/y and half the 10-90% range of each
                      (spread), the district in the 9-district era (the mode in the data, 2008-2013) and the
                      6-district one (by polygon overlap), both from data/reference/neighborhoods.csv,
                      and the spelling the NIBRS files use
  streets.csv         the 20 streets with the most rows in each neighborhood, with the 2-98% range of their
                      block numbers (hundreds) and their rows
  nibrs_offenses.csv  NIBRS offenses (with their category, UCR class, against whom, felony/misdemeanor) as the
                      first row of an incident (with its IncidentNature) or as a later row, in the two NIBRS
                      files, with their rows (6 or more for a first row, 8 for a later one)

example:
  python benchmarks/derive_reference.py   (synthetic.py runs it when the tables are missing)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"  # the repository's own copies of the real files
OUT = HERE / "output" / "reference"
RENAME = {"monthreportedtomshp": "codedmonth", "dateoccured": "dateoccur"}
IN_CITY = {"x": (850_000, 940_000), "y": (980_000, 1_080_000)}  # State Plane feet around St. Louis
NIBRS_KEY = ["Offense", "NIBRS", "NIBRSCategory", "SRS_UCR", "CrimeAgainst", "FelMisdCit"]


def read_legacy() -> pd.DataFrame:
    frames = []
    for path in sorted((DATA / "raw" / "legacy").glob("*.csv.gz")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
        frame.columns = [c.strip().lower().replace(" ", "").replace("-", "") for c in frame.columns]
        frames.append(
            frame.rename(columns=RENAME)[
                ["crime", "description", "ileadsaddress", "ileadsstreet", "neighborhood", "xcoord", "ycoord"]
            ]
        )
    legacy = pd.concat(frames, ignore_index=True)
    legacy["n"] = pd.to_numeric(legacy["neighborhood"], errors="coerce")
    inside = True
    for axis, bounds in IN_CITY.items():
        legacy[axis] = pd.to_numeric(legacy[f"{axis}coord"], errors="coerce")
        inside = inside & legacy[axis].between(*bounds, inclusive="neither")
    legacy[["x", "y"]] = legacy[["x", "y"]].where(inside)
    return legacy


def read_nibrs() -> pd.DataFrame:
    files = sorted((DATA / "raw" / "nibrs").glob("*.csv.gz"))
    return pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in files], ignore_index=True)


def legacy_codes(legacy: pd.DataFrame) -> pd.DataFrame:
    code = legacy["crime"].str.strip().str.zfill(6)
    description = legacy["description"].str.strip()
    rows = code.value_counts()
    rows = rows[rows >= 150]
    common = [description[code == c].value_counts().index[0] for c in rows.index]
    return pd.DataFrame({"code": rows.index, "rows": rows.to_numpy(), "description": common})


def neighborhoods(legacy: pd.DataFrame, nibrs: pd.DataFrame) -> pd.DataFrame:
    table = pd.read_csv(DATA / "reference" / "neighborhoods.csv").set_index("NHD_NUM")
    names = nibrs.groupby("NbhdNum")["Neighborhood"].agg(lambda s: s.value_counts().index[0])
    out = []
    for number, rows in legacy[legacy["n"].between(1, 88)].groupby("n"):
        x, y = rows["x"].dropna(), rows["y"].dropna()
        official = table.loc[number]
        out.append(
            {
                "number": int(number),
                "rows": len(rows),
                "x": round(x.median()),
                "y": round(y.median()),
                "spread_x": round(x.quantile(0.9) - x.quantile(0.1)) // 2,
                "spread_y": round(y.quantile(0.9) - y.quantile(0.1)) // 2,
                "district_9": int(official["district_9_modal_in_data_2008_2013"]),
                "district_6": int(official["district_6_by_polygon_overlap"]),
                "nibrs_name": names.get(str(int(number)), official["NHD_NAME"]),
            }
        )
    return pd.DataFrame(out)


def streets(legacy: pd.DataFrame) -> pd.DataFrame:
    number = pd.to_numeric(legacy["ileadsaddress"], errors="coerce")
    street = legacy["ileadsstreet"].str.strip()
    keep = legacy["n"].between(1, 88) & (number > 0) & (street != "") & ~street.str.contains("/")
    rows = pd.DataFrame({"neighborhood": legacy["n"][keep].astype(int), "street": street[keep], "num": number[keep]})
    table = (
        rows.groupby(["neighborhood", "street"])
        .agg(
            rows=("num", "size"),
            first_hundred=("num", lambda s: int(s.quantile(0.02)) // 100),
            last_hundred=("num", lambda s: int(s.quantile(0.98)) // 100),
        )
        .reset_index()
        .sort_values(["neighborhood", "rows"], ascending=[True, False])
    )
    table = table[table.groupby("neighborhood").cumcount() < 20]
    return table[["neighborhood", "street", "first_hundred", "last_hundred", "rows"]]


def nibrs_offenses(nibrs: pd.DataFrame) -> pd.DataFrame:
    first = ~nibrs.duplicated("IncidentNum")
    starts = nibrs[first].groupby(NIBRS_KEY).size().sort_values(ascending=False)
    starts = starts[starts >= 6]
    later = nibrs[~first].groupby(NIBRS_KEY).size().sort_values(ascending=False)
    later = later[later >= 8]
    nature = [
        nibrs[first & (nibrs["Offense"] == key[0]) & (nibrs["NIBRS"] == key[1])]["IncidentNature"]
        .value_counts()
        .index[0]
        for key in starts.index
    ]
    return pd.concat(
        [
            starts.rename("rows").reset_index().assign(role="first", IncidentNature=nature),
            later.rename("rows").reset_index().assign(role="other", IncidentNature=""),
        ]
    )[["role", *NIBRS_KEY, "IncidentNature", "rows"]]


def main() -> int:
    if not (DATA / "raw" / "legacy").is_dir():
        print(f"no real files at {DATA / 'raw'}", file=sys.stderr)
        return 1
    legacy, nibrs = read_legacy(), read_nibrs()
    OUT.mkdir(parents=True, exist_ok=True)
    legacy_codes(legacy).to_csv(OUT / "legacy_codes.csv", index=False)
    neighborhoods(legacy, nibrs).to_csv(OUT / "neighborhoods.csv", index=False)
    streets(legacy).to_csv(OUT / "streets.csv", index=False)
    nibrs_offenses(nibrs).to_csv(OUT / "nibrs_offenses.csv", index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
