"""What may be located: the one place that decides which rows are withheld and where a block is shown.

Two rules, each applied here only:

- A row whose incident holds a sexual offense is never located (no block, no position, no map point), in any
  output; it stays in every count. The readers mark what each file shows (`sexual_incident`: the offense's
  own row and the rows of the same complaint or incident in that file); `withhold_incidents` extends the mark
  across files, by complaint number and by the same occurrence time and block, coordinates or neighborhood (files
  before June 2013 have no complaint number).
- A block's published position is the average of the rows that may be located (location ok, not withheld,
  a block that is one), rounded to 3 decimals; `block_positions` computes it once per build and every output
  (the map, its tooltips, the downloads) takes it from there. A row without such a block has no position.
  Were the map's average to include a withheld row and the downloads' not, twice one minus the other would
  give the withheld position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crimesite.geo import UNKNOWN_BLOCK

POINT_DECIMALS = 3  # about 110 m north-south, 90 m east-west: a city block, never an address


def withhold_incidents(table: pd.DataFrame) -> pd.DataFrame:
    """The canonical table with `sexual_incident` set on every row of an incident that holds a sexual offense,
    wherever its rows are: the same complaint number in any file (an adjustment row comes in a later month's
    file; NIBRS incidents are re-sent), or the same occurrence time and the same block, coordinates or
    neighborhood (files before June 2013 have no complaint number; a reclassification's rows can differ in address)."""
    marked = table["sexual_incident"].to_numpy(dtype=bool).copy()
    complaint = table["complaint"]
    given = complaint.notna().to_numpy()
    marked |= given & complaint.isin(pd.unique(complaint[marked & given])).to_numpy()
    timed = table["occurred_at"].notna().to_numpy()
    for columns in (
        ["occurred_at", "block"],
        ["occurred_at", "latitude", "longitude"],
        ["occurred_at", "neighborhood"],
    ):
        keyed = timed & table[columns[1:]].notna().all(axis=1).to_numpy()
        if not (marked & keyed).any():
            continue
        # Only rows without a complaint number are matched so: where there is one, it names the incident.
        target = keyed & ~given
        keys = pd.MultiIndex.from_frame(table.loc[target, columns])
        withheld = pd.MultiIndex.from_frame(table.loc[marked & keyed, columns]).unique()
        hit = np.zeros(len(table), dtype=bool)
        hit[np.flatnonzero(target)] = keys.isin(withheld)
        marked |= hit
    if (marked == table["sexual_incident"].to_numpy(dtype=bool)).all():
        return table
    return table.assign(sexual_incident=marked)


def locatable(table: pd.DataFrame) -> pd.Series:
    """Rows that may be shown at their block: usable coordinates, not withheld, and a block that is one."""
    block = table["block"]
    return (
        (
            (table["location_status"] == "ok")
            & ~table["sexual_incident"].astype(bool)
            & block.notna()
            & (block != UNKNOWN_BLOCK)
        )
        .fillna(False)
        .astype(bool)
    )


def block_positions(table: pd.DataFrame) -> pd.DataFrame:
    """block -> longitude, latitude: the average position of the locatable rows of each block, rounded to 3
    decimals. Every published position is one of these."""
    rows = table.loc[locatable(table), ["block", "longitude", "latitude"]]
    rows = rows.assign(block=rows["block"].astype(str))
    return rows.groupby("block", sort=True)[["longitude", "latitude"]].mean().round(POINT_DECIMALS)


def published_positions(table: pd.DataFrame, positions: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each row's published longitude and latitude: its block's position where the row is locatable, else NaN."""
    ok = locatable(table)
    block = table["block"].astype("string").where(ok)
    longitude = block.map(positions["longitude"]).astype("float64")
    latitude = block.map(positions["latitude"]).astype("float64")
    return longitude, latitude
