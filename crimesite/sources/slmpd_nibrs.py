"""Reader for SLMPD's NIBRS monthly files (2021 on).

A NIBRS file has one row per offense (and victim) and re-sends older incidents that changed. The
reader keeps, for each incident, the version from the newest release and turns it into counted units
that follow the legacy rules as closely as the data allows (see the methodology page):

- homicide: each victim of NIBRS 09A (murder and non-negligent manslaughter); 09B and 09C are not counted;
- rape and aggravated assault: each victim of an offense whose `SRS_UCR` is 02 or 04, a victim counting
  once, in the most serious of homicide, rape, aggravated assault;
- robbery, burglary, larceny, vehicle theft: each incident whose `IncidentTopSRS_UCR` is that class
  (the hierarchy rule: one crime per incident, its most serious);
- arson: each incident with an arson offense, alongside any other crime (as in the legacy files).

Each unit becomes one row of the canonical table with count +1, counted in the month of `IncidentDate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimesite import geo, incidents
from crimesite.errors import Problem
from crimesite.sources.common import Batch, ReadContext, Table, parse_datetimes

FORMAT = "slmpd-nibrs"
# The files give a UCR class only for Part I offenses: Part II is not counted from them (missing, not zero).
UNCOUNTED_PARTS = (("nibrs", 2),)
LAYOUT = "22 columns (2021 on)"
COLUMNS = (
    "IncidentDate", "OccurredFromTime", "IncidentNum", "Offense", "NIBRS", "NIBRSCategory", "SRS_UCR",
    "CrimeAgainst", "FelMisdCit", "IncidentTopSRS_UCR", "IncidentLocation", "IntersectionOtherLoc", "District",
    "Neighborhood", "NbhdNum", "Latitude", "Longitude", "IncidentSupplemented", "LastSuppDate", "VictimNum",
    "FirearmUsed", "IncidentNature",
)  # fmt: skip
MISSING = ("NULL", "")
HOMICIDE_CODE = "09A"
VICTIM_CLASSES = (1, 2, 4)  # counted per victim, most serious first
INCIDENT_CLASSES = (3, 5, 6, 7)  # counted per incident by the incident's top class
ARSON = 8
# Dates come as 2024-01-29, 2024-01-29 08:55:56.3400000 or 1/29/2024 8:55:56 AM.
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                "%m/%d/%Y")  # fmt: skip


def detect(header: list[str]) -> str | None:
    names = [name.strip().lower() for name in header]
    return LAYOUT if sorted(names) == sorted(name.lower() for name in COLUMNS) else None


def prepare(table: Table) -> tuple[pd.DataFrame, dict[str, str]]:
    """All 22 columns under their documented spelling, stripped, with NULL as the empty string."""
    spelling = {name.lower(): name for name in COLUMNS}
    names = {spelling[name.strip().lower()]: name for name in table.header}
    frame = table.frame.set_axis([spelling[name.strip().lower()] for name in table.header], axis=1)
    frame = frame.loc[:, list(COLUMNS)]
    for column in COLUMNS:
        stripped = frame[column].str.strip()
        frame[column] = stripped.where(~stripped.isin(MISSING), "")
    return frame, names


def parse_dates(text: pd.Series) -> pd.Series:
    return parse_datetimes(text, DATE_FORMATS)


def to_incidents(batch: Batch, context: ReadContext) -> tuple[pd.DataFrame, list[Problem]]:
    frame = batch.frame.copy()
    frame["_file"] = batch.file_index
    frame["_line"] = batch.lines
    problems: list[Problem] = []
    incident_date = parse_dates(frame["IncidentDate"])
    problems += batch.problems(incident_date.isna(), "IncidentDate", frame["IncidentDate"],
                               "a date such as 2024-01-31 or 1/31/2024 12:00:00 AM")  # fmt: skip
    problems += batch.problems(frame["IncidentNum"] == "", "IncidentNum", frame["IncidentNum"], "an incident number")
    supplemented = parse_dates(frame["LastSuppDate"])
    unreadable = (frame["LastSuppDate"] != "") & supplemented.isna()
    problems += batch.problems(unreadable, "LastSuppDate", frame["LastSuppDate"], "empty, NULL or a date")
    for column in ("SRS_UCR", "IncidentTopSRS_UCR"):
        ok = (frame[column] == "") | frame[column].str.fullmatch(r"\d{1,2}").fillna(False).astype(bool)
        problems += batch.problems(~ok, column, frame[column], "empty, NULL or a two-digit UCR class")
    if problems:
        return incidents.empty(), problems
    frame["_date"] = incident_date
    frame["_supp"] = supplemented.dt.floor("D")  # files disagree on precision: compare whole days
    latest = latest_versions(frame, release_rank(frame, batch))
    latest["_neighborhood"] = reconcile_neighborhoods(
        latest["NbhdNum"], latest["Neighborhood"], context.neighborhood_numbers
    )
    units = counted_units(latest, context)
    return to_canonical(units, batch, context), []


def release_rank(frame: pd.DataFrame, batch: Batch) -> np.ndarray:
    """Each file's place in release order: by its main month (the month most of its rows are in, the
    later on a tie), then by name. The main month is also the month the file stands for."""
    months = frame["_date"].dt.to_period("M").astype(str)
    main = months.groupby(frame["_file"]).agg(lambda m: m.value_counts().sort_index(ascending=False).idxmax())
    batch.covers.update({batch.files[i].name: month for i, month in main.items()})
    order = sorted(range(len(batch.files)), key=lambda i: (main.get(i, ""), batch.files[i].name))
    rank = np.empty(len(batch.files), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank


def latest_versions(frame: pd.DataFrame, rank: np.ndarray) -> pd.DataFrame:
    """For each incident, only the rows of its newest version: latest LastSuppDate, then newest release."""
    frame = frame.assign(_rank=rank[frame["_file"].to_numpy()])
    versions = frame.groupby(["IncidentNum", "_file"], sort=False).agg(supp=("_supp", "max"), rank=("_rank", "first"))
    versions["supp"] = versions["supp"].fillna(pd.Timestamp("1900-01-01")).astype("datetime64[s]")
    versions = versions.reset_index().sort_values(["IncidentNum", "supp", "rank"])
    chosen = versions.drop_duplicates("IncidentNum", keep="last")[["IncidentNum", "_file"]]
    return frame.merge(chosen, on=["IncidentNum", "_file"], how="inner").sort_values(["_file", "_line"])


def counted_units(rows: pd.DataFrame, context: ReadContext) -> pd.DataFrame:
    """One row per counted crime, with `ucr_class` set, taken from a representative offense row."""
    rows = rows.assign(
        _class=pd.to_numeric(rows["SRS_UCR"].where(rows["SRS_UCR"] != ""), errors="coerce"),
        _top=pd.to_numeric(rows["IncidentTopSRS_UCR"].where(rows["IncidentTopSRS_UCR"] != ""), errors="coerce"),
        _victim=rows["VictimNum"],
    )
    any_firearm = incident_firearm(rows)
    units = []
    victims_taken: set[tuple[str, str]] = set()
    for ucr_class in VICTIM_CLASSES:
        # Homicide is NIBRS 09A only: 09B and 09C share UCR class 01 in some files but are not murders.
        mine = rows[rows["NIBRS"] == HOMICIDE_CODE] if ucr_class == 1 else rows[rows["_class"] == ucr_class]
        mine = mine.drop_duplicates(["IncidentNum", "_victim"])
        keys = list(zip(mine["IncidentNum"], mine["_victim"], strict=True))
        keep = [key not in victims_taken for key in keys]
        mine = mine[np.array(keep, dtype=bool)]
        victims_taken.update(key for key, kept in zip(keys, keep, strict=True) if kept)
        units.append(mine.assign(ucr_class=ucr_class, firearm=mine["FirearmUsed"].map(firearm_value)))
    for ucr_class in INCIDENT_CLASSES:
        mine = rows[rows["_top"] == ucr_class]
        # Prefer the offense row of that class as the representative (its description and code).
        mine = mine.assign(_match=mine["_class"] != ucr_class).sort_values(["IncidentNum", "_match", "_line"])
        mine = mine.drop_duplicates("IncidentNum")
        units.append(mine.assign(ucr_class=ucr_class, firearm=mine["IncidentNum"].map(any_firearm)))
    arson = rows[rows["_class"] == ARSON].drop_duplicates("IncidentNum")
    units.append(arson.assign(ucr_class=ARSON, firearm=arson["IncidentNum"].map(any_firearm)))
    combined = pd.concat(units, ignore_index=True)
    return combined[combined["ucr_class"].isin(list(context.categories))].sort_values(["_file", "_line", "ucr_class"])


def firearm_value(text: str) -> object:
    return {"Yes": True, "No": False}.get(text, pd.NA)


def incident_firearm(rows: pd.DataFrame) -> pd.Series:
    """An incident used a firearm if any of its rows says so; unknown when no row says yes or no."""
    said = rows.assign(yes=rows["FirearmUsed"] == "Yes", no=rows["FirearmUsed"] == "No")
    flags = said.groupby("IncidentNum")[["yes", "no"]].any()
    values = np.select([flags["yes"], flags["no"]], [1, 0], default=-1)
    return pd.Series(values, index=flags.index).map({1: True, 0: False, -1: pd.NA}).astype("boolean")


def to_canonical(units: pd.DataFrame, batch: Batch, context: ReadContext) -> pd.DataFrame:
    if units.empty:
        return incidents.empty()
    date = units["_date"]
    time = pd.to_timedelta(
        units["OccurredFromTime"].where(units["OccurredFromTime"].str.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?"), None),
        errors="coerce",
    )
    occurred = (date + time.fillna(pd.Timedelta(0))).astype("datetime64[s]")
    lat = pd.to_numeric(units["Latitude"].where(units["Latitude"] != ""), errors="coerce")
    lon = pd.to_numeric(units["Longitude"].where(units["Longitude"] != ""), errors="coerce")
    given = lat.notna() & lon.notna() & (lat != 0) & (lon != 0)
    west, south, east, north = context.bounds
    inside = given & lon.between(west, east) & lat.between(south, north)
    status = np.select([~given, ~inside], ["missing", "outside_bounds"], default="ok")
    number, street = geo.split_address(units["IncidentLocation"])
    neighborhood = units["_neighborhood"]
    district = pd.to_numeric(
        units["District"].where(units["District"].str.fullmatch(r"\d").fillna(False).astype(bool)), errors="coerce"
    )
    rows = pd.DataFrame(
        {
            "source_file": pd.Categorical.from_codes(
                units["_file"].to_numpy(), categories=[r.name for r in batch.files]
            ),
            "source_line": units["_line"].to_numpy(),
            "era": "nibrs",
            "complaint": units["IncidentNum"].to_numpy(),
            "year": date.dt.year.to_numpy(),
            "month": date.dt.month.to_numpy(),
            "occurred_at": occurred.to_numpy(),
            "occurred_status": "ok",
            "count": 1,
            "flag_new": True,
            "flag_unfounded": False,
            "flag_administrative": False,
            "crime_code": units["NIBRS"].to_numpy(),
            "ucr_class": units["ucr_class"].to_numpy(),
            "category": units["ucr_class"].map(context.categories).to_numpy(),
            "part": units["ucr_class"].map(context.parts).to_numpy(),
            "description": units["Offense"].to_numpy(),
            "district": district.where(district.between(*context.district_numbers)).to_numpy(),
            "neighborhood": neighborhood.where(neighborhood.between(*context.neighborhood_numbers)).to_numpy(),
            "block": geo.to_block(number, street).to_numpy(),
            "latitude": lat.where(inside).to_numpy(),
            "longitude": lon.where(inside).to_numpy(),
            "location_status": status,
            "firearm": units["firearm"].astype("boolean").to_numpy(),
        }
    )
    return incidents.conform(rows)


def name_key(name: pd.Series) -> pd.Series:
    """'JeffVanderLou', 'Jeff Vander Lou' and 'JEFF-VANDERLOU' share the key 'jeffvanderlou'."""
    return name.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)


def reconcile_neighborhoods(number: pd.Series, name: pd.Series, numbers: tuple[int, int]) -> pd.Series:
    """The neighborhood number (within `numbers`, 1-88 in St. Louis) of each row: `NbhdNum` where it is one,
    otherwise the number the same name carries most often in rows that have both. Rows left without a number
    (such as `G-88`, "NA (Outside City)") stay unknown and are counted on the data-quality page."""
    given = pd.to_numeric(number.where(number.str.fullmatch(r"\d{1,2}").fillna(False).astype(bool)), errors="coerce")
    given = given.where(given.between(*numbers))
    keys = name_key(name)
    known = pd.DataFrame({"key": keys, "number": given}).dropna()
    known = known[known["key"] != ""]
    if known.empty:
        return given
    by_name = known.groupby(["key", "number"]).size().reset_index(name="rows")
    by_name = by_name.sort_values(["key", "rows", "number"], ascending=[True, False, True]).drop_duplicates("key")
    learned = keys.map(by_name.set_index("key")["number"])
    return given.fillna(learned)
