"""Reader for SLMPD's legacy UCR monthly files (2008-2020).

Three header layouts are known (18 columns until May 2013, 20 from June 2013, 26 in May 2017
alone); see data/README.md for the quirks handled here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimesite import geo, incidents, months
from crimesite.errors import Problem
from crimesite.sources.common import (
    PLACEHOLDER_BEFORE,
    Batch,
    ReadContext,
    Table,
    canonical_incident_numbers,
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

FORMAT = "slmpd-legacy"
PER_FILE = True  # each file is read on its own (and cached by content)
HEADERS = "SLMPD legacy: 18, 20 or 26 columns"

# Header names are compared after normalize_header(); these map a layout's names to the reader's own (the names
# not listed are the reader's already).
RENAME_UNTIL_2013 = {
    "monthreportedtomshp": "coded_month",
    "dateoccured": "date_occur",
    "newcrimeindicator": "flag_new",
    "unfoundedcrimeindicator": "flag_unfounded",
    "administrativeadjustmentindicator": "flag_administrative",
    "ileadsaddress": "address_number",
    "ileadsstreet": "street",
}
RENAME_FROM_2013 = {
    "codedmonth": "coded_month",
    "dateoccur": "date_occur",
    "flagcrime": "flag_new",
    "flagunfounded": "flag_unfounded",
    "flagadministrative": "flag_administrative",
    "ileadsaddress": "address_number",
    "ileadsstreet": "street",
}

_COMMON = [
    "count",
    "crime",
    "district",
    "description",
    "ileadsaddress",
    "ileadsstreet",
    "neighborhood",
    "locationname",
    "locationcomment",
    "cadaddress",
    "cadstreet",
    "xcoord",
    "ycoord",
]
LAYOUTS = {
    "18 columns (2008 to May 2013)": frozenset(
        [
            "monthreportedtomshp",
            "dateoccured",
            "newcrimeindicator",
            "unfoundedcrimeindicator",
            "administrativeadjustmentindicator",
            *_COMMON,
        ]
    ),
    "20 columns (June 2013 on)": frozenset(
        [
            "complaint",
            "codedmonth",
            "dateoccur",
            "flagcrime",
            "flagunfounded",
            "flagadministrative",
            "flagcleanup",
            *_COMMON,
        ]
    ),
    "26 columns (May 2017)": frozenset(
        [
            "complaint",
            "codedmonth",
            "dateoccur",
            "flagcrime",
            "flagunfounded",
            "flagadministrative",
            "flagcleanup",
            *_COMMON,
            "ileadsadd",
            "ileadsapprove",
            "beat",
            "ileadsasg",
            "ileadstype",
            "datecrimecoded",
        ]
    ),
}

CODED_MONTH = r"\d{4}-\d{1,2}"  # how the files write a coded month
RENAMES = dict(zip(LAYOUTS, (RENAME_UNTIL_2013, RENAME_FROM_2013, RENAME_FROM_2013), strict=True))
DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")
FLAG_YES = "Y"
# Descriptions that name a weapon other than a firearm ("AGG.ASSAULT-OTH DANG WEP/...", ".../STRNGARM/...").
OTHER_WEAPON = r"OTH DANG WEP|OTHER DANG|STRNGARM|STRONGARM|KNIFE|CUTTING|HANDS|FISTS|FEET"


def normalize_header(name: str) -> str:
    return name.strip().lower().replace(" ", "").replace("-", "").replace("_", "")


def detect(header: list[str]) -> str | None:
    """The layout name when the header is one of the legacy layouts, else None."""
    names = [normalize_header(name) for name in header]
    if len(set(names)) != len(names):
        return None
    for layout, expected in LAYOUTS.items():
        if set(names) == expected:
            return layout
    return None


def expected_header(header: list[str]) -> str:
    return f"a known header ({HEADERS}; see data/README.md)"


NEEDED = (
    "coded_month",
    "date_occur",
    "flag_new",
    "flag_unfounded",
    "flag_administrative",
    "count",
    "crime",
    "district",
    "description",
    "neighborhood",
    "address_number",
    "street",
    "xcoord",
    "ycoord",
    "complaint",
)


def prepare(table: Table) -> tuple[pd.DataFrame, dict[str, str]]:
    """The columns this reader uses, under its own names, and each one's name in the file."""
    layout = detect(table.header)
    if layout is None:
        raise ValueError(f"not a legacy header: {table.header}")
    rename = RENAMES[layout]
    normalized = [normalize_header(name) for name in table.header]
    names = {rename.get(name, name): given for name, given in zip(normalized, table.header, strict=True)}
    frame = table.frame.set_axis(normalized, axis=1).rename(columns=rename, errors="raise")
    if "complaint" not in frame:
        frame["complaint"] = ""
    return frame.loc[:, list(NEEDED)], names


def to_incidents(batch: Batch, context: ReadContext) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonical rows for a batch of legacy files, or the problems that stop the build."""
    frame = batch.frame
    problems: list[Problem] = []

    def report(bad: pd.Series, column: str, values: pd.Series, expected: str) -> None:
        problems.extend(batch.problems(bad, column, values, expected))

    count_text = frame["count"].str.strip()
    count = to_number(count_text)
    report(~count.isin([1, -1]), "count", count_text, "+1 or -1")

    code = frame["crime"].str.strip()
    code_ok = code.str.fullmatch(r"\d{1,6}")
    code = code.str.zfill(6)
    ucr_class = to_number(code.str[:2].where(code_ok, ""))
    class_ok = code_ok & ucr_class.isin(list(context.categories))
    report(
        ~class_ok,
        "crime",
        frame["crime"],
        "a crime code of up to 6 digits whose first two digits are a UCR class 01-26",
    )

    coded = frame["coded_month"].str.strip()
    # Raw text, not a month key: the files write 2014-02 or 2014-2. Sliced, as str.extract is seven times slower
    # on 600,000 rows (1.05 s against 0.15 s); the months are keys (crimesite.months) only once read.
    month_ok = coded.str.fullmatch(CODED_MONTH)
    year = to_number(coded.str[:4].where(month_ok, ""))
    month = to_number(coded.str[5:].where(month_ok, ""))
    month_ok = month_ok & year.between(1990, 2100) & month.between(1, 12)
    report(~month_ok, "coded_month", frame["coded_month"], "a month as YYYY-MM")

    if problems:
        return incidents.empty(), problems
    coded_at = (year * 12 + month - 1).astype("int64")
    main = main_months(coded_at, batch.file_index)
    later = coded_at.to_numpy() > main
    for file_number in np.unique(batch.file_index[later]):
        limit = int(main[batch.file_index == file_number][0])
        expected = (
            f"a coded month no later than {months.key_of(limit // 12, limit % 12 + 1)}, the month most of the "
            "file's rows are coded in (a later month had not been reported when the file was written)"
        )
        report(pd.Series(later & (batch.file_index == file_number)), "coded_month", coded, expected)
    if problems:
        return incidents.empty(), problems

    occurred, occurred_status = parse_occurred(frame["date_occur"], year, month)
    lon, lat, location_status = locate(frame["xcoord"], frame["ycoord"], context)
    complaint = canonical_incident_numbers(frame["complaint"].str.strip())
    rows = pd.DataFrame(
        {
            "source_file": batch.file_names(),
            "source_line": batch.lines,
            "era": "ucr",
            "complaint": complaint.where(complaint != ""),
            "year": year,
            "month": month,
            "occurred_at": occurred,
            "occurred_status": occurred_status,
            "count": count,
            "flag_new": frame["flag_new"].str.strip() == FLAG_YES,
            "flag_unfounded": frame["flag_unfounded"].str.strip() == FLAG_YES,
            "flag_administrative": frame["flag_administrative"].str.strip() == FLAG_YES,
            "crime_code": code,
            "ucr_class": ucr_class,
            "description": frame["description"].str.strip(),
            "district": place_number(frame["district"], context.district_numbers),
            "neighborhood": place_number(frame["neighborhood"], context.neighborhood_numbers),
            "block": geo.to_block(frame["address_number"], frame["street"]),
            "latitude": lat,
            "longitude": lon,
            "location_status": location_status,
            "firearm": firearm_from_description(frame["description"]),
            "sexual_incident": sexual_rows(frame, ucr_class, complaint, batch, context),
        }
    )
    return canonical_table(rows, context), []


def main_months(coded_at: pd.Series, file_index: np.ndarray) -> np.ndarray:
    """For each row, the coded month (year * 12 + month - 1) most rows of its file carry; the earlier on a tie.
    A legacy file is one month's report (every real file holds a single coded month), so a row coded later
    than that month cannot be right; an earlier one can (an old crime coded again)."""
    months = pd.DataFrame({"file": file_index, "month": coded_at.to_numpy()})
    sizes = months.groupby(["file", "month"]).size().reset_index(name="rows")
    sizes = sizes.sort_values(["file", "rows", "month"], ascending=[True, False, True]).drop_duplicates("file")
    return months["file"].map(sizes.set_index("file")["month"]).to_numpy()


def sexual_rows(
    frame: pd.DataFrame, ucr_class: pd.Series, complaint: pd.Series, batch: Batch, context: ReadContext
) -> np.ndarray:
    """Rows of an incident that holds a sexual offense, in this batch: one offense per row, so the incident is
    every row of the same file and `Complaint`. Files before June 2013 have none: there the rows of the same
    file with the same `DateOccur` and the same street address, coordinates or neighborhood are one incident
    (a reclassification's -1 and +1 rows can differ in address). privacy.withhold_incidents extends this
    across files."""
    file, occurred = batch.file_index, frame["date_occur"].str.strip()
    when = row_keys(file, occurred, given=complaint == "")  # a complaint names the incident
    address = (frame["address_number"].str.strip() + " " + frame["street"].str.strip()).str.strip()
    x, y = frame["xcoord"].str.strip(), frame["ycoord"].str.strip()
    neighborhood = frame["neighborhood"].str.strip()
    keys = (
        row_keys(file, complaint),
        row_keys(when, neighborhood, given=neighborhood != "0"),
        row_keys(when, address),
        row_keys(when, x, y, given=(x != "0") & (y != "0")),
    )
    return sexual_incident(ucr_class.isin(list(context.sexual_classes)), *keys)


def firearm_from_description(description: pd.Series) -> pd.Series:
    """True where the description names a firearm, False where it names another weapon, else unknown."""
    # There are about a thousand distinct descriptions: decide once for each, then spread the answers.
    codes, distinct = pd.factorize(description)
    answers = _firearm_of_texts(pd.Series(distinct, dtype="string")).to_numpy()
    return pd.Series(answers[codes], index=description.index, dtype="boolean")


def _firearm_of_texts(description: pd.Series) -> pd.Series:
    text = description.str.upper()
    named = text.str.contains("FIREARM", regex=False).fillna(False).astype(bool)
    other = text.str.contains(OTHER_WEAPON, regex=True).fillna(False).astype(bool)
    return yes_no_unknown(named, other)


def parse_occurred(text: pd.Series, year: pd.Series, month: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Occurrence time and its status; problems here do not change any total."""
    text = text.str.strip()
    occurred = parse_datetimes(text, DATE_FORMATS)
    counting_month_end = pd.to_datetime(
        {"year": year, "month": month, "day": 1}, errors="coerce"
    ) + pd.offsets.MonthBegin(1)
    # Positions in incidents.OCCURRED_STATUSES, made a categorical at once: 700,000 status strings cost a quarter
    # of a second to make and to look up again.
    code = incidents.OCCURRED_STATUSES.index
    status = np.select(
        [text == "", occurred.isna(), occurred < PLACEHOLDER_BEFORE, occurred >= counting_month_end],
        [code("missing"), code("unparseable"), code("placeholder"), code("after_counting_month")],
        default=code("ok"),
    )
    occurred = occurred.where(np.isin(status, [code("ok"), code("after_counting_month")]))
    return occurred, pd.Series(pd.Categorical.from_codes(status, incidents.OCCURRED_STATUSES), index=text.index)


def locate(x_text: pd.Series, y_text: pd.Series, context: ReadContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 coordinates where the file's coordinates are usable, NaN elsewhere, and a status."""
    x = to_number(x_text.str.strip())
    y = to_number(y_text.str.strip())
    given = given_coordinates(x, y)
    lon, lat = geo.to_wgs84(x.where(given), y.where(given), context.source_crs)
    return in_bounds(lon, lat, given, context.bounds)
