"""Addresses become blocks: no label the site or the downloads show holds a house number."""

from __future__ import annotations

import pandas as pd

from crimesite import geo


def test_blocks_round_house_numbers_down_even_inside_the_street_field():
    cases = {  # (number, street) -> block; the street-field cases are real SLMPD rows
        ("3712", "S BROADWAY "): "3700 block S BROADWAY",
        ("99", "PINE ST"): "0 block PINE ST",
        ("0", "MORRISON LN / 14TH ST"): "MORRISON LN / 14TH ST",
        ("0", "3035 CASS / VASHON H"): "3000 block CASS / VASHON H",
        ("", "2020 DUNNICA AVE / GUSTINE AVE"): "2000 block DUNNICA AVE / GUSTINE AVE",
        ("0", "270 / RIVERVIEW DR"): "270 / RIVERVIEW DR",  # Interstate 270, not a house
        ("0", "70 E / N BROADWAY"): "70 E / N BROADWAY",
        ("0", "170 EASTBOUND / CARRIE"): "100 block EASTBOUND / CARRIE",  # read as a house, rounded
        ("", "2821 MERAMEC ST,"): "2800 block MERAMEC ST",
        ("0", "UNKNOWN"): geo.UNKNOWN_BLOCK,
    }
    numbers = pd.Series([number for number, _ in cases], dtype="string")
    streets = pd.Series([street for _, street in cases], dtype="string")
    assert geo.to_block(numbers, streets).tolist() == list(cases.values())


def test_no_street_gives_no_block():
    blocks = geo.to_block(pd.Series(["12", None], dtype="string"), pd.Series(["  ", ""], dtype="string"))
    assert blocks.isna().all()
