"""Claims beside the data: verdicts on small frames whose answers are worked out by hand."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from crimesite import claims, metrics, paths


def claim(**fields) -> claims.Claim:
    base = dict(id="x", statement="s", measure="count", category="homicide", year=2019, base_year=None, figure=10.0,
                who="City", said_on="", source="press", url="", note="")  # fmt: skip
    return claims.Claim(**{**base, **fields})


def full_years(*years: int, methods_break: str = "2021-01") -> metrics.Coverage:
    return metrics.coverage({f"{y}-{m:02d}" for y in years for m in range(1, 13)}, methods_break)


def annual(rows: list[tuple[int, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "category", "count"])


def counted(rows: list[tuple[int, str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "category", "firearm"])
    return frame.assign(count=1, firearm=frame["firearm"].astype("boolean"))


def test_a_count_that_matches_is_close_or_differs(categories):
    cover, data = full_years(2019), annual([(2019, "homicide", 10)])
    assert claims.check(claim(figure=10), data, counted([]), cover, categories).verdict == "matches"
    assert claims.check(claim(figure=12), data, counted([]), cover, categories).verdict == "close"
    result = claims.check(claim(figure=20), data, counted([]), cover, categories)
    assert result.verdict == "differs" and result.computed == 10
    assert result.reason == "the data counts 10 crimes fewer"
    one_more = claims.check(claim(figure=9), data, counted([]), cover, categories)
    assert (one_more.verdict, one_more.reason) == ("close", "the data counts 1 crime more")  # not "+1 crimes"


def test_a_year_not_wholly_in_the_data_is_not_checkable(categories):
    cover = metrics.coverage({"2019-01", "2019-02"}, "2021-01")
    result = claims.check(claim(figure=10), annual([(2019, "homicide", 3)]), counted([]), cover, categories)
    assert result.verdict == "not checkable"
    assert result.reason == "the data has only 2 of the 12 months of 2019"
    missing = claims.check(claim(year=2020), annual([]), counted([]), cover, categories)
    assert missing.verdict == "not checkable" and missing.reason == "the data has no files for 2020"


def test_percent_change_over_part1_and_across_the_break(categories):
    data = annual([(2020, "homicide", 100), (2020, "larceny", 900), (2021, "homicide", 50), (2021, "larceny", 800)])
    result = claims.check(claim(measure="percent_change", category="part1", year=2021, base_year=2020, figure=-15),
                          data, counted([]), full_years(2020, 2021), categories)  # fmt: skip
    assert result.computed == -15.0 and result.verdict == "matches"
    assert "methods break" in result.reason


def test_firearm_share_needs_a_nibrs_year(categories):
    rows = [(2022, "homicide", True)] * 9 + [(2022, "homicide", False)]
    data = counted(rows)
    nibrs = claims.check(claim(measure="firearm_share", year=2022, figure=90), annual([]), data,
                         full_years(2022), categories)  # fmt: skip
    assert nibrs.computed == 90.0 and nibrs.verdict == "matches"
    legacy = claims.check(claim(measure="firearm_share", year=2019, figure=90), annual([]),
                          counted([(2019, "homicide", None)]), full_years(2019), categories)  # fmt: skip
    assert legacy.verdict == "not checkable" and "legacy files do not record the weapon" in legacy.reason


def test_the_seeded_claims_load(categories):
    loaded = claims.load_claims(paths.ROOT / "data" / "claims.csv", categories)
    homicides = {c.year: c.figure for c in loaded if c.measure == "count" and c.category == "homicide"}
    assert homicides == {2014: 159, 2020: 263, 2021: 201, 2022: 200, 2023: 160, 2024: 150}
    assert {c.measure for c in loaded} == set(claims.MEASURES)


def test_a_bad_claims_file_names_the_line(tmp_path, categories):
    text = (paths.ROOT / "data" / "claims.csv").read_text().replace(",count,homicide,2020,", ",count,murders,2020,")
    (tmp_path / "claims.csv").write_text(text)
    with pytest.raises(ValueError, match=r"claims\.csv:3:"):
        claims.load_claims(tmp_path / "claims.csv", categories)


@pytest.mark.parametrize(
    "url",
    ["javascript:window.__pwned=1", " https://example.org", 'https://example.org/"><script>x</script>',
     "https://example.org/a b", "ftp://example.org/file", "data:text/html,<script>x</script>"],
)  # fmt: skip
def test_a_claim_whose_url_is_not_a_web_address_stops_the_build(tmp_path, categories, url):
    path = tmp_path / "claims.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(claims.COLUMNS)
        writer.writerow(["a", "3 homicides", "count", "homicide", "2021", "", "3", "x", "", "x", url, ""])
    with pytest.raises(ValueError) as caught:
        claims.load_claims(path, categories)
    assert str(caught.value).startswith(f"{path}:2: column url: value {url!r}: expected")
