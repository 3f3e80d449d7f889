"""incidents.validate: each rule the pages rely on stops the build with the rule, the row, the column and the value."""

from __future__ import annotations

import pandas as pd
import pytest

from crimesite import incidents

NEIGHBORHOODS = (1, 88)


def good_rows() -> pd.DataFrame:
    rows = {
        "source_file": "feb.csv",
        "source_line": [2, 3],
        "era": "ucr",
        "complaint": ["14-000101", None],
        "year": 2014,
        "month": 2,
        "occurred_at": pd.Timestamp("2014-02-03 08:05"),
        "occurred_status": "ok",
        "count": [1, -1],
        "flag_new": True,
        "flag_unfounded": False,
        "flag_administrative": False,
        "crime_code": "031111",
        "ucr_class": 3,
        "category": "robbery",
        "part": 1,
        "description": "ROBBERY",
        "district": 3,
        "neighborhood": [18, None],
        "block": "3700 block S BROADWAY",
        "latitude": [38.6, None],
        "longitude": [-90.2, None],
        "location_status": ["ok", "missing"],
        "firearm": [True, None],
        "sexual_incident": False,
    }
    return incidents.conform(pd.DataFrame(rows))


def test_good_rows_pass():
    incidents.validate(good_rows(), NEIGHBORHOODS)


def test_the_empty_table_passes():
    incidents.validate(incidents.empty(), NEIGHBORHOODS)


# column, the bad value put in the second row (line 3), the rule's words
BROKEN = [
    ("count", 2, "count is +1 or -1"),
    ("month", 13, "month is 1-12"),
    ("ucr_class", 27, "ucr_class is 1-26"),
    ("part", 3, "part is 1 or 2"),
    ("category", None, "category is set"),
    ("neighborhood", 89, "neighborhood is 1-88 or empty"),
    ("latitude", 38.6, "coordinates only where location_status is ok"),
]


@pytest.mark.parametrize(("column", "value", "rule"), BROKEN, ids=[column for column, _, _ in BROKEN])
def test_each_rule_names_the_row_column_and_value(column, value, rule):
    rows = good_rows()
    dtype = rows[column].dtype
    rows[column] = rows[column].astype(object)
    rows.loc[1, column] = value
    rows = rows.astype({column: dtype})
    with pytest.raises(ValueError) as caught:
        incidents.validate(rows, NEIGHBORHOODS)
    message = str(caught.value)
    assert f"break the rule '{rule}'" in message and "first at feb.csv:3" in message
    assert f"(column {column}, value " in message
    if value is not None:
        assert repr(value) in message or str(value) in message


def test_a_wrong_column_order_or_dtype_is_named():
    rows = good_rows()
    with pytest.raises(ValueError, match="expected"):
        incidents.validate(rows[list(reversed(rows.columns))], NEIGHBORHOODS)
    with pytest.raises(ValueError, match="column count has dtype int64, expected int8"):
        incidents.validate(rows.astype({"count": "int64"}), NEIGHBORHOODS)


@pytest.mark.parametrize(
    "values",
    [
        ["ok", "missing", "outside_city", "ok"],
        ["ok", None, "not a status", "missing"],
        [],
    ],
)
@pytest.mark.parametrize("dtype", ["str", "object", "category"])
def test_fixed_categories_codes_each_value_by_its_category(values, dtype):
    """The Arrow look-up (text) and the recoding (categoricals) give the codes of the categories, -1 for any other
    value."""
    series = pd.Series(values, dtype=dtype)
    made = incidents.fixed_categories(series, incidents.LOCATION_STATUSES)
    statuses = list(incidents.LOCATION_STATUSES)
    assert made.dtype == pd.CategoricalDtype(statuses)
    assert made.codes.tolist() == [statuses.index(v) if v in statuses else -1 for v in values]
