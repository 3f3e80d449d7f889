"""The readers' shared helpers that the counting tests reach only through whole files: the line spans of a file's
bytes and the integer keys that join the rows of one incident."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crimesite.sources import common


@pytest.mark.parametrize("text", ["", "a", "a\n", "a\nb", "h\n\nb\n", "\n", "h\nc\u00e9,x\n\n"])
def test_line_spans_cut_the_bytes_where_str_split_cuts_the_text(text):
    data = text.encode("utf-8")
    starts, ends = common.line_spans(data)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert [data[s:e].decode("utf-8") for s, e in zip(starts, ends, strict=True)] == lines


def test_quotes_are_counted_per_line():
    data = b'h,"x"\n"a,b\n\nc"d"\n'
    _, ends = common.line_spans(data)
    assert common.quotes_per_line(data, ends).tolist() == [2, 1, 0, 2]


def test_row_keys_are_equal_exactly_where_every_part_is():
    file = np.array([0, 0, 1, 0, 0, 0])
    text = pd.Series(["a", "a", "a", "b", "", None], dtype="str")
    keys = common.row_keys(file, text)
    assert keys[0] == keys[1]  # same file, same text
    assert len({keys[0], keys[2], keys[3]}) == 3  # another file, another text
    assert keys[4] == keys[5] == -1  # empty and missing text: no key


def test_row_keys_take_given_and_keys_of_keys():
    when = common.row_keys(pd.Series(["t1", "t1", "t2", "t1"], dtype="str"))
    place = pd.Series(["0", "5", "5", "5"], dtype="str")
    keys = common.row_keys(when, place, given=place != "0")
    assert keys[0] == -1
    assert keys[1] != keys[2] and keys[1] == keys[3]


def test_sexual_incident_spreads_along_each_key_in_order():
    sexual = pd.Series([True, False, False, False])
    complaint = np.array([7, 7, -1, -1])
    place = np.array([-1, 3, 3, 4])  # row 1 is marked by the complaint first, then row 2 by the place
    assert common.sexual_incident(sexual, complaint, place).tolist() == [True, True, True, False]
