"""Reader for SLMPD's NIBRS monthly files (2021 on).

A NIBRS file has one row per offense (and victim) and re-sends older incidents that changed. The
reader keeps, for each incident, the version from the newest release and turns it into counted units
by the FBI's rules for converting NIBRS data to summary (SRS) counts, which the legacy files follow too
(see the methodology page):

- the hierarchy rule: an incident counts as its most serious offense only, in the order homicide, rape,
  robbery, aggravated assault, burglary, vehicle theft, larceny (vehicle theft above larceny is the rule's
  exception for vehicles: what is stolen with a vehicle is part of its theft);
- homicide is NIBRS 09A only (09B and 09C are not murders); rape is 11A, 11B and 11C (the 2013 definition),
  never 11D; the other classes come from `SRS_UCR`;
- homicide, rape and aggravated assault count once per victim of that offense; robbery, burglary, larceny
  and vehicle theft once per incident (the files give neither the number of vehicles nor of buildings);
- arson, the other exception: each incident with an arson offense, alongside its most serious offense.

Each unit becomes one row of the canonical table with count +1, counted in the month of `IncidentDate`.
Incident and victim numbers are read in one spelling first (`24-000777`, `1`), and a release stands for the
month its name gives (`release_period`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from crimesite import geo, incidents, months
from crimesite.errors import Problem
from crimesite.sources.common import (
    SEXUAL_NIBRS_CODES,
    Batch,
    RawFile,
    ReadContext,
    Release,
    ReleaseHistory,
    Table,
    canonical_incident_numbers,
    canonical_table,
    given_coordinates,
    in_bounds,
    parse_datetimes,
    row_keys,
    sexual_incident,
    yes_no_unknown,
)

FORMAT = "slmpd-nibrs"
PER_FILE = False  # a release re-sends and replaces incidents of earlier ones: the releases are read together
HEADERS = "SLMPD NIBRS: 22 columns"
# The files give a UCR class only for Part I offenses: Part II is not counted from them (missing, not zero).
UNCOUNTED_PARTS = (("nibrs", 2),)
LAYOUT = "22 columns (2021 on)"
COLUMNS = (
    "IncidentDate",
    "OccurredFromTime",
    "IncidentNum",
    "Offense",
    "NIBRS",
    "NIBRSCategory",
    "SRS_UCR",
    "CrimeAgainst",
    "FelMisdCit",
    "IncidentTopSRS_UCR",
    "IncidentLocation",
    "IntersectionOtherLoc",
    "District",
    "Neighborhood",
    "NbhdNum",
    "Latitude",
    "Longitude",
    "IncidentSupplemented",
    "LastSuppDate",
    "VictimNum",
    "FirearmUsed",
    "IncidentNature",
)
NULL_VALUES = ("NULL", "")  # what the files write for no value
FIREARM_YES, FIREARM_NO = "Yes", "No"  # `FirearmUsed`; anything else is unknown
HOMICIDE_CODE = "09A"
RAPE_CODES = ("11A", "11B", "11C")  # rape, sodomy, sexual assault with an object: rape since 2013; not 11D fondling
OTHER_CLASSES = (3, 4, 5, 6, 7, 8)  # robbery to arson: the class `SRS_UCR` gives
# The hierarchy rule, most serious first: an incident counts as its most serious offense only. Motor vehicle theft
# is put above larceny, the rule's exception for vehicles: what is stolen with a vehicle is part of its theft.
HIERARCHY = (1, 2, 3, 4, 5, 7, 6)
VICTIM_CLASSES = (1, 2, 4)  # counted once per victim; the others once per incident
ARSON = 8  # the other exception: counted in every incident that has one, alongside its most serious offense
# Dates come as 2024-01-29, 2024-01-29 08:55:56.3400000 or 1/29/2024 8:55:56 AM.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
)


# A month's full name, its first three letters, or Sept.
MONTH_WORDS = {*months.LOWER_NAMES, *(name[:3] for name in months.LOWER_NAMES), "sept"}
MONTH_WORD = "|".join(sorted(MONTH_WORDS, key=lambda word: (-len(word), word)))
YEAR = r"(?:19|20)\d\d"
# How release names give their period, tried in order on the file name without its folder and suffixes, or on
# the text of a link to it: 2021-03_2021-05 (a span of months), 2021-2023 or 2021 - 2023 (whole years), 2024-01,
# Crime-01-2024, January2024, January 2024, Jan. 2024 and ...-File-March-2024-CSV.
MONTH = r"(?:0[1-9]|1[0-2])"
RELEASE_NAMES = (
    ("months", re.compile(rf"(?<!\d)(?P<first>{YEAR}-{MONTH})_(?P<last>{YEAR}-{MONTH})(?!\d)")),
    ("years", re.compile(rf"(?<!\d)(?P<first>{YEAR})(?:[-_]| ?[-\u2013] ?)(?P<last>{YEAR})(?!\d)")),
    ("year-month", re.compile(rf"(?<!\d)(?P<year>{YEAR})[-_.](?P<month>0[1-9]|1[0-2])(?!\d)")),
    ("month-year", re.compile(rf"(?<!\d)(?P<month>0?[1-9]|1[0-2])[-_.](?P<year>{YEAR})(?!\d)")),
    ("name-year", re.compile(rf"(?<![a-z])(?P<name>{MONTH_WORD})(?:\.? |[-_]|, )?(?P<year>{YEAR})(?!\d)", re.I)),
)
RELEASE_SUFFIX = re.compile(r"(\.csv)?(\.gz)?$", re.I)


def release_period(name: str) -> tuple[pd.Period, pd.Period] | None:
    """The months a release stands for, from the name it was published or saved under (a path or URL: only the
    last part counts), as (first month, last month); None when the name gives none. `Crime-01-2024.csv.gz`,
    `2024-01.csv`, `January2024.csv` and `Downloadable-NIBRS-Crime-File-March-2024-CSV.csv` are January to
    March 2024, one month each; `2021-2023.csv` is January 2021 to December 2023, `2021-03_2021-05.csv` March to
    May 2021."""
    return period_in(RELEASE_SUFFIX.sub("", PurePosixPath(name.replace("\\", "/")).name))


def text_period(text: str) -> tuple[pd.Period, pd.Period] | None:
    """The months a link's text names ("January 2024", "Jan. 2024", "2021 - 2023"), read as release names are
    (release_period) but whole: a slash in a text is no folder."""
    return period_in(" ".join(text.split()))


def period_in(stem: str) -> tuple[pd.Period, pd.Period] | None:
    """The first period RELEASE_NAMES finds in a name or a text, as (first month, last month)."""
    for kind, pattern in RELEASE_NAMES:
        found = pattern.search(stem)
        if found is None:
            continue
        if kind == "months":
            first, last = months.period(found["first"]), months.period(found["last"])
            if first > last:
                continue
            return first, last
        if kind == "years":
            first, last = int(found["first"]), int(found["last"])
            if first > last:
                continue
            return months.of(first, 1), months.of(last, 12)
        month = int(found["month"]) if kind != "name-year" else month_number(found["name"])
        period = months.of(int(found["year"]), month)
        return period, period
    return None


def period_label(first: pd.Period, last: pd.Period) -> str:
    """How a release's months are written where a name or a column gives them: `2024-01` for one month,
    `2021-2023` for whole calendar years, `2021-03_2021-05` otherwise. release_period reads each form back."""
    if first == last:
        return months.key(first)
    if months.number_of(first) == 1 and months.number_of(last) == 12:
        return f"{months.year_of(first)}-{months.year_of(last)}"
    return f"{months.key(first)}_{months.key(last)}"


def month_number(word: str) -> int:
    """1 for 'January', 'jan' or 'Sept.'-like words (the first three letters decide)."""
    return [name[:3] for name in months.LOWER_NAMES].index(word[:3].lower()) + 1


def detect(header: list[str]) -> str | None:
    names = [name.strip().lower() for name in header]
    return LAYOUT if sorted(names) == sorted(name.lower() for name in COLUMNS) else None


def expected_header(header: list[str]) -> str:
    return f"a known header ({HEADERS}; see data/README.md)"


def prepare(table: Table) -> tuple[pd.DataFrame, dict[str, str]]:
    """All 22 columns under their documented spelling, stripped, with NULL as the empty string."""
    spelling = {name.lower(): name for name in COLUMNS}
    names = {spelling[name.strip().lower()]: name for name in table.header}
    frame = table.frame.set_axis([spelling[name.strip().lower()] for name in table.header], axis=1)
    frame = frame.loc[:, list(COLUMNS)]
    for column in COLUMNS:
        stripped = frame[column].str.strip()
        frame[column] = stripped.where(~stripped.isin(NULL_VALUES), "")
    return frame, names


def parse_dates(text: pd.Series) -> pd.Series:
    return parse_datetimes(text, DATE_FORMATS)


def to_incidents(batch: Batch, context: ReadContext) -> tuple[pd.DataFrame, list[Problem]]:
    frame = batch.frame.copy()
    frame["_file"] = batch.file_index
    frame["_line"] = batch.lines
    problems: list[Problem] = []
    incident_date = parse_dates(frame["IncidentDate"])
    problems += batch.problems(
        incident_date.isna(),
        "IncidentDate",
        frame["IncidentDate"],
        "a date such as 2024-01-31 or 1/31/2024 12:00:00 AM",
    )
    problems += batch.problems(frame["IncidentNum"] == "", "IncidentNum", frame["IncidentNum"], "an incident number")
    supplemented = parse_dates(frame["LastSuppDate"])
    unreadable = (frame["LastSuppDate"] != "") & supplemented.isna()
    problems += batch.problems(unreadable, "LastSuppDate", frame["LastSuppDate"], "empty, NULL or a date")
    for column in ("SRS_UCR", "IncidentTopSRS_UCR"):
        ok = (frame[column] == "") | frame[column].str.fullmatch(r"\d{1,2}").fillna(False).astype(bool)
        problems += batch.problems(~ok, column, frame[column], "empty, NULL or a two-digit UCR class")
    if problems:
        return incidents.empty(), problems
    frame["IncidentNum"] = canonical_incident_numbers(frame["IncidentNum"])
    frame["VictimNum"] = canonical_victim_numbers(frame["VictimNum"])
    frame["_date"] = incident_date
    frame["_sexual"] = sexual_rows(frame, context)
    frame["_supp"] = supplemented.dt.floor("D")  # files disagree on precision: compare whole days
    rank = release_rank(frame, batch, context)
    latest = latest_versions(frame, rank)
    latest["_neighborhood"] = reconcile_neighborhoods(
        latest["NbhdNum"], latest["Neighborhood"], context.neighborhood_numbers
    )
    units = counted_units(latest, context)
    batch.history = release_history(frame, rank, batch, context)
    return to_canonical(units, batch, context), []


def sexual_rows(frame: pd.DataFrame, context: ReadContext) -> np.ndarray:
    """Rows of an incident that holds a sexual offense in any row of any release read, before the counted
    units are chosen: an incident with a fondling (11D, not counted) and a counted assault is withheld too."""
    ucr_class = pd.to_numeric(frame["SRS_UCR"].where(frame["SRS_UCR"] != ""), errors="coerce")
    sexual = frame["NIBRS"].str.upper().isin(SEXUAL_NIBRS_CODES) | ucr_class.isin(list(context.sexual_classes))
    return sexual_incident(sexual, row_keys(frame["IncidentNum"]))


def canonical_victim_numbers(numbers: pd.Series) -> pd.Series:
    """Victim numbers without leading zeros (1 and 01 are one victim); other values are kept (stripped)."""
    digits = numbers.str.fullmatch(r"\d+").fillna(False).astype(bool)
    return numbers.where(~digits, numbers.str.lstrip("0").replace("", "0"))


def release_rank(frame: pd.DataFrame, batch: Batch, context: ReadContext) -> np.ndarray:
    """Each file's place in release order: by the last month it stands for (see `release_months`), then by name.
    The months are also what the file stands for on the coverage and data-quality pages."""
    newest = frame["_date"].groupby(frame["_file"]).max()
    spans = [release_months(raw, newest.get(i), context) for i, raw in enumerate(batch.files)]
    batch.covers.update({raw.name: tuple(months.span(*span)) for raw, span in zip(batch.files, spans, strict=True)})
    order = sorted(range(len(batch.files)), key=lambda i: (spans[i][1], batch.files[i].name))
    rank = np.empty(len(batch.files), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    return rank


def release_months(raw: RawFile, newest: pd.Timestamp | None, context: ReadContext) -> tuple[pd.Period, pd.Period]:
    """The months a release stands for: from its file name, else from the name it was published under (the fetch
    manifest), else the month of its newest `IncidentDate`. Never the month most of its rows are in: a January
    release whose re-sent December incidents outnumber its January ones is still January's."""
    for name in (raw.name, context.release_names.get(raw.sha256, "")):
        span = release_period(name)
        if span is not None:
            return span
    month = pd.Timestamp(newest).to_period("M")
    return month, month


def latest_versions(frame: pd.DataFrame, rank: np.ndarray) -> pd.DataFrame:
    """For each incident, only the rows of its newest version: latest LastSuppDate, then newest release."""
    frame = frame.assign(_rank=rank[frame["_file"].to_numpy()])
    versions = frame.groupby(["IncidentNum", "_file"], sort=False).agg(supp=("_supp", "max"), rank=("_rank", "first"))
    versions["supp"] = versions["supp"].fillna(pd.Timestamp("1900-01-01")).astype("datetime64[s]")
    versions = versions.reset_index().sort_values(["IncidentNum", "supp", "rank"])
    chosen = versions.drop_duplicates("IncidentNum", keep="last")[["IncidentNum", "_file"]]
    return frame.merge(chosen, on=["IncidentNum", "_file"], how="inner").sort_values(["_file", "_line"])


def release_history(frame: pd.DataFrame, rank: np.ndarray, batch: Batch, context: ReadContext) -> ReleaseHistory:
    """How each release changed the counted units, without reading the releases once per release: the counted units
    of every version (incident x file) are made once, then the releases are walked in rank order. A version becomes
    its incident's winner at its release when its LastSuppDate is at least the current winner's (ties: the newer
    release, as in latest_versions); each change takes the old winner's units away and adds the new one's. So the
    units as of release k are those a read of the releases up to k would keep."""
    incident = pd.factorize(frame["IncidentNum"])[0].astype(np.int64)
    files = len(batch.files)
    version = incident * files + frame["_file"].to_numpy(dtype=np.int64)
    units = counted_units(frame.assign(IncidentNum=version), context)  # each version counted as if alone
    date = units["_date"]
    unit_counts = (
        pd.DataFrame(
            {
                "version": units["IncidentNum"].to_numpy(),
                "month": (date.dt.year * 100 + date.dt.month).to_numpy(),
                "ucr_class": units["ucr_class"].to_numpy(),
            }
        )
        .groupby(["version", "month", "ucr_class"])
        .size()
        .rename("units")
        .reset_index()
    )
    changes = winner_changes(incident, frame["_file"].to_numpy(), frame["_supp"], rank, files)
    plus = changes[["rank", "version"]].merge(unit_counts, on="version").assign(sign=1)
    replaced = changes.dropna(subset=["old"]).astype({"old": np.int64})
    minus = replaced[["rank", "old"]].rename(columns={"old": "version"}).merge(unit_counts, on="version")
    both = pd.concat([plus, minus.assign(sign=-1)], ignore_index=True)
    last_months = np.array([month_number_key(batch.covers[raw.name][-1]) for raw in batch.files], dtype=np.int64)
    both["file_last"] = last_months[both["version"].to_numpy() % files]
    both["delta"] = both["units"] * both["sign"]
    deltas = both.groupby(["rank", "file_last", "month", "ucr_class"])["delta"].sum().reset_index()
    deltas = deltas[deltas["delta"] != 0]
    in_order = [batch.files[i] for i in np.argsort(rank, kind="stable")]
    spans = [batch.covers[raw.name] for raw in in_order]
    labels = release_labels([period_label(months.period(span[0]), months.period(span[-1])) for span in spans])
    releases = tuple(Release(label, raw.name, span) for label, raw, span in zip(labels, in_order, spans, strict=True))
    return ReleaseHistory(releases, history_table(deltas, context))


def release_labels(labels: list[str]) -> list[str]:
    """Each release's label (period_label), unique: a second release for the same months (one published again
    under another name) is `2024-04 (2)`, a third `2024-04 (3)`."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def winner_changes(
    incident: np.ndarray, file: np.ndarray, supp: pd.Series, rank: np.ndarray, files: int
) -> pd.DataFrame:
    """Each time a version becomes its incident's winner, in release order: rank, version (incident x files + file)
    and old, the version it replaces (NaN for the incident's first)."""
    versions = (
        pd.DataFrame({"incident": incident, "file": file, "supp": supp.to_numpy()})
        .groupby(["incident", "file"], sort=False)["supp"]
        .max()
        .reset_index()
    )
    versions["supp"] = versions["supp"].fillna(pd.Timestamp("1900-01-01")).astype("datetime64[s]")
    versions["rank"] = rank[versions["file"].to_numpy()]
    versions = versions.sort_values(["incident", "rank"], ignore_index=True)
    best_before = versions.groupby("incident")["supp"].cummax().groupby(versions["incident"]).shift(1)
    changes = versions[best_before.isna() | (versions["supp"] >= best_before)].copy()
    changes["version"] = changes["incident"] * files + changes["file"]
    changes["old"] = changes.groupby("incident")["version"].shift(1)
    return changes


def month_number_key(month: str) -> int:
    """A month as one whole number, year * 100 + month (202401), for grouping many rows by month quickly."""
    return months.year_of(month) * 100 + months.number_of(month)


def month_keys(numbers: pd.Series) -> pd.Series:
    """The months of month_number_key numbers as keys (2024-01); each distinct month is converted once."""
    distinct = {int(number): months.key_of(int(number) // 100, int(number) % 100) for number in numbers.unique()}
    return numbers.map(distinct).astype(object)


def history_table(deltas: pd.DataFrame, context: ReadContext) -> pd.DataFrame:
    """The delta table with months as keys (YYYY-MM) and classes as category slugs."""
    return pd.DataFrame(
        {
            "rank": deltas["rank"].astype(np.int64).to_numpy(),
            "file_last": month_keys(deltas["file_last"]).to_numpy(),
            "month": month_keys(deltas["month"]).to_numpy(),
            "category": deltas["ucr_class"].map(context.categories).to_numpy(),
            "delta": deltas["delta"].astype(np.int64).to_numpy(),
        }
    )


def offense_classes(rows: pd.DataFrame) -> pd.Series:
    """The Part I class each offense row counts as in the FBI's NIBRS-to-summary conversion: homicide is 09A only
    (09B and 09C carry class 01 in some files), rape is 11A, 11B or 11C whatever `SRS_UCR` says (the 2013
    definition; the files give 11B class 02 and 11D fondling none), the rest `SRS_UCR` (03-08). NaN: not Part I."""
    given = pd.to_numeric(rows["SRS_UCR"].where(rows["SRS_UCR"] != ""), errors="coerce")
    return pd.Series(
        np.select(
            [rows["NIBRS"] == HOMICIDE_CODE, rows["NIBRS"].isin(RAPE_CODES), given.isin(OTHER_CLASSES)],
            [1, 2, given],
            default=np.nan,
        ),
        index=rows.index,
    )


def counted_units(rows: pd.DataFrame, context: ReadContext) -> pd.DataFrame:
    """One row per counted crime, with `ucr_class` set, taken from an offense row of that class: the incident's most
    serious offense (HIERARCHY), once per victim for homicide, rape and aggravated assault, once per incident for
    the others; and every incident with an arson, alongside anything else."""
    rows = rows.assign(_class=offense_classes(rows), _victim=rows["VictimNum"])
    rank = rows["_class"].map({ucr_class: place for place, ucr_class in enumerate(HIERARCHY)})
    top = rank.groupby(rows["IncidentNum"]).transform("min")
    mine = rows[rank.notna() & (rank == top)].sort_values(["_file", "_line"])
    per_victim = mine["_class"].isin(VICTIM_CLASSES)
    units = [
        mine[per_victim].drop_duplicates(["IncidentNum", "_victim"]),
        mine[~per_victim].drop_duplicates("IncidentNum"),
    ]
    victims = units[0].assign(firearm=firearm_used(units[0]["FirearmUsed"]))
    any_firearm = incident_firearm(rows)
    incidents = units[1].assign(firearm=units[1]["IncidentNum"].map(any_firearm))
    arson = rows[rows["_class"] == ARSON].sort_values(["_file", "_line"]).drop_duplicates("IncidentNum")
    arson = arson.assign(firearm=arson["IncidentNum"].map(any_firearm))
    combined = pd.concat([victims, incidents, arson], ignore_index=True)
    combined["ucr_class"] = combined["_class"].astype(int)
    return combined[combined["ucr_class"].isin(list(context.categories))].sort_values(["_file", "_line", "ucr_class"])


def firearm_used(text: pd.Series) -> pd.Series:
    """`FirearmUsed` as True (Yes), False (No) or unknown (anything else)."""
    return yes_no_unknown(text == FIREARM_YES, text == FIREARM_NO)


def incident_firearm(rows: pd.DataFrame) -> pd.Series:
    """An incident used a firearm if any of its rows says so; unknown when no row says yes or no."""
    said = rows.assign(yes=rows["FirearmUsed"] == FIREARM_YES, no=rows["FirearmUsed"] == FIREARM_NO)
    flags = said.groupby("IncidentNum")[["yes", "no"]].any()
    return yes_no_unknown(flags["yes"], flags["no"])


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
    lon, lat, status = in_bounds(lon, lat, given_coordinates(lat, lon), context.bounds)
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
            "crime_code": units["NIBRS"].to_numpy(),
            "ucr_class": units["ucr_class"].to_numpy(),
            "description": units["Offense"].to_numpy(),
            "district": district.where(district.between(*context.district_numbers)).to_numpy(),
            "neighborhood": neighborhood.where(neighborhood.between(*context.neighborhood_numbers)).to_numpy(),
            "block": geo.to_block(number, street).to_numpy(),
            "latitude": lat,
            "longitude": lon,
            "location_status": status,
            "firearm": units["firearm"].astype("boolean").to_numpy(),
            "sexual_incident": units["_sexual"].to_numpy(dtype=bool),
        }
    )
    return canonical_table(rows, context)


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
